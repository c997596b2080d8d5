import InputReading

extension InputFormat {
  /// A plain Prometheus rule file (`groups:`), as `promtool check rules` reads it.
  public static let prometheusRuleFile = InputFormat(
    name: "rule-file", title: "Prometheus rule file (as PlatformSim reads it)",
    fileDescription: "a Prometheus rule file", schemaID: "https://platformsim.dev/schemas/rule-file.json",
    root: RuleFileSchema.RuleFile.self, conventions: .prometheus, signature: FormatSignature(keys: ["groups"]))

  /// A prometheus-operator `PrometheusRule` resource, whose `spec` is a rule file.
  public static let prometheusRule = InputFormat(
    name: "prometheus-rule", title: "PrometheusRule (as PlatformSim reads it)",
    fileDescription: "a PrometheusRule resource", schemaID: "https://platformsim.dev/schemas/prometheus-rule.json",
    root: RuleFileSchema.PrometheusRule.self, conventions: .prometheus,
    signature: FormatSignature(kinds: ["PrometheusRule"], apiVersions: ["monitoring.coreos.com/v1"]))
}

/// The keys of Prometheus rule files, after `rulefmt` in Prometheus 2.42
/// (pkg/rulefmt/rulefmt.go): `RuleGroups`, `RuleGroup` and `RuleNode`, and the
/// PrometheusRule custom resource (`monitoring.coreos.com/v1`) that wraps them.
public enum RuleFileSchema {
  final class RuleFile: ObjectKeys {
    static let schema = ObjectSchema<RuleFile>(
      "RuleFile", "A Prometheus rule file: groups of recording and alerting rules (rulefmt).")
    let groups = Field("groups", .list(.object(RuleGroup.self)), "Rule groups; names are unique in a file.")
  }

  /// Only `spec.groups` is read; the resource's other keys are the operator's.
  final class PrometheusRule: ObjectKeys {
    static let schema = ObjectSchema<PrometheusRule>(
      "PrometheusRule", "A prometheus-operator PrometheusRule: a rule file in `spec`.", unknownKeys: .accepted)
    let apiVersion = Field("apiVersion", .any(.string()), "`monitoring.coreos.com/v1`.")
    let kind = Field("kind", .choice(["PrometheusRule"]), required: true, "Always `PrometheusRule`.")
    let metadata = Field("metadata", .any(.any(description: "resource metadata")), "Name, namespace, labels.")
    let spec = Field("spec", .object(PrometheusRuleSpec.self), "The rule file.")
  }

  final class PrometheusRuleSpec: ObjectKeys {
    static let schema = ObjectSchema<PrometheusRuleSpec>(
      "PrometheusRuleSpec", "`PrometheusRule.spec`: the rule groups.", unknownKeys: .accepted)
    let groups = Field("groups", .list(.object(RuleGroup.self)), "Rule groups; names are unique in a resource.")
  }

  final class RuleGroup: ObjectKeys {
    static let schema = ObjectSchema<RuleGroup>("RuleGroup", "Rules evaluated together, in order, at one interval.")
    let name = Field("name", .string(), required: true, "Group name, unique in the file.")
    let interval = Field(
      "interval", .prometheusDuration(positive: true), default: "the global evaluation interval",
      "How often the group is evaluated.")
    let rules = Field("rules", .list(.object(Rule.self)), "Recording and alerting rules, evaluated in order.")
    let limit = Field("limit", .any(.integer(minimum: 0)), "Series limit; accepted, not enforced.")
    let queryOffset = Field("query_offset", .any(.string()), "Query offset; accepted, not applied.")
  }

  final class Rule: ObjectKeys {
    static let schema = ObjectSchema<Rule>("Rule", "A recording rule (`record`) or an alerting rule (`alert`).")
    let record = Field("record", .nodeText, "Name of the series a recording rule writes.")
    let alert = Field("alert", .nodeText, "Name of the alert an alerting rule fires.")
    let expr = Field("expr", .nodeText, required: true, "PromQL: an instant vector or a scalar.")
    let `for` = Field(
      "for", .prometheusDuration(positive: false), default: "0s",
      "Alerting rules: how long the condition holds before the alert fires.")
    let keepFiringFor = Field(
      "keep_firing_for", .prometheusDuration(positive: false), default: "0s",
      "Alerting rules: how long the alert keeps firing after the condition clears.")
    let labels = Field("labels", .dictionary(.templateText), "Labels added (templates on alerting rules).")
    let annotations = Field("annotations", .dictionary(.templateText), "Alerting rules: annotation templates.")
  }
}

extension Shape where Value == Int64 {
  /// A Prometheus duration (`30s`, `5m`, `1h30m`; `model.ParseDuration`), in milliseconds.
  static func prometheusDuration(positive: Bool) -> Shape {
    let expectation = positive ? "a positive duration such as `30s` or `1m`" : "a duration such as `5m`"
    return .custom(.string(pattern: #"^(([0-9]+)(y|w|d|h|m|s|ms))+$|^0$"#)) { value in
      guard let text = value.scalarText, !value.isNull else {
        value.mismatch(expected: expectation)
        return nil
      }
      let milliseconds: Int64
      switch PrometheusDurationParse(text) {
      case .milliseconds(let parsed): milliseconds = parsed
      case .malformed:
        value.mismatch(expected: expectation)
        return nil
      case .outOfRange:
        value.error("duration out of range: \(text)", hint: "at most 292 years (Go's time.Duration)")
        return nil
      }
      guard !positive || milliseconds > 0 else {
        value.mismatch(expected: expectation)
        return nil
      }
      return milliseconds
    }
  }
}

extension Shape where Value == String {
  /// A scalar's text as written, a `null` literal included: rulefmt keeps `record`,
  /// `alert` and `expr` as YAML nodes and reads their text, so `record: null` names the
  /// series `null` in Prometheus too.
  static var nodeText: Shape {
    .custom(.string(), readsNull: true) { value in
      guard let text = value.scalarText else {
        value.mismatch(expected: "a string")
        return nil
      }
      return text
    }
  }

  /// A label or annotation value: any scalar, `null` being empty (Go's zero value).
  static var templateText: Shape {
    .custom(.string()) { value in
      guard let text = value.scalarText else {
        value.mismatch(expected: "a string")
        return nil
      }
      return value.isNull ? "" : text
    }
  }
}
