import Foundation
import InputReading
import PlatformModel
import Testing

@testable import Scenario

/// Rollout analysis arguments with `valueFrom`, filled as Argo Rollouts fills them
/// (utils/analysis/factory.go `BuildArgumentsForRolloutAnalysisRun`; issue 14).
@Suite("Rollout analysis arguments from valueFrom")
struct RolloutArgumentTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/rollouts")

  /// The background analysis' fixed arguments of the Istio fixture whose `service-name`
  /// argument comes from `fieldPath`, and the warnings.
  func arguments(fieldPath: String) throws -> (arguments: [String: String], warnings: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-args-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ["istio-canary.yaml", "success-rate.yaml"] {
      try FileManager.default.copyItem(
        at: Self.fixtures.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }
    var rollout = try String(contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8)
    let original = "  name: fraud-scorer\nspec:\n  replicas: 5\n"
    #expect(rollout.contains(original))
    rollout = rollout.replacingOccurrences(
      of: original,
      with: "  name: fraud-scorer\n  labels: {env: prod}\n  annotations: {team: fraud}\nspec:\n  replicas: 5\n"
    )
    .replacingOccurrences(
      of: "          value: fraud-scorer.default.svc.cluster.local\n",
      with: "          valueFrom:\n            fieldRef:\n              fieldPath: \"\(fieldPath)\"\n")
    try rollout.write(to: directory.appendingPathComponent("rollout-istio.yaml"), atomically: true, encoding: .utf8)
    let (document, warnings) = try ScenarioLoader.load(path: directory.appendingPathComponent("istio-canary.yaml").path)
    guard case .argoCanary(let canary)? = document.delivery?.services.first?.rollout,
      let background = canary.backgroundAnalysis
    else {
      Issue.record("no Argo canary with a background analysis")
      return ([:], "")
    }
    var fixed: [String: String] = [:]
    for argument in background.fixedArguments { fixed[argument.name] = argument.value }
    return (fixed, warnings.map(\.message).joined(separator: "\n"))
  }

  @Test(
    "fieldRef resolves from the Rollout: metadata, labels, annotations, spec paths",
    arguments: [
      ("metadata.name", "fraud-scorer"),
      ("metadata.namespace", "default"),
      ("metadata.labels['env']", "prod"),
      ("metadata.annotations['team']", "fraud"),
      ("metadata.labels['absent']", ""),
      ("spec.template.metadata.labels.app", "fraud-scorer"),
      ("spec.template.spec.containers[0].name", "fraud-scorer"),
      ("spec.replicas", "5"),
    ])
  func resolved(fieldPath: String, expected: String) throws {
    let result = try arguments(fieldPath: fieldPath)
    #expect(result.arguments["service-name"] == expected, "\(result.arguments)")
    #expect(!result.warnings.contains("fieldRef"), "\(result.warnings)")
  }

  @Test("a fieldRef the Rollout as written does not hold (status) falls back to the service's name with a warning")
  func unresolved() throws {
    let result = try arguments(fieldPath: "status.alb.canaryTargetGroup.name")
    #expect(result.arguments["service-name"] == nil, "not fixed: filled with the service's name")
    #expect(result.warnings.contains("`fieldRef.fieldPath: status.alb.canaryTargetGroup.name` is not in the Rollout"))
  }
}
