import PlatformModel
import Policies
import SimKernel
import Testing

/// The `gpuNodeOrder` decision point inside the replay engine: what the policy sees
/// and that its answer places the pod (docs/TRACES.md).
@Suite("Trace replay with a gpuNodeOrder policy")
struct GPUNodeOrderReplayTests {
  /// Answers the last candidate (or `null`), recording every observation.
  final class LastCandidate: GPUNodeOrderPolicy {
    var seen: [GPUNodeOrderObservation] = []
    let deferring: Bool
    init(deferring: Bool = false) { self.deferring = deferring }
    func decide(_ observation: GPUNodeOrderObservation, at time: PolicyTime) -> GPUNodeOrderAction {
      seen.append(observation)
      return GPUNodeOrderAction(node: deferring ? nil : observation.candidates.last?.node)
    }
  }

  static let nodes = [
    TraceReplayTests.node("v", gpus: 2, model: "V100"), TraceReplayTests.node("t", gpus: 1),
    TraceReplayTests.node("c", gpus: 0, model: nil),
  ]
  static let items = [
    TraceReplayTests.item("a", at: 0, for: 100),
    TraceReplayTests.item("b", at: 10, for: 100, milli: 500, models: ["V100"]),
  ]

  @Test("the policy sees only the nodes that fit, with their free capacity, and its node is the pod's")
  func policyChoosesAmongFeasibleNodes() {
    let policy = LastCandidate()
    let result = TraceReplay.run(
      items: Self.items, nodes: Self.nodes, configuration: .init(trace: "t", scoring: .kubeDefault), nodeOrder: policy)
    #expect(result.outcomes.map(\.node) == ["t", "v"])
    #expect(policy.seen.map(\.pod) == ["a", "b"])
    // The CPU-only node never fits a GPU pod; the T4 is full (and the wrong model) for b.
    #expect(policy.seen[0].candidates.map(\.node) == ["v", "t"])
    #expect(policy.seen[0].candidates.map(\.freeGPUMilli) == [[1000, 1000], [1000]])
    #expect(policy.seen[1].candidates.map(\.node) == ["v"])
    #expect(policy.seen[1].gpuMilli == 500 && policy.seen[1].gpuModels == ["V100"])
    #expect(policy.seen[1].candidates.first?.freeCPUMilli == 32_000)
  }

  @Test("a null answer leaves the choice to spec.replay.scoring: the same replay as no policy")
  func nullDefersToScoring() {
    for scoring in GPUNodeScoring.allCases {
      let configuration = ReplayConfiguration(trace: "t", scoring: scoring)
      let plain = TraceReplay.run(items: Self.items, nodes: Self.nodes, configuration: configuration)
      let deferred = TraceReplay.run(
        items: Self.items, nodes: Self.nodes, configuration: configuration,
        nodeOrder: LastCandidate(deferring: true))
      #expect(deferred.outcomes.map(\.node) == plain.outcomes.map(\.node), "\(scoring)")
      #expect(deferred.outcomes.map(\.started) == plain.outcomes.map(\.started), "\(scoring)")
    }
  }
}
