import ResultRows

extension SQLiteDatabase {
  /// Rows of `Row`'s table, read by column name into the row type.
  ///
  /// The query names the row type's declared columns; each is then found in the
  /// result by its name, never by its position.
  ///
  /// - Parameters:
  ///   - condition: a SQL expression for `WHERE`, with `?` for each of `arguments`.
  ///   - order: a SQL `ORDER BY` list, e.g. `"started_at, deploy_id"`.
  ///   - schema: an attached database's name (`shard`), for its table instead of the main one.
  public func rows<Row: ResultRow>(
    _ type: Row.Type, where condition: String? = nil, _ arguments: [SQLValue] = [], orderBy order: String? = nil,
    schema: String? = nil
  ) throws(StoreError) -> [Row] {
    let table = Row.table
    var sql = "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM "
    sql += (schema.map { "\($0)." } ?? "") + table.name
    if let condition { sql += " WHERE \(condition)" }
    if let order { sql += " ORDER BY \(order)" }
    let statement = try prepare(sql)
    for (index, value) in arguments.enumerated() { statement.bind(value, at: Int32(index + 1)) }
    let names = (0..<statement.columnCount).map { statement.columnName(at: $0) }
    var positions: [Int] = []
    for column in table.columns {
      guard let position = names.firstIndex(of: column.name) else {
        throw StoreError(
          kind: .unreadableRow, path: path, message: "\(table.name).\(column.name) was not read", sql: sql,
          resultCode: 0)
      }
      positions.append(position)
    }
    var rows: [Row] = []
    while try statement.step() {
      do {
        rows.append(try Row(from: RowReader(valuesInColumnOrder: positions.map { statement.value(at: $0) })))
      } catch {
        throw StoreError(kind: .unreadableRow, path: path, message: error.description, sql: sql, resultCode: 0)
      }
    }
    return rows
  }

  /// Inserts `rows` into their table, in the caller's transaction if there is one.
  ///
  /// - Parameters:
  ///   - run: the run the rows belong to, for a per-run table (its `run_id`).
  ///   - replacing: `INSERT OR REPLACE`: a row with the same key replaces the old one.
  public func insert<Row: ResultRow>(_ rows: [Row], run: RunID? = nil, replacing: Bool = false) throws(StoreError) {
    var encoder = RowEncoder(reservingFields: rows.count * Row.table.columns.count)
    for row in rows { row.encode(to: &encoder) }
    try RowInserter(database: self, table: Row.table.description, replacing: replacing)
      .insert(encoder, runID: run?.rawValue)
  }
}
