import Foundation
import Testing

@Suite("platformsim rules")
struct RulesCommandTests {
  static func promtool(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
    process.arguments = arguments
    process.currentDirectoryURL = PlatformSimProcess.repositoryRoot
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  @Test("the example promtool test file passes on our engine and on promtool; a broken expectation fails on both")
  func agreesWithPromtool() throws {
    #expect(
      FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"),
      "install the Debian package prometheus (promtool)")
    let example = "scenarios/monitoring/error-rate-rules.test.yaml"
    let ours = try PlatformSimProcess.run(["rules", "test", example])
    #expect(ours.status == 0, "\(ours.standardOutput)\(ours.standardError)")
    #expect(ours.standardOutput.contains("SUCCESS"))
    #expect(try Self.promtool(["test", "rules", example]) == 0)

    // The same test with one expected value changed must fail on both.
    let original = try String(
      contentsOf: PlatformSimProcess.repositoryRoot.appendingPathComponent(example), encoding: .utf8)
    let directory = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios/monitoring")
    let broken = directory.appendingPathComponent("broken-\(getpid()).test.yaml")
    let changed = original.replacingOccurrences(of: "severity: page", with: "severity: critical")
    #expect(changed != original)
    try changed.write(to: broken, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: broken) }
    let oursBroken = try PlatformSimProcess.run(["rules", "test", broken.path])
    #expect(oursBroken.status == 1)
    // promtool prints the verdict and the failures on stderr.
    #expect(oursBroken.standardError.contains("  FAILED:\n"))
    #expect(oursBroken.standardError.contains("alertname: ErrorRateHigh"))
    #expect(try Self.promtool(["test", "rules", broken.path]) == 1)
  }

  @Test("rules check accepts the shipped rules and names the position of unsupported PromQL")
  func check() throws {
    let good = try PlatformSimProcess.run(["rules", "check", "scenarios/policies/golden-path/serving-alerts.yaml"])
    #expect(good.status == 0)
    let directory = PlatformSimProcess.scratchDirectory()
    let file = directory.appendingPathComponent("bad.yaml")
    try """
    groups:
      - name: bad
        rules:
          - alert: NativeHistogram
            expr: histogram_sum(http_request_duration_seconds) > 0
          - alert: BadTemplate
            expr: up == 0
            annotations:
              summary: '{{ nosuchfunc $value }}'
    """.write(to: file, atomically: true, encoding: .utf8)
    let bad = try PlatformSimProcess.run(["rules", "check", file.path])
    #expect(bad.status == 2)
    // Every error of the file, each with file:line:column.
    #expect(bad.standardError.contains("bad.yaml:5:15: error: groups[0].rules[0].expr"))
    #expect(bad.standardError.contains("histogram_sum"))
    #expect(bad.standardError.contains("bad.yaml:9:20: error: groups[0].rules[1].annotations.summary"))
    #expect(bad.standardError.contains("function \"nosuchfunc\" not defined"))
  }

  static let nativeHistogramRules = """
    groups:
      - name: latency
        rules:
          - record: job:latency:count_rate5m
            expr: histogram_count(rate(http_request_duration_seconds[5m]))
          - alert: SlowShare
            expr: histogram_fraction(0, 0.2, rate(http_request_duration_seconds[5m])) < 0.9
          - alert: ServingErrors
            expr: sum(rate(serving_requests_total{code=~"5.."}[5m])) > 100
    """

  @Test("rules check --skip-unsupported loads the rest of the file with one warning per rule left out")
  func checkSkipsUnsupported() throws {
    let file = PlatformSimProcess.scratchDirectory().appendingPathComponent("native.yaml")
    try Self.nativeHistogramRules.write(to: file, atomically: true, encoding: .utf8)
    let refused = try PlatformSimProcess.run(["rules", "check", file.path])
    #expect(refused.status == 2)
    #expect(
      refused.standardError.contains("native.yaml:5:15: error: groups[0].rules[0].expr"), "\(refused.standardError)")
    #expect(
      refused.standardError.contains("native.yaml:7:15: error: groups[0].rules[1].expr"), "\(refused.standardError)")
    let skipped = try PlatformSimProcess.run(["rules", "check", "--skip-unsupported", file.path])
    #expect(skipped.status == 0, "\(skipped.standardError)")
    #expect(skipped.standardOutput == "\(file.path): SUCCESS: 1 rules found (2 skipped as unsupported)\n")
    #expect(skipped.standardError.components(separatedBy: ": warning: ").count == 3, "\(skipped.standardError)")
    #expect(skipped.standardError.contains("alert `SlowShare` skipped (--skip-unsupported)"))
  }

  @Test("run --skip-unsupported runs a scenario whose rule file uses native histograms; without it the run is refused")
  func runSkipsUnsupported() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenarios = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios").path
    let rules = directory.appendingPathComponent("native.yaml").path
    try Self.nativeHistogramRules.write(toFile: rules, atomically: true, encoding: .utf8)
    // The golden path with absolute paths, and the extra rule file next to its own.
    var scenario = try String(contentsOfFile: scenarios + "/golden-path.yaml", encoding: .utf8)
    for relative in [
      "policies/golden-path/rollout.yaml", "policies/golden-path/analysis-error-ratio.yaml",
      "catalogue/aws-us-east-1.yaml", "monitoring/alertmanager.yml",
    ] {
      scenario = scenario.replacingOccurrences(of: relative, with: scenarios + "/" + relative)
    }
    scenario = scenario.replacingOccurrences(
      of: "rules: [policies/golden-path/serving-alerts.yaml]",
      with: "rules: [\(scenarios)/policies/golden-path/serving-alerts.yaml, \(rules)]")
    let path = directory.appendingPathComponent("golden-path.yaml").path
    try scenario.write(toFile: path, atomically: true, encoding: .utf8)
    let database = directory.appendingPathComponent("run.sqlite").path
    let refused = try PlatformSimProcess.run(["run", path, "--until", "1d", "--db", database, "--quiet"])
    #expect(refused.status == 2)
    #expect(refused.standardError.contains("native.yaml:5:15: error:"), "\(refused.standardError)")
    let ran = try PlatformSimProcess.run(
      ["run", path, "--until", "1d", "--db", database, "--quiet", "--skip-unsupported"])
    #expect(ran.status == 0, "\(ran.standardError)")
    #expect(ran.standardError.contains("native.yaml:5:15: warning:"), "\(ran.standardError)")
    #expect(ran.standardError.contains("native.yaml:7:15: warning:"), "\(ran.standardError)")
  }
}
