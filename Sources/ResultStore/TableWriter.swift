import CSQLite

/// Buffers rows for one table and writes them in batches, inside transactions, with
/// multi-row `INSERT … VALUES (…),(…)` statements.
///
/// Batching is the big lever (about 1000× over autocommit) and 50 rows per statement
/// adds about 75 % more (../shared/reference/engine-and-style.md §1.4). Rows are
/// appended field by field into a flat buffer of 16-byte plain values, with text
/// bytes in a side buffer, so appending allocates nothing per row and binding hands
/// SQLite pointers into that buffer instead of having it copy every string.
public final class TableWriter {
  /// A buffered field: a value's bits and its kind. Plain data, so the buffer never
  /// retains or releases anything.
  @usableFromInline struct Field {
    @usableFromInline enum Kind: UInt8 {
      case integer
      case real
      /// `bits` holds the UTF-8 offset in ``TableWriter/textBytes`` (high 32 bits)
      /// and the byte count (low 32 bits).
      case text
      case null
    }

    @usableFromInline var bits: UInt64
    @usableFromInline var kind: Kind

    @inlinable init(bits: UInt64, kind: Kind) {
      self.bits = bits
      self.kind = kind
    }
  }

  public let table: String
  public let columns: [String]
  @usableFromInline let fieldsPerFlush: Int
  let database: SQLiteDatabase
  // Exclusivity is not checked at run time on the two buffers: each checked access to
  // a class property cost about as much as the append itself, and a writer is used
  // from one thread with no re-entrant access (appends never call out).
  @exclusivity(unchecked) @usableFromInline var fields: ContiguousArray<Field> = []
  /// UTF-8 bytes of the buffered text fields, back to back.
  @exclusivity(unchecked) @usableFromInline var textBytes: ContiguousArray<UInt8> = []
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

  @inlinable public func append(_ value: Int64) { fields.append(Field(bits: UInt64(bitPattern: value), kind: .integer)) }
  @inlinable public func append(_ value: Int) { append(Int64(value)) }
  @inlinable public func append(_ value: Double) {
    fields.append(value.isFinite ? Field(bits: value.bitPattern, kind: .real) : Field(bits: 0, kind: .null))
  }
  @inlinable public func append(_ value: String) {
    var text = value
    let offset = textBytes.count
    let length = text.withUTF8 { bytes in
      textBytes.append(contentsOf: bytes)
      return bytes.count
    }
    precondition(textBytes.count < Int(UInt32.max), "\(table): more than 4 GiB of text in one batch")
    fields.append(Field(bits: UInt64(offset) << 32 | UInt64(length), kind: .text))
  }
  @inlinable public func append(_ value: Bool) { append(Int64(value ? 1 : 0)) }
  @inlinable public func appendNull() { fields.append(Field(bits: 0, kind: .null)) }
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
    textBytes.removeAll(keepingCapacity: true)
  }

  private func writeBuffered(rowCount: Int) throws(StoreError) {
    let width = columns.count
    let wide = try rowCount >= rowsPerStatement ? preparedStatement(rows: rowsPerStatement) : nil
    let narrow = try rowCount % rowsPerStatement != 0 ? preparedStatement(rows: 1) : nil
    defer {
      // The statements point into `textBytes`, which is about to be reused.
      wide?.clearBindings()
      narrow?.clearBindings()
    }
    try fields.withUnsafeBufferPointer { (fields) throws(StoreError) in
      try textBytes.withUnsafeBufferPointer { (text) throws(StoreError) in
        var row = 0
        if let wide {
          while row + rowsPerStatement <= rowCount {
            try insert(wide, fields[(row * width)..<((row + rowsPerStatement) * width)], text: text)
            row += rowsPerStatement
          }
        }
        if let narrow {
          while row < rowCount {
            try insert(narrow, fields[(row * width)..<((row + 1) * width)], text: text)
            row += 1
          }
        }
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

  /// Binds one statement's worth of fields and runs it.
  ///
  /// Every parameter is bound on every execution, so bindings are not cleared in
  /// between, and text is bound without a copy (`SQLITE_STATIC`): `text` outlives the
  /// step.
  private func insert(
    _ statement: SQLiteStatement, _ fields: Slice<UnsafeBufferPointer<Field>>, text: UnsafeBufferPointer<UInt8>
  ) throws(StoreError) {
    var parameter: Int32 = 1
    for field in fields {
      switch field.kind {
      case .integer: statement.bind(Int64(bitPattern: field.bits), at: parameter)
      case .real: statement.bind(Double(bitPattern: field.bits), at: parameter)
      case .text:
        let length = Int(field.bits & 0xFFFF_FFFF)
        if length == 0 {
          statement.bind("", at: parameter)
        } else {
          let start = text.baseAddress.map { $0 + Int(field.bits >> 32) }
          statement.bindText(UnsafeRawPointer(start), byteCount: length, at: parameter)
        }
      case .null: statement.bindNull(at: parameter)
      }
      parameter += 1
    }
    try statement.step()
    statement.resetKeepingBindings()
  }

  private func insertSQL(rows: Int) -> String {
    let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
    return "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
      + Array(repeating: placeholders, count: rows).joined(separator: ",")
  }
}
