import Policies
import SimKernel

/// Identifies one serving replica pod.
///
/// Its service (position in the scenario) and its replica number within the service;
/// an evicted pod's replacement keeps the number.
public struct ServingPodID: Hashable, Sendable, CustomStringConvertible {
  public let service: Int32
  public let replica: Int32
  public init(service: Int32, replica: Int32) {
    self.service = service
    self.replica = replica
  }
  public var description: String { "serving-\(service)-replica-\(replica)" }
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
  /// The owning team (index into the cluster's teams): whose cost the pods are.
  public var team: Int
  public var placement: ServingPlacement

  public init(service: String, team: Int, placement: ServingPlacement) {
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
extension Cluster {
  /// Whether any service's replicas are pods here.
  var hasServingPods: Bool { servingWorkloads.contains { $0 != nil } }

  /// Applies a serving pod request.
  mutating func handleServingPodRequest(_ request: ServingPodRequest, scheduler: inout Scheduler<WorldEvent>) {
    switch request {
    case .create(let id):
      let service = Int(id.service)
      precondition(servingWorkloads[service] != nil, "\(id): service not placed on the cluster")
      precondition(Int(id.replica) == servingPods[service].count, "\(id): replica numbers are sequential")
      servingPods[service].append(ServingPod(createdAt: scheduler.now))
      pendingServingPods.append(id)
      requestSchedulingPass(scheduler: &scheduler)
    case .delete(let id):
      let service = Int(id.service)
      let replica = Int(id.replica)
      guard !servingPods[service][replica].deleted else { return }
      servingPods[service][replica].deleted = true
      if servingPods[service][replica].node != nil {
        releaseServingPod(id, at: scheduler.now, outcome: "scaled-down")
        // Freed room may fit a pending pod or gang.
        requestSchedulingPass(scheduler: &scheduler)
      } else if let position = pendingServingPods.firstIndex(of: id) {
        pendingServingPods.remove(at: position)
      }
    }
  }

  /// Hands over the notices since the last call.
  mutating func drainServingPodNotices() -> [ServingPodNotice] {
    defer { servingPodNotices.removeAll(keepingCapacity: true) }
    return servingPodNotices
  }

  /// Places pending replica pods, first fit in node-ID order; a service's pods that did
  /// not fit are not tried again in the same pass (same request, same pools). A pod
  /// that fits nowhere may preempt training pods of lower priority
  /// (``servingPreemption(for:allowedPools:priority:)``) when the preemption policy agrees.
  mutating func placeServingPods(scheduler: inout Scheduler<WorldEvent>) {
    let now = scheduler.now
    var unplaced: [ServingPodID] = []
    var fullServices: [Int32] = []
    let lowestRunningPriority = lowestRunningJobPriority
    for id in pendingServingPods {
      let service = Int(id.service)
      guard !fullServices.contains(id.service), let workload = servingWorkloads[service] else {
        unplaced.append(id)
        continue
      }
      let placement = workload.placement
      if let nodeIndex = servingNode(for: placement.perReplica, allowedPools: servingPools[service]) {
        bindServingPod(id, to: nodeIndex, now: now)
        continue
      }
      if placement.priority > lowestRunningPriority,
        let preemption = servingPreemption(
          for: placement.perReplica, allowedPools: servingPools[service], priority: placement.priority),
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
    pendingServingPods = unplaced
  }

  /// Binds a pending replica pod to a node with room for it; its cold start begins.
  mutating func bindServingPod(_ id: ServingPodID, to nodeIndex: Int, now: SimTime) {
    let service = Int(id.service)
    guard let workload = servingWorkloads[service] else { return }
    nodes[nodeIndex].allocated = nodes[nodeIndex].allocated + workload.placement.perReplica
    nodes[nodeIndex].servingPods.append(id)
    nodes[nodeIndex].unneededSince = nil
    servingPods[service][Int(id.replica)].node = nodes[nodeIndex].id
    servingPods[service][Int(id.replica)].boundAt = now
    servingPodNotices.append(.bound(id))
  }

  /// The node and the training jobs to evict there so that a replica of `request` and
  /// `priority` fits, or `nil`.
  ///
  /// kube-scheduler's DefaultPreemption, without PodDisruptionBudgets: on each Ready
  /// node of an allowed pool, lower-priority pods go lowest priority and most recently
  /// started first until the pod fits (a job's pods go together: its gang fails
  /// without them); among such nodes the one whose highest-priority victim is lowest,
  /// then with the smallest sum of victim priorities, then the fewest victims, then
  /// the first by ID (`pickOneNodeForPreemption`). Replicas do not preempt replicas.
  func servingPreemption(for request: Resources, allowedPools: [Bool], priority: Int) -> (node: Int, victims: [JobID])? {
    var best: (node: Int, victims: [JobID], key: (Int, Int, Int))?
    for id in schedulableNodes {
      let index = Int(id.rawValue)
      guard allowedPools[nodes[index].pool], request.fits(in: nodes[index].capacity) else { continue }
      let candidates = preemptionCandidates(onNode: index, below: priority, includingReplicas: false)
      guard !candidates.isEmpty else { continue }
      var free = nodes[index].capacity - nodes[index].allocated
      var victims: [JobID] = []
      for case .job(let victim) in candidates {
        if request.fits(in: free) { break }
        victims.append(victim)
        let job = jobs[Int(victim.rawValue)]
        for node in job.nodes where node == id { free = free + job.perWorker }
      }
      guard request.fits(in: free) else { continue }
      let priorities = victims.map { jobs[Int($0.rawValue)].priority }
      let key = (priorities.max() ?? Int.min, priorities.reduce(0, +), victims.count)
      if let current = best, !(key < current.key) { continue }
      best = (index, victims, key)
    }
    return best.map { ($0.node, $0.victims) }
  }

  /// Evicts a bound replica pod for a higher-priority training job: it stops serving
  /// and its replacement is pending at once, as after an eviction.
  mutating func preemptServingPod(_ id: ServingPodID, scheduler: inout Scheduler<WorldEvent>) {
    guard servingPods[Int(id.service)][Int(id.replica)].node != nil else { return }
    replaceServingPod(id, outcome: "preempted", at: scheduler.now)
    statistics.servingPreemptions += 1
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Ends a bound pod's attempt with `outcome` and makes its replacement pending at
  /// once (the ReplicaSet controller); serving hears of it as an eviction.
  mutating func replaceServingPod(_ id: ServingPodID, outcome: String, at time: SimTime) {
    releaseServingPod(id, at: time, outcome: outcome)
    servingPods[Int(id.service)][Int(id.replica)].attempt += 1
    servingPods[Int(id.service)][Int(id.replica)].createdAt = time
    pendingServingPods.append(id)
    servingPodNotices.append(.evicted(id))
  }

  /// The first Ready node (by ID) of an allowed pool with room for `request`.
  func servingNode(for request: Resources, allowedPools: [Bool]) -> Int? {
    for id in schedulableNodes {
      let index = Int(id.rawValue)
      if allowedPools[nodes[index].pool] && request.fits(in: nodes[index].capacity - nodes[index].allocated) {
        return index
      }
    }
    return nil
  }

  /// Frees a bound pod's node, charges its allocation and writes its row.
  mutating func releaseServingPod(_ id: ServingPodID, at time: SimTime, outcome: String) {
    let service = Int(id.service)
    let replica = Int(id.replica)
    guard let node = servingPods[service][replica].node, let workload = servingWorkloads[service] else { return }
    let nodeIndex = Int(node.rawValue)
    let request = workload.placement.perReplica
    nodes[nodeIndex].allocated = nodes[nodeIndex].allocated - request
    nodes[nodeIndex].unneededSince = nil
    if let position = nodes[nodeIndex].servingPods.firstIndex(of: id) {
      nodes[nodeIndex].servingPods.remove(at: position)
    }
    let parts = chargeServingPod(
      service: service, node: nodeIndex, duration: time - servingPods[service][replica].boundAt)
    recordServingPod(id, endedAt: time, outcome: outcome, cost: parts)
    servingPods[service][replica].node = nil
  }

  /// Evicts every serving pod of a node that is going: each replica stops serving and
  /// its replacement pod is pending at once (the ReplicaSet controller).
  mutating func evictServingPods(onNode index: Int, reason: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    guard !nodes[index].servingPods.isEmpty else { return }
    let outcome: String
    switch reason {
    case .spotInterruption, .correlatedReclaim: outcome = "interrupted"
    case .schedule: outcome = "evicted-by-schedule"
    case .scaleDown: outcome = "drained"
    case .consolidation: outcome = "consolidated"
    case .provisionTimeout, .runEnded: outcome = "evicted"
    }
    for id in nodes[index].servingPods {
      replaceServingPod(id, outcome: outcome, at: scheduler.now)
      statistics.servingEvictions += 1
    }
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Charges one pod's allocation on `node` for `duration` to its team (OpenCost).
  @discardableResult
  mutating func chargeServingPod(service: Int, node: Int, duration: SimDuration) -> CostParts {
    guard let workload = servingWorkloads[service] else { return CostParts() }
    let parts = CostMath.allocation(
      request: workload.placement.perReplica, capacity: nodes[node].capacity, split: nodes[node].split,
      duration: duration)
    nodes[node].allocatedCost = nodes[node].allocatedCost + parts
    servingCost[service] = servingCost[service] + parts
    servingAllocatedGPUSeconds += Double(workload.placement.perReplica.gpuCount) * duration.seconds
    ledger.charge(parts, bucket: workload.team, pool: nodes[node].pool, type: nodes[node].instanceType)
    return parts
  }

  /// Charges the pods still bound at the end of the run, up to `time`.
  mutating func closeServingBooks(at time: SimTime) {
    for service in servingPods.indices {
      for replica in servingPods[service].indices {
        guard let node = servingPods[service][replica].node else { continue }
        let id = ServingPodID(service: Int32(service), replica: Int32(replica))
        let parts = chargeServingPod(
          service: service, node: Int(node.rawValue), duration: time - servingPods[service][replica].boundAt)
        recordServingPod(id, endedAt: nil, outcome: "running", cost: parts)
        // The attempt is accounted for; further charges would double count.
        servingPods[service][replica].boundAt = time
      }
    }
  }

  /// Serving cost so far per service (whole micro-dollars; zero for services off the cluster).
  public var servingCostMicroUSD: [MicroUSD] { servingCost.map(\.total) }

  /// Pools that could ever hold a replica of `placement`.
  static func servingPools(_ placement: ServingPlacement, configuration: ClusterConfiguration) -> [Bool] {
    configuration.nodePools.map { placement.canRun(on: $0, catalogue: configuration.catalogue) }
  }

  /// Scale-up for pending serving pods (shared by Cluster Autoscaler and Karpenter):
  /// pods that fit on capacity already Ready or launching need no node; for the others
  /// an allowed pool is grown by the nodes they need, chosen by the `nodeScaleUp` policy.
  mutating func scaleUpForServingPods(
    upcoming: inout [(pool: Int, free: Resources)], grown: inout [Int], expander: ScaleUpExpander, now: SimTime
  ) {
    for id in pendingServingPods {
      let service = Int(id.service)
      guard let workload = servingWorkloads[service] else { continue }
      let request = workload.placement.perReplica
      let allowed = servingPools[service]
      if let slot = upcoming.indices.first(where: { allowed[upcoming[$0].pool] && request.fits(in: upcoming[$0].free) })
      {
        upcoming[slot].free = upcoming[slot].free - request
        continue
      }
      var options: [(pool: Int, nodes: Int)] = []
      for pool in configuration.nodePools.indices where allowed[pool] && poolCanGrow(pool, now: now) {
        guard workersPerNode(pool: pool, request: request) > 0 else { continue }
        options.append((pool, 1))
      }
      guard
        let pool = askNodeScaleUp(
          options: options, workload: id.description, team: teams[workload.team].name, workers: 1, perWorker: request,
          expander: expander, now: now),
        let type = launchType(pool: pool, request: request)
      else { continue }
      pools[pool].desired += 1
      statistics.scaleUps += 1
      lastScaleUpAt = now
      if !grown.contains(pool) { grown.append(pool) }
      pools[pool].queuedTypes.append(type)
      upcoming.append((pool, configuration.catalogue.types[type].capacity - request))
    }
  }
}
