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
}
