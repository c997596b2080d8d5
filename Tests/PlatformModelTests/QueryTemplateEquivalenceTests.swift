import Testing

@testable import PlatformModel

/// `QueryTemplate.fill` reads ASCII text byte by byte (issue 19): over many generated
/// templates it must give what the `Character`-at-a-time reading gives, and ask for the
/// same keys in the same order.
@Suite("Query templates: byte reading equals Character reading")
struct QueryTemplateEquivalenceTests {
  /// Pieces templates are built from: placeholders (closed, unclosed, across a line),
  /// quotes, escapes, regex operators, CR LF, and non-ASCII text (a combining accent
  /// after a quote, U+1FEF which equals a backtick as a `Character`).
  static let pieces = [
    "{{", "}}", "{", "}", "{{ args.service-name }}", "{{args.service-name}}", "{{ target }}", "{{interval}}",
    "{{ variables.r }}", "{{ unknown }}", "{{\tnamespace\t}}", "{{ target\n}}", "{{ target\r\n}}", "\"", "'", "`",
    "\\", "\\\"", "=~", "!~", "=", "!=", "~", " ", "\t", "\n", "\r\n", "\r", "up", "rate(x[5m])", "service=",
    ",", "é", "\u{301}", "\u{1FEF}", "日本", "🚀", "a.b*c", "[", "]",
  ]

  static let names = ["plain", #"fraud "scorer""#, #"back\slash"#, "a.b*c (v2) [x]", "it's", "tick`", "héllo", ""]

  /// The reading of `QueryTemplate.fill` before issue 19, a `Character` at a time
  /// (written over `String.Index`es here, the same reading as the `Character` array's).
  static func reference(_ text: String, _ value: (String) -> QueryTemplate.Value?) -> String {
    guard text.contains("{{") else { return text }
    // The `}}` closing a placeholder on its line.
    func closing(from start: String.Index) -> String.Index? {
      var position = start
      while position < text.endIndex, text[position] != "\n" {
        let next = text.index(after: position)
        if next < text.endIndex, text[position] == "}", text[next] == "}" { return position }
        position = next
      }
      return nil
    }
    // Whether the quote at `position` follows `=~` or `!~`.
    func followsRegexOperator(_ position: String.Index) -> Bool {
      var before = position
      repeat {
        guard before > text.startIndex else { return false }
        before = text.index(before: before)
      } while [" ", "\n", "\t"].contains(text[before])
      guard text[before] == "~", before > text.startIndex else { return false }
      return ["=", "!"].contains(text[text.index(before: before)])
    }
    var result = ""
    var quote: Character?
    var isRegex = false
    var position = text.startIndex
    while position < text.endIndex {
      let here = position
      let character = text[here]
      let next = text.index(after: here)
      if character == "{", next < text.endIndex, text[next] == "{", let close = closing(from: text.index(after: next)) {
        var key = text[text.index(after: next)..<close]
        while key.first == " " || key.first == "\t" { key = key.dropFirst() }
        while key.last == " " || key.last == "\t" { key = key.dropLast() }
        if let filled = value(String(key)) {
          switch filled {
          case .verbatim(let verbatim): result += verbatim
          case .name(let name):
            guard let quote, quote != "`" else {
              result += name
              break
            }
            result += referenceEscaped(isRegex ? referenceQuoted(name) : name, quote: quote)
          }
          position = text.index(close, offsetBy: 2)
          continue
        }
      }
      result.append(character)
      position = next
      if let open = quote {
        if character == "\\" && open != "`" && next < text.endIndex {
          result.append(text[next])
          position = text.index(after: next)
        } else if character == open {
          quote = nil
        }
      } else if ["\"", "'", "`"].contains(character) {
        quote = character
        isRegex = followsRegexOperator(here)
      }
    }
    return result
  }

  /// `QueryTemplate.escapedString` before issue 19.
  static func referenceEscaped(_ text: String, quote: Character) -> String {
    var result = ""
    for character in text {
      if character == "\\" || character == quote { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// `QueryTemplate.quotedRegex` before issue 19.
  static func referenceQuoted(_ text: String) -> String {
    var result = ""
    for character in text {
      if #"\.+*?()|[]{}^$"#.contains(character) { result.append("\\") }
      result.append(character)
    }
    return result
  }

  /// SplitMix64: a fixed sequence of templates on every run.
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state &+= 0x9E37_79B9_7F4A_7C15
      var mixed = state
      mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int((mixed ^ (mixed >> 31)) % UInt64(bound))
    }
  }

  @Test("generated templates fill the same, asking for the same keys", arguments: [1, 2, 3, 4])
  func generated(seed: UInt64) {
    var generator = Generator(state: seed)
    var asciiCount = 0
    for _ in 0..<5_000 {
      let nonASCII = generator.next(3) == 0
      let pieces = Self.pieces.filter { nonASCII || $0.utf8.allSatisfy { $0 < 0x80 } }
      let text = (0..<generator.next(24)).map { _ in pieces[generator.next(pieces.count)] }.joined()
      let name =
        generator.next(2) == 0
        ? Self.names[generator.next(Self.names.count)]
        : (0..<generator.next(6)).map { _ in pieces[generator.next(pieces.count)] }.joined()
      let answers: [String: QueryTemplate.Value] = [
        "args.service-name": .name(name), "target": .name(name), "namespace": .name("default"),
        "interval": .verbatim("5m"), "variables.r": .verbatim(#"fraud-.*"x\"#),
      ]
      var asked: [String] = []
      var askedByReference: [String] = []
      let filled = QueryTemplate.fill(text) { key in
        asked.append(key)
        return answers[key]
      }
      let expected = Self.reference(text) { key in
        askedByReference.append(key)
        return answers[key]
      }
      if text.utf8.allSatisfy({ $0 < 0x80 }) { asciiCount += 1 }
      #expect(Array(filled.utf8) == Array(expected.utf8), "\(text.debugDescription)")
      #expect(asked == askedByReference, "\(text.debugDescription)")
    }
    #expect(asciiCount > 3_000)
  }

  @Test("names escape as the Character reading escapes them", arguments: [5, 6])
  func escaping(seed: UInt64) {
    var generator = Generator(state: seed)
    for _ in 0..<5_000 {
      let text = (0..<generator.next(12)).map { _ in Self.pieces[generator.next(Self.pieces.count)] }.joined()
      for quote: Character in ["\"", "'", "`", "\u{1FEF}", "\r\n"] {
        #expect(
          Array(QueryTemplate.escapedString(text, quote: quote).utf8)
            == Array(Self.referenceEscaped(text, quote: quote).utf8), "\(text.debugDescription)")
      }
      #expect(Array(QueryTemplate.quotedRegex(text).utf8) == Array(Self.referenceQuoted(text).utf8))
    }
  }

  @Test("edge cases fill as the Character reading does")
  func edgeCases() {
    let texts = [
      "", "{{", "}}", "{{}}", "{{ }}", "x{{ target", "{{ target }", "{{{ target }}}", "\"{{ target }}",
      "up{a=~\"{{ target }}\"}", "up{a=~\n\t \"{{ target }}\"}", "up{a=~\r\n\"{{ target }}\"}", "`{{ target }}`",
      "'{{ target }}'", "\"\\{{ target }}\"", "{{ target \r\n }}", "{{ target\n }}", "\"\u{301}{{ target }}\"",
      "\u{1FEF}{{ target }}\u{1FEF}", "é{{ target }}", "{{ targét }}", "\"a\\\r\n{{ target }}\"",
    ]
    for text in texts {
      for name in Self.names {
        let value: (String) -> QueryTemplate.Value? = { $0 == "target" ? .name(name) : nil }
        #expect(
          Array(QueryTemplate.fill(text, value).utf8) == Array(Self.reference(text, value).utf8),
          "\(text.debugDescription) \(name)")
      }
    }
  }
}
