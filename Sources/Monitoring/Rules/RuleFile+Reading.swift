import InputReading
import Yams

/// Loads Prometheus rule files: plain (`groups:`) and PrometheusRule custom resources.
///
/// Mirrors `rulefmt.Parse` of Prometheus 2.42 (pkg/rulefmt): a rule has exactly one of
/// `record`/`alert`; `for`, `keep_firing_for` and `annotations` only on alerting rules;
/// unknown keys are errors; group names are unique. A PrometheusRule
/// (`monitoring.coreos.com/v1`) is unwrapped from `spec.groups`. Every expression and
/// template is parsed here, so anything PlatformSim does not support is reported at
/// load time with its position — every problem of the file at once, as ``Diagnostic``s.
public enum RuleFileLoader {
  /// What loading does with a rule that uses a construct PlatformSim does not evaluate
  /// (the native-histogram functions): Prometheus would load it, so it is never
  /// dropped silently.
  public enum UnsupportedRules: Sendable {
    /// The rule is an error, with its position (the default).
    case refuse
    /// The rule is left out of its group, with one warning naming it and the construct
    /// (`--skip-unsupported`); the file's other rules load.
    case skipWithWarning
  }

  /// Loads rule groups from YAML text; `file` names the source in messages.
  ///
  /// - Throws: ``DiagnosticsError`` listing every problem with its location.
  public static func load(yaml: String, file: String, unsupported: UnsupportedRules = .refuse) throws(DiagnosticsError)
    -> [RuleGroupDefinition]
  {
    let log = DiagnosticLog()
    guard let groups = read(yaml: yaml, file: file, log: log, unsupported: unsupported), !log.hasErrors else {
      throw DiagnosticsError(log.diagnostics)
    }
    return groups
  }

  /// Reads rule groups from YAML text, logging every problem into `log`; `nil` when
  /// there was one.
  public static func read(yaml: String, file: String, log: DiagnosticLog, unsupported: UnsupportedRules = .refuse)
    -> [RuleGroupDefinition]?
  {
    guard let documents = InputFile.parseDocuments(yaml, file: file, log: log) else { return nil }
    var groups: [RuleGroupDefinition] = []
    var names: [String] = []
    var valid = true
    // Every document of the stream is a rule file (a multi-document stream keeps its
    // file-wide lines; the document index is not shown yet).
    for document in documents {
      if !readDocument(
        document, file: file, documentIndex: nil, log: log, unsupported: unsupported, names: &names, into: &groups)
      {
        valid = false
      }
    }
    return valid ? groups : nil
  }

  /// Reads the rule groups of one document of a YAML stream — a plain rule file or a
  /// PrometheusRule — logging every problem (with `documentIndex` in locations when the
  /// stream has several documents); `nil` when there was one.
  public static func read(document: Node, file: String, documentIndex: Int?, log: DiagnosticLog)
    -> [RuleGroupDefinition]?
  {
    var names: [String] = []
    var groups: [RuleGroupDefinition] = []
    let valid = readDocument(
      document, file: file, documentIndex: documentIndex, log: log, unsupported: .refuse, names: &names, into: &groups)
    return valid ? groups : nil
  }

  static func readDocument(
    _ document: Node, file: String, documentIndex: Int?, log: DiagnosticLog, unsupported: UnsupportedRules,
    names: inout [String], into groups: inout [RuleGroupDefinition]
  ) -> Bool {
    var valid = true
    let context = ReadContext(
      file: file, log: log, conventions: InputFormat.prometheusRuleFile.conventions, document: documentIndex)
    let root = YAMLValue(node: document, path: .root, context: context)
    guard case .mapping(let mapping) = document else {
      root.mismatch(expected: "a mapping with `groups`, or a PrometheusRule")
      return false
    }
    let list: InputList<ObjectReader<RuleFileSchema.RuleGroup>>?
    let declared: Bool
    if mapping["kind"]?.string == "PrometheusRule" {
      let spec = root.readObject(RuleFileSchema.PrometheusRule.self)?[\.spec]
      declared = spec?.has(\.groups) ?? false
      list = spec?[\.groups]
    } else {
      let plain = root.readObject(RuleFileSchema.RuleFile.self)
      declared = plain?.has(\.groups) ?? false
      list = plain?[\.groups]
    }
    if declared && list == nil { valid = false }
    list?.forEach { reader, _ in
      guard let reader else {
        valid = false
        return
      }
      let (name, group) = readGroup(reader, file: file, unsupported: unsupported)
      // Also among groups with other problems, so that every problem shows at once.
      if let name {
        if names.contains(name) {
          reader.value(of: \.name)?.error(
            "duplicate group name \(quotedLabelValue(name))", hint: "group names must be unique in a file")
          valid = false
        }
        names.append(name)
      }
      if let group { groups.append(group) } else { valid = false }
    }
    return valid
  }

  /// A group and its name (the name alone when the rest has problems).
  static func readGroup(_ reader: ObjectReader<RuleFileSchema.RuleGroup>, file: String, unsupported: UnsupportedRules)
    -> (name: String?, group: RuleGroupDefinition?)
  {
    var name = reader[\.name]
    if name?.isEmpty == true {
      reader.value(of: \.name)?.mismatch(expected: "a group name")
      name = nil
    }
    let interval = reader[\.interval]
    // A skipped rule reads as an empty list, an invalid one as nil.
    let rules = reader[\.rules]?.map { readRule($0, unsupported: unsupported) }?.flatMap { $0 }
    guard let name, !reader.has(\.interval) || interval != nil, !reader.has(\.rules) || rules != nil else {
      return (name, nil)
    }
    return (name, RuleGroupDefinition(name: name, intervalMs: interval, rules: rules ?? [], source: file))
  }

  /// The rule (one element), nothing when it was skipped as unsupported, nil when invalid.
  static func readRule(_ reader: ObjectReader<RuleFileSchema.Rule>, unsupported: UnsupportedRules)
    -> [RuleDefinition]?
  {
    let record = reader[\.record]
    let alert = reader[\.alert]
    if reader.has(\.record) == reader.has(\.alert) {
      reader.value.error(
        (reader.has(\.record) ? "both `record` and `alert`" : "neither `record` nor `alert`") + " in a rule",
        hint: "a rule has exactly one of `record` (recording) or `alert` (alerting)")
      return nil
    }
    var skipped = false
    let ruleName = alert.map { "alert `\($0)`" } ?? record.map { "record `\($0)`" } ?? "rule"
    guard let expression = readExpression(reader, ruleName: ruleName, unsupported: unsupported, skipped: &skipped)
    else {
      if skipped { return [] }
      // Report the templates' errors too, as rulefmt's `Validate` does after a bad expr.
      _ = readTemplates(reader, \.labels, ruleName: alert ?? record ?? "")
      if reader.has(\.alert) { _ = readTemplates(reader, \.annotations, ruleName: alert ?? "") }
      return nil
    }
    let labels = readTemplates(reader, \.labels, ruleName: alert ?? record ?? "")
    if reader.has(\.record) {
      let alertingOnly = [
        (reader.name(of: \.for), reader.value(of: \.for)),
        (reader.name(of: \.keepFiringFor), reader.value(of: \.keepFiringFor)),
        (reader.name(of: \.annotations), reader.value(of: \.annotations)),
      ]
      var valid = true
      for case (let key, let value?) in alertingOnly {
        value.error("`\(key)` on a recording rule", hint: "`\(key)` applies only to alerting rules")
        valid = false
      }
      guard valid, let record, let labels else { return nil }
      return [
        RuleDefinition(
          kind: .recording(record: record), expression: expression.parsed, expressionText: expression.text,
          labels: labels)
      ]
    }
    let forMs = reader[\.for]
    let keepFiringForMs = reader[\.keepFiringFor]
    let annotations = readTemplates(reader, \.annotations, ruleName: alert ?? "")
    guard let alert, let labels, let annotations, !reader.has(\.for) || forMs != nil,
      !reader.has(\.keepFiringFor) || keepFiringForMs != nil
    else { return nil }
    return [
      RuleDefinition(
        kind: .alerting(
          alert: alert, forMs: forMs ?? 0, keepFiringForMs: keepFiringForMs ?? 0, annotations: annotations),
        expression: expression.parsed, expressionText: expression.text, labels: labels)
    ]
  }

  /// `expr`, parsed and type-checked: a rule evaluates to an instant vector or a scalar.
  ///
  /// With `.skipWithWarning`, an expression PlatformSim does not support is a warning and
  /// sets `skipped`.
  static func readExpression(
    _ reader: ObjectReader<RuleFileSchema.Rule>, ruleName: String, unsupported: UnsupportedRules,
    skipped: inout Bool
  ) -> (parsed: Expr, text: String)? {
    guard let value = reader.value(of: \.expr), let text = reader[\.expr] else { return nil }
    guard !text.isEmpty else {
      value.mismatch(expected: "a PromQL expression")
      return nil
    }
    let expression: Expr
    do {
      expression = try PromQLParser.parse(text)
    } catch {
      if case .unsupported = error, unsupported == .skipWithWarning {
        value.warning("\(ruleName) skipped (--skip-unsupported): \(error)")
        skipped = true
        return nil
      }
      value.error("\(error)")
      return nil
    }
    guard expression.type == .vector || expression.type == .scalar else {
      let error = PromQLError.syntax(
        expression: text, offset: 0,
        message: "a rule expression must be an instant vector or scalar, got \(expression.type.rawValue)")
      value.error("\(error)")
      return nil
    }
    return (expression, text)
  }

  /// `labels` or `annotations`: each value parsed as a Go text/template, as rulefmt's
  /// `testTemplateParsing` does (named `__alert_` + the rule's name).
  static func readTemplates(
    _ reader: ObjectReader<RuleFileSchema.Rule>,
    _ field: FieldSelector<RuleFileSchema.Rule, InputDictionary<String>>, ruleName: String
  ) -> [(name: String, template: AlertTemplate)]? {
    guard reader.has(field) else { return [] }
    guard let entries = reader[field] else { return nil }
    var templates: [(name: String, template: AlertTemplate)] = []
    var valid = true
    entries.forEach { name, text, value in
      guard let text else {
        valid = false
        return
      }
      do {
        templates.append((name, try AlertTemplate(text, name: ruleName)))
      } catch {
        value.error((error as? TemplateError)?.message ?? "\(error)")
        valid = false
      }
    }
    return valid ? templates : nil
  }
}

extension RuleFileLoader {
  /// The plain Prometheus rule file inside a PrometheusRule custom resource (its
  /// `spec`), for tools such as promtool that read only plain rule files; other text is
  /// returned unchanged.
  public static func plainRuleFileYAML(_ yaml: String, file: String) throws(DiagnosticsError) -> String {
    let log = DiagnosticLog()
    guard let root = InputFile.parseDocument(yaml, file: file, log: log, emptyHint: nil) else {
      if log.hasErrors { throw DiagnosticsError(log.diagnostics) }
      return yaml
    }
    guard root.mapping?["kind"]?.string == "PrometheusRule", let spec = root.mapping?["spec"] else { return yaml }
    do {
      return try Yams.serialize(node: spec)
    } catch {
      throw DiagnosticsError([Diagnostic(file: file, message: "cannot write the rule file: \(error)")])
    }
  }
}
