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
  /// The actions of a `v3` answer's `columns` object at the scanner's position, or nil to
  /// leave the line to the decoder's path.
  static func scanColumns(_ scanner: inout PolicyAnswerScanner) -> [Self]?
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

  /// `{"remove": [true, false, …]}`, with any whitespace; anything else (other columns,
  /// a repeated or missing `remove`, a value other than a boolean) goes to the decoder's path.
  static func scanColumns(_ scanner: inout PolicyAnswerScanner) -> [NodeScaleDownAction]? {
    var removes: [NodeScaleDownAction]?
    let complete = scanner.object { key, scanner in
      guard removes == nil, scanner.matches(key, "remove"),
        let values = scanner.array({ $0.bool().map { NodeScaleDownAction(remove: $0) } })
      else { return false }
      removes = values
      return true
    }
    guard complete else { return nil }
    return removes
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

  /// A `decide-batch` answer, or nil for ``BatchShape/none``.
  ///
  /// The keys in any order, `type` optional, and nothing after the object but
  /// whitespace: `{"type": "actions", "id": N, "actions": [ … ]}` for
  /// `v2` (``BatchShape/objects``), `{"type": "actions", "id": N, "columns": { … }}` for
  /// `v3` (``BatchShape/columns``; the caller checks that the columns are as long as
  /// the batch).
  static func batchAnswer<Action: ScannableAction>(
    _ line: UnsafeRawBufferPointer, as: Action.Type, shape: BatchShape
  ) -> (id: Int64, actions: [Action])? {
    let actionsKey: StaticString
    switch shape {
    case .objects: actionsKey = "actions"
    case .columns: actionsKey = "columns"
    case .none: return nil
    }
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
      if scanner.matches(key, actionsKey) {
        guard actions == nil,
          let value = shape == .columns ? Action.scanColumns(&scanner) : scanner.array(of: Action.self)
        else { return false }
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

  /// The members of the JSON object spanning `range` (whitespace around it allowed): each
  /// key's range, quotes included, and its value's range; nil if it is not an object.
  static func members(
    of bytes: UnsafeRawBufferPointer, in range: Range<Int>
  ) -> [(key: Range<Int>, value: Range<Int>)]? {
    var scanner = PolicyAnswerScanner(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]))
    scanner.position = range.lowerBound
    var members: [(key: Range<Int>, value: Range<Int>)] = []
    scanner.skipWhitespace()
    guard scanner.take(UInt8(ascii: "{")) else { return nil }
    scanner.skipWhitespace()
    if !scanner.take(UInt8(ascii: "}")) {
      while true {
        scanner.skipWhitespace()
        let keyStart = scanner.position
        guard scanner.skipString() else { return nil }
        let key = keyStart..<scanner.position
        scanner.skipWhitespace()
        guard scanner.take(UInt8(ascii: ":")), let value = scanner.skipValue(depth: 1) else { return nil }
        members.append((key, value))
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: ",")) { continue }
        guard scanner.take(UInt8(ascii: "}")) else { return nil }
        break
      }
    }
    return scanner.atEnd() ? members : nil
  }

  /// The elements' ranges of the JSON array spanning `range`; nil if it is not an array.
  static func elements(of bytes: UnsafeRawBufferPointer, in range: Range<Int>) -> [Range<Int>]? {
    var scanner = PolicyAnswerScanner(UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]))
    scanner.position = range.lowerBound
    var elements: [Range<Int>] = []
    scanner.skipWhitespace()
    guard scanner.take(UInt8(ascii: "[")) else { return nil }
    scanner.skipWhitespace()
    if !scanner.take(UInt8(ascii: "]")) {
      while true {
        guard let element = scanner.skipValue(depth: 1) else { return nil }
        elements.append(element)
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: ",")) { continue }
        guard scanner.take(UInt8(ascii: "]")) else { return nil }
        break
      }
    }
    return scanner.atEnd() ? elements : nil
  }

  /// The bytes in `range`, as text (for messages).
  static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// Skips any one JSON value (after whitespace), strings with escapes and nested
  /// containers included, and returns its range; nil if the text there is not one.
  ///
  /// Syntax only: a string's escapes and UTF-8 are checked by `JSONDecoder` when the
  /// value is decoded.
  mutating func skipValue(depth: Int = 0) -> Range<Int>? {
    skipWhitespace()
    let start = position
    guard position < bytes.count, depth < 512 else { return nil }
    switch bytes[position] {
    case UInt8(ascii: "{"):
      position += 1
      skipWhitespace()
      if take(UInt8(ascii: "}")) { return start..<position }
      while true {
        skipWhitespace()
        guard skipString() else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: ":")), skipValue(depth: depth + 1) != nil else { return nil }
        skipWhitespace()
        if take(UInt8(ascii: ",")) { continue }
        return take(UInt8(ascii: "}")) ? start..<position : nil
      }
    case UInt8(ascii: "["):
      position += 1
      skipWhitespace()
      if take(UInt8(ascii: "]")) { return start..<position }
      while true {
        guard skipValue(depth: depth + 1) != nil else { return nil }
        skipWhitespace()
        if take(UInt8(ascii: ",")) { continue }
        return take(UInt8(ascii: "]")) ? start..<position : nil
      }
    case UInt8(ascii: "\""):
      return skipString() ? start..<position : nil
    case UInt8(ascii: "t"):
      return literal("true") ? start..<position : nil
    case UInt8(ascii: "f"):
      return literal("false") ? start..<position : nil
    case UInt8(ascii: "n"):
      return literal("null") ? start..<position : nil
    default:
      // A number's characters; their grammar is the decoder's to check.
      while position < bytes.count {
        switch bytes[position] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
          UInt8(ascii: "e"), UInt8(ascii: "E"):
          position += 1
        default:
          return position > start ? start..<position : nil
        }
      }
      return position > start ? start..<position : nil
    }
  }

  /// Skips a string literal, escapes included.
  private mutating func skipString() -> Bool {
    guard take(UInt8(ascii: "\"")) else { return false }
    while position < bytes.count {
      let byte = bytes[position]
      position += 1
      if byte == UInt8(ascii: "\"") { return true }
      if byte == UInt8(ascii: "\\") { position += 1 }
    }
    return false
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
    array { Action.scan(&$0) }
  }

  /// An array whose every element `element` reads.
  mutating func array<Element>(_ element: (inout PolicyAnswerScanner) -> Element?) -> [Element]? {
    skipWhitespace()
    guard take(UInt8(ascii: "[")) else { return nil }
    var elements: [Element] = []
    skipWhitespace()
    if take(UInt8(ascii: "]")) { return elements }
    while true {
      skipWhitespace()
      guard let element = element(&self) else { return nil }
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
