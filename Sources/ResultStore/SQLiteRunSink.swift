import Dispatch
import ResultRows

/// The sink a stored run's rows go to: batches are written on a writer thread of
/// their own, each in its own `BEGIN IMMEDIATE` transaction (WAL, busy timeout),
/// tagged with the run's id.
///
/// Why a thread: SQLite is most of the cost of a run that writes a row per job, and
/// the machines this runs on have at least two cores. The model hands a batch over
/// and carries on while the writer binds and commits it, so a run costs about the
/// slower of the two, not their sum. The queue is bounded (``batchesInFlight``): a
/// model faster than SQLite waits for a free slot instead of piling batches up in
/// memory. One serial queue writes batches in the order they were handed over, so
/// every table gets the same rows, rowids and transactions as a synchronous writer. A
/// table stored by its key (``TableDescription/key``: `runner_jobs`) gets each batch in
/// key order (``keyOrder(of:keyIndex:width:)``); its content is the same.
///
/// The run-status contract of docs/SCHEMA.md holds because the run's owner reads
/// ``failure`` (or calls ``waitUntilWritten()``) before it writes the final status:
/// both wait until every batch handed over is committed.
///
/// A write failure is kept, later batches are dropped, and the run's owner reads
/// ``failure`` at the end and fails the run: the model never sees database errors.
public final class SQLiteRunSink: RunSink {
  public let runID: RunID
  /// Batches handed over but not yet committed, at most: about 4 × 20,000 rows.
  public static let batchesInFlight = 4
  private let writer: BatchWriter
  private let queue: DispatchQueue
  private let freeSlots = DispatchSemaphore(value: SQLiteRunSink.batchesInFlight)

  /// - Note: from here until ``waitUntilWritten()`` returns, the writer thread owns
  ///   the store's connection (SQLite connections are not shared between threads
  ///   here); do not use `store` in between.
  public init(store: ResultStore, runID: RunID) {
    writer = BatchWriter(database: store.database, runID: runID.rawValue)
    queue = DispatchQueue(label: "platformsim.results-writer.run-\(runID.rawValue)")
    self.runID = runID
  }

  deinit { waitUntilWritten() }

  /// The first write failure, if any, once every batch handed over is written.
  public var failure: StoreError? {
    waitUntilWritten()
    return writer.failure
  }

  /// Rows written so far, over all tables, once every batch handed over is written.
  public var writtenRowCount: Int {
    waitUntilWritten()
    return writer.writtenRowCount
  }

  public func write(_ rows: RowEncoder, of table: TableDescription) {
    // Sorted here, on the model's thread: the writer's is the busier one.
    let order = table.keyIndex.flatMap { Self.keyOrder(of: rows, keyIndex: $0, width: table.columns.count) }
    freeSlots.wait()
    queue.async { [writer, freeSlots] in
      writer.write(rows, of: table, order: order)
      freeSlots.signal()
    }
  }

  /// Returns once every batch handed over so far is committed (or dropped after a
  /// failure), with the connection's foreign-key enforcement back on.
  public func waitUntilWritten() {
    queue.sync { writer.endBulkInsert() }
  }

  /// The rows' positions sorted by their integer key column, or nil when they are in
  /// key order already.
  ///
  /// A table stored by its key (`WITHOUT ROWID`) then only ever appends to its rightmost
  /// leaf, which SQLite finds without a search from the root (`sqlite3BtreeIndexMoveto`
  /// starts on the last page when the key is not below its first cell). Rows of the
  /// runner pool come in the order jobs finish, which is nearly but not quite the order
  /// of their ids, so the sort is cheap; the table's content is the same in any order.
  static func keyOrder(of rows: RowEncoder, keyIndex: Int, width: Int) -> [Int32]? {
    rows.withUnsafeBuffers { fields, _ in
      let count = fields.count / width
      var previous = Int64.min
      var row = 0
      while row < count {
        let key = fields[row * width + keyIndex].integer
        if key < previous { break }
        previous = key
        row += 1
      }
      if row == count { return nil }
      var keyed: [(key: Int64, row: Int32)] = []
      keyed.reserveCapacity(count)
      for row in 0..<count { keyed.append((fields[row * width + keyIndex].integer, Int32(row))) }
      keyed.sort { $0.key < $1.key }
      return keyed.map(\.row)
    }
  }
}

/// The writer thread's half of ``SQLiteRunSink``: the statements and the first failure.
///
/// Foreign keys: every per-run table's only foreign key is `run_id REFERENCES runs(id)`,
/// the same parent for every row of a run. Instead of probing `runs` once per row, the
/// writer turns enforcement off on its connection (`PRAGMA foreign_keys` only takes
/// effect outside a transaction) and checks once per batch, inside the batch's
/// `BEGIN IMMEDIATE` transaction, that the run's row exists. That transaction holds the
/// database's write lock until it commits, so no other connection can delete the run
/// in between: every row committed has its parent, exactly as with enforcement on, and
/// a batch for a missing run fails the same way (`SQLITE_CONSTRAINT_FOREIGNKEY`). A
/// table with any other foreign key is written with enforcement on. Enforcement is back
/// on before the owner gets the connection back (``endBulkInsert()``), and the schema
/// keeps `ON DELETE CASCADE`, so deleting a run from any connection with
/// `foreign_keys=ON` still deletes its rows (https://sqlite.org/foreignkeys.html, §2
/// and §4.3). Measured: the per-row probe is about 800 of some 6,000 instructions per
/// `runner_jobs` row (docs/PERFORMANCE.md).
///
/// `@unchecked Sendable`: it is only used on the sink's serial queue, and read by the
/// sink after `queue.sync`, which orders those reads after every write.
private final class BatchWriter: @unchecked Sendable {
  let database: SQLiteDatabase
  let runID: Int64
  private var inserters: [String: RowInserter] = [:]
  /// Per table: whether its only foreign key is `run_id` → `runs(id)`.
  private var onlyReferencesRuns: [String: Bool] = [:]
  private var foreignKeysOff = false
  private var runExists: SQLiteStatement?
  private(set) var failure: StoreError?
  private(set) var writtenRowCount = 0

  init(database: SQLiteDatabase, runID: Int64) {
    self.database = database
    self.runID = runID
  }

  func write(_ rows: RowEncoder, of table: TableDescription, order: [Int32]?) {
    guard failure == nil else { return }
    let inserter = inserters[table.name] ?? RowInserter(database: database, table: table)
    inserters[table.name] = inserter
    do throws(StoreError) {
      let bulk = table.isPerRun ? try referencesOnlyRuns(table) : false
      try setForeignKeys(enforced: !bulk)
      try database.transaction { () throws(StoreError) in
        if bulk { try checkRunExists() }
        try inserter.insert(rows, runID: runID, order: order)
      }
      writtenRowCount += rows.fieldCount / max(1, table.columns.count)
    } catch {
      failure = error
    }
  }

  /// Turns foreign-key enforcement back on; the owner is about to use the connection.
  func endBulkInsert() {
    do {
      try setForeignKeys(enforced: true)
    } catch {
      if failure == nil { failure = error }
    }
  }

  private func setForeignKeys(enforced: Bool) throws(StoreError) {
    guard foreignKeysOff == enforced else { return }
    try database.execute(enforced ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF")
    foreignKeysOff = !enforced
  }

  private func referencesOnlyRuns(_ table: TableDescription) throws(StoreError) -> Bool {
    if let known = onlyReferencesRuns[table.name] { return known }
    let keys = try database.query(
      "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?)", [.text(table.name)])
    let only = keys.allSatisfy {
      $0.count == 3 && $0[0].stringValue == "runs" && $0[1].stringValue == "run_id" && $0[2].stringValue == "id"
    }
    onlyReferencesRuns[table.name] = only
    return only
  }

  /// Fails as the foreign key would when the run has no row (it never does in a run
  /// begun by ``ResultStore/beginRun(_:createdAt:)``, unless someone deleted it).
  private func checkRunExists() throws(StoreError) {
    let statement: SQLiteStatement
    if let runExists {
      statement = runExists
    } else {
      statement = try database.prepare("SELECT 1 FROM runs WHERE id = ?")
      runExists = statement
    }
    statement.bind(runID, at: 1)
    defer { statement.reset() }
    if try !statement.step() {
      throw StoreError(
        kind: .statementFailed, path: database.path,
        message: "FOREIGN KEY constraint failed: run \(runID) has no row in runs", sql: nil,
        resultCode: 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
    }
  }
}
