import Testing

@testable import Monitoring

/// Every way an alertmanager.yml can be refused, with the file:line:column the
/// message points at, so an editor or CI annotation lands on the right token.
@Suite struct AlertmanagerBadInputTests {
  @Test func unknownReceiverSuggestsTheNearestName() {
    let found = parseErrors(
      """
      route:
        receiver: default
        routes:
          - matchers: ['alertname="Watchdog"']
            receiver: default
          - matchers: ['severity="critical"']
            receiver: pager
      receivers:
        - name: default
        - name: pagerduty
          pagerduty_configs:
            - routing_key: abc
      """)
    #expect(found.count == 1)
    #expect(
      found.first?.rendered
        == #"alertmanager.yml:7:17: error: route.routes[1].receiver: unknown receiver "pager"; did you mean "pagerduty"?"#
    )
    #expect(says(found.first, .unknownReceiver("pager", suggestion: "pagerduty")))
  }

  @Test func unknownReceiverWithoutCloseNameHasNoSuggestion() {
    let found = parseErrors(
      """
      route:
        receiver: nobody-at-all
      receivers:
        - name: default
      """, file: "scenarios/am.yml")
    #expect(
      found.map(\.rendered) == [#"scenarios/am.yml:2:13: error: route.receiver: unknown receiver "nobody-at-all""#])
  }

  @Test func duplicateReceiverNamesPointAtTheSecond() {
    let found = parseErrors(
      """
      route:
        receiver: page
      receivers:
        - name: page
          webhook_configs:
            - url: sim://page
        - name: page
          webhook_configs:
            - url: sim://rollback
      """)
    #expect(
      found.map(\.rendered) == [
        #"alertmanager.yml:7:11: error: receivers[1].name: duplicate receiver name "page" (first defined on line 4)"#
      ])
  }

  @Test func invalidDurationsNameTheKey() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_wait: 30x
        routes:
          - receiver: a
            repeat_interval: 1.5h
      receivers:
        - name: a
      """)
    #expect(found.count == 2)
    #expect(found.map(\.line) == [3, 6])
    #expect(found.map(\.column) == [15, 24])
    #expect(found.map(\.keyPath.description) == ["route.group_wait", "route.routes[0].repeat_interval"])
    #expect(says(found.first, .invalidDuration("30x")))
    #expect(
      found.first?.rendered.hasPrefix(
        #"alertmanager.yml:3:15: error: route.group_wait: invalid duration "30x"; use a Prometheus duration"#) == true)
  }

  @Test func zeroIntervalsAreRefused() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_interval: 0s
        repeat_interval: 0
      receivers:
        - name: a
      """)
    #expect(found.map(\.message) == ["group_interval cannot be zero", "repeat_interval cannot be zero"])
    #expect(found.map(\.line) == [3, 4])
  }

  @Test func regexesThatDoNotCompileAreRefusedWherevertheyAppear() {
    let found = parseErrors(
      """
      route:
        receiver: a
        routes:
          - receiver: a
            matchers: ['service=~"(api"']
          - receiver: a
            match_re:
              service: '[a-'
      inhibit_rules:
        - source_matchers: ['alertname=~"(?!Watchdog).*"']
          target_matchers: [severity="warning"]
      receivers:
        - name: a
      """)
    #expect(found.count == 3)
    #expect(
      found.map(\.keyPath.description) == [
        "route.routes[0].matchers[0]", "route.routes[1].match_re.service", "inhibit_rules[0].source_matchers[0]",
      ])
    #expect(found.map(\.line) == [5, 8, 10])
    #expect(found.map(\.column) == [18, 18, 23])
    #expect(found.last?.message.hasPrefix(#"invalid regular expression "(?!Watchdog).*": "#) == true)
    #expect(found.last?.message.contains("RE2") == true)
    #expect(
      found.first?.rendered.hasPrefix(
        #"alertmanager.yml:5:18: error: route.routes[0].matchers[0]: invalid regular expression "(api""#) == true)
  }

  @Test func unknownKeysSuggestTheIntendedOne() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_wiat: 30s
      recievers:
        - name: a
          webhook_config:
            - url: http://example.com
      """)
    #expect(
      found.map(\.rendered) == [
        #"alertmanager.yml:2:13: error: route.receiver: unknown receiver "a""#,
        #"alertmanager.yml:3:3: error: route.group_wiat: unknown key "group_wiat"; did you mean "group_wait"?"#,
        #"alertmanager.yml:4:1: error: recievers: unknown key "recievers"; did you mean "receivers"?"#,
      ])
  }

  @Test func unknownKeyInsideAReceiverIntegration() {
    let found = parseErrors(
      """
      route:
        receiver: a
      receivers:
        - name: a
          webhook_configs:
            - url: sim://rollback
              send_resolve: false
      """)
    #expect(
      found.map(\.rendered) == [
        #"alertmanager.yml:7:9: error: receivers[0].webhook_configs[0].send_resolve: unknown key "send_resolve"; did you mean "send_resolved"?"#
      ])
  }

  @Test func rootRouteRules() {
    let found = parseErrors(
      """
      route:
        group_by: [alertname]
        matchers: [severity="critical"]
        continue: true
      receivers:
        - name: a
      """)
    #expect(
      found.map(\.message) == [
        "root route must specify a default receiver", "root route must not have any matchers",
        "cannot have continue in root route",
      ])
    #expect(found.map(\.line) == [2, 3, 4])
  }

  @Test func missingRouteIsReported() {
    let found = parseErrors(
      """
      receivers:
        - name: a
      """)
    #expect(found.map(\.message) == [#"missing required key "route""#])
  }

  @Test func labelNamesAndMatchersMustBeWellFormed() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_by: [service-name, '...']
        routes:
          - receiver: a
            matchers: ['severity=="critical"']
          - receiver: a
            group_by: [env, env]
      inhibit_rules:
        - source_match:
            severity: critical
          equal: ['9lives']
      receivers:
        - name: a
      """)
    #expect(
      found.map(\.keyPath.description) == [
        "route.group_by[0]", "route.routes[0].matchers[0]", "route.routes[1].group_by[1]", "inhibit_rules[0].equal[0]",
      ])
    #expect(says(found.first, .invalidLabelName("service-name")))
    #expect(found[1].message.hasPrefix("invalid matcher "))
    #expect(found[1].message.contains("unescaped double quote"))
    #expect(found[2].message == #"duplicated label "env" in group_by"#)
  }

  @Test func wildcardGroupByCannotBeMixed() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_by: ['...', alertname]
      receivers:
        - name: a
      """)
    #expect(found.map(\.message) == ["cannot have wildcard group_by (`...`) and other labels at the same time"])
    #expect(found.first?.line == 3)
  }

  @Test func webhookURLsNeedASupportedScheme() {
    let found = parseErrors(
      """
      route:
        receiver: a
      receivers:
        - name: a
          webhook_configs:
            - url: ftp://files.example.com/alerts
            - send_resolved: true
      """)
    #expect(
      found.map(\.message) == [#"unsupported scheme "ftp" for URL"#, "one of url or url_file must be configured"])
    #expect(found.map(\.line) == [6, 7])
  }

  @Test func unknownTimeIntervalsAndBadTimes() {
    let found = parseErrors(
      """
      route:
        receiver: a
        routes:
          - receiver: a
            mute_time_intervals: [weekend]
      receivers:
        - name: a
      time_intervals:
        - name: weekends
          time_intervals:
            - times:
                - start_time: '25:00'
                  end_time: '26:00'
              weekdays: [funday]
      """)
    #expect(
      found.map(\.keyPath.description) == [
        "route.routes[0].mute_time_intervals[0]", "time_intervals[0].time_intervals[0].times[0].start_time",
        "time_intervals[0].time_intervals[0].times[0].end_time", "time_intervals[0].time_intervals[0].weekdays[0]",
      ])
    #expect(found[1].message == #"couldn't parse timestamp "25:00", invalid format"#)
    #expect(
      found.first?.rendered
        == #"alertmanager.yml:5:29: error: route.routes[0].mute_time_intervals[0]: unknown time interval "weekend"; did you mean "weekends"?"#
    )
  }

  @Test func yamlSyntaxErrorsAreLocated() {
    let found = parseErrors(
      """
      route:
        receiver: a
        group_by: [alertname
      receivers:
        - name: a
      """)
    #expect(found.count == 1)
    #expect(found.first?.line ?? 0 > 0)
    #expect(found.first?.message.hasPrefix("invalid YAML: ") == true, "expected a syntax error, got \(found)")
  }

  @Test func wrongShapesSayWhatWasExpected() {
    let found = parseErrors(
      """
      route:
        receiver: a
        continue: maybe
        routes:
          receiver: a
      receivers:
        name: a
      """)
    #expect(
      found.map(\.message) == [
        #"unknown receiver "a""#, "found `maybe`, expected true or false", "found a mapping, expected a list",
        "found a mapping, expected a list",
      ])
    #expect(found.map(\.line) == [2, 3, 5, 7])
  }

  @Test func allErrorsAreReportedTogetherAndCounted() {
    do {
      _ = try AlertmanagerConfig.parse(
        yaml: """
          route:
            receiver: missing
            group_wait: soon
          receivers:
            - name: present
          """, file: "am.yml")
      Issue.record("expected errors")
    } catch {
      #expect(error.diagnostics.count == 2)
      #expect(error.description.hasSuffix("2 errors found"))
      #expect(error.description.contains("am.yml:3:15: error: route.group_wait: invalid duration \"soon\""))
    }
  }

  @Test func integrationsNeedTheirRequiredSettings() {
    let found = parseErrors(
      """
      route:
        receiver: a
      receivers:
        - name: a
          email_configs:
            - to: team@example.com
          slack_configs:
            - channel: '#alerts'
          pagerduty_configs:
            - severity: critical
      """)
    #expect(
      found.map(\.message) == [
        "no global SMTP smarthost set", "no global SMTP from set",
        "no global Slack API URL set either inline or in a file",
        "missing service or routing key in PagerDuty config",
      ])
    #expect(
      found.map(\.keyPath.description) == [
        "receivers[0].email_configs[0]", "receivers[0].email_configs[0]", "receivers[0].slack_configs[0]",
        "receivers[0].pagerduty_configs[0]",
      ])
    #expect(found.map(\.line) == [6, 6, 8, 10])
  }
}
