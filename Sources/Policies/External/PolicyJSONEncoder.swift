/// A streaming JSON encoder for the protocol's lines, several times faster than
/// Foundation's.
///
/// Foundation's `JSONEncoder` cost about 12 µs per scale-down observation on the
/// development machine (docs/PERFORMANCE.md, "External policy round trip"), most of
/// a batched question's cost. This one writes each value straight into one buffer, in
/// the order `encode(to:)` encodes it (for the synthesised `Codable` of every
/// observation and action, the order of the properties), with the text
/// `JSONEncoder` uses for each value: `/` not escaped (`.withoutEscapingSlashes`),
/// doubles as their shortest round-trip text without `.0` when integral (`600`), nil
/// optionals absent. A test compares it with `JSONEncoder` for every decision point's
/// observation and action. Non-finite numbers are refused, as `JSONEncoder` refuses them.
///
/// It supports what the protocol's types use: structs (encoded one property after
/// another), arrays, strings, numbers, booleans, raw-value enums and optionals. A
/// nested container must be filled before its parent goes on, as synthesised
/// `Codable` always does.
enum PolicyJSONEncoder {
  struct NonFiniteNumber: Error {}
  /// A value whose JSON is not an object cannot be a row of `v3` columns.
  struct NotAnObject: Error {}

  /// The JSON text of `value`, UTF-8.
  static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
    let output = OutputBuffer()
    output.reserve(1_024)
    try output.write(value)
    return output.bytes
  }

  /// A `v3` `decide-batch` line (without its newline): the envelope, `count`, and
  /// `columns`, one array per observation field, the values in the observations'
  /// order, each with the text the field has in the observation's own JSON.
  ///
  /// Fields appear in their first observation's encoding order. A field an observation
  /// leaves out (a nil optional) is `null` in its column; a field no observation has is
  /// no column at all. A ``ColumnarJSONEncodable`` type writes its columns directly;
  /// any other is encoded observation by observation and transposed.
  static func encodeColumnarBatch<Observation: Encodable>(
    id: Int64, decisionPoint: String, time: WireTime, observations: [Observation]
  ) throws -> [UInt8] {
    let output = OutputBuffer()
    output.reserve(256 + observations.count * 128)
    output.append(#"{"type":"decide-batch","id":"#)
    output.integer(id)
    output.append(#","decisionPoint":"#)
    output.string(decisionPoint)
    output.append(#","time":"#)
    try output.write(time)
    output.append(#","count":"#)
    output.integer(observations.count)
    output.append(#","columns":"#)
    if let columnar = Observation.self as? any ColumnarJSONEncodable.Type {
      try writeColumns(observations, as: columnar, to: output)
    } else {
      try output.transposed(observations)
    }
    output.append(UInt8(ascii: "}"))
    return output.bytes
  }

  /// The `columns` object of `values` as the generic path writes it (transposing each
  /// value's own JSON), whatever the type: tests compare the direct writers with it.
  static func transposedColumns<Value: Encodable>(_ values: [Value]) throws -> [UInt8] {
    let output = OutputBuffer()
    try output.transposed(values)
    return output.bytes
  }

  private static func writeColumns<Observation, Columnar: ColumnarJSONEncodable>(
    _ observations: [Observation], as: Columnar.Type, to output: OutputBuffer
  ) throws {
    // `Columnar` is `Observation` (found by a cast), so the array is passed on as is.
    precondition(Columnar.self == Observation.self)
    try Columnar.writeColumns(unsafeBitCast(observations, to: [Columnar].self), to: output)
  }
}

/// The text being written, shared by every container of one `encode` call.
///
/// The bytes sit in memory of our own behind a pointer: a class's stored property would
/// pay Swift's dynamic exclusivity check on every append (a third of the encoder's
/// instructions under callgrind), and `Array.append` its uniqueness and capacity checks
/// (about 100 instructions per call, the largest item of a `v3` batch line).
private final class OutputBuffer {
  private struct Storage {
    var base: UnsafeMutablePointer<UInt8>
    var count: Int
    var capacity: Int
  }

  private let storage: UnsafeMutablePointer<Storage>

  init() {
    storage = .allocate(capacity: 1)
    storage.initialize(to: Storage(base: .allocate(capacity: 1_024), count: 0, capacity: 1_024))
  }

  deinit {
    storage.pointee.base.deallocate()
    storage.deinitialize(count: 1)
    storage.deallocate()
  }

  /// The text, with room for one more byte (the line's newline) without a copy.
  var bytes: [UInt8] {
    let count = storage.pointee.count
    let base = storage.pointee.base
    return [UInt8](unsafeUninitializedCapacity: count + 1) { buffer, initialized in
      if let target = buffer.baseAddress { target.initialize(from: base, count: count) }
      initialized = count
    }
  }

  func reserve(_ capacity: Int) {
    if capacity > storage.pointee.capacity { grow(to: capacity) }
  }

  @inline(never)
  private func grow(to minimum: Int) {
    let capacity = max(minimum, storage.pointee.capacity * 2)
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    base.initialize(from: storage.pointee.base, count: storage.pointee.count)
    storage.pointee.base.deallocate()
    storage.pointee.base = base
    storage.pointee.capacity = capacity
  }

  @inline(__always)
  func append(_ byte: UInt8) {
    if storage.pointee.count == storage.pointee.capacity { grow(to: storage.pointee.count + 1) }
    storage.pointee.base[storage.pointee.count] = byte
    storage.pointee.count += 1
  }

  func storageAppend(_ buffer: UnsafeBufferPointer<UInt8>) {
    guard let source = buffer.baseAddress, !buffer.isEmpty else { return }
    let count = storage.pointee.count
    if count + buffer.count > storage.pointee.capacity { grow(to: count + buffer.count) }
    (storage.pointee.base + count).initialize(from: source, count: buffer.count)
    storage.pointee.count = count + buffer.count
  }

  func append(_ text: String) {
    var text = text
    text.withUTF8 { storageAppend($0) }
  }

  /// A JSON string literal: `"` and `\` escaped, control characters as escapes, the
  /// rest (including `/` and non-ASCII) as UTF-8.
  func string(_ string: String) {
    append(UInt8(ascii: "\""))
    var string = string
    string.withUTF8 { utf8 in
      guard utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
        storageAppend(utf8)
        return
      }
      var bytes: [UInt8] = []
      defer { bytes.withUnsafeBufferPointer { storageAppend($0) } }
      var start = 0
      for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
        bytes.append(contentsOf: utf8[start..<index])
        start = index + 1
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(UInt8(ascii: "\""))
        case 0x5C: bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
          let hex: [UInt8] = Array("0123456789abcdef".utf8)
          bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
          bytes.append(hex[Int(byte >> 4)])
          bytes.append(hex[Int(byte & 0xF)])
        }
      }
      bytes.append(contentsOf: utf8[start...])
    }
    append(UInt8(ascii: "\""))
  }

  /// A finite number as `JSONEncoder` writes it: the shortest text that reads back the
  /// same value, without `.0` when integral.
  ///
  /// An integral `Double` below 10¹⁵ in magnitude (not −0, which `description` writes
  /// as `-0.0`) is written as its integer's digits: the same text as `description`
  /// without `.0`, with neither the `String` nor the cut (two thirds of the encoder's
  /// cost per scale-down observation, whose seconds are integral).
  func number<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) throws {
    guard value.isFinite else { throw PolicyJSONEncoder.NonFiniteNumber() }
    if let double = value as? Double, double.magnitude < 1e15, double.rounded(.towardZero) == double,
      double != 0 || double.sign == .plus
    {
      integer(Int64(double))
      return
    }
    var text = value.description
    text.withUTF8 { utf8 in
      let count = utf8.count
      let integral = count >= 2 && utf8[count - 2] == UInt8(ascii: ".") && utf8[count - 1] == UInt8(ascii: "0")
      storageAppend(integral ? UnsafeBufferPointer(rebasing: utf8[..<(count - 2)]) : utf8)
    }
  }

  func integer<Value: BinaryInteger>(_ value: Value) {
    if let small = Int64(exactly: value) {
      integer(small)
    } else {
      append(String(value))
    }
  }

  /// Decimal digits written directly (`String(value)` goes through the generic
  /// `BinaryInteger` description and its metadata lookups).
  func integer(_ value: Int64) {
    if value == 0 {
      append(UInt8(ascii: "0"))
      return
    }
    if value < 0 { append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      while magnitude > 0 {
        buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        count += 1
      }
      storageAppend(UnsafeBufferPointer(rebasing: buffer.bindMemory(to: UInt8.self)[(24 - count)...]))
    }
  }

  func integer(_ value: Int) { integer(Int64(value)) }

  func bool(_ value: Bool) {
    let text: StaticString = value ? "true" : "false"
    text.withUTF8Buffer { storageAppend($0) }
  }

  /// Any value: scalars directly, anything else through its `encode(to:)`, closing
  /// the object or array it opened (`{}` for a value that encoded nothing).
  func write<Value: Encodable>(_ value: Value) throws {
    switch value {
    case let direct as any DirectJSONEncodable: try direct.writeJSON(to: self)
    case let string as String: self.string(string)
    case let double as Double: try number(double)
    case let bool as Bool: self.bool(bool)
    case let int as Int: integer(int)
    case let int as Int64: integer(int)
    default:
      let encoder = StreamEncoder(output: self)
      try value.encode(to: encoder)
      encoder.close()
    }
  }
}

/// One value's encoder: opens an object or an array on first use, closed by ``close()``.
private final class StreamEncoder: Encoder {
  enum State { case empty, object, array, scalar }

  struct Progress {
    var state = State.empty
    /// Members or elements written so far (a comma precedes every later one).
    var count = 0
  }

  let output: OutputBuffer
  /// Behind a pointer, as ``OutputBuffer``'s bytes, to avoid exclusivity checks.
  private let progress: UnsafeMutablePointer<Progress>
  var state: State {
    get { progress.pointee.state }
    set { progress.pointee.state = newValue }
  }
  var count: Int { progress.pointee.count }
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(output: OutputBuffer) {
    self.output = output
    progress = .allocate(capacity: 1)
    progress.initialize(to: Progress())
  }

  deinit {
    progress.deinitialize(count: 1)
    progress.deallocate()
  }

  func close() {
    switch state {
    case .empty: output.append("{}")
    case .object: output.append(UInt8(ascii: "}"))
    case .array: output.append(UInt8(ascii: "]"))
    case .scalar: break
    }
  }

  /// Writes the separator and, for an object, the key of the next member.
  func next(key: String?) {
    if progress.pointee.count > 0 { output.append(UInt8(ascii: ",")) }
    progress.pointee.count += 1
    if let key {
      output.string(key)
      output.append(UInt8(ascii: ":"))
    }
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if state == .empty {
      state = .object
      output.append(UInt8(ascii: "{"))
    }
    return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if state == .empty {
      state = .array
      output.append(UInt8(ascii: "["))
    }
    return UnkeyedContainer(encoder: self)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    state = .scalar
    return SingleValueContainer(output: output)
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let encoder: StreamEncoder
  var codingPath: [any CodingKey] { [] }
  var output: OutputBuffer { encoder.output }

  mutating func encodeNil(forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    output.append("null")
  }
  mutating func encode(_ value: Bool, forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    output.bool(value)
  }
  mutating func encode(_ value: String, forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    output.string(value)
  }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    try output.number(value)
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    try output.number(value)
  }
  mutating func encode(_ value: Int, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { integer(value, key) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { integer(value, key) }
  mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
    encoder.next(key: key.stringValue)
    try output.write(value)
  }

  private func integer<Value: BinaryInteger>(_ value: Value, _ key: Key) {
    encoder.next(key: key.stringValue)
    output.integer(value)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    // Closed by nobody: the protocol's types never nest containers by hand.
    preconditionFailure("PolicyJSONEncoder does not support nested keyed containers")
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    preconditionFailure("PolicyJSONEncoder does not support nested unkeyed containers")
  }

  mutating func superEncoder() -> any Encoder {
    preconditionFailure("PolicyJSONEncoder does not support super encoders")
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    preconditionFailure("PolicyJSONEncoder does not support super encoders")
  }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let encoder: StreamEncoder
  var codingPath: [any CodingKey] { [] }
  var count: Int { encoder.count }
  var output: OutputBuffer { encoder.output }

  mutating func encodeNil() throws {
    encoder.next(key: nil)
    output.append("null")
  }
  mutating func encode(_ value: Bool) throws {
    encoder.next(key: nil)
    output.bool(value)
  }
  mutating func encode(_ value: String) throws {
    encoder.next(key: nil)
    output.string(value)
  }
  mutating func encode(_ value: Double) throws {
    encoder.next(key: nil)
    try output.number(value)
  }
  mutating func encode(_ value: Float) throws {
    encoder.next(key: nil)
    try output.number(value)
  }
  mutating func encode(_ value: Int) throws { integer(value) }
  mutating func encode(_ value: Int8) throws { integer(value) }
  mutating func encode(_ value: Int16) throws { integer(value) }
  mutating func encode(_ value: Int32) throws { integer(value) }
  mutating func encode(_ value: Int64) throws { integer(value) }
  mutating func encode(_ value: UInt) throws { integer(value) }
  mutating func encode(_ value: UInt8) throws { integer(value) }
  mutating func encode(_ value: UInt16) throws { integer(value) }
  mutating func encode(_ value: UInt32) throws { integer(value) }
  mutating func encode(_ value: UInt64) throws { integer(value) }
  mutating func encode<Value: Encodable>(_ value: Value) throws {
    encoder.next(key: nil)
    try output.write(value)
  }

  private func integer<Value: BinaryInteger>(_ value: Value) {
    encoder.next(key: nil)
    output.integer(value)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    preconditionFailure("PolicyJSONEncoder does not support nested keyed containers")
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    preconditionFailure("PolicyJSONEncoder does not support nested unkeyed containers")
  }

  mutating func superEncoder() -> any Encoder {
    preconditionFailure("PolicyJSONEncoder does not support super encoders")
  }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
  let output: OutputBuffer
  var codingPath: [any CodingKey] { [] }

  mutating func encodeNil() throws { output.append("null") }
  mutating func encode(_ value: Bool) throws { output.bool(value) }
  mutating func encode(_ value: String) throws { output.string(value) }
  mutating func encode(_ value: Double) throws { try output.number(value) }
  mutating func encode(_ value: Float) throws { try output.number(value) }
  mutating func encode(_ value: Int) throws { output.integer(value) }
  mutating func encode(_ value: Int8) throws { output.integer(value) }
  mutating func encode(_ value: Int16) throws { output.integer(value) }
  mutating func encode(_ value: Int32) throws { output.integer(value) }
  mutating func encode(_ value: Int64) throws { output.integer(value) }
  mutating func encode(_ value: UInt) throws { output.integer(value) }
  mutating func encode(_ value: UInt8) throws { output.integer(value) }
  mutating func encode(_ value: UInt16) throws { output.integer(value) }
  mutating func encode(_ value: UInt32) throws { output.integer(value) }
  mutating func encode(_ value: UInt64) throws { output.integer(value) }
  mutating func encode<Value: Encodable>(_ value: Value) throws { try output.write(value) }
}

/// An observation type that writes a batch of its values as `v3` columns directly.
///
/// The text must be what ``OutputBuffer/transposed(_:)`` makes of the type's `Codable`
/// JSON (`ProtocolSchemaTests` compares the two).
private protocol ColumnarJSONEncodable {
  static func writeColumns(_ values: [Self], to output: OutputBuffer) throws
}

extension OutputBuffer {
  /// `values` as `v3` columns, through each value's own JSON: its top-level members
  /// gathered by key into one array each.
  fileprivate func transposed<Value: Encodable>(_ values: [Value]) throws {
    var keys: [[UInt8]] = []
    var columnOfKey: [[UInt8]: Int] = [:]
    /// Each column's text so far, `[` and the values with their commas, and its length.
    var columns: [(text: [UInt8], count: Int)] = []
    func pad(_ column: Int, to count: Int) {
      while columns[column].count < count {
        if columns[column].count > 0 { columns[column].text.append(UInt8(ascii: ",")) }
        columns[column].text.append(contentsOf: "null".utf8)
        columns[column].count += 1
      }
    }
    for (row, value) in values.enumerated() {
      let text = try PolicyJSONEncoder.encode(value)
      try text.withUnsafeBytes { bytes in
        guard let members = PolicyAnswerScanner.members(of: bytes, in: 0..<bytes.count) else {
          throw PolicyJSONEncoder.NotAnObject()
        }
        for member in members {
          let key = Array(bytes[member.key])
          let column: Int
          if let known = columnOfKey[key] {
            column = known
          } else {
            column = columns.count
            columnOfKey[key] = column
            keys.append(key)
            columns.append(([UInt8(ascii: "[")], 0))
          }
          pad(column, to: row)
          if columns[column].count > 0 { columns[column].text.append(UInt8(ascii: ",")) }
          columns[column].text.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[member.value]))
          columns[column].count += 1
        }
      }
    }
    append(UInt8(ascii: "{"))
    for column in columns.indices {
      pad(column, to: values.count)
      if column > 0 { append(UInt8(ascii: ",")) }
      keys[column].withUnsafeBufferPointer { storageAppend($0) }
      append(UInt8(ascii: ":"))
      columns[column].text.withUnsafeBufferPointer { storageAppend($0) }
      append(UInt8(ascii: "]"))
    }
    append(UInt8(ascii: "}"))
  }

  /// One column, `"key":[…]`: `write(i)` writes row `i`'s value, for each of `count` rows.
  @inline(__always)
  fileprivate func column(
    _ name: StaticString, count: Int, first: Bool = false, _ write: (Int) throws -> Void
  ) rethrows {
    key(name, first: first)
    append(UInt8(ascii: "["))
    for index in 0..<count {
      if index > 0 { append(UInt8(ascii: ",")) }
      try write(index)
    }
    append(UInt8(ascii: "]"))
  }
}

extension NodeScaleDownObservation: ColumnarJSONEncodable {
  /// Field by field over the rows in place: reading one field through the buffer
  /// pointer copies neither the observation nor its other strings.
  fileprivate static func writeColumns(_ values: [NodeScaleDownObservation], to output: OutputBuffer) throws {
    try values.withUnsafeBufferPointer { rows in
      let count = rows.count
      output.append(UInt8(ascii: "{"))
      output.column("node", count: count, first: true) { output.string(rows[$0].node) }
      output.column("pool", count: count) { output.string(rows[$0].pool) }
      output.column("instanceType", count: count) { output.string(rows[$0].instanceType) }
      output.column("capacityType", count: count) { output.string(rows[$0].capacityType) }
      try output.column("utilisation", count: count) { try output.number(rows[$0].utilisation) }
      output.column("empty", count: count) { output.bool(rows[$0].empty) }
      try output.column("unneededSeconds", count: count) { try output.number(rows[$0].unneededSeconds) }
      try output.column("unneededTimeSeconds", count: count) { try output.number(rows[$0].unneededTimeSeconds) }
      output.column("coolingDown", count: count) { output.bool(rows[$0].coolingDown) }
      output.column("removedThisScan", count: count) { output.integer(rows[$0].removedThisScan) }
      output.column("maxScaleDownParallelism", count: count) { output.integer(rows[$0].maxScaleDownParallelism) }
      output.column("drainedThisScan", count: count) { output.bool(rows[$0].drainedThisScan) }
      output.column("poolDesiredNodes", count: count) { output.integer(rows[$0].poolDesiredNodes) }
      output.column("poolMinNodes", count: count) { output.integer(rows[$0].poolMinNodes) }
      output.append(UInt8(ascii: "}"))
    }
  }
}

/// A type that writes its own JSON without the `Encoder` machinery.
///
/// For the observations sent by the thousand in batches. The text must be what its `Codable` conformance
/// gives (`ProtocolSchemaTests` compares the two for every observation), members in
/// declaration order.
private protocol DirectJSONEncodable {
  func writeJSON(to output: OutputBuffer) throws
}

extension OutputBuffer {
  /// `"key":` after a comma unless `first`.
  fileprivate func key(_ key: StaticString, first: Bool = false) {
    if !first { append(UInt8(ascii: ",")) }
    append(UInt8(ascii: "\""))
    key.withUTF8Buffer { storageAppend($0) }
    append(UInt8(ascii: "\""))
    append(UInt8(ascii: ":"))
  }
}

extension NodeScaleDownObservation: DirectJSONEncodable {
  fileprivate func writeJSON(to output: OutputBuffer) throws {
    output.append(UInt8(ascii: "{"))
    output.key("node", first: true)
    output.string(node)
    output.key("pool")
    output.string(pool)
    output.key("instanceType")
    output.string(instanceType)
    output.key("capacityType")
    output.string(capacityType)
    output.key("utilisation")
    try output.number(utilisation)
    output.key("empty")
    output.bool(empty)
    output.key("unneededSeconds")
    try output.number(unneededSeconds)
    output.key("unneededTimeSeconds")
    try output.number(unneededTimeSeconds)
    output.key("coolingDown")
    output.bool(coolingDown)
    output.key("removedThisScan")
    output.integer(removedThisScan)
    output.key("maxScaleDownParallelism")
    output.integer(maxScaleDownParallelism)
    output.key("drainedThisScan")
    output.bool(drainedThisScan)
    output.key("poolDesiredNodes")
    output.integer(poolDesiredNodes)
    output.key("poolMinNodes")
    output.integer(poolMinNodes)
    output.append(UInt8(ascii: "}"))
  }
}
