import Policies
import SimKernel
import Testing

@testable import PlatformModel

@Suite struct KarpenterTests {
  /// Two g5.12xlarge nodes each left with one 1-GPU job: `WhenEmptyOrUnderutilized`
  /// evicts one job onto the other node and removes the emptied node; `WhenEmpty` does not.
  @Test(arguments: [ConsolidationPolicy.whenEmptyOrUnderutilized, .whenEmpty])
  func consolidatesUnderutilisedNode(policy: ConsolidationPolicy) {
    consolidate(policy: policy, decisions: PolicySet())
  }

  /// The `nodeConsolidation` decision point chooses: with `never` the same cluster
  /// keeps both nodes (no eviction, no consolidation) although the configuration
  /// allows `WhenEmptyOrUnderutilized`.
  @Test func neverConsolidatePolicyKeepsNodes() {
    var decisions = PolicySet()
    decisions.nodeConsolidation = NeverConsolidate()
    consolidate(policy: .whenEmptyOrUnderutilized, decisions: decisions)
  }

  func consolidate(policy: ConsolidationPolicy, decisions: PolicySet) {
    let never = decisions.nodeConsolidation is NeverConsolidate
    var karpenter = KarpenterConfiguration()
    karpenter.consolidationPolicy = policy
    karpenter.consolidateAfter = .minutes(5)
    let checkpoint = CheckpointPolicy(interval: .fixed(.minutes(10)), cost: .seconds(30), restartCost: .minutes(1))
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("big", .onDemand, type: "g5.12xlarge", min: 0, max: 4, desired: 2)],
      streams: [ClusterFixture.gpuStream(capacity: .onDemand, checkpoint: checkpoint)], catalogue: .awsUSEast1)
    simulation.model.cluster = Cluster(
      configuration: ClusterConfiguration(
        name: "k", nodePools: [ClusterFixture.pool("big", .onDemand, type: "g5.12xlarge", min: 0, max: 4, desired: 2)],
        karpenter: karpenter),
      teams: simulation.model.configuration.teams,
      governance: GovernanceConfiguration(requiredTags: [], admission: .off),
      seed: RandomSeed(root: 1), calendar: ClusterFixture.calendar, horizon: .days(1), rows: nil,
      policies: decisions)
    simulation.model.cluster!.start(scheduler: &simulation.scheduler, calendar: ClusterFixture.calendar)
    // Long job 0 on node 0, three short ones fill node 0, long job 4 lands on node 1.
    ClusterFixture.submit(&simulation, solveTime: .hours(3))
    ClusterFixture.submit(&simulation, solveTime: .minutes(20), count: 3)
    ClusterFixture.submit(&simulation, solveTime: .hours(3))
    _ = simulation.run(until: SimTime.zero + .minutes(1))
    #expect(simulation.model.cluster!.training.jobs[JobID(4)].nodes == [NodeID(1)])
    _ = simulation.run(until: SimTime.zero + .hours(5))
    let cluster = simulation.model.cluster!
    #expect(cluster.training.jobs.allSatisfy { $0.phase == .finished })
    if never {
      #expect(cluster.statistics.consolidationEvictions == 0)
      #expect(cluster.statistics.consolidations == 0)
    } else if policy == .whenEmptyOrUnderutilized {
      #expect(cluster.statistics.consolidationEvictions == 1)
      #expect(cluster.nodeTable.nodes.contains { $0.endReason == .consolidation })
      // Node 1 qualified first (its pods last changed at the start), so job 4 moved.
      #expect(cluster.training.jobs[JobID(4)].interruptions == 1 && cluster.training.jobs[JobID(0)].interruptions == 0)
    } else {
      #expect(cluster.statistics.consolidationEvictions == 0)
      // Both nodes emptied when the long jobs ended and were then removed.
      #expect(cluster.statistics.consolidations == 2)
    }
  }

  /// Karpenter launches for a pending gang within seconds and falls back from spot
  /// to on-demand when spot capacity is short.
  @Test func provisionsQuicklyAndFallsBackToOnDemand() {
    let market = SpotMarketConfiguration(shortageWindows: [SimTime.zero..<(SimTime.zero + .hours(6))])
    var simulation = ClusterFixture.world(
      pools: [
        ClusterFixture.pool("spot", .spot, max: 10, desired: 0, delay: .constant(60)),
        ClusterFixture.pool("od", .onDemand, max: 10, desired: 0, delay: .constant(60)),
      ],
      streams: [ClusterFixture.gpuStream(workers: 2, capacity: .spotWithFallback)], market: market)
    simulation.model.cluster = Cluster(
      configuration: ClusterConfiguration(
        name: "k",
        nodePools: [
          ClusterFixture.pool("spot", .spot, max: 10, desired: 0, delay: .constant(60)),
          ClusterFixture.pool("od", .onDemand, max: 10, desired: 0, delay: .constant(60)),
        ],
        spotMarket: market, karpenter: KarpenterConfiguration()),
      teams: simulation.model.configuration.teams,
      governance: GovernanceConfiguration(requiredTags: [], admission: .off),
      seed: RandomSeed(root: 1), calendar: ClusterFixture.calendar, horizon: .days(1), rows: nil)
    simulation.model.cluster!.start(scheduler: &simulation.scheduler, calendar: ClusterFixture.calendar)
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(2))
    let cluster = simulation.model.cluster!
    #expect(cluster.statistics.spotLaunchFailures >= 1)
    #expect(cluster.training.jobs[JobID(0)].firstStartedAt.map { $0 - SimTime.zero <= .seconds(62) } == true)
    #expect(cluster.nodeTable.nodes.allSatisfy { $0.capacityType == .onDemand })
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
  }
}
