import Foundation
import ResultStore
import Testing

@testable import Exports

/// docs/grafana/platformsim-dashboard.json against what `export openmetrics` writes: every
/// query parses as PromQL (promtool), and every series it selects, with every label value it
/// names, is in an export.
@Suite("Grafana dashboard queries the exported series", .serialized)
struct GrafanaDashboardTests {
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// Every PromQL expression of the dashboard (panels, annotations, template variables)
  /// with its Grafana variables replaced as Grafana would for run 1.
  static func expressions() throws -> [(place: String, expr: String)] {
    let data = try Data(
      contentsOf: repositoryRoot.appendingPathComponent("docs/grafana/platformsim-dashboard.json"))
    let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var found: [(String, String)] = []
    for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
      for target in panel["targets"] as? [[String: Any]] ?? [] {
        if let expr = target["expr"] as? String { found.append(("panel '\(panel["title"] ?? "")'", expr)) }
      }
    }
    let annotations = (dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    for annotation in annotations {
      if let expr = annotation["expr"] as? String { found.append(("annotation '\(annotation["name"] ?? "")'", expr)) }
    }
    let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    for variable in variables {
      // label_values(METRIC, LABEL): the series METRIC must exist with the label.
      if let definition = variable["definition"] as? String,
        let match = definition.firstMatch(of: /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*(\w+)\s*\)/)
      {
        found.append(("variable '\(variable["name"] ?? "")'", "count by (\(match.2)) (\(match.1){\(match.2)!=\"\"})"))
      }
    }
    return found.map { place, expr in
      (
        place,
        expr.replacingOccurrences(of: "$__rate_interval", with: "5m").replacingOccurrences(
          of: "$__interval", with: "1m"
        )
        .replacingOccurrences(of: "$__range", with: "1d").replacingOccurrences(of: "$run", with: "1")
      )
    }
  }

  /// A selector `name{label="value", …}` of an expression.
  struct Selector {
    var metric: String
    var equalities: [(label: String, value: String)]
    var labels: [String]
  }

  static func selectors(_ expr: String) -> [Selector] {
    expr.matches(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/).map { match in
      let matchers = String(match.2).matches(of: /(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/)
      return Selector(
        metric: String(match.1),
        equalities: matchers.filter { $0.2 == "=" }.map { (String($0.1), String($0.3)) },
        labels: matchers.map { String($0.1) })
    }
  }

  /// An export of the site fixture's run 1, with error and success request series as the
  /// simulator stores them (`spec.monitoring.seriesOutput`).
  static func exportedSamples() throws -> [(name: String, labels: [String: String])] {
    let path = try SiteFixture.database()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try ResultStore(path: path)
    try store.database.execute(
      """
      INSERT INTO series (run_id, series_id, labels) VALUES
        (1, 1, 'http_requests_total{code="200", service="b-service", team="team-a", track="stable"}'),
        (1, 2, 'http_requests_total{code="500", service="b-service", team="team-a", track="canary"}');
      INSERT INTO series_samples (run_id, series_id, time, value) VALUES
        (1, 1, 1767567660, 10), (1, 1, 1767567720, 25), (1, 2, 1767567660, 1), (1, 2, 1767567720, 3);
      """)
    let export = try OpenMetricsExport(store: try ResultStore(readingOnly: path), runID: 1, stepSeconds: 60)
    var bytes: [UInt8] = []
    _ = try export.write { bytes += $0 }
    var samples: [(String, [String: String])] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
      guard let match = line.firstMatch(of: /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s/) else { continue }
      var labels: [String: String] = [:]
      for pair in String(match.2 ?? "").matches(of: /(\w+)="((?:[^"\\]|\\.)*)"/) {
        labels[String(pair.1)] = String(pair.2)
      }
      samples.append((String(match.1), labels))
    }
    return samples
  }

  @Test("every series a panel, annotation or variable selects is exported, with the label values it names")
  func selectedSeriesAreExported() throws {
    let expressions = try Self.expressions()
    #expect(expressions.count >= 15, "the dashboard's panels and annotations were found")
    let samples = try Self.exportedSamples()
    var checked = 0
    for (place, expr) in expressions {
      let selectors = Self.selectors(expr)
      #expect(!selectors.isEmpty, "\(place): no selector in \(expr)")
      for selector in selectors {
        let series = samples.filter { $0.name == selector.metric }
        #expect(!series.isEmpty, "\(place): \(selector.metric) is not in the export")
        for label in selector.labels {
          #expect(series.contains { $0.labels[label] != nil }, "\(place): \(selector.metric) has no label \(label)")
        }
        let matching = series.filter { sample in selector.equalities.allSatisfy { sample.labels[$0.label] == $0.value }
        }
        #expect(
          !matching.isEmpty,
          "\(place): no exported \(selector.metric) has \(selector.equalities.map { "\($0.label)=\"\($0.value)\"" })")
        checked += 1
      }
    }
    #expect(checked >= 15)
  }

  @Test("every query of the dashboard is valid PromQL (promtool check rules)")
  func queriesParse() throws {
    let promtool = try #require(
      ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) },
      "promtool is not installed (.ci/run installs Debian's prometheus package)")
    var rules = "groups:\n  - name: dashboard\n    rules:\n"
    for (index, entry) in try Self.expressions().enumerated() {
      let quoted = entry.expr.replacingOccurrences(of: "'", with: "''")
      rules += "      - record: dashboard:query_\(index)\n        expr: '\(quoted)'\n"
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "platformsim-dashboard-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).rules.yml")
    try rules.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let result = try OpenMetricsExportTests.run(promtool, ["check", "rules", file.path])
    #expect(result.status == 0, "\(result.output)")
  }
}
