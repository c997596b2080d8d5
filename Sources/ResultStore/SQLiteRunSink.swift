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
/// every table gets the same rows, rowids and transactions as a synchronous writer.
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
    freeSlots.wait()
    queue.async { [writer, freeSlots] in
      writer.write(rows, of: table)
      freeSlots.signal()
    }
  }

  /// Returns once every batch handed over so far is committed (or dropped after a failure).
  public func waitUntilWritten() {
    queue.sync {}
  }
}

/// The writer thread's half of ``SQLiteRunSink``: the statements and the first failure.
///
/// `@unchecked Sendable`: it is only used on the sink's serial queue, and read by the
/// sink after `queue.sync`, which orders those reads after every write.
private final class BatchWriter: @unchecked Sendable {
  let database: SQLiteDatabase
  let runID: Int64
  private var inserters: [String: RowInserter] = [:]
  private(set) var failure: StoreError?
  private(set) var writtenRowCount = 0

  init(database: SQLiteDatabase, runID: Int64) {
    self.database = database
    self.runID = runID
  }

  func write(_ rows: RowEncoder, of table: TableDescription) {
    guard failure == nil else { return }
    let inserter = inserters[table.name] ?? RowInserter(database: database, table: table)
    inserters[table.name] = inserter
    do {
      try database.transaction { () throws(StoreError) in try inserter.insert(rows, runID: runID) }
      writtenRowCount += rows.fieldCount / max(1, table.columns.count)
    } catch {
      failure = error
    }
  }
}
