/// Parses PromQL into an ``Expr``, type-checking it as Prometheus 2.42 `parser.checkAST` does.
///
/// Recursive descent with precedence climbing; precedence and associativity follow
/// `promql/parser/generated_parser.y` (`^` right-associative, unary minus binding like
/// `*` so `-a ^ b` is `-(a ^ b)`). Everything PlatformSim does not implement
/// (subqueries, `@`, unimplemented functions) is rejected here, at load time, naming
/// the feature and its position; evaluation never meets an unknown construct.
public struct PromQLParser {
  private let source: String
  private var tokens: [Token]
  private var position = 0

  /// Parses `expression`; throws ``PromQLError/syntax(expression:offset:message:)`` or
  /// ``PromQLError/unsupported(expression:offset:feature:)``.
  public static func parse(_ expression: String) throws(PromQLError) -> Expr {
    var lexer = Lexer(expression)
    var parser = PromQLParser(source: expression, tokens: try lexer.tokenize())
    let expr = try parser.parseExpression(minimumPrecedence: 1)
    if parser.current.kind != .end {
      throw parser.syntax(
        "unexpected \(parser.describe(parser.current)) after a complete expression")
    }
    return expr
  }

  private init(source: String, tokens: [Token]) {
    self.source = source
    self.tokens = tokens
  }

  // MARK: Tokens

  private var current: Token { tokens[position] }
  private func peekKind(_ ahead: Int = 1) -> Token.Kind {
    position + ahead < tokens.count ? tokens[position + ahead].kind : .end
  }
  private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

  private func syntax(_ message: String, at offset: Int? = nil) -> PromQLError {
    .syntax(expression: source, offset: offset ?? current.offset, message: message)
  }
  private func unsupported(_ feature: String, at offset: Int) -> PromQLError {
    .unsupported(expression: source, offset: offset, feature: feature)
  }

  private func describe(_ token: Token) -> String {
    switch token.kind {
    case .number(let value): return "number \"\(value)\""
    case .string(let value): return "string \(quotedLabelValue(value))"
    case .duration: return "duration"
    case .identifier(let name): return "identifier \"\(name)\""
    case .end: return "end of input"
    case .leftParen: return "\"(\""
    case .rightParen: return "\")\""
    case .leftBrace: return "\"{\""
    case .rightBrace: return "\"}\""
    case .leftBracket: return "\"[\""
    case .rightBracket: return "\"]\""
    case .comma: return "\",\""
    case .colon: return "\":\""
    case .at: return "\"@\""
    default: return "operator"
    }
  }

  private mutating func expect(_ kind: Token.Kind, _ what: String) throws(PromQLError) {
    guard current.kind == kind else {
      throw syntax("unexpected \(describe(current)), expected \(what)")
    }
    advance()
  }

  private func keyword(_ token: Token) -> String? {
    if case .identifier(let name) = token.kind { return name.lowercased() }
    return nil
  }

  // MARK: Binary expressions

  private func binaryOperator(_ token: Token) -> BinaryOperator? {
    switch token.kind {
    case .plus: return .add
    case .minus: return .subtract
    case .star: return .multiply
    case .slash: return .divide
    case .percent: return .modulo
    case .caret: return .power
    case .equal: return .equal
    case .notEqual: return .notEqual
    case .less: return .less
    case .greater: return .greater
    case .lessOrEqual: return .lessOrEqual
    case .greaterOrEqual: return .greaterOrEqual
    case .identifier(let name):
      switch name.lowercased() {
      case "and": return .and
      case "or": return .or
      case "unless": return .unless
      case "atan2": return .atan2
      default: return nil
      }
    default: return nil
    }
  }

  private mutating func parseExpression(minimumPrecedence: Int) throws(PromQLError) -> Expr {
    var lhs = try parseUnary()
    while let op = binaryOperator(current), op.precedence >= minimumPrecedence {
      let operatorOffset = current.offset
      advance()
      var returnBool = false
      if keyword(current) == "bool" {
        returnBool = true
        advance()
      }
      var matching = VectorMatching(
        cardinality: op.isSetOperator ? .manyToMany : .oneToOne, matchingLabels: [], on: false,
        include: [])
      var hasMatchingModifier = false
      if let word = keyword(current), word == "on" || word == "ignoring" {
        hasMatchingModifier = true
        matching.on = word == "on"
        advance()
        matching.matchingLabels = try parseLabelList()
        if let group = keyword(current), group == "group_left" || group == "group_right" {
          let groupOffset = current.offset
          if op.isSetOperator {
            throw syntax("no grouping allowed for \"\(op.rawValue)\" operation", at: groupOffset)
          }
          matching.cardinality = group == "group_left" ? .manyToOne : .oneToMany
          advance()
          if current.kind == .leftParen { matching.include = try parseLabelList() }
          for label in matching.include where matching.on && matching.matchingLabels.contains(label) {
            throw syntax(
              "label \"\(label)\" must not occur in ON and GROUP clause at once", at: groupOffset)
          }
        }
      }
      let nextMinimum = op == .power ? op.precedence : op.precedence + 1
      let rhs = try parseExpression(minimumPrecedence: nextMinimum)
      lhs = try makeBinary(op, lhs, rhs, returnBool, matching, hasMatchingModifier, operatorOffset)
    }
    return lhs
  }

  private func makeBinary(
    _ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ returnBool: Bool, _ matching: VectorMatching,
    _ hasMatchingModifier: Bool, _ offset: Int
  ) throws(PromQLError) -> Expr {
    for side in [lhs.type, rhs.type] where side != .scalar && side != .vector {
      throw syntax(
        "binary expression must contain only scalar and instant vector types", at: offset)
    }
    let bothVectors = lhs.type == .vector && rhs.type == .vector
    if returnBool && !op.isComparison {
      throw syntax("bool modifier can only be used on comparison operators", at: offset)
    }
    if op.isComparison && !returnBool && lhs.type == .scalar && rhs.type == .scalar {
      throw syntax("comparisons between scalars must use BOOL modifier", at: offset)
    }
    if op.isSetOperator && !bothVectors {
      throw syntax(
        "set operator \"\(op.rawValue)\" not allowed in binary scalar expression", at: offset)
    }
    if hasMatchingModifier && !bothVectors {
      throw syntax("vector matching only allowed between instant vectors", at: offset)
    }
    return .binary(
      BinaryExpression(
        op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: bothVectors ? matching : nil))
  }

  private mutating func parseUnary() throws(PromQLError) -> Expr {
    if current.kind == .minus || current.kind == .plus {
      let negate = current.kind == .minus
      let offset = current.offset
      advance()
      let operand = try parseExpression(minimumPrecedence: BinaryOperator.power.precedence)
      guard operand.type == .scalar || operand.type == .vector else {
        throw syntax(
          "unary expression only allowed on expressions of type scalar or instant vector",
          at: offset)
      }
      if case .number(let value) = operand { return .number(negate ? -value : value) }
      return negate ? .negate(operand) : operand
    }
    return try parsePostfix(parsePrimary())
  }

  // MARK: Primary expressions

  private mutating func parsePrimary() throws(PromQLError) -> Expr {
    let token = current
    switch token.kind {
    case .number(let value):
      advance()
      return .number(value)
    case .string(let value):
      advance()
      return .string(value)
    case .duration:
      throw syntax("unexpected duration; durations are only allowed in ranges and after offset")
    case .leftParen:
      advance()
      let inner = try parseExpression(minimumPrecedence: 1)
      try expect(.rightParen, "\")\"")
      return .paren(inner)
    case .leftBrace:
      return .vector(try parseSelector(name: "", nameOffset: token.offset))
    case .identifier(let name):
      let lower = name.lowercased()
      if let aggregation = AggregationOperator(rawValue: lower), isAggregationStart() {
        return try parseAggregation(aggregation)
      }
      if knownUnsupportedAggregators.contains(lower), isAggregationStart() {
        throw unsupported(
          "aggregation operator \"\(name)\" (PlatformSim implements: \(AggregationOperator.allCases.map(\.rawValue).joined(separator: ", ")))",
          at: token.offset)
      }
      if peekKind() == .leftParen {
        return try parseCall(name, token.offset)
      }
      if [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and",
        "or", "unless",
      ].contains(lower) {
        throw syntax("unexpected \(lower)")
      }
      advance()
      return .vector(try parseSelector(name: name, nameOffset: token.offset))
    case .end:
      throw syntax("unexpected end of input")
    default:
      throw syntax("unexpected \(describe(token))")
    }
  }

  private func isAggregationStart() -> Bool {
    if peekKind() == .leftParen { return true }
    if case .identifier(let word) = peekKind() {
      return word.lowercased() == "by" || word.lowercased() == "without"
    }
    return false
  }

  private mutating func parseCall(_ name: String, _ offset: Int) throws(PromQLError) -> Expr {
    guard let function = PromQLFunction(rawValue: name) else {
      if knownUnsupportedFunctions.contains(name) {
        throw unsupported(
          "function \"\(name)\" (PlatformSim implements: \(PromQLFunction.allCases.map(\.rawValue).sorted().joined(separator: ", ")))",
          at: offset)
      }
      throw syntax("unknown function with name \"\(name)\"", at: offset)
    }
    advance()
    try expect(.leftParen, "\"(\"")
    var arguments: [Expr] = []
    var argumentOffsets: [Int] = []
    while current.kind != .rightParen {
      argumentOffsets.append(current.offset)
      arguments.append(try parseExpression(minimumPrecedence: 1))
      if current.kind == .comma { advance() } else { break }
    }
    try expect(.rightParen, "\")\" or \",\" in the argument list of \(name)")
    let expected = function.argumentTypes
    if function.isVariadic {
      if arguments.count < function.minimumArguments {
        throw syntax(
          "expected at least \(function.minimumArguments) argument(s) in call to \"\(name)\", got \(arguments.count)",
          at: offset)
      }
    } else if arguments.count < function.minimumArguments || arguments.count > expected.count {
      throw syntax(
        "expected \(expected.count) argument(s) in call to \"\(name)\", got \(arguments.count)",
        at: offset)
    }
    for (index, argument) in arguments.enumerated() {
      let type = expected[min(index, expected.count - 1)]
      if argument.type != type {
        throw syntax(
          "expected type \(type.rawValue) in call to function \"\(name)\", got \(argument.type.rawValue)",
          at: argumentOffsets[index])
      }
    }
    if function == .labelReplace || function == .labelJoin {
      try checkLabelFunction(function, arguments, argumentOffsets)
    }
    return .call(function, arguments, position: offset)
  }

  private mutating func parseAggregation(_ op: AggregationOperator) throws(PromQLError) -> Expr {
    let offset = current.offset
    advance()
    var grouping: [String] = []
    var without = false
    var hasGrouping = false
    if let word = keyword(current), word == "by" || word == "without" {
      without = word == "without"
      advance()
      grouping = try parseLabelList()
      hasGrouping = true
    }
    try expect(.leftParen, "\"(\"")
    var arguments: [Expr] = []
    var argumentOffsets: [Int] = []
    while current.kind != .rightParen {
      argumentOffsets.append(current.offset)
      arguments.append(try parseExpression(minimumPrecedence: 1))
      if current.kind == .comma { advance() } else { break }
    }
    try expect(.rightParen, "\")\"")
    if !hasGrouping, let word = keyword(current), word == "by" || word == "without" {
      without = word == "without"
      advance()
      grouping = try parseLabelList()
    }
    let expectedCount = op.hasParameter ? 2 : 1
    guard arguments.count == expectedCount else {
      throw syntax(
        "wrong number of arguments for aggregate expression provided, expected \(expectedCount), got \(arguments.count)",
        at: offset)
    }
    let expr = arguments[expectedCount - 1]
    guard expr.type == .vector else {
      throw syntax(
        "expected type instant vector in aggregation expression, got \(expr.type.rawValue)",
        at: argumentOffsets[expectedCount - 1])
    }
    var parameter: Expr?
    if op.hasParameter {
      parameter = arguments[0]
      let expected: PromQLType = op == .countValues ? .string : .scalar
      guard arguments[0].type == expected else {
        throw syntax(
          "expected type \(expected.rawValue) in aggregation parameter, got \(arguments[0].type.rawValue)",
          at: argumentOffsets[0])
      }
      if op == .countValues, case .string(let label) = unwrapped(arguments[0]), !isValidLabelName(label) {
        throw syntax("invalid label name \(quotedLabelValue(label))", at: argumentOffsets[0])
      }
    }
    return .aggregate(
      Aggregation(op: op, parameter: parameter, expr: expr, grouping: grouping, without: without))
  }

  private mutating func parseLabelList() throws(PromQLError) -> [String] {
    try expect(.leftParen, "\"(\" to start a label list")
    var labels: [String] = []
    while case .identifier(let name) = current.kind {
      labels.append(name)
      advance()
      if current.kind == .comma { advance() } else { break }
    }
    try expect(.rightParen, "\")\" or a label name in the label list")
    return labels
  }

  private mutating func parseSelector(name: String, nameOffset: Int) throws(PromQLError)
    -> VectorSelector
  {
    var matchers: [LabelMatcher] = []
    if !name.isEmpty {
      matchers.append(try makeMatcher(Labels.metricName, .equal, name, nameOffset))
    }
    if current.kind == .leftBrace {
      advance()
      while case .identifier(let labelName) = current.kind {
        let labelOffset = current.offset
        advance()
        let kind: LabelMatcher.Kind
        switch current.kind {
        case .assign: kind = .equal
        case .notEqual: kind = .notEqual
        case .regexMatch: kind = .regexMatch
        case .regexNoMatch: kind = .regexNoMatch
        default:
          throw syntax(
            "unexpected \(describe(current)) in label matching, expected one of \"=\", \"!=\", \"=~\", \"!~\""
          )
        }
        advance()
        guard case .string(let value) = current.kind else {
          throw syntax("unexpected \(describe(current)) in label matching, expected string")
        }
        advance()
        if labelName == Labels.metricName && !name.isEmpty {
          throw syntax(
            "metric name must not be set twice: \(quotedLabelValue(name)) or \(quotedLabelValue(value))",
            at: labelOffset)
        }
        matchers.append(try makeMatcher(labelName, kind, value, labelOffset))
        if current.kind == .comma { advance() } else { break }
      }
      try expect(.rightBrace, "\"}\" or \",\" in the label matchers")
    }
    if !matchers.contains(where: { !$0.matchesEmpty }) {
      throw syntax("vector selector must contain at least one non-empty matcher", at: nameOffset)
    }
    let selectorName =
      matchers.first(where: { $0.name == Labels.metricName && $0.kind == .equal })?.value ?? ""
    return VectorSelector(name: selectorName, matchers: matchers, position: nameOffset)
  }

  private func makeMatcher(
    _ name: String, _ kind: LabelMatcher.Kind, _ value: String, _ offset: Int
  ) throws(PromQLError) -> LabelMatcher {
    do {
      return try LabelMatcher(name: name, kind: kind, value: value)
    } catch {
      throw syntax("invalid regular expression \(quotedLabelValue(value))", at: offset)
    }
  }

  // MARK: Postfix: ranges, offset, @, subqueries

  private mutating func parsePostfix(_ base: Expr) throws(PromQLError) -> Expr {
    var expr = base
    while true {
      switch current.kind {
      case .leftBracket:
        let bracketOffset = current.offset
        advance()
        guard case .duration(let rangeMs) = current.kind else {
          throw syntax(
            "unexpected \(describe(current)) in range selector, expected duration such as 5m")
        }
        advance()
        if current.kind == .colon {
          advance()
          var stepMs: Int64 = 0
          if case .duration(let step) = current.kind {
            stepMs = step
            advance()
          }
          try expect(.rightBracket, "\"]\"")
          guard expr.type == .vector else {
            throw syntax("subquery is only allowed on instant vector, got \(expr.type.rawValue)", at: bracketOffset)
          }
          if rangeMs <= 0 { throw syntax("range must be greater than 0", at: bracketOffset) }
          expr = .subquery(Subquery(expr: expr, rangeMs: rangeMs, stepMs: stepMs))
          continue
        }
        try expect(.rightBracket, "\"]\"")
        guard case .vector(let selector) = expr, selector.offsetMs == 0, !selector.hasAtModifier else {
          throw syntax("ranges only allowed for vector selectors", at: bracketOffset)
        }
        if rangeMs <= 0 { throw syntax("range must be greater than 0", at: bracketOffset) }
        expr = .matrix(selector, rangeMs: rangeMs)
      case .identifier(let word) where word.lowercased() == "offset":
        let offsetOffset = current.offset
        advance()
        var negative = false
        if current.kind == .minus {
          negative = true
          advance()
        }
        guard case .duration(let milliseconds) = current.kind else {
          throw syntax("unexpected \(describe(current)) after offset, expected duration")
        }
        advance()
        switch expr {
        case .subquery(let subquery):
          if subquery.offsetMs != 0 {
            throw syntax("offset may not be set multiple times", at: offsetOffset)
          }
          subquery.offsetMs = negative ? -milliseconds : milliseconds
        case .vector(let selector), .matrix(let selector, _):
          if selector.offsetMs != 0 {
            throw syntax("offset may not be set multiple times", at: offsetOffset)
          }
          // Negative offsets are standard since Prometheus 2.33 (no feature flag).
          selector.offsetMs = negative ? -milliseconds : milliseconds
        default:
          throw syntax(
            "offset modifier must be preceded by an instant vector selector or range vector selector",
            at: offsetOffset)
        }
      case .at:
        let atOffset = current.offset
        advance()
        // `@ <seconds>` (rounded to milliseconds, as timestamp.FromFloatSeconds does),
        // or `@ start()` / `@ end()`, which are the query's time for an instant query.
        var atMs: Int64?
        var negative = false
        if current.kind == .minus || current.kind == .plus {
          negative = current.kind == .minus
          advance()
        }
        switch current.kind {
        case .number(let seconds):
          let milliseconds = ((negative ? -seconds : seconds) * 1000).rounded(.toNearestOrAwayFromZero)
          guard milliseconds.isFinite, Swift.abs(milliseconds) < 9.2e18 else {
            throw syntax("timestamp out of bounds for @ modifier", at: current.offset)
          }
          atMs = Int64(milliseconds)
          advance()
        case .identifier(let word) where !negative && (word == "start" || word == "end"):
          advance()
          try expect(.leftParen, "\"(\"")
          try expect(.rightParen, "\")\"")
        default:
          throw syntax("unexpected \(describe(current)) in @, expected timestamp, start() or end()")
        }
        switch expr {
        case .vector(let selector), .matrix(let selector, _):
          if selector.hasAtModifier { throw syntax("@ <timestamp> may not be set multiple times", at: atOffset) }
          selector.atMs = atMs
          selector.atQueryTime = atMs == nil
        case .subquery(let subquery):
          if subquery.atMs != nil || subquery.atQueryTime {
            throw syntax("@ <timestamp> may not be set multiple times", at: atOffset)
          }
          subquery.atMs = atMs
          subquery.atQueryTime = atMs == nil
        default:
          throw syntax(
            "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
            at: atOffset)
        }
      default:
        return expr
      }
    }
  }

  /// `label_replace`/`label_join` argument checks Prometheus makes before evaluating
  /// (it panics with these texts at evaluation; every evaluation would fail, so a rule
  /// loads but never produces a result — PlatformSim reports it when the file loads).
  private func checkLabelFunction(_ function: PromQLFunction, _ arguments: [Expr], _ offsets: [Int])
    throws(PromQLError)
  {
    func string(_ index: Int) -> String? {
      if case .string(let text) = unwrapped(arguments[index]) { return text }
      return nil
    }
    if function == .labelReplace {
      if let regex = string(4), (try? LabelMatcher(name: "x", kind: .regexMatch, value: regex)) == nil {
        throw syntax("invalid regular expression in label_replace(): \(regex)", at: offsets[4])
      }
      if let destination = string(1), !isValidLabelName(destination) {
        throw syntax("invalid destination label name in label_replace(): \(destination)", at: offsets[1])
      }
      return
    }
    for index in 3..<arguments.count {
      if let source = string(index), !isValidLabelName(source) {
        throw syntax("invalid source label name in label_join(): \(source)", at: offsets[index])
      }
    }
    if let destination = string(1), !isValidLabelName(destination) {
      throw syntax("invalid destination label name in label_join(): \(destination)", at: offsets[1])
    }
  }

  private func unwrapped(_ expr: Expr) -> Expr {
    if case .paren(let inner) = expr { return unwrapped(inner) }
    return expr
  }
}

/// Prometheus's `model.LabelName.IsValid`: `[a-zA-Z_][a-zA-Z0-9_]*`.
func isValidLabelName(_ name: String) -> Bool {
  guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
  else { return false }
  return name.utf8.allSatisfy {
    $0 == UInt8(ascii: "_") || ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 >= 0x30 && $0 <= 0x39
  }
}
