import Yams

/// A rule group as written in a rule file.
public struct RuleGroupDefinition {
  public var name: String
  /// The group's `interval`, or nil for the global evaluation interval (1m by default).
  public var intervalMs: Int64?
  public var rules: [RuleDefinition]
  /// Where the group came from, for messages.
  public var source: String
}

/// One recording or alerting rule, its expression parsed and type-checked.
///
/// A class so that evaluating a group every 30 s does not copy each rule's fields.
public final class RuleDefinition {
  public enum Kind {
    case recording(record: String)
    case alerting(
      alert: String, forMs: Int64, keepFiringForMs: Int64,
      annotations: [(name: String, template: AlertTemplate)])
  }

  public let kind: Kind
  public let expression: Expr
  public let expressionText: String
  /// Rule labels in file order; for alerting rules the values are templates.
  public let labels: [(name: String, template: AlertTemplate)]

  init(
    kind: Kind, expression: Expr, expressionText: String,
    labels: [(name: String, template: AlertTemplate)]
  ) {
    self.kind = kind
    self.expression = expression
    self.expressionText = expressionText
    self.labels = labels
  }

  /// The `record` or `alert` name.
  public var name: String {
    switch kind {
    case .recording(let record): return record
    case .alerting(let alert, _, _, _): return alert
    }
  }
}

/// A problem in a rule file, with the file, YAML position and key path; rendered in one place.
public enum RuleFileError: Error, CustomStringConvertible {
  case yaml(file: String, message: String)
  case structure(file: String, line: Int?, keyPath: String, found: String, expected: String)
  case expression(file: String, line: Int?, keyPath: String, error: PromQLError)
  case template(file: String, line: Int?, keyPath: String, error: TemplateError)

  public var description: String {
    func place(_ file: String, _ line: Int?, _ keyPath: String) -> String {
      "\(file)\(line.map { ":\($0)" } ?? ""): \(keyPath)"
    }
    switch self {
    case .yaml(let file, let message):
      return "\(file): invalid YAML: \(message)"
    case .structure(let file, let line, let keyPath, let found, let expected):
      return "\(place(file, line, keyPath)): found \(found), expected \(expected)"
    case .expression(let file, let line, let keyPath, let error):
      return "\(place(file, line, keyPath)): \(error)"
    case .template(let file, let line, let keyPath, let error):
      return
        "\(place(file, line, keyPath)): template \(quotedLabelValue(error.template)): \(error.message)"
    }
  }
}

/// Loads Prometheus rule files: plain (`groups:`) and PrometheusRule custom resources.
///
/// Mirrors `rulefmt.Parse` of Prometheus 2.42 (pkg/rulefmt): a rule has exactly one of
/// `record`/`alert`; `for`, `keep_firing_for` and `annotations` only on alerting rules;
/// unknown keys are errors. A PrometheusRule (`monitoring.coreos.com/v1`) is unwrapped
/// from `spec.groups`. Every expression and template is parsed here, so anything
/// PlatformSim does not support is reported at load time with its position.
public enum RuleFileLoader {
  /// Loads rule groups from YAML text; `file` names the source in messages.
  public static func load(yaml: String, file: String) throws(RuleFileError) -> [RuleGroupDefinition]
  {
    var documents: [Node] = []
    do {
      for node in try Yams.compose_all(yaml: yaml) { documents.append(node) }
    } catch {
      throw .yaml(file: file, message: "\(error)")
    }
    var groups: [RuleGroupDefinition] = []
    for document in documents {
      guard let mapping = document.mapping else {
        throw .structure(
          file: file, line: document.mark?.line, keyPath: "(document)", found: "a non-mapping",
          expected: "a mapping with `groups` or a PrometheusRule")
      }
      var groupsNode: Node?
      var prefix = ""
      if mapping["kind"]?.string == "PrometheusRule" {
        prefix = "spec."
        groupsNode = mapping["spec"]?.mapping?["groups"]
      } else {
        for (key, _) in mapping where key.string != "groups" {
          throw .structure(
            file: file, line: key.mark?.line, keyPath: key.string ?? "?", found: "unknown key",
            expected: "`groups` (or a PrometheusRule with spec.groups)")
        }
        groupsNode = mapping["groups"]
      }
      guard let groupsNode else { continue }
      guard let sequence = groupsNode.sequence else {
        throw .structure(
          file: file, line: groupsNode.mark?.line, keyPath: prefix + "groups", found: "a non-list",
          expected: "a list of groups")
      }
      for (index, groupNode) in sequence.enumerated() {
        let group = try loadGroup(groupNode, file: file, keyPath: "\(prefix)groups[\(index)]")
        if groups.contains(where: { $0.name == group.name }) {
          throw .structure(
            file: file, line: groupNode.mark?.line, keyPath: "\(prefix)groups[\(index)].name",
            found: "duplicate group name \(quotedLabelValue(group.name))",
            expected: "unique group names")
        }
        groups.append(group)
      }
    }
    return groups
  }

  private static func loadGroup(_ node: Node, file: String, keyPath: String) throws(RuleFileError)
    -> RuleGroupDefinition
  {
    guard let mapping = node.mapping else {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath, found: "a non-mapping",
        expected: "a group with name and rules")
    }
    for (key, _) in mapping
    where !["name", "interval", "rules", "limit", "query_offset"].contains(key.string ?? "") {
      throw .structure(
        file: file, line: key.mark?.line, keyPath: keyPath + "." + (key.string ?? "?"),
        found: "unknown key", expected: "one of name, interval, rules, limit")
    }
    guard let name = mapping["name"]?.string, !name.isEmpty else {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath + ".name", found: "nothing",
        expected: "a group name")
    }
    var intervalMs: Int64?
    if let intervalNode = mapping["interval"] {
      guard let text = intervalNode.string, let value = parsePrometheusDuration(text), value > 0
      else {
        throw .structure(
          file: file, line: intervalNode.mark?.line, keyPath: keyPath + ".interval",
          found: quotedLabelValue(intervalNode.string ?? "?"),
          expected: "a positive duration such as 30s or 1m")
      }
      intervalMs = value
    }
    var rules: [RuleDefinition] = []
    for (index, ruleNode) in (mapping["rules"]?.sequence.map(Array.init) ?? []).enumerated() {
      rules.append(try loadRule(ruleNode, file: file, keyPath: "\(keyPath).rules[\(index)]"))
    }
    return RuleGroupDefinition(name: name, intervalMs: intervalMs, rules: rules, source: file)
  }

  private static func loadRule(_ node: Node, file: String, keyPath: String) throws(RuleFileError)
    -> RuleDefinition
  {
    guard let mapping = node.mapping else {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath, found: "a non-mapping",
        expected: "a rule")
    }
    let allowed = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]
    for (key, _) in mapping where !allowed.contains(key.string ?? "") {
      throw .structure(
        file: file, line: key.mark?.line, keyPath: keyPath + "." + (key.string ?? "?"),
        found: "unknown key", expected: "one of " + allowed.joined(separator: ", "))
    }
    let record = mapping["record"]?.string
    let alert = mapping["alert"]?.string
    if (record == nil) == (alert == nil) {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath,
        found: record == nil ? "neither record nor alert" : "both record and alert",
        expected: "exactly one of `record` or `alert`")
    }
    guard let exprNode = mapping["expr"], let exprText = exprNode.string, !exprText.isEmpty else {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath + ".expr", found: "nothing",
        expected: "a PromQL expression")
    }
    let expression: Expr
    do {
      expression = try PromQLParser.parse(exprText)
    } catch {
      throw .expression(
        file: file, line: exprNode.mark?.line, keyPath: keyPath + ".expr", error: error)
    }
    if expression.type != .vector && expression.type != .scalar {
      throw .expression(
        file: file, line: exprNode.mark?.line, keyPath: keyPath + ".expr",
        error: .syntax(
          expression: exprText, offset: 0,
          message:
            "a rule expression must be an instant vector or scalar, got \(expression.type.rawValue)"
        ))
    }
    let labels = try templates(mapping["labels"], file: file, keyPath: keyPath + ".labels")
    if let record {
      for key in ["for", "keep_firing_for", "annotations"] where mapping[key] != nil {
        throw .structure(
          file: file, line: mapping[key]?.mark?.line, keyPath: keyPath + "." + key,
          found: "`\(key)` on a recording rule", expected: "it only on alerting rules")
      }
      return RuleDefinition(
        kind: .recording(record: record), expression: expression, expressionText: exprText,
        labels: labels)
    }
    func duration(_ key: String) throws(RuleFileError) -> Int64 {
      guard let durationNode = mapping[key] else { return 0 }
      guard let text = durationNode.string, let value = parsePrometheusDuration(text) else {
        throw .structure(
          file: file, line: durationNode.mark?.line, keyPath: keyPath + "." + key,
          found: quotedLabelValue(durationNode.string ?? "?"), expected: "a duration such as 5m")
      }
      return value
    }
    let annotations = try templates(
      mapping["annotations"], file: file, keyPath: keyPath + ".annotations")
    return RuleDefinition(
      kind: .alerting(
        alert: alert ?? "", forMs: try duration("for"),
        keepFiringForMs: try duration("keep_firing_for"), annotations: annotations),
      expression: expression, expressionText: exprText, labels: labels)
  }

  private static func templates(_ node: Node?, file: String, keyPath: String) throws(RuleFileError)
    -> [(name: String, template: AlertTemplate)]
  {
    guard let node else { return [] }
    guard let mapping = node.mapping else {
      throw .structure(
        file: file, line: node.mark?.line, keyPath: keyPath, found: "a non-mapping",
        expected: "a mapping of names to values")
    }
    var out: [(name: String, template: AlertTemplate)] = []
    for (key, value) in mapping {
      let name = key.string ?? ""
      do {
        out.append((name, try AlertTemplate(value.string ?? "")))
      } catch {
        throw .template(
          file: file, line: value.mark?.line, keyPath: keyPath + "." + name, error: error)
      }
    }
    return out
  }
}

extension RuleFileLoader {
  /// The plain Prometheus rule file inside a PrometheusRule custom resource (its
  /// `spec`), for tools such as promtool that read only plain rule files; other text is
  /// returned unchanged.
  public static func plainRuleFileYAML(_ yaml: String, file: String) throws(RuleFileError) -> String
  {
    do {
      guard let root = try Yams.compose(yaml: yaml),
        root.mapping?["kind"]?.string == "PrometheusRule",
        let spec = root.mapping?["spec"]
      else { return yaml }
      return try Yams.serialize(node: spec)
    } catch {
      throw .yaml(file: file, message: "\(error)")
    }
  }
}
