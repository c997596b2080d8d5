import Foundation
import Testing

/// Argo Rollouts' `dryRun`: metrics measured without deciding anything, named by a
/// pattern in the template's or the Rollout analysis' `dryRun` list.
@Suite("Argo Rollouts dry-run metrics")
struct ArgoDryRunTests {
  static let fixtures = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/rollouts")

  /// The Istio fixture scenario with a success-rate template that never succeeds.
  func scenario(templateDryRun: String?, rolloutDryRun: String?) throws -> String {
    let directory = PlatformSimProcess.scratchDirectory()
    var template = try String(contentsOf: Self.fixtures.appendingPathComponent("success-rate.yaml"), encoding: .utf8)
      .replacingOccurrences(of: "successCondition: result[0] >= 0.95", with: "successCondition: result[0] >= 2")
    if let templateDryRun {
      template = template.replacingOccurrences(
        of: "spec:\n", with: "spec:\n  dryRun:\n  - metricName: \(templateDryRun)\n")
    }
    let templatePath = directory.appendingPathComponent("template.yaml").path
    try template.write(toFile: templatePath, atomically: true, encoding: .utf8)
    var rollout = try String(contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8)
    if let rolloutDryRun {
      rollout = rollout.replacingOccurrences(
        of: "        startingStep: 1\n",
        with: "        startingStep: 1\n        dryRun:\n        - metricName: \(rolloutDryRun)\n")
    }
    let rolloutPath = directory.appendingPathComponent("rollout.yaml").path
    try rollout.write(toFile: rolloutPath, atomically: true, encoding: .utf8)
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent("istio-canary.yaml"), encoding: .utf8)
      .replacingOccurrences(of: "rollout: rollout-istio.yaml", with: "rollout: \(rolloutPath)")
      .replacingOccurrences(of: "analysisTemplates: [success-rate.yaml]", with: "analysisTemplates: [\(templatePath)]")
      .replacingOccurrences(of: "duration: 2d", with: "duration: 1d")
      .replacingOccurrences(of: "monitoring: {}", with: "monitoring: {metricProfile: istio}")
    let path = directory.appendingPathComponent("scenario.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func summary(_ path: String) throws -> String {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("run.db").path
    let result = try PlatformSimProcess.run(["run", path, "--db", database])
    #expect(result.status == 0, "\(result.standardError)")
    return result.standardOutput
  }

  @Test("a failing metric aborts every canary; in dry-run it decides nothing")
  func dryRunDecidesNothing() throws {
    let judged = try summary(try scenario(templateDryRun: nil, rolloutDryRun: nil))
    #expect(judged.contains("DEGENERATE delivery loop: a change was rolled out and aborted"), "\(judged)")
    for (template, rollout) in [(".*", nil), (nil, "success"), ("other-metric", "rate$")] as [(String?, String?)] {
      let dry = try summary(try scenario(templateDryRun: template, rolloutDryRun: rollout))
      #expect(dry.contains("rollbacks 0.0 % ✓"), "\(template ?? "-") \(rollout ?? "-"): \(dry)")
    }
  }

  @Test("a pattern that names no metric leaves it judged; an invalid pattern is refused")
  func patterns() throws {
    let unmatched = try summary(try scenario(templateDryRun: "latency", rolloutDryRun: nil))
    #expect(unmatched.contains("DEGENERATE delivery loop"), "\(unmatched)")
    let invalid = try PlatformSimProcess.run(["validate", try scenario(templateDryRun: "\"(\"", rolloutDryRun: nil)])
    #expect(invalid.status == 2)
    #expect(invalid.standardError.contains("`(` is not a valid regular expression"), "\(invalid.standardError)")
  }
}
