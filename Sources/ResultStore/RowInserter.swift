import CSQLite
import ResultRows

/// Writes encoded rows of one table with multi-row `INSERT … VALUES (…),(…)`
/// statements, binding straight from the encoder's buffers.
///
/// Batching is the big lever (about 1000× over autocommit) and 50 rows per statement
/// adds about 75 % more (../shared/reference/engine-and-style.md §1.4); 200 rows save
/// another 3 % of SQLite's instructions on `runner_jobs` (callgrind, docs/PERFORMANCE.md),
/// and more save nothing measurable. Text is bound without a copy (`SQLITE_STATIC`):
/// the encoder's bytes outlive each step. A per-run table's `run_id` is one
/// parameter, `?1`, repeated in every row of the statement.
final class RowInserter {
  let table: TableDescription
  let database: SQLiteDatabase
  /// `INSERT` or `INSERT OR REPLACE`.
  let verb: String
  /// Rows in one `INSERT`: 200, or fewer for a table so wide that 200 rows would pass
  /// SQLite's limit on parameters in a statement.
  let rowsPerStatement: Int
  private var wideStatement: SQLiteStatement?
  private var narrowStatement: SQLiteStatement?

  init(database: SQLiteDatabase, table: TableDescription, replacing: Bool = false) {
    self.database = database
    self.table = table
    verb = replacing ? "INSERT OR REPLACE" : "INSERT"
    let parameterLimit = Int(sqlite3_limit(database.handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
    rowsPerStatement = max(1, min(200, (parameterLimit - 1) / max(1, table.columns.count)))
  }

  /// Inserts every row in `rows` (no transaction of its own: the caller's).
  ///
  /// - Parameters:
  ///   - runID: the run of a per-run table's rows; ignored otherwise.
  ///   - order: the rows' positions in the order to insert them, or nil for the order
  ///     they were encoded in.
  func insert(_ rows: RowEncoder, runID: Int64?, order: [Int32]? = nil) throws(StoreError) {
    let width = table.columns.count
    precondition(rows.fieldCount % width == 0, "\(table.name): a row has the wrong number of fields")
    precondition(!table.isPerRun || runID != nil, "\(table.name): rows of a per-run table need their run")
    let rowCount = rows.fieldCount / width
    precondition(order == nil || order?.count == rowCount, "\(table.name): the order names every row once")
    if rowCount == 0 { return }
    let wide = try rowCount >= rowsPerStatement ? preparedStatement(rows: rowsPerStatement) : nil
    let narrow = try rowCount % rowsPerStatement != 0 ? preparedStatement(rows: 1) : nil
    defer {
      // The statements point into the encoder's text, which is about to be reused.
      wide?.clearBindings()
      narrow?.clearBindings()
    }
    let firstField: Int32 = table.isPerRun ? 2 : 1
    if table.isPerRun, let runID {
      wide?.bind(runID, at: 1)
      narrow?.bind(runID, at: 1)
    }
    try rows.withUnsafeBuffers { (fields, text) throws(StoreError) in
      var row = 0
      func run(_ statement: SQLiteStatement, rows count: Int) throws(StoreError) {
        var parameter = firstField
        if let order {
          for position in order[row..<(row + count)] {
            let start = Int(position) * width
            parameter = bind(statement, fields[start..<(start + width)], text: text, from: parameter)
          }
        } else {
          parameter = bind(statement, fields[(row * width)..<((row + count) * width)], text: text, from: parameter)
        }
        try statement.step()
        statement.resetKeepingBindings()
        row += count
      }
      if let wide {
        while row + rowsPerStatement <= rowCount { try run(wide, rows: rowsPerStatement) }
      }
      if let narrow {
        while row < rowCount { try run(narrow, rows: 1) }
      }
    }
  }

  /// The cached `INSERT` for `rows` rows (`rowsPerStatement` or 1).
  private func preparedStatement(rows: Int) throws(StoreError) -> SQLiteStatement {
    if rows == 1, let narrowStatement { return narrowStatement }
    if rows != 1, let wideStatement { return wideStatement }
    let statement = try database.prepare(insertSQL(rows: rows))
    if rows == 1 { narrowStatement = statement } else { wideStatement = statement }
    return statement
  }

  /// Binds `fields` to consecutive parameters from `first` on; returns the next parameter.
  ///
  /// Every field parameter is bound on every execution, so bindings are not cleared
  /// in between.
  @inline(__always)
  private func bind(
    _ statement: SQLiteStatement, _ fields: Slice<UnsafeBufferPointer<EncodedField>>, text: UnsafeBufferPointer<UInt8>,
    from first: Int32
  ) -> Int32 {
    var parameter = first
    for field in fields {
      switch field.kind {
      case .integer: statement.bind(field.integer, at: parameter)
      case .real: statement.bind(field.real, at: parameter)
      case .text:
        let range = field.textRange
        if range.isEmpty {
          statement.bind("", at: parameter)
        } else {
          let start = text.baseAddress.map { $0 + range.lowerBound }
          statement.bindText(UnsafeRawPointer(start), byteCount: range.count, at: parameter)
        }
      case .null: statement.bindNull(at: parameter)
      }
      parameter += 1
    }
    return parameter
  }

  private func insertSQL(rows: Int) -> String {
    let columns = table.storedColumns.map(\.name)
    let values = Array(repeating: "?", count: table.columns.count)
    let placeholders = "(" + ((table.isPerRun ? ["?1"] : []) + values).joined(separator: ",") + ")"
    return "\(verb) INTO \(table.name) (\(columns.joined(separator: ","))) VALUES "
      + Array(repeating: placeholders, count: rows).joined(separator: ",")
  }
}
