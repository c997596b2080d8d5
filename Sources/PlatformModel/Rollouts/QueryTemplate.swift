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
  /// `target`).
  public static func fill(_ text: String, _ value: (String) -> Value?) -> String {
    // Placeholders, quotes and escapes are ASCII: scanning UTF-8 bytes is exact and
    // cheaper than walking characters (this runs at every AnalysisRun start).
    let bytes = Array(text.utf8)
    guard
      bytes.indices.contains(where: { bytes[$0] == openBrace && $0 + 1 < bytes.count && bytes[$0 + 1] == openBrace })
    else { return text }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count + 32)
    var quote: UInt8?
    var isRegex = false
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == openBrace, index + 1 < bytes.count, bytes[index + 1] == openBrace,
        let close = closing(bytes, from: index + 2)
      {
        let key = String(decoding: bytes[(index + 2)..<close], as: UTF8.self).trimmingSpaces
        if let filled = value(key) {
          result += rendered(filled, quote: quote.map { Character(Unicode.Scalar($0)) }, regex: isRegex).utf8
          index = close + 2
          continue
        }
      }
      if let open = quote {
        if byte == backslash && open != backtick && index + 1 < bytes.count {
          result.append(byte)
          result.append(bytes[index + 1])
          index += 2
          continue
        }
        if byte == open { quote = nil }
      } else if byte == doubleQuote || byte == singleQuote || byte == backtick {
        quote = byte
        isRegex = isRegexOperator(before: index, in: bytes)
      }
      result.append(byte)
      index += 1
    }
    return String(decoding: result, as: UTF8.self)
  }

  static let openBrace = UInt8(ascii: "{")
  static let closeBrace = UInt8(ascii: "}")
  static let backslash = UInt8(ascii: "\\")
  static let backtick = UInt8(ascii: "`")
  static let doubleQuote = UInt8(ascii: "\"")
  static let singleQuote = UInt8(ascii: "'")

  /// `text` escaped for a PromQL string literal between `quote`s.
  public static func escapedString(_ text: String, quote: Character = "\"") -> String {
    var result = ""
    for character in text {
      if character == "\\" || character == quote { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// `text` with RE2's metacharacters quoted (Go's `regexp.QuoteMeta`).
  public static func quotedRegex(_ text: String) -> String {
    var result = ""
    for character in text {
      if #"\.+*?()|[]{}^$"#.contains(character) { result.append("\\") }
      result.append(character)
    }
    return result
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
  static func closing(_ bytes: [UInt8], from start: Int) -> Int? {
    var index = start
    while index + 1 < bytes.count {
      if bytes[index] == UInt8(ascii: "\n") { return nil }
      if bytes[index] == closeBrace && bytes[index + 1] == closeBrace { return index }
      index += 1
    }
    return nil
  }

  /// Whether the string opening at `index` follows `=~` or `!~` (a regex matcher).
  static func isRegexOperator(before index: Int, in bytes: [UInt8]) -> Bool {
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

extension String {
  fileprivate var trimmingSpaces: String {
    var text = Substring(self)
    while text.first == " " || text.first == "\t" { text = text.dropFirst() }
    while text.last == " " || text.last == "\t" { text = text.dropLast() }
    return String(text)
  }
}
