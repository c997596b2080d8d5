import ResultRows

/// The sink a stored run's rows go to: each batch is written in its own
/// `BEGIN IMMEDIATE` transaction (WAL, busy timeout), tagged with the run's id.
///
/// A write failure is kept, later batches are dropped, and the run's owner reads
/// ``failure`` at the end and fails the run: the model never sees database errors.
public final class SQLiteRunSink: RunSink {
  public let runID: RunID
  let database: SQLiteDatabase
  private var inserters: [String: RowInserter] = [:]
  /// The first write failure, if any.
  public private(set) var failure: StoreError?
  /// Rows written so far, over all tables.
  public private(set) var writtenRowCount = 0

  public init(store: ResultStore, runID: RunID) {
    database = store.database
    self.runID = runID
  }

  public func write(_ rows: RowEncoder, of table: TableDescription) {
    guard failure == nil else { return }
    let inserter = inserters[table.name] ?? RowInserter(database: database, table: table)
    inserters[table.name] = inserter
    do {
      try database.transaction { () throws(StoreError) in try inserter.insert(rows, runID: runID.rawValue) }
      writtenRowCount += rows.fieldCount / max(1, table.columns.count)
    } catch {
      failure = error
    }
  }
}
