import SimKernel
import Testing

@testable import PlatformModel

/// A pool at its maximum receives a spot notice: how many of its nodes exist during the
/// 2-minute notice, per autoscaler (docs/KPIS.md, "Pool size during a spot notice").
@Suite struct SpotNoticePoolSizeTests {
  enum Autoscaler: String, CaseIterable {
    case none
    case clusterAutoscaler
    case karpenter
  }

  /// The pool's nodes around a notice.
  ///
  /// Two g5.xlarge spot nodes (the pool's max), each running a 3-hour job; node 0 gets
  /// its notice at 30 min and goes at 32 min. Returns the pool's nodes (provisioning,
  /// Ready or draining) 1 min into the notice and 1 min after the reclaim, and how many
  /// count towards its size (live) during the notice.
  func poolDuringNotice(_ autoscaler: Autoscaler) throws -> (during: Int, liveDuring: Int, after: Int) {
    let pool = ClusterFixture.pool("spot", .spot, min: 0, max: 2, desired: 2, delay: .constant(30))
    var configuration = ClusterConfiguration(
      name: "notice", catalogue: CostTruthTests.catalogue(), nodePools: [pool])
    switch autoscaler {
    case .none: break
    case .clusterAutoscaler: configuration.autoscaler = ClusterAutoscalerConfiguration()
    case .karpenter: configuration.karpenter = KarpenterConfiguration()
    }
    var simulation = ClusterFixture.world(
      pools: [pool], streams: [ClusterFixture.gpuStream(capacity: .spot)], catalogue: CostTruthTests.catalogue(),
      horizon: .hours(4))
    simulation.model.cluster = Cluster(
      configuration: configuration, teams: simulation.model.configuration.teams,
      governance: GovernanceConfiguration(requiredTags: [], admission: .off), seed: RandomSeed(root: 1),
      calendar: ClusterFixture.calendar, horizon: .hours(4), rows: nil)
    simulation.model.cluster?.start(scheduler: &simulation.scheduler, calendar: ClusterFixture.calendar)
    ClusterFixture.submit(&simulation, solveTime: .hours(3), count: 2)
    simulation.scheduler.schedule(.cluster(.spotMarket(.notice(NodeID(0)))), at: SimTime.zero + .minutes(30))
    _ = simulation.run(until: SimTime.zero + .minutes(31))
    var cluster = try #require(simulation.model.cluster)
    let during = cluster.nodeTable.nodes.filter { $0.phase != .terminated }.count
    let liveDuring = cluster.nodePools.liveCount(PoolID(position: 0))
    #expect(cluster.nodeTable[NodeID(0)].phase == .draining)
    _ = simulation.run(until: SimTime.zero + .minutes(33))
    cluster = try #require(simulation.model.cluster)
    #expect(cluster.nodeTable[NodeID(0)].phase == .terminated)
    return (during, liveDuring, cluster.nodeTable.nodes.filter { $0.phase != .terminated }.count)
  }

  /// Every autoscaler launches the replacement at the notice.
  ///
  /// Karpenter's interruption handling does, and so does an Auto Scaling group with
  /// Capacity Rebalancing (launch before terminate, allowed past its maximum while it
  /// rebalances); Cluster Autoscaler does not act on the notice, and the noticed node
  /// does not count towards the size it scales (`desired`). So the pool holds max + 1 nodes for the 2 minutes, then max.
  @Test(arguments: Autoscaler.allCases)
  func replacementLaunchesAtTheNotice(autoscaler: Autoscaler) throws {
    let size = try poolDuringNotice(autoscaler)
    #expect(size.during == 3, "\(autoscaler): max 2 + the replacement during the notice")
    #expect(size.liveDuring == 2, "\(autoscaler): the noticed node no longer counts towards the pool's size")
    #expect(size.after == 2, "\(autoscaler): back to max once the noticed node is gone")
  }
}
