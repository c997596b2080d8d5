import Policies
import SimKernel

/// Identifies one serving replica pod.
///
/// Its service and its replica number within the service; an evicted pod's
/// replacement keeps the number.
public struct ServingPodID: Hashable, Sendable, CustomStringConvertible {
  public let service: ServiceID
  public let replica: Int32
  public init(service: ServiceID, replica: Int32) {
    self.service = service
    self.replica = replica
  }
  public var description: String { "serving-\(service.rawValue)-replica-\(replica)" }
}

/// What serving asks of the cluster about a replica pod, carried by the World.
public enum ServingPodRequest: Sendable, Equatable {
  /// The ReplicaSet created a pod: schedule it.
  case create(ServingPodID)
  /// The ReplicaSet scaled down: delete the pod (pending or running).
  case delete(ServingPodID)
}

/// What the cluster tells serving about a replica pod, carried by the World.
public enum ServingPodNotice: Sendable, Equatable {
  /// The pod was bound to a node now: its cold start begins.
  case bound(ServingPodID)
  /// The pod's node went now: the pod is gone and its replacement is pending.
  case evicted(ServingPodID)
}

/// A service whose replicas are pods on the cluster.
public struct ServingWorkload: Sendable {
  public var service: String
  /// The owning team: whose cost the pods are.
  public var team: TeamID
  public var placement: ServingPlacement

  public init(service: String, team: TeamID, placement: ServingPlacement) {
    self.service = service
    self.team = team
    self.placement = placement
  }
}

/// A replica pod in the cluster, across its attempts (an evicted pod's replacement is
/// the next attempt).
struct ServingPod {
  var node: NodeID?
  /// When the current attempt's pod was created (it pends from then until bound).
  var createdAt: SimTime
  var boundAt: SimTime = .zero
  var attempt = 1
  var deleted = false
}

/// Serving replicas as pods on the cluster (KServe predictor / Ray Serve replica pods).
///
/// - Scheduling: in each scheduling pass pending replica pods are placed before pending
///   training gangs, first fit in node-ID order on Ready nodes of the pools the
///   service's ``ServingPlacement`` allows (kube-scheduler's NodeResourcesFit,
///   NodeSelector and TaintToleration filters), as if serving ran at a higher
///   PriorityClass. A replica that fits nowhere may preempt training pods of lower
///   ``ServingPlacement/priority``, and training pods of higher priority may preempt
///   replicas (outcome `preempted`; the replacement is pending at once).
/// - Pods that fit nowhere stay pending; the Cluster Autoscaler's next scan (or
///   Karpenter's batch) grows an allowed pool for them, chosen by the `nodeScaleUp`
///   decision point as for training gangs.
/// - A pod whose node goes (spot notice — Karpenter and the Node Termination Handler
///   drain at the notice —, correlated reclaim, a pool's schedule) is evicted: the
///   replica stops serving at once and the ReplicaSet's replacement pod is pending.
/// - Cluster Autoscaler scale-down and Karpenter consolidation may remove an underused
///   node holding replicas when they fit on other nodes (``Cluster/drainPlan(on:evictsTrainingPods:)``):
///   the replicas are evicted with the node (outcome `drained` / `consolidated`) and
///   replaced elsewhere after a cold start. A placement with `safeToEvict: false`
///   (`cluster-autoscaler.kubernetes.io/safe-to-evict: "false"` /
///   `karpenter.sh/do-not-disrupt`) keeps its nodes. PodDisruptionBudgets are not modelled.
/// - Cost: each pod is charged its requests' share of its node for the time it held
///   it (``CostMath/allocation(request:capacity:split:duration:)``), to the owning
///   team, so allocated + idle = node cost still holds.
struct ServingPods {
  /// Services whose replicas are pods here (`nil` for the others).
  let workloads: IDArray<ServiceID, ServingWorkload?>
  /// The pools each service's pods may use.
  let allowedPools: IDArray<ServiceID, IDArray<PoolID, Bool>>
  /// Each service's pods by replica number.
  private(set) var pods: IDArray<ServiceID, [ServingPod]>
  /// Pods waiting for a node, in the order they were created or replaced.
  private(set) var pending: [ServingPodID] = []
  /// Bindings and evictions since the World last looked.
  private var notices: [ServingPodNotice] = []
  /// Pods that lost their node.
  private(set) var evictions = 0
  /// Pods evicted for higher-priority training pods.
  private(set) var preemptions = 0
  /// GPU-seconds the pods held.
  private(set) var allocatedGPUSeconds = 0.0

  init(workloads: [ServingWorkload?], configuration: ClusterConfiguration) {
    self.workloads = IDArray(workloads)
    allowedPools = IDArray(
      workloads.map { workload in
        IDArray(
          workload.map { workload in
            configuration.nodePools.map { workload.placement.canRun(on: $0, catalogue: configuration.catalogue) }
          } ?? [])
      })
    pods = IDArray(workloads.map { _ in [] })
  }

  /// Whether any service's replicas are pods here.
  var placesAny: Bool { workloads.contains { $0 != nil } }
  var hasPending: Bool { !pending.isEmpty }

  subscript(id: ServingPodID) -> ServingPod {
    _read { yield pods[id.service][Int(id.replica)] }
  }

  /// The ReplicaSet created pod `id` now: it is pending.
  mutating func create(_ id: ServingPodID, at time: SimTime) {
    precondition(workloads[id.service] != nil, "\(id): service not placed on the cluster")
    precondition(Int(id.replica) == pods[id.service].count, "\(id): replica numbers are sequential")
    pods[id.service].append(ServingPod(createdAt: time))
    pending.append(id)
  }

  /// Marks a pod deleted; `false` if it already was.
  mutating func markDeleted(_ id: ServingPodID) -> Bool {
    guard !pods[id.service][Int(id.replica)].deleted else { return false }
    pods[id.service][Int(id.replica)].deleted = true
    return true
  }

  mutating func removePending(_ id: ServingPodID) {
    if let position = pending.firstIndex(of: id) { pending.remove(at: position) }
  }

  mutating func setPending(_ ids: [ServingPodID]) { pending = ids }

  mutating func bind(_ id: ServingPodID, to node: NodeID, at time: SimTime) {
    pods[id.service][Int(id.replica)].node = node
    pods[id.service][Int(id.replica)].boundAt = time
    notices.append(.bound(id))
  }

  mutating func unbind(_ id: ServingPodID) { pods[id.service][Int(id.replica)].node = nil }

  /// The ReplicaSet's replacement for a pod that lost its node is pending now.
  mutating func replace(_ id: ServingPodID, at time: SimTime) {
    pods[id.service][Int(id.replica)].attempt += 1
    pods[id.service][Int(id.replica)].createdAt = time
    pending.append(id)
    notices.append(.evicted(id))
  }

  /// The run ends with the pod bound: its attempt so far is accounted for.
  mutating func closeAttempt(_ id: ServingPodID, at time: SimTime) { pods[id.service][Int(id.replica)].boundAt = time }

  mutating func countEviction() { evictions += 1 }
  mutating func countPreemption() { preemptions += 1 }
  mutating func addAllocatedGPUSeconds(_ seconds: Double) { allocatedGPUSeconds += seconds }

  /// Hands over the notices since the last call.
  mutating func drainNotices() -> [ServingPodNotice] {
    guard !notices.isEmpty else { return [] }
    defer { notices = [] }
    return notices
  }

  /// The first Ready node (by ID) of an allowed pool with room for `request`.
  func firstFit(for request: Resources, allowedPools: IDArray<PoolID, Bool>, in table: NodeTable) -> NodeID? {
    table.firstSchedulable(fitting: request, allowedPools: allowedPools)
  }
}

/// Replica pods across components: placement, eviction with their node, and cost.
extension Cluster {
  /// Applies a serving pod request.
  mutating func handleServingPodRequest(_ request: ServingPodRequest, scheduler: inout Scheduler<WorldEvent>) {
    switch request {
    case .create(let id):
      servingPods.create(id, at: scheduler.now)
      requestSchedulingPass(scheduler: &scheduler)
    case .delete(let id):
      guard servingPods.markDeleted(id) else { return }
      if servingPods[id].node != nil {
        releaseServingPod(id, at: scheduler.now, outcome: "scaled-down")
        // Freed room may fit a pending pod or gang.
        requestSchedulingPass(scheduler: &scheduler)
      } else {
        servingPods.removePending(id)
      }
    }
  }

  /// Hands over the notices since the last call.
  mutating func drainServingPodNotices() -> [ServingPodNotice] { servingPods.drainNotices() }

  /// Places pending replica pods, first fit in node-ID order.
  ///
  /// A service's pods that did not fit are not tried again in the same pass (same
  /// request, same pools). A pod
  /// that fits nowhere may preempt training pods of lower priority
  /// (``servingPreemption(for:allowedPools:priority:)``) when the preemption policy agrees.
  mutating func placeServingPods(scheduler: inout Scheduler<WorldEvent>) {
    let now = scheduler.now
    var unplaced: [ServingPodID] = []
    var fullServices: [ServiceID] = []
    let lowestRunningPriority = training.lowestRunningPriority
    for id in servingPods.pending {
      guard !fullServices.contains(id.service), let workload = servingPods.workloads[id.service] else {
        unplaced.append(id)
        continue
      }
      let placement = workload.placement
      let allowed = servingPods.allowedPools[id.service]
      let fitting: NodeID?
      if let percentage = podScheduler.percentageOfNodesToScore {
        fitting = podScheduler.sampledNode(
          fitting: placement.perReplica, pools: allowed, tiers: nil, percentage: percentage, in: nodeTable)
      } else {
        fitting = servingPods.firstFit(for: placement.perReplica, allowedPools: allowed, in: nodeTable)
      }
      if let node = fitting {
        bindServingPod(id, to: node, now: now)
        continue
      }
      if placement.priority > lowestRunningPriority,
        let preemption = servingPreemption(
          for: placement.perReplica, allowedPools: allowed, priority: placement.priority),
        policyAllowsPreemption(
          by: id.description, team: workload.team, priority: placement.priority,
          victims: preemption.victims.map { .job($0) }, now: now)
      {
        for victim in preemption.victims { interrupt(victim, cause: .preemption, scheduler: &scheduler) }
        bindServingPod(id, to: preemption.node, now: now)
        continue
      }
      fullServices.append(id.service)
      unplaced.append(id)
    }
    servingPods.setPending(unplaced)
  }

  /// Binds a pending replica pod to a node with room for it; its cold start begins.
  mutating func bindServingPod(_ id: ServingPodID, to node: NodeID, now: SimTime) {
    guard let workload = servingPods.workloads[id.service] else { return }
    nodeTable.bindServingPod(id, request: workload.placement.perReplica, to: node)
    servingPods.bind(id, to: node, at: now)
  }

  /// Evicts a bound replica pod for a higher-priority training job: it stops serving
  /// and its replacement is pending at once, as after an eviction.
  mutating func preemptServingPod(_ id: ServingPodID, scheduler: inout Scheduler<WorldEvent>) {
    guard servingPods[id].node != nil else { return }
    replaceServingPod(id, outcome: "preempted", at: scheduler.now)
    servingPods.countPreemption()
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Ends a bound pod's attempt with `outcome` and makes its replacement pending at
  /// once (the ReplicaSet controller); serving hears of it as an eviction.
  mutating func replaceServingPod(_ id: ServingPodID, outcome: String, at time: SimTime) {
    releaseServingPod(id, at: time, outcome: outcome)
    servingPods.replace(id, at: time)
  }

  /// Frees a bound pod's node, charges its allocation and writes its row.
  mutating func releaseServingPod(_ id: ServingPodID, at time: SimTime, outcome: String) {
    guard let node = servingPods[id].node, let workload = servingPods.workloads[id.service] else { return }
    nodeTable.releaseServingPod(id, request: workload.placement.perReplica, from: node)
    let parts = chargeServingPod(id.service, node: node, duration: time - servingPods[id].boundAt)
    recordServingPod(id, endedAt: time, outcome: outcome, cost: parts)
    servingPods.unbind(id)
  }

  /// Evicts every serving pod of a node that is going: each replica stops serving and
  /// its replacement pod is pending at once (the ReplicaSet controller).
  mutating func evictServingPods(onNode node: NodeID, reason: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    guard !nodeTable[node].servingPods.isEmpty else { return }
    let outcome: String
    switch reason {
    case .spotInterruption, .correlatedReclaim: outcome = "interrupted"
    case .schedule: outcome = "evicted-by-schedule"
    case .scaleDown: outcome = "drained"
    case .consolidation: outcome = "consolidated"
    case .provisionTimeout, .runEnded: outcome = "evicted"
    }
    for id in nodeTable[node].servingPods {
      replaceServingPod(id, outcome: outcome, at: scheduler.now)
      servingPods.countEviction()
    }
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Charges one pod's allocation on `node` for `duration` to its team (OpenCost).
  @discardableResult
  mutating func chargeServingPod(_ service: ServiceID, node: NodeID, duration: SimDuration) -> CostParts {
    guard let workload = servingPods.workloads[service] else { return CostParts() }
    let request = workload.placement.perReplica
    let parts = costBook.charge(request: request, on: nodeTable[node], duration: duration, team: workload.team)
    costBook.addServingCost(parts, to: service)
    servingPods.addAllocatedGPUSeconds(Double(request.gpuCount) * duration.seconds)
    return parts
  }

  /// Charges the pods still bound at the end of the run, up to `time`.
  mutating func closeServingBooks(at time: SimTime) {
    for service in servingPods.pods.indices {
      for replica in servingPods.pods[service].indices {
        let id = ServingPodID(service: service, replica: Int32(replica))
        guard let node = servingPods[id].node else { continue }
        let parts = chargeServingPod(service, node: node, duration: time - servingPods[id].boundAt)
        recordServingPod(id, endedAt: nil, outcome: "running", cost: parts)
        servingPods.closeAttempt(id, at: time)
      }
    }
  }

  /// Serving cost so far per service (whole micro-dollars; zero for services off the cluster).
  public var servingCostMicroUSD: [MicroUSD] { costBook.servingCost.map(\.total) }
}
