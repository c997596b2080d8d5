import Foundation
import Testing

@testable import Policies

/// Protocol v2's `decide-batch` against v1's one question per line, with a Python
/// policy mirroring the built-in `cluster-autoscaler` scale-down rule.
@Suite("Batched policy protocol")
struct BatchedProtocolTests {
  static let fixture = ProtocolSchemaTests.repositoryRoot.appendingPathComponent(
    "Tests/Fixtures/policies/cluster_autoscaler_policy.py"
  ).path

  /// Observations covering every clause of the rule.
  static let observations: [NodeScaleDownObservation] = (0..<24).map { index in
    NodeScaleDownObservation(
      node: "node-\(index)", pool: "gpu", instanceType: "g5.xlarge", capacityType: "spot",
      utilisation: Double(index) / 48, empty: index % 3 != 0, unneededSeconds: Double(index * 60),
      unneededTimeSeconds: 600, coolingDown: index % 7 == 0, removedThisScan: index % 5,
      maxScaleDownParallelism: 4, drainedThisScan: index % 2 == 0, poolDesiredNodes: 3 + index % 3,
      poolMinNodes: 4)
  }

  static func start(_ arguments: [String]) -> (any NodeScaleDownPolicy, PolicyRuntime) {
    let configuration = PolicyConfiguration(selections: [
      .nodeScaleDown: PolicySelection(
        builtIn: "cluster-autoscaler",
        external: ExternalPolicyCommand(
          arguments: ["python3", fixture] + arguments, workingDirectory: ProtocolSchemaTests.repositoryRoot.path))
    ])
    let (policies, runtime) = PolicyRuntime.start(
      configuration, context: PolicyRunContext(scenarioName: "batch", runID: 1, seed: 1, startEpochSeconds: 0))
    return (policies.nodeScaleDown, runtime)
  }

  @Test("a v2 policy answers a cycle in one request with the decisions a v1 policy and the built-in give one by one")
  func batchedEqualsPerQuestion() throws {
    let time = PolicyTime(microseconds: 5_000_000)
    let builtIn = Self.observations.map { ClusterAutoscalerScaleDown().decide($0, at: time) }
    #expect(builtIn.contains { $0.remove } && builtIn.contains { !$0.remove })

    let (batched, batchedRuntime) = Self.start([])
    #expect(batched.answersInBatches)
    #expect(batched.decide(batch: Self.observations, at: time) == builtIn)
    #expect(batched.decide(batch: [], at: time).isEmpty)
    let batchedLog = try #require(batchedRuntime.finish().first)
    #expect(batchedRuntime.faults.isEmpty)
    #expect(batchedLog.decisions == Self.observations.count)
    #expect(batchedLog.standardError.contains("platformsim.policy/v2, 1 requests, 1 batches, 24 questions"))

    let (legacy, legacyRuntime) = Self.start(["--protocol", "v1"])
    #expect(!legacy.answersInBatches)
    #expect(legacy.decide(batch: Self.observations, at: time) == builtIn)
    let legacyLog = try #require(legacyRuntime.finish().first)
    #expect(legacyRuntime.faults.isEmpty)
    #expect(legacyLog.standardError.contains("platformsim.policy/v1, 24 requests, 0 batches, 24 questions"))
  }

  @Test("a batch answer with too few actions is an invalid action; the built-in answers the whole cycle")
  func shortBatchIsAFault() throws {
    let time = PolicyTime(microseconds: 1_000_000)
    let (policy, runtime) = Self.start(["--short-batch"])
    let answers = policy.decide(batch: Self.observations, at: time)
    #expect(answers == Self.observations.map { ClusterAutoscalerScaleDown().decide($0, at: time) })
    let fault = try #require(runtime.faults.first)
    #expect(fault.kind == .invalidAction)
    #expect(fault.detail.contains("answered 23 actions to a batch of 24 observations"))
    #expect(fault.requestID == 1)
    #expect(!policy.answersInBatches)
    runtime.finish()
  }
}
