/// An Argo Rollouts `successCondition`/`failureCondition`: the subset of expr-lang
/// (github.com/expr-lang/expr) analysis conditions use, evaluated over `result`.
///
/// Supports numbers, string literals (`'…'` or `"…"`), `true`/`false`, `result`,
/// `result[i]` and `result.field`, `len()`, `isNaN()`, `isInf()`, `isNil()`,
/// `default(x, y)`, `asInt()`, `asFloat()`, `all(list, {predicate})` and `any(…)` with
/// `#` for the element, arithmetic, comparisons, `&&`/`and`, `||`/`or`, `!`/`not` and
/// parentheses. `==`/`!=` compare values of any type, and values of different types are
/// unequal (expr-lang's `runtime.Equal`); a field of a Prometheus result (a list of
/// numbers) is an evaluation error, as in Argo, where only map results have fields. As in Argo
/// (utils/evaluate/evaluate.go), an evaluation error such as `result[0]` on an empty
/// result makes the measurement an Error, and NaN compares false.
public indirect enum ConditionExpression: Hashable, Sendable {
  case number(Double)
  case string(String)
  case boolean(Bool)
  case result
  /// `#`: the element inside an `all`/`any` predicate.
  case element
  /// `{ … }`: a predicate of `all`/`any`.
  case predicate(ConditionExpression)
  /// `base.name`.
  case member(ConditionExpression, String)
  case index(ConditionExpression, ConditionExpression)
  case call(String, [ConditionExpression])
  case unary(String, ConditionExpression)
  case binary(String, ConditionExpression, ConditionExpression)

  /// Why a condition did not parse.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var expression: String
    public var position: Int
    public var message: String
    public var description: String {
      "\(message) at column \(position + 1) of `\(expression)`\n  \(expression)\n  \(String(repeating: " ", count: position))^"
    }
  }

  /// A value during evaluation.
  public enum Value: Equatable, Sendable {
    case number(Double)
    case string(String)
    case boolean(Bool)
    case list([Double])
    case none
  }

  /// Why an evaluation failed: the measurement becomes an Error.
  public struct EvaluationError: Error, Equatable, Sendable { public var message: String }

  static let functions = ["len", "isNaN", "isInf", "isNil", "default", "asInt", "asFloat", "all", "any"]

  // MARK: - Parsing

  public static func parse(_ text: String) throws(ParseError) -> ConditionExpression {
    var parser = Parser(text: Array(text), source: text)
    let expression = try parser.parseOr()
    parser.skipSpaces()
    guard parser.position >= parser.text.count else {
      throw parser.error("unexpected `\(parser.text[parser.position])`")
    }
    return expression
  }

  struct Parser {
    let text: [Character]
    let source: String
    var position = 0

    func error(_ message: String) -> ParseError {
      ParseError(expression: source, position: min(position, text.count), message: message)
    }

    mutating func skipSpaces() { while position < text.count, text[position].isWhitespace { position += 1 } }

    mutating func consume(_ token: String) -> Bool {
      skipSpaces()
      let characters = Array(token)
      guard position + characters.count <= text.count,
        Array(text[position..<(position + characters.count)]) == characters
      else {
        return false
      }
      if token.first?.isLetter == true, position + characters.count < text.count,
        text[position + characters.count].isLetter || text[position + characters.count].isNumber
      {
        return false
      }
      position += characters.count
      return true
    }

    mutating func parseOr() throws(ParseError) -> ConditionExpression {
      var left = try parseAnd()
      while consume("||") || consume("or") { left = .binary("||", left, try parseAnd()) }
      return left
    }

    mutating func parseAnd() throws(ParseError) -> ConditionExpression {
      var left = try parseNot()
      while consume("&&") || consume("and") { left = .binary("&&", left, try parseNot()) }
      return left
    }

    mutating func parseNot() throws(ParseError) -> ConditionExpression {
      skipSpaces()
      if position + 1 < text.count, text[position] == "!", text[position + 1] != "=" {
        position += 1
        return .unary("!", try parseNot())
      }
      if consume("not") { return .unary("!", try parseNot()) }
      return try parseComparison()
    }

    mutating func parseComparison() throws(ParseError) -> ConditionExpression {
      let left = try parseSum()
      for op in ["<=", ">=", "==", "!=", "<", ">"] where consume(op) {
        return .binary(op, left, try parseSum())
      }
      return left
    }

    mutating func parseSum() throws(ParseError) -> ConditionExpression {
      var left = try parseProduct()
      while true {
        if consume("+") {
          left = .binary("+", left, try parseProduct())
        } else if consume("-") {
          left = .binary("-", left, try parseProduct())
        } else {
          return left
        }
      }
    }

    mutating func parseProduct() throws(ParseError) -> ConditionExpression {
      var left = try parseUnary()
      while true {
        if consume("*") {
          left = .binary("*", left, try parseUnary())
        } else if consume("/") {
          left = .binary("/", left, try parseUnary())
        } else {
          return left
        }
      }
    }

    mutating func parseUnary() throws(ParseError) -> ConditionExpression {
      if consume("-") { return .unary("-", try parseUnary()) }
      var base = try parsePrimary()
      while true {
        if consume("[") {
          let index = try parseOr()
          guard consume("]") else { throw error("expected `]`") }
          base = .index(base, index)
        } else if position < text.count, text[position] == ".", position + 1 < text.count,
          text[position + 1].isLetter || text[position + 1] == "_"
        {
          position += 1
          let start = position
          while position < text.count, text[position].isLetter || text[position].isNumber || text[position] == "_" {
            position += 1
          }
          base = .member(base, String(text[start..<position]))
        } else {
          return base
        }
      }
    }

    /// A string literal in single or double quotes, with backslash escapes.
    mutating func parseString() throws(ParseError) -> ConditionExpression {
      let quote = text[position]
      let start = position
      position += 1
      var value = ""
      while position < text.count, text[position] != quote {
        if text[position] == "\\", position + 1 < text.count {
          position += 1
          switch text[position] {
          case "n": value.append("\n")
          case "t": value.append("\t")
          default: value.append(text[position])
          }
        } else {
          value.append(text[position])
        }
        position += 1
      }
      guard position < text.count else {
        position = start
        throw error("unterminated string")
      }
      position += 1
      return .string(value)
    }

    mutating func parsePrimary() throws(ParseError) -> ConditionExpression {
      skipSpaces()
      guard position < text.count else { throw error("unexpected end of expression") }
      if consume("(") {
        let inner = try parseOr()
        guard consume(")") else { throw error("expected `)`") }
        return inner
      }
      if text[position] == "'" || text[position] == "\"" { return try parseString() }
      if text[position] == "#" {
        position += 1
        return .element
      }
      if consume("{") {
        let inner = try parseOr()
        guard consume("}") else { throw error("expected `}`") }
        return .predicate(inner)
      }
      let start = position
      if text[position].isNumber || text[position] == "." {
        while position < text.count,
          text[position].isNumber || text[position] == "." || text[position] == "e"
            || ((text[position] == "-" || text[position] == "+") && position > start && text[position - 1] == "e")
        {
          position += 1
        }
        guard let value = Double(String(text[start..<position])) else {
          position = start
          throw error("invalid number")
        }
        return .number(value)
      }
      guard text[position].isLetter || text[position] == "_" else { throw error("unexpected `\(text[position])`") }
      while position < text.count, text[position].isLetter || text[position].isNumber || text[position] == "_" {
        position += 1
      }
      let name = String(text[start..<position])
      switch name {
      case "result": return .result
      case "nil": return .call("nil", [])
      case "true": return .boolean(true)
      case "false": return .boolean(false)
      default: break
      }
      guard ConditionExpression.functions.contains(name) else {
        position = start
        throw error(
          "unknown name `\(name)` (supported: result, " + ConditionExpression.functions.joined(separator: ", ") + ")")
      }
      guard consume("(") else { throw error("expected `(` after `\(name)`") }
      var arguments: [ConditionExpression] = []
      if !consume(")") {
        repeat { arguments.append(try parseOr()) } while consume(",")
        guard consume(")") else { throw error("expected `)`") }
      }
      return .call(name, arguments)
    }
  }

  // MARK: - Evaluation

  /// Evaluates the condition to a boolean, with `result` bound to the query's values.
  public func holds(result: [Double]) throws(EvaluationError) -> Bool {
    switch try evaluate(result: result, element: nil) {
    case .boolean(let value): return value
    default: throw EvaluationError(message: "condition is not a boolean")
    }
  }

  func evaluate(result: [Double], element: Double?) throws(EvaluationError) -> Value {
    func evaluate(_ expression: ConditionExpression) throws(EvaluationError) -> Value {
      try expression.evaluate(result: result, element: element)
    }
    switch self {
    case .number(let value): return .number(value)
    case .string(let value): return .string(value)
    case .boolean(let value): return .boolean(value)
    case .result: return .list(result)
    case .element:
      guard let element else { throw EvaluationError(message: "`#` outside a predicate") }
      return .number(element)
    case .predicate: throw EvaluationError(message: "a predicate `{…}` outside all/any")
    case .member(let base, let name):
      // Prometheus results are numbers or lists of numbers, which have no fields.
      _ = try evaluate(base)
      throw EvaluationError(message: "cannot fetch \(name) from []float64")
    case .index(let base, let index):
      guard case .list(let values) = try evaluate(base), case .number(let position) = try evaluate(index)
      else { throw EvaluationError(message: "cannot index") }
      let slot = Int(position)
      guard slot >= 0, slot < values.count else { throw EvaluationError(message: "metric result is nil or empty") }
      return .number(values[slot])
    case .call(let name, let arguments):
      if name == "nil" { return .none }
      if name == "all" || name == "any" {
        guard arguments.count == 2, case .list(let list) = try evaluate(arguments[0]),
          case .predicate(let predicate) = arguments[1]
        else { throw EvaluationError(message: "\(name) needs a list and a predicate {…}") }
        for value in list {
          guard case .boolean(let holds) = try predicate.evaluate(result: result, element: value) else {
            throw EvaluationError(message: "the predicate of \(name) is not a boolean")
          }
          if name == "all" && !holds { return .boolean(false) }
          if name == "any" && holds { return .boolean(true) }
        }
        return .boolean(name == "all")
      }
      let values = try arguments.map { argument throws(EvaluationError) in try evaluate(argument) }
      switch (name, values.first) {
      case ("len", .list(let list)?): return .number(Double(list.count))
      case ("len", .string(let text)?): return .number(Double(text.count))
      case ("isNaN", .number(let value)?): return .boolean(value.isNaN)
      case ("isInf", .number(let value)?): return .boolean(value.isInfinite)
      case ("isNil", let value?): return .boolean(value == .none || value == .list([]))
      case ("asInt", .number(let value)?): return .number(value.rounded(.towardZero))
      case ("asFloat", .number(let value)?): return .number(value)
      case ("default", let value?):
        if value == .none || value == .list([]), values.count > 1 { return values[1] }
        return value
      default: throw EvaluationError(message: "\(name) cannot take these arguments")
      }
    case .unary(let op, let operand):
      let value = try evaluate(operand)
      switch (op, value) {
      case ("!", .boolean(let flag)): return .boolean(!flag)
      case ("-", .number(let number)): return .number(-number)
      default: throw EvaluationError(message: "invalid operand for \(op)")
      }
    case .binary(let op, let left, let right):
      if op == "&&" || op == "||" {
        guard case .boolean(let first) = try evaluate(left) else {
          throw EvaluationError(message: "\(op) needs booleans")
        }
        if op == "&&" && !first { return .boolean(false) }
        if op == "||" && first { return .boolean(true) }
        guard case .boolean(let second) = try evaluate(right) else {
          throw EvaluationError(message: "\(op) needs booleans")
        }
        return .boolean(second)
      }
      let leftValue = try evaluate(left)
      let rightValue = try evaluate(right)
      if op == "==" || op == "!=", !(leftValue.isNumber && rightValue.isNumber) {
        return .boolean((leftValue == rightValue) == (op == "=="))
      }
      if case .string(let a) = leftValue, case .string(let b) = rightValue {
        switch op {
        case "<": return .boolean(a < b)
        case "<=": return .boolean(a <= b)
        case ">": return .boolean(a > b)
        case ">=": return .boolean(a >= b)
        case "+": return .string(a + b)
        default: throw EvaluationError(message: "\(op) cannot take strings")
        }
      }
      guard case .number(let a) = leftValue, case .number(let b) = rightValue else {
        throw EvaluationError(message: "\(op) needs numbers")
      }
      switch op {
      case "<": return .boolean(a < b)
      case "<=": return .boolean(a <= b)
      case ">": return .boolean(a > b)
      case ">=": return .boolean(a >= b)
      case "==": return .boolean(a == b)
      case "!=": return .boolean(a != b)
      case "+": return .number(a + b)
      case "-": return .number(a - b)
      case "*": return .number(a * b)
      case "/": return .number(a / b)
      default: throw EvaluationError(message: "unknown operator \(op)")
      }
    }
  }
}

extension ConditionExpression.Value {
  var isNumber: Bool {
    if case .number = self { return true }
    return false
  }
}
