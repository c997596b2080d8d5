import Foundation
import PlatformModel
import SimKernel

/// The runner-pool model in customers per second, beside SimPy running the same M/M/c.
///
/// Ours is the real `World` with only a runner pool: Poisson arrivals, exponential
/// durations, `c` runners, no result rows and no SQLite, so it measures the model
/// and the kernel. The peer is benchmarks/peers/mmc_simpy.py, SimPy's canonical
/// `Resource` model of the same queue, run as a subprocess in the same benchmark run.
/// Both report their mean wait beside the Erlang C value, so a fast but wrong model
/// would show.
enum RunnerPoolBenchmark {
  /// The queue both sides simulate: c = 4, λ = 3.2/s, mean service 1 s, so ρ = 0.8.
  static let runnerCount = 4
  static let arrivalRatePerSecond = 3.2
  static let meanServiceSeconds = 1.0

  /// - Parameters:
  ///   - customers: expected arrivals per repetition of ours (the window is sized to it).
  ///   - peerCustomers: the same for SimPy, which is about 100× slower, so fewer.
  static func run(customers: Int, peerCustomers: Int, repetitions: Int) -> BenchmarkResult {
    var oursRates: [Double] = []
    var meanWaits: [Double] = []
    var peerRates: [Double] = []
    var peerWaits: [Double] = []
    var floorRates: [Double] = []
    var floorDisagrees = false
    var peerImplementation = ""
    var peerProblem: PeerProblem?
    // Alternate ours, the floor and SimPy so that a noisy neighbour slows all of
    // them, not just one.
    for repetition in 0..<repetitions {
      let seed = RandomSeed(root: 7, replication: UInt32(repetition))
      let outcome = runOurs(customers: customers, seed: seed)
      oursRates.append(Double(outcome.customersFinished) / outcome.seconds)
      meanWaits.append(outcome.meanWaitSeconds)
      let floor = MinimalRunnerPool.run(customers: customers, seed: seed)
      floorRates.append(Double(floor.customersFinished) / floor.seconds)
      if floor.customersFinished != outcome.customersFinished || floor.meanWaitSeconds != outcome.meanWaitSeconds {
        floorDisagrees = true
      }
      guard peerProblem == nil else { continue }
      switch runSimPy(customers: peerCustomers, seed: 1 + 2 * repetition) {
      case .success(let report):
        peerRates.append(contentsOf: report.customersPerSecond)
        peerWaits.append(report.meanWaitSeconds)
        peerImplementation = report.implementation
      case .failure(let problem):
        peerProblem = problem
      }
    }
    var notes = [
      "M/M/\(runnerCount), λ = \(arrivalRatePerSecond)/s, mean service \(meanServiceSeconds) s (ρ = "
        + String(format: "%.2f", arrivalRatePerSecond * meanServiceSeconds / Double(runnerCount))
        + "); per repetition ours simulates about \(customers) customers, SimPy about \(peerCustomers); "
        + "repetitions alternate between the two",
      "mean wait: ours " + describeWaits(meanWaits) + ", Erlang C " + String(format: "%.4f", erlangCMeanWaitSeconds())
        + " s",
    ]
    let floorMedian = median(floorRates)
    notes.append(
      "floor: a minimal hand-written M/M/\(runnerCount) loop (MinimalRunnerPool.swift) did \(formatRate(floorMedian)) "
        + "customers/s in the same run; ours is " + formatRatio(median(oursRates) / floorMedian) + " of it"
        + (floorDisagrees
          ? "; MISMATCH: it did not finish the same customers with the same mean wait as ours"
          : ", and it finished the same customers with the same mean wait"))
    if let peerProblem {
      notes.append("SimPy peer not run: \(peerProblem.message)")
      return result(ours: oursRates, peer: [], notes: notes)
    }
    notes.append("mean wait: SimPy " + describeWaits(peerWaits) + " (\(peerImplementation))")
    return result(ours: oursRates, peer: peerRates, notes: notes)
  }

  /// `0.7455 s (repetitions 0.7301–0.7602 s)`: the mean over repetitions and their range.
  private static func describeWaits(_ waits: [Double]) -> String {
    let mean = waits.reduce(0, +) / Double(max(1, waits.count))
    let range = String(format: "%.4f–%.4f", waits.min() ?? .nan, waits.max() ?? .nan)
    return String(format: "%.4f", mean) + " s (repetitions \(range) s)"
  }

  private static func result(ours: [Double], peer: [Double], notes: [String]) -> BenchmarkResult {
    BenchmarkResult(
      name: "runner-pool", title: "Runner pool M/M/\(runnerCount)", unit: "customers/s", oursSamples: ours,
      peerName: "SimPy", peerSamples: peer, target: .ratioAtLeast(100), notes: notes)
  }

  /// One run of the real World; only `Simulation.run` is timed.
  static func runOurs(customers: Int, seed: RandomSeed) -> (
    seconds: Double, customersFinished: Int, meanWaitSeconds: Double
  ) {
    let window = SimDuration(seconds: Double(customers) / arrivalRatePerSecond)
    // 2026-01-01T00:00:00Z; UTC has no transitions, so the calendar is trivial.
    guard let calendar = SimCalendar(startEpochSeconds: 1_767_225_600, timeZoneIdentifier: "UTC", horizon: window)
    else { preconditionFailure("UTC must always be a known time zone") }
    let pool = RunnerPoolConfiguration(
      runnerCount: runnerCount,
      backgroundJobs: JobStream(
        arrivals: ArrivalProcess(ratePerHour: arrivalRatePerSecond * 3_600),
        duration: .exponential(mean: meanServiceSeconds)),
      recordsJobRows: false)
    let configuration = WorldConfiguration(calendar: calendar, seed: seed, runnerPool: pool)
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    let seconds = measureSeconds {
      simulation.model.start(scheduler: &simulation.scheduler)
      _ = simulation.run(until: .zero + window)
    }
    guard let statistics = simulation.model.runnerPool?.statistics else {
      preconditionFailure("the benchmark world has a runner pool")
    }
    return (seconds, statistics.jobsFinished, statistics.meanWaitSeconds ?? .nan)
  }

  /// Mean time in queue of M/M/c (Erlang C), for the sanity check.
  static func erlangCMeanWaitSeconds() -> Double {
    let offered = arrivalRatePerSecond * meanServiceSeconds
    let servers = Double(runnerCount)
    var term = 1.0
    var total = 1.0
    for k in 1..<runnerCount {
      term *= offered / Double(k)
      total += term
    }
    let last = term * offered / servers / (1 - offered / servers)
    return last / (total + last) * meanServiceSeconds / (servers - offered)
  }

  /// What the SimPy script printed.
  struct SimPyReport: Decodable {
    var implementation: String
    var customersPerSecond: [Double]
    var meanWaitSeconds: Double

    enum CodingKeys: String, CodingKey {
      case implementation
      case customersPerSecond = "customers_per_second"
      case meanWaitSeconds = "mean_wait_seconds"
    }
  }

  /// Why the peer could not be measured, in words for the report.
  struct PeerProblem: Error {
    var message: String
  }

  /// Runs one repetition of benchmarks/peers/mmc_simpy.py with `python3` and
  /// decodes its JSON line.
  ///
  /// Interpreter start-up is not timed: the script times only
  /// `env.run`.
  static func runSimPy(customers: Int, seed: Int) -> Result<SimPyReport, PeerProblem> {
    guard let script = locatePeerScript("mmc_simpy.py") else {
      return .failure(
        PeerProblem(message: "benchmarks/peers/mmc_simpy.py not found; run from the package root"))
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", script, "--runners", String(runnerCount), "--arrival-rate", String(arrivalRatePerSecond),
      "--mean-service", String(meanServiceSeconds), "--customers", String(customers),
      "--repetitions", "1", "--seed", String(seed),
    ]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      return .failure(
        PeerProblem(message: "could not start python3 (\(error)); install Python 3 and `pip install simpy`"))
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorText = String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    if process.terminationStatus == 3 {
      return .failure(PeerProblem(message: errorText.isEmpty ? "SimPy is missing: `pip install simpy`" : errorText))
    }
    guard process.terminationStatus == 0 else {
      return .failure(
        PeerProblem(message: "mmc_simpy.py exited with status \(process.terminationStatus): \(errorText.suffix(400))"))
    }
    do {
      return .success(try JSONDecoder().decode(SimPyReport.self, from: outputData))
    } catch {
      return .failure(PeerProblem(message: "mmc_simpy.py printed something other than its JSON report: \(error)"))
    }
  }

  /// The peer script: under the working directory (`swift run` from the package
  /// root), else beside this source file's package.
  static func locatePeerScript(_ name: String) -> String? {
    let fileManager = FileManager.default
    let fromWorkingDirectory = fileManager.currentDirectoryPath + "/benchmarks/peers/" + name
    if fileManager.fileExists(atPath: fromWorkingDirectory) { return fromWorkingDirectory }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let fromSource = packageRoot.appendingPathComponent("benchmarks/peers/" + name).path
    return fileManager.fileExists(atPath: fromSource) ? fromSource : nil
  }
}
