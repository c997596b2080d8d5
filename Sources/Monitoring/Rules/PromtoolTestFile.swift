import Foundation

/// A promtool unit-test file (`promtool test rules FILE`).
///
/// Mirrors `unitTestFile` and `testGroup` in Prometheus 2.42 cmd/promtool/unittest.go.
public struct PromtoolTestFile {
  /// Rule file paths as written (relative to the test file's directory).
  public var ruleFiles: [String]
  public var evaluationIntervalMs: Int64
  /// Group names in evaluation order; unnamed groups follow in file order.
  public var groupEvalOrder: [String]
  public var tests: [PromtoolTestGroup]
  /// `fuzzy_compare`: an expected sample value also matches the float64 just below or
  /// just above it (newer promtool's `math.Nextafter` comparer; 2.42 has no such key).
  public var fuzzyCompare: Bool

  /// The most input samples one test file may expand to (values, `_` and `stale`).
  ///
  /// One million (16 MB; a year and 11 months of one series at a 1-minute interval).
  /// Real test files hold thousands; the cap turns a mistyped repetition such as
  /// `0+1x100000000` into an error at once instead of minutes of expansion and
  /// exhausted memory.
  public static let maximumInputSamples = 1_000_000

  public init(
    ruleFiles: [String], evaluationIntervalMs: Int64 = 60_000, groupEvalOrder: [String] = [],
    tests: [PromtoolTestGroup], fuzzyCompare: Bool = false
  ) {
    self.ruleFiles = ruleFiles
    self.evaluationIntervalMs = evaluationIntervalMs
    self.groupEvalOrder = groupEvalOrder
    self.tests = tests
    self.fuzzyCompare = fuzzyCompare
  }
}

/// One entry of `tests:`.
public struct PromtoolTestGroup {
  public var name: String
  /// Spacing of `input_series` samples; nil means the evaluation interval.
  public var intervalMs: Int64?
  public var inputSeries: [PromtoolInputSeries]
  public var alertRuleTests: [PromtoolAlertRuleTest]
  public var promqlExprTests: [PromtoolExprTest]
  public var externalLabels: Labels
  public var externalURL: String

  public init(
    name: String, intervalMs: Int64? = nil, inputSeries: [PromtoolInputSeries],
    alertRuleTests: [PromtoolAlertRuleTest] = [],
    promqlExprTests: [PromtoolExprTest] = [], externalLabels: Labels = .empty,
    externalURL: String = ""
  ) {
    self.name = name
    self.intervalMs = intervalMs
    self.inputSeries = inputSeries
    self.alertRuleTests = alertRuleTests
    self.promqlExprTests = promqlExprTests
    self.externalLabels = externalLabels
    self.externalURL = externalURL
  }
}

/// One input series: labels and expanded values (sample i at i × interval).
public struct PromtoolInputSeries {
  public enum Value: Equatable, Sendable {
    case sample(Double)
    case missing
    case stale
  }
  public var labels: Labels
  public var values: [Value]
  /// The values as written in the file, when parsed from one.
  public var notation: String?

  public init(labels: Labels, values: [Value], notation: String? = nil) {
    self.labels = labels
    self.values = values
    self.notation = notation
  }
}

/// `alert_rule_test`: the firing alerts of `alertname` expected at `eval_time`.
public struct PromtoolAlertRuleTest {
  public var evalTimeMs: Int64
  public var alertname: String
  public var expectedAlerts: [PromtoolExpectedAlert]

  public init(evalTimeMs: Int64, alertname: String, expectedAlerts: [PromtoolExpectedAlert]) {
    self.evalTimeMs = evalTimeMs
    self.alertname = alertname
    self.expectedAlerts = expectedAlerts
  }
}

public struct PromtoolExpectedAlert: Equatable {
  /// `exp_labels`, without `alertname`.
  public var labels: Labels
  public var annotations: Labels

  public init(labels: Labels, annotations: Labels = .empty) {
    self.labels = labels
    self.annotations = annotations
  }
}

/// `promql_expr_test`: the samples `expr` is expected to return at `eval_time`.
public struct PromtoolExprTest {
  public var expr: String
  public var evalTimeMs: Int64
  public var expectedSamples: [Sample]

  public init(expr: String, evalTimeMs: Int64, expectedSamples: [Sample]) {
    self.expr = expr
    self.evalTimeMs = evalTimeMs
    self.expectedSamples = expectedSamples
  }
}

/// Parses a YAML float as go-yaml does for a float64 field (`.inf`, `-.inf`, `.nan`, decimals).
func parseYAMLFloat(_ text: String) -> Double? {
  switch text {
  case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
  case "-.inf", "-.Inf", "-.INF": return -.infinity
  case ".nan", ".NaN", ".NAN": return .nan
  default: return Double(text.replacingOccurrences(of: "_", with: ""))
  }
}

/// A problem in a series description or values string.
public struct SeriesNotationError: Error, CustomStringConvertible {
  public let text: String
  public let message: String
  public var description: String { "\(message) in \(quotedLabelValue(text))" }
}

/// Parses `name{label="value", ...}` (promtool `series`, `exp_samples.labels`;
/// Prometheus `parser.ParseMetric`).
public func parseSeriesDescription(_ text: String) throws(SeriesNotationError) -> Labels {
  var lexer = Lexer(text)
  let tokens: [Token]
  do { tokens = try lexer.tokenize() } catch {
    throw SeriesNotationError(text: text, message: "\(error)")
  }
  var position = 0
  var pairs: [(String, String)] = []
  if case .identifier(let name) = tokens[position].kind {
    pairs.append((Labels.metricName, name))
    position += 1
  }
  if tokens[position].kind == .leftBrace {
    position += 1
    while case .identifier(let name) = tokens[position].kind {
      guard tokens[position + 1].kind == .assign,
        case .string(let value) = tokens[position + 2].kind
      else {
        throw SeriesNotationError(text: text, message: "expected label=\"value\"")
      }
      pairs.append((name, value))
      position += 3
      if tokens[position].kind == .comma { position += 1 } else { break }
    }
    guard tokens[position].kind == .rightBrace else {
      throw SeriesNotationError(text: text, message: "expected \"}\"")
    }
    position += 1
  }
  guard tokens[position].kind == .end else {
    throw SeriesNotationError(text: text, message: "unexpected text after the series")
  }
  return Labels(pairs)
}

/// Expands promtool's values notation: `a+bxn` (n+1 samples), `a-bxn`, `axn`, `_`,
/// `_xn` (n missing), `stale`, and plain numbers, separated by spaces.
///
/// Mirrors the `series_item` rules of Prometheus 2.42 promql/parser/generated_parser.y,
/// including the float accumulation `a += b` for each step. A repetition count is the
/// grammar's `uint` (`strconv.ParseUint(lit, 10, 64)`): decimal digits only, so `1x-3`
/// is refused as promtool refuses it.
///
/// promtool expands every repetition into memory without bound, so `0+1x100000000`
/// exhausts it; here expansion stops with an error once `limit` samples are reached
/// (``PromtoolTestFile/maximumInputSamples`` across a file).
public func expandSeriesValues(
  _ text: String, limit: Int = PromtoolTestFile.maximumInputSamples
) throws(SeriesNotationError) -> [PromtoolInputSeries.Value] {
  var out: [PromtoolInputSeries.Value] = []
  func reserve(_ count: Int, for word: String) throws(SeriesNotationError) {
    let (total, overflow) = out.count.addingReportingOverflow(count)
    guard !overflow, total <= limit else {
      throw SeriesNotationError(
        text: text,
        message:
          "\(word) expands past \(limit) samples, the most a test file may load "
          + "(promtool would try to hold them all in memory)")
    }
  }
  for item in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
    let word = String(item)
    if word == "_" {
      try reserve(1, for: word)
      out.append(.missing)
      continue
    }
    if word == "stale" {
      try reserve(1, for: word)
      out.append(.stale)
      continue
    }
    if word.hasPrefix("_x") {
      guard let count = repetitionCount(word.dropFirst(2)) else {
        throw SeriesNotationError(text: text, message: "bad repetition \(word)")
      }
      try reserve(count, for: word)
      out.append(contentsOf: repeatElement(.missing, count: count))
      continue
    }
    var body = Substring(word)
    var repeatCount: Int?
    // In values notation `x` always means repetition: `0x20` is 21 zeros, not hex 32.
    if let xIndex = body.lastIndex(of: "x"), !body[..<xIndex].isEmpty {
      guard let count = repetitionCount(body[body.index(after: xIndex)...]) else {
        throw SeriesNotationError(text: text, message: "bad repetition \(word)")
      }
      repeatCount = count
      body = body[..<xIndex]
    }
    // Split `a+b` / `a-b` at a sign that is not the leading sign nor an exponent sign.
    var start = body
    var step: Double = 0
    let characters = Array(body)
    var splitAt: Int?
    for index in 1..<max(1, characters.count)
    where characters[index] == "+" || characters[index] == "-" {
      if characters[index - 1] != "e" && characters[index - 1] != "E" {
        splitAt = index
        break
      }
    }
    if let splitAt {
      start = body.prefix(splitAt)
      guard let parsedStep = parseGoFloat(String(body.dropFirst(splitAt))) else {
        throw SeriesNotationError(text: text, message: "bad step in \(word)")
      }
      step = parsedStep
      if repeatCount == nil {
        throw SeriesNotationError(
          text: text, message: "a step needs a repetition such as x10 in \(word)")
      }
    }
    guard var value = parseGoFloat(String(start)) else {
      throw SeriesNotationError(text: text, message: "bad value \(word)")
    }
    if let repeatCount {
      try reserve(min(repeatCount, limit) + 1, for: word)  // `axn` is n + 1 samples
      for _ in 0...repeatCount {
        out.append(.sample(value))
        value += step
      }
    } else {
      try reserve(1, for: word)
      out.append(.sample(value))
    }
  }
  return out
}

/// A repetition count as the series grammar's `uint`: decimal digits only (no sign),
/// within Int; nil otherwise.
private func repetitionCount(_ text: Substring) -> Int? {
  guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
  return Int(text)
}
