import SimKernel

/// An alert as Prometheus (or any client) posts it to Alertmanager's API.
///
/// Mirrors the fields of `POST /api/v2/alerts`. An alert counts as resolved once
/// `endsAt <= now`. Without `endsAt` the alert gets `now + resolve_timeout` and is
/// treated as timing out (Prometheus always sets `endsAt`, so this is for other
/// clients). Without `startsAt` it starts now (or at `endsAt`, if that is set).
public struct AlertInput: Hashable, Sendable {
  public var labels: [String: String]
  public var annotations: [String: String]
  public var startsAt: SimTime?
  public var endsAt: SimTime?
  public var generatorURL: String

  public init(
    labels: [String: String], annotations: [String: String] = [:], startsAt: SimTime? = nil, endsAt: SimTime? = nil,
    generatorURL: String = ""
  ) {
    self.labels = labels
    self.annotations = annotations
    self.startsAt = startsAt
    self.endsAt = endsAt
    self.generatorURL = generatorURL
  }
}

/// An alert the API refused, with the reason alertmanager gives (`Alert.Validate`
/// in types/types.go); the other alerts of the same call are still accepted.
public struct AlertRejection: Hashable, Sendable, CustomStringConvertible {
  /// Position in the `alerts` array passed to ``Alertmanager/receive(alerts:at:)``.
  public let index: Int
  public let labels: [String: String]
  public let reason: String
  public var description: String { "alert \(index) \(AlertmanagerText.labelSetText(labels)): \(reason)" }
}

/// Identifies an aggregation group in alertmanager's format.
///
/// The route key, `:`, the group labels, as in
/// `{}/{severity="critical"}:{alertname="ErrorRateHigh"}`. This is the `groupKey`
/// field of webhook payloads (`aggrGroup.GroupKey` in dispatch/dispatch.go) and the
/// key of the notification log.
public struct AlertGroupKey: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public static func < (lhs: AlertGroupKey, rhs: AlertGroupKey) -> Bool {
    AlertmanagerText.byteLess(lhs.rawValue, rhs.rawValue)
  }
  public var description: String { rawValue }
}

/// One alert as it appears in a notification.
public struct NotifiedAlert: Hashable, Sendable {
  public enum Status: String, Hashable, Sendable {
    case firing
    case resolved
  }

  public let labels: [String: String]
  public let annotations: [String: String]
  public let startsAt: SimTime
  /// Set for resolved alerts; `nil` for firing ones, whose end alertmanager clears
  /// before notifying (`aggrGroup.flush`).
  public let endsAt: SimTime?
  public let status: Status
  public let generatorURL: String

  /// The label set as alertmanager prints it: `{alertname="X", severity="critical"}`.
  public var labelsText: String { AlertmanagerText.labelSetText(labels) }
}

/// One notification sent by one integration of one receiver: what a webhook would
/// have POSTed, an email would have said, or a `sim://` action would have requested.
///
/// Field names follow the webhook payload (notify/webhook: `receiver`, `status`,
/// `groupKey`, `groupLabels`, `commonLabels`, `truncatedAlerts`, `alerts`).
public struct AlertmanagerNotification: Sendable {
  /// Why the notification log let it through (`NotifyReason` in notify/dedup_stage.go).
  public enum Reason: String, Hashable, Sendable {
    /// No earlier notification for this group and integration, or the last one
    /// closed the group by resolving everything.
    case firstNotification
    /// A firing alert the last notification did not include.
    case newAlertsInGroup
    /// A resolved alert the last notification did not report (only with `send_resolved`).
    case newResolvedAlerts
    /// Everything resolved after the last notification had firing alerts.
    case allAlertsResolved
    /// Nothing changed, but `repeat_interval` has passed since the last notification.
    case repeatIntervalElapsed
  }

  /// When it was sent.
  public let time: SimTime
  public let receiver: ReceiverName
  /// The integration kind, such as `webhook`, `email` or `slack`.
  public let integration: String
  /// Position in the receiver's `<kind>_configs` list.
  public let integrationIndex: Int
  public let groupKey: AlertGroupKey
  public let groupLabels: [String: String]
  /// The route whose group produced the notification.
  public let route: RouteID
  /// `firing` if any alert in it fires, else `resolved`.
  public let status: NotifiedAlert.Status
  public let reason: Reason
  /// The alerts sent, in alertmanager's order (by `job`, `instance`, then labels).
  public let alerts: [NotifiedAlert]
  /// Alerts left out because of webhook `max_alerts`.
  public let truncatedAlerts: Int
  /// The webhook URL, if any.
  public let url: String?
  /// The platform action for `sim://` webhook URLs; `nil` for ordinary notifications.
  public let action: PlatformAction?

  public var firingAlerts: [NotifiedAlert] { alerts.filter { $0.status == .firing } }
  public var resolvedAlerts: [NotifiedAlert] { alerts.filter { $0.status == .resolved } }

  /// Labels every alert in the notification shares (`commonLabels` of the payload).
  public var commonLabels: [String: String] {
    guard var common = alerts.first?.labels else { return [:] }
    for alert in alerts.dropFirst() {
      common = common.filter { alert.labels[$0.key] == $0.value }
    }
    return common
  }
}
