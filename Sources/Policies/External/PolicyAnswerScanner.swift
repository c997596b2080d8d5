/// An action whose answer line can be read by ``PolicyAnswerScanner`` without
/// `JSONDecoder`: the actions asked by the thousand in `decide-batch` cycles.
///
/// `scan` returns nil for anything but the plain shape it knows, and the answer is
/// then decoded by `JSONDecoder` as before, so which answers are accepted, and how a
/// faulty one is reported, does not change (`PolicyAnswerScannerTests` compares the
/// two on well-formed, unusual and faulty lines).
protocol ScannableAction: Decodable {
  /// The action at the scanner's position, or nil to leave the line to `JSONDecoder`.
  static func scan(_ scanner: inout PolicyAnswerScanner) -> Self?
}

extension NodeScaleDownAction: ScannableAction {
  /// `{"remove": true}` or `{"remove": false}`, with any whitespace; anything else
  /// (other keys, a missing or repeated `remove`) goes to `JSONDecoder`.
  static func scan(_ scanner: inout PolicyAnswerScanner) -> NodeScaleDownAction? {
    var remove: Bool?
    let complete = scanner.object { key, scanner in
      guard remove == nil, scanner.matches(key, "remove"), let value = scanner.bool() else { return false }
      remove = value
      return true
    }
    guard complete, let remove else { return nil }
    return NodeScaleDownAction(remove: remove)
  }
}

/// A forward-only reader of one answer line (RFC 8259 JSON) for the common, plain
/// shapes of ``ScannableAction`` answers.
///
/// It never accepts what `JSONDecoder` would reject, and gives up (nil or false) on
/// whatever it does not handle itself: string escapes, numbers other than plain
/// integers, keys it does not know, repeated keys. The caller then decodes the line
/// with `JSONDecoder`.
struct PolicyAnswerScanner {
  private let bytes: UnsafeRawBufferPointer
  private var position = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// A `decide-batch` answer, `{"type": "actions", "id": N, "actions": [ … ]}` with
  /// the keys in any order and `type` optional, and nothing after it but whitespace.
  static func batchAnswer<Action: ScannableAction>(
    _ line: UnsafeRawBufferPointer, as: Action.Type
  ) -> (id: Int64, actions: [Action])? {
    var scanner = PolicyAnswerScanner(line)
    var id: Int64?
    var actions: [Action]?
    var sawType = false
    let complete = scanner.object { key, scanner in
      if scanner.matches(key, "id") {
        guard id == nil, let value = scanner.integer() else { return false }
        id = value
        return true
      }
      if scanner.matches(key, "actions") {
        guard actions == nil, let value = scanner.array(of: Action.self) else { return false }
        actions = value
        return true
      }
      if scanner.matches(key, "type") {
        guard !sawType, scanner.string() != nil else { return false }
        sawType = true
        return true
      }
      return false
    }
    guard complete, scanner.atEnd(), let id, let actions else { return nil }
    return (id, actions)
  }

  /// Reads an object, calling `member` with each key's byte range and the scanner at
  /// its value; `member` reads the value and returns true, or returns false to give up.
  mutating func object(
    _ member: (Range<Int>, inout PolicyAnswerScanner) -> Bool
  ) -> Bool {
    skipWhitespace()
    guard take(UInt8(ascii: "{")) else { return false }
    skipWhitespace()
    if take(UInt8(ascii: "}")) { return true }
    while true {
      skipWhitespace()
      guard let key = stringRange() else { return false }
      skipWhitespace()
      guard take(UInt8(ascii: ":")) else { return false }
      skipWhitespace()
      guard member(key, &self) else { return false }
      skipWhitespace()
      if take(UInt8(ascii: ",")) { continue }
      return take(UInt8(ascii: "}"))
    }
  }

  /// An array whose every element `Action.scan` reads.
  mutating func array<Action: ScannableAction>(of: Action.Type) -> [Action]? {
    skipWhitespace()
    guard take(UInt8(ascii: "[")) else { return nil }
    var elements: [Action] = []
    skipWhitespace()
    if take(UInt8(ascii: "]")) { return elements }
    while true {
      guard let element = Action.scan(&self) else { return nil }
      elements.append(element)
      skipWhitespace()
      if take(UInt8(ascii: ",")) { continue }
      return take(UInt8(ascii: "]")) ? elements : nil
    }
  }

  /// Whether the key at `range` is exactly `name` (ASCII, no escapes).
  func matches(_ range: Range<Int>, _ name: StaticString) -> Bool {
    guard range.count == name.utf8CodeUnitCount else { return false }
    let expected = name.utf8Start
    for offset in 0..<range.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
    return true
  }

  /// `true` or `false`.
  mutating func bool() -> Bool? {
    if literal("true") { return true }
    if literal("false") { return false }
    return nil
  }

  /// A plain integer, `-?(0|[1-9][0-9]*)`, that fits in `Int64` and is not followed by a
  /// fraction or an exponent.
  mutating func integer() -> Int64? {
    var index = position
    let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    let first = index
    var magnitude: UInt64 = 0
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
      let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
      if overflow1 || overflow2 { return nil }
      magnitude = sum
      index += 1
    }
    let digits = index - first
    guard digits > 0, digits == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
    if index < bytes.count {
      let next = bytes[index]
      if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
    }
    let value: Int64
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    } else {
      guard magnitude <= UInt64(Int64.max) else { return nil }
      value = Int64(magnitude)
    }
    position = index
    return value
  }

  /// A string without escapes or control characters: its bytes' range.
  mutating func string() -> Range<Int>? { stringRange() }

  /// Only whitespace is left.
  mutating func atEnd() -> Bool {
    skipWhitespace()
    return position == bytes.count
  }

  private mutating func stringRange() -> Range<Int>? {
    guard take(UInt8(ascii: "\"")) else { return nil }
    let start = position
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return start..<(position - 1)
      }
      // Escapes, control characters and non-ASCII bytes (whose UTF-8 validity
      // `JSONDecoder` checks) are left to it.
      if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
      position += 1
    }
    return nil
  }

  private mutating func literal(_ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard position + count <= bytes.count else { return false }
    let expected = word.utf8Start
    for offset in 0..<count where bytes[position + offset] != expected[offset] { return false }
    position += count
    return true
  }

  private mutating func take(_ byte: UInt8) -> Bool {
    guard position < bytes.count, bytes[position] == byte else { return false }
    position += 1
    return true
  }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x0A, 0x0D, 0x09: position += 1
      default: return
      }
    }
  }
}
