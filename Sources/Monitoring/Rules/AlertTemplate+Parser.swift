/// The syntax tree of a Go text/template, as far as Prometheus's templates use it.
///
/// Mirrors Go's `text/template/parse` (Go 1.19, which Prometheus 2.42 is built with):
/// text, actions with pipelines (`:=`/`=` declarations, `|` chains of commands), `if`,
/// `else if`, `with`, `range` (with `$i, $v :=`), `break`/`continue`, comments and trim
/// markers, and associated templates: `{{define "n"}}…{{end}}` at the top level,
/// `{{template "n" pipeline}}` and `{{block "n" pipeline}}…{{end}}` (a define plus a
/// template call). Prometheus parses the whole annotation text with `Parse`, so a
/// template defined in it can be called from it (template/template.go, `Expand`).
indirect enum TemplateNode: Sendable {
  case text(String)
  case action(TemplatePipeline)
  case branch(kind: TemplateBranch, pipeline: TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode]?)
  case breakLoop, continueLoop
  /// `{{template "name" pipeline}}`; `offset` is the name's (Go's node position), `text`
  /// the node as Go prints it in error contexts.
  case template(name: String, pipeline: TemplatePipeline?, offset: Int, text: String)
}

enum TemplateBranch: String, Sendable { case `if`, with, range }

struct TemplatePipeline: Sendable {
  /// Variables declared (`:=`) or assigned (`=`) by the pipeline.
  var variables: [String] = []
  var isAssignment = false
  var commands: [TemplateCommand] = []
  /// Byte offset of the pipeline in the full template text (for error contexts).
  var offset = 0
  /// The source text of the pipeline, for Go's "executing … at <…>" context.
  var text = ""
}

struct TemplateCommand: Sendable {
  var arguments: [TemplateArgument]
  /// Byte offset of each argument in the template text.
  var argumentOffsets: [Int]
  var offset: Int
  var text: String
}

indirect enum TemplateArgument: Sendable {
  case dot
  case nilValue
  case bool(Bool)
  case string(String)
  case integer(Int)
  case float(Double)
  /// `.A.B` on dot.
  case field([String])
  /// `$x.A.B` (`$` alone is the data).
  case variable(String, [String])
  case function(String)
  case pipeline(TemplatePipeline, fields: [String])
}

/// A Go text/template parse error, worded as Go words it.
struct TemplateParseError: Error {
  let line: Int
  let message: String
}

/// Parses template text into nodes (Go's `parse.Tree`).
struct TemplateParser {
  let source: [UInt8]
  let functions: Set<String>
  var position = 0
  /// Byte offsets of the current action's tokens (indices of its token array).
  var tokenOffsets: [Int] = []
  /// Variables in scope, innermost last.
  var scopes: [[String]]
  /// Templates defined by `define` and `block` (Go's tree set), by name.
  var definitions: [String: [TemplateNode]] = [:]

  init(_ text: String, functions: Set<String>, predeclared: [String]) {
    source = Array(text.utf8)
    self.functions = functions
    scopes = [["$"] + predeclared]
  }

  func line(at offset: Int) -> Int { 1 + source[..<min(offset, source.count)].filter { $0 == 0x0A }.count }

  func fail(_ message: String, at offset: Int) -> TemplateParseError {
    TemplateParseError(line: line(at: offset), message: message)
  }

  /// One `{{ }}` action's words, with the text before it.
  enum Item {
    case text(String)
    case action(tokens: [Token], offsets: [Int], offset: Int, text: String)
  }

  enum Token: Equatable {
    case word(String)
    case string(String)
    case number(String)
    case field(String)
    case variable(String)
    case leftParen, rightParen, pipe, declare, assign, comma, dot
  }

  /// Splits text and actions, applying trim markers; comments vanish.
  mutating func items() throws(TemplateParseError) -> [Item] {
    var items: [Item] = []
    var textStart = 0
    var index = 0
    var trimNextText = false
    func appendText(_ bytes: ArraySlice<UInt8>, trimLeft: Bool, trimRight: Bool) {
      var slice = bytes
      if trimLeft { while let first = slice.first, Self.isSpace(first) { slice.removeFirst() } }
      if trimRight { while let last = slice.last, Self.isSpace(last) { slice.removeLast() } }
      if !slice.isEmpty { items.append(.text(String(decoding: slice, as: UTF8.self))) }
    }
    while index + 1 < source.count {
      guard source[index] == 0x7B, source[index + 1] == 0x7B else {
        index += 1
        continue
      }
      let openOffset = index
      var inner = index + 2
      let trimLeft = inner + 1 < source.count && source[inner] == 0x2D && Self.isSpace(source[inner + 1])
      appendText(source[textStart..<openOffset], trimLeft: trimNextText, trimRight: trimLeft)
      if trimLeft { inner += 2 }
      if inner + 1 < source.count && source[inner] == 0x2F && source[inner + 1] == 0x2A {
        // A comment: `{{/* ... */}}`, optionally with trim markers.
        var end = inner + 2
        while end + 1 < source.count && !(source[end] == 0x2A && source[end + 1] == 0x2F) { end += 1 }
        guard end + 1 < source.count else { throw fail("unclosed comment", at: openOffset) }
        var close = end + 2
        var trimRight = false
        if close + 2 < source.count && Self.isSpace(source[close]) && source[close + 1] == 0x2D {
          trimRight = true
          close += 2
        }
        guard close + 1 < source.count, source[close] == 0x7D, source[close + 1] == 0x7D else {
          throw fail("comment ends before closing delimiter", at: openOffset)
        }
        index = close + 2
        textStart = index
        trimNextText = trimRight
        continue
      }
      let (tokens, offsets, end, trimRight) = try lexAction(from: inner)
      let text = String(decoding: source[inner..<(trimRight ? end - 2 : end)], as: UTF8.self)
      items.append(.action(tokens: tokens, offsets: offsets, offset: inner, text: text.trimmingSpaces()))
      index = end + 2
      textStart = index
      trimNextText = trimRight
    }
    appendText(source[textStart..<source.count], trimLeft: trimNextText, trimRight: false)
    return items
  }

  static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

  /// Lexes one action up to `}}`; returns its tokens, the offset of `}}` and whether a
  /// ` -}}` trim marker ends it.
  func lexAction(from start: Int) throws(TemplateParseError) -> ([Token], [Int], Int, Bool) {
    var tokens: [Token] = []
    var offsets: [Int] = []
    var index = start
    while true {
      guard index < source.count else { throw fail("unclosed action", at: start) }
      let byte = source[index]
      if byte == 0x7D && index + 1 < source.count && source[index + 1] == 0x7D {
        return (tokens, offsets, index, false)
      }
      if Self.isSpace(byte) {
        if index + 3 < source.count && source[index + 1] == 0x2D && source[index + 2] == 0x7D
          && source[index + 3] == 0x7D
        {
          return (tokens, offsets, index + 2, true)
        }
        index += 1
        continue
      }
      offsets.append(index)
      switch byte {
      case 0x28: tokens.append(.leftParen); index += 1
      case 0x29: tokens.append(.rightParen); index += 1
      case 0x7C: tokens.append(.pipe); index += 1
      case 0x2C: tokens.append(.comma); index += 1
      case 0x3D: tokens.append(.assign); index += 1
      case 0x3A:
        guard index + 1 < source.count, source[index + 1] == 0x3D else { throw fail("expected :=", at: index) }
        tokens.append(.declare)
        index += 2
      case 0x22, 0x60:
        var end = index + 1
        var bytes: [UInt8] = []
        while end < source.count && source[end] != byte {
          if byte == 0x22 && source[end] == 0x5C && end + 1 < source.count {
            end += 1
            switch source[end] {
            case 0x6E: bytes.append(0x0A)
            case 0x74: bytes.append(0x09)
            case 0x72: bytes.append(0x0D)
            default: bytes.append(source[end])
            }
          } else {
            if byte == 0x22 && source[end] == 0x0A { throw fail("unterminated quoted string", at: index) }
            bytes.append(source[end])
          }
          end += 1
        }
        guard end < source.count else {
          throw fail(byte == 0x22 ? "unterminated quoted string" : "unterminated raw quoted string", at: index)
        }
        tokens.append(.string(String(decoding: bytes, as: UTF8.self)))
        index = end + 1
      case 0x2E where index + 1 < source.count && Self.isIdentifierStart(source[index + 1]):
        let end = chainEnd(index + 1)
        tokens.append(.field(String(decoding: source[(index + 1)..<end], as: UTF8.self)))
        index = end
      case 0x2E where !(index + 1 < source.count && Self.isDigit(source[index + 1])):
        tokens.append(.dot)
        index += 1
      case 0x24:
        let end = chainEnd(index + 1)
        tokens.append(.variable(String(decoding: source[index..<end], as: UTF8.self)))
        index = end
      default:
        if Self.isDigit(byte) || byte == 0x2D || byte == 0x2B || byte == 0x2E {
          var end = index + 1
          while end < source.count
            && (Self.isIdentifierByte(source[end]) || source[end] == 0x2E
              || ((source[end] == 0x2D || source[end] == 0x2B) && (source[end - 1] | 0x20) == 0x65))
          {
            end += 1
          }
          tokens.append(.number(String(decoding: source[index..<end], as: UTF8.self)))
          index = end
        } else if Self.isIdentifierStart(byte) {
          let end = identifierEnd(index)
          tokens.append(.word(String(decoding: source[index..<end], as: UTF8.self)))
          index = end
        } else {
          throw fail("unexpected \"\(Character(Unicode.Scalar(byte)))\" in command", at: index)
        }
      }
    }
  }

  func identifierEnd(_ start: Int) -> Int {
    var end = start
    while end < source.count && Self.isIdentifierByte(source[end]) { end += 1 }
    return end
  }

  /// The end of `name(.name)*`: a field chain such as `Labels.instance`.
  func chainEnd(_ start: Int) -> Int {
    var end = identifierEnd(start)
    while end + 1 < source.count && source[end] == 0x2E && Self.isIdentifierStart(source[end + 1]) {
      end = identifierEnd(end + 1)
    }
    return end
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
  static func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == 0x5F || byte >= 0x80
  }
  static func isIdentifierByte(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

  // MARK: Structure

  /// Parses the whole template.
  mutating func parse() throws(TemplateParseError) -> [TemplateNode] {
    var items = try self.items()[...]
    let (nodes, terminator) = try parseList(&items, inLoop: false, topLevel: true)
    if let terminator {
      throw fail("unexpected {{\(terminator.word)}}", at: terminator.offset)
    }
    return nodes
  }

  struct Terminator {
    var word: String
    var offset: Int
    /// The tokens after `else` (for `else if`).
    ///
    /// Their indices are those in the action, so that token offsets stay right.
    var rest: ArraySlice<Token>
    var text: String
  }

  /// Parses nodes up to `{{end}}` or `{{else ...}}` (returned) or the end of input.
  mutating func parseList(_ items: inout ArraySlice<Item>, inLoop: Bool, topLevel: Bool = false)
    throws(TemplateParseError) -> ([TemplateNode], Terminator?)
  {
    var nodes: [TemplateNode] = []
    while let item = items.popFirst() {
      switch item {
      case .text(let text): nodes.append(.text(text))
      case .action(let tokens, let offsets, let offset, let text):
        tokenOffsets = offsets
        guard case .word(let word)? = tokens.first else {
          if tokens.isEmpty { throw fail("missing value for command", at: offset) }
          nodes.append(.action(try parsePipeline(tokens[...], offset: offset, text: text, allowDeclaration: true)))
          continue
        }
        switch word {
        case "end", "else":
          if word == "end" && tokens.count > 1 { throw fail("unexpected \(tokens[1]) in end", at: offset) }
          return (nodes, Terminator(word: word, offset: offset, rest: tokens.dropFirst(), text: text))
        case "if", "with", "range":
          nodes.append(
            try parseBranch(
              TemplateBranch(rawValue: word) ?? .if, tokens.dropFirst(), offset: offset, text: text,
              items: &items, inLoop: inLoop))
        case "break", "continue":
          guard inLoop else { throw fail("{{\(word)}} outside {{range}}", at: offset) }
          nodes.append(word == "break" ? .breakLoop : .continueLoop)
        case "define":
          // Go's parser looks for `define` only between top-level items.
          guard topLevel else { throw fail("unexpected <define> in command", at: offset) }
          try parseDefinition(Array(tokens.dropFirst()), offset: offset, items: &items)
        case "template", "block":
          nodes.append(try parseTemplateCall(word, tokens, offset: offset, text: text, items: &items))
        default:
          nodes.append(.action(try parsePipeline(tokens[...], offset: offset, text: text, allowDeclaration: true)))
        }
      }
    }
    return (nodes, nil)
  }

  /// A template's name: one quoted string after the keyword (Go's `parseTemplateName`).
  func templateName(_ tokens: [Token], offset: Int, context: String) throws(TemplateParseError) -> String {
    guard tokens.count > 1 else { throw fail("unexpected \"}}\" in \(context)", at: offset) }
    guard case .string(let name) = tokens[1] else {
      throw fail("unexpected \(goQuote(Self.render([tokens[1]]))) in \(context)", at: self.offset(ofToken: 1, offset))
    }
    return name
  }

  /// `{{define "name"}}body{{end}}`: parses the body as a template of its own, in which
  /// only `$` is declared (Go's `parseDefinition`, `startParse`).
  mutating func parseDefinition(_ rest: [Token], offset: Int, items: inout ArraySlice<Item>)
    throws(TemplateParseError)
  {
    let name = try templateName([.word("define")] + rest, offset: offset, context: "define clause")
    if rest.count > 1 { throw fail("unexpected \(goQuote(Self.render([rest[1]]))) in define clause", at: offset) }
    try parseBody(name, context: "define clause", offset: offset, items: &items)
  }

  /// Parses a `define` or `block` body up to its `{{end}}` and adds it to the tree set.
  mutating func parseBody(_ name: String, context: String, offset: Int, items: inout ArraySlice<Item>)
    throws(TemplateParseError)
  {
    let outer = scopes
    scopes = [["$"]]
    defer { scopes = outer }
    let (body, terminator) = try parseList(&items, inLoop: false)
    guard let terminator else { throw fail("unexpected EOF", at: source.count) }
    guard terminator.word == "end" else {
      throw fail("unexpected {{\(terminator.word)}} in \(context)", at: terminator.offset)
    }
    // Go's `Tree.add`: an empty definition never replaces a non-empty one; two non-empty
    // ones are an error.
    if let existing = definitions[name], !Self.isEmpty(existing) {
      if !Self.isEmpty(body) {
        throw fail("template: multiple definition of template \(goQuote(name))", at: terminator.offset)
      }
      return
    }
    definitions[name] = body
  }

  /// Go's `parse.IsEmptyTree`: nothing but white space.
  static func isEmpty(_ nodes: [TemplateNode]) -> Bool {
    nodes.allSatisfy {
      if case .text(let text) = $0 { return text.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } }
      return false
    }
  }

  /// `{{template "name" pipeline}}`, or `{{block "name" pipeline}}body{{end}}`, which
  /// defines `name` and calls it (Go's `templateControl`, `blockControl`).
  mutating func parseTemplateCall(
    _ keyword: String, _ tokens: [Token], offset: Int, text: String, items: inout ArraySlice<Item>
  ) throws(TemplateParseError) -> TemplateNode {
    let context = keyword + " clause"
    let name = try templateName(tokens, offset: offset, context: context)
    let nameOffset = self.offset(ofToken: 1, offset)
    var pipeline: TemplatePipeline?
    if tokens.count > 2 {
      if tokens[2] == .pipe || tokens[2] == .rightParen || tokens[2] == .comma {
        throw fail("unexpected \(goQuote(Self.render([tokens[2]]))) in \(context)", at: offset)
      }
      let pipelineOffset = self.offset(ofToken: 2, offset)
      let pipelineText = Self.render(Array(tokens[2...]))
      // The slice keeps the action's token indices, so token offsets stay right.
      pipeline = try parsePipeline(tokens[2...], offset: pipelineOffset, text: pipelineText, allowDeclaration: true)
    } else if keyword == "block" {
      throw fail("missing value for block clause", at: offset)
    }
    if keyword == "block" { try parseBody(name, context: context, offset: offset, items: &items) }
    let shown = "{{template \(goQuote(name))" + (pipeline.map { " " + $0.text } ?? "") + "}}"
    return .template(name: name, pipeline: pipeline, offset: nameOffset, text: shown)
  }

  /// The offset of token `index` of the current action.
  func offset(ofToken index: Int, _ fallback: Int) -> Int {
    index >= 0 && index < tokenOffsets.count ? tokenOffsets[index] : fallback
  }

  mutating func parseBranch(
    _ kind: TemplateBranch, _ tokens: ArraySlice<Token>, offset: Int, text: String, items: inout ArraySlice<Item>,
    inLoop: Bool
  ) throws(TemplateParseError) -> TemplateNode {
    scopes.append([])
    defer { scopes.removeLast() }
    let pipeline = try parsePipeline(
      tokens, offset: offset, text: text, allowDeclaration: true, isRange: kind == .range)
    if pipeline.commands.isEmpty { throw fail("missing value for \(kind.rawValue)", at: offset) }
    let (body, terminator) = try parseList(&items, inLoop: inLoop || kind == .range)
    guard let terminator else { throw fail("unexpected EOF", at: source.count) }
    if terminator.word == "end" {
      return .branch(kind: kind, pipeline: pipeline, body: body, otherwise: nil)
    }
    // `else`, or `else if ...` which Go treats as `else {{if ...}} ... {{end}}{{end}}`.
    if case .word("if")? = terminator.rest.first {
      let nested = try parseBranch(
        .if, terminator.rest.dropFirst(), offset: terminator.offset, text: terminator.text, items: &items,
        inLoop: inLoop)
      return .branch(kind: kind, pipeline: pipeline, body: body, otherwise: [nested])
    }
    if !terminator.rest.isEmpty { throw fail("unexpected tokens in else", at: terminator.offset) }
    let (otherwise, end) = try parseList(&items, inLoop: inLoop)
    guard let end, end.word == "end" else {
      throw fail(end == nil ? "unexpected EOF" : "expected end; found {{else}}", at: end?.offset ?? source.count)
    }
    return .branch(kind: kind, pipeline: pipeline, body: body, otherwise: otherwise)
  }

  // MARK: Pipelines

  mutating func parsePipeline(
    _ input: ArraySlice<Token>, offset: Int, text: String, allowDeclaration: Bool, isRange: Bool = false
  ) throws(TemplateParseError) -> TemplatePipeline {
    var tokens = input
    var pipeline = TemplatePipeline(offset: offset, text: text)
    if allowDeclaration, case .variable(let first)? = tokens.first {
      let rest = tokens.dropFirst()
      if rest.first == .declare || rest.first == .assign {
        pipeline.variables = [first]
        pipeline.isAssignment = rest.first == .assign
        tokens = rest.dropFirst()
      } else if isRange, rest.first == .comma, case .variable(let second)? = rest.dropFirst().first,
        rest.dropFirst(2).first == .declare || rest.dropFirst(2).first == .assign
      {
        pipeline.variables = [first, second]
        pipeline.isAssignment = rest.dropFirst(2).first == .assign
        tokens = rest.dropFirst(3)
      }
      for variable in pipeline.variables {
        if pipeline.isAssignment {
          guard isDeclared(variable) else { throw fail("undefined variable \"\(variable)\"", at: offset) }
        }
      }
    }
    var command: [TemplateArgument] = []
    var argumentOffsets: [Int] = []
    var commandStart = tokens.startIndex
    func commandText(_ range: Range<Int>) -> String { Self.render(Array(input[range])) }
    while let token = tokens.first {
      tokens = tokens.dropFirst()
      switch token {
      case .pipe:
        if command.isEmpty { throw fail("missing command", at: offset) }
        pipeline.commands.append(
          TemplateCommand(
            arguments: command, argumentOffsets: argumentOffsets, offset: self.offset(ofToken: commandStart, offset),
            text: commandText(commandStart..<(tokens.startIndex - 1))))
        command = []
        argumentOffsets = []
        commandStart = tokens.startIndex
      default:
        argumentOffsets.append(self.offset(ofToken: tokens.startIndex - 1, offset))
        command.append(try parseOperand(token, &tokens, offset: offset))
      }
    }
    if !command.isEmpty {
      pipeline.commands.append(
        TemplateCommand(
          arguments: command, argumentOffsets: argumentOffsets, offset: self.offset(ofToken: commandStart, offset),
          text: commandText(commandStart..<tokens.startIndex)))
    } else if !pipeline.commands.isEmpty || !pipeline.variables.isEmpty {
      throw fail("missing value for command", at: offset)
    }
    for (index, command) in pipeline.commands.enumerated() where index > 0 {
      if case .function = command.arguments[0] { continue }
      if case .pipeline = command.arguments[0] { continue }
      throw fail("non executable command in pipeline stage \(index + 1)", at: offset)
    }
    if !pipeline.isAssignment { scopes[scopes.count - 1].append(contentsOf: pipeline.variables) }
    return pipeline
  }

  func isDeclared(_ variable: String) -> Bool { scopes.contains { $0.contains(variable) } }

  mutating func parseOperand(_ token: Token, _ tokens: inout ArraySlice<Token>, offset: Int)
    throws(TemplateParseError) -> TemplateArgument
  {
    switch token {
    case .dot: return .dot
    case .string(let value): return .string(value)
    case .field(let path): return .field(path.split(separator: ".").map(String.init))
    case .variable(let text):
      let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
      guard isDeclared(parts[0]) else { throw fail("undefined variable \"\(parts[0])\"", at: offset) }
      return .variable(parts[0], Array(parts.dropFirst()))
    case .number(let text):
      if let integer = Int(text) { return .integer(integer) }
      if text.hasPrefix("0x") || text.hasPrefix("0X"), let integer = Int(text.dropFirst(2), radix: 16) {
        return .integer(integer)
      }
      if let value = Double(text) { return .float(value) }
      throw fail("bad number syntax: \"\(text)\"", at: offset)
    case .word(let word):
      switch word {
      case "true": return .bool(true)
      case "false": return .bool(false)
      case "nil": return .nilValue
      default:
        guard functions.contains(word) else { throw fail("function \"\(word)\" not defined", at: offset) }
        return .function(word)
      }
    case .leftParen:
      var depth = 1
      let whole = tokens
      var close = whole.endIndex
      while let next = tokens.popFirst() {
        if next == .leftParen { depth += 1 }
        if next == .rightParen {
          depth -= 1
          if depth == 0 {
            close = tokens.startIndex - 1
            break
          }
        }
      }
      guard depth == 0 else { throw fail("unclosed left paren", at: offset) }
      let inner = whole[whole.startIndex..<close]
      let pipeline = try parsePipeline(
        inner, offset: self.offset(ofToken: whole.startIndex, offset), text: Self.render(Array(inner)),
        allowDeclaration: false)
      if pipeline.commands.isEmpty { throw fail("missing value for parenthesized pipeline", at: offset) }
      var fields: [String] = []
      while case .field(let path)? = tokens.first {
        fields += path.split(separator: ".").map(String.init)
        tokens = tokens.dropFirst()
      }
      return .pipeline(pipeline, fields: fields)
    default:
      throw fail("unexpected \(Self.render([token])) in operand", at: offset)
    }
  }

  /// An argument back to text, for error contexts.
  static func describe(_ argument: TemplateArgument) -> String {
    switch argument {
    case .dot: return "."
    case .nilValue: return "nil"
    case .bool(let flag): return flag ? "true" : "false"
    case .string(let text): return goQuote(text)
    case .integer(let number): return String(number)
    case .float(let number): return formatGoFloat(number)
    case .field(let path): return path.map { "." + $0 }.joined()
    case .variable(let name, let path): return name + path.map { "." + $0 }.joined()
    case .function(let name): return name
    case .pipeline(let pipeline, let path): return "(" + pipeline.text + ")" + path.map { "." + $0 }.joined()
    }
  }

  /// Tokens back to text, for error contexts.
  static func render(_ tokens: [Token]) -> String {
    var parts: [String] = []
    for token in tokens {
      switch token {
      case .word(let text), .number(let text), .variable(let text): parts.append(text)
      case .string(let text): parts.append(goQuote(text))
      case .field(let text): parts.append("." + text)
      case .leftParen: parts.append("(")
      case .rightParen: parts.append(")")
      case .pipe: parts.append("|")
      case .declare: parts.append(":=")
      case .assign: parts.append("=")
      case .comma: parts.append(",")
      case .dot: parts.append(".")
      }
    }
    // Go's `CommandNode.String`: arguments joined by spaces, a parenthesized pipeline
    // written without inner padding.
    var text = ""
    for (index, part) in parts.enumerated() {
      if index > 0 && part != ")" && parts[index - 1] != "(" { text += " " }
      text += part
    }
    return text
  }
}

extension String {
  func trimmingSpaces() -> String {
    var slice = Substring(self)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
  }
}
