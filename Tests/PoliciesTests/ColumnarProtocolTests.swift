import Foundation
import Testing

@testable import Policies

/// Protocol v3's columns: every malformed batch answer is a fault with a message that
/// names what is wrong (and the built-in answers the cycle); unusual but valid answers
/// are read as the well-formed ones; the line PlatformSim sends is the v2 observations
/// in columns.
@Suite("Columnar policy protocol")
struct ColumnarProtocolTests {
  static let fixture = ProtocolSchemaTests.repositoryRoot.appendingPathComponent(
    "Tests/Fixtures/policies/columnar_faults.py"
  ).path

  static func start(_ mode: String) -> (any NodeScaleDownPolicy, PolicyRuntime) {
    let configuration = PolicyConfiguration(selections: [
      .nodeScaleDown: PolicySelection(
        builtIn: "cluster-autoscaler",
        external: ExternalPolicyCommand(
          arguments: ["python3", fixture, mode], workingDirectory: ProtocolSchemaTests.repositoryRoot.path,
          timeoutMicroseconds: 60_000_000))
    ])
    let (policies, runtime) = PolicyRuntime.start(
      configuration, context: PolicyRunContext(scenarioName: "columns", runID: 1, seed: 1, startEpochSeconds: 0))
    return (policies.nodeScaleDown, runtime)
  }

  static let time = PolicyTime(microseconds: 3_000_000)
  static var builtIn: [NodeScaleDownAction] {
    BatchedProtocolTests.observations.map { ClusterAutoscalerScaleDown().decide($0, at: time) }
  }

  @Test(
    "unusual but valid v3 answers give the built-in's decisions",
    arguments: ["extra-column", "null-extra", "escaped-key", "spaced"])
  func unusualAnswersAreRead(mode: String) throws {
    let (policy, runtime) = Self.start(mode)
    #expect(policy.answersInBatches)
    #expect(policy.decide(batch: BatchedProtocolTests.observations, at: Self.time) == Self.builtIn)
    #expect(
      policy.decide(batch: Array(BatchedProtocolTests.observations.prefix(1)), at: Self.time) == [Self.builtIn[0]])
    let log = try #require(runtime.finish().first)
    #expect(runtime.faults.isEmpty, "\(runtime.faults)")
    #expect(log.decisions == BatchedProtocolTests.observations.count + 1)
  }

  @Test(
    "every malformed v3 answer is a named fault for the whole batch; the built-in answers it",
    arguments: [
      ("short", PolicyFault.Kind.invalidAction, "column `remove` has 23 values for a batch of 24 questions"),
      ("long", .invalidAction, "column `remove` has 25 values for a batch of 24 questions"),
      (
        "no-columns", .invalidAction,
        "no `columns`; expected `{\"id\": 1, \"columns\": {\"<field>\": [<one per question>], …}}`"
      ),
      ("columns-array", .invalidAction, "`columns` is not an object of arrays"),
      ("not-array", .invalidAction, "column `remove` is not an array"),
      ("wrong-type", .invalidAction, "batch element 3, column `remove`: "),
      ("null-value", .invalidAction, "batch element 5: missing `remove`"),
      ("missing-column", .invalidAction, "no column `remove`"),
      ("duplicate", .invalidAction, "column `remove` appears twice"),
      ("garbage", .invalidJSON, "answered with invalid JSON"),
      ("wrong-id", .protocolError, "answered request 2, expected 1"),
      ("no-id", .protocolError, "answered without a numeric `id`"),
    ])
  func malformedAnswersAreFaults(mode: String, kind: PolicyFault.Kind, detail: String) throws {
    let (policy, runtime) = Self.start(mode)
    #expect(policy.decide(batch: BatchedProtocolTests.observations, at: Self.time) == Self.builtIn)
    let fault = try #require(runtime.faults.first)
    #expect(runtime.faults.count == 1)
    #expect(fault.kind == kind, "\(mode): \(fault.kind) \(fault.detail)")
    #expect(fault.detail.contains(detail), "\(mode): \(fault.detail)")
    #expect(fault.requestID == 1)
    #expect(fault.output?.hasPrefix("{") == true, "\(mode): the answer line is kept: \(fault.output ?? "nil")")
    #expect(!policy.answersInBatches)
    // The built-in goes on answering.
    #expect(policy.decide(batch: BatchedProtocolTests.observations, at: Self.time) == Self.builtIn)
    runtime.finish()
  }
}
