import Foundation
import ResultRows
import Testing

@testable import ResultStore

func temporaryDatabasePath(_ name: String = #function) -> String {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("platformsim-store-\(getpid())")
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let sanitized = name.filter { $0.isLetter || $0.isNumber }
  let path = directory.appendingPathComponent("\(sanitized)-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
  return path
}

func sampleStart(seed: UInt64 = 1) -> RunStart {
  RunStart(
    scenarioName: "unit", scenarioPath: "unit.yaml", scenarioDigest: "abc", seed: seed, replication: 0,
    toolVersion: "test", timeZone: "UTC", simulatedStartEpochSeconds: 0, simulatedEndEpochSeconds: 86_400)
}

@Suite("Results store")
struct ResultStoreTests {
  @Test("a new database gets every migration and WAL mode")
  func migrations() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    #expect(try store.database.scalar("PRAGMA user_version")?.intValue == Int64(Schema.latestVersion))
    #expect(try store.database.scalar("PRAGMA journal_mode")?.stringValue == "wal")
    let tables = try store.database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .compactMap { $0.first?.stringValue }
    for table in ["runs", "run_metrics", "runner_jobs"] { #expect(tables.contains(table)) }
    // Opening again applies nothing twice.
    _ = try ResultStore(path: store.path)
  }

  @Test("a run is `running` until finished, and `completed` only when told")
  func runLifecycle() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "2026-01-01T00:00:00Z")
    #expect(try store.status(of: run) == .running)
    try store.finishRun(
      run,
      RunFinish(
        status: .completed, simulatedReachedEpochSeconds: 86_400, wallSeconds: 0.1, eventCount: 10,
        stopReason: "done", errorMessage: nil))
    #expect(try store.status(of: run) == .completed)
    let row = try #require(try store.database.rows(RunRow.self, where: "id = ?", [.integer(run.rawValue)]).first)
    #expect(row.eventCount == 10)
    #expect(row.stopReason == "done")
    #expect(row.wallSeconds == 0.1)
    #expect(row.scenarioName == "unit" && row.seed == 1 && row.processID == Int64(getpid()))
  }

  @Test("the status column refuses values outside running|completed|failed|stopped")
  func statusConstraint() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    #expect(throws: StoreError.self) {
      try store.database.execute("UPDATE runs SET status = 'done' WHERE id = \(run.rawValue)")
    }
  }

  @Test(
    "rows streamed through the SQLite sink survive batch boundaries and keep NULLs",
    arguments: [1, 49, 50, 51, 199, 200, 201, 20_123])
  func batching(rowCount: Int) throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    let sink = store.runSink(for: run)
    let rows = RunRows(sink: sink, rowsPerBatch: 1_000)
    let jobs = rows.table(RunnerJobRow.self)
    var emitted: [RunnerJobRow] = []
    for index in 0..<rowCount {
      let row = RunnerJobRow(
        jobID: Int64(index), source: "background", runner: index % 3 == 0 ? nil : Int64(index % 7),
        queuedAt: Double(index), startedAt: Double(index) + 0.5, finishedAt: nil, waitSeconds: 0.5)
      jobs.append(row)
      emitted.append(row)
    }
    rows.flush()
    #expect(sink.failure == nil)
    #expect(sink.writtenRowCount == rowCount)
    #expect(jobs.deliveredRowCount == rowCount)
    #expect(try store.rows(RunnerJobRow.self, run: run) == emitted)
    let nulls = try store.database.scalar("SELECT count(*) FROM runner_jobs WHERE runner IS NULL")
    #expect(nulls?.intValue == Int64((rowCount + 2) / 3))
  }

  @Test(
    "batches of two tables committed on the writer thread are all in by flush: runner_jobs by its key, run_metrics in emit order"
  )
  func writerThreadKeepsOrder() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    let sink = store.runSink(for: run)
    // Small batches: many more batches than the writer's queue holds, so the model waits for it.
    let rows = RunRows(sink: sink, rowsPerBatch: 7)
    let jobs = rows.table(RunnerJobRow.self)
    let metrics = rows.table(RunMetric.self)
    let jobIDs = (0..<5_000).map { Int64(($0 * 7_919) % 5_000) }
    for (index, jobID) in jobIDs.enumerated() {
      jobs.append(
        RunnerJobRow(
          jobID: jobID, source: "background", runner: nil, queuedAt: Double(index), startedAt: nil, finishedAt: nil,
          waitSeconds: nil))
      if index % 10 == 0 { metrics.append(RunMetric(name: "m\(index)", value: Double(index), unit: "u")) }
    }
    rows.flush()
    // Read straight after flush, with no wait of our own: everything must be committed.
    let stored = try store.database.query("SELECT job_id FROM runner_jobs WHERE run_id = ?", [.integer(run.rawValue)])
    #expect(stored.compactMap { $0.first?.intValue } == jobIDs.sorted())
    #expect(try store.rows(RunMetric.self, run: run).map(\.name) == (0..<500).map { "m\($0 * 10)" })
    #expect(sink.failure == nil)
    #expect(sink.writtenRowCount == 5_500)
  }

  @Test("a run's rows carry its id, and another run's rows stay apart")
  func rowsOfTwoRuns() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    var runs: [RunID] = []
    for name in ["first", "second"] {
      let run = try store.beginRun(sampleStart(), createdAt: "now")
      let rows = RunRows(sink: store.runSink(for: run))
      rows.emit(RunMetric(name: name, value: 1, unit: "x"))
      rows.flush()
      runs.append(run)
    }
    #expect(try store.rows(RunMetric.self, run: runs[0]).map(\.name) == ["first"])
    #expect(try store.rows(RunMetric.self, run: runs[1]).map(\.name) == ["second"])
  }

  @Test("a write failure is kept by the sink, later rows are dropped, and nothing reaches the model")
  func sinkKeepsItsFirstFailure() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    let sink = store.runSink(for: run)
    let rows = RunRows(sink: sink)
    // run_metrics has one row per (run, name): the second `x` breaks the key.
    rows.emit(RunMetric(name: "x", value: 1, unit: "u"))
    rows.emit(RunMetric(name: "x", value: 2, unit: "u"))
    rows.flush()
    rows.emit(
      RunnerJobRow(
        jobID: 1, source: "pipeline", runner: nil, queuedAt: 0, startedAt: nil, finishedAt: nil, waitSeconds: nil))
    rows.flush()
    let failure = try #require(sink.failure)
    #expect(failure.kind == .statementFailed)
    #expect(failure.description.contains("UNIQUE constraint failed: run_metrics"))
    #expect(try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 0)
  }

  @Test("a row that does not read as its type is reported with its table and column")
  func unreadableRow() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    try store.database.execute(
      "INSERT INTO runner_jobs (run_id, job_id, source, queued_at) VALUES (\(run.rawValue), 1, 'background', 'soon')")
    #expect {
      try store.rows(RunnerJobRow.self, run: run)
    } throws: { error in
      guard let error = error as? StoreError, error.kind == .unreadableRow else { return false }
      return error.description.contains("runner_jobs.queued_at: found TEXT soon, expected REAL")
    }
  }

  @Test("digests ignore identity and insertion order but see every value")
  func digests() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    func writeRun(order: [Int], lastValue: Double) throws -> RunID {
      let run = try store.beginRun(sampleStart(), createdAt: "now")
      try store.database.insert(
        order.map { RunMetric(name: "m\($0)", value: $0 == 2 ? lastValue : Double($0), unit: "x") }, run: run)
      return run
    }
    let first = try store.digest(of: writeRun(order: [0, 1, 2], lastValue: 2))
    let reordered = try store.digest(of: writeRun(order: [2, 0, 1], lastValue: 2))
    let changed = try store.digest(of: writeRun(order: [0, 1, 2], lastValue: 2.000001))
    #expect(first == reordered)
    #expect(first["run_metrics"] != changed["run_metrics"])
    #expect(first["runs"] == changed["runs"])
  }

  @Test("a database written by a newer PlatformSim is refused")
  func newerSchema() throws {
    let path = temporaryDatabasePath()
    _ = try ResultStore(path: path)
    try SQLiteDatabase(path: path).execute("PRAGMA user_version = 99")
    #expect {
      try ResultStore(path: path)
    } throws: { error in
      guard let error = error as? StoreError, case .schemaTooNew(99, Schema.latestVersion) = error.kind else {
        return false
      }
      return error.description.contains("newer platformsim")
    }
  }

  @Test("a SQLite file whose tables clash with the schema is refused and left as it was")
  func foreignTables() throws {
    let path = temporaryDatabasePath()
    let foreign = try SQLiteDatabase(path: path)
    try foreign.execute("CREATE TABLE runs (x INTEGER); INSERT INTO runs VALUES (7);")
    #expect {
      try ResultStore(path: path)
    } throws: { error in
      guard let error = error as? StoreError, error.kind == .notADatabase else { return false }
      // The library names no command-line flag; the CLI adds "--db PATH" (CommandLineTests).
      return error.description.contains("do not match PlatformSim's schema version 0")
        && !error.description.contains("--db")
    }
    #expect(try foreign.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")?.intValue == 1)
    #expect(try foreign.scalar("SELECT x FROM runs")?.intValue == 7)
    #expect(try foreign.scalar("PRAGMA user_version")?.intValue == 0)
  }

  @Test("a file that is not SQLite is refused with a clear message")
  func notADatabase() throws {
    let path = temporaryDatabasePath()
    try String(repeating: "not a database\n", count: 200).write(toFile: path, atomically: true, encoding: .utf8)
    #expect {
      try ResultStore(path: path)
    } throws: { error in
      (error as? StoreError)?.kind == .notADatabase
    }
  }

  @Test("an unwritable location is reported as such")
  func unwritable() {
    #expect {
      try ResultStore(path: "/proc/platformsim-cannot-write-here/results.sqlite")
    } throws: { error in
      guard let error = error as? StoreError else { return false }
      return error.kind == .cannotOpen && error.description.contains("writable") && !error.description.contains("--db")
    }
  }

  @Test("connections in several threads each write their runs without loss")
  func concurrentConnections() async throws {
    let path = temporaryDatabasePath()
    _ = try ResultStore(path: path)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for writer in 0..<4 {
        group.addTask {
          let store = try ResultStore(path: path)
          for run in 0..<10 {
            let id = try store.beginRun(sampleStart(seed: UInt64(writer * 100 + run)), createdAt: "now")
            try store.database.insert([RunMetric(name: "x", value: 1, unit: "u")], run: id)
            try store.finishRun(
              id,
              RunFinish(
                status: .completed, simulatedReachedEpochSeconds: 1, wallSeconds: 0, eventCount: 1, stopReason: nil,
                errorMessage: nil))
          }
        }
      }
      try await group.waitForAll()
    }
    let store = try ResultStore(path: path)
    #expect(try store.database.scalar("SELECT count(*) FROM runs WHERE status = 'completed'")?.intValue == 40)
    #expect(try store.database.scalar("SELECT count(*) FROM run_metrics")?.intValue == 40)
  }
}
