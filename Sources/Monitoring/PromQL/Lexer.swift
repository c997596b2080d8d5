/// A PromQL token with its UTF-8 offset.
struct Token {
  enum Kind: Equatable {
    case number(Double)
    case string(String)
    case duration(Int64)
    case identifier(String)
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, colon, at
    case assign, equal, notEqual, regexMatch, regexNoMatch
    case less, greater, lessOrEqual, greaterOrEqual
    case plus, minus, star, slash, percent, caret
    case end
  }

  var kind: Kind
  var offset: Int
}

/// Splits a PromQL expression into tokens (mirrors the states of `promql/parser/lex.go`).
///
/// A run of digits followed directly by a unit (`ms s m h d w y`) is a duration;
/// `Inf` and `NaN` in any case are numbers.
struct Lexer {
  let source: String
  let bytes: [UInt8]
  var index = 0

  init(_ source: String) {
    self.source = source
    bytes = Array(source.utf8)
  }

  mutating func tokenize() throws(PromQLError) -> [Token] {
    var tokens: [Token] = []
    while true {
      let token = try next()
      tokens.append(token)
      if token.kind == .end { return tokens }
    }
  }

  private func error(_ offset: Int, _ message: String) -> PromQLError {
    .syntax(expression: source, offset: offset, message: message)
  }

  private func peek(_ ahead: Int = 0) -> UInt8? {
    index + ahead < bytes.count ? bytes[index + ahead] : nil
  }

  private mutating func next() throws(PromQLError) -> Token {
    while let byte = peek() {
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
        || byte == UInt8(ascii: "\r")
      {
        index += 1
      } else if byte == UInt8(ascii: "#") {
        while let c = peek(), c != UInt8(ascii: "\n") { index += 1 }
      } else {
        break
      }
    }
    let start = index
    guard let byte = peek() else { return Token(kind: .end, offset: start) }
    func single(_ kind: Token.Kind, _ length: Int = 1) -> Token {
      index += length
      return Token(kind: kind, offset: start)
    }
    switch byte {
    case UInt8(ascii: "("): return single(.leftParen)
    case UInt8(ascii: ")"): return single(.rightParen)
    case UInt8(ascii: "{"): return single(.leftBrace)
    case UInt8(ascii: "}"): return single(.rightBrace)
    case UInt8(ascii: "["): return single(.leftBracket)
    case UInt8(ascii: "]"): return single(.rightBracket)
    case UInt8(ascii: ","): return single(.comma)
    case UInt8(ascii: ":"): return single(.colon)
    case UInt8(ascii: "@"): return single(.at)
    case UInt8(ascii: "+"): return single(.plus)
    case UInt8(ascii: "-"): return single(.minus)
    case UInt8(ascii: "*"): return single(.star)
    case UInt8(ascii: "/"): return single(.slash)
    case UInt8(ascii: "%"): return single(.percent)
    case UInt8(ascii: "^"): return single(.caret)
    case UInt8(ascii: "="):
      if peek(1) == UInt8(ascii: "=") { return single(.equal, 2) }
      if peek(1) == UInt8(ascii: "~") { return single(.regexMatch, 2) }
      return single(.assign)
    case UInt8(ascii: "!"):
      if peek(1) == UInt8(ascii: "=") { return single(.notEqual, 2) }
      if peek(1) == UInt8(ascii: "~") { return single(.regexNoMatch, 2) }
      throw error(start, "unexpected character after '!': expected '=' or '~'")
    case UInt8(ascii: "<"):
      return peek(1) == UInt8(ascii: "=") ? single(.lessOrEqual, 2) : single(.less)
    case UInt8(ascii: ">"):
      return peek(1) == UInt8(ascii: "=") ? single(.greaterOrEqual, 2) : single(.greater)
    case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
      return Token(kind: .string(try lexString(quote: byte)), offset: start)
    default:
      break
    }
    if isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(isDigit) == true) {
      return try lexNumberOrDuration(start)
    }
    if isIdentifierStart(byte) {
      while let c = peek(), isIdentifierStart(c) || isDigit(c) { index += 1 }
      let word = String(decoding: bytes[start..<index], as: UTF8.self)
      switch word.lowercased() {
      case "inf", "+inf": return Token(kind: .number(.infinity), offset: start)
      case "nan": return Token(kind: .number(.nan), offset: start)
      default: return Token(kind: .identifier(word), offset: start)
      }
    }
    let scalar = String(decoding: bytes[start..<min(bytes.count, start + 1)], as: UTF8.self)
    throw error(start, "unexpected character: '\(scalar)'")
  }

  private mutating func lexString(quote: UInt8) throws(PromQLError) -> String {
    let start = index
    index += 1
    // A string without escapes is its bytes: no scalar-by-scalar rebuilding (most
    // label values; 4 k instructions a string, 20 M loading an organisation's queries).
    let escapes = quote != UInt8(ascii: "`")
    if let end = bytes[index...].firstIndex(where: { $0 == quote || (escapes && $0 == UInt8(ascii: "\\")) }),
      bytes[end] == quote
    {
      let text = String(decoding: bytes[index..<end], as: UTF8.self)
      index = end + 1
      return text
    }
    var scalars = String.UnicodeScalarView()
    var raw: [UInt8] = []
    while true {
      guard let byte = peek() else { throw error(start, "unterminated quoted string") }
      index += 1
      if byte == quote { break }
      if quote == UInt8(ascii: "`") || byte != UInt8(ascii: "\\") {
        raw.append(byte)
        continue
      }
      scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
      raw.removeAll()
      guard let escaped = peek() else { throw error(start, "unterminated quoted string") }
      index += 1
      switch escaped {
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "a"): scalars.append("\u{07}")
      case UInt8(ascii: "b"): scalars.append("\u{08}")
      case UInt8(ascii: "f"): scalars.append("\u{0C}")
      case UInt8(ascii: "v"): scalars.append("\u{0B}")
      case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"):
        scalars.append(Unicode.Scalar(escaped))
      case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
        let count = escaped == UInt8(ascii: "x") ? 2 : (escaped == UInt8(ascii: "u") ? 4 : 8)
        guard index + count <= bytes.count,
          let code = UInt32(
            String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
          let scalar = Unicode.Scalar(code)
        else { throw error(index - 2, "invalid escape sequence in string") }
        index += count
        scalars.append(scalar)
      default:
        throw error(index - 2, "unknown escape sequence in string")
      }
    }
    scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
    return String(scalars)
  }

  private mutating func lexNumberOrDuration(_ start: Int) throws(PromQLError) -> Token {
    // Duration: (digits unit)+ with units ms s m h d w y (Prometheus model.ParseDuration).
    if let (milliseconds, end) = try scanDuration(from: start) {
      index = end
      return Token(kind: .duration(milliseconds), offset: start)
    }
    if peek() == UInt8(ascii: "0"), let x = peek(1),
      x == UInt8(ascii: "x") || x == UInt8(ascii: "X")
    {
      index += 2
      let digitsStart = index
      while let c = peek(), isHexDigit(c) { index += 1 }
      let text = String(decoding: bytes[digitsStart..<index], as: UTF8.self)
      guard let value = UInt64(text, radix: 16) else { throw error(start, "bad number syntax") }
      return Token(kind: .number(Double(value)), offset: start)
    }
    while let c = peek(), isDigit(c) { index += 1 }
    if peek() == UInt8(ascii: ".") {
      index += 1
      while let c = peek(), isDigit(c) { index += 1 }
    }
    if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      var look = 1
      if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { look = 2 }
      if let digit = peek(look), isDigit(digit) {
        index += look
        while let c = peek(), isDigit(c) { index += 1 }
      }
    }
    if let c = peek(), isIdentifierStart(c) || c == UInt8(ascii: ".") {
      throw error(
        start,
        "bad number or duration syntax: \"\(String(decoding: bytes[start...index], as: UTF8.self))\""
      )
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let value = Double(text) else { throw error(start, "bad number syntax: \"\(text)\"") }
    return Token(kind: .number(value), offset: start)
  }

  /// A duration at `start` in milliseconds and where it ends, or `nil` when the text is
  /// not one: groups of digits and a unit, read by ``PrometheusDurationParse`` (units in
  /// decreasing order, as `model.ParseDuration`).
  ///
  /// - Throws: "duration out of range" beyond ``maximumPrometheusDurationMilliseconds``
  ///   (`9223372036855ms`; a count too long for an integer included), as promtool 2.42
  ///   reports it.
  private func scanDuration(from start: Int) throws(PromQLError) -> (Int64, Int)? {
    var position = start
    while position < bytes.count, isDigit(bytes[position]) {
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
      let unitStart = position
      while position < bytes.count, isLetter(bytes[position]) { position += 1 }
      if position == unitStart { return nil }  // a number, not a duration
    }
    if position == start { return nil }
    let milliseconds: Int64
    switch PrometheusDurationParse(String(decoding: bytes[start..<position], as: UTF8.self)) {
    case .milliseconds(let parsed): milliseconds = parsed
    case .malformed: return nil
    case .outOfRange: throw error(start, "duration out of range")
    }
    if position < bytes.count,
      bytes[position] == UInt8(ascii: "_") || bytes[position] == UInt8(ascii: ".")
    {
      return nil
    }
    return (milliseconds, position)
  }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool {
  c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
}
@inline(__always) func isLetter(_ c: UInt8) -> Bool {
  (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
    || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
}
@inline(__always) func isHexDigit(_ c: UInt8) -> Bool {
  isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
}
@inline(__always) func isIdentifierStart(_ c: UInt8) -> Bool {
  isLetter(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: ":")
}
