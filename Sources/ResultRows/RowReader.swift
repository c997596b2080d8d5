/// One stored row, read by column: the values of a row type's columns, found by name.
///
/// A sink or a store builds it from whatever it holds (a SQL result row, buffered
/// fields); the row type reads each property with `row[\.property]`, so the column's
/// name, type and nullability come from the one declaration in ``ResultRow/table``.
public struct RowReader<Row: ResultRow> {
  /// Values in the order of the table's columns.
  let values: [StoredValue]

  /// A row from values named by column; every declared column must be among `names`.
  public init(names: [String], values: [StoredValue]) throws(RowDecodingError) {
    let table = Row.table
    var ordered: [StoredValue] = []
    ordered.reserveCapacity(table.columns.count)
    for column in table.columns {
      guard let position = names.firstIndex(of: column.name), position < values.count else {
        throw RowDecodingError(table: table.name, column: column.name, problem: .missing)
      }
      ordered.append(values[position])
    }
    self.values = ordered
  }

  /// A row from values already in the table's column order, as its rows were encoded.
  public init(valuesInColumnOrder values: [StoredValue]) {
    precondition(values.count == Row.table.columns.count, "\(Row.table.name): wrong number of values")
    self.values = values
  }

  /// The value of the column held at `keyPath`, converted to the property's type.
  public subscript<Value: ColumnValue>(_ keyPath: KeyPath<Row, Value>) -> Value {
    get throws(RowDecodingError) {
      let table = Row.table
      guard let index = table.index(of: keyPath) else {
        preconditionFailure("\(table.name): \(keyPath) is not a column")
      }
      let stored = values[index]
      guard let value = Value(stored: stored) else {
        throw RowDecodingError(
          table: table.name, column: table.columns[index].name,
          problem: .mismatch(found: stored, expected: table.columns[index]))
      }
      return value
    }
  }
}

/// A stored row that does not read as its row type: the database does not hold what
/// the declared columns say.
public struct RowDecodingError: Error, Sendable, CustomStringConvertible {
  public enum Problem: Sendable, Equatable {
    /// The column is not among those read.
    case missing
    /// The stored value is not of the declared type (or NULL where none is allowed).
    case mismatch(found: StoredValue, expected: ResultColumn)
  }

  public let table: String
  public let column: String
  public let problem: Problem

  public var description: String {
    switch problem {
    case .missing:
      return "\(table).\(column): no such column was read"
    case .mismatch(let found, let expected):
      let shown = found == .null ? "NULL" : "\(found.storageName) \(found)"
      return "\(table).\(column): found \(shown), expected \(expected.storage.rawValue)"
        + (expected.isNullable ? " or NULL" : "")
    }
  }
}
