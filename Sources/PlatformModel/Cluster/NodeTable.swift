import SimKernel

/// Identifies a node for the whole run (never reused).
public struct NodeID: DenseID, CustomStringConvertible {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
  public var description: String { "node-\(rawValue)" }
}

/// Why a node left the cluster.
public enum NodeEndReason: String, Sendable {
  case spotInterruption = "spot-interruption"
  case correlatedReclaim = "correlated-reclaim"
  case scaleDown = "scale-down"
  case consolidation = "consolidation"
  case schedule = "schedule"
  case provisionTimeout = "provision-timeout"
  /// Still running when the simulated window ended.
  case runEnded = "run-ended"
}

/// Where a node is in its life.
enum NodePhase: Equatable {
  case provisioning
  case ready
  /// Cordoned: a spot notice arrived or the node is being removed.
  case draining
  case terminated
}

/// One node: what it is, where it is in its life, and the pods bound to it.
struct Node {
  var id: NodeID
  var pool: PoolID
  /// Index into the instance catalogue.
  var instanceType: Int
  var capacityType: CapacityType
  var capacity: Resources
  /// Requests of the pods bound to it.
  var allocated = Resources.zero
  var phase = NodePhase.provisioning
  var requestedAt: SimTime
  var readyAt: SimTime?
  var terminatedAt: SimTime?
  var endReason: NodeEndReason?
  var split: NodePriceSplit
  var onDemandMicroUSDPerHour: MicroUSD
  /// Rate of spot interruption notices (0 on demand).
  var hazardPerSecond: Double
  /// One entry per training worker pod on the node.
  var workers: [JobID] = []
  /// Serving replica pods on the node.
  var servingPods: [ServingPodID] = []
  /// The node's next lifecycle event (ready, provisioning timeout, spot notice, reclaim).
  var lifecycleEvent: EventHandle?
  /// Since when an autoscaler has seen the node as a removal candidate.
  var unneededSince: SimTime?
  /// Its position among its pool's nodes (``NodeTable``'s per-pool indexes).
  var poolSlot = 0
  /// Ready and not cordoned: pods can be placed on it.
  var isSchedulable = false

  /// Whether it counts towards its pool's size (not draining, not gone).
  var isLive: Bool { phase == .provisioning || phase == .ready }
  var free: Resources { capacity - allocated }
  var isEmpty: Bool { workers.isEmpty && servingPods.isEmpty }
}

/// The cluster's nodes and the pods bound to them: the one state that node pools, the
/// spot market, the scheduler, the autoscalers, training and serving all read — in
/// Kubernetes, the API server's Node objects and pod bindings.
///
/// Its records can be written only through these methods (and only here), so every
/// component changes a node the same way: a pod bound adds its requests and resets
/// the node's unneeded clock, a node leaving the schedulable set is cordoned, and so on.
/// Nodes live in an array indexed by ID, so every iteration is in ID order.
///
/// Each pool's nodes are also indexed by free capacity (``FreeCapacityIndex``, one leaf
/// per node in ID order), so that placement, scale-up's simulation and scale-down find
/// the nodes that matter in O(log n) each instead of scanning every node; the answers
/// are those of the scans in ID order (`NodeIndexTests` holds the two side by side).
struct NodeTable {
  /// One pool's nodes in ID order (IDs only grow, so launch order), and their free capacity.
  struct PoolNodes {
    var ids: [NodeID] = []
    /// Free capacity of schedulable nodes (others absent): where pods can go now.
    var schedulableFree = FreeCapacityIndex()
    /// Free capacity of live nodes, provisioning or schedulable (others absent).
    ///
    /// What scale-up counts as coming. During a scale-up simulation it also holds the
    /// simulation's changes and, after the real nodes, the nodes it would launch.
    var liveFree = FreeCapacityIndex()
    /// Order keys of the simulated nodes after `ids` (after every real node, in the
    /// order the simulation added them).
    var simulatedKeys: [Int] = []
  }

  private(set) var nodes = IDArray<NodeID, Node>()
  /// Ready, non-draining nodes in ID order: where pods can be placed.
  private(set) var schedulable: [NodeID] = []
  /// Nodes not yet terminated, in ID order.
  private(set) var active: [NodeID] = []
  private(set) var pools: [PoolNodes] = []
  /// Cluster Autoscaler's utilisation threshold, when it runs: schedulable nodes below
  /// it are kept in `underutilised`, so a scale-down scan visits only them.
  let underutilisationThreshold: Double?
  private(set) var underutilised = OrderedNodeSet()
  /// Scale-up simulation's changes to `liveFree` of real nodes, to undo (pool, slot, old value).
  private var simulationUndo: [(pool: Int, slot: Int, free: Resources?)] = []
  private var simulatedNodeCount = 0

  init(underutilisationThreshold: Double? = nil) { self.underutilisationThreshold = underutilisationThreshold }

  subscript(id: NodeID) -> Node {
    _read { yield nodes[id] }
  }

  /// The ID the next node gets.
  var nextID: NodeID { nodes.nextID }

  /// Adds a node that was just requested (provisioning).
  mutating func add(_ node: Node) {
    var node = node
    let pool = node.pool.position
    while pools.count <= pool { pools.append(PoolNodes()) }
    node.poolSlot = pools[pool].ids.count
    node.isSchedulable = false
    pools[pool].ids.append(node.id)
    pools[pool].schedulableFree.append(nil)
    pools[pool].liveFree.append(node.isLive ? node.free : nil)
    nodes.append(node)
    active.append(node.id)
  }

  mutating func setLifecycleEvent(_ handle: EventHandle?, of id: NodeID) { nodes[id].lifecycleEvent = handle }

  /// The node's pending lifecycle event, which it no longer has.
  mutating func takeLifecycleEvent(of id: NodeID) -> EventHandle? {
    defer { nodes[id].lifecycleEvent = nil }
    return nodes[id].lifecycleEvent
  }

  /// A provisioning node is Ready: pods can be placed on it.
  mutating func markReady(_ id: NodeID, at time: SimTime) {
    nodes[id].phase = .ready
    nodes[id].readyAt = time
    nodes[id].lifecycleEvent = nil
    var position = schedulable.count
    while position > 0 && schedulable[position - 1].rawValue > id.rawValue { position -= 1 }
    schedulable.insert(id, at: position)
    nodes[id].isSchedulable = true
    freeChanged(id)
  }

  /// Moves a node to draining or terminated; returns whether it counted towards its pool.
  mutating func leaveLive(_ id: NodeID, to phase: NodePhase) -> Bool {
    let wasLive = nodes[id].isLive
    nodes[id].phase = phase
    freeChanged(id)
    return wasLive
  }

  /// No new pods go to the node.
  mutating func cordon(_ id: NodeID) {
    if let position = Self.position(of: id, in: schedulable) { schedulable.remove(at: position) }
    nodes[id].isSchedulable = false
    freeChanged(id)
  }

  mutating func setEndReason(_ reason: NodeEndReason, of id: NodeID) { nodes[id].endReason = reason }

  /// The node is gone (after ``leaveLive(_:to:)`` to `.terminated`).
  mutating func remove(_ id: NodeID, at time: SimTime, reason: NodeEndReason) {
    if let position = Self.position(of: id, in: active) { active.remove(at: position) }
    nodes[id].terminatedAt = time
    nodes[id].endReason = reason
  }

  mutating func bindWorker(_ job: JobID, request: Resources, to id: NodeID) {
    nodes[id].allocated = nodes[id].allocated + request
    nodes[id].workers.append(job)
    nodes[id].unneededSince = nil
    freeChanged(id)
  }

  mutating func releaseWorker(_ job: JobID, request: Resources, from id: NodeID) {
    nodes[id].allocated = nodes[id].allocated - request
    nodes[id].unneededSince = nil
    if let position = nodes[id].workers.firstIndex(of: job) { nodes[id].workers.remove(at: position) }
    freeChanged(id)
  }

  mutating func bindServingPod(_ pod: ServingPodID, request: Resources, to id: NodeID) {
    nodes[id].allocated = nodes[id].allocated + request
    nodes[id].servingPods.append(pod)
    nodes[id].unneededSince = nil
    freeChanged(id)
  }

  mutating func releaseServingPod(_ pod: ServingPodID, request: Resources, from id: NodeID) {
    nodes[id].allocated = nodes[id].allocated - request
    nodes[id].unneededSince = nil
    if let position = nodes[id].servingPods.firstIndex(of: pod) { nodes[id].servingPods.remove(at: position) }
    freeChanged(id)
  }

  mutating func setUnneeded(since time: SimTime?, of id: NodeID) { nodes[id].unneededSince = time }

  /// The distinct training jobs with workers on the node, in the order they arrived there.
  func jobs(on id: NodeID) -> [JobID] {
    var seen: [JobID] = []
    for job in nodes[id].workers where !seen.contains(job) { seen.append(job) }
    return seen
  }

  /// Brings the node's entries in the indexes up to date after its phase, schedulability
  /// or allocation changed.
  private mutating func freeChanged(_ id: NodeID) {
    // Field by field: a copy of the whole node would retain its pod arrays.
    let pool = nodes[id].pool.position
    let slot = nodes[id].poolSlot
    let free = nodes[id].free
    let isSchedulable = nodes[id].isSchedulable
    pools[pool].schedulableFree.update(slot, free: isSchedulable ? free : nil)
    pools[pool].liveFree.update(slot, free: nodes[id].isLive ? free : nil)
    guard let threshold = underutilisationThreshold else { return }
    if isSchedulable && nodes[id].utilisation < threshold {
      underutilised.insert(id)
    } else {
      underutilised.remove(id)
    }
  }

  /// Where `id` is in `list` (sorted by ID), by binary search.
  private static func position(of id: NodeID, in list: [NodeID]) -> Int? {
    var low = 0
    var high = list.count
    while low < high {
      let middle = (low + high) / 2
      if list[middle].rawValue < id.rawValue { low = middle + 1 } else { high = middle }
    }
    return low < list.count && list[low] == id ? low : nil
  }

  // MARK: Queries

  /// The pool's first schedulable node at or after `slot` with free room for `request`.
  func firstSchedulable(fitting request: Resources, pool: PoolID, from slot: Int = 0) -> Int? {
    guard pool.position < pools.count else { return nil }
    return pools[pool.position].schedulableFree.firstFit(request, from: slot)
  }

  /// The node at `slot` of `pool`.
  func node(pool: PoolID, slot: Int) -> NodeID { pools[pool.position].ids[slot] }

  /// The first schedulable node by ID, among `allowedPools`, with free room for `request`.
  func firstSchedulable(fitting request: Resources, allowedPools: IDArray<PoolID, Bool>) -> NodeID? {
    var best: NodeID?
    for pool in allowedPools.indices where allowedPools[pool] {
      guard let slot = firstSchedulable(fitting: request, pool: pool) else { continue }
      let id = node(pool: pool, slot: slot)
      if best.map({ id.rawValue < $0.rawValue }) ?? true { best = id }
    }
    return best
  }

  /// The first schedulable node with utilisation below ``underutilisationThreshold``
  /// at or after `start` (by ID).
  func firstUnderutilised(from start: Int) -> NodeID? { underutilised.first(from: start) }

  // MARK: Scale-up simulation

  /// The pool's first live node (or simulated node) at or after `slot` whose free
  /// capacity, as the simulation has it, covers `request`.
  func firstLive(fitting request: Resources, pool: PoolID, from slot: Int = 0) -> Int? {
    guard pool.position < pools.count else { return nil }
    return pools[pool.position].liveFree.firstFit(request, from: slot)
  }

  /// Free capacity at `slot` of `pool` as the simulation has it.
  func liveFree(pool: PoolID, slot: Int) -> Resources {
    pools[pool.position].liveFree[slot] ?? .zero
  }

  /// Where the slot comes in scale-up's order: real nodes by ID, then simulated nodes
  /// in the order they were added.
  func liveOrder(pool: PoolID, slot: Int) -> Int {
    let entry = pools[pool.position]
    return slot < entry.ids.count ? Int(entry.ids[slot].rawValue) : entry.simulatedKeys[slot - entry.ids.count]
  }

  /// The simulation takes or gives back capacity at a slot.
  mutating func simulateLiveFree(pool: PoolID, slot: Int, free: Resources) {
    if slot < pools[pool.position].ids.count {
      simulationUndo.append((pool.position, slot, pools[pool.position].liveFree[slot]))
    }
    pools[pool.position].liveFree.update(slot, free: free)
  }

  /// The simulation adds a node it would launch, with `free` capacity left.
  mutating func simulateNode(pool: PoolID, free: Resources) {
    while pools.count <= pool.position { pools.append(PoolNodes()) }
    pools[pool.position].liveFree.append(free)
    pools[pool.position].simulatedKeys.append(Int(Int32.max) + 1 + simulatedNodeCount)
    simulatedNodeCount += 1
  }

  /// Ends a scale-up simulation: the live capacity is the real one again.
  mutating func endSimulation() {
    while let change = simulationUndo.popLast() { pools[change.pool].liveFree.update(change.slot, free: change.free) }
    for pool in pools.indices where !pools[pool].simulatedKeys.isEmpty {
      pools[pool].liveFree.truncate(to: pools[pool].ids.count)
      pools[pool].simulatedKeys = []
    }
    simulatedNodeCount = 0
  }
}

extension Node {
  /// Cluster Autoscaler's utilisation: the GPU share on GPU nodes, else the larger of
  /// the CPU and memory shares.
  var utilisation: Double {
    if capacity.gpuCount > 0 { return Double(allocated.gpuCount) / Double(capacity.gpuCount) }
    return max(
      Double(allocated.cpuMillis) / Double(max(1, capacity.cpuMillis)),
      Double(allocated.memoryMiB) / Double(max(1, capacity.memoryMiB)))
  }
}
