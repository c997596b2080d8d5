import InputReading
import Testing

@testable import Monitoring

/// Rule files read on the input layer: every problem at once, located, and `null` read as
/// Prometheus reads it (each verdict below is promtool 2.42's on the same file).
@Suite struct RuleFileReadingTests {
  static func errors(_ yaml: String) -> [String] {
    do {
      _ = try RuleFileLoader.load(yaml: yaml, file: "rules.yml")
      return []
    } catch {
      return error.diagnostics.map(\.rendered)
    }
  }

  @Test("a rule with a bad expr still has its templates checked, as rulefmt's Validate does")
  func templatesCheckedAfterBadExpression() {
    let errors = Self.errors(
      """
      groups:
        - name: a
          rules:
            - alert: A
              expr: up ==
              labels: {team: '{{ .Nope'}
              annotations: {summary: '{{ template }}'}
      """)
    #expect(errors.count == 3, "\(errors)")
    #expect(errors.contains { $0.hasPrefix("rules.yml:5:15: error: groups[0].rules[0].expr:") })
    #expect(
      errors.contains { $0.hasPrefix("rules.yml:6:24: error: groups[0].rules[0].labels.team: template: __alert_A:1:") })
    #expect(
      errors.contains {
        $0.hasPrefix("rules.yml:7:32: error: groups[0].rules[0].annotations.summary: template: __alert_A:1:")
      })
  }

  @Test func everyProblemOfTheFileIsReportedAtOnce() {
    #expect(
      Self.errors(
        """
        groups:
          - name: a
            interval: 30x
            rules:
              - alert: A
                expr: up ==
                for: soon
              - record: b
                expr: up
                annotations: {summary: x}
          - name: a
            rules: []
        """) == [
          "rules.yml:3:15: error: groups[0].interval: found `30x`, expected a positive duration such as `30s` or `1m`",
          "rules.yml:6:15: error: groups[0].rules[0].expr: 1:6: parse error: unexpected end of input\n  up ==\n       ^",
          "rules.yml:10:22: error: groups[0].rules[1].annotations: `annotations` on a recording rule; "
            + "`annotations` applies only to alerting rules",
          "rules.yml:11:11: error: groups[1].name: duplicate group name \"a\"; group names must be unique in a file",
        ])
  }

  @Test func nullIsReadAsPrometheusReadsIt() throws {
    // rulefmt keeps `record`/`alert`/`expr` as YAML nodes (their text `null` is a name);
    // other keys decode `null` as their zero value: an absent interval, empty labels.
    let groups = try RuleFileLoader.load(
      yaml: """
        groups:
          - name: g
            interval: null
            rules:
              - record: null
                expr: vector(1)
                labels:
              - alert: A
                expr: up == 0
                for: ~
                annotations: {summary: null}
        """, file: "rules.yml")
    #expect(groups[0].intervalMs == nil)
    #expect(groups[0].rules.map(\.name) == ["null", "A"])
    #expect(Self.errors("groups:\n  - name: null\n    rules: []\n").count == 1, "promtool: groupname must not be empty")
  }

  @Test func labelsAndAnnotationsAreStrings() {
    #expect(
      Self.errors(
        """
        groups:
          - name: g
            rules:
              - alert: A
                expr: up == 0
                labels: {severity: [page]}
        """) == ["rules.yml:6:28: error: groups[0].rules[0].labels.severity: found a list, expected a string"])
  }

  static let nativeHistogramRules = """
    groups:
      - name: latency
        rules:
          - record: job:latency:count_rate5m
            expr: histogram_count(rate(http_request_duration_seconds[5m]))
          - alert: LatencyHigh
            expr: histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m])) > 0.5
          - alert: SlowShare
            expr: histogram_fraction(0, 0.2, rate(http_request_duration_seconds[5m])) < 0.9
      - name: errors
        rules:
          - alert: BadRule
            expr: up ==
    """

  @Test func unsupportedRulesAreRefusedByDefaultAndSkippedWithOneWarningEachOnRequest() {
    // By default every unsupported rule is an error, next to the file's other errors.
    let refused = Self.errors(Self.nativeHistogramRules)
    #expect(refused.count == 3)
    #expect(refused[0].hasPrefix("rules.yml:5:15: error: groups[0].rules[0].expr: 1:1: unsupported by PlatformSim"))
    #expect(refused[1].hasPrefix("rules.yml:9:15: error: groups[0].rules[2].expr"))
    #expect(refused[2].hasPrefix("rules.yml:13:15: error: groups[1].rules[0].expr"))
    // Skipping leaves out the two unsupported rules with a warning each; an invalid rule
    // is still an error.
    let log = DiagnosticLog()
    #expect(
      RuleFileLoader.read(yaml: Self.nativeHistogramRules, file: "rules.yml", log: log, unsupported: .skipWithWarning)
        == nil)
    #expect(log.errorCount == 1)
    let warnings = DiagnosticsError(log.diagnostics).warnings.map(\.rendered)
    #expect(warnings.count == 2)
    #expect(
      warnings.first?.hasPrefix(
        "rules.yml:5:15: warning: groups[0].rules[0].expr: record `job:latency:count_rate5m` skipped "
          + "(--skip-unsupported): 1:1: unsupported by PlatformSim: function \"histogram_count\"") == true)
    #expect(
      warnings.last?.hasPrefix(
        "rules.yml:9:15: warning: groups[0].rules[2].expr: alert `SlowShare` skipped "
          + "(--skip-unsupported): 1:1: unsupported by PlatformSim: function \"histogram_fraction\"") == true)
    let fixed = Self.nativeHistogramRules.replacingOccurrences(of: "expr: up ==", with: "expr: up == 0")
    let groups = try? RuleFileLoader.load(yaml: fixed, file: "rules.yml", unsupported: .skipWithWarning)
    #expect(groups?.map { $0.rules.count } == [1, 1])
    #expect(groups?.first?.rules.first?.expressionText.hasPrefix("histogram_quantile") == true)
  }
}
