import Foundation
import ResultRows
import Testing

@testable import ResultStore

/// `runner_jobs` stored by its key `(run_id, job_id)` (schema version 13): the writer's
/// sorted batches, foreign keys checked once per batch, cascades, and the migration of
/// databases written before.
@Suite("runner_jobs keyed by (run_id, job_id)")
struct RunnerJobsKeyTests {
  static func job(_ id: Int64, finishedAt: Double? = nil) -> RunnerJobRow {
    RunnerJobRow(
      jobID: id, source: id % 5 == 0 ? "pipeline" : "background", runner: finishedAt == nil ? nil : id % 4,
      queuedAt: Double(id), startedAt: finishedAt.map { $0 - 1 }, finishedAt: finishedAt,
      waitSeconds: finishedAt.map { $0 - 1 - Double(id) })
  }

  /// Job ids in a finish-like order: each block of 64 reversed, so every batch is out of order.
  static let finishOrder: [Int64] = (0..<2_560).compactMap { (index: Int) -> Int64? in
    let id = (index / 64) * 64 + 63 - index % 64
    return id < 2_500 ? Int64(id) : nil
  }

  static func write(_ ids: [Int64], to store: ResultStore, run: RunID, rowsPerBatch: Int = 300) -> SQLiteRunSink {
    let sink = store.runSink(for: run)
    let rows = RunRows(sink: sink, rowsPerBatch: rowsPerBatch)
    let jobs = rows.table(RunnerJobRow.self)
    for id in ids { jobs.append(job(id, finishedAt: id % 9 == 0 ? nil : Double(id) + 2.5)) }
    rows.flush()
    return sink
  }

  @Test("rows handed over out of key order are all stored, read back in key order, with the same content")
  func sortedBatches() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    let ids = Self.finishOrder
    #expect(ids.count == 2_500 && Set(ids).count == 2_500 && ids != ids.sorted())
    let sink = Self.write(ids, to: store, run: run)
    #expect(sink.failure == nil)
    #expect(sink.writtenRowCount == ids.count)
    let expected = ids.sorted().map { Self.job($0, finishedAt: $0 % 9 == 0 ? nil : Double($0) + 2.5) }
    #expect(try store.rows(RunnerJobRow.self, run: run) == expected)
    // Without ORDER BY, SQLite reads a WITHOUT ROWID table in key order.
    let natural = try store.database.query("SELECT job_id FROM runner_jobs").compactMap { $0.first?.intValue }
    #expect(natural == ids.sorted())
  }

  @Test("the sink's keyOrder sorts a batch by its key and leaves a sorted batch alone")
  func keyOrder() throws {
    let table = RunnerJobRow.table.description
    let keyIndex = try #require(table.keyIndex)
    var encoder = RowEncoder()
    for id: Int64 in [5, 3, 9, 1] { Self.job(id).encode(to: &encoder) }
    #expect(SQLiteRunSink.keyOrder(of: encoder, keyIndex: keyIndex, width: table.columns.count) == [3, 1, 0, 2])
    var sorted = RowEncoder()
    for id: Int64 in [1, 2, 2, 7] { Self.job(id).encode(to: &sorted) }
    #expect(SQLiteRunSink.keyOrder(of: sorted, keyIndex: keyIndex, width: table.columns.count) == nil)
  }

  @Test("the key rejects a second row for the same job of a run, which the old index allowed")
  func duplicateJob() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    let sink = Self.write([1, 2, 2], to: store, run: run)
    let failure = try #require(sink.failure)
    #expect(failure.description.contains("UNIQUE constraint failed: runner_jobs.run_id, runner_jobs.job_id"))
    #expect(try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 0)
  }

  @Test("rows for a run that has no row fail as the foreign key would, and nothing is written")
  func missingRun() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let sink = Self.write([1, 2, 3], to: store, run: RunID(41))
    let failure = try #require(sink.failure)
    #expect(failure.resultCode == 787)
    #expect(failure.description.contains("FOREIGN KEY constraint failed: run 41 has no row in runs"))
    #expect(try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 0)
    // Enforcement is back on for the owner of the connection.
    #expect(try store.database.scalar("PRAGMA foreign_keys")?.intValue == 1)
  }

  @Test("after a run, foreign keys are enforced again and deleting a run cascades to its rows only")
  func cascade() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let first = try store.beginRun(sampleStart(), createdAt: "now")
    let second = try store.beginRun(sampleStart(seed: 2), createdAt: "now")
    #expect(Self.write(Self.finishOrder, to: store, run: first).failure == nil)
    #expect(Self.write([3, 1, 2], to: store, run: second).failure == nil)
    #expect(try store.database.scalar("PRAGMA foreign_keys")?.intValue == 1)
    #expect(try store.database.query("PRAGMA foreign_key_check").isEmpty)
    try store.database.execute("DELETE FROM runs WHERE id = \(first.rawValue)")
    #expect(
      try store.database.scalar("SELECT count(*) FROM runner_jobs WHERE run_id = \(first.rawValue)")?.intValue == 0)
    #expect(try store.rows(RunnerJobRow.self, run: second).map(\.jobID) == [1, 2, 3])
    // And a user's own connection, with foreign keys on, cascades too.
    let other = try SQLiteDatabase(path: store.path)
    try other.execute("PRAGMA foreign_keys=ON; DELETE FROM runs WHERE id = \(second.rawValue)")
    #expect(try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 0)
  }

  @Test("reading one run's jobs is served by the key, with no separate index")
  func queriesUseTheKey() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let plan = try store.database.query(
      "EXPLAIN QUERY PLAN SELECT job_id, queued_at FROM runner_jobs WHERE run_id = ? ORDER BY job_id", [.integer(1)]
    )
    .compactMap { $0.last?.stringValue }
    #expect(plan == ["SEARCH runner_jobs USING PRIMARY KEY (run_id=?)"])
    let indexes = try store.database.query(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runner_jobs'")
    // The key is the table's own b-tree: no index beside it at all.
    #expect(indexes.isEmpty)
    let sql = try store.database.scalar("SELECT sql FROM sqlite_master WHERE name = 'runner_jobs'")?.stringValue
    #expect(sql?.hasSuffix("WITHOUT ROWID") == true)
  }

  @Test("a version-12 database's runner_jobs rows are all there after the migration, in key order")
  func migrationFromVersion12() throws {
    let path = temporaryDatabasePath()
    let before: [[SQLValue]]
    do {
      let old = try SQLiteDatabase(path: path)
      try old.execute("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
      try old.transaction { () throws(StoreError) in
        for migration in Schema.migrations.prefix(12) { try old.execute(migration) }
        try old.execute("PRAGMA user_version = 12")
      }
      for seed: UInt64 in [1, 2] {
        try old.execute(
          """
          INSERT INTO runs (scenario_name, scenario_path, scenario_digest, seed, tool_version, time_zone,
            sim_start_at, sim_end_at, status, created_at)
          VALUES ('old', 'old.yaml', 'abc', \(seed), 'old', 'UTC', 0, 86400, 'completed', 'then')
          """)
        // Rows in finish order, as the version-12 writer stored them (by rowid).
        try old.transaction { () throws(StoreError) in
          try old.insert(Self.finishOrder.map { Self.job($0, finishedAt: Double($0) + 2) }, run: RunID(Int64(seed)))
        }
      }
      #expect(try old.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 5_000)
      before = try old.query("SELECT * FROM runner_jobs ORDER BY run_id, job_id")
      let firstStored = try old.query("SELECT job_id FROM runner_jobs ORDER BY rowid LIMIT 3")
      #expect(firstStored.compactMap { $0.first?.intValue } == [63, 62, 61])
    }
    let store = try ResultStore(path: path)
    #expect(try store.database.scalar("PRAGMA user_version")?.intValue == Int64(Schema.latestVersion))
    #expect(try store.database.query("SELECT * FROM runner_jobs ORDER BY run_id, job_id") == before)
    #expect(try store.database.query("SELECT * FROM runner_jobs") == before)
    #expect(try store.rows(RunnerJobRow.self, run: RunID(2)).map(\.jobID) == Self.finishOrder.sorted())
    let leftovers = try store.database.query(
      "SELECT name FROM sqlite_master WHERE name IN ('runner_jobs_by_run', 'runner_jobs_before_13')")
    #expect(leftovers.isEmpty)
    #expect(try store.database.query("PRAGMA foreign_key_check").isEmpty)
    // New runs append to the migrated table.
    let run = try store.beginRun(sampleStart(), createdAt: "now")
    #expect(Self.write([2, 1], to: store, run: run).failure == nil)
    #expect(try store.database.scalar("SELECT count(*) FROM runner_jobs")?.intValue == 5_002)
  }
}
