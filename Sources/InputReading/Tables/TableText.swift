/// One field of a table file as written: its text, whether it was quoted (JSON
/// strings), and where it starts.
struct TableCell {
  var text: String
  var isQuoted: Bool
  /// A nested JSON value (object or array), kept as a YAML node.
  var nested: NestedValue?
  var line: Int
  var column: Int
}

/// A JSON object or array inside a JSON-lines record.
indirect enum NestedValue {
  case object([(key: String, keyColumn: Int, value: TableCell)])
  case array([TableCell])
}

/// A syntax error in a table file, at a line and column.
struct TableSyntaxError: Error {
  var message: String
  var line: Int
  var column: Int
}

/// Splits CSV text (RFC 4180: comma-separated, `"` quotes fields, `""` is a quote inside
/// one, a quoted field may hold commas and line breaks; CRLF or LF line ends; a leading
/// byte-order mark is skipped) into records of cells with their positions.
///
/// - Complexity: O(n) in the text's length.
struct CSVScanner {
  private let scalars: [Unicode.Scalar]
  private var index = 0
  private var line = 1
  private var column = 1

  init(_ text: String) {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    self.scalars = scalars
  }

  /// The next record, or `nil` at the end; blank lines are skipped.
  mutating func nextRecord() throws(TableSyntaxError) -> (line: Int, cells: [TableCell])? {
    while index < scalars.count, scalars[index] == "\n" || scalars[index] == "\r" { advance() }
    guard index < scalars.count else { return nil }
    let recordLine = line
    var cells: [TableCell] = []
    while true {
      let cell = try nextCell()
      cells.append(cell)
      guard index < scalars.count else { break }
      let separator = scalars[index]
      advance()
      if separator == "," { continue }
      if separator == "\r", index < scalars.count, scalars[index] == "\n" { advance() }
      break
    }
    return (recordLine, cells)
  }

  private mutating func advance() {
    if scalars[index] == "\n" {
      line += 1
      column = 1
    } else if scalars[index] == "\r" && (index + 1 == scalars.count || scalars[index + 1] != "\n") {
      line += 1
      column = 1
    } else {
      column += 1
    }
    index += 1
  }

  private mutating func nextCell() throws(TableSyntaxError) -> TableCell {
    let (startLine, startColumn) = (line, column)
    var text = String.UnicodeScalarView()
    guard index < scalars.count, scalars[index] == "\"" else {
      while index < scalars.count, !",\r\n".unicodeScalars.contains(scalars[index]) {
        text.append(scalars[index])
        advance()
      }
      return TableCell(text: String(text), isQuoted: false, line: startLine, column: startColumn)
    }
    advance()
    while true {
      guard index < scalars.count else {
        throw TableSyntaxError(message: "a quoted field is not closed", line: startLine, column: startColumn)
      }
      let scalar = scalars[index]
      advance()
      if scalar == "\"" {
        if index < scalars.count, scalars[index] == "\"" {
          text.append("\"")
          advance()
          continue
        }
        break
      }
      text.append(scalar)
    }
    guard index == scalars.count || ",\r\n".unicodeScalars.contains(scalars[index]) else {
      throw TableSyntaxError(
        message: "unexpected text after a quoted field (a quote inside a field is written `\"\"`)", line: line,
        column: column)
    }
    // CSV quoting is syntax, not type: "42" is the number 42 in a spreadsheet's export.
    return TableCell(text: String(text), isQuoted: false, line: startLine, column: startColumn)
  }
}

/// Parses one line of JSON lines: an object of values, each with the column it starts at.
///
/// Strings (with every JSON escape), numbers, `true`, `false`, `null`, and nested
/// objects and arrays (kept for fields whose shape is a mapping or list).
struct JSONLineParser {
  private let scalars: [Unicode.Scalar]
  private var index = 0
  private let line: Int

  init(_ text: Substring, line: Int) {
    scalars = Array(text.unicodeScalars)
    self.line = line
  }

  /// The object's members in order, or a syntax error with its column.
  mutating func parseObject() throws(TableSyntaxError) -> [(key: String, keyColumn: Int, value: TableCell)] {
    skipSpace()
    guard case .object(let members)? = try parseValue().nested else {
      throw fail("expected a JSON object `{…}` on each line", at: 0)
    }
    skipSpace()
    guard index == scalars.count else { throw fail("unexpected text after the object", at: index) }
    return members
  }

  private func fail(_ message: String, at position: Int) -> TableSyntaxError {
    TableSyntaxError(message: message, line: line, column: position + 1)
  }

  private mutating func skipSpace() {
    while index < scalars.count, " \t\r".unicodeScalars.contains(scalars[index]) { index += 1 }
  }

  private mutating func expect(_ scalar: Unicode.Scalar) throws(TableSyntaxError) {
    skipSpace()
    guard index < scalars.count, scalars[index] == scalar else { throw fail("expected `\(scalar)`", at: index) }
    index += 1
  }

  private mutating func parseValue() throws(TableSyntaxError) -> TableCell {
    skipSpace()
    let start = index
    guard index < scalars.count else { throw fail("expected a value", at: index) }
    var cell = TableCell(text: "", isQuoted: false, line: line, column: start + 1)
    switch scalars[index] {
    case "{":
      index += 1
      var members: [(key: String, keyColumn: Int, value: TableCell)] = []
      skipSpace()
      if index < scalars.count, scalars[index] == "}" {
        index += 1
      } else {
        repeat {
          skipSpace()
          guard index < scalars.count, scalars[index] == "\"" else { throw fail("expected a quoted key", at: index) }
          let keyColumn = index + 1
          let key = try parseString()
          try expect(":")
          members.append((key, keyColumn, try parseValue()))
          skipSpace()
        } while try separator(closing: "}")
      }
      cell.nested = .object(members)
    case "[":
      index += 1
      var elements: [TableCell] = []
      skipSpace()
      if index < scalars.count, scalars[index] == "]" {
        index += 1
      } else {
        repeat {
          elements.append(try parseValue())
          skipSpace()
        } while try separator(closing: "]")
      }
      cell.nested = .array(elements)
    case "\"":
      cell.text = try parseString()
      cell.isQuoted = true
    default:
      while index < scalars.count, !",}] \t\r".unicodeScalars.contains(scalars[index]) { index += 1 }
      cell.text = String(String.UnicodeScalarView(scalars[start..<index]))
      let isLiteral = ["true", "false", "null"].contains(cell.text)
      guard isLiteral || Double(cell.text) != nil else { throw fail("invalid JSON value `\(cell.text)`", at: start) }
      // JSON's null is YAML's empty plain scalar: an absent value.
      if cell.text == "null" { cell.text = "" }
    }
    return cell
  }

  /// After an element: `true` at a comma (another follows), `false` at `closing`.
  private mutating func separator(closing: Unicode.Scalar) throws(TableSyntaxError) -> Bool {
    guard index < scalars.count else { throw fail("expected `,` or `\(closing)`", at: index) }
    let scalar = scalars[index]
    index += 1
    if scalar == "," { return true }
    if scalar == closing { return false }
    throw fail("expected `,` or `\(closing)`", at: index - 1)
  }

  private mutating func parseString() throws(TableSyntaxError) -> String {
    let start = index
    index += 1
    var text = String.UnicodeScalarView()
    while index < scalars.count {
      let scalar = scalars[index]
      index += 1
      switch scalar {
      case "\"": return String(text)
      case "\\":
        guard index < scalars.count else { break }
        let escaped = scalars[index]
        index += 1
        switch escaped {
        case "n": text.append("\n")
        case "t": text.append("\t")
        case "r": text.append("\r")
        case "b": text.append("\u{08}")
        case "f": text.append("\u{0C}")
        case "u":
          guard index + 4 <= scalars.count,
            let code = UInt32(String(String.UnicodeScalarView(scalars[index..<(index + 4)])), radix: 16)
          else { throw fail("invalid `\\u` escape", at: index - 2) }
          index += 4
          var value = code
          // A UTF-16 surrogate pair (`\ud83d\ude80`) is one scalar.
          if (0xD800..<0xDC00).contains(code), index + 6 <= scalars.count, scalars[index] == "\\",
            scalars[index + 1] == "u",
            let low = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)..<(index + 6)])), radix: 16),
            (0xDC00..<0xE000).contains(low)
          {
            value = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            index += 6
          }
          text.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        default: text.append(escaped)
        }
      default: text.append(scalar)
      }
    }
    throw fail("a string is not closed", at: start)
  }
}
