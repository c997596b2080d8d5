import Foundation

/// A parsed alert label or annotation template: Go text/template as Prometheus 2.42 runs it.
///
/// Mirrors `rules.AlertingRule.Eval` and `template.Expander` (template/template.go): the
/// text is prefixed with `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}`
/// `{{$externalURL := .ExternalURL}}{{$value := .Value}}`, parsed with Prometheus's
/// function map (`query`, `first`, `label`, `value`, `strvalue`, `args`, `reReplaceAll`,
/// `safeHtml`, `match`, `title`, `toUpper`, `toLower`, `graphLink`, `tableLink`,
/// `sortByLabel`, `stripPort`, `stripDomain`, the `humanize*` family, `toTime`,
/// `pathPrefix`, `externalURL`, `parseDuration`) plus Go's builtins, and executed with
/// `missingkey=zero`. A template that does not parse refuses the rule file, as
/// `rulefmt` does; one that fails when executed expands to
/// `<error expanding template: …>`, as Prometheus records it on the alert.
public struct AlertTemplate: Sendable {
  /// The template source.
  public let source: String
  /// The template's name in messages (`__alert_` + the alert's name).
  public let name: String
  let nodes: [TemplateNode]
  /// Templates the text defines with `define` or `block`, by name.
  let definitions: [String: [TemplateNode]]

  /// Prometheus's definitions in front of every alert template, all on line 1.
  static let definitions =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
  static let predeclared = ["$labels", "$externalLabels", "$externalURL", "$value"]

  /// The functions a template may call: Go's builtins and Prometheus's function map.
  static let functions: Set<String> = [
    "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "html",
    "js", "urlquery", "slice", "call",
    "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title", "toUpper",
    "toLower", "graphLink", "tableLink", "sortByLabel", "stripPort", "stripDomain", "humanize", "humanize1024",
    "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime", "pathPrefix", "externalURL",
    "parseDuration",
  ]

  /// Parses a template as Prometheus's rule loader does.
  ///
  /// - Parameter name: the alert's name (the template is named `__alert_` + it).
  /// - Throws: ``TemplateError`` with Go's message (`template: __alert_X:1: function "f" not defined`).
  public init(_ source: String, name: String = "") throws(TemplateError) {
    self.source = source
    self.name = "__alert_" + name
    var parser = TemplateParser(source, functions: Self.functions, predeclared: Self.predeclared)
    do {
      nodes = try parser.parse()
      definitions = parser.definitions
    } catch {
      throw TemplateError(template: source, message: "template: \(self.name):\(error.line): \(error.message)")
    }
  }

  /// Expands the template for one alert instance.
  ///
  /// - Parameters:
  ///   - timestampMs: the evaluation time, at which `query` runs.
  ///   - query: runs a PromQL query for the template's `query` function (the rule
  ///     manager's engine); without one, `query` fails as Prometheus's does without an engine.
  /// - Returns: the text, or `<error expanding template: …>` when execution fails.
  public func expand(
    labels: Labels, value: Double, externalLabels: Labels = .empty, externalURL: String = "",
    timestampMs: Int64 = 0, query: TemplateQuery? = nil
  ) -> String {
    do {
      return try expandOrThrow(
        labels: labels, value: value, externalLabels: externalLabels, externalURL: externalURL,
        timestampMs: timestampMs, query: query)
    } catch {
      return "<error expanding template: \(error.message)>"
    }
  }

  /// Expands the template, throwing Prometheus's execution error text.
  public func expandOrThrow(
    labels: Labels, value: Double, externalLabels: Labels = .empty, externalURL: String = "",
    timestampMs: Int64 = 0, query: TemplateQuery? = nil
  ) throws(TemplateError) -> String {
    if nodes.count == 1, case .text(let text) = nodes[0] { return text }
    var execution = TemplateExecution(
      name: name,
      data: TemplateData(labels: labels, externalLabels: externalLabels, externalURL: externalURL, value: value),
      query: query, definitions: definitions)
    execution.variables = [
      ("$", .data), ("$labels", .labels(labels)), ("$externalLabels", .labels(externalLabels)),
      ("$externalURL", .string(externalURL)), ("$value", .float(value)),
    ]
    do {
      try execution.run(nodes, dot: .data)
    } catch let error as TemplateExecutionError {
      let bytes = Array(source.utf8)
      let offset = min(error.column, bytes.count)
      let newlines = bytes[..<offset].indices.filter { bytes[$0] == 0x0A }
      let line = 1 + newlines.count
      // Go counts the byte offset within the line; line 1 starts after the definitions.
      let column = newlines.last.map { offset - $0 - 1 } ?? Self.definitions.utf8.count + offset
      throw TemplateError(
        template: source,
        message: "error executing template \(name): template: \(name):\(line):\(column): "
          + "executing \"\(error.template)\" at <\(error.context)>: \(error.message)")
    } catch {
      throw TemplateError(template: source, message: "error executing template \(name): \(error)")
    }
    return execution.output
  }

  /// Whether the template is plain text (no actions).
  public var isPlainText: Bool { nodes.allSatisfy { if case .text = $0 { true } else { false } } }
}

/// Runs a PromQL query for a template's `query` function at the evaluation time.
public typealias TemplateQuery = (String) throws -> [Sample]

/// A template does not parse, or fails when executed; the message is Go's/Prometheus's.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
  public let template: String
  public let message: String
  public var description: String { message }
}

/// The data a template runs on (Prometheus's `AlertTemplateData`).
struct TemplateData {
  var labels: Labels
  var externalLabels: Labels
  var externalURL: String
  var value: Double
}

/// One element of a `query` result (Prometheus's template `sample`).
struct TemplateSample: Sendable {
  var labels: Labels
  var value: Double
}

/// A Go value as templates see it.
indirect enum TemplateValue {
  /// An invalid `reflect.Value` (a missing map entry of interface type): prints `<no value>`.
  case missing
  case nilValue
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
  case html(String)
  /// `map[string]string`.
  case labels(Labels)
  /// `map[string]interface{}` (from `args`), keys sorted.
  case map([TemplateEntry])
  /// `queryResult` (`[]*sample`).
  case samples([TemplateSample])
  /// `*sample`.
  case sample(TemplateSample?)
  /// A `time.Time` (`toTime`), as Unix milliseconds.
  case time(Int64)
  /// The alert data struct.
  case data

  /// Go's type name, for error messages.
  var typeName: String {
    switch self {
    case .missing: return "<nil>"
    case .nilValue: return "nil"
    case .bool: return "bool"
    case .int: return "int"
    case .float: return "float64"
    case .string: return "string"
    case .html: return "template.HTML"
    case .labels: return "map[string]string"
    case .map: return "map[string]interface {}"
    case .samples: return "template.queryResult"
    case .sample: return "*template.sample"
    case .time: return "*time.Time"
    case .data:
      return
        "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }"
    }
  }
}

/// One entry of a `map[string]interface{}`.
struct TemplateEntry {
  var key: String
  var value: TemplateValue
}

/// An execution error before Prometheus wraps it: Go's message and where it happened.
struct TemplateExecutionError: Error {
  /// The template executing when it failed: the alert's, or one it defines.
  var template: String
  var line: Int
  var column: Int
  var context: String
  var message: String
}
