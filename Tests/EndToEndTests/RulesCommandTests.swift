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
    #expect(oursBroken.standardOutput.contains("FAILED"))
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
}
