import Policies
import ResultRows
import SimKernel

/// Identifies a node for the whole run (never reused).
public struct NodeID: Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public var description: String { "node-\(rawValue)" }
}

/// Identifies a node pool by its position in the scenario.
public struct PoolID: Hashable, Sendable {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
}

/// Identifies a training job (a gang of worker pods) for the whole run.
public struct JobID: Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public var description: String { "trainjob-\(rawValue)" }
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

/// Why a job lost its nodes.
public enum JobInterruptionCause: Sendable {
  case spot
  case preemption
  case schedule
  case consolidation
  /// Cluster Autoscaler drained the node to remove it.
  case drain
}

/// Events of the cluster: nodes, spot market, autoscaler, scheduler and training jobs.
/// A finished training job, handed to the model registry.
public struct FinishedTraining: Sendable {
  public var job: JobID
  public var team: Int
  public var template: String
  public var submittedAt: SimTime
  public var finishedAt: SimTime
}

public enum ClusterEvent: Sendable {
  case nodeReady(NodeID)
  case spotNotice(NodeID)
  case nodeReclaimed(NodeID)
  case provisionTimedOut(NodeID)
  case correlatedReclaim
  case poolScheduleChange(PoolID)
  case reconcilePool(PoolID)
  case autoscalerScan
  case karpenterProvision
  case karpenterDisruption
  case schedulingPass
  case jobArrival(stream: Int32)
  case jobPhaseEnded(JobID)
}

/// The Kubernetes cluster with its node pools, spot market, node autoscaler, pod
/// scheduler, training jobs and cost ledger.
///
/// One component because these share one state — which pod runs on which node —
/// and each concern lives in its own file (`Cluster+Scheduling`, `Cluster+Spot`,
/// `Cluster+Autoscaling`, `Cluster+Karpenter`, `Cluster+Schedules`,
/// `Training/Cluster+Training`, `Cost/Cluster+Cost`, `Cluster+Results`). Nodes and jobs live
/// in arrays indexed by their IDs, so iteration order is always the ID order.
public struct Cluster {
  enum NodePhase: Equatable {
    case provisioning
    case ready
    /// Cordoned: a spot notice arrived or the node is being removed.
    case draining
    case terminated
  }

  struct Node {
    var id: NodeID
    var pool: Int
    var instanceType: Int
    var capacityType: CapacityType
    var capacity: Resources
    var allocated = Resources.zero
    var phase = NodePhase.provisioning
    var requestedAt: SimTime
    var readyAt: SimTime?
    var terminatedAt: SimTime?
    var endReason: NodeEndReason?
    var split: NodePriceSplit
    var onDemandMicroUSDPerHour: MicroUSD
    var hazardPerSecond: Double
    /// One entry per worker pod on the node.
    var pods: [JobID] = []
    /// Serving replica pods on the node.
    var servingPods: [ServingPodID] = []
    var pendingEvent: EventHandle?
    var unneededSince: SimTime?
    var allocatedCost = CostParts()
  }

  /// Per-pool state that changes during the run.
  struct PoolState {
    /// Nodes the pool should have (the ASG's desired capacity).
    var desired: Int
    var scheduleActive = true
    var backoffUntil = SimTime.zero
    var nodesAtScheduleOff = 0
    var scheduleOffSince: SimTime?
    var scheduleSavedNodeSeconds = 0.0
    var scheduleSavedMicroUSD: MicroUSD = 0
    var launchFailures = 0
    /// Nodes provisioning or Ready (not draining, not gone): what counts towards `desired`.
    var liveCount = 0
    /// Instance types chosen by the autoscaler for nodes still to launch, in order.
    var queuedTypes: [Int] = []
  }

  public let configuration: ClusterConfiguration
  public let teams: [TeamConfiguration]
  public let governance: GovernanceConfiguration
  /// Job streams of all teams, flattened: (team index, stream).
  let streams: [(team: Int, stream: TrainingJobStream)]
  /// For each stream and pool: can a worker run on that pool's nodes?
  let compatible: [[Bool]]
  /// For each stream and pool: the `nodeOrder` policy's tier (lower tried first),
  /// asked once at start, and each stream's highest tier.
  let poolTiers: [[Int]]
  let maximumPoolTier: [Int]
  /// Instance-type index (into the catalogue) per pool and position.
  let poolTypes: [[Int]]
  var pools: [PoolState]
  var nodes: [Node] = []
  /// Ready, non-draining nodes in ID order: where pods can be placed.
  var schedulableNodes: [NodeID] = []
  /// Nodes not yet terminated, in ID order.
  var activeNodes: [NodeID] = []
  var jobs: [TrainingJob] = []
  var pendingJobs: [JobID] = []
  /// Jobs holding nodes, in start order.
  var runningJobs: [JobID] = []
  var passScheduled = false
  var provisionScheduled = false
  var lastScaleUpAt = SimTime(microseconds: .min / 2)
  var shortages: [Range<SimTime>]
  var arrivalStreams: [RandomStream]
  var durationStreams: [RandomStream]
  var provisioningStreams: [RandomStream]
  var spotStreams: [RandomStream]
  var correlatedStream: RandomStream
  public internal(set) var ledger: CostLedger
  public internal(set) var statistics = ClusterStatistics()
  /// Training jobs finished since the World last looked: the model registry registers
  /// a model version for each (``drainFinishedTraining()``).
  var finishedTraining: [FinishedTraining] = []
  /// Services whose replicas are pods here (by service position; `nil` for the others),
  /// the pools each may use, their pods by replica number, and the pods waiting for a node.
  let servingWorkloads: [ServingWorkload?]
  let servingPools: [[Bool]]
  var servingPods: [[ServingPod]]
  var pendingServingPods: [ServingPodID] = []
  /// Bindings and evictions since the World last looked.
  var servingPodNotices: [ServingPodNotice] = []
  /// Node cost allocated to each service's pods, and the GPU-seconds they held.
  var servingCost: [CostParts]
  var servingAllocatedGPUSeconds = 0.0
  /// Where per-entity rows go (`nil` when `recordRows` is off).
  let rows: ClusterRows?
  /// Where the aggregate cost allocations go, always.
  let costAllocationRows: TableRows<CostAllocationRow>?
  let calendar: SimCalendar
  /// The decision points the cluster consults (autoscaling, capacity type,
  /// preemption, checkpoints, admission, schedules).
  let policies: PolicySet

  public init(
    configuration: ClusterConfiguration, teams: [TeamConfiguration], governance: GovernanceConfiguration,
    seed: RandomSeed, calendar: SimCalendar, horizon: SimDuration, rows: RunRows?,
    policies: PolicySet = PolicySet(), servingWorkloads: [ServingWorkload?] = []
  ) {
    self.configuration = configuration
    self.servingWorkloads = servingWorkloads
    servingPools = servingWorkloads.map { workload in
      workload.map { Cluster.servingPools($0.placement, configuration: configuration) } ?? []
    }
    servingPods = servingWorkloads.map { _ in [] }
    servingCost = servingWorkloads.map { _ in CostParts() }
    self.policies = policies
    self.calendar = calendar
    self.teams = teams
    self.governance = governance
    var flat: [(team: Int, stream: TrainingJobStream)] = []
    for (teamIndex, team) in teams.enumerated() {
      for stream in team.jobStreams { flat.append((teamIndex, stream)) }
    }
    streams = flat
    let catalogue = configuration.catalogue
    poolTypes = configuration.nodePools.map { pool in pool.instanceTypes.compactMap { catalogue.index(of: $0) } }
    let compatibility = flat.map { entry in
      configuration.nodePools.map { Cluster.canHost(entry.stream, on: $0, catalogue: catalogue) }
    }
    compatible = compatibility
    var tiers: [[Int]] = []
    var streamPosition = 0
    for (index, entry) in flat.enumerated() {
      streamPosition = index > 0 && flat[index - 1].team == entry.team ? streamPosition + 1 : 0
      let observation = NodeOrderObservation(
        team: teams[entry.team].name,
        stream: "training/\(teams[entry.team].name)/\(streamPosition)-\(entry.stream.template.rawValue)",
        capacity: entry.stream.capacity.rawValue,
        pools: configuration.nodePools.enumerated().map { poolIndex, pool in
          NodeOrderObservation.Pool(
            pool: pool.name, capacityType: pool.capacityType.rawValue, instanceTypes: pool.instanceTypes,
            canHost: compatibility[index][poolIndex])
        })
      let answer = policies.nodeOrder.decide(observation, at: PolicyTime(microseconds: 0)).poolTiers
      // A policy answering for the wrong number of pools is caught by `problem(with:)`
      // for external policies; a Swift one falls back to node-ID order.
      tiers.append(answer.count == configuration.nodePools.count ? answer.map { max(0, $0) } : configuration.nodePools.map { _ in 0 })
    }
    poolTiers = tiers
    maximumPoolTier = tiers.map { $0.max() ?? 0 }
    pools = configuration.nodePools.map { PoolState(desired: $0.desiredNodes) }
    // One stream per purpose and job stream: "training/<team>/<position>-<template>/…".
    var streamNames: [String] = []
    for team in teams {
      for (position, stream) in team.jobStreams.enumerated() {
        streamNames.append("training/\(team.name)/\(position)-\(stream.template.rawValue)")
      }
    }
    arrivalStreams = streamNames.map { seed.stream($0 + "/arrivals") }
    durationStreams = streamNames.map { seed.stream($0 + "/durations") }
    provisioningStreams = configuration.nodePools.map { seed.stream("cluster/\($0.name)/provisioning") }
    spotStreams = configuration.nodePools.map { seed.stream("spot/\($0.name)") }
    correlatedStream = seed.stream("spot/correlated-reclaims")
    var shortageStream = seed.stream("spot/capacity-shortages")
    var windows = configuration.spotMarket.shortageWindows
    if let mean = configuration.spotMarket.shortageMeanInterval, mean.microseconds > 0 {
      var time = SimTime.zero
      while true {
        time = time + SimDuration(seconds: shortageStream.exponential(mean: mean.seconds))
        if time.microseconds >= horizon.microseconds { break }
        let length = configuration.spotMarket.shortageDuration.sampleDuration(&shortageStream)
        windows.append(time..<(time + length))
      }
    }
    shortages = windows.sorted { $0.lowerBound < $1.lowerBound }
    ledger = CostLedger(
      teamCount: teams.count, poolCount: configuration.nodePools.count, instanceTypeCount: catalogue.types.count)
    self.rows = configuration.recordsRows ? rows.map(ClusterRows.init) : nil
    costAllocationRows = rows?.table(CostAllocationRow.self)
  }

  /// Whether a worker of `stream` fits a node of `pool` at all: resources of its
  /// largest type, node selector, taints and capacity type.
  public static func canHost(_ stream: TrainingJobStream, on pool: NodePoolConfiguration, catalogue: InstanceCatalogue) -> Bool {
    guard stream.capacity.allows(pool.capacityType) else { return false }
    for selector in stream.nodeSelector where pool.label(selector.key) != selector.value { return false }
    for taint in pool.taints where !stream.tolerations.contains(where: { $0.tolerates(taint) }) { return false }
    return pool.instanceTypes.contains { name in
      catalogue.type(named: name).map { stream.perWorker.fits(in: $0.capacity) } ?? false
    }
  }

  // MARK: - Start

  mutating func start(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    for poolIndex in pools.indices {
      let pool = configuration.nodePools[poolIndex]
      if let schedule = pool.activeSchedule {
        let withinWindow = schedule.contains(scheduler.now, calendar: calendar)
        if !scheduleDecision(poolIndex, withinWindow: withinWindow, now: scheduler.now) {
          pools[poolIndex].scheduleActive = false
          pools[poolIndex].desired = 0
          pools[poolIndex].nodesAtScheduleOff = max(pool.minNodes, pool.desiredNodes)
          pools[poolIndex].scheduleOffSince = scheduler.now
        }
        if let next = schedule.nextChange(after: scheduler.now, calendar: calendar) {
          scheduler.schedule(.cluster(.poolScheduleChange(PoolID(Int32(poolIndex)))), at: next)
        }
      }
      // Initial nodes are there when the run starts (the cluster already exists).
      for _ in 0..<pools[poolIndex].desired { launchNode(pool: poolIndex, scheduler: &scheduler, immediately: true) }
    }
    for index in streams.indices { scheduleNextArrival(stream: index, scheduler: &scheduler, calendar: calendar) }
    if let mean = configuration.spotMarket.correlatedReclaimMeanInterval, mean.microseconds > 0 {
      scheduler.schedule(
        .cluster(.correlatedReclaim), after: SimDuration(seconds: correlatedStream.exponential(mean: mean.seconds)))
    }
    if let autoscaler = configuration.autoscaler {
      scheduler.schedule(.cluster(.autoscalerScan), after: autoscaler.scanInterval)
    }
    if let karpenter = configuration.karpenter {
      scheduler.schedule(.cluster(.karpenterDisruption), after: karpenter.pollingPeriod)
    }
  }

  mutating func handle(_ event: ClusterEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    switch event {
    case .nodeReady(let node): nodeBecameReady(node, scheduler: &scheduler)
    case .spotNotice(let node): receiveSpotNotice(node, cause: .spotInterruption, scheduler: &scheduler)
    case .nodeReclaimed(let node):
      terminateNode(node, reason: nodes[Int(node.rawValue)].endReason ?? .spotInterruption, scheduler: &scheduler)
    case .provisionTimedOut(let node):
      // CA gives up on a node not Ready within max-node-provision-time: the group is
      // backed off and shrunk, so the next scan may pick another group.
      let pool = nodes[Int(node.rawValue)].pool
      pools[pool].desired = max(configuration.nodePools[pool].minNodes, pools[pool].desired - 1)
      pools[pool].backoffUntil = scheduler.now + scaleUpBackoff
      terminateNode(node, reason: .provisionTimeout, scheduler: &scheduler)
    case .correlatedReclaim: correlatedReclaim(scheduler: &scheduler)
    case .poolScheduleChange(let pool): poolScheduleChanged(Int(pool.rawValue), scheduler: &scheduler, calendar: calendar)
    case .reconcilePool(let pool): reconcile(pool: Int(pool.rawValue), scheduler: &scheduler)
    case .autoscalerScan: autoscalerScan(scheduler: &scheduler)
    case .karpenterProvision: karpenterProvision(scheduler: &scheduler)
    case .karpenterDisruption: karpenterDisruption(scheduler: &scheduler)
    case .schedulingPass: schedulingPass(scheduler: &scheduler)
    case .jobArrival(let stream): jobArrived(stream: Int(stream), scheduler: &scheduler, calendar: calendar)
    case .jobPhaseEnded(let job): jobPhaseEnded(job, scheduler: &scheduler)
    }
  }

  // MARK: - Node lifecycle

  /// Whether spot launches fail at `time` (a capacity shortage window).
  func spotShortage(at time: SimTime) -> Bool {
    for window in shortages {
      if window.lowerBound > time { return false }
      if window.contains(time) { return true }
    }
    return false
  }

  /// Nodes of `pool` that count towards its desired size (not draining or gone).
  func liveNodeCount(pool: Int) -> Int { pools[pool].liveCount }

  /// Moves a node out of the live set (to draining or terminated), keeping the count.
  mutating func leaveLive(_ index: Int, to phase: NodePhase) {
    if nodes[index].phase == .provisioning || nodes[index].phase == .ready { pools[nodes[index].pool].liveCount -= 1 }
    nodes[index].phase = phase
  }

  /// Launches one node; returns `false` when the launch failed (spot shortage).
  @discardableResult
  mutating func launchNode(pool poolIndex: Int, scheduler: inout Scheduler<WorldEvent>, immediately: Bool = false) -> Bool {
    let pool = configuration.nodePools[poolIndex]
    let queued = pools[poolIndex].queuedTypes.first
    guard let typeIndex = queued ?? poolTypes[poolIndex].first else { return false }
    if pool.capacityType == .spot && spotShortage(at: scheduler.now) {
      pools[poolIndex].launchFailures += 1
      statistics.spotLaunchFailures += 1
      return false
    }
    if queued != nil { pools[poolIndex].queuedTypes.removeFirst() }
    let type = configuration.catalogue.types[typeIndex]
    let id = NodeID(Int32(nodes.count))
    let capacity = type.capacity
    nodes.append(
      Node(
        id: id, pool: poolIndex, instanceType: typeIndex, capacityType: pool.capacityType, capacity: capacity,
        requestedAt: scheduler.now,
        split: NodePriceSplit(priceUSDPerHour: type.priceUSDPerHour(pool.capacityType), capacity: capacity),
        onDemandMicroUSDPerHour: MicroUSD((type.onDemandPriceUSDPerHour * 1_000_000).rounded()),
        hazardPerSecond: pool.capacityType == .spot ? type.spotInterruption.hazardPerSecond : 0))
    statistics.nodesLaunched += 1
    pools[poolIndex].liveCount += 1
    activeNodes.append(id)
    let delay = immediately ? .zero : pool.provisioningDelay.sampleDuration(&provisioningStreams[poolIndex])
    if let autoscaler = configuration.autoscaler, delay > autoscaler.maxNodeProvisionTime {
      nodes[Int(id.rawValue)].pendingEvent = scheduler.schedule(
        .cluster(.provisionTimedOut(id)), after: autoscaler.maxNodeProvisionTime)
    } else {
      nodes[Int(id.rawValue)].pendingEvent = scheduler.schedule(.cluster(.nodeReady(id)), after: delay)
    }
    return true
  }

  mutating func nodeBecameReady(_ id: NodeID, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    guard nodes[index].phase == .provisioning else { return }
    nodes[index].phase = .ready
    nodes[index].readyAt = scheduler.now
    nodes[index].pendingEvent = nil
    insertSchedulable(id)
    if nodes[index].hazardPerSecond > 0 {
      let lifetime = spotStreams[nodes[index].pool].exponential(mean: 1 / nodes[index].hazardPerSecond)
      nodes[index].pendingEvent = scheduler.schedule(.cluster(.spotNotice(id)), after: SimDuration(seconds: lifetime))
    }
    requestSchedulingPass(scheduler: &scheduler)
  }

  mutating func insertSchedulable(_ id: NodeID) {
    var position = schedulableNodes.count
    while position > 0 && schedulableNodes[position - 1].rawValue > id.rawValue { position -= 1 }
    schedulableNodes.insert(id, at: position)
  }

  mutating func removeSchedulable(_ id: NodeID) {
    if let position = schedulableNodes.firstIndex(of: id) { schedulableNodes.remove(at: position) }
  }

  /// A node leaves: its pods' jobs are interrupted, it is billed, and the pool
  /// replaces it if it is now below its desired size (an ASG replacing lost capacity).
  mutating func terminateNode(_ id: NodeID, reason: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    guard nodes[index].phase != .terminated else { return }
    if let handle = nodes[index].pendingEvent { scheduler.cancel(handle) }
    nodes[index].pendingEvent = nil
    removeSchedulable(id)
    evictServingPods(onNode: index, reason: reason, scheduler: &scheduler)
    var seen: [JobID] = []
    for job in nodes[index].pods where !seen.contains(job) { seen.append(job) }
    let cause: JobInterruptionCause = reason == .schedule ? .schedule : .spot
    for job in seen { interrupt(job, cause: cause, scheduler: &scheduler) }
    leaveLive(index, to: .terminated)
    if let position = activeNodes.firstIndex(of: id) { activeNodes.remove(at: position) }
    nodes[index].terminatedAt = scheduler.now
    nodes[index].endReason = reason
    closeNodeCost(index, at: scheduler.now)
    statistics.nodesTerminated += 1
    reconcile(pool: nodes[index].pool, scheduler: &scheduler)
  }

  /// Brings a pool to its desired size: launches missing nodes, removes extra empty ones.
  mutating func reconcile(pool: Int, scheduler: inout Scheduler<WorldEvent>) {
    var live = liveNodeCount(pool: pool)
    while live < pools[pool].desired {
      if !launchNode(pool: pool, scheduler: &scheduler) {
        // Retry after the back-off; an autoscaler meanwhile looks elsewhere.
        let backoff = scaleUpBackoff
        pools[pool].backoffUntil = scheduler.now + backoff
        if configuration.autoscaler != nil || configuration.karpenter != nil {
          pools[pool].desired = live
          pools[pool].queuedTypes = []
          if configuration.karpenter != nil { requestProvisioning(scheduler: &scheduler) }
        } else {
          scheduler.schedule(.cluster(.reconcilePool(PoolID(Int32(pool)))), after: backoff)
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

  // MARK: - Scheduling-pass trigger

  /// Asks for a scheduling pass at the current time (coalesced: at most one pending).
  mutating func requestSchedulingPass(scheduler: inout Scheduler<WorldEvent>) {
    guard !passScheduled else { return }
    passScheduled = true
    scheduler.schedule(.cluster(.schedulingPass), after: .zero, priority: 1)
  }
}

/// Whole-run counters of the cluster.
public struct ClusterStatistics: Sendable, Equatable {
  public var nodesLaunched = 0
  public var nodesTerminated = 0
  public var spotNotices = 0
  public var spotLaunchFailures = 0
  public var correlatedReclaimEvents = 0
  public var scaleUps = 0
  public var scaleDowns = 0
  public var jobsSubmitted = 0
  public var jobsRejected = 0
  public var jobsAdmittedWithViolations = 0
  public var jobsFinished = 0
  public var preemptions = 0
  public var consolidations = 0
  public var consolidationEvictions = 0
  public var drainEvictions = 0
  /// Serving replica pods that lost their node.
  public var servingEvictions = 0
  /// Replica pods evicted for higher-priority training pods.
  public var servingPreemptions = 0
}
