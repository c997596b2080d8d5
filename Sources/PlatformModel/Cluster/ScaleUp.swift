import Policies
import SimKernel

/// Scale-up for pending pods, shared by Cluster Autoscaler (every scan, with its
/// expander) and Karpenter (per provisioning batch, cheapest offering first).
///
/// Pending gangs that will not fit on nodes already Ready or launching are simulated
/// against each pool's node template; the capacity-type policy (spot or on-demand, for
/// `spot-with-fallback` jobs) and then the `nodeScaleUp` policy (the expander:
/// least-waste, price or priority) pick a pool that can host the whole gang within its
/// `max`. A pool whose launch failed (spot shortage) is backed off, so the next
/// decision falls back to the next pool. Pending replica pods are handled the same
/// way, one node at a time.
extension Cluster {
  /// Whether an autoscaler may grow `pool` now.
  func poolCanGrow(_ pool: PoolID, now: SimTime) -> Bool {
    poolSchedules.isActive(pool) && nodePools.states[pool].backoffUntil <= now
      && nodePools.desired(pool) < nodePools.configurations[pool].maxNodes
  }

  /// The instance type a new node of `pool` takes for pods of `request`: the first
  /// in the pool's list that fits one (a mixed-instances group in priority order),
  /// or the cheapest that fits under Karpenter.
  func launchType(pool: PoolID, request: Resources) -> Int? {
    let types = configuration.catalogue.types
    let fitting = nodePools.instanceTypes[pool].filter { request.fits(in: types[$0].capacity) }
    guard karpenter != nil else { return fitting.first }
    let capacityType = nodePools.configurations[pool].capacityType
    return fitting.min { lhs, rhs in types[lhs].priceUSDPerHour(capacityType) < types[rhs].priceUSDPerHour(capacityType)
    }
  }

  /// Pods of `request` one new node of `pool` holds.
  func workersPerNode(pool: PoolID, request: Resources) -> Int {
    guard let type = launchType(pool: pool, request: request) else { return 0 }
    let capacity = configuration.catalogue.types[type].capacity
    var count = Int.max
    if request.cpuMillis > 0 { count = min(count, Int(capacity.cpuMillis / request.cpuMillis)) }
    if request.memoryMiB > 0 { count = min(count, Int(capacity.memoryMiB / request.memoryMiB)) }
    if request.gpuCount > 0 { count = min(count, Int(capacity.gpuCount / request.gpuCount)) }
    return count == .max ? 1 : count
  }

  /// Launches nodes for pending pods that fit nowhere yet.
  mutating func scaleUp(expander: ScaleUpExpander, scheduler: inout Scheduler<WorldEvent>) {
    guard podScheduler.hasPendingJobs || servingPods.hasPending else { return }
    // Free capacity on Ready nodes and on nodes still launching: pending pods that
    // fit there need no new node (CA simulates scheduling on existing nodes first).
    // The node table's live capacity holds the simulation (taken capacity, nodes to
    // launch) until `endSimulation()`; its index visits only nodes with room.
    let order = podScheduler.pendingJobs
    var grown: [PoolID] = []
    if servingPods.hasPending {
      scaleUpForServingPods(grown: &grown, expander: expander, now: scheduler.now)
    }
    for id in order {
      let job = training.jobs[id]
      // Fits on capacity already coming? Greedily, node by node in ID order (then the
      // simulated nodes); taken for the job only if the whole gang fits.
      var taken: [(pool: PoolID, slot: Int, free: Resources)] = []
      var remaining = job.workerCount
      var cursors = liveCursors(fitting: job.perWorker, in: podScheduler.compatible[job.stream])
      while remaining > 0, let next = cursors.indices.min(by: { cursors[$0].order < cursors[$1].order }) {
        let (pool, slot, _) = cursors[next]
        var free = nodeTable.liveFree(pool: pool, slot: slot)
        while remaining > 0 && job.perWorker.fits(in: free) {
          free = free - job.perWorker
          remaining -= 1
        }
        taken.append((pool, slot, free))
        if let following = nodeTable.firstLive(fitting: job.perWorker, pool: pool, from: slot + 1) {
          cursors[next] = (pool, following, nodeTable.liveOrder(pool: pool, slot: following))
        } else {
          cursors.remove(at: next)
        }
      }
      if remaining == 0 {
        for entry in taken { nodeTable.simulateLiveFree(pool: entry.pool, slot: entry.slot, free: entry.free) }
        continue
      }
      guard let pool = choosePool(for: job, workers: remaining, now: scheduler.now, expander: expander)
      else { continue }
      let perNode = workersPerNode(pool: pool, request: job.perWorker)
      let needed = (remaining + perNode - 1) / perNode
      nodePools.grow(pool, by: needed, at: scheduler.now)
      if !grown.contains(pool) { grown.append(pool) }
      guard let type = launchType(pool: pool, request: job.perWorker) else { continue }
      let capacity = configuration.catalogue.types[type].capacity
      nodePools.queue(type, count: needed, for: pool)
      for node in 0..<needed {
        let placed = min(perNode, remaining - node * perNode)
        nodeTable.simulateNode(pool: pool, free: capacity - job.perWorker * Int64(placed))
      }
    }
    nodeTable.endSimulation()
    for pool in grown { reconcile(pool: pool, scheduler: &scheduler) }
  }

  /// For each pool in `pools`, its first live (or simulated) node with room for
  /// `request`, and where that node comes in scale-up's order.
  func liveCursors(fitting request: Resources, in pools: IDArray<PoolID, Bool>) -> [(
    pool: PoolID, slot: Int, order: Int
  )] {
    var cursors: [(pool: PoolID, slot: Int, order: Int)] = []
    for pool in pools.indices where pools[pool] {
      if let slot = nodeTable.firstLive(fitting: request, pool: pool) {
        cursors.append((pool, slot, nodeTable.liveOrder(pool: pool, slot: slot)))
      }
    }
    return cursors
  }

  /// The pool to grow for `workers` more workers of `job`: the pools that could take
  /// them go to the capacity-type policy (spot or on-demand, for `spot-with-fallback`
  /// jobs) and then to the scale-up policy (the expander).
  func choosePool(for job: TrainingJob, workers: Int, now: SimTime, expander: ScaleUpExpander) -> PoolID? {
    let stream = training.streams[job.stream].configuration
    let compatible = podScheduler.compatible[job.stream]
    let pools = nodePools.configurations
    var options: [(pool: PoolID, nodes: Int)] = []
    for pool in nodePools.ids where compatible[pool] && poolCanGrow(pool, now: now) {
      let perNode = workersPerNode(pool: pool, request: job.perWorker)
      guard perNode > 0 else { continue }
      let needed = (workers + perNode - 1) / perNode
      if nodePools.desired(pool) + needed <= pools[pool].maxNodes { options.append((pool, needed)) }
    }
    guard !options.isEmpty else { return nil }
    let time = PolicyTime(microseconds: now.microseconds)
    if stream.capacity == .spotWithFallback {
      let observation = CapacityTypeObservation(
        job: job.id.description, team: teams[job.team].name, workers: workers,
        waitingSeconds: (now - job.submittedAt).seconds,
        spotPools: options.filter { pools[$0.pool].capacityType == .spot }.map { pools[$0.pool].name },
        onDemandPools: options.filter { pools[$0.pool].capacityType == .onDemand }.map { pools[$0.pool].name },
        spotPoolsBackedOff: nodePools.ids.filter {
          pools[$0].capacityType == .spot && compatible[$0] && nodePools.states[$0].backoffUntil > now
        }.map { pools[$0].name })
      switch policies.capacityType.decide(observation, at: time).capacityType {
      case .spot: options.removeAll { pools[$0.pool].capacityType == .onDemand }
      case .onDemand: options.removeAll { pools[$0.pool].capacityType == .spot }
      case .any: break
      }
      guard !options.isEmpty else { return nil }
    }
    return askNodeScaleUp(
      options: options, workload: job.id.description, team: teams[job.team].name, workers: workers,
      perWorker: job.perWorker, expander: expander, now: now)
  }

  /// The `nodeScaleUp` policy's pick among `options` (pools and the nodes each needs)
  /// for `workers` pods of `perWorker` each.
  func askNodeScaleUp(
    options: [(pool: PoolID, nodes: Int)], workload: String, team: String, workers: Int, perWorker: Resources,
    expander: ScaleUpExpander, now: SimTime
  ) -> PoolID? {
    guard !options.isEmpty else { return nil }
    let time = PolicyTime(microseconds: now.microseconds)
    let catalogue = configuration.catalogue
    let candidates = options.compactMap { option -> NodeScaleUpObservation.Option? in
      guard let type = launchType(pool: option.pool, request: perWorker) else { return nil }
      let pool = nodePools.configurations[option.pool]
      let instance = catalogue.types[type]
      return NodeScaleUpObservation.Option(
        pool: pool.name, capacityType: pool.capacityType.rawValue, instanceType: instance.name, nodes: option.nodes,
        nodeCapacity: ResourceAmounts(instance.capacity), priceUSDPerHour: instance.priceUSDPerHour(pool.capacityType),
        expanderPriority: pool.expanderPriority)
    }
    let observation = NodeScaleUpObservation(
      job: workload, team: team, workers: workers, perWorker: ResourceAmounts(perWorker),
      expander: expander.rawValue, options: candidates)
    guard let chosen = policies.nodeScaleUp.decide(observation, at: time).pool else { return nil }
    return options.first { nodePools.configurations[$0.pool].name == chosen }?.pool
  }

  /// Scale-up for pending serving pods: pods that fit on capacity already Ready or
  /// launching need no node; for the others an allowed pool is grown by one node,
  /// chosen by the `nodeScaleUp` policy.
  mutating func scaleUpForServingPods(grown: inout [PoolID], expander: ScaleUpExpander, now: SimTime) {
    for id in servingPods.pending {
      guard let workload = servingPods.workloads[id.service] else { continue }
      let request = workload.placement.perReplica
      let allowed = servingPods.allowedPools[id.service]
      let cursors = liveCursors(fitting: request, in: allowed)
      if let first = cursors.min(by: { $0.order < $1.order }) {
        nodeTable.simulateLiveFree(
          pool: first.pool, slot: first.slot, free: nodeTable.liveFree(pool: first.pool, slot: first.slot) - request)
        continue
      }
      var options: [(pool: PoolID, nodes: Int)] = []
      for pool in nodePools.ids where allowed[pool] && poolCanGrow(pool, now: now) {
        guard workersPerNode(pool: pool, request: request) > 0 else { continue }
        options.append((pool, 1))
      }
      guard
        let pool = askNodeScaleUp(
          options: options, workload: id.description, team: teams[workload.team].name, workers: 1, perWorker: request,
          expander: expander, now: now),
        let type = launchType(pool: pool, request: request)
      else { continue }
      nodePools.grow(pool, by: 1, at: now)
      if !grown.contains(pool) { grown.append(pool) }
      nodePools.queue(type, count: 1, for: pool)
      nodeTable.simulateNode(pool: pool, free: configuration.catalogue.types[type].capacity - request)
    }
  }
}
