/// A row of one results table: the table's name and columns, declared once, and how
/// the row's values are written and read.
///
/// The model builds rows from its state and emits them to a ``RunSink``; the results
/// store writes them into SQLite; reports, experiments and tests read them back by
/// column name. The SQLite migrations create the same columns, which a test checks
/// against ``table`` for every row type (``ResultTables/all``).
///
/// ``encode(to:)`` appends one value per column in the order of ``table``'s columns,
/// with no names and no allocation, because rows are written at up to a million per
/// second; debug builds check each row's fields against the declared storage.
public protocol ResultRow: Sendable, Equatable {
  /// The table's name and columns, in stored order.
  static var table: ResultTable<Self> { get }

  /// Appends the row's values, one per column, in the order of ``table``'s columns.
  func encode(to row: inout RowEncoder)

  /// Reads a row by column name.
  init(from row: RowReader<Self>) throws(RowDecodingError)
}

extension ResultRow {
  /// ``table`` as sinks see it; usable on `any ResultRow.Type`.
  public static var tableDescription: TableDescription { table.description }
}

/// How a column's values are stored: SQLite's storage classes, NULL apart.
public enum ColumnStorage: String, Sendable {
  case integer = "INTEGER"
  case real = "REAL"
  case text = "TEXT"
}

/// A stored column: its name, storage class and whether it may hold NULL.
public struct ResultColumn: Sendable, Hashable, CustomStringConvertible {
  public let name: String
  public let storage: ColumnStorage
  public let isNullable: Bool

  public init(name: String, storage: ColumnStorage, isNullable: Bool) {
    self.name = name
    self.storage = storage
    self.isNullable = isNullable
  }

  /// `name TYPE` or `name TYPE NOT NULL`, as a migration would declare it.
  public var description: String { "\(name) \(storage.rawValue)" + (isNullable ? "" : " NOT NULL") }
}

/// A results table as a sink sees it: name and columns, without the row type.
public struct TableDescription: Sendable, Hashable {
  public let name: String
  /// Whether each row belongs to a run.
  ///
  /// The store then writes the run's id in a leading `run_id` column that the row type
  /// does not carry: the model never knows it.
  public let isPerRun: Bool
  /// The row type's columns in stored order (without `run_id`).
  public let columns: [ResultColumn]
  /// The integer column that, after `run_id`, identifies a row of a per-run table
  /// stored in key order (`PRIMARY KEY (run_id, key) WITHOUT ROWID`), or nil for a
  /// table stored in the order rows were written (by rowid).
  ///
  /// The SQLite sink writes each batch of such a table sorted by it, so every insert
  /// appends to the table's rightmost leaf; readers that want a stable order use it
  /// instead of `rowid`, which such a table does not have.
  public let key: String?

  public init(name: String, isPerRun: Bool, columns: [ResultColumn], key: String? = nil) {
    if let key {
      precondition(isPerRun, "\(name): only a per-run table has a key after run_id")
      precondition(
        columns.contains { $0.name == key && $0.storage == .integer && !$0.isNullable },
        "\(name): its key \(key) must be one of its INTEGER NOT NULL columns")
    }
    self.name = name
    self.isPerRun = isPerRun
    self.columns = columns
    self.key = key
  }

  /// The position of ``key`` in ``columns``.
  public var keyIndex: Int? { key.flatMap { key in columns.firstIndex { $0.name == key } } }

  /// An `ORDER BY` list for one run's rows that is stable across writes: the key, or
  /// the rowid (the order rows were written in).
  public var rowOrder: String { key ?? "rowid" }

  /// The stored columns: `run_id` first for a per-run table, then ``columns``.
  public var storedColumns: [ResultColumn] {
    (isPerRun ? [ResultColumn(name: "run_id", storage: .integer, isNullable: false)] : []) + columns
  }
}

/// One column of a row type: its name and the property that holds its value, whose
/// Swift type gives the storage class and (as an `Optional`) the nullability.
public struct ColumnDeclaration<Row>: @unchecked Sendable {
  // Key paths are immutable values; they are only compared and read through.
  public let column: ResultColumn
  let keyPath: PartialKeyPath<Row>
  /// The column's value in a row, through the key path (slow: for checks, not for writing).
  let storedValue: (Row) -> StoredValue

  /// Declares the column `name`, held by the property at `keyPath`.
  public static func column<Value: ColumnValue>(_ name: String, _ keyPath: KeyPath<Row, Value>) -> Self {
    ColumnDeclaration(
      column: ResultColumn(name: name, storage: Value.storage, isNullable: Value.isNullable), keyPath: keyPath,
      storedValue: { $0[keyPath: keyPath].storedValue })
  }
}

/// A row type's table: its name and its columns in stored order, each declared once.
public struct ResultTable<Row>: @unchecked Sendable {
  // Immutable after `init`; the key paths are only compared and read through.
  /// The table as sinks see it.
  public let description: TableDescription
  private let declarations: [ColumnDeclaration<Row>]
  // Found by a linear search, not a dictionary: a dictionary keyed by key paths would
  // make the runtime look up `Hashable` for each row type's key paths, which costs
  // about a millisecond per table at start-up; tables have at most 30 columns.
  private let keyPaths: [PartialKeyPath<Row>]

  /// - Parameters:
  ///   - perRun: whether rows belong to a run (a leading `run_id` the store writes).
  ///   - key: the integer column that identifies a row within its run, for a table
  ///     stored in key order (``TableDescription/key``).
  ///   - columns: every column, in the order the table stores them.
  public init(_ name: String, perRun: Bool, key: String? = nil, columns: [ColumnDeclaration<Row>]) {
    description = TableDescription(name: name, isPerRun: perRun, columns: columns.map(\.column), key: key)
    declarations = columns
    keyPaths = columns.map(\.keyPath)
  }

  public var name: String { description.name }
  public var columns: [ResultColumn] { description.columns }

  /// The position of the column held at `keyPath`, if it is one of the table's.
  public func index(of keyPath: PartialKeyPath<Row>) -> Int? { keyPaths.firstIndex { $0 == keyPath } }

  /// A row's values column by column, read through the declared properties.
  ///
  /// Slow (key paths): for checks that ``ResultRow/encode(to:)`` writes what the
  /// declaration says, not for writing rows.
  public func values(of row: Row) -> [StoredValue] { declarations.map { $0.storedValue(row) } }

  /// The column held at `keyPath`: for statements that name a few columns (an `UPDATE`).
  public func column(_ keyPath: PartialKeyPath<Row>) -> ResultColumn {
    guard let index = index(of: keyPath) else { preconditionFailure("\(name): \(keyPath) is not a column") }
    return description.columns[index]
  }
}
