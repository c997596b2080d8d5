/// One encoded field: a value's bits and its kind.
///
/// Plain data, so a buffer of them never retains or releases anything.
public struct EncodedField: Sendable {
  public enum Kind: UInt8, Sendable {
    case integer
    case real
    /// `bits` holds the UTF-8 offset in the encoder's text bytes (high 32 bits) and
    /// the byte count (low 32 bits).
    case text
    case null
  }

  public var bits: UInt64
  public var kind: Kind

  @inlinable init(bits: UInt64, kind: Kind) {
    self.bits = bits
    self.kind = kind
  }

  /// The integer an `.integer` field holds.
  public var integer: Int64 { Int64(bitPattern: bits) }
  /// The number a `.real` field holds.
  public var real: Double { Double(bitPattern: bits) }
  /// Where a `.text` field's UTF-8 bytes are in the encoder's text bytes.
  public var textRange: Range<Int> {
    let start = Int(bits >> 32)
    return start..<(start + Int(bits & 0xFFFF_FFFF))
  }
}

/// Rows of one table encoded back to back: fields in a flat buffer of 16-byte plain
/// values, text bytes in a side buffer.
///
/// Appending allocates nothing per row once the buffers have grown, and a sink can
/// hand SQLite pointers into the buffers instead of copying every string. A
/// non-finite `Double` is stored as NULL (SQLite has no NaN, and infinities are not
/// results).
public struct RowEncoder: Sendable {
  @usableFromInline var fields: ContiguousArray<EncodedField> = []
  /// UTF-8 bytes of the text fields, back to back.
  @usableFromInline var textBytes: ContiguousArray<UInt8> = []

  public init(reservingFields fieldCount: Int = 0) {
    fields.reserveCapacity(fieldCount)
  }

  @inlinable public mutating func append(_ value: Int64) {
    fields.append(EncodedField(bits: UInt64(bitPattern: value), kind: .integer))
  }
  @inlinable public mutating func append(_ value: Int) { append(Int64(value)) }
  @inlinable public mutating func append(_ value: Bool) { append(Int64(value ? 1 : 0)) }
  @inlinable public mutating func append(_ value: Double) {
    fields.append(
      value.isFinite ? EncodedField(bits: value.bitPattern, kind: .real) : EncodedField(bits: 0, kind: .null))
  }
  @inlinable public mutating func append(_ value: String) {
    var text = value
    let offset = textBytes.count
    let length = text.withUTF8 { bytes in
      textBytes.append(contentsOf: bytes)
      return bytes.count
    }
    precondition(textBytes.count < Int(UInt32.max), "more than 4 GiB of text in one batch of rows")
    fields.append(EncodedField(bits: UInt64(offset) << 32 | UInt64(length), kind: .text))
  }
  @inlinable public mutating func appendNull() { fields.append(EncodedField(bits: 0, kind: .null)) }
  @inlinable public mutating func append(_ value: Int64?) { if let value { append(value) } else { appendNull() } }
  @inlinable public mutating func append(_ value: Int?) { if let value { append(value) } else { appendNull() } }
  @inlinable public mutating func append(_ value: Bool?) { if let value { append(value) } else { appendNull() } }
  @inlinable public mutating func append(_ value: Double?) { if let value { append(value) } else { appendNull() } }
  @inlinable public mutating func append(_ value: String?) { if let value { append(value) } else { appendNull() } }

  /// Fields appended so far, over all rows.
  @inlinable public var fieldCount: Int { fields.count }

  public var isEmpty: Bool { fields.isEmpty }

  /// Drops every row, keeping the buffers' capacity for the next batch.
  public mutating func removeAll() {
    fields.removeAll(keepingCapacity: true)
    textBytes.removeAll(keepingCapacity: true)
  }

  /// Field `index` as a value (for reading back, not for hot paths).
  public func value(at index: Int) -> StoredValue {
    let field = fields[index]
    switch field.kind {
    case .integer: return .integer(field.integer)
    case .real: return .real(field.real)
    case .null: return .null
    case .text: return .text(String(decoding: textBytes[field.textRange], as: UTF8.self))
    }
  }

  /// Calls `body` with the fields and the text bytes they point into.
  public func withUnsafeBuffers<Result, Failure: Error>(
    _ body: (UnsafeBufferPointer<EncodedField>, UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try fields.withUnsafeBufferPointer { (fields) throws(Failure) in
      try textBytes.withUnsafeBufferPointer { (text) throws(Failure) in try body(fields, text) }
    }
  }

  /// Checks that the last `columns.count` fields suit `columns`: the same storage
  /// class, or NULL where a column is nullable or a REAL (a non-finite number).
  func lastRowMatches(_ columns: [ResultColumn]) -> String? {
    guard fields.count >= columns.count, fields.count % columns.count == 0 else {
      return "a row has \(fields.count % columns.count) fields too many for \(columns.count) columns"
    }
    let start = fields.count - columns.count
    for (offset, column) in columns.enumerated() {
      let kind = fields[start + offset].kind
      let fits: Bool
      switch (kind, column.storage) {
      case (.integer, .integer), (.real, .real), (.text, .text): fits = true
      case (.null, _): fits = column.isNullable || column.storage == .real
      default: fits = false
      }
      if !fits { return "column \(offset) (\(column)) got a \(kind) field: encode(to:) and the table disagree" }
    }
    return nil
  }
}
