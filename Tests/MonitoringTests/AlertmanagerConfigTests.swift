import SimKernel
import Testing

@testable import Monitoring

/// Reading real alertmanager.yml files: defaults, inheritance, matcher syntaxes.
@Suite struct AlertmanagerConfigTests {
  static let platformConfig = """
    global:
      resolve_timeout: 2m
      slack_api_url: https://hooks.slack.example/T000
      smtp_smarthost: smtp.example.com:587
      smtp_from: alertmanager@example.com
    templates: ['/etc/alertmanager/templates/*.tmpl']
    route:
      receiver: default
      group_by: [alertname]
      group_wait: 10s
      routes:
        - matchers: ['severity="critical"', 'alertname=~"Error.*"']
          receiver: rollback
          continue: true
          group_wait: 0s
        - match:
            severity: critical
          receiver: pager
          group_by: [alertname, service]
          routes:
            - match_re:
                team: ml|data
              receiver: ml-pager
              repeat_interval: 1h
        - matchers: [team!~"ops|sre"]
          receiver: tickets
    receivers:
      - name: default
        email_configs:
          - to: platform@example.com
      - name: rollback
        webhook_configs:
          - url: sim://rollback
      - name: pager
        pagerduty_configs:
          - routing_key: abc123
      - name: ml-pager
        webhook_configs:
          - url: sim://page?team=ml
        slack_configs:
          - channel: '#ml-alerts'
            send_resolved: true
      - name: tickets
        webhook_configs:
          - url: https://tickets.example/hook
            max_alerts: 2
    """

  @Test func readsDefaultsAndInheritance() throws {
    let parsed = try parseConfig(Self.platformConfig)
    #expect(parsed.resolveTimeout == .minutes(2))
    #expect(parsed.routes.count == 5)
    let root = parsed.routes[0]
    #expect(root.groupWait == .seconds(10))
    #expect(root.groupInterval == .minutes(5))
    #expect(root.repeatInterval == .hours(4))
    #expect(root.key == "{}")

    let rollback = parsed.routes[1]
    #expect(rollback.receiver == "rollback")
    #expect(rollback.groupWait == .zero)
    #expect(rollback.groupBy == ["alertname"])
    #expect(rollback.continueMatching)
    #expect(rollback.key == #"{}/{alertname=~"Error.*",severity="critical"}"#)

    let mlPager = parsed.routes[3]
    #expect(mlPager.parent == RouteID(2))
    #expect(mlPager.groupBy == ["alertname", "service"])
    #expect(mlPager.groupWait == .seconds(10))
    #expect(mlPager.groupInterval == .minutes(5))
    #expect(mlPager.repeatInterval == .hours(1))
    // match_re keeps the anchored source in keys, as config.Regexp.String() does.
    #expect(mlPager.key == #"{}/{severity="critical"}/{team=~"^(?:ml|data)$"}"#)
    #expect(parsed.routes[2].children == [RouteID(3)])
  }

  @Test func drawsTheRoutingTree() throws {
    let parsed = try parseConfig(Self.platformConfig)
    #expect(
      parsed.routingTreeText == """
        .
        └── default-route  receiver: default
            ├── {alertname=~"Error.*",severity="critical"}  continue: true  receiver: rollback
            ├── {severity="critical"}  receiver: pager
            │\u{00A0}\u{00A0} └── {team=~"^(?:ml|data)$"}  receiver: ml-pager
            └── {team!~"ops|sre"}  receiver: tickets
        """)
  }

  @Test func readsReceiversAndIntegrationDefaults() throws {
    let parsed = try parseConfig(Self.platformConfig)
    #expect(parsed.receivers.map(\.name.rawValue) == ["default", "rollback", "pager", "ml-pager", "tickets"])
    let email = try #require(parsed.receiver(named: "default")?.integrations.first)
    #expect(email.kind == "email")
    #expect(email.sendResolved == false)
    let pager = try #require(parsed.receiver(named: "pager")?.integrations.first)
    #expect(pager.kind == "pagerduty" && pager.sendResolved)
    let mlPager = try #require(parsed.receiver(named: "ml-pager"))
    #expect(mlPager.integrations.map(\.kind) == ["webhook", "slack"])
    #expect(mlPager.integrations[0].action?.kind == .page)
    #expect(mlPager.integrations[0].action?.parameter("team") == "ml")
    #expect(mlPager.integrations[1].sendResolved)
    let tickets = try #require(parsed.receiver(named: "tickets")?.integrations.first)
    #expect(tickets.action == nil)
    #expect(tickets.maxAlerts == 2)
  }

  static let mergeKeysConfig = """
    route:
      receiver: a
      routes:
        - &fast
          receiver: a
          group_wait: 5s
          group_interval: 1m
          matchers: [team="ml"]
        - <<: *fast
          matchers: [team="data"]
    receivers:
      - name: a
    """

  @Test func yamlAnchorsAndMergeKeysWork() throws {
    let parsed = try parseConfig(Self.mergeKeysConfig)
    #expect(parsed.routes[2].groupWait == .seconds(5))
    #expect(parsed.routes[2].groupInterval == .minutes(1))
    // As amtool shows it: the explicit matchers are appended to the merged ones, so
    // this route needs team to be both "data" and "ml" and never matches.
    #expect(parsed.routes[2].matchers.map(\.description) == [#"team="data""#, #"team="ml""#])
    #expect(parsed.matchingRoutes(for: ["team": "data"]) == [RouteID(0)])
  }

  @Test func groupByEllipsisAndEmptyListInherit() throws {
    let parsed = try parseConfig(
      """
      route:
        receiver: a
        group_by: ['...']
        routes:
          - receiver: a
            group_by: []
          - receiver: a
            group_by: [cluster]
            routes:
              - receiver: a
      receivers:
        - name: a
      """)
    #expect(parsed.routes[0].groupByAll)
    // An empty list inherits, as NewRoute only overrides with a non-empty list.
    #expect(parsed.routes[1].groupByAll)
    #expect(parsed.routes[2].groupByAll == false)
    #expect(parsed.routes[2].groupBy == ["cluster"])
    #expect(parsed.routes[3].groupBy == ["cluster"])
  }

  @Test func emptyReceiverInheritsExceptAtTheRoot() throws {
    let parsed = try parseConfig(
      """
      route:
        receiver: a
        routes:
          - receiver: ''
            matchers: [x="1"]
      receivers:
        - name: a
      """)
    #expect(parsed.routes[1].receiver == "a")
    let found = parseErrors("route:\n  receiver: ''\nreceivers:\n  - name: a\n")
    #expect(found.map(\.message) == ["root route must specify a default receiver"])
  }

  @Test(arguments: [
    (#"severity="critical""#, "severity", AlertmanagerMatcher.Operator.equal, "critical"),
    ("severity=critical", "severity", .equal, "critical"),
    (#"env!="dev""#, "env", .notEqual, "dev"),
    (#"alertname=~"Error.*""#, "alertname", .regexMatch, "Error.*"),
    (#"team !~ "ops|sre""#, "team", .regexNoMatch, "ops|sre"),
    (#"msg="say \"hi\"""#, "msg", .equal, #"say "hi""#),
    (#"path="a,b""#, "path", .equal, "a,b"),
  ])
  func parsesMatcherSyntax(text: String, name: String, op: AlertmanagerMatcher.Operator, value: String) throws {
    let matchers = try AlertmanagerMatcher.parseList(text)
    #expect(matchers.count == 1)
    #expect(matchers.first?.name == name)
    #expect(matchers.first?.op == op)
    #expect(matchers.first?.value == value)
  }

  @Test func parsesBracedMatcherLists() throws {
    let matchers = try AlertmanagerMatcher.parseList(#"{severity="critical", service=~"api|web"}"#)
    #expect(matchers.map(\.description) == [#"severity="critical""#, #"service=~"api|web""#])
  }

  @Test func regexesAreAnchoredAndMissingLabelsAreEmpty() throws {
    let critical = try AlertmanagerMatcher(name: "severity", op: .regexMatch, value: "crit")
    #expect(critical.matches(["severity": "critical"]) == false)
    #expect(critical.matches(["severity": "crit"]))
    let notOps = try AlertmanagerMatcher(name: "team", op: .regexNoMatch, value: "ops|sre")
    #expect(notOps.matches([:]))
    #expect(notOps.matches(["team": "ops"]) == false)
    let empty = try AlertmanagerMatcher(name: "team", op: .equal, value: "")
    #expect(empty.matches(["alertname": "X"]))
  }

  @Test(arguments: [
    ("30s", Int64(30_000_000)), ("5m", 300_000_000), ("1h30m", 5_400_000_000), ("0", 0), ("250ms", 250_000),
    ("1d", 86_400_000_000), ("1w", 604_800_000_000),
  ])
  func parsesPrometheusDurations(text: String, microseconds: Int64) {
    #expect(PrometheusDuration.parse(text) == SimDuration(microseconds: microseconds))
  }

  @Test(arguments: ["", "5", "1.5h", "30m1h", "5x", "-5m", "10us", "5m5m"])
  func refusesNonPrometheusDurations(text: String) {
    #expect(PrometheusDuration.parse(text) == nil)
  }

  @Test func readsTimeIntervals() throws {
    let parsed = try parseConfig(
      """
      route:
        receiver: a
        routes:
          - receiver: a
            mute_time_intervals: [weekends]
            active_time_intervals: [business-hours]
      receivers:
        - name: a
      time_intervals:
        - name: weekends
          time_intervals:
            - weekdays: [saturday, sunday]
        - name: business-hours
          time_intervals:
            - times:
                - start_time: '09:00'
                  end_time: '17:00'
              weekdays: ['monday:friday']
              days_of_month: ['1:-1']
              months: ['january:december']
              years: ['2020:2030']
              location: Europe/Berlin
      """)
    #expect(parsed.timeIntervals.map(\.name) == ["weekends", "business-hours"])
    let period = try #require(parsed.timeIntervals.last?.periods.first)
    #expect(period.times == [540..<1020])
    #expect(period.weekdays == [1...5])
    #expect(period.location == "Europe/Berlin")
    #expect(parsed.routes[1].muteTimeIntervals == ["weekends"])
    #expect(parsed.timeIntervals.first?.periods.first?.weekdays == [6...6, 0...0])
  }

  @Test func weekdayRangesCannotWrapPastSaturday() {
    let found = parseErrors(
      """
      route:
        receiver: a
      receivers:
        - name: a
      time_intervals:
        - name: weekends
          time_intervals:
            - weekdays: ['saturday:sunday']
      """)
    #expect(found.map(\.message) == [#"start day cannot be before end day in "saturday:sunday""#])
    #expect(found.first?.line == 8 && found.first?.column == 20)
  }
}
