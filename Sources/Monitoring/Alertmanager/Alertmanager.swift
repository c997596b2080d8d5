import SimKernel

/// A simulated Alertmanager: receives alerts, routes them into aggregation groups,
/// and emits notifications at the times the real one would, driven by simulated time.
///
/// Why a class: it is a long-lived owner of mutable state (alerts, groups, the
/// notification log) that the World drives through three calls:
///
/// - ``receive(alerts:at:)`` when Prometheus posts alerts,
/// - ``nextWakeUp`` to schedule the next timer as a simulation event,
/// - ``advance(to:)`` when that event fires; it returns the notifications sent.
///
/// It mirrors alertmanager at commit 68fb2d5759b3 (2026-08-22):
/// - routing: `Route.Match` in dispatch/route.go;
/// - groups and timers: `Dispatcher.processAlert`, `aggrGroup.run`, `insert` and
///   `flush` in dispatch/dispatch.go and dispatch/group.go — the first flush
///   `group_wait` after the group is created (at once if the alert's `startsAt +
///   group_wait` has already passed), then every `group_interval`; empty groups are
///   removed by the dispatcher's maintenance every 30 s;
/// - the API and the alert store: `postAlertsHandler` defaults and `mem.Alerts.Put`
///   merging in provider/mem/mem.go, `Alert.Merge` in types/types.go;
/// - inhibition: `Inhibitor.Mutes` in inhibit/inhibit.go; silences added by the
///   caller (`MuteStage(silencer)`);
/// - de-duplication: `DedupStage.needsUpdate` in notify/notify.go (the classic path
///   of notify/dedup_stage.go), `RetryStage` dropping resolved alerts for
///   integrations without `send_resolved`, `SetNotifiesStage` logging the result.
///
/// Determinism: no wall clock, no threads; timers due at the same instant run in
/// group-key order (then route order), and flushes at an instant run before the
/// maintenance sweep at that instant.
///
/// - Complexity: each timer event costs O(groups) to find plus O(a log a) to flush a
///   group of `a` alerts; matching an alert costs O(routes × matchers).
public final class Alertmanager {
  public let config: AlertmanagerConfig

  /// The simulated time up to which events have been processed.
  public private(set) var now: SimTime
  /// Every notification sent so far, in the order sent.
  public internal(set) var notifications: [AlertmanagerNotification] = []

  /// The dispatcher's maintenance period (`maintenance := time.NewTicker(30 * time.Second)`).
  public static let maintenanceInterval = SimDuration.seconds(30)
  /// `--alerts.gc-interval`: resolved alerts leave the alert store at these ticks.
  public static let alertStoreGCInterval = SimDuration.minutes(30)
  /// `--data.retention`: the longest a notification log entry is kept.
  public static let notificationLogRetention = SimDuration.hours(120)
  /// `--data.maintenance-interval`: expired notification log entries go at these ticks.
  public static let notificationLogGCInterval = SimDuration.minutes(15)

  /// When the process started; maintenance and GC tick from here.
  let startTime: SimTime
  /// The alert store (`provider/mem`), by fingerprint.
  var store: [String: StoredAlert] = [:]
  /// One source-alert cache per inhibition rule (`InhibitRule.scache`), by fingerprint.
  var inhibitionSources: [[String: StoredAlert]]
  /// Live aggregation groups.
  var groups: [GroupID: AggregationGroup] = [:]
  /// When the last maintenance sweep ran; the next one is a later tick.
  var lastMaintenance: SimTime
  /// The notification log (`nflog`), by group key, receiver and integration.
  var notificationLog: [NotificationLogKey: NotificationLogEntry] = [:]
  let timeIntervals: TimeIntervalClock?
  /// Silences added through ``addSilence(matchers:startsAt:endsAt:comment:)``, by ``SilenceID``.
  public internal(set) var silences: [Silence] = []

  /// - Parameters:
  ///   - config: a parsed alertmanager.yml.
  ///   - startTime: when the process starts; timers tick from here.
  ///   - calendarStartEpochSeconds: the UTC instant of simulated time zero, used
  ///     only to evaluate `time_intervals` on the wall clock.
  ///   - horizon: how far ahead time-zone offsets are prepared for `time_intervals`.
  public init(
    config: AlertmanagerConfig, startTime: SimTime = .zero, calendarStartEpochSeconds: Int64 = 0,
    horizon: SimDuration = .days(400)
  ) {
    self.config = config
    self.startTime = startTime
    now = startTime
    lastMaintenance = startTime
    inhibitionSources = Array(repeating: [:], count: config.inhibitRules.count)
    timeIntervals =
      config.timeIntervals.isEmpty
      ? nil
      : TimeIntervalClock(
        intervals: config.timeIntervals, startEpochSeconds: calendarStartEpochSeconds, horizon: horizon)
  }

  // MARK: - Input

  /// Accepts alerts posted at `at`, as `POST /api/v2/alerts` would.
  ///
  /// Timers due strictly before `at` run first; timers due exactly at `at` (including
  /// the immediate flush of a late-arriving alert) run on the next ``advance(to:)``,
  /// so they see these alerts.
  ///
  /// - Returns: the alerts refused (no labels, invalid label names, `endsAt` before
  ///   `startsAt`); the others are accepted.
  @discardableResult
  public func receive(alerts: [AlertInput], at time: SimTime) -> [AlertRejection] {
    precondition(time >= now, "Alertmanager.receive(at: \(time)) is earlier than the current time \(now)")
    if time > now { runEvents(through: time - SimDuration(microseconds: 1)) }
    now = time
    var rejections: [AlertRejection] = []
    for (index, input) in alerts.enumerated() {
      if let reason = Self.validationFailure(input) {
        rejections.append(AlertRejection(index: index, labels: input.labels, reason: reason))
        continue
      }
      ingest(input)
    }
    return rejections
  }

  static func validationFailure(_ input: AlertInput) -> String? {
    if input.labels.isEmpty { return "at least one label pair required" }
    for name in input.labels.keys.sorted() where !AlertmanagerText.isValidLabelName(name) {
      return "invalid label set: invalid name \(AlertmanagerText.quoted(name))"
    }
    if let startsAt = input.startsAt, let endsAt = input.endsAt, endsAt < startsAt {
      return "start time must be before end time"
    }
    return nil
  }

  func ingest(_ input: AlertInput) {
    // API defaults (api/v2 postAlertsHandler).
    let startsAt = input.startsAt ?? input.endsAt ?? now
    let endsAt = input.endsAt ?? now + config.resolveTimeout
    var alert = StoredAlert(
      fingerprint: AlertmanagerText.labelSetText(input.labels), labels: input.labels, annotations: input.annotations,
      startsAt: startsAt,
      endsAt: endsAt, updatedAt: now, timeout: input.endsAt == nil, generatorURL: input.generatorURL)

    // The alert store merges overlapping versions (mem.Alerts.Put).
    if let old = store[alert.fingerprint], !isCollectedByGC(old) {
      let overlaps =
        (alert.endsAt > old.startsAt && alert.endsAt < old.endsAt)
        || (alert.startsAt > old.startsAt && alert.startsAt < old.endsAt)
      if overlaps { alert = Self.merge(old, alert, now: now) }
    }
    store[alert.fingerprint] = alert

    // The inhibitor caches every alert matching a rule's source side.
    for (ruleIndex, rule) in config.inhibitRules.enumerated() where rule.sourceMatchers.allMatch(alert.labels) {
      inhibitionSources[ruleIndex][alert.fingerprint] = alert
    }

    // The dispatcher puts it into one group per matching route.
    for routeID in config.matchingRoutes(for: alert.labels) {
      let route = config.routes[routeID.index]
      let groupLabels = route.groupByAll ? alert.labels : alert.labels.filter { route.groupBy.contains($0.key) }
      let labelsText = AlertmanagerText.labelSetText(groupLabels)
      let id = GroupID(route: routeID, labelsText: labelsText)
      if groups[id] == nil {
        groups[id] = AggregationGroup(
          route: routeID, key: AlertGroupKey(route.key + ":" + labelsText), labels: groupLabels,
          nextFlush: now + route.groupWait)
      }
      groups[id]?.alerts[alert.fingerprint] = alert
      // `aggrGroup.insert`: flush at once if this alert has waited group_wait already.
      if let group = groups[id], !group.hasFlushed, alert.startsAt + route.groupWait < now {
        groups[id]?.nextFlush = now
      }
    }
  }

  /// `Alert.Merge` in types/types.go: the younger version wins, keeping the earliest
  /// start; an explicit later end survives unless it was a timeout.
  static func merge(_ first: StoredAlert, _ second: StoredAlert, now: SimTime) -> StoredAlert {
    if second.updatedAt < first.updatedAt { return merge(second, first, now: now) }
    var result = second
    if first.startsAt < second.startsAt { result.startsAt = first.startsAt }
    if second.isResolved(at: now) {
      if first.isResolved(at: now) && first.endsAt > second.endsAt { result.endsAt = first.endsAt }
    } else if first.endsAt > second.endsAt && !first.timeout {
      result.endsAt = first.endsAt
    }
    return result
  }

  /// Whether the alert store's periodic GC has removed this alert by now: it was
  /// resolved at the latest GC tick.
  func isCollectedByGC(_ alert: StoredAlert) -> Bool {
    let elapsed = (now - startTime).microseconds
    let ticks = elapsed / Self.alertStoreGCInterval.microseconds
    guard ticks > 0 else { return false }
    let lastTick = startTime + Self.alertStoreGCInterval * ticks
    return alert.isResolved(at: lastTick)
  }

  /// Whether the notification log's periodic GC has removed this entry by now: it
  /// had expired at the latest GC tick (`Log.GC` in nflog/nflog.go).
  func isCollectedByNotificationLogGC(_ entry: NotificationLogEntry) -> Bool {
    let ticks = (now - startTime).microseconds / Self.notificationLogGCInterval.microseconds
    guard ticks > 0 else { return false }
    return startTime + Self.notificationLogGCInterval * ticks >= entry.expiresAt
  }

  // MARK: - Time

  /// The earliest simulated time at which Alertmanager has something to do (a group
  /// flush or a maintenance sweep of empty groups), or `nil` if nothing is pending.
  public var nextWakeUp: SimTime? {
    var earliest: SimTime?
    for group in groups.values where earliest.map({ group.nextFlush < $0 }) ?? true {
      earliest = group.nextFlush
    }
    if let sweep = nextMaintenance(), earliest.map({ sweep < $0 }) ?? true {
      earliest = sweep
    }
    return earliest
  }

  /// Runs every timer due at or before `time` and returns the notifications sent.
  @discardableResult
  public func advance(to time: SimTime) -> [AlertmanagerNotification] {
    precondition(time >= now, "Alertmanager.advance(to: \(time)) is earlier than the current time \(now)")
    let before = notifications.count
    runEvents(through: time)
    now = time
    return Array(notifications[before...])
  }

  /// The next maintenance tick, if there is an empty group for it to remove.
  ///
  /// Ticks are at `startTime + k·30s`; the next one is the first at or after `now`
  /// that is later than the last sweep.
  func nextMaintenance() -> SimTime? {
    guard groups.values.contains(where: { $0.alerts.isEmpty }) else { return nil }
    let interval = Self.maintenanceInterval.microseconds
    let elapsed = (now - startTime).microseconds
    let swept = (lastMaintenance - startTime).microseconds / interval
    let ticks = max(swept + 1, (elapsed + interval - 1) / interval)
    return startTime + SimDuration(microseconds: ticks * interval)
  }

  func runEvents(through limit: SimTime) {
    while true {
      // The earliest due flush, ties in group-key then route order.
      var due: (id: GroupID, group: AggregationGroup)?
      for (id, group) in groups where group.nextFlush <= limit {
        if let current = due {
          let earlier =
            (group.nextFlush, group.key, group.route) < (
              current.group.nextFlush, current.group.key, current.group.route
            )
          if !earlier { continue }
        }
        due = (id, group)
      }
      let sweep = nextMaintenance().flatMap { $0 <= limit ? $0 : nil }
      if let due, sweep.map({ due.group.nextFlush <= $0 }) ?? true {
        now = max(now, due.group.nextFlush)
        flush(due.id)
        continue
      }
      if let sweep {
        now = max(now, sweep)
        lastMaintenance = sweep
        // `Dispatcher.doMaintenance`: empty groups stop and are forgotten.
        groups = groups.filter { !$0.value.alerts.isEmpty }
        // Memory only: collected alerts no longer merge, resolved sources no longer mute.
        store = store.filter { !isCollectedByGC($0.value) }
        inhibitionSources = inhibitionSources.map { $0.filter { !$0.value.isResolved(at: now) } }
        notificationLog = notificationLog.filter { !isCollectedByNotificationLogGC($0.value) }
        continue
      }
      return
    }
  }
}

// MARK: - State

/// An alert in the store: the API input with its defaults applied.
struct StoredAlert: Sendable {
  let fingerprint: String
  let labels: [String: String]
  let annotations: [String: String]
  var startsAt: SimTime
  var endsAt: SimTime
  let updatedAt: SimTime
  /// `EndsAt` was set from `resolve_timeout`, not by the client.
  let timeout: Bool
  let generatorURL: String

  /// `Alert.ResolvedAt`: resolved once `endsAt <= time`.
  func isResolved(at time: SimTime) -> Bool { endsAt <= time }
}

/// Identifies an aggregation group: its route and its group labels.
struct GroupID: Hashable, Sendable {
  let route: RouteID
  let labelsText: String
}

/// `aggrGroup`: the alerts of one route sharing group-label values, and its timer.
struct AggregationGroup: Sendable {
  let route: RouteID
  let key: AlertGroupKey
  let labels: [String: String]
  var alerts: [String: StoredAlert] = [:]
  var nextFlush: SimTime
  var hasFlushed = false

  init(route: RouteID, key: AlertGroupKey, labels: [String: String], nextFlush: SimTime) {
    self.route = route
    self.key = key
    self.labels = labels
    self.nextFlush = nextFlush
  }
}

/// The notification log's key: alertmanager keys `nflog` entries by group key and
/// receiver (name, integration, index).
struct NotificationLogKey: Hashable, Sendable {
  let groupKey: AlertGroupKey
  let receiver: ReceiverName
  let integration: String
  let integrationIndex: Int
}

/// `nflogpb.Entry`: the alerts that were firing and resolved at the last notification.
struct NotificationLogEntry: Sendable {
  let firing: Set<String>
  let resolved: Set<String>
  let timestamp: SimTime
  let expiresAt: SimTime
}
