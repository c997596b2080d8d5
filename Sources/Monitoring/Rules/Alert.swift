/// The state of an alert instance (Prometheus `rules.AlertState`).
public enum AlertState: String, Sendable {
  case pending, firing, inactive
}

/// One alert instance of an alerting rule: an output element of its expression.
///
/// Mirrors `rules.Alert` in Prometheus 2.42 rules/alerting.go. Times are milliseconds
/// of simulated time.
public struct Alert: Sendable {
  /// Labels: the element's labels without `__name__`, the rule's (templated) labels and `alertname`.
  public var labels: Labels
  /// Expanded annotations, sorted by name.
  public var annotations: Labels
  public var state: AlertState
  /// The value of the element at the latest evaluation where it was present.
  public var value: Double
  /// When the instance became pending.
  public var activeAtMs: Int64
  public var firedAtMs: Int64?
  public var resolvedAtMs: Int64?
  /// First evaluation without the element while kept firing by `keep_firing_for`.
  public var keepFiringSinceMs: Int64?
  /// When the instance was last handed to Alertmanager.
  public var lastSentAtMs: Int64?
}

/// A change of an alert's state, observable by Alertmanager routing and result stores.
public struct AlertTransition: Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// A new instance appeared and waits for `for`.
    case pending
    /// The instance started firing (possibly at its first evaluation when `for` is 0).
    case firing
    /// A firing instance stopped firing (after `keep_firing_for`, if any).
    case resolved
    /// A pending instance disappeared before firing; its `for` clock is reset.
    case cancelled
  }

  public var kind: Kind
  public var group: String
  public var rule: String
  public var labels: Labels
  public var annotations: Labels
  /// Evaluation time of the transition.
  public var atMs: Int64
  /// When the instance became pending.
  public var activeAtMs: Int64
  /// The element's value at the last evaluation where it was present.
  public var value: Double

  public var description: String {
    "\(formatPrometheusDuration(milliseconds: atMs)) \(kind.rawValue) \(labels) value=\(formatGoFloat(value))"
  }
}

/// A rule failed at one evaluation (Prometheus keeps it as the rule's `LastError`).
public struct RuleEvaluationError: Error, Sendable, CustomStringConvertible {
  public var group: String
  public var rule: String
  public var atMs: Int64
  public var message: String

  public var description: String {
    "rule \(quotedLabelValue(rule)) in group \(quotedLabelValue(group)) at \(formatPrometheusDuration(milliseconds: atMs)): \(message)"
  }
}

/// What one group evaluation produced.
public struct RuleGroupEvaluation: Sendable {
  public var transitions: [AlertTransition] = []
  public var errors: [RuleEvaluationError] = []
  /// Number of samples written (recorded series, `ALERTS`, staleness markers).
  public var samplesWritten = 0
  /// Alerts to hand to Alertmanager after this evaluation (Prometheus `sendAlerts`).
  public var alertsToSend: [OutgoingAlert] = []
}

/// An alert as the rule manager posts it to Alertmanager.
///
/// Mirrors `rules.SendAlerts` in Prometheus 2.42 rules/manager.go: `startsAt` is when the
/// alert started firing; `endsAt` is when it resolved, or for a firing alert
/// `ts + 4 × max(interval, resend delay)` so that Alertmanager resolves it on its own if
/// Prometheus stops sending.
public struct OutgoingAlert: Sendable {
  public var labels: Labels
  public var annotations: Labels
  public var startsAtMs: Int64
  public var endsAtMs: Int64
  /// The evaluation that sent it.
  public var sentAtMs: Int64
  /// Whether the alert is resolved (`endsAt` in the past from Alertmanager's view).
  public var isResolved: Bool
}
