import Foundation
import PlatformModel
import ResultRows
import ResultStore
import RunLifecycle
import Scenario
import SimKernel

/// Whole scenarios, end to end: simulated time per wall-clock second.
///
/// Each repetition loads the scenario file, runs it into a fresh results database
/// (rows, KPIs and all, as `platformsim run` does) and times the run. The delivery
/// issue's targets are wall times for 30 simulated days — golden path < 1 s,
/// organisation scale < 20 s — held here as "times faster than real time" (30 d in
/// 20 s is 129,600×), so that a `--quick` run over fewer days is judged by the same
/// bar. The wall seconds of each repetition are in the notes.
enum ScenarioBenchmark {
  struct Case {
    var name: String
    var title: String
    var path: String
    /// The issue's wall-time target for `targetDays` simulated days.
    var targetSeconds: Double
    var targetDays: Double = 30
  }

  static let cases = [
    Case(
      name: "scenario-golden-path", title: "Golden path (services, canary, 4 alerting rules)",
      path: "scenarios/golden-path.yaml", targetSeconds: 1),
    Case(
      name: "scenario-org-scale", title: "Organisation scale (500 services, canary, rules)",
      path: "scenarios/benchmarks/org-scale.yaml", targetSeconds: 20),
  ]

  static func run(_ benchmark: Case, days: Double?, repetitions: Int) -> BenchmarkResult {
    var rates: [Double] = []
    var walls: [Double] = []
    var notes: [String] = []
    var errors: [String] = []
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-bench-scenario-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    var simulatedDays = 0.0
    for repetition in 0..<repetitions {
      do {
        let (simulated, wall) = try runOnce(
          benchmark.path, days: days, database: directory.appendingPathComponent("run-\(repetition).sqlite").path)
        simulatedDays = simulated / 86_400
        walls.append(wall)
        rates.append(simulated / wall)
      } catch {
        errors.append("repetition \(repetition) failed: \(error)")
        break
      }
    }
    if !walls.isEmpty {
      notes.append(
        "\(benchmark.path), \(formatRate(simulatedDays)) simulated days: wall \(walls.map { String(format: "%.2f s", $0) }.joined(separator: ", ")) (median \(String(format: "%.2f s", median(walls))); target \(formatRate(benchmark.targetDays)) d in < \(formatRate(benchmark.targetSeconds)) s)"
      )
    }
    return BenchmarkResult(
      name: benchmark.name, title: benchmark.title, unit: "× real time", oursSamples: rates.isEmpty ? [0] : rates,
      peerName: nil, peerSamples: [], target: .rateAtLeast(benchmark.targetDays * 86_400 / benchmark.targetSeconds),
      notes: notes, errors: errors)
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Threads each benchmarked run may use, as `platformsim run` gives a single run:
  /// `PLATFORMSIM_BENCH_THREADS`, or the number of processors.
  static let benchmarkThreads: Int = {
    if let text = ProcessInfo.processInfo.environment["PLATFORMSIM_BENCH_THREADS"], let threads = Int(text),
      threads >= 1
    {
      return threads
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }()

  /// Runs the scenario once (for `days` when given) into a new database at `database`;
  /// returns the simulated and the wall-clock seconds.
  static func runOnce(_ path: String, days: Double?, database: String) throws -> (simulated: Double, wall: Double) {
    guard FileManager.default.fileExists(atPath: path) else {
      throw Failure(description: "\(path) not found: run from the package root")
    }
    let document: ScenarioDocument
    do {
      document = try ScenarioLoader.load(path: path).document
    } catch {
      throw Failure(description: error.description)
    }
    let duration = days.map { SimDuration(seconds: $0 * 86_400) } ?? document.duration
    let configuration = document.worldConfiguration(seed: document.seed, duration: duration)
    let start = RunStart(
      scenarioName: document.name, scenarioPath: document.path, scenarioDigest: document.digest, seed: document.seed,
      replication: 0, toolVersion: "bench", timeZone: document.timeZone,
      simulatedStartEpochSeconds: Double(document.startEpochSeconds),
      simulatedEndEpochSeconds: configuration.calendar.epochSeconds(at: .zero + duration))
    let store = try ResultStore(path: database)
    var report: RunReport?
    var failure: StoreError?
    let wall = measureSeconds {
      do throws(StoreError) {
        report = try SimulationRun.execute(
          RunRequest(
            configuration: configuration, duration: duration, limits: document.limits, start: start,
            threads: benchmarkThreads),
          store: store, createdAt: "1970-01-01T00:00:00Z")
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    guard let report, report.status == .completed else {
      throw Failure(
        description: "the run did not finish: \(String(describing: report?.status)) \(report?.errorMessage ?? "")")
    }
    return (duration.seconds, wall)
  }
}
