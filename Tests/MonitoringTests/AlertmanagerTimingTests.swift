import Hashing
import SimKernel
import Testing

@testable import Monitoring

/// Exact notification times for `group_wait`, `group_interval` and
/// `repeat_interval`, checked against alertmanager's aggrGroup and DedupStage
/// semantics (policy-semantics.md §5.2 and trap 8).
@Suite struct AlertmanagerTimingTests {
  /// One route grouped by alertname, a webhook (send_resolved by default) and an
  /// email integration (no send_resolved by default) on the same receiver.
  static func alertmanager(groupWait: String = "30s", groupInterval: String = "5m", repeatInterval: String = "4h")
    throws
    -> Alertmanager
  {
    Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: team
          group_by: [alertname]
          group_wait: \(groupWait)
          group_interval: \(groupInterval)
          repeat_interval: \(repeatInterval)
        receivers:
          - name: team
            webhook_configs:
              - url: http://hooks.example/team
            email_configs:
              - to: team@example.com
                from: alertmanager@example.com
                smarthost: smtp.example.com:587
        """))
  }

  static func errorRate(_ instance: String) -> [String: String] {
    ["alertname": "ErrorRateHigh", "instance": instance]
  }

  @Test func firstFlushAfterGroupWaitLateAlertWaitsForGroupIntervalRepeatRoundsUp() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(
      alertmanager,
      posts: [
        (at("0s"), [firing(Self.errorRate("a"), since: "0s")]),
        (at("1m"), [firing(Self.errorRate("b"), since: "1m")]),
      ], until: at("9h"))
    let webhook = alertmanager.notifications.filter { $0.integration == "webhook" }
    #expect(
      notificationTable(webhook) == [
        "30s team/webhook firstNotification a",
        // b joined at 1m but waits for the next group_interval tick, not group_wait.
        "5m30s team/webhook newAlertsInGroup a,b",
        // Repeat is checked only at ticks and strictly after 4h: 4h5m30s is not later
        // than 5m30s + 4h, so the next tick, 4h10m30s, sends.
        "4h10m30s team/webhook repeatIntervalElapsed a,b",
        "8h15m30s team/webhook repeatIntervalElapsed a,b",
      ])
    // The email integration keeps its own log and sends at the same instants.
    #expect(alertmanager.notifications.filter { $0.integration == "email" }.map(\.time) == webhook.map(\.time))
  }

  @Test(arguments: [
    ("5m", "12m", ["30s", "15m30s", "30m30s", "45m30s"]),
    (
      "1m", "3m",
      [
        "30s", "4m30s", "8m30s", "12m30s", "16m30s", "20m30s", "24m30s", "28m30s", "32m30s", "36m30s", "40m30s",
        "44m30s", "48m30s",
      ]
    ),
    ("10m", "10m", ["30s", "20m30s", "40m30s"]),
  ])
  func repeatIntervalIsRoundedUpToGroupIntervalTicks(groupInterval: String, repeatInterval: String, expected: [String])
    throws
  {
    let alertmanager = try Self.alertmanager(groupInterval: groupInterval, repeatInterval: repeatInterval)
    driveAlertmanager(alertmanager, posts: [(.zero, [firing(Self.errorRate("a"))])], until: at("50m"))
    let times = alertmanager.notifications.filter { $0.integration == "webhook" }.map(\.time)
    #expect(times == expected.map(at))
  }

  @Test func resolvedAlertsAreSentOnceThenDroppedAndARefireStartsAFreshGroup() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(
      alertmanager,
      posts: [
        (at("0s"), [firing(Self.errorRate("a"), since: "0s", until: "4m")]),
        // Prometheus resolves it at 2m: endsAt = resolvedAt.
        (at("2m"), [AlertInput(labels: Self.errorRate("a"), startsAt: at("0s"), endsAt: at("2m"))]),
        (at("20m"), [firing(Self.errorRate("a"), since: "20m")]),
      ], until: at("30m"))
    #expect(
      notificationTable(alertmanager.notifications) == [
        "30s team/webhook firstNotification a",
        "30s team/email firstNotification a",
        // Everything resolved: the webhook hears it; email (send_resolved false) does not.
        "5m30s team/webhook allAlertsResolved a-resolved",
        // The group emptied at 5m30s and was swept; the refire gets group_wait again.
        "20m30s team/webhook firstNotification a",
        "20m30s team/email firstNotification a",
      ])
    let resolved = try #require(alertmanager.notifications.first { $0.status == .resolved })
    #expect(resolved.alerts.first?.endsAt == at("2m"))
    #expect(resolved.alerts.first?.startsAt == .zero)
  }

  @Test func newlyResolvedAlertsNotifyOnlyIntegrationsWithSendResolved() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(
      alertmanager,
      posts: [
        (at("0s"), [firing(Self.errorRate("a")), firing(Self.errorRate("b"), until: "2m")])
      ], until: at("20m"))
    #expect(
      notificationTable(alertmanager.notifications) == [
        "30s team/webhook firstNotification a,b",
        "30s team/email firstNotification a,b",
        "5m30s team/webhook newResolvedAlerts a,b-resolved",
      ])
  }

  @Test func alertThatFiresAndResolvesBeforeTheFirstFlushIsNeverSent() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(alertmanager, posts: [(.zero, [firing(Self.errorRate("a"), until: "10s")])], until: at("1h"))
    #expect(alertmanager.notifications.isEmpty)
    #expect(alertmanager.groupStates.isEmpty)
    #expect(alertmanager.nextWakeUp == nil)
  }

  @Test func anAlertOlderThanGroupWaitFlushesAtOnce() throws {
    let alertmanager = try Self.alertmanager()
    // Started 10 minutes before Alertmanager heard of it (e.g. after a restart).
    driveAlertmanager(alertmanager, posts: [(at("10m"), [firing(Self.errorRate("a"), since: "0s")])], until: at("20m"))
    #expect(
      notificationTable(alertmanager.notifications.filter { $0.integration == "webhook" }) == [
        "10m team/webhook firstNotification a"
        // Ticks every group_interval from the immediate flush; nothing new to say.
      ])
    #expect(alertmanager.groupStates.first?.nextFlush == at("25m"))
  }

  @Test func aLateAlertJoiningAnEmptiedButUnsweptGroupWaitsForItsTick() throws {
    // group_interval 10s so the group ticks between maintenance sweeps (every 30s).
    let alertmanager = try Self.alertmanager(groupWait: "5s", groupInterval: "10s")
    driveAlertmanager(
      alertmanager,
      posts: [
        (at("0s"), [firing(Self.errorRate("a"), until: "7s")]),
        (at("21s"), [firing(Self.errorRate("b"), since: "21s")]),
      ], until: at("1m"))
    // a: sent at 5s, resolved at 15s and deleted; the group stays until the sweep at
    // 30s, so b (21s) joins it and waits for the 25s tick rather than group_wait.
    #expect(
      notificationTable(alertmanager.notifications.filter { $0.integration == "webhook" }) == [
        "5s team/webhook firstNotification a",
        "15s team/webhook allAlertsResolved a-resolved",
        "25s team/webhook firstNotification b",
      ])
  }

  @Test func nextWakeUpSchedulesExactlyTheFlushes() throws {
    let alertmanager = try Self.alertmanager()
    #expect(alertmanager.nextWakeUp == nil)
    alertmanager.receive(alerts: [firing(Self.errorRate("a"))], at: at("3s"))
    #expect(alertmanager.nextWakeUp == at("33s"))
    #expect(alertmanager.advance(to: at("32s")).isEmpty)
    #expect(alertmanager.advance(to: at("33s")).count == 2)
    #expect(alertmanager.nextWakeUp == at("5m33s"))
  }

  @Test func prometheusResendsKeepTheEarliestStartAndDoNotRenotify() throws {
    let alertmanager = try Self.alertmanager()
    // Prometheus re-sends every minute with endsAt = now + 4m (resend-delay 1m).
    var posts: [(time: SimTime, alerts: [AlertInput])] = []
    for minute in 0..<30 {
      let now = at("\(minute)m")
      posts.append((now, [AlertInput(labels: Self.errorRate("a"), startsAt: .zero, endsAt: now + .minutes(4))]))
    }
    // Resolved at 30m; Prometheus keeps sending the resolved alert for 15 minutes.
    for minute in 30..<45 {
      posts.append((at("\(minute)m"), [AlertInput(labels: Self.errorRate("a"), startsAt: .zero, endsAt: at("30m"))]))
    }
    driveAlertmanager(alertmanager, posts: posts, until: at("2h"))
    #expect(
      notificationTable(alertmanager.notifications.filter { $0.integration == "webhook" }) == [
        "30s team/webhook firstNotification a",
        "30m30s team/webhook allAlertsResolved a-resolved",
      ])
  }

  @Test func alertsWithoutEndsAtResolveAfterResolveTimeout() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(alertmanager, posts: [(.zero, [AlertInput(labels: Self.errorRate("a"))])], until: at("20m"))
    // endsAt = 0 + resolve_timeout (5m); the 5m30s tick sees it resolved.
    #expect(
      notificationTable(alertmanager.notifications.filter { $0.integration == "webhook" }) == [
        "30s team/webhook firstNotification a",
        "5m30s team/webhook allAlertsResolved a-resolved",
      ])
  }

  @Test func invalidAlertsAreRejectedOthersAccepted() throws {
    let alertmanager = try Self.alertmanager()
    let rejected = alertmanager.receive(
      alerts: [
        AlertInput(labels: [:]),
        firing(Self.errorRate("a")),
        AlertInput(labels: ["bad-name": "x"]),
        AlertInput(labels: Self.errorRate("c"), startsAt: at("5m"), endsAt: at("1m")),
      ], at: .zero)
    #expect(rejected.map(\.index) == [0, 2, 3])
    #expect(
      rejected.map(\.reason) == [
        "at least one label pair required", #"invalid label set: invalid name "bad-name""#,
        "start time must be before end time",
      ])
    #expect(alertmanager.groupStates.map(\.firingCount) == [1])
  }

  @Test func webhookMaxAlertsTruncates() throws {
    let alertmanager = Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: tickets
        receivers:
          - name: tickets
            webhook_configs:
              - url: https://tickets.example/hook
                max_alerts: 2
        """))
    driveAlertmanager(
      alertmanager, posts: [(.zero, ["c", "a", "b"].map { firing(Self.errorRate($0)) })], until: at("1m"))
    let notification = try #require(alertmanager.notifications.first)
    #expect(notification.alerts.map { $0.labels["instance"] } == ["a", "b"])
    #expect(notification.truncatedAlerts == 1)
  }

  @Test func runsAreDeterministic() throws {
    func run() throws -> [String] {
      let alertmanager = Alertmanager(config: try parseConfig(AlertmanagerConfigTests.platformConfig))
      var posts: [(time: SimTime, alerts: [AlertInput])] = []
      for index in 0..<40 {
        let labels = [
          "alertname": index % 3 == 0 ? "ErrorRateHigh" : "Latency",
          "severity": index % 2 == 0 ? "critical" : "warning",
          "service": "s\(index % 5)", "team": ["ml", "ops", "data", "web"][index % 4], "instance": "i\(index)",
        ]
        posts.append((at("\(index * 7)s"), [firing(labels, since: "\(index * 7)s", until: "\(index * 7 + 600)s")]))
      }
      driveAlertmanager(alertmanager, posts: posts, until: at("3h"))
      return alertmanager.notifications.map(\.description)
    }
    let first = try run()
    #expect(first.count > 20)
    #expect(try run() == first)
    // Golden fingerprint: guards against order depending on the per-process hash
    // seed (run with and without SWIFT_DETERMINISTIC_HASHING=1).
    let fingerprint = ContentHash.hex(first.joined(separator: "\n"))
    #expect(fingerprint == "645cd9c66ab7f841e934b370914e752805bed7c2fca7f0a559a5a5ecf0a91c05")
  }

  /// The same posts as a run of the real binary (Debian prometheus-alertmanager
  /// 0.25, local webhook, group_wait 2s, group_interval 4s, repeat_interval 7s):
  /// it delivered at 2.01, 6.01, 14.02, 22.02, 30.02 and 38.02 s after the first post.
  @Test func matchesTimesMeasuredOnTheRealBinary() throws {
    let alertmanager = try Self.alertmanager(groupWait: "2s", groupInterval: "4s", repeatInterval: "7s")
    driveAlertmanager(
      alertmanager,
      posts: [
        (at("0s"), [firing(Self.errorRate("a"), since: "0s", until: "60s")]),
        (at("3s"), [firing(Self.errorRate("b"), since: "3s", until: "60s")]),
        (at("21s"), [AlertInput(labels: Self.errorRate("a"), startsAt: .zero, endsAt: at("21s"))]),
      ], until: at("40s"))
    #expect(
      notificationTable(alertmanager.notifications.filter { $0.integration == "webhook" }) == [
        "2s team/webhook firstNotification a",
        "6s team/webhook newAlertsInGroup a,b",
        "14s team/webhook repeatIntervalElapsed a,b",
        "22s team/webhook newResolvedAlerts a-resolved,b",
        "30s team/webhook repeatIntervalElapsed b",
        "38s team/webhook repeatIntervalElapsed b",
      ])
  }
}
