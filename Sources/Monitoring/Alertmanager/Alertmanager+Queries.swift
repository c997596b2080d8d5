import SimKernel

/// A read-only view of one aggregation group, for reports and debugging.
public struct AlertGroupState: Sendable {
  public let key: AlertGroupKey
  public let route: RouteID
  public let receiver: ReceiverName
  public let labels: [String: String]
  public let firingCount: Int
  public let resolvedCount: Int
  /// When the group's timer fires next.
  public let nextFlush: SimTime
  /// Whether the first flush (after `group_wait`) has happened.
  public let hasFlushed: Bool
}

extension Alertmanager {
  /// Notifications sent to one receiver, in the order sent.
  public func notifications(to receiver: ReceiverName) -> [AlertmanagerNotification] {
    notifications.filter { $0.receiver == receiver }
  }

  /// Notifications sent in a closed time window, in the order sent.
  public func notifications(from start: SimTime, through end: SimTime) -> [AlertmanagerNotification] {
    notifications.filter { $0.time >= start && $0.time <= end }
  }

  /// Notifications that request a platform action (`sim://` webhooks), in order.
  public var actionNotifications: [AlertmanagerNotification] {
    notifications.filter { $0.action != nil }
  }

  /// Forgets notifications already read, returning them; for callers that consume
  /// notifications as they come and want memory to stay flat over long runs.
  public func drainNotifications() -> [AlertmanagerNotification] {
    defer { notifications.removeAll(keepingCapacity: true) }
    return notifications
  }

  /// The live aggregation groups, sorted by group key then route.
  public var groupStates: [AlertGroupState] {
    groups.values.sorted { ($0.key, $0.route) < ($1.key, $1.route) }.map { group in
      let resolved = group.alerts.values.filter { $0.isResolved(at: now) }.count
      return AlertGroupState(
        key: group.key, route: group.route, receiver: config.routes[group.route.index].receiver, labels: group.labels,
        firingCount: group.alerts.count - resolved, resolvedCount: resolved, nextFlush: group.nextFlush,
        hasFlushed: group.hasFlushed)
    }
  }
}

extension AlertmanagerNotification: CustomStringConvertible {
  /// One line: time, receiver/integration, group key, status, alert names — the form
  /// the tests' timing tables compare against.
  public var description: String {
    let names = alerts.map { ($0.labels["alertname"] ?? $0.labelsText) + ($0.status == .resolved ? "(resolved)" : "") }
    return
      "\(time) \(receiver)/\(integration)[\(integrationIndex)] \(groupKey) \(status.rawValue) [\(names.joined(separator: ", "))]"
  }
}
