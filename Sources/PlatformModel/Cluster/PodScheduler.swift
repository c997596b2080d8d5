import Policies
import SimKernel

/// Events of the pod scheduler.
public enum PodSchedulerEvent: Sendable {
  /// Places what is pending (coalesced: at most one pending pass).
  case schedulingPass
}

/// Pod placement, mirroring kube-scheduler's filter, score and queue for gangs.
///
/// - Filter: a node fits a worker when its free CPU, memory and GPUs cover the
///   requests, its pool's labels match the node selector, every taint is tolerated
///   and the capacity type is allowed (PodFitsResources, NodeSelector,
///   TaintToleration).
/// - Score: the `nodeOrder` decision point ranks the node pools once per job stream
///   at start; nodes are tried by pool tier, then first fit in node-ID order. The
///   default built-in `first-fit` puts spot nodes first for `spot-with-fallback` —
///   a bin-packing (MostAllocated-like) choice that keeps whole nodes free for gangs
///   and for scale-down.
/// - Gangs (Volcano / Kueue / coscheduling `PodGroup` with minMember = workers):
///   all workers are placed at once or none are.
/// - Queue: pending jobs are retried whenever capacity appears (any node ready, any
///   job leaving), in queue order: the `queueOrder` decision point's sort key, asked
///   once when a job enters the queue (default `kube-scheduler`: priority, then
///   submission — PrioritySort), ties by job ID.
///
/// - Sampling (`spec.cluster.percentageOfNodesToScore`, off by default): as
///   kube-scheduler's `findNodesThatPassFilters` (`pkg/scheduler/schedule_one.go`),
///   each pod's search starts where the previous one stopped (`nextStartNodeIndex`,
///   round robin over the schedulable nodes in ID order) and stops once
///   `numFeasibleNodesToFind` nodes passed the filters; the best of those by the order
///   above wins. A gang's workers are searched one by one. Off, every node is scored,
///   which is the same as the first fit above.
///
/// Preemption is in `Preemption.swift`, serving replica pods in `ServingPods.swift`.
struct PodScheduler {
  /// For each job stream and pool: whether a worker can run on that pool's nodes at all.
  let compatible: IDArray<JobStreamID, IDArray<PoolID, Bool>>
  /// Whether any pool can host the stream's workers.
  let canEverPlace: IDArray<JobStreamID, Bool>
  /// For each stream and pool: the `nodeOrder` policy's tier (lower tried first),
  /// asked once at start, and each stream's highest tier.
  let poolTiers: IDArray<JobStreamID, IDArray<PoolID, Int>>
  let maximumPoolTier: IDArray<JobStreamID, Int>
  /// For each stream, the pools that can host it grouped by tier, lowest tier first:
  /// placement's preference order is (tier, node ID).
  let poolsByTier: IDArray<JobStreamID, [[PoolID]]>
  /// The requests of one worker of each stream.
  let requests: IDArray<JobStreamID, Resources>
  /// For each stream, the lowest priority of any stream whose workers can run on a pool
  /// this stream can use (`Int.max` if none): a job of this stream at or below it has
  /// no training job to preempt on any node it could take, whatever runs where.
  let lowestPriorityOnSharedPools: IDArray<JobStreamID, Int>
  /// Pending training jobs in scheduling order.
  private(set) var pendingJobs: [JobID] = []
  /// The `queueOrder` policy's sort key of each job, asked when it last entered the queue.
  private var queueKeys = IDArray<JobID, QueueKey>()
  private var passScheduled = false
  /// The number of the current scheduling pass, and the pass in which each stream last
  /// failed to place: "already failed this pass" is one comparison, with nothing to
  /// clear between passes (was a linear search of the failed streams per pending job).
  private var passNumber = 0
  private var streamFailedInPass: IDArray<JobStreamID, Int>
  /// kube-scheduler's `percentageOfNodesToScore`: `nil` scores every node, 0 is the
  /// adaptive default, 1–100 a fixed share.
  let percentageOfNodesToScore: Int?
  /// Where the next sampled search starts among the schedulable nodes.
  private(set) var nextStartNodeIndex = 0

  /// Asks the `nodeOrder` policy once per job stream for its pool tiers.
  init(
    streams: IDArray<JobStreamID, TrainingJobs.Stream>, teams: IDArray<TeamID, TeamConfiguration>,
    configuration: ClusterConfiguration, policies: PolicySet
  ) {
    let pools = configuration.nodePools
    percentageOfNodesToScore = configuration.percentageOfNodesToScore
    let compatibility = streams.map { entry in
      IDArray<PoolID, Bool>(
        pools.map { Cluster.canHost(entry.configuration, on: $0, catalogue: configuration.catalogue) })
    }
    compatible = IDArray(compatibility)
    canEverPlace = IDArray(compatibility.map { $0.contains(true) })
    requests = IDArray(streams.map(\.configuration.perWorker))
    streamFailedInPass = IDArray(repeating: -1, count: streams.count)
    lowestPriorityOnSharedPools = IDArray(
      compatibility.map { own in
        zip(streams, compatibility).filter { _, other in
          zip(own.array, other.array).contains { $0 && $1 }
        }.map(\.0.configuration.priority).min() ?? Int.max
      })
    var tiers: [IDArray<PoolID, Int>] = []
    let observations = streams.enumerated().map { index, entry in
      NodeOrderObservation(
        team: teams[entry.team].name, stream: entry.name, capacity: entry.configuration.capacity.rawValue,
        pools: pools.enumerated().map { poolIndex, pool in
          NodeOrderObservation.Pool(
            pool: pool.name, capacityType: pool.capacityType.rawValue, instanceTypes: pool.instanceTypes,
            canHost: compatibility[index].array[poolIndex])
        })
    }
    // One decision cycle: the streams' questions are independent, so a policy speaking
    // protocol v2 gets them in one `decide-batch` (a built-in is asked one by one).
    for action in policies.nodeOrder.decide(batch: observations, at: PolicyTime(microseconds: 0)) {
      let answer = action.poolTiers
      // A policy answering for the wrong number of pools is caught by `problem(with:)`
      // for external policies; a Swift one falls back to node-ID order.
      tiers.append(IDArray(answer.count == pools.count ? answer.map { max(0, $0) } : pools.map { _ in 0 }))
    }
    poolTiers = IDArray(tiers)
    maximumPoolTier = IDArray(tiers.map { $0.max() ?? 0 })
    poolsByTier = IDArray(
      zip(tiers, compatibility).map { tiers, compatible in
        Set(tiers.array).sorted().map { tier in
          tiers.indices.filter { compatible.array[$0.position] && tiers[$0] == tier }
        }.filter { !$0.isEmpty }
      })
  }

  var hasPendingJobs: Bool { !pendingJobs.isEmpty }

  /// Claims the one pending pass; `false` when a pass is already pending.
  mutating func claimPass() -> Bool {
    guard !passScheduled else { return false }
    passScheduled = true
    return true
  }

  mutating func passStarted() {
    passScheduled = false
    passNumber += 1
  }

  /// Whether a job of `stream` already failed to place in the current pass.
  func streamFailedThisPass(_ stream: JobStreamID) -> Bool { streamFailedInPass[stream] == passNumber }

  mutating func markStreamFailedThisPass(_ stream: JobStreamID) { streamFailedInPass[stream] = passNumber }

  /// Whether pending job `lhs` goes before `rhs`: the policy's sort keys
  /// (lexicographic), then ID.
  func schedulesBefore(_ lhs: JobID, _ rhs: JobID) -> Bool {
    let left = queueKeys[lhs]
    let right = queueKeys[rhs]
    if left.first != right.first { return left.first < right.first }
    if left.second != right.second { return left.second < right.second }
    if left.rest != right.rest { return left.rest.lexicographicallyPrecedes(right.rest) }
    return lhs.rawValue < rhs.rawValue
  }

  /// Adds a job to the pending queue in scheduling order (binary insertion).
  mutating func enqueue(_ id: JobID, key: QueueKey) {
    while queueKeys.count <= id.position { queueKeys.append(QueueKey(sortKey: [])) }
    queueKeys[id] = key
    var low = 0
    var high = pendingJobs.count
    while low < high {
      let middle = (low + high) / 2
      if schedulesBefore(pendingJobs[middle], id) { low = middle + 1 } else { high = middle }
    }
    pendingJobs.insert(id, at: low)
  }

  /// Removes the jobs a pass started from the queue (a set: one pass can start thousands).
  mutating func removePending(_ started: [JobID]) {
    let startedJobs = Set(started)
    pendingJobs.removeAll { startedJobs.contains($0) }
  }

  /// Whether node `node` may host a worker of `stream` (ignoring free resources).
  func nodeAccepts(_ node: Node, stream: JobStreamID) -> Bool {
    compatible[stream][node.pool] && requests[stream].fits(in: node.capacity)
  }

  /// Candidate nodes for a worker of `stream` in preference order: pool tier (the
  /// `nodeOrder` policy's, asked once per stream), then node ID.
  ///
  /// Plain loops over local copies: this is the scheduler's hot path. Two tiers (the
  /// built-in's spot-then-on-demand) need no sort.
  func candidateNodes(stream: JobStreamID, in table: NodeTable) -> [NodeID] {
    let allowedPools = compatible[stream]
    let request = requests[stream]
    let tiers = poolTiers[stream]
    let ranked = maximumPoolTier[stream] > 0
    let nodes = table.nodes
    var preferred: [NodeID] = []
    var fallback: [NodeID] = []
    for id in table.schedulable {
      guard allowedPools[nodes[id].pool], request.fits(in: nodes[id].capacity) else { continue }
      if ranked && tiers[nodes[id].pool] > 0 {
        fallback.append(id)
      } else {
        preferred.append(id)
      }
    }
    if maximumPoolTier[stream] > 1 {
      fallback.sort { (tiers[nodes[$0].pool], $0.rawValue) < (tiers[nodes[$1].pool], $1.rawValue) }
    }
    return preferred + fallback
  }

  /// A node for each of `workers` workers of `stream`, or `nil` if the gang does not fit now.
  ///
  /// Each worker goes to the first node in (tier, node ID) order with room left, so a
  /// node takes as many workers as fit before the next is tried. Only nodes with room
  /// are visited: each pool's free-capacity index yields them in ID order, and the
  /// pools of one tier are merged by ID.
  func placement(stream: JobStreamID, workers: Int, in table: NodeTable) -> [NodeID]? {
    let request = requests[stream]
    var remaining = workers
    var chosen: [NodeID] = []
    for pools in poolsByTier[stream] {
      var cursors: [(pool: PoolID, slot: Int, node: NodeID)] = []
      for pool in pools {
        if let slot = table.firstSchedulable(fitting: request, pool: pool) {
          cursors.append((pool, slot, table.node(pool: pool, slot: slot)))
        }
      }
      while remaining > 0 && !cursors.isEmpty {
        var next = 0
        for index in cursors.indices.dropFirst() where cursors[index].node.rawValue < cursors[next].node.rawValue {
          next = index
        }
        let (pool, slot, id) = cursors[next]
        var free = table[id].free
        while remaining > 0 && request.fits(in: free) {
          chosen.append(id)
          free = free - request
          remaining -= 1
        }
        if let following = table.firstSchedulable(fitting: request, pool: pool, from: slot + 1) {
          cursors[next] = (pool, following, table.node(pool: pool, slot: following))
        } else {
          cursors.remove(at: next)
        }
      }
      if remaining == 0 { return chosen }
    }
    return nil
  }

  /// How many feasible nodes a sampled search looks for among `nodeCount` nodes
  /// (kube-scheduler's `numFeasibleNodesToFind`): all of them below 100 nodes; else
  /// `percentage` of them, where 0 means 50 % − 1 % per 125 nodes, at least 5 %; never
  /// fewer than 100.
  static func feasibleNodesToFind(percentage: Int, nodeCount: Int) -> Int {
    let minimumNodes = 100
    guard nodeCount >= minimumNodes else { return nodeCount }
    var share = percentage
    if share == 0 { share = max(5, 50 - nodeCount / 125) }
    return max(minimumNodes, nodeCount * share / 100)
  }

  /// A node for each of `workers` workers of `stream` with sampling on, one sampled
  /// search per worker; `nil` if one finds no node (the gang does not fit now).
  mutating func sampledPlacement(stream: JobStreamID, workers: Int, percentage: Int, in table: NodeTable)
    -> [NodeID]?
  {
    var chosen: [NodeID] = []
    for _ in 0..<workers {
      guard
        let node = sampledNode(
          fitting: requests[stream], pools: compatible[stream], tiers: poolTiers[stream], percentage: percentage,
          taken: chosen, in: table)
      else { return nil }
      chosen.append(node)
    }
    return chosen
  }

  /// One sampled search, as kube-scheduler's `findNodesThatPassFilters`.
  ///
  /// From `nextStartNodeIndex` round the schedulable nodes until enough feasible ones
  /// are found, then the best of them by (tier, ID). `taken` are nodes
  /// already holding one more pod of `request` each (a gang's earlier workers).
  mutating func sampledNode(
    fitting request: Resources, pools: IDArray<PoolID, Bool>, tiers: IDArray<PoolID, Int>?, percentage: Int,
    taken: [NodeID] = [], in table: NodeTable
  ) -> NodeID? {
    let nodes = table.schedulable
    guard !nodes.isEmpty else { return nil }
    let wanted = Self.feasibleNodesToFind(percentage: percentage, nodeCount: nodes.count)
    var best: (tier: Int, id: NodeID)?
    var found = 0
    var processed = 0
    for offset in 0..<nodes.count {
      let id = nodes[(nextStartNodeIndex + offset) % nodes.count]
      processed += 1
      let pool = table[id].pool
      guard pools[pool] else { continue }
      var free = table[id].free
      for other in taken where other == id { free = free - request }
      guard request.fits(in: free) else { continue }
      let tier = tiers?[pool] ?? 0
      if best.map({ (tier, id.rawValue) < ($0.tier, $0.id.rawValue) }) ?? true { best = (tier, id) }
      found += 1
      if found == wanted { break }
    }
    nextStartNodeIndex = (nextStartNodeIndex + processed) % nodes.count
    return best?.id
  }

  /// ``placement(stream:workers:in:)`` by a scan over every schedulable node, as it was
  /// before the free-capacity index: the oracle `NodeIndexTests` compares against.
  func placementByScan(stream: JobStreamID, workers: Int, in table: NodeTable) -> [NodeID]? {
    let request = requests[stream]
    var remaining = workers
    var chosen: [NodeID] = []
    let nodes = table.nodes
    for id in candidateNodes(stream: stream, in: table) {
      var free = nodes[id].free
      while remaining > 0 && request.fits(in: free) {
        chosen.append(id)
        free = free - request
        remaining -= 1
      }
      if remaining == 0 { return chosen }
    }
    return nil
  }
}

/// A `queueOrder` sort key with its first two elements inline.
///
/// The built-in's key is (−priority, submission), so the scheduler's comparisons touch
/// no heap memory.
/// Missing elements compare as −∞, so a prefix sorts first, as lexicographic order.
struct QueueKey {
  var first: Double
  var second: Double
  var rest: [Double]

  init(sortKey: [Double]) {
    first = sortKey.first ?? -.infinity
    second = sortKey.count > 1 ? sortKey[1] : -.infinity
    rest = sortKey.count > 2 ? Array(sortKey.dropFirst(2)) : []
  }
}

/// The scheduling pass across components: replica pods first, then training gangs,
/// preempting lower-priority pods where the preemption policy agrees.
extension Cluster {
  /// Asks for a scheduling pass at the current time (coalesced: at most one pending).
  mutating func requestSchedulingPass(scheduler: inout Scheduler<WorldEvent>) {
    guard podScheduler.claimPass() else { return }
    scheduler.schedule(.cluster(.podScheduler(.schedulingPass)), after: .zero, priority: 1)
  }

  /// Puts a job in the pending queue: asks the `queueOrder` policy once for its sort key.
  mutating func enqueuePending(_ id: JobID, now: SimTime) {
    let job = training.jobs[id]
    let observation = QueueOrderObservation(
      job: id.description, team: teams[job.team].name, priority: job.priority,
      submittedSeconds: (job.submittedAt - SimTime.zero).seconds, workers: job.workerCount,
      gpusPerWorker: Int(job.perWorker.gpuCount), interruptions: job.interruptions, preemptions: job.preemptions)
    let key = QueueKey(
      sortKey: policies.queueOrder.decide(observation, at: PolicyTime(microseconds: now.microseconds)).sortKey)
    podScheduler.enqueue(id, key: key)
  }

  /// Nodes for a gang: sampled when `percentageOfNodesToScore` is set, else the first fit.
  mutating func place(stream: JobStreamID, workers: Int) -> [NodeID]? {
    if let percentage = podScheduler.percentageOfNodesToScore {
      return podScheduler.sampledPlacement(stream: stream, workers: workers, percentage: percentage, in: nodeTable)
    }
    return podScheduler.placement(stream: stream, workers: workers, in: nodeTable)
  }

  mutating func schedulingPass(scheduler: inout Scheduler<WorldEvent>) {
    podScheduler.passStarted()
    if servingPods.hasPending { placeServingPods(scheduler: &scheduler) }
    guard podScheduler.hasPendingJobs else {
      if karpenter != nil && servingPods.hasPending { requestProvisioning(scheduler: &scheduler) }
      return
    }
    let order = podScheduler.pendingJobs
    // Streams that already failed this pass (`streamFailedThisPass`): the same request fails again.
    var started: [JobID] = []
    // Preemption is only worth simulating for jobs above the lowest running priority.
    var lowestRunningPriority = training.lowestRunningPriority
    var lowestServingPriority = Int.max
    for workload in servingPods.workloads {
      if let workload { lowestServingPriority = min(lowestServingPriority, workload.placement.priority) }
    }
    lowestRunningPriority = min(lowestRunningPriority, lowestServingPriority)
    for (iteration, id) in order.enumerated() {
      // A pass over a long queue can run long inside one event: the run's limits are
      // checked here too (jobs not looked at stay pending; the run then stops).
      if RunGuard.pollInnerLoop(iteration) { break }
      let stream = training.jobs[id].stream
      let workers = training.jobs[id].workerCount
      let priority = training.jobs[id].priority
      guard podScheduler.canEverPlace[stream] else { continue }
      if podScheduler.streamFailedThisPass(stream) { continue }
      if let placement = place(stream: stream, workers: workers) {
        startJob(id, on: placement, scheduler: &scheduler)
        started.append(id)
        continue
      }
      // A victim must run on a pool this stream can use: with no lower-priority stream
      // sharing its pools and no lower-priority replicas, the search would find none.
      let mayFindVictims =
        priority > podScheduler.lowestPriorityOnSharedPools[stream] || priority > lowestServingPriority
      if priority > lowestRunningPriority, mayFindVictims, let victims = preemptionVictims(for: id), !victims.isEmpty,
        policyAllowsPreemption(
          by: id.description, team: training.jobs[id].team, priority: priority, victims: victims, now: scheduler.now)
      {
        for victim in victims {
          switch victim {
          case .job(let job): interrupt(job, cause: .preemption, scheduler: &scheduler)
          case .servingPod(let pod): preemptServingPod(pod, scheduler: &scheduler)
          }
        }
        if let placement = place(stream: stream, workers: workers) {
          startJob(id, on: placement, scheduler: &scheduler)
          started.append(id)
          continue
        }
      }
      training.setPendingReason("insufficient capacity", of: id)
      podScheduler.markStreamFailedThisPass(stream)
    }
    if !started.isEmpty { podScheduler.removePending(started) }
    if karpenter != nil && (podScheduler.hasPendingJobs || servingPods.hasPending) {
      requestProvisioning(scheduler: &scheduler)
    }
  }
}
