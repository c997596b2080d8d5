import Foundation
import Testing

@testable import Policies

/// Protocol v3's and v2's `decide-batch` against v1's one question per line, with a
/// Python policy mirroring the built-in `cluster-autoscaler` scale-down rule.
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

  @Test(
    "v3 (columns, answered column-wise or per question) and v2 answer a cycle in one request with the decisions v1 and the built-in give one by one"
  )
  func batchedEqualsPerQuestion() throws {
    let time = PolicyTime(microseconds: 5_000_000)
    let builtIn = Self.observations.map { ClusterAutoscalerScaleDown().decide($0, at: time) }
    #expect(builtIn.contains { $0.remove } && builtIn.contains { !$0.remove })

    for (arguments, version) in [
      ([], "v3"), (["--per-question"], "v3"), (["--protocol", "v3"], "v3"), (["--protocol", "v2"], "v2"),
    ] {
      let (batched, batchedRuntime) = Self.start(arguments)
      #expect(batched.answersInBatches)
      #expect(batched.decide(batch: Self.observations, at: time) == builtIn, "\(arguments)")
      #expect(batched.decide(batch: [], at: time).isEmpty)
      // A second cycle on the same process: ids and buffers carry over.
      #expect(batched.decide(batch: Array(Self.observations.reversed()), at: time) == Array(builtIn.reversed()))
      let batchedLog = try #require(batchedRuntime.finish().first)
      #expect(batchedRuntime.faults.isEmpty, "\(arguments): \(batchedRuntime.faults)")
      #expect(batchedLog.decisions == 2 * Self.observations.count)
      #expect(
        batchedLog.standardError.contains("platformsim.policy/\(version), 2 requests, 2 batches, 48 questions"),
        "\(arguments): \(batchedLog.standardError)")
    }

    let (legacy, legacyRuntime) = Self.start(["--protocol", "v1"])
    #expect(!legacy.answersInBatches)
    #expect(legacy.decide(batch: Self.observations, at: time) == builtIn)
    let legacyLog = try #require(legacyRuntime.finish().first)
    #expect(legacyRuntime.faults.isEmpty)
    #expect(legacyLog.standardError.contains("platformsim.policy/v1, 24 requests, 0 batches, 24 questions"))
  }

  @Test(
    "a batch answer with too few actions is an invalid action; the built-in answers the whole cycle",
    arguments: [
      (["--protocol", "v2"], "answered 23 actions to a batch of 24 observations"),
      ([], "column `remove` has 23 values for a batch of 24 questions"),
    ])
  func shortBatchIsAFault(arguments: [String], detail: String) throws {
    let time = PolicyTime(microseconds: 1_000_000)
    let (policy, runtime) = Self.start(arguments + ["--short-batch"])
    let answers = policy.decide(batch: Self.observations, at: time)
    #expect(answers == Self.observations.map { ClusterAutoscalerScaleDown().decide($0, at: time) })
    let fault = try #require(runtime.faults.first)
    #expect(fault.kind == .invalidAction)
    #expect(fault.detail.contains(detail), "\(fault.detail)")
    #expect(fault.requestID == 1)
    #expect(!policy.answersInBatches)
    runtime.finish()
  }

  /// The Python helper's hello answer to a hello offering `offered`, with `environment` added.
  static func helperHello(_ hello: String, environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3",
      ProtocolSchemaTests.repositoryRoot.appendingPathComponent("scenarios/policies/rollback_bot.py").path,
    ]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.write(Data((hello + "\n" + #"{"type": "bye"}"# + "\n").utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let first = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    let answer = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
    return try #require(answer["protocol"] as? String)
  }

  @Test("the Python helper answers the newest version offered, or the one its environment names")
  func helperNegotiatesTheVersion() throws {
    let hello = { (versions: [String]) in
      #"{"type": "hello", "protocol": "platformsim.policy/v1", "protocols": ["#
        + versions.map { "\"\($0)\"" }.joined(separator: ", ") + "]}"
    }
    #expect(try Self.helperHello(hello(PolicyProtocol.supportedVersions)) == PolicyProtocol.version)
    // An older PlatformSim offering v2 and v1, and one offering only v1 (no `protocols`).
    #expect(try Self.helperHello(hello(["platformsim.policy/v2", "platformsim.policy/v1"])) == "platformsim.policy/v2")
    #expect(try Self.helperHello(#"{"type": "hello", "protocol": "platformsim.policy/v1"}"#) == "platformsim.policy/v1")
    #expect(
      try Self.helperHello(
        hello(PolicyProtocol.supportedVersions), environment: ["PLATFORMSIM_POLICY_PROTOCOL": "platformsim.policy/v2"])
        == "platformsim.policy/v2")
  }
}
