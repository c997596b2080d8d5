import SimKernel

/// Events of the spot market.
public enum SpotMarketEvent: Sendable {
  /// The cloud's interruption notice for a spot node (AWS: two minutes ahead).
  case notice(NodeID)
  /// A noticed node is reclaimed at the end of its notice window.
  case reclaimed(NodeID)
  /// A market event reclaims a share of every spot pool's Ready nodes at once.
  case correlatedReclaim
}

/// The spot market: per-node reclaims, notices, correlated reclaims and shortages.
///
/// Each spot node draws an exponential time to its interruption notice when it
/// becomes Ready, at the hazard of its instance type (``SpotInterruptionRate``); the
/// node goes a notice window later (AWS: 2 min). On the notice the node is cordoned,
/// its pool launches a replacement at once (Karpenter's interruption handling; an ASG
/// with capacity rebalancing), and jobs save a checkpoint if it fits in the window.
/// Capacity-shortage windows make spot launches fail (InsufficientInstanceCapacity).
struct SpotMarket {
  let configuration: SpotMarketConfiguration
  /// Capacity-shortage windows, drawn up front, by start.
  let shortages: [Range<SimTime>]
  /// Time to a notice, one stream per pool (`spot/<pool>`).
  private var lifetimeStreams: IDArray<PoolID, RandomStream>
  private var correlatedStream: RandomStream
  private(set) var notices = 0
  private(set) var launchFailures = 0
  private(set) var correlatedReclaims = 0

  init(configuration: ClusterConfiguration, seed: RandomSeed, horizon: SimDuration) {
    let market = configuration.spotMarket
    self.configuration = market
    lifetimeStreams = IDArray(configuration.nodePools.map { seed.stream("spot/\($0.name)") })
    correlatedStream = seed.stream("spot/correlated-reclaims")
    var shortageStream = seed.stream("spot/capacity-shortages")
    var windows = market.shortageWindows
    if let mean = market.shortageMeanInterval, mean.microseconds > 0 {
      var time = SimTime.zero
      while true {
        time = time + SimDuration(seconds: shortageStream.exponential(mean: mean.seconds))
        if time.microseconds >= horizon.microseconds { break }
        let length = market.shortageDuration.sampleDuration(&shortageStream)
        windows.append(time..<(time + length))
      }
    }
    shortages = windows.sorted { $0.lowerBound < $1.lowerBound }
  }

  /// Whether spot launches fail at `time` (a capacity shortage window).
  func shortage(at time: SimTime) -> Bool {
    for window in shortages {
      if window.lowerBound > time { return false }
      if window.contains(time) { return true }
    }
    return false
  }

  /// A node that just became Ready: its time to an interruption notice, `nil` on demand.
  mutating func drawTimeToNotice(of node: Node) -> SimDuration? {
    guard node.hazardPerSecond > 0 else { return nil }
    return SimDuration(seconds: lifetimeStreams[node.pool].exponential(mean: 1 / node.hazardPerSecond))
  }

  /// The time to the next correlated reclaim.
  mutating func drawCorrelatedInterval(mean: SimDuration) -> SimDuration {
    SimDuration(seconds: correlatedStream.exponential(mean: mean.seconds))
  }

  /// Which of `count` Ready nodes a correlated reclaim takes next.
  mutating func pickReclaimed(among count: Int) -> Int { correlatedStream.nextInt(below: count) }

  mutating func recordNotice() { notices += 1 }
  mutating func recordLaunchFailure() { launchFailures += 1 }
  mutating func recordCorrelatedReclaim() { correlatedReclaims += 1 }
}

/// Spot notices and reclaims across components: the node is cordoned and drained,
/// its pool replaces it, its jobs checkpoint if they can.
extension Cluster {
  mutating func handle(_ event: SpotMarketEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .notice(let node): receiveSpotNotice(node, cause: .spotInterruption, scheduler: &scheduler)
    case .reclaimed(let node):
      terminateNode(node, reason: nodeTable[node].endReason ?? .spotInterruption, scheduler: &scheduler)
    case .correlatedReclaim: correlatedReclaim(scheduler: &scheduler)
    }
  }

  /// Schedules the first correlated reclaim, when the market has them.
  mutating func startSpotMarket(scheduler: inout Scheduler<WorldEvent>) {
    if let mean = spotMarket.configuration.correlatedReclaimMeanInterval, mean.microseconds > 0 {
      scheduler.schedule(
        .cluster(.spotMarket(.correlatedReclaim)), after: spotMarket.drawCorrelatedInterval(mean: mean))
    }
  }

  mutating func receiveSpotNotice(_ id: NodeID, cause: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    guard nodeTable[id].phase == .ready else { return }
    spotMarket.recordNotice()
    if let handle = nodeTable.takeLifecycleEvent(of: id) { scheduler.cancel(handle) }
    let window = spotMarket.configuration.noticeWindow
    guard window.microseconds > 0 else {
      terminateNode(id, reason: cause, scheduler: &scheduler)
      return
    }
    let pool = nodeTable[id].pool
    if nodeTable.leaveLive(id, to: .draining) { nodePools.nodeLeftLive(pool) }
    nodeTable.setEndReason(cause, of: id)
    nodeTable.cordon(id)
    // Serving pods are drained at the notice (Karpenter's interruption handling, the
    // Node Termination Handler), so their replacements start before the node goes.
    evictServingPods(onNode: id, reason: cause, scheduler: &scheduler)
    reconcile(pool: pool, scheduler: &scheduler)
    for job in nodeTable.jobs(on: id) { noticeReceived(job, windowRemaining: window, scheduler: &scheduler) }
    nodeTable.setLifecycleEvent(scheduler.schedule(.cluster(.spotMarket(.reclaimed(id))), after: window), of: id)
  }

  /// A market event reclaims a share of each spot pool's Ready nodes at once.
  mutating func correlatedReclaim(scheduler: inout Scheduler<WorldEvent>) {
    spotMarket.recordCorrelatedReclaim()
    let fraction = spotMarket.configuration.correlatedReclaimFraction
    for pool in nodePools.ids where nodePools.configurations[pool].capacityType == .spot {
      var ready = nodeTable.schedulable.filter { nodeTable[$0].pool == pool }
      let count = Int((Double(ready.count) * fraction).rounded(.up))
      for _ in 0..<min(count, ready.count) {
        let node = ready.remove(at: spotMarket.pickReclaimed(among: ready.count))
        receiveSpotNotice(node, cause: .correlatedReclaim, scheduler: &scheduler)
      }
    }
    if let mean = spotMarket.configuration.correlatedReclaimMeanInterval {
      scheduler.schedule(
        .cluster(.spotMarket(.correlatedReclaim)), after: spotMarket.drawCorrelatedInterval(mean: mean))
    }
  }
}
