import InputReading

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
