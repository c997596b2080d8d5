import SimKernel

extension Alertmanager {
  /// One tick of a group's timer: `aggrGroup.run` resets the timer to
  /// `group_interval`, then `flush` runs the notification pipeline over the group's
  /// alerts and deletes the ones it saw resolved.
  func flush(_ id: GroupID) {
    guard var group = groups[id] else { return }
    let route = config.routes[group.route.index]
    group.nextFlush = now + route.groupInterval
    group.hasFlushed = true
    groups[id] = group
    guard !group.alerts.isEmpty else { return }

    // Alerts resolve as of this instant; firing ones have their end cleared.
    let alerts = group.alerts.values.sorted { AlertmanagerText.alertSortsBefore($0.labels, $1.labels) }
    let resolvedFingerprints = alerts.filter { $0.isResolved(at: now) }.map(\.fingerprint)

    notify(group: group, route: route, alerts: alerts)

    // `DeleteIfNotModified`: nothing can change during a simulated flush.
    for fingerprint in resolvedFingerprints { groups[id]?.alerts[fingerprint] = nil }
  }

  /// The pipeline for one group: inhibition, active and mute time intervals,
  /// silences, then for
  /// each integration de-duplication against the notification log, the retry
  /// stage's filtering and the log update (`createReceiverStage` in notify/notify.go).
  func notify(group: AggregationGroup, route: AlertRoute, alerts: [StoredAlert]) {
    // MuteStage(inhibitor): muted alerts leave the pipeline whatever their state.
    var visible = alerts.filter { !isInhibited($0.labels) }
    // TimeActiveStage, then TimeMuteStage.
    if let clock = timeIntervals {
      if !route.activeTimeIntervals.isEmpty, !clock.isInside(anyOf: route.activeTimeIntervals, at: now) { visible = [] }
      if !route.muteTimeIntervals.isEmpty, clock.isInside(anyOf: route.muteTimeIntervals, at: now) { visible = [] }
    }
    // MuteStage(silencer).
    if !silences.isEmpty { visible = visible.filter { !isSilenced($0.labels) } }
    // MultiStage stops when no alerts are left: no dedup, no log update.
    guard !visible.isEmpty, let receiver = config.receiver(named: route.receiver) else { return }

    let firing = Set(visible.filter { !$0.isResolved(at: now) }.map(\.fingerprint))
    let resolved = Set(visible.filter { $0.isResolved(at: now) }.map(\.fingerprint))
    for integration in receiver.integrations {
      let logKey = NotificationLogKey(
        groupKey: group.key, receiver: receiver.name, integration: integration.kind, integrationIndex: integration.index
      )
      let entry = notificationLog[logKey].flatMap { isCollectedByNotificationLogGC($0) ? nil : $0 }
      guard
        let reason = Self.needsUpdate(
          entry: entry, firing: firing, resolved: resolved, sendResolved: integration.sendResolved,
          repeatInterval: route.repeatInterval, now: now)
      else { continue }

      // RetryStage: without send_resolved only firing alerts go out, and nothing at
      // all when none fire; the log is updated either way.
      var sent = integration.sendResolved ? visible : visible.filter { !$0.isResolved(at: now) }
      // `SetNotifiesStage`: the entry expires after 2 × repeat_interval (at most the
      // retention), so a group muted that long is new to the receiver again.
      let expiry = min(Self.notificationLogRetention, route.repeatInterval * 2)
      notificationLog[logKey] = NotificationLogEntry(
        firing: firing, resolved: resolved, timestamp: now, expiresAt: now + expiry)
      guard !sent.isEmpty else { continue }
      var truncated = 0
      if integration.maxAlerts > 0, sent.count > integration.maxAlerts {
        truncated = sent.count - integration.maxAlerts
        sent = Array(sent.prefix(integration.maxAlerts))
      }
      let notified = sent.map { alert in
        let isResolved = alert.isResolved(at: now)
        return NotifiedAlert(
          labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt,
          endsAt: isResolved ? alert.endsAt : nil, status: isResolved ? .resolved : .firing,
          generatorURL: alert.generatorURL)
      }
      notifications.append(
        AlertmanagerNotification(
          time: now, receiver: receiver.name, integration: integration.kind, integrationIndex: integration.index,
          groupKey: group.key, groupLabels: group.labels, route: group.route,
          status: notified.contains { $0.status == .firing } ? .firing : .resolved, reason: reason, alerts: notified,
          truncatedAlerts: truncated, url: integration.url, action: integration.action))
    }
  }

  /// Whether, and why, this flush is worth a notification given the last one logged.
  ///
  /// Mirrors `DedupStage.needsUpdate` in notify/notify.go. `nil` means stay silent.
  static func needsUpdate(
    entry: NotificationLogEntry?, firing: Set<String>, resolved: Set<String>, sendResolved: Bool,
    repeatInterval: SimDuration, now: SimTime
  ) -> AlertmanagerNotification.Reason? {
    guard let entry else { return firing.isEmpty ? nil : .firstNotification }
    if !firing.isSubset(of: entry.firing) {
      return entry.firing.isEmpty ? .firstNotification : .newAlertsInGroup
    }
    if firing.isEmpty {
      // Fired and resolved between flushes: the receiver never heard of them.
      return entry.firing.isEmpty ? nil : .allAlertsResolved
    }
    if sendResolved && !resolved.isSubset(of: entry.resolved) { return .newResolvedAlerts }
    // Checked only at flushes, so effectively rounded up to group_interval ticks.
    return entry.timestamp < now - repeatInterval ? .repeatIntervalElapsed : nil
  }

  /// `Inhibitor.Mutes`: a firing source alert with equal `equal` labels mutes a
  /// target; an alert matching both sides is not muted by alerts matching both.
  func isInhibited(_ labels: [String: String]) -> Bool {
    for (ruleIndex, rule) in config.inhibitRules.enumerated() where rule.targetMatchers.allMatch(labels) {
      let excludeTwoSided = rule.sourceMatchers.allMatch(labels)
      // Any order gives the same answer: the question is whether one source exists.
      for source in inhibitionSources[ruleIndex].values where !source.isResolved(at: now) {
        guard rule.equal.allSatisfy({ (source.labels[$0] ?? "") == (labels[$0] ?? "") }) else { continue }
        if excludeTwoSided && rule.targetMatchers.allMatch(source.labels) { continue }
        return true
      }
    }
    return false
  }
}
