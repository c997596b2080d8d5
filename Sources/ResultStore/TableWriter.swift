/// Buffers rows for one table and writes them in batches, inside transactions, with
/// multi-row `INSERT … VALUES (…),(…)` statements.
///
/// Batching is the big lever (about 1000× over autocommit) and 50 rows per statement
/// adds about 75 % more (../shared/reference/engine-and-style.md §1.4). Rows are
/// appended field by field into a flat buffer, so appending allocates nothing per row.
public final class TableWriter {
  /// A field of a buffered row.
  @usableFromInline enum Field {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
  }

  public let table: String
  public let columns: [String]
  @usableFromInline let fieldsPerFlush: Int
  let database: SQLiteDatabase
  @usableFromInline var fields: ContiguousArray<Field> = []
  let rowsPerStatement = 50
  @usableFromInline let rowsPerFlush: Int
  private var wideStatement: SQLiteStatement?
  private var narrowStatement: SQLiteStatement?
  /// Rows written to the database so far.
  public private(set) var writtenRowCount = 0

  /// - Parameters:
  ///   - rowsPerFlush: rows buffered before a transaction writes them.
  init(database: SQLiteDatabase, table: String, columns: [String], rowsPerFlush: Int = 20_000) {
    self.database = database
    self.table = table
    self.columns = columns
    self.rowsPerFlush = rowsPerFlush
    fieldsPerFlush = rowsPerFlush * columns.count
    fields.reserveCapacity(min(rowsPerFlush, 4_096) * columns.count)
  }

  @inlinable public func append(_ value: Int64) { fields.append(.integer(value)) }
  @inlinable public func append(_ value: Int) { fields.append(.integer(Int64(value))) }
  @inlinable public func append(_ value: Double) { fields.append(value.isFinite ? .real(value) : .null) }
  @inlinable public func append(_ value: String) { fields.append(.text(value)) }
  @inlinable public func append(_ value: Bool) { fields.append(.integer(value ? 1 : 0)) }
  @inlinable public func appendNull() { fields.append(.null) }
  @inlinable public func append(_ value: Double?) { if let value { append(value) } else { appendNull() } }
  @inlinable public func append(_ value: Int64?) { if let value { append(value) } else { appendNull() } }
  @inlinable public func append(_ value: String?) { if let value { append(value) } else { appendNull() } }

  /// Marks the end of a row; flushes when the buffer is full.
  @inlinable public func endRow() throws(StoreError) {
    if fields.count >= fieldsPerFlush { try flush() }
  }

  /// Number of rows waiting in the buffer.
  public var bufferedRowCount: Int { fields.count / columns.count }

  /// Writes all buffered rows in one transaction.
  public func flush() throws(StoreError) {
    precondition(fields.count % columns.count == 0, "\(table): a row has the wrong number of fields")
    let rowCount = fields.count / columns.count
    if rowCount == 0 { return }
    try database.transaction { () throws(StoreError) in
      try writeBuffered(rowCount: rowCount)
    }
    writtenRowCount += rowCount
    fields.removeAll(keepingCapacity: true)
  }

  private func writeBuffered(rowCount: Int) throws(StoreError) {
    let width = columns.count
    var row = 0
    if rowCount >= rowsPerStatement {
      let statement: SQLiteStatement
      if let prepared = wideStatement {
        statement = prepared
      } else {
        statement = try database.prepare(insertSQL(rows: rowsPerStatement))
        wideStatement = statement
      }
      while row + rowsPerStatement <= rowCount {
        try bind(statement, fromRow: row, rows: rowsPerStatement, width: width)
        row += rowsPerStatement
      }
    }
    if row < rowCount {
      let statement: SQLiteStatement
      if let prepared = narrowStatement {
        statement = prepared
      } else {
        statement = try database.prepare(insertSQL(rows: 1))
        narrowStatement = statement
      }
      while row < rowCount {
        try bind(statement, fromRow: row, rows: 1, width: width)
        row += 1
      }
    }
  }

  private func bind(_ statement: SQLiteStatement, fromRow row: Int, rows: Int, width: Int) throws(StoreError) {
    var parameter: Int32 = 1
    for index in (row * width)..<((row + rows) * width) {
      switch fields[index] {
      case .integer(let value): statement.bind(value, at: parameter)
      case .real(let value): statement.bind(value, at: parameter)
      case .text(let value): statement.bind(value, at: parameter)
      case .null: statement.bindNull(at: parameter)
      }
      parameter += 1
    }
    try statement.step()
    statement.reset()
  }

  private func insertSQL(rows: Int) -> String {
    let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
    return "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
      + Array(repeating: placeholders, count: rows).joined(separator: ",")
  }
}
