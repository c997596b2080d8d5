import Foundation
import InputReading
import Monitoring
import Testing

/// `PromtoolTestRunner` gives users' promtool tests the verdicts promtool gives.
@Suite("promtool test runner")
struct PromtoolRunnerTests {
  static let scenarioDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scenarios/monitoring")

  @Test("the ErrorRateHigh example passes on PlatformSim and on promtool")
  func exampleAgrees() throws {
    let path = Self.scenarioDirectory.appendingPathComponent("error-rate-rules.test.yaml").path
    let verdict = PromtoolTestRunner.run(file: path)
    #expect(verdict.passed, "\(verdict)")
    #expect(verdict.groups.count == 1)
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record(
        "promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it"
      )
      return
    }
    let (output, status) = try PromtoolCrossCheck.runProcess(promtool, ["test", "rules", path])
    #expect(status == 0, "\(output)")
  }

  @Test("the PrometheusRule and the plain copy load to the same rules")
  func customResourceMatchesPlainFile() throws {
    let resource = try String(
      contentsOf: Self.scenarioDirectory.appendingPathComponent("error-rate-rules.yaml"),
      encoding: .utf8)
    let plain = try String(
      contentsOf: Self.scenarioDirectory.appendingPathComponent("error-rate-rules.plain.yaml"),
      encoding: .utf8)
    let fromResource = try RuleFileLoader.load(yaml: resource, file: "error-rate-rules.yaml")
    let fromPlain = try RuleFileLoader.load(yaml: plain, file: "error-rate-rules.plain.yaml")
    #expect(fromResource.map(\.name) == ["model-serving-slo"])
    #expect(fromResource[0].intervalMs == 30_000)
    #expect(fromResource[0].rules.map(\.name) == fromPlain[0].rules.map(\.name))
    #expect(fromResource[0].rules.map(\.expressionText) == fromPlain[0].rules.map(\.expressionText))
  }

  @Test("a wrong expectation fails with promtool's message shape, on both")
  func wrongExpectationFails() throws {
    let path = Self.scenarioDirectory.appendingPathComponent("error-rate-rules.test.yaml").path
    let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
      of: "severity: page", with: "severity: ticket")
    let verdict = PromtoolTestRunner.run(yaml: text, file: "wrong.yaml") { ruleFile in
      try String(
        contentsOf: Self.scenarioDirectory.appendingPathComponent(ruleFile), encoding: .utf8)
    }
    #expect(!verdict.passed)
    #expect(
      verdict.groups.first?.failures.first?.contains("alertname: ErrorRateHigh, time: 17m") == true)
  }

  @Test("rule_files globs expand relative to the test file")
  func ruleFileGlobs() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-glob-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for record in ["a", "b"] {
      try "groups:\n  - name: \(record)\n    rules:\n      - record: \(record)\n        expr: vector(1)\n"
        .write(
          to: directory.appendingPathComponent("rules/\(record).yml"), atomically: true,
          encoding: .utf8)
    }
    let test = """
      rule_files: ['rules/*.yml']
      tests:
        - interval: 1m
          input_series: []
          alert_rule_test:
            - eval_time: 1m
              alertname: None
              exp_alerts: []
          promql_expr_test:
            - expr: a + b
              eval_time: 1m
              exp_samples:
                - labels: '{}'
                  value: 2
      """
    let path = directory.appendingPathComponent("test.yml").path
    try test.write(toFile: path, atomically: true, encoding: .utf8)
    let verdict = PromtoolTestRunner.run(file: path)
    #expect(verdict.passed, "\(verdict)")
    if let promtool = PromtoolCrossCheck.promtoolPath() {
      let (output, status) = try PromtoolCrossCheck.runProcess(promtool, ["test", "rules", path])
      #expect(status == 0, "\(output)")
    }
  }

  @Test("values notation expands as promtool 2.42 does")
  func valuesNotation() throws {
    let values = try expandSeriesValues("1+2x2 _ 5x1 _x2 stale 3-1x2 -1 Inf")
    #expect(
      values == [
        .sample(1), .sample(3), .sample(5), .missing, .sample(5), .sample(5), .missing, .missing,
        .stale,
        .sample(3), .sample(2), .sample(1), .sample(-1), .sample(.infinity),
      ])
    #expect(throws: SeriesNotationError.self) { try expandSeriesValues("1+x3") }
    // A count is the grammar's uint: no sign, decimal digits.
    for refused in ["1x-3", "_x-3", "1x+3", "1+1x", "_x"] {
      #expect(throws: SeriesNotationError.self, "\(refused)") { try expandSeriesValues(refused) }
    }
    let labels = try parseSeriesDescription("up{job=\"api\", instance=\"a:1\"}")
    #expect(labels.metricName == "up")
    #expect(labels["instance"] == "a:1")
  }

  @Test("a repetition past the input limit is refused with its word, not expanded")
  func repetitionLimit() throws {
    #expect(try expandSeriesValues("0+1x9 _x5 stale", limit: 16).count == 16)
    let error = #expect(throws: SeriesNotationError.self) { try expandSeriesValues("0+1x9 _x5 stale", limit: 15) }
    #expect(error?.message.hasPrefix("stale expands past 15 samples") == true, "\(String(describing: error))")
    #expect(throws: SeriesNotationError.self) { try expandSeriesValues("1x\(Int.max)") }
    #expect(throws: SeriesNotationError.self) { try expandSeriesValues("_x\(Int.max)") }
    #expect(throws: SeriesNotationError.self) { try expandSeriesValues("0+1x100000000") }

    // The limit holds across a file's groups: two groups of 600,000 samples each
    // pass alone and fail together, at the second group's series.
    let group = """
        - input_series:
            - series: 'up{job="a"}'
              values: '1x599999'

      """
    _ = try PromtoolTestFile.parse(yaml: "tests:\n" + group, file: "t.yaml")
    let error2 = #expect(throws: DiagnosticsError.self) {
      try PromtoolTestFile.parse(yaml: "tests:\n" + group + group, file: "t.yaml")
    }
    let messages = error2?.diagnostics.map(\.description) ?? []
    #expect(
      messages.count == 1 && messages[0].contains("t.yaml:7:") && messages[0].contains("expands past"), "\(messages)")
  }

  @Test("a test file parses with all promtool keys")
  func parsesTestFile() throws {
    let file = try PromtoolTestFile.parse(
      yaml: """
        rule_files: [a.yml, b.yml]
        evaluation_interval: 30s
        group_eval_order: [second, first]
        tests:
          - name: t
            interval: 15s
            external_labels: {cluster: eu}
            external_url: http://prom.example
            input_series:
              - series: 'x{a="1"}'
                values: '0+1x3'
            alert_rule_test:
              - eval_time: 1m
                alertname: A
                exp_alerts:
                  - exp_labels: {severity: page}
                    exp_annotations: {summary: hi}
            promql_expr_test:
              - expr: x
                eval_time: 45s
                exp_samples:
                  - labels: 'x{a="1"}'
                    value: 3
        """, file: "t.yml")
    #expect(file.ruleFiles == ["a.yml", "b.yml"])
    #expect(file.evaluationIntervalMs == 30_000)
    #expect(file.groupEvalOrder == ["second", "first"])
    #expect(file.tests[0].intervalMs == 15_000)
    #expect(file.tests[0].externalLabels["cluster"] == "eu")
    #expect(file.tests[0].inputSeries[0].values.count == 4)
    #expect(file.tests[0].alertRuleTests[0].expectedAlerts[0].annotations["summary"] == "hi")
    #expect(file.tests[0].promqlExprTests[0].expectedSamples[0].value == 3)
  }

  /// A test file expecting `expected` for `x * 3` at 0m, where x is 0.1, so the engine
  /// returns 0.30000000000000004 (0x3FD3333333333334), one float64 step above 0.3.
  static func fuzzyFile(expected: String, fuzzy: String?) -> String {
    """
    rule_files: []
    \(fuzzy.map { "fuzzy_compare: \($0)\n" } ?? "")tests:
      - input_series:
          - series: 'x'
            values: '0.1'
        promql_expr_test:
          - expr: x * 3
            eval_time: 0m
            exp_samples:
              - labels: '{}'
                value: \(expected)
    """
  }

  @Test(
    "fuzzy_compare lets a value one float64 step away match, as newer promtool does",
    arguments: [
      ("0.30000000000000004", nil, true), ("0.3", nil, false), ("0.3", "false", false), ("0.3", "true", true),
      ("0.3000000000000001", "true", true), ("0.29999999999999993", "true", false),
      ("0.30000000000000016", "true", false),
    ] as [(String, String?, Bool)])
  func fuzzyCompare(expected: String, fuzzy: String?, passes: Bool) throws {
    let verdict = PromtoolTestRunner.run(yaml: Self.fuzzyFile(expected: expected, fuzzy: fuzzy), file: "f.yml") {
      _ in ""
    }
    #expect(verdict.loadError == nil, "\(verdict)")
    #expect(verdict.passed == passes, "\(verdict)")
    if !passes {
      #expect(verdict.groups.first?.failures.first?.contains("got: {} 3.0000000000000004E-01") == true, "\(verdict)")
    }
  }

  @Test("fuzzy_compare must be a boolean, with a located error")
  func fuzzyCompareNotBoolean() {
    let verdict = PromtoolTestRunner.run(yaml: Self.fuzzyFile(expected: "0.3", fuzzy: "maybe"), file: "f.yml") {
      _ in ""
    }
    #expect(verdict.loadError?.contains("f.yml:2:") == true, "\(verdict)")
    #expect(verdict.loadError?.contains("fuzzy_compare") == true, "\(verdict)")
  }

  @Test("promtool 2.42 refuses fuzzy_compare (the one key we accept beyond 2.42)")
  func promtoolRefusesFuzzyCompare() throws {
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record("promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it")
      return
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzzy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let exact = directory.appendingPathComponent("exact.yml")
    try Self.fuzzyFile(expected: "0.30000000000000004", fuzzy: nil).write(to: exact, atomically: true, encoding: .utf8)
    let fuzzy = directory.appendingPathComponent("fuzzy.yml")
    try Self.fuzzyFile(expected: "0.3", fuzzy: "true").write(to: fuzzy, atomically: true, encoding: .utf8)
    let (exactOutput, exactStatus) = try PromtoolCrossCheck.runProcess(promtool, ["test", "rules", exact.path])
    #expect(exactStatus == 0, "\(exactOutput)")
    let (output, status) = try PromtoolCrossCheck.runProcess(promtool, ["test", "rules", fuzzy.path])
    #expect(status == 1)
    #expect(output.contains("field fuzzy_compare not found in type main.unitTestFile"), "\(output)")
    #expect(PromtoolTestRunner.run(file: fuzzy.path).passed)
  }

  @Test("failures are worded byte for byte as promtool 2.42 prints them on stderr")
  func failureTextMatchesPromtool() throws {
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record("promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it")
      return
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("format-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
    groups:
      - name: g
        rules:
          - alert: A
            expr: x > 0
            labels: {severity: page}
            annotations: {summary: 'v={{ $value }}'}
    """.write(to: directory.appendingPathComponent("r.yml"), atomically: true, encoding: .utf8)
    let test = directory.appendingPathComponent("t.yml")
    try """
    rule_files: [r.yml]
    tests:
      - name: grp
        input_series:
          - series: 'x{i="1"}'
            values: '1 2 3.25e-7'
        alert_rule_test:
          - eval_time: 1m
            alertname: A
            exp_alerts:
              - exp_labels: {severity: ticket, i: "1"}
              - exp_labels: {severity: page, i: "2"}
                exp_annotations: {summary: "v=\\"q\\""}
        promql_expr_test:
          - expr: x * 3
            eval_time: 2m
            exp_samples:
              - labels: '{i="1"}'
                value: -1e300
          - expr: y
            eval_time: 1m
            exp_samples:
              - labels: 'x{i="1"}'
                value: 0
      - input_series:
          - series: 'x{i="1"}'
            values: '1 2 3'
        alert_rule_test:
          - eval_time: 0m
            alertname: A
        promql_expr_test:
          - expr: x
            eval_time: 1m
    """.write(to: test, atomically: true, encoding: .utf8)
    let (promtoolError, status) = try PromtoolCrossCheck.runProcess(
      promtool, ["test", "rules", test.path], stderrOnly: true)
    #expect(status == 1)
    let verdict = PromtoolTestRunner.run(file: test.path)
    let ours = verdict.description.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""
    #expect(ours == promtoolError)
  }
}
