/// Fills `{{ … }}` placeholders in a PromQL query, as Argo Rollouts (`{{args.x}}`) and
/// Flagger (`{{ target }}`, `{{ variables.x }}`) do, escaping what PlatformSim fills in.
///
/// Both controllers substitute text verbatim. A value the user wrote (an argument's
/// `value`, a Flagger `templateVariables` entry) is substituted the same way, so a
/// pattern such as `fraud-.*` stays a pattern. A free-text name PlatformSim fills in
/// itself (a service's name, which may hold any character) is escaped for where it
/// stands: inside a PromQL string literal, `\` and the quote are escaped (PromQL
/// strings follow Go's escaping); inside the string of a regex matcher (`=~`, `!~`),
/// RE2's metacharacters are quoted first (Go's `regexp.QuoteMeta`), so the name
/// matches itself only. Outside any string the text is inserted as it is.
public enum QueryTemplate {
  public enum Value: Equatable, Sendable {
    /// A name PlatformSim fills in, escaped for its place.
    case name(String)
    /// Text the user wrote, substituted as the controller does.
    case verbatim(String)
  }

  /// `text` with every `{{ key }}` for which `value(key)` answers replaced; others stay.
  ///
  /// The key is the placeholder's inside without surrounding spaces (`args.service-name`,
  /// `target`). The text is read as `Character`s (a `"` followed by a combining mark is
  /// no quote); an ASCII text, where every byte but a CR LF pair is a `Character` of its
  /// own, is read byte by byte with the same result (``fillASCII(_:_:namesInEqualityMatchers:)``).
  ///
  /// - Complexity: O(n) in the text's length; an organisation-scale scenario fills some
  ///   2,000 queries before its first event (a `Character` at a time, 0.38 G instructions).
  public static func fill(_ text: String, _ value: (String) -> Value?) -> String {
    var namesInEqualityMatchers = true
    return fill(text, value, namesInEqualityMatchers: &namesInEqualityMatchers)
  }

  /// Whether every ``Value/name`` `value` fills into `text` goes into the `"…"` or `'…'`
  /// value of an equality matcher (`label="…"`, `label!="…"`, a label other than
  /// `__name__`), as far as an ASCII text shows (in other text no name may be filled).
  ///
  /// There a name only changes that matcher's value: a name without `\`, `"` or `'`
  /// leaves every token of the query as it is (``PublishedMetricsCheck`` relies on it).
  /// The answer depends on the keys `value` answers with a name, not on the names: the
  /// reading that decides where a placeholder stands skips the filled text.
  public static func fillsNamesOnlyInEqualityMatchers(_ text: String, _ value: (String) -> Value?) -> Bool {
    var namesInEqualityMatchers = true
    _ = fill(text, value, namesInEqualityMatchers: &namesInEqualityMatchers)
    return namesInEqualityMatchers
  }

  /// ``fill(_:_:)``, clearing `namesInEqualityMatchers` as
  /// ``fillsNamesOnlyInEqualityMatchers(_:_:)`` tells.
  static func fill(_ text: String, _ value: (String) -> Value?, namesInEqualityMatchers: inout Bool) -> String {
    var text = text
    text.makeContiguousUTF8()
    let filled = text.utf8.withContiguousStorageIfAvailable { bytes -> String? in
      containsOpening(bytes) ? fillASCII(bytes, value, namesInEqualityMatchers: &namesInEqualityMatchers) : text
    }
    if case let result?? = filled { return result }
    var nameFilled = false
    let result = fillCharacters(text) { key in
      let filled = value(key)
      if case .name = filled { nameFilled = true }
      return filled
    }
    if nameFilled { namesInEqualityMatchers = false }
    return result
  }

  /// Whether `bytes` hold `{{` (a `{` is always a `Character` of its own in UTF-8 text).
  static func containsOpening(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 1
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "{") {
        if bytes[index - 1] == UInt8(ascii: "{") { return true }
        index += 1
      } else {
        index += 2
      }
    }
    return false
  }

  /// ``fill(_:_:)`` over the bytes of an ASCII text; `nil` when the text is not ASCII.
  ///
  /// In ASCII text every byte is a `Character` except CR LF, which is one: only
  /// ``closingByte(_:from:)`` (a placeholder ends at a line's end) must tell its `\n`
  /// apart; elsewhere neither byte is special, as CR LF is not.
  static func fillASCII(
    _ bytes: UnsafeBufferPointer<UInt8>, _ value: (String) -> Value?, namesInEqualityMatchers: inout Bool
  ) -> String? {
    let count = bytes.count
    for byte in bytes where byte >= 0x80 { return nil }
    let openBrace = UInt8(ascii: "{")
    let backslash = UInt8(ascii: "\\")
    let backtick = UInt8(ascii: "`")
    var result: [UInt8] = []
    result.reserveCapacity(count + 32)
    // Text is copied in runs, up to each filled placeholder.
    var copiedUpTo = 0
    let hasHash = bytes.contains(UInt8(ascii: "#"))
    var quote: UInt8?
    var quoteIndex = 0
    var isRegex = false
    var index = 0
    while index < count {
      let byte = bytes[index]
      if byte == openBrace, index + 1 < count, bytes[index + 1] == openBrace,
        let close = closingByte(bytes, from: index + 2)
      {
        if let filled = value(trimmedKey(bytes, from: index + 2, to: close)) {
          // A `#` may start a comment, whose quotes fill does not tell apart.
          if case .name = filled, hasHash || !isEqualityMatcherValue(quotedAt: quoteIndex, quote, in: bytes) {
            namesInEqualityMatchers = false
          }
          result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<index]))
          let quoteCharacter = quote.map { Character(Unicode.Scalar($0)) }
          result.append(contentsOf: rendered(filled, quote: quoteCharacter, regex: isRegex).utf8)
          index = close + 2
          copiedUpTo = index
          continue
        }
      }
      if let open = quote {
        if byte == backslash && open != backtick && index + 1 < count {
          index += 2
          continue
        }
        if byte == open { quote = nil }
      } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == backtick {
        quote = byte
        quoteIndex = index
        isRegex = isRegexOperatorByte(before: index, in: bytes)
      }
      index += 1
    }
    result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<count]))
    return String(decoding: result, as: UTF8.self)
  }

  /// Whether the string opening with `quote` at `index` is the value of an equality
  /// matcher: `{` or `,`, a label name other than `__name__`, `=` or `!=` (spaces allowed).
  static func isEqualityMatcherValue(quotedAt index: Int, _ quote: UInt8?, in bytes: UnsafeBufferPointer<UInt8>)
    -> Bool
  {
    guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return false }
    func isSpace(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
        || byte == UInt8(ascii: "\r")
    }
    func isLabelCharacter(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: "_") || (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
        || byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
    var position = index - 1
    while position >= 0, isSpace(bytes[position]) { position -= 1 }
    guard position >= 0, bytes[position] == UInt8(ascii: "=") else { return false }
    position -= 1
    if position >= 0, bytes[position] == UInt8(ascii: "!") { position -= 1 }
    while position >= 0, isSpace(bytes[position]) { position -= 1 }
    let nameEnd = position + 1
    while position >= 0, isLabelCharacter(bytes[position]) { position -= 1 }
    let nameStart = position + 1
    guard nameStart < nameEnd, !(bytes[nameStart] >= UInt8(ascii: "0") && bytes[nameStart] <= UInt8(ascii: "9")),
      !bytes[nameStart..<nameEnd].elementsEqual("__name__".utf8)
    else { return false }
    while position >= 0, isSpace(bytes[position]) { position -= 1 }
    return position >= 0 && (bytes[position] == UInt8(ascii: "{") || bytes[position] == UInt8(ascii: ","))
  }

  /// The key between `start` and `end` without surrounding spaces and tabs, as
  /// `trimmingSpaces` gives it for ASCII text.
  static func trimmedKey(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> String {
    var start = start
    var end = end
    while start < end && (bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")) { start += 1 }
    while end > start && (bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
  }

  /// ``fill(_:_:)`` a `Character` at a time, for text that is not ASCII.
  static func fillCharacters(_ text: String, _ value: (String) -> Value?) -> String {
    guard text.contains("{{") else { return text }
    let characters = Array(text)
    var result = ""
    result.reserveCapacity(characters.count + 32)
    var quote: Character?
    var isRegex = false
    var index = 0
    while index < characters.count {
      let character = characters[index]
      if character == "{", index + 1 < characters.count, characters[index + 1] == "{",
        let close = closing(characters, from: index + 2)
      {
        let key = String(characters[(index + 2)..<close]).trimmingSpaces
        if let filled = value(key) {
          result += rendered(filled, quote: quote, regex: isRegex)
          index = close + 2
          continue
        }
      }
      if let open = quote {
        if character == "\\" && open != "`" && index + 1 < characters.count {
          result.append(character)
          result.append(characters[index + 1])
          index += 2
          continue
        }
        if character == open { quote = nil }
      } else if character == "\"" || character == "'" || character == "`" {
        quote = character
        isRegex = isRegexOperator(before: index, in: characters)
      }
      result.append(character)
      index += 1
    }
    return result
  }

  /// `text` escaped for a PromQL string literal between `quote`s.
  public static func escapedString(_ text: String, quote: Character = "\"") -> String {
    if let quoteByte = quote.asciiByte, let escaped = escapedASCII(text, where: { $0 == 0x5C || $0 == quoteByte }) {
      return escaped
    }
    var result = ""
    for character in text {
      if character == "\\" || character == quote { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// `text` with RE2's metacharacters quoted (Go's `regexp.QuoteMeta`).
  public static func quotedRegex(_ text: String) -> String {
    if let quoted = escapedASCII(text, where: { regexMetacharacters.contains($0) }) { return quoted }
    var result = ""
    for character in text {
      if #"\.+*?()|[]{}^$"#.contains(character) { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// RE2's metacharacters, as bytes.
  static let regexMetacharacters = Set(#"\.+*?()|[]{}^$"#.utf8)

  /// ASCII `text` with a `\` before every byte `needsEscape` picks.
  ///
  /// `nil` when the text is not ASCII. In ASCII text every byte is a `Character` but
  /// CR LF, which is neither `\` nor a quote nor a metacharacter, as neither of its bytes is.
  static func escapedASCII(_ text: String, where needsEscape: (UInt8) -> Bool) -> String? {
    var text = text
    text.makeContiguousUTF8()
    let escaped = text.utf8.withContiguousStorageIfAvailable { bytes -> String? in
      var result: [UInt8] = []
      result.reserveCapacity(bytes.count + 4)
      for byte in bytes {
        guard byte < 0x80 else { return nil }
        if needsEscape(byte) { result.append(0x5C) }
        result.append(byte)
      }
      return String(decoding: result, as: UTF8.self)
    }
    return escaped ?? nil
  }

  static func rendered(_ value: Value, quote: Character?, regex: Bool) -> String {
    switch value {
    case .verbatim(let text):
      return text
    case .name(let name):
      guard let quote, quote != "`" else { return name }
      return escapedString(regex ? quotedRegex(name) : name, quote: quote)
    }
  }

  /// The index of the `}}` closing a placeholder opened before `start`, on the same line.
  static func closing(_ characters: [Character], from start: Int) -> Int? {
    var index = start
    while index + 1 < characters.count {
      if characters[index] == "\n" { return nil }
      if characters[index] == "}" && characters[index + 1] == "}" { return index }
      index += 1
    }
    return nil
  }

  /// ``closing(_:from:)`` over ASCII bytes: the `\n` of a CR LF (one `Character`, not
  /// `"\n"`) does not end the line.
  static func closingByte(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    var index = start
    while index + 1 < bytes.count {
      if bytes[index] == UInt8(ascii: "\n") && !(index > start && bytes[index - 1] == UInt8(ascii: "\r")) {
        return nil
      }
      if bytes[index] == UInt8(ascii: "}") && bytes[index + 1] == UInt8(ascii: "}") { return index }
      index += 1
    }
    return nil
  }

  /// Whether the string opening at `index` follows `=~` or `!~` (a regex matcher).
  static func isRegexOperator(before index: Int, in characters: [Character]) -> Bool {
    var position = index - 1
    while position >= 0, characters[position] == " " || characters[position] == "\n" || characters[position] == "\t" {
      position -= 1
    }
    return position >= 1 && characters[position] == "~"
      && (characters[position - 1] == "=" || characters[position - 1] == "!")
  }

  /// ``isRegexOperator(before:in:)`` over ASCII bytes.
  ///
  /// Skipping the `\n` of a CR LF is harmless: the `\r` before it stops the walk, as the
  /// CR LF `Character` does.
  static func isRegexOperatorByte(before index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var position = index - 1
    while position >= 0,
      bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\n")
        || bytes[position] == UInt8(ascii: "\t")
    {
      position -= 1
    }
    return position >= 1 && bytes[position] == UInt8(ascii: "~")
      && (bytes[position - 1] == UInt8(ascii: "=") || bytes[position - 1] == UInt8(ascii: "!"))
  }
}

extension Character {
  /// The byte of a one-byte (ASCII, not CR LF) character.
  fileprivate var asciiByte: UInt8? {
    guard utf8.count == 1, let byte = utf8.first, byte < 0x80 else { return nil }
    return byte
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    var text = Substring(self)
    while text.first == " " || text.first == "\t" { text = text.dropFirst() }
    while text.last == " " || text.last == "\t" { text = text.dropLast() }
    return String(text)
  }
}
