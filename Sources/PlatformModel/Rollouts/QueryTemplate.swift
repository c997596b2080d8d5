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
  static func closing(_ characters: [Character], from start: Int) -> Int? {
    var index = start
    while index + 1 < characters.count {
      if characters[index] == "\n" { return nil }
      if characters[index] == "}" && characters[index + 1] == "}" { return index }
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
}

extension String {
  fileprivate var trimmingSpaces: String {
    var text = Substring(self)
    while text.first == " " || text.first == "\t" { text = text.dropFirst() }
    while text.last == " " || text.last == "\t" { text = text.dropLast() }
    return String(text)
  }
}
