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
struct NodeTable {
  private(set) var nodes = IDArray<NodeID, Node>()
  /// Ready, non-draining nodes in ID order: where pods can be placed.
  private(set) var schedulable: [NodeID] = []
  /// Nodes not yet terminated, in ID order.
  private(set) var active: [NodeID] = []

  subscript(id: NodeID) -> Node {
    _read { yield nodes[id] }
  }

  /// The ID the next node gets.
  var nextID: NodeID { nodes.nextID }

  /// Adds a node that was just requested (provisioning).
  mutating func add(_ node: Node) {
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
  }

  /// Moves a node to draining or terminated; returns whether it counted towards its pool.
  mutating func leaveLive(_ id: NodeID, to phase: NodePhase) -> Bool {
    let wasLive = nodes[id].isLive
    nodes[id].phase = phase
    return wasLive
  }

  /// No new pods go to the node.
  mutating func cordon(_ id: NodeID) {
    if let position = schedulable.firstIndex(of: id) { schedulable.remove(at: position) }
  }

  mutating func setEndReason(_ reason: NodeEndReason, of id: NodeID) { nodes[id].endReason = reason }

  /// The node is gone (after ``leaveLive(_:to:)`` to `.terminated`).
  mutating func remove(_ id: NodeID, at time: SimTime, reason: NodeEndReason) {
    if let position = active.firstIndex(of: id) { active.remove(at: position) }
    nodes[id].terminatedAt = time
    nodes[id].endReason = reason
  }

  mutating func bindWorker(_ job: JobID, request: Resources, to id: NodeID) {
    nodes[id].allocated = nodes[id].allocated + request
    nodes[id].workers.append(job)
    nodes[id].unneededSince = nil
  }

  mutating func releaseWorker(_ job: JobID, request: Resources, from id: NodeID) {
    nodes[id].allocated = nodes[id].allocated - request
    nodes[id].unneededSince = nil
    if let position = nodes[id].workers.firstIndex(of: job) { nodes[id].workers.remove(at: position) }
  }

  mutating func bindServingPod(_ pod: ServingPodID, request: Resources, to id: NodeID) {
    nodes[id].allocated = nodes[id].allocated + request
    nodes[id].servingPods.append(pod)
    nodes[id].unneededSince = nil
  }

  mutating func releaseServingPod(_ pod: ServingPodID, request: Resources, from id: NodeID) {
    nodes[id].allocated = nodes[id].allocated - request
    nodes[id].unneededSince = nil
    if let position = nodes[id].servingPods.firstIndex(of: pod) { nodes[id].servingPods.remove(at: position) }
  }

  mutating func setUnneeded(since time: SimTime?, of id: NodeID) { nodes[id].unneededSince = time }

  /// The distinct training jobs with workers on the node, in the order they arrived there.
  func jobs(on id: NodeID) -> [JobID] {
    var seen: [JobID] = []
    for job in nodes[id].workers where !seen.contains(job) { seen.append(job) }
    return seen
  }
}
