import Foundation
import PlatformModel
import ResultRows
import ResultStore

/// Results writing: `runner_jobs` rows per second, from the row the model builds to
/// the SQLite sink.
///
/// Each repetition creates a fresh database file with the real schema and pragmas
/// (WAL, synchronous=NORMAL, foreign keys on, `runner_jobs` keyed by `(run_id, job_id)`), inserts
/// the run row, then emits rows exactly as the runner pool does — a `RunnerJobRow` per
/// job appended to its table's stream, NULLs where a job has none — and flushes. The
/// clock covers building, encoding and every transaction, so it is the cost a
/// simulation pays per row.
enum ResultsWritingBenchmark {
  static func run(rows: Int, repetitions: Int) -> BenchmarkResult {
    var rates: [Double] = []
    var notes: [String] = []
    var errors: [String] = []
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-bench-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      errors.append("could not create \(directory.path): \(error)")
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    for repetition in 0..<repetitions {
      let path = directory.appendingPathComponent("results-\(repetition).sqlite").path
      do {
        let (seconds, written) = try writeRows(rows, path: path)
        precondition(written == rows, "wrote \(written) rows, expected \(rows)")
        rates.append(Double(rows) / seconds)
      } catch {
        errors.append("repetition \(repetition) failed: \(error)")
      }
    }
    notes.append(
      "\(rows) rows of 8 columns per repetition into a fresh WAL database under \(directory.deletingLastPathComponent().path)"
    )
    return BenchmarkResult(
      name: "results-writing", title: "Results writing (SQLite, runner_jobs)", unit: "rows/s",
      oursSamples: rates.isEmpty ? [0] : rates, peerName: nil, peerSamples: [], target: .rateAtLeast(1_000_000),
      notes: notes, errors: errors)
  }

  /// Writes `rows` rows into a new store at `path`; returns the seconds taken and the
  /// rows the table holds afterwards.
  static func writeRows(_ rows: Int, path: String) throws(StoreError) -> (seconds: Double, rowCount: Int) {
    let store = try ResultStore(path: path)
    let runID = try store.beginRun(
      RunStart(
        scenarioName: "bench", scenarioPath: "bench.yaml", scenarioDigest: "0", seed: 1, replication: 0,
        toolVersion: "bench", timeZone: "UTC", simulatedStartEpochSeconds: 0, simulatedEndEpochSeconds: 0),
      createdAt: "1970-01-01T00:00:00Z")
    let sink = store.runSink(for: runID)
    let output = RunRows(sink: sink)
    let jobs = output.table(RunnerJobRow.self)
    let seconds = measureSeconds {
      for index in 0..<rows {
        let queuedAt = 1_767_225_600 + Double(index) * 0.3125
        // One job in 64 is still queued at the end: no runner, no start, no finish.
        let unfinished = index & 63 == 63
        let wait = Double(index % 7) * 0.25
        jobs.append(
          RunnerJobRow(
            jobID: Int64(index + 1), source: RunnerJobSource.background.rawValue,
            runner: unfinished ? nil : Int64(index & 3), queuedAt: queuedAt,
            startedAt: unfinished ? nil : queuedAt + wait, finishedAt: unfinished ? nil : queuedAt + wait + 1.0,
            waitSeconds: unfinished ? nil : wait))
      }
      output.flush()
    }
    if let failure = sink.failure { throw failure }
    let count = try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue ?? 0
    return (seconds, Int(count))
  }
}
