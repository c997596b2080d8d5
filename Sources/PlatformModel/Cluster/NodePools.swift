import SimKernel

/// Identifies a node pool by its position in the scenario.
public struct PoolID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
}

/// Events of the node pools: nodes becoming Ready, and launches retried.
public enum NodePoolEvent: Sendable {
  /// A launched node passed its provisioning delay.
  case nodeReady(NodeID)
  /// A node was not Ready within Cluster Autoscaler's `max-node-provision-time`.
  case provisionTimedOut(NodeID)
  /// A pool without an autoscaler retries launching after its back-off.
  case reconcile(PoolID)
}

/// The node pools (EKS managed node groups, Karpenter NodePools): how many nodes each
/// should have, and launching them.
///
/// A pool holds its desired size, as an Auto Scaling group does: it launches nodes
/// until its live nodes (provisioning or Ready) reach it, and replaces nodes it loses.
/// A launch that fails (a spot capacity shortage) backs the pool off; with an
/// autoscaler the pool then shrinks to what it has, so the autoscaler's next scan may
/// choose another pool, and without one the pool retries after the back-off.
struct NodePools {
  struct PoolState {
    /// Nodes the pool should have (the ASG's desired capacity).
    var desired: Int
    var backoffUntil = SimTime.zero
    var launchFailures = 0
    /// Nodes provisioning or Ready (not draining, not gone): what counts towards `desired`.
    var liveCount = 0
    /// Instance types chosen by an autoscaler for nodes still to launch, in order.
    var queuedTypes: [Int] = []
  }

  let configurations: IDArray<PoolID, NodePoolConfiguration>
  /// Instance-type indices (into the catalogue) of each pool, in preference order.
  let instanceTypes: IDArray<PoolID, [Int]>
  private(set) var states: IDArray<PoolID, PoolState>
  private var provisioningStreams: IDArray<PoolID, RandomStream>
  private(set) var nodesLaunched = 0
  private(set) var nodesTerminated = 0
  /// Scale-up decisions (a pool grown for pending pods).
  private(set) var scaleUps = 0
  /// When a pool last grew for pending pods (Cluster Autoscaler's scale-down cool-down).
  private(set) var lastScaleUpAt = SimTime(microseconds: .min / 2)

  init(configuration: ClusterConfiguration, seed: RandomSeed) {
    configurations = IDArray(configuration.nodePools)
    instanceTypes = IDArray(
      configuration.nodePools.map { pool in pool.instanceTypes.compactMap { configuration.catalogue.index(of: $0) } })
    states = IDArray(configuration.nodePools.map { PoolState(desired: $0.desiredNodes) })
    provisioningStreams = IDArray(configuration.nodePools.map { seed.stream("cluster/\($0.name)/provisioning") })
  }

  var ids: Range<PoolID> { states.indices }
  func desired(_ pool: PoolID) -> Int { states[pool].desired }
  func liveCount(_ pool: PoolID) -> Int { states[pool].liveCount }

  /// The type the pool's next node takes: the next one an autoscaler chose, else the
  /// pool's first.
  func nextLaunch(_ pool: PoolID) -> (type: Int, queued: Bool)? {
    if let queued = states[pool].queuedTypes.first { return (queued, true) }
    return instanceTypes[pool].first.map { ($0, false) }
  }

  mutating func recordLaunchFailure(_ pool: PoolID) { states[pool].launchFailures += 1 }

  /// A node of the pool was requested.
  mutating func launched(_ pool: PoolID, fromQueue: Bool) {
    if fromQueue { states[pool].queuedTypes.removeFirst() }
    nodesLaunched += 1
    states[pool].liveCount += 1
  }

  mutating func drawProvisioningDelay(_ pool: PoolID) -> SimDuration {
    configurations[pool].provisioningDelay.sampleDuration(&provisioningStreams[pool])
  }

  /// A node of the pool is draining or gone.
  mutating func nodeLeftLive(_ pool: PoolID) { states[pool].liveCount -= 1 }
  mutating func nodeTerminated() { nodesTerminated += 1 }

  mutating func setDesired(_ pool: PoolID, _ desired: Int) { states[pool].desired = desired }
  mutating func backOff(_ pool: PoolID, until time: SimTime) { states[pool].backoffUntil = time }
  mutating func clearQueuedTypes(_ pool: PoolID) { states[pool].queuedTypes = [] }

  /// An autoscaler grows the pool by `count` nodes for pending pods.
  mutating func grow(_ pool: PoolID, by count: Int, at time: SimTime) {
    states[pool].desired += count
    scaleUps += 1
    lastScaleUpAt = time
  }

  /// The instance type an autoscaler chose for the next `count` nodes of the pool.
  mutating func queue(_ type: Int, count: Int, for pool: PoolID) {
    states[pool].queuedTypes += Array(repeating: type, count: count)
  }
}

/// Node lifecycle across components: a node launched, Ready, or gone.
extension Cluster {
  mutating func handle(_ event: NodePoolEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .nodeReady(let node): nodeBecameReady(node, scheduler: &scheduler)
    case .provisionTimedOut(let node):
      // CA gives up on a node not Ready within max-node-provision-time: the group is
      // backed off and shrunk, so the next scan may pick another group.
      let pool = nodeTable[node].pool
      nodePools.setDesired(pool, max(nodePools.configurations[pool].minNodes, nodePools.desired(pool) - 1))
      nodePools.backOff(pool, until: scheduler.now + scaleUpBackoff)
      terminateNode(node, reason: .provisionTimeout, scheduler: &scheduler)
    case .reconcile(let pool): reconcile(pool: pool, scheduler: &scheduler)
    }
  }

  /// Launches one node; returns `false` when the launch failed (spot shortage).
  @discardableResult
  mutating func launchNode(pool: PoolID, scheduler: inout Scheduler<WorldEvent>, immediately: Bool = false) -> Bool {
    let capacityType = nodePools.configurations[pool].capacityType
    guard let launch = nodePools.nextLaunch(pool) else { return false }
    if capacityType == .spot && spotMarket.shortage(at: scheduler.now) {
      nodePools.recordLaunchFailure(pool)
      spotMarket.recordLaunchFailure()
      return false
    }
    nodePools.launched(pool, fromQueue: launch.queued)
    let type = configuration.catalogue.types[launch.type]
    let id = nodeTable.nextID
    let capacity = type.capacity
    nodeTable.add(
      Node(
        id: id, pool: pool, instanceType: launch.type, capacityType: capacityType, capacity: capacity,
        requestedAt: scheduler.now,
        split: NodePriceSplit(priceUSDPerHour: type.priceUSDPerHour(capacityType), capacity: capacity),
        onDemandMicroUSDPerHour: MicroUSD((type.onDemandPriceUSDPerHour * 1_000_000).rounded()),
        hazardPerSecond: capacityType == .spot ? type.spotInterruption.hazardPerSecond : 0))
    let delay = immediately ? .zero : nodePools.drawProvisioningDelay(pool)
    let event: NodePoolEvent
    let after: SimDuration
    if let autoscaler = configuration.autoscaler, delay > autoscaler.maxNodeProvisionTime {
      (event, after) = (.provisionTimedOut(id), autoscaler.maxNodeProvisionTime)
    } else {
      (event, after) = (.nodeReady(id), delay)
    }
    nodeTable.setLifecycleEvent(scheduler.schedule(.cluster(.nodePools(event)), after: after), of: id)
    return true
  }

  mutating func nodeBecameReady(_ id: NodeID, scheduler: inout Scheduler<WorldEvent>) {
    guard nodeTable[id].phase == .provisioning else { return }
    nodeTable.markReady(id, at: scheduler.now)
    if let lifetime = spotMarket.drawTimeToNotice(of: nodeTable[id]) {
      nodeTable.setLifecycleEvent(scheduler.schedule(.cluster(.spotMarket(.notice(id))), after: lifetime), of: id)
    }
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// A node leaves: its serving pods are evicted and its jobs interrupted, it is
  /// billed, and the pool replaces it if it is now below its desired size (an ASG
  /// replacing lost capacity).
  mutating func terminateNode(_ id: NodeID, reason: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    guard nodeTable[id].phase != .terminated else { return }
    if let handle = nodeTable.takeLifecycleEvent(of: id) { scheduler.cancel(handle) }
    nodeTable.cordon(id)
    evictServingPods(onNode: id, reason: reason, scheduler: &scheduler)
    let cause: JobInterruptionCause = reason == .schedule ? .schedule : .spot
    for job in nodeTable.jobs(on: id) { interrupt(job, cause: cause, scheduler: &scheduler) }
    let pool = nodeTable[id].pool
    if nodeTable.leaveLive(id, to: .terminated) { nodePools.nodeLeftLive(pool) }
    nodeTable.remove(id, at: scheduler.now, reason: reason)
    closeNodeCost(id, at: scheduler.now)
    nodePools.nodeTerminated()
    reconcile(pool: pool, scheduler: &scheduler)
  }

  /// Brings a pool to its desired size: launches the nodes it lacks.
  mutating func reconcile(pool: PoolID, scheduler: inout Scheduler<WorldEvent>) {
    var live = nodePools.liveCount(pool)
    while live < nodePools.desired(pool) {
      if !launchNode(pool: pool, scheduler: &scheduler) {
        // Retry after the back-off; an autoscaler meanwhile looks elsewhere.
        let backoff = scaleUpBackoff
        nodePools.backOff(pool, until: scheduler.now + backoff)
        if configuration.autoscaler != nil || configuration.karpenter != nil {
          nodePools.setDesired(pool, live)
          nodePools.clearQueuedTypes(pool)
          if karpenter != nil { requestProvisioning(scheduler: &scheduler) }
        } else {
          scheduler.schedule(.cluster(.nodePools(.reconcile(pool))), after: backoff)
        }
        return
      }
      live += 1
    }
  }

  /// How long a pool is skipped after a failed launch.
  var scaleUpBackoff: SimDuration {
    configuration.autoscaler?.nodeGroupBackoff ?? configuration.karpenter?.unavailableOfferingTTL ?? .minutes(5)
  }
}
