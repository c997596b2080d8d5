import SimKernel
import Testing

@testable import Monitoring

/// Route matching (`Route.Match`): first match wins unless `continue`, nested
/// routes inherit their parent's options, group keys in alertmanager's format.
@Suite struct AlertmanagerRoutingTests {
  @Test(arguments: [
    // Critical ErrorRateHigh: the rollback route continues, then the pager route handles it.
    (["alertname": "ErrorRateHigh", "severity": "critical", "service": "a"], [1, 2]),
    // With team=ml the pager route's child matches too, so the child handles it.
    (["alertname": "ErrorRateHigh", "severity": "critical", "team": "ml"], [1, 3]),
    // Critical but not Error*: only the pager route.
    (["alertname": "DiskFull", "severity": "critical"], [2]),
    // team=ops is excluded by team!~"ops|sre"; nothing matches, so the root handles it.
    (["alertname": "Latency", "severity": "warning", "team": "ops"], [0]),
    // No team label reads as "", which !~ "ops|sre" accepts.
    (["alertname": "Latency", "severity": "warning"], [4]),
  ])
  func routesAlertsLikeRouteMatch(labels: [String: String], expected: [Int]) throws {
    let parsed = try parseConfig(AlertmanagerConfigTests.platformConfig)
    #expect(parsed.matchingRoutes(for: labels) == expected.map(RouteID.init))
  }

  @Test func groupKeysUseTheRouteKeyAndGroupLabels() throws {
    let alertmanager = Alertmanager(config: try parseConfig(AlertmanagerConfigTests.platformConfig))
    alertmanager.receive(
      alerts: [firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "a", "team": "ml"])],
      at: .zero)
    let keys = alertmanager.groupStates.map(\.key.rawValue)
    #expect(
      keys == [
        #"{}/{alertname=~"Error.*",severity="critical"}:{alertname="ErrorRateHigh"}"#,
        #"{}/{severity="critical"}/{team=~"^(?:ml|data)$"}:{alertname="ErrorRateHigh", service="a"}"#,
      ])
  }

  @Test func continueSendsToEveryMatchingReceiverWithItsOwnTimers() throws {
    let alertmanager = Alertmanager(config: try parseConfig(AlertmanagerConfigTests.platformConfig))
    driveAlertmanager(
      alertmanager,
      posts: [(.zero, [firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "a", "team": "ml"])])],
      until: at("2m"))
    // rollback: its own group_wait 0s; ml-pager: inherits the root's 10s.
    #expect(
      alertmanager.notifications.map(\.description) == [
        #"t+0s rollback/webhook[0] {}/{alertname=~"Error.*",severity="critical"}:{alertname="ErrorRateHigh"} firing [ErrorRateHigh]"#,
        #"t+10s ml-pager/webhook[0] {}/{severity="critical"}/{team=~"^(?:ml|data)$"}:{alertname="ErrorRateHigh", service="a"} firing [ErrorRateHigh]"#,
        #"t+10s ml-pager/slack[0] {}/{severity="critical"}/{team=~"^(?:ml|data)$"}:{alertname="ErrorRateHigh", service="a"} firing [ErrorRateHigh]"#,
      ])
    #expect(alertmanager.notifications.first?.action?.kind == .rollback)
    #expect(alertmanager.notifications[1].action?.kind == .page)
    #expect(alertmanager.notifications[2].action == nil)
  }

  @Test func groupByAllMakesOneGroupPerLabelSet() throws {
    let alertmanager = Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: hook
          group_by: ['...']
        receivers:
          - name: hook
            webhook_configs:
              - url: http://hook.example/
        """))
    driveAlertmanager(
      alertmanager,
      posts: [
        (.zero, [firing(["alertname": "A", "instance": "1"]), firing(["alertname": "A", "instance": "2"])])
      ], until: at("1m"))
    #expect(
      alertmanager.notifications.map(\.groupKey.rawValue) == [
        #"{}:{alertname="A", instance="1"}"#, #"{}:{alertname="A", instance="2"}"#,
      ])
  }

  @Test func noGroupByPutsEveryAlertOfARouteInOneGroup() throws {
    let alertmanager = Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: hook
        receivers:
          - name: hook
            webhook_configs:
              - url: http://hook.example/
        """))
    driveAlertmanager(
      alertmanager,
      posts: [
        (
          .zero,
          [
            firing(["alertname": "B", "job": "api"]), firing(["alertname": "A", "job": "web"]),
            firing(["alertname": "C"]),
          ]
        )
      ],
      until: at("1m"))
    #expect(alertmanager.notifications.count == 1)
    #expect(alertmanager.notifications.first?.groupKey.rawValue == "{}:{}")
    // Sorted by job, alerts without a job last.
    #expect(alertmanager.notifications.first?.alerts.map { $0.labels["alertname"] ?? "" } == ["B", "A", "C"])
  }

  @Test func blackHoleReceiversSendNothing() throws {
    let alertmanager = Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: "null"
          routes:
            - matchers: [severity="critical"]
              receiver: hook
        receivers:
          - name: "null"
          - name: hook
            webhook_configs:
              - url: http://hook.example/
        """))
    driveAlertmanager(
      alertmanager,
      posts: [(.zero, [firing(["alertname": "Noise"]), firing(["alertname": "Real", "severity": "critical"])])],
      until: at("1m"))
    #expect(alertmanager.notifications.map(\.receiver) == ["hook"])
  }
}
