import Foundation
import Monitoring

/// One cross-check case: rules, input series and the points to compare with promtool.
struct CrossCheckCase: CustomStringConvertible, Sendable {
  var name: String
  /// Rule file contents (plain `groups:` or a PrometheusRule); empty for expression-only cases.
  var rules: String = ""
  /// (series, values in promtool notation).
  var series: [(String, String)]
  /// Input sample spacing; nil means the evaluation interval.
  var interval: String?
  var evaluationInterval = "1m"
  /// (alertname, eval_time) pairs checked with `alert_rule_test`.
  var alerts: [(String, String)] = []
  /// (expr, eval_time) pairs checked with `promql_expr_test`.
  var exprs: [(String, String)] = []
  /// `external_labels` of the test group.
  var externalLabels: [(String, String)] = []
  /// `group_eval_order` of the test file.
  var groupEvalOrder: [String] = []

  var description: String { name }
}

/// Builds promtool unit tests whose expectations are PlatformSim's own results, and
/// runs promtool on them: promtool passing means identical alerts and values.
enum PromtoolCrossCheck {
  struct Outcome {
    var testYAML: String
    var promtoolOutput: String
    var promtoolExitCode: Int32
    var ourVerdict: PromtoolVerdict
    /// Problems in generating the test (for example a NaN PlatformSim cannot express).
    var generationProblems: [String]
  }

  static func promtoolPath() -> String? {
    let candidates = [
      ProcessInfo.processInfo.environment["PROMTOOL"], "/usr/bin/promtool",
      "/usr/local/bin/promtool",
    ]
    return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static func duration(_ text: String) -> Int64 { parsePrometheusDuration(text) ?? -1 }

  /// Generates the promtool test file for `testCase` with PlatformSim's results as expectations.
  static func generate(_ testCase: CrossCheckCase) throws -> (
    file: PromtoolTestFile, problems: [String]
  ) {
    let inputSeries = try testCase.series.map { series, values in
      PromtoolInputSeries(
        labels: try parseSeriesDescription(series), values: try expandSeriesValues(values),
        notation: values)
    }
    var group = PromtoolTestGroup(
      name: testCase.name, intervalMs: duration(testCase.interval ?? testCase.evaluationInterval),
      inputSeries: inputSeries,
      // promtool 2.42 loads input samples only up to the largest alert_rule_test
      // eval_time; a test of an alert that never exists extends that to every expr.
      alertRuleTests: testCase.alerts.map {
        PromtoolAlertRuleTest(evalTimeMs: duration($0.1), alertname: $0.0, expectedAlerts: [])
      }
        + [
          PromtoolAlertRuleTest(
            evalTimeMs: testCase.exprs.map { duration($0.1) }.max() ?? 0,
            alertname: "CrossCheckLoadsSamples", expectedAlerts: [])
        ],
      promqlExprTests: testCase.exprs.map {
        PromtoolExprTest(expr: $0.0, evalTimeMs: duration($0.1), expectedSamples: [])
      },
      externalLabels: Labels(testCase.externalLabels), externalURL: "")
    var file = PromtoolTestFile(
      ruleFiles: testCase.rules.isEmpty ? [] : ["rules.yml"],
      evaluationIntervalMs: duration(testCase.evaluationInterval),
      groupEvalOrder: testCase.groupEvalOrder, tests: [group])
    let groups = try PromtoolTestRunner.loadRuleGroups(file) { _ in testCase.rules }
    let observation = PromtoolTestRunner.observe(
      group, evaluationIntervalMs: file.evaluationIntervalMs, groups: groups)
    var problems = observation.evaluationErrors.map { "evaluation error: \($0)" }
    for index in group.alertRuleTests.indices {
      group.alertRuleTests[index].expectedAlerts = observation.firingAlerts[index]
    }
    for index in group.promqlExprTests.indices {
      switch observation.exprResults[index] {
      case .success(let samples):
        if samples.contains(where: { $0.value.isNaN }) {
          problems.append(
            "\(group.promqlExprTests[index].expr) returns NaN, which promtool 2.42 can never match")
        }
        group.promqlExprTests[index].expectedSamples = samples
      case .failure(let error):
        problems.append("\(group.promqlExprTests[index].expr): \(error)")
      }
    }
    file.tests = [group]
    return (file, problems)
  }

  /// Generates, writes and runs one case through promtool and through PlatformSim's runner.
  static func run(_ testCase: CrossCheckCase, promtool: String) throws -> Outcome {
    let (file, problems) = try generate(testCase)
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "platformsim-crosscheck-\(ProcessInfo.processInfo.processIdentifier)-\(testCase.name)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let testPath = directory.appendingPathComponent("test.yml").path
    let yaml = file.yaml()
    try yaml.write(toFile: testPath, atomically: true, encoding: .utf8)
    // promtool reads plain rule files only; PlatformSim reads the PrometheusRule as is.
    var promtoolFile = file
    promtoolFile.ruleFiles = file.ruleFiles.map { _ in "promtool-rules.yml" }
    let promtoolTestPath = directory.appendingPathComponent("promtool-test.yml").path
    try promtoolFile.yaml().write(toFile: promtoolTestPath, atomically: true, encoding: .utf8)
    if !testCase.rules.isEmpty {
      try testCase.rules.write(
        toFile: directory.appendingPathComponent("rules.yml").path, atomically: true,
        encoding: .utf8)
      try RuleFileLoader.plainRuleFileYAML(testCase.rules, file: "rules.yml")
        .write(
          toFile: directory.appendingPathComponent("promtool-rules.yml").path, atomically: true,
          encoding: .utf8)
    }
    let (output, status) = try runProcess(promtool, ["test", "rules", promtoolTestPath])
    return Outcome(
      testYAML: yaml, promtoolOutput: output, promtoolExitCode: status,
      ourVerdict: PromtoolTestRunner.run(file: testPath), generationProblems: problems)
  }

  /// Runs a process; its output is stdout and stderr together, or stderr alone.
  static func runProcess(_ executable: String, _ arguments: [String], stderrOnly: Bool = false) throws -> (
    String, Int32
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = stderrOnly ? FileHandle.nullDevice : pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
  }
}
