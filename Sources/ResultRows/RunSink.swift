/// Where a run's result rows go: the results database in a real run
/// (`SQLiteRunSink` in ResultStore), memory in tests (``MemoryRunSink``).
///
/// The model never talks to a sink row by row: it appends rows to a table's
/// ``TableRows``, which encodes them and hands the sink whole batches. A sink never
/// throws back into the model; one that fails keeps its first error, drops what
/// follows, and whoever owns the run asks it at the end.
///
/// A sink may store a batch after `write` returns (the SQLite sink writes on a thread
/// of its own); ``waitUntilWritten()`` returns once everything handed over is stored.
public protocol RunSink: AnyObject {
  /// Stores a batch of rows of `table`, in the order the model emitted them.
  func write(_ rows: RowEncoder, of table: TableDescription)
  /// Returns once every batch handed to ``write(_:of:)`` so far is stored.
  func waitUntilWritten()
  /// True once the sink drops every further row (a run past its wall-clock limit): a
  /// producer of many rows may then stop making them and ``skip(rows:of:)`` them instead.
  var discardsRows: Bool { get }
  /// Counts `rows` rows of `table` a producer did not make because the sink discards them.
  func skip(rows: Int, of table: TableDescription)
}

extension RunSink {
  /// A sink that stores each batch before `write` returns has nothing to wait for.
  public func waitUntilWritten() {}
  public var discardsRows: Bool { false }
  public func skip(rows: Int, of table: TableDescription) {}
}

/// The rows a run emits to one table: encoded as they come, handed to the sink in
/// batches (and by ``RunRows/flush()`` at the end).
///
/// Components keep the streams of the tables they write for the whole run, so
/// emitting a row is a plain call with no lookup. (`Row` is constrained on the
/// methods rather than the class so that making the class's metadata at run time
/// needs no protocol-conformance search.)
public final class TableRows<Row> {
  // Not checked at run time: a stream is used from one thread, and appending never
  // calls out; a checked access would cost about as much as the append itself.
  @exclusivity(unchecked) @usableFromInline var encoder: RowEncoder
  @usableFromInline let fieldsPerBatch: Int
  @usableFromInline let table: TableDescription
  let sink: any RunSink
  /// Rows handed to the sink so far.
  public private(set) var deliveredRowCount = 0

  init(sink: any RunSink, table: TableDescription, rowsPerBatch: Int) {
    precondition(rowsPerBatch > 0, "a batch holds at least one row")
    self.sink = sink
    self.table = table
    fieldsPerBatch = rowsPerBatch * table.columns.count
    encoder = RowEncoder(reservingFields: min(rowsPerBatch, 4_096) * table.columns.count)
  }

  /// Rows waiting for the next batch.
  public var bufferedRowCount: Int { encoder.fieldCount / table.columns.count }

  /// True once the sink drops every further row; see ``RunSink/discardsRows``.
  public var discardsFurtherRows: Bool { sink.discardsRows }

  /// Counts `count` rows that were not made because the sink discards them.
  public func skip(_ count: Int) { sink.skip(rows: count, of: table) }

  /// Hands every buffered row to the sink and lets go of the buffer's memory.
  ///
  /// Called when the run is done with a table (between batches the buffer keeps its
  /// capacity), so tables written one after another at the end of a run do not all
  /// hold a full buffer at once.
  public func flush() {
    if !encoder.isEmpty { deliver() }
    encoder = RowEncoder()
  }

  @usableFromInline func deliver() {
    precondition(encoder.fieldCount % table.columns.count == 0, "\(table.name): a row has the wrong number of fields")
    deliveredRowCount += bufferedRowCount
    sink.write(encoder, of: table)
    encoder.removeAll()
  }

  @usableFromInline func checkLastRow() {
    if let problem = encoder.lastRowMatches(table.columns) { preconditionFailure("\(table.name): \(problem)") }
  }
}

extension TableRows where Row: ResultRow {
  /// Emits one row.
  @inlinable public func append(_ row: Row) {
    row.encode(to: &encoder)
    #if DEBUG
      checkLastRow()
    #endif
    if encoder.fieldCount >= fieldsPerBatch { deliver() }
  }
}

/// Something buffered that ``RunRows/flush()`` empties.
private protocol FlushableRows: AnyObject {
  func flush()
}

extension TableRows: FlushableRows {}

/// A run's row streams, one per table, all ending in one sink.
///
/// The model is handed one of these (or `nil` to write nothing); each component takes
/// the streams of its tables once, and whoever owns the run flushes them all at the end.
public final class RunRows {
  public let sink: any RunSink
  let rowsPerBatch: Int
  private var streams: [String: AnyObject] = [:]
  /// Streams in the order they were first asked for, so flushing is deterministic.
  private var ordered: [any FlushableRows] = []

  /// - Parameter rowsPerBatch: rows a table buffers before handing them to the sink.
  public init(sink: any RunSink, rowsPerBatch: Int = 20_000) {
    self.sink = sink
    self.rowsPerBatch = rowsPerBatch
  }

  /// The stream of `Row`'s table: the same one every time it is asked for.
  public func table<Row: ResultRow>(_ type: Row.Type) -> TableRows<Row> {
    let name = Row.table.name
    if let existing = streams[name] {
      guard let typed = existing as? TableRows<Row> else {
        preconditionFailure("two row types declare the table \(name)")
      }
      return typed
    }
    let stream = TableRows<Row>(sink: sink, table: Row.table.description, rowsPerBatch: rowsPerBatch)
    streams[name] = stream
    ordered.append(stream)
    return stream
  }

  /// Emits one row of a table the caller does not keep a stream for.
  public func emit<Row: ResultRow>(_ row: Row) {
    table(Row.self).append(row)
  }

  /// Hands every buffered row of every table to the sink and waits until the sink
  /// has stored them all.
  public func flush() {
    for stream in ordered { stream.flush() }
    sink.waitUntilWritten()
  }
}
