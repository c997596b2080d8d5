import Foundation

/// One label condition of a route or an inhibition rule: `severity="critical"`,
/// `env!="dev"`, `alertname=~"Error.*"`, `team!~"ops|sre"`.
///
/// Mirrors `labels.Matcher` in alertmanager's pkg/labels/matcher.go: a missing label
/// matches as the empty string, and regexes are fully anchored (`^(?:re)$`), so
/// `severity=~"crit"` does not match `critical`.
public struct AlertmanagerMatcher: Hashable, Sendable, CustomStringConvertible {
  /// The four operators, in alertmanager's `MatchType` order (used for sorting).
  public enum Operator: Int, Hashable, Sendable, Comparable, CaseIterable {
    case equal = 0
    case notEqual = 1
    case regexMatch = 2
    case regexNoMatch = 3

    /// The operator as written: `=`, `!=`, `=~`, `!~`.
    public var symbol: String {
      switch self {
      case .equal: return "="
      case .notEqual: return "!="
      case .regexMatch: return "=~"
      case .regexNoMatch: return "!~"
      }
    }

    public static func < (lhs: Operator, rhs: Operator) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  public let name: String
  public let op: Operator
  public let value: String
  let regex: AnchoredRegex?

  /// Builds a matcher; for the regex operators the value must compile.
  ///
  /// - Throws: ``AnchoredRegex/CompileError`` when the regex does not compile.
  public init(name: String, op: Operator, value: String) throws(AnchoredRegex.CompileError) {
    self.name = name
    self.op = op
    self.value = value
    switch op {
    case .equal, .notEqual: regex = nil
    case .regexMatch, .regexNoMatch: regex = try AnchoredRegex(value)
    }
  }

  /// Whether a label set satisfies this matcher; an absent label reads as `""`.
  public func matches(_ labels: [String: String]) -> Bool {
    let actual = labels[name] ?? ""
    switch op {
    case .equal: return actual == value
    case .notEqual: return actual != value
    case .regexMatch: return regex?.matches(actual) ?? false
    case .regexNoMatch: return !(regex?.matches(actual) ?? false)
    }
  }

  /// `name="value"`, the form alertmanager uses in route keys (`Matcher.String`,
  /// value escaped with `\\`, `\n` and `\"`).
  public var description: String {
    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\n", with: "\\n")
      .replacingOccurrences(of: "\"", with: "\\\"")
    return "\(name)\(op.symbol)\"\(escaped)\""
  }

  public static func == (lhs: AlertmanagerMatcher, rhs: AlertmanagerMatcher) -> Bool {
    lhs.name == rhs.name && lhs.op == rhs.op && lhs.value == rhs.value
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(op)
    hasher.combine(value)
  }

  /// Alertmanager's `Matchers.Less`: by name, then value, then operator.
  static func sortsBefore(_ lhs: AlertmanagerMatcher, _ rhs: AlertmanagerMatcher) -> Bool {
    if lhs.name != rhs.name { return AlertmanagerText.byteLess(lhs.name, rhs.name) }
    if lhs.value != rhs.value { return AlertmanagerText.byteLess(lhs.value, rhs.value) }
    return lhs.op < rhs.op
  }
}

extension Array where Element == AlertmanagerMatcher {
  /// Whether every matcher matches (an empty list matches everything).
  func allMatch(_ labels: [String: String]) -> Bool {
    allSatisfy { $0.matches(labels) }
  }

  /// `{a="1",b=~"x"}`: alertmanager's `Matchers.String`, no space after the comma.
  var keyText: String { "{" + map(\.description).joined(separator: ",") + "}" }
}

/// A compiled regular expression anchored at both ends, as alertmanager compiles
/// `match_re` values and `=~` matchers: `^(?:` + text + `)$`.
///
/// Why Foundation's ICU engine and a pre-check: Go uses RE2, which has no
/// lookaround and no backreferences. ICU accepts those, so they are rejected here
/// explicitly to refuse the same files the real tool refuses.
public final class AnchoredRegex: @unchecked Sendable {
  /// Why a regex was refused.
  public struct CompileError: Error, Hashable, Sendable {
    public let pattern: String
    public let reason: String
  }

  public let pattern: String
  // NSRegularExpression is immutable after creation and documented thread-safe.
  private let compiled: NSRegularExpression

  public init(_ pattern: String) throws(CompileError) {
    self.pattern = pattern
    if let unsupported = AnchoredRegex.re2Unsupported(pattern) {
      throw CompileError(pattern: pattern, reason: unsupported)
    }
    do {
      compiled = try NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [])
    } catch {
      throw CompileError(pattern: pattern, reason: "the pattern does not compile")
    }
  }

  /// Whether the whole of `text` matches.
  public func matches(_ text: String) -> Bool {
    let range = NSRange(text.startIndex..<text.endIndex, in: text)
    return compiled.firstMatch(in: text, options: [], range: range) != nil
  }

  /// Constructs Go's RE2 rejects but ICU would accept.
  static func re2Unsupported(_ pattern: String) -> String? {
    for construct in ["(?=", "(?!", "(?<=", "(?<!"] where pattern.contains(construct) {
      return "lookaround `\(construct)` is not supported by RE2, the regex engine alertmanager uses"
    }
    if pattern.contains("(?>") {
      return "atomic groups `(?>` are not supported by RE2, the regex engine alertmanager uses"
    }
    let scalars = Array(pattern.unicodeScalars)
    var index = 0
    while index < scalars.count {
      if scalars[index] == "\\", index + 1 < scalars.count {
        let next = scalars[index + 1]
        if next.value >= 0x31 && next.value <= 0x39 {
          return "backreference `\\\(next)` is not supported by RE2, the regex engine alertmanager uses"
        }
        index += 2
        continue
      }
      index += 1
    }
    return nil
  }
}

// MARK: - Parsing matchers

extension AlertmanagerMatcher {
  /// Why a matcher string did not parse.
  public struct ParseError: Error, Hashable, Sendable {
    public let text: String
    public let reason: String
    /// Set when the text parsed but its regex does not compile.
    public let isRegexError: Bool
  }

  /// Parses one entry of a `matchers:` list, which may hold one matcher
  /// (`severity="critical"`) or several (`{a="1", b=~"x"}`, `a=1, b=2`).
  ///
  /// Mirrors alertmanager's classic parser (`labels.ParseMatchers` /
  /// `labels.ParseMatcher` in pkg/labels/parse.go): values may be quoted or bare;
  /// inside quotes `\"`, `\\` and `\n` are escapes; an unescaped `"` is an error.
  public static func parseList(_ text: String) throws(ParseError) -> [AlertmanagerMatcher] {
    var body = text.trimmingCharacters(in: .whitespaces)
    if body.hasPrefix("{") {
      guard body.hasSuffix("}") else {
        throw ParseError(text: text, reason: "missing closing `}`", isRegexError: false)
      }
      body = String(body.dropFirst().dropLast())
    }
    var matchers: [AlertmanagerMatcher] = []
    for piece in splitOutsideQuotes(body) {
      let trimmed = piece.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      matchers.append(try parseOne(trimmed, whole: text))
    }
    guard !matchers.isEmpty else {
      throw ParseError(text: text, reason: "no matcher found", isRegexError: false)
    }
    return matchers
  }

  /// Splits on commas that are not inside double quotes.
  static func splitOutsideQuotes(_ text: String) -> [String] {
    var pieces: [String] = []
    var current = ""
    var inQuotes = false
    var escaped = false
    for character in text {
      if escaped {
        escaped = false
        current.append(character)
        continue
      }
      if character == "\\" && inQuotes {
        escaped = true
        current.append(character)
        continue
      }
      if character == "\"" { inQuotes.toggle() }
      if character == "," && !inQuotes {
        pieces.append(current)
        current = ""
        continue
      }
      current.append(character)
    }
    pieces.append(current)
    return pieces
  }

  static func parseOne(_ text: String, whole: String) throws(ParseError) -> AlertmanagerMatcher {
    let characters = Array(text)
    var index = 0
    func isNameStart(_ c: Character) -> Bool { c == "_" || c == ":" || (c.isASCII && c.isLetter) }
    func isNameRest(_ c: Character) -> Bool { isNameStart(c) || (c.isASCII && c.isNumber) }
    guard index < characters.count, isNameStart(characters[index]) else {
      throw ParseError(text: whole, reason: "expected a label name at the start of `\(text)`", isRegexError: false)
    }
    while index < characters.count, isNameRest(characters[index]) { index += 1 }
    let name = String(characters[0..<index])
    while index < characters.count, characters[index] == " " { index += 1 }
    let rest = String(characters[index...])
    let op: Operator
    if rest.hasPrefix("=~") {
      op = .regexMatch
    } else if rest.hasPrefix("!=") {
      op = .notEqual
    } else if rest.hasPrefix("!~") {
      op = .regexNoMatch
    } else if rest.hasPrefix("=") {
      op = .equal
    } else {
      throw ParseError(text: whole, reason: "expected =, !=, =~ or !~ after `\(name)`", isRegexError: false)
    }
    let rawValue = String(rest.dropFirst(op.symbol.count)).trimmingCharacters(in: .whitespaces)
    let value = try unescape(rawValue, whole: whole)
    do {
      return try AlertmanagerMatcher(name: name, op: op, value: value)
    } catch {
      throw ParseError(text: value, reason: error.reason, isRegexError: true)
    }
  }

  /// The classic parser's value rules (`parseMatcher` in pkg/labels/parse.go).
  static func unescape(_ raw: String, whole: String) throws(ParseError) -> String {
    var characters = Array(raw)
    var expectTrailingQuote = false
    if characters.first == "\"" {
      characters.removeFirst()
      expectTrailingQuote = true
    }
    var value = ""
    var escaped = false
    for (offset, character) in characters.enumerated() {
      if escaped {
        escaped = false
        switch character {
        case "n": value.append("\n")
        case "\"", "\\": value.append(character)
        default:
          value.append("\\")
          value.append(character)
        }
        continue
      }
      switch character {
      case "\\":
        if offset < characters.count - 1 {
          escaped = true
        } else {
          value.append("\\")
        }
      case "\"":
        if !expectTrailingQuote || offset < characters.count - 1 {
          throw ParseError(text: whole, reason: "the value contains an unescaped double quote", isRegexError: false)
        }
        expectTrailingQuote = false
      default:
        value.append(character)
      }
    }
    if expectTrailingQuote {
      throw ParseError(text: whole, reason: "the value's opening double quote is not closed", isRegexError: false)
    }
    return value
  }
}

// MARK: - Label sets as alertmanager prints and orders them

extension AlertmanagerText {
  /// Go's string order: by UTF-8 bytes.
  ///
  /// Swift's `<` orders by Unicode canonical equivalence, which differs from Go for
  /// strings that are not in normal form; sorting must match alertmanager's.
  static func byteLess(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
  }

  /// Whether `name` is a valid classic label name, `[a-zA-Z_][a-zA-Z0-9_]*`
  /// (`model.LabelNameRE` in prometheus/common).
  static func isValidLabelName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first else { return false }
    func isLetter(_ s: Unicode.Scalar) -> Bool { (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_" }
    guard isLetter(first) else { return false }
    return name.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") }
  }

  /// Go's `strconv.Quote` for the characters label values contain in practice:
  /// `\"`, `\\`, `\n`, `\t`, `\r`, other control characters as `\xNN`.
  static func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case "\u{07}": result += "\\a"
      case "\u{08}": result += "\\b"
      case "\u{0C}": result += "\\f"
      case "\u{0B}": result += "\\v"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16)
          result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }

  /// `{alertname="X", severity="critical"}`: prometheus/common's `LabelSet.String`,
  /// names sorted, values `%q`-quoted, `", "` between pairs.
  static func labelSetText(_ labels: [String: String]) -> String {
    "{"
      + labels.keys.sorted(by: byteLess).map { "\($0)=\(AlertmanagerText.goQuoted(labels[$0] ?? ""))" }.joined(
        separator: ", ")
      + "}"
  }

  /// prometheus/common's `LabelSet.Before`: fewer labels first, then the first
  /// differing label in name order decides.
  static func labelSetSortsBefore(_ lhs: [String: String], _ rhs: [String: String]) -> Bool {
    if lhs.count != rhs.count { return lhs.count < rhs.count }
    let names = (Array(lhs.keys) + Array(rhs.keys)).sorted(by: byteLess)
    for name in names {
      guard let left = lhs[name] else { return true }
      guard let right = rhs[name] else { return false }
      if left != right { return byteLess(left, right) }
    }
    return false
  }

  /// The order alertmanager sorts alerts in a notification (`types.AlertSlice.Less`):
  /// by `job`, then `instance` (alerts lacking one come after), then the label set.
  static func alertSortsBefore(_ lhs: [String: String], _ rhs: [String: String]) -> Bool {
    for key in ["job", "instance"] {
      let left = lhs[key]
      let right = rhs[key]
      if left == nil && right == nil { continue }
      guard let left else { return false }
      guard let right else { return true }
      if left != right { return byteLess(left, right) }
    }
    return AlertmanagerText.labelSetSortsBefore(lhs, rhs)
  }
}
