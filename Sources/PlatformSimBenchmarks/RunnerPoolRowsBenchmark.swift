import Foundation
import PlatformModel
import ResultRows
import ResultStore
import SimKernel

/// The runner pool of ``RunnerPoolBenchmark`` with every job written to `runner_jobs`
/// in SQLite: customers per second of a whole stored run.
///
/// The real `World`, a fresh results database with the real schema (WAL, `runner_jobs`
/// keyed by `(run_id, job_id)` WITHOUT ROWID, foreign keys) and the real sink, which commits on its
/// writer thread while the model runs. The clock covers the run loop and the final
/// flush, which waits until the last row is committed, so it is what a user waits for.
enum RunnerPoolRowsBenchmark {
  static func run(customers: Int, repetitions: Int) -> BenchmarkResult {
    var rates: [Double] = []
    var notes: [String] = []
    var errors: [String] = []
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-bench-pool-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      errors.append("could not create \(directory.path): \(error)")
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    var mismatch = false
    for repetition in 0..<repetitions {
      let path = directory.appendingPathComponent("pool-\(repetition).sqlite").path
      let seed = RandomSeed(root: 7, replication: UInt32(repetition))
      do {
        let outcome = try runStored(customers: customers, seed: seed, path: path)
        // Every job has a row: finished ones plus those still queued or running at the end.
        if outcome.rowCount < outcome.customersFinished { mismatch = true }
        rates.append(Double(outcome.customersFinished) / outcome.seconds)
      } catch {
        errors.append("repetition \(repetition) failed: \(error)")
      }
    }
    notes.append(
      "M/M/\(RunnerPoolBenchmark.runnerCount) as in runner-pool, about \(customers) customers per repetition, "
        + "each job a runner_jobs row in a fresh WAL database under \(directory.deletingLastPathComponent().path); "
        + "timed from the first event to the last row committed"
        + (mismatch ? "; MISMATCH: fewer rows than finished jobs" : ""))
    return BenchmarkResult(
      name: "runner-pool-rows", title: "Runner pool M/M/\(RunnerPoolBenchmark.runnerCount), job rows in SQLite",
      unit: "customers/s", oursSamples: rates.isEmpty ? [0] : rates, peerName: nil, peerSamples: [],
      target: .rateAtLeast(2_500_000), notes: notes, errors: errors)
  }

  static func runStored(customers: Int, seed: RandomSeed, path: String) throws(StoreError) -> (
    seconds: Double, customersFinished: Int, rowCount: Int
  ) {
    let window = SimDuration(seconds: Double(customers) / RunnerPoolBenchmark.arrivalRatePerSecond)
    guard let calendar = SimCalendar(startEpochSeconds: 1_767_225_600, timeZoneIdentifier: "UTC", horizon: window)
    else { preconditionFailure("UTC must always be a known time zone") }
    let store = try ResultStore(path: path)
    let runID = try store.beginRun(
      RunStart(
        scenarioName: "bench", scenarioPath: "bench.yaml", scenarioDigest: "0", seed: 7, replication: 0,
        toolVersion: "bench", timeZone: "UTC", simulatedStartEpochSeconds: 0, simulatedEndEpochSeconds: 0),
      createdAt: "1970-01-01T00:00:00Z")
    let sink = store.runSink(for: runID)
    let rows = RunRows(sink: sink)
    let pool = RunnerPoolConfiguration(
      runnerCount: RunnerPoolBenchmark.runnerCount,
      backgroundJobs: JobStream(
        arrivals: ArrivalProcess(ratePerHour: RunnerPoolBenchmark.arrivalRatePerSecond * 3_600),
        duration: .exponential(mean: RunnerPoolBenchmark.meanServiceSeconds)),
      recordsJobRows: true)
    let configuration = WorldConfiguration(calendar: calendar, seed: seed, runnerPool: pool)
    var simulation = Simulation(model: World(configuration: configuration, rows: rows))
    let seconds = measureSeconds {
      simulation.model.start(scheduler: &simulation.scheduler)
      let outcome = simulation.run(until: .zero + window)
      simulation.model.recordUnfinished(endTime: outcome.finalTime)
      rows.flush()
    }
    if let failure = sink.failure { throw failure }
    guard let statistics = simulation.model.runnerPool?.statistics else {
      preconditionFailure("the benchmark world has a runner pool")
    }
    let count = try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue ?? 0
    return (seconds, statistics.jobsFinished, Int(count))
  }
}
