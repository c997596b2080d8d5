import InputReading
import SimKernel
import Testing

@testable import Monitoring

/// Seconds and minutes as simulated times, to keep timing tables readable.
func at(_ text: String) -> SimTime {
  guard let duration = SimDuration(parsing: text) else {
    Issue.record("bad time \(text)")
    return .zero
  }
  return SimTime.zero + duration
}

/// A firing alert that stays firing far beyond the test horizon.
func firing(_ labels: [String: String], since start: String = "0s", until end: String = "100h") -> AlertInput {
  AlertInput(labels: labels, startsAt: at(start), endsAt: at(end))
}

/// Drives an Alertmanager like a discrete-event simulation: posts and timer
/// wake-ups in time order, posts first when they coincide.
func driveAlertmanager(_ alertmanager: Alertmanager, posts: [(time: SimTime, alerts: [AlertInput])], until end: SimTime)
{
  var pending = posts.sorted { $0.time < $1.time }
  while true {
    let nextPost = pending.first?.time
    let wakeUp = alertmanager.nextWakeUp
    if let nextPost, nextPost <= end, wakeUp.map({ nextPost <= $0 }) ?? true {
      alertmanager.receive(alerts: pending.removeFirst().alerts, at: nextPost)
      continue
    }
    if let wakeUp, wakeUp <= end {
      alertmanager.advance(to: wakeUp)
      continue
    }
    break
  }
  alertmanager.advance(to: end)
}

/// Parses a configuration that the test expects to be valid.
func parseConfig(_ yaml: String, file: String = "alertmanager.yml") throws -> AlertmanagerConfig {
  do {
    return try AlertmanagerConfig.parse(yaml: yaml, file: file)
  } catch {
    Issue.record("unexpected configuration errors:\n\(error)")
    throw error
  }
}

/// Parses a configuration that the test expects to be refused, returning the diagnostics.
func parseErrors(_ yaml: String, file: String = "alertmanager.yml") -> [Diagnostic] {
  do {
    _ = try AlertmanagerConfig.parse(yaml: yaml, file: file)
    Issue.record("expected configuration errors, got none")
    return []
  } catch {
    return error.diagnostics
  }
}

/// `(time, receiver, reason, alert names)` rows, compact enough for timing tables.
func notificationTable(_ notifications: [AlertmanagerNotification]) -> [String] {
  notifications.map { notification in
    let names = notification.alerts.map {
      ($0.labels["instance"] ?? $0.labels["alertname"] ?? "?") + ($0.status == .resolved ? "-resolved" : "")
    }
    return
      "\(SimDuration(microseconds: notification.time.microseconds)) \(notification.receiver)/\(notification.integration) \(notification.reason.rawValue) \(names.joined(separator: ","))"
  }
}

/// Whether a diagnostic says what `problem` says (its message and hint).
func says(_ diagnostic: Diagnostic?, _ problem: AlertmanagerProblem) -> Bool {
  diagnostic?.message == problem.message && diagnostic?.hint == problem.hint
}
