import Policies
import SimKernel

/// Node autoscaling after Kubernetes Cluster Autoscaler (`kubernetes/autoscaler`
/// FAQ; defaults in ``ClusterAutoscalerConfiguration``).
///
/// Every `scan-interval`:
/// - **Scale-up.** Pending gangs that will not fit on nodes already launching are
///   simulated against each pool's node template; the expander (least-waste, price or
///   priority) picks a pool that can host the whole gang within its `max`. For
///   `spot-with-fallback` jobs spot pools are tried first. A pool whose launch failed
///   (spot shortage) is backed off, so the next scan falls back to the next pool.
/// - **Scale-down.** A Ready node whose utilisation (GPU share on GPU nodes, else the
///   larger of CPU and memory) is below the threshold is *unneeded*; after
///   `scale-down-unneeded-time` unneeded, and no sooner than `scale-down-delay-after-add`
///   after a scale-up, it is removed, at most `max-scale-down-parallelism` per scan,
///   never below the pool's `min`. By default running training pods are not evicted
///   (as with `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`), so only
///   empty nodes go; with `evictsTrainingPods` a node whose jobs (each wholly on it)
///   fit elsewhere is drained, one per scan, and its jobs resume from checkpoints.
extension Cluster {
  mutating func autoscalerScan(scheduler: inout Scheduler<WorldEvent>) {
    guard let autoscaler = configuration.autoscaler else { return }
    scaleUp(autoscaler, scheduler: &scheduler)
    scaleDown(autoscaler, scheduler: &scheduler)
    scheduler.schedule(.cluster(.autoscalerScan), after: autoscaler.scanInterval)
  }

  /// Whether the autoscaler may grow `pool` now.
  func poolCanGrow(_ pool: Int, now: SimTime) -> Bool {
    pools[pool].scheduleActive && pools[pool].backoffUntil <= now
      && pools[pool].desired < configuration.nodePools[pool].maxNodes
  }

  /// The instance type a new node of `pool` takes for workers of `request`: the first
  /// in the pool's list that fits one (a mixed-instances group in priority order),
  /// or the cheapest that fits under Karpenter.
  func launchType(pool: Int, request: Resources) -> Int? {
    let fitting = poolTypes[pool].filter { request.fits(in: configuration.catalogue.types[$0].capacity) }
    guard configuration.karpenter != nil else { return fitting.first }
    let capacityType = configuration.nodePools[pool].capacityType
    return fitting.min { lhs, rhs in
      configuration.catalogue.types[lhs].priceUSDPerHour(capacityType)
        < configuration.catalogue.types[rhs].priceUSDPerHour(capacityType)
    }
  }

  /// Workers of `request` one new node of `pool` holds.
  func workersPerNode(pool: Int, request: Resources) -> Int {
    guard let type = launchType(pool: pool, request: request) else { return 0 }
    let capacity = configuration.catalogue.types[type].capacity
    var count = Int.max
    if request.cpuMillis > 0 { count = min(count, Int(capacity.cpuMillis / request.cpuMillis)) }
    if request.memoryMiB > 0 { count = min(count, Int(capacity.memoryMiB / request.memoryMiB)) }
    if request.gpuCount > 0 { count = min(count, Int(capacity.gpuCount / request.gpuCount)) }
    return count == .max ? 1 : count
  }

  mutating func scaleUp(_ autoscaler: ClusterAutoscalerConfiguration, scheduler: inout Scheduler<WorldEvent>) {
    scaleUp(expander: autoscaler.expander, scheduler: &scheduler)
  }

  /// Launches nodes for pending gangs that fit nowhere yet (shared with Karpenter).
  mutating func scaleUp(expander: ScaleUpExpander, scheduler: inout Scheduler<WorldEvent>) {
    guard !pendingJobs.isEmpty || !pendingServingPods.isEmpty else { return }
    // Free capacity on Ready nodes and on nodes still launching: pending pods that
    // fit there need no new node (CA simulates scheduling on existing nodes first).
    var upcoming: [(pool: Int, free: Resources)] = []
    for id in activeNodes where nodes[Int(id.rawValue)].phase == .provisioning || nodes[Int(id.rawValue)].phase == .ready {
      let node = nodes[Int(id.rawValue)]
      upcoming.append((node.pool, node.capacity - node.allocated))
    }
    let order = pendingJobs
    var grown: [Int] = []
    if !pendingServingPods.isEmpty {
      scaleUpForServingPods(upcoming: &upcoming, grown: &grown, expander: expander, now: scheduler.now)
    }
    for id in order {
      let job = jobs[Int(id.rawValue)]
      // Fits on capacity already coming?
      var trial = upcoming
      var remaining = job.workerCount
      for slot in trial.indices where compatible[job.stream][trial[slot].pool] {
        while remaining > 0 && job.perWorker.fits(in: trial[slot].free) {
          trial[slot].free = trial[slot].free - job.perWorker
          remaining -= 1
        }
      }
      if remaining == 0 {
        upcoming = trial
        continue
      }
      guard let pool = choosePool(for: job, workers: remaining, now: scheduler.now, expander: expander)
      else { continue }
      let perNode = workersPerNode(pool: pool, request: job.perWorker)
      let needed = (remaining + perNode - 1) / perNode
      pools[pool].desired += needed
      statistics.scaleUps += 1
      lastScaleUpAt = scheduler.now
      if !grown.contains(pool) { grown.append(pool) }
      guard let type = launchType(pool: pool, request: job.perWorker) else { continue }
      let capacity = configuration.catalogue.types[type].capacity
      pools[pool].queuedTypes += Array(repeating: type, count: needed)
      for node in 0..<needed {
        let placed = min(perNode, remaining - node * perNode)
        upcoming.append((pool, capacity - job.perWorker * Int64(placed)))
      }
    }
    for pool in grown { reconcile(pool: pool, scheduler: &scheduler) }
  }

  /// The pool to grow for `workers` more workers of `job`: the pools that could take
  /// them go to the capacity-type policy (spot or on-demand, for `spot-with-fallback`
  /// jobs) and then to the scale-up policy (the expander).
  func choosePool(for job: TrainingJob, workers: Int, now: SimTime, expander: ScaleUpExpander) -> Int? {
    let stream = streams[job.stream].stream
    var options: [(pool: Int, nodes: Int)] = []
    for pool in configuration.nodePools.indices where compatible[job.stream][pool] && poolCanGrow(pool, now: now) {
      let perNode = workersPerNode(pool: pool, request: job.perWorker)
      guard perNode > 0 else { continue }
      let needed = (workers + perNode - 1) / perNode
      if pools[pool].desired + needed <= configuration.nodePools[pool].maxNodes { options.append((pool, needed)) }
    }
    guard !options.isEmpty else { return nil }
    let time = PolicyTime(microseconds: now.microseconds)
    if stream.capacity == .spotWithFallback {
      let pools = configuration.nodePools
      let observation = CapacityTypeObservation(
        job: job.id.description, team: teams[job.team].name, workers: workers,
        waitingSeconds: (now - job.submittedAt).seconds,
        spotPools: options.filter { pools[$0.pool].capacityType == .spot }.map { pools[$0.pool].name },
        onDemandPools: options.filter { pools[$0.pool].capacityType == .onDemand }.map { pools[$0.pool].name },
        spotPoolsBackedOff: pools.indices.filter {
          pools[$0].capacityType == .spot && compatible[job.stream][$0] && self.pools[$0].backoffUntil > now
        }.map { pools[$0].name })
      switch policies.capacityType.decide(observation, at: time).capacityType {
      case .spot: options.removeAll { pools[$0.pool].capacityType == .onDemand }
      case .onDemand: options.removeAll { pools[$0.pool].capacityType == .spot }
      case .any: break
      }
      guard !options.isEmpty else { return nil }
    }
    return askNodeScaleUp(
      options: options, workload: job.id.description, team: teams[job.team].name, workers: workers, perWorker: job.perWorker,
      expander: expander, now: now)
  }

  /// The `nodeScaleUp` policy's pick among `options` (pools and the nodes each needs)
  /// for `workers` pods of `perWorker` each.
  func askNodeScaleUp(
    options: [(pool: Int, nodes: Int)], workload: String, team: String, workers: Int, perWorker: Resources,
    expander: ScaleUpExpander, now: SimTime
  ) -> Int? {
    guard !options.isEmpty else { return nil }
    let time = PolicyTime(microseconds: now.microseconds)
    let catalogue = configuration.catalogue
    let candidates = options.compactMap { option -> NodeScaleUpObservation.Option? in
      guard let type = launchType(pool: option.pool, request: perWorker) else { return nil }
      let pool = configuration.nodePools[option.pool]
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
    return options.first { configuration.nodePools[$0.pool].name == chosen }?.pool
  }

  mutating func scaleDown(_ autoscaler: ClusterAutoscalerConfiguration, scheduler: inout Scheduler<WorldEvent>) {
    let now = scheduler.now
    let coolingDown = now - lastScaleUpAt < autoscaler.scaleDownDelayAfterAdd
    var removed = 0
    var drainedThisScan = false
    for id in schedulableNodes {
      let index = Int(id.rawValue)
      let capacity = nodes[index].capacity
      let allocated = nodes[index].allocated
      let pool = nodes[index].pool
      let utilisation: Double
      if capacity.gpuCount > 0 {
        utilisation = Double(allocated.gpuCount) / Double(capacity.gpuCount)
      } else {
        utilisation = max(
          Double(allocated.cpuMillis) / Double(max(1, capacity.cpuMillis)),
          Double(allocated.memoryMiB) / Double(max(1, capacity.memoryMiB)))
      }
      guard utilisation < autoscaler.scaleDownUtilisationThreshold else {
        nodes[index].unneededSince = nil
        continue
      }
      let isEmpty = nodes[index].pods.isEmpty && nodes[index].servingPods.isEmpty
      let movable = isEmpty ? [] : drainPlan(on: index, evictsTrainingPods: autoscaler.evictsTrainingPods)
      guard let movable else {
        nodes[index].unneededSince = nil
        continue
      }
      if nodes[index].unneededSince == nil { nodes[index].unneededSince = now }
      let since = nodes[index].unneededSince ?? now
      let observation = NodeScaleDownObservation(
        node: id.description, pool: configuration.nodePools[pool].name,
        instanceType: configuration.catalogue.types[nodes[index].instanceType].name,
        capacityType: nodes[index].capacityType.rawValue, utilisation: utilisation, empty: isEmpty,
        unneededSeconds: (now - since).seconds, unneededTimeSeconds: autoscaler.scaleDownUnneededTime.seconds,
        coolingDown: coolingDown, removedThisScan: removed, maxScaleDownParallelism: autoscaler.maxScaleDownParallelism,
        drainedThisScan: drainedThisScan, poolDesiredNodes: pools[pool].desired,
        poolMinNodes: configuration.nodePools[pool].minNodes)
      guard policies.nodeScaleDown.decide(observation, at: PolicyTime(microseconds: now.microseconds)).remove,
        pools[pool].desired > configuration.nodePools[pool].minNodes
      else { continue }
      if !isEmpty {
        // Non-empty nodes are drained one per scan, as CA does; serving replicas are
        // evicted with the node (terminateNode) and replaced elsewhere.
        drainedThisScan = true
        for job in movable { interrupt(job, cause: .drain, scheduler: &scheduler) }
      }
      pools[pool].desired -= 1
      removed += 1
      statistics.scaleDowns += 1
      terminateNode(id, reason: .scaleDown, scheduler: &scheduler)
    }
  }
}
