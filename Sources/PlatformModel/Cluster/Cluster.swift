import Policies
import ResultRows
import SimKernel

/// Events of the cluster, one case per component.
public enum ClusterEvent: Sendable {
  case nodePools(NodePoolEvent)
  case poolSchedules(PoolScheduleEvent)
  case spotMarket(SpotMarketEvent)
  case podScheduler(PodSchedulerEvent)
  case clusterAutoscaler(ClusterAutoscalerEvent)
  case karpenter(KarpenterEvent)
  case training(TrainingEvent)
}

/// The Kubernetes cluster: its components and how they act on one another.
///
/// Each component keeps its own state, written only in its own file: the node pools
/// (`NodePools`), their weekly schedules (`PoolSchedules`), the spot market
/// (`SpotMarket`), the pod scheduler (`PodScheduler`, with `Preemption`), Cluster
/// Autoscaler (`ClusterAutoscaler`) and Karpenter (`Karpenter`, both scaling up through
/// `ScaleUp` and draining through `Drain`), the training jobs (`Training/TrainingJobs`,
/// `Training/Checkpointing`), the serving replica pods (`Serving/ServingPods`) and the
/// cost books (`Cost/CostBook`). The state they share — which pod runs on which node —
/// is the ``NodeTable``, changed only through its methods.
///
/// Within one event the components act on one another synchronously (a node going
/// evicts its pods, interrupts its jobs, is billed, and its pool replaces it), in a
/// fixed order, so that same-instant events keep their first-in first-out order; each
/// component file holds, after the component, the `Cluster` methods that carry its
/// events across the others.
public struct Cluster {
  public let configuration: ClusterConfiguration
  let teams: IDArray<TeamID, TeamConfiguration>
  let governance: GovernanceConfiguration
  let calendar: SimCalendar
  /// The decision points the cluster consults (autoscaling, capacity type,
  /// preemption, checkpoints, admission, schedules).
  let policies: PolicySet
  /// Where per-entity rows go (`nil` when `recordRows` is off).
  let rows: ClusterRows?
  /// Where the aggregate cost allocations go, always.
  let costAllocationRows: TableRows<CostAllocationRow>?

  var nodeTable: NodeTable
  var nodePools: NodePools
  var poolSchedules: PoolSchedules
  var spotMarket: SpotMarket
  var podScheduler: PodScheduler
  var autoscaler: ClusterAutoscaler?
  var karpenter: Karpenter?
  var training: TrainingJobs
  var servingPods: ServingPods
  var costBook: CostBook

  /// - Parameter servingWorkloads: per service (by position), where its replica pods
  ///   run; `nil` for services off the cluster.
  public init(
    configuration: ClusterConfiguration, teams: [TeamConfiguration], governance: GovernanceConfiguration,
    seed: RandomSeed, calendar: SimCalendar, horizon: SimDuration, rows: RunRows?,
    policies: PolicySet = PolicySet(), servingWorkloads: [ServingWorkload?] = []
  ) {
    self.configuration = configuration
    let teams = IDArray<TeamID, TeamConfiguration>(teams)
    self.teams = teams
    self.governance = governance
    self.calendar = calendar
    self.policies = policies
    nodeTable = NodeTable(underutilisationThreshold: configuration.autoscaler?.scaleDownUtilisationThreshold)
    training = TrainingJobs(teams: teams, seed: seed)
    podScheduler = PodScheduler(
      streams: training.streams, teams: teams, configuration: configuration, policies: policies)
    nodePools = NodePools(configuration: configuration, seed: seed)
    poolSchedules = PoolSchedules(poolCount: configuration.nodePools.count)
    spotMarket = SpotMarket(configuration: configuration, seed: seed, horizon: horizon)
    autoscaler = configuration.autoscaler.map { ClusterAutoscaler(configuration: $0) }
    karpenter = configuration.karpenter.map { Karpenter(configuration: $0) }
    servingPods = ServingPods(workloads: servingWorkloads, configuration: configuration)
    costBook = CostBook(
      teamCount: teams.count, poolCount: configuration.nodePools.count,
      instanceTypeCount: configuration.catalogue.types.count, serviceCount: servingWorkloads.count)
    self.rows = configuration.recordsRows ? rows.map(ClusterRows.init) : nil
    costAllocationRows = rows?.table(CostAllocationRow.self)
  }

  /// Whether a worker of `stream` fits a node of `pool` at all: resources of its
  /// largest type, node selector, taints and capacity type.
  public static func canHost(_ stream: TrainingJobStream, on pool: NodePoolConfiguration, catalogue: InstanceCatalogue)
    -> Bool
  {
    guard stream.capacity.allows(pool.capacityType) else { return false }
    for selector in stream.nodeSelector where pool.label(selector.key) != selector.value { return false }
    for taint in pool.taints where !stream.tolerations.contains(where: { $0.tolerates(taint) }) { return false }
    return pool.instanceTypes.contains { name in
      catalogue.type(named: name).map { stream.perWorker.fits(in: $0.capacity) } ?? false
    }
  }

  /// Schedules each component's first events; the initial nodes are there when the
  /// run starts (the cluster already exists).
  mutating func start(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    for pool in nodePools.ids {
      startSchedule(of: pool, scheduler: &scheduler, calendar: calendar)
      for _ in 0..<nodePools.desired(pool) { launchNode(pool: pool, scheduler: &scheduler, immediately: true) }
    }
    for stream in training.streams.indices {
      training.scheduleNextArrival(of: stream, scheduler: &scheduler, calendar: calendar)
    }
    startSpotMarket(scheduler: &scheduler)
    if let autoscaler {
      scheduler.schedule(.cluster(.clusterAutoscaler(.scan)), after: autoscaler.configuration.scanInterval)
    }
    if let karpenter {
      scheduler.schedule(.cluster(.karpenter(.disruption)), after: karpenter.configuration.pollingPeriod)
    }
  }

  /// Routes an event to the component that owns it.
  mutating func handle(_ event: ClusterEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    switch event {
    case .nodePools(let event): handle(event, scheduler: &scheduler)
    case .poolSchedules(let event): handle(event, scheduler: &scheduler, calendar: calendar)
    case .spotMarket(let event): handle(event, scheduler: &scheduler)
    case .podScheduler(.schedulingPass): schedulingPass(scheduler: &scheduler)
    case .clusterAutoscaler(let event): handle(event, scheduler: &scheduler)
    case .karpenter(let event): handle(event, scheduler: &scheduler)
    case .training(let event): handle(event, scheduler: &scheduler, calendar: calendar)
    }
  }

  /// Whole-run counters of the cluster's components.
  public var statistics: ClusterStatistics {
    ClusterStatistics(
      nodesLaunched: nodePools.nodesLaunched, nodesTerminated: nodePools.nodesTerminated,
      spotNotices: spotMarket.notices, spotLaunchFailures: spotMarket.launchFailures,
      correlatedReclaimEvents: spotMarket.correlatedReclaims, scaleUps: nodePools.scaleUps,
      scaleDowns: autoscaler?.scaleDowns ?? 0, jobsSubmitted: training.submittedCount,
      jobsRejected: training.rejectedCount, jobsAdmittedWithViolations: training.admittedWithViolationsCount,
      jobsFinished: training.finishedCount, preemptions: training.preemptionCount,
      consolidations: karpenter?.consolidations ?? 0, consolidationEvictions: training.consolidationEvictions,
      drainEvictions: training.drainEvictions, servingEvictions: servingPods.evictions,
      servingPreemptions: servingPods.preemptions)
  }

  /// The OpenCost allocation view so far.
  public var ledger: CostLedger { costBook.ledger }
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
