import SimKernel
import Testing

@testable import Monitoring

/// Inhibition (`Inhibitor.Mutes`): a firing source alert mutes matching targets with
/// equal labels, evaluated at every flush; an alert matching both sides does not
/// inhibit itself or its peers.
@Suite struct AlertmanagerInhibitionTests {
  static let yaml = """
    route:
      receiver: hook
      group_by: [alertname, service]
    receivers:
      - name: hook
        webhook_configs:
          - url: http://hook.example/
    inhibit_rules:
      - source_matchers: [severity="critical"]
        target_matchers: [severity="warning"]
        equal: [service]
      - source_match:
          alertname: NodeDown
        target_match_re:
          alertname: .+
        equal: [node]
    """

  @Test func criticalMutesWarningsOfTheSameServiceUntilItResolves() throws {
    let alertmanager = Alertmanager(config: try parseConfig(Self.yaml))
    driveAlertmanager(
      alertmanager,
      posts: [
        (
          .zero,
          [
            firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "a"], until: "3m"),
            firing(["alertname": "LatencyHigh", "severity": "warning", "service": "a"]),
            firing(["alertname": "LatencyHigh", "severity": "warning", "service": "b"]),
          ]
        )
      ], until: at("10m"))
    #expect(
      alertmanager.notifications.map { "\($0.time) \($0.groupKey) \($0.reason.rawValue)" } == [
        #"t+30s {}:{alertname="ErrorRateHigh", service="a"} firstNotification"#,
        // service=b has no critical alert: not muted.
        #"t+30s {}:{alertname="LatencyHigh", service="b"} firstNotification"#,
        #"t+5m30s {}:{alertname="ErrorRateHigh", service="a"} allAlertsResolved"#,
        // Muted at 30s (nothing logged), so once the source resolves it is new.
        #"t+5m30s {}:{alertname="LatencyHigh", service="a"} firstNotification"#,
      ])
  }

  @Test func missingEqualLabelsCountAsEmptyAndMatch() throws {
    let alertmanager = Alertmanager(config: try parseConfig(Self.yaml))
    driveAlertmanager(
      alertmanager,
      posts: [
        (
          .zero,
          [
            firing(["alertname": "ClusterDown", "severity": "critical"]),
            firing(["alertname": "Slow", "severity": "warning"]),
          ]
        )
      ], until: at("1m"))
    #expect(alertmanager.notifications.map { $0.alerts.first?.labels["alertname"] } == ["ClusterDown"])
  }

  @Test func alertsMatchingBothSidesDoNotInhibitThemselves() throws {
    let alertmanager = Alertmanager(config: try parseConfig(Self.yaml))
    driveAlertmanager(
      alertmanager,
      posts: [
        (
          .zero,
          [
            firing(["alertname": "NodeDown", "node": "n1", "service": "infra"]),
            firing(["alertname": "NodeDown", "node": "n1", "service": "infra2"]),
            firing(["alertname": "DiskFull", "node": "n1", "service": "infra"]),
            firing(["alertname": "DiskFull", "node": "n2", "service": "infra"]),
          ]
        )
      ], until: at("1m"))
    // NodeDown matches both sides of rule 2, so neither NodeDown mutes the other;
    // DiskFull on n1 is muted, DiskFull on n2 is not (node differs).
    #expect(
      alertmanager.notifications.map { $0.alerts.map { "\($0.labels["alertname"] ?? "")@\($0.labels["node"] ?? "")" } }
        == [
          ["DiskFull@n2"], ["NodeDown@n1"], ["NodeDown@n1"],
        ])
  }

  @Test func aSourceThatOnlyStartsFiringLaterMutesFromTheNextFlush() throws {
    let alertmanager = Alertmanager(config: try parseConfig(Self.yaml))
    driveAlertmanager(
      alertmanager,
      posts: [
        (.zero, [firing(["alertname": "LatencyHigh", "severity": "warning", "service": "a"])]),
        (at("1m"), [firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "a"], since: "1m")]),
      ], until: at("5h"))
    // The warning went out at 30s; from then on it is muted, so no repeat at 4h+.
    let warnings = alertmanager.notifications.filter { $0.groupLabels["alertname"] == "LatencyHigh" }
    #expect(warnings.map(\.time) == [at("30s")])
    let critical = alertmanager.notifications.filter { $0.groupLabels["alertname"] == "ErrorRateHigh" }
    #expect(critical.map(\.time) == [at("1m30s"), at("4h6m30s")])
  }

  @Test(arguments: [(nil as String?, ["30s", "20m30s"]), ("10m", ["30s", "10m30s"])])
  func silencesHoldNotificationsWhileActive(expireAt: String?, expected: [String]) throws {
    let alertmanager = Alertmanager(config: try parseConfig(Self.yaml))
    let first = ["alertname": "QueueBacklog", "service": "a", "instance": "1"]
    let second = ["alertname": "QueueBacklog", "service": "a", "instance": "2"]
    alertmanager.receive(alerts: [firing(first)], at: .zero)
    alertmanager.advance(to: at("2m"))
    let silence = alertmanager.addSilence(
      matchers: [try AlertmanagerMatcher(name: "alertname", op: .equal, value: "QueueBacklog")], startsAt: at("2m"),
      endsAt: at("20m"), comment: "known backlog, draining")
    if let expireAt {
      driveAlertmanager(alertmanager, posts: [(at("3m"), [firing(second, since: "3m")])], until: at(expireAt))
      alertmanager.expireSilence(silence)
      #expect(alertmanager.silences.first?.isActive(at: at(expireAt)) == false)
    }
    driveAlertmanager(
      alertmanager, posts: expireAt == nil ? [(at("3m"), [firing(second, since: "3m")])] : [], until: at("30m"))
    // The second instance arrived while silenced: it is new to the log when the
    // silence ends, so the next tick sends both.
    #expect(alertmanager.notifications.map(\.time) == expected.map(at))
    #expect(alertmanager.notifications.last?.alerts.count == 2)
  }

  @Test(arguments: [
    // Log entry (expiry 2 × 1h from 30s) still there at 1h30m30s: a plain repeat.
    ("1h30m", "1h30m30s", AlertmanagerNotification.Reason.repeatIntervalElapsed),
    // Gone by the 2h15m log GC: after the silence the group is new to the receiver.
    ("5h", "5h0m30s", .firstNotification),
  ])
  func notificationLogEntriesExpireAfterTwiceTheRepeatInterval(
    silenceEnd: String, expectedTime: String, expectedReason: AlertmanagerNotification.Reason
  ) throws {
    let alertmanager = Alertmanager(
      config: try parseConfig(
        Self.yaml.replacingOccurrences(
          of: "  group_by: [alertname, service]", with: "  group_by: [alertname]\n  repeat_interval: 1h")))
    alertmanager.receive(alerts: [firing(["alertname": "QueueBacklog"])], at: .zero)
    alertmanager.advance(to: at("1m"))
    alertmanager.addSilence(
      matchers: [try AlertmanagerMatcher(name: "alertname", op: .equal, value: "QueueBacklog")], startsAt: at("1m"),
      endsAt: at(silenceEnd))
    driveAlertmanager(alertmanager, posts: [], until: at(expectedTime))
    #expect(alertmanager.notifications.map(\.reason) == [.firstNotification, expectedReason])
    #expect(alertmanager.notifications.last?.time == at(expectedTime))
  }
}
