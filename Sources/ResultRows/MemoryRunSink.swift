/// A sink that keeps a run's rows in memory, for tests of the model without a database.
///
/// Rows are read back by column name into their row types, exactly as the results
/// store reads them from SQLite.
public final class MemoryRunSink: RunSink {
  /// Stored values per table, row by row, in the order rows were emitted.
  public private(set) var valuesByTable: [String: [[StoredValue]]] = [:]

  public init() {}

  public func write(_ rows: RowEncoder, of table: TableDescription) {
    let width = table.columns.count
    var stored = valuesByTable[table.name] ?? []
    var start = 0
    while start < rows.fieldCount {
      stored.append((start..<(start + width)).map { rows.value(at: $0) })
      start += width
    }
    valuesByTable[table.name] = stored
  }

  /// Every row written to `Row`'s table, in order.
  public func rows<Row: ResultRow>(_ type: Row.Type) throws(RowDecodingError) -> [Row] {
    var result: [Row] = []
    for values in valuesByTable[Row.table.name] ?? [] {
      result.append(try Row(from: RowReader(valuesInColumnOrder: values)))
    }
    return result
  }
}
