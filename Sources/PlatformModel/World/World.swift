import Policies
import ResultRows
import SimKernel

/// Everything one run needs, decoded from a scenario.
public struct WorldConfiguration: Sendable {
  public var calendar: SimCalendar
  public var seed: RandomSeed
  public var runnerPool: RunnerPoolConfiguration?
  public var delivery: DeliveryConfiguration?
  /// Prometheus rules and Alertmanager watching the services.
  public var monitoring: MonitoringConfiguration?
  /// The Kubernetes cluster, its teams' training workloads and cost governance.
  public var cluster: ClusterConfiguration?
  public var teams: [TeamConfiguration]
  public var governance: GovernanceConfiguration
  /// The simulated window, for drawing capacity-shortage windows up front.
  public var horizon: SimDuration
  /// Which implementation answers each decision point (`spec.policies`).
  public var policies: PolicyConfiguration
  /// A trace replayed in the run (`spec.replay`); its rows are written beside the world's.
  public var replay: TraceReplayPlan?

  public init(
    calendar: SimCalendar, seed: RandomSeed, runnerPool: RunnerPoolConfiguration?,
    delivery: DeliveryConfiguration? = nil,
    monitoring: MonitoringConfiguration? = nil, cluster: ClusterConfiguration? = nil, teams: [TeamConfiguration] = [],
    governance: GovernanceConfiguration = GovernanceConfiguration(), horizon: SimDuration = .days(30),
    policies: PolicyConfiguration = PolicyConfiguration()
  ) {
    self.policies = policies
    self.calendar = calendar
    self.seed = seed
    self.runnerPool = runnerPool
    self.delivery = delivery
    self.monitoring = monitoring
    self.cluster = cluster
    self.teams = teams
    self.governance = governance
    self.horizon = horizon
  }
}

/// Every event of the simulated platform, one case per component.
///
/// Plain values only (identifiers and small enums), so the future-event list never
/// touches reference counts.
public enum WorldEvent: Sendable {
  case runnerPool(RunnerPoolEvent)
  case delivery(DeliveryEvent)
  case serving(ServingEvent)
  case monitoring(MonitoringEvent)
  case cluster(ClusterEvent)
}

/// The simulated platform for one run: the one place that wires its subsystems together.
///
/// The CI runner pool, delivery, serving, the cluster and monitoring each own their
/// state and their events; they never call one another. The World routes each event
/// to its owner and carries their messages (docs/ARCHITECTURE.md):
/// - runner pool → delivery: a CI job finished (``RunnerPool/Completion``);
/// - delivery → runner pool: a CI job to run (the pool is lent to delivery's handler);
/// - delivery → serving: which code each service runs, canary weights and ReplicaSet
///   sizing (``ServingRelease``);
/// - serving → delivery: failed requests for incidents, canary ReplicaSets that
///   converged or progressed (``TrafficReport``), after each traffic interval;
/// - serving ⇄ cluster: replica pods to create or delete (``ServingPodRequest``), pods
///   bound or evicted (``ServingPodNotice``);
/// - cluster → delivery: finished training jobs, for the model registry
///   (``FinishedTraining``);
/// - monitoring → delivery: Alertmanager notifications for the platform
///   (``PlatformRequest``).
/// Serving publishes its series on monitoring's Prometheus, and delivery's analyses
/// query it; monitoring is shared by reference for that.
public struct World: SimulationModel {
  public let configuration: WorldConfiguration
  public private(set) var runnerPool: RunnerPool?
  public private(set) var delivery: Delivery?
  public private(set) var serving: Serving?
  public let monitoring: PlatformMonitoring?
  public internal(set) var cluster: Cluster?

  /// Whether some service's replicas are pods on the cluster: serving and the cluster
  /// then exchange pod requests and notices after every event.
  let placesServingPods: Bool

  /// The external policy processes of the run, whose fatal faults stop it.
  let policyRuntime: PolicyRuntime?

  /// A policy failed with `onError: fail`, or an interrupt cut a policy's answer
  /// short: the run stops at once.
  public var cannotContinue: Bool { policyRuntime?.mustStop ?? false }

  /// What grows with a run, by the model's own accounting (checked against
  /// `limits.maxMemoryGiB`): the CI runner queue, the training jobs' records and queue,
  /// the series store's buffers, and the alerts and notifications kept until the end.
  public var retainedBytes: Int {
    // A CI job arrives at most once per event, and the guard looks every `eventsBetweenLimitChecks`.
    var bytes = runnerPool?.waiting.peakBytes(afterAppending: eventsBetweenLimitChecks) ?? 0
    if let cluster {
      bytes += cluster.training.jobs.count * (MemoryLayout<TrainingJob>.stride + 16)
      bytes += cluster.podScheduler.pendingJobs.count * MemoryLayout<JobID>.stride
    }
    if let monitoring {
      bytes += monitoring.store.retainedBytes
      bytes += monitoring.alertRecords.count * MemoryLayout<AlertRecord>.stride
      bytes += monitoring.notificationRecords.count * MemoryLayout<NotificationRecord>.stride
    }
    return bytes
  }

  /// - Parameters:
  ///   - rows: where the run's result rows go; `nil` records nothing.
  ///   - policies: the implementations the components consult; by default the
  ///     built-ins `configuration.policies` names.
  ///   - policyRuntime: the external processes behind `policies`, started and owned
  ///     by ``SimulationRun``.
  ///   - threads: threads the run may use for steps whose pieces are independent (the
  ///     traffic loop's services); results are identical for every count.
  public init(
    configuration: WorldConfiguration, rows: RunRows?, policies: PolicySet? = nil,
    policyRuntime: PolicyRuntime? = nil, threads: Int = 1
  ) {
    self.configuration = configuration
    self.policyRuntime = policyRuntime
    let policies = policies ?? PolicySet(builtIns: configuration.policies)
    runnerPool = configuration.runnerPool.map {
      RunnerPool(configuration: $0, seed: configuration.seed, rows: rows)
    }
    // The lookbehind of a query does not depend on the service it is filled in for, so
    // each distinct rollout is filled once (services mostly share one), in order of first use.
    var rollouts = LatestFirstMemo<RolloutStrategy, Void>()
    var distinctRollouts: [RolloutStrategy] = []
    for service in configuration.delivery?.services ?? [] where rollouts.answer(for: service.rollout, {}).isNew {
      distinctRollouts.append(service.rollout)
    }
    let analysisQueries = Set(distinctRollouts.flatMap { $0.prometheusQueries(service: "service") }).sorted()
    let monitoring = configuration.monitoring.map {
      PlatformMonitoring(
        configuration: $0, calendar: configuration.calendar, horizon: configuration.horizon,
        otherQueries: analysisQueries, otherQueriesRunBeforeMs: distinctRollouts.map(\.rangeQueryReachMs).max() ?? 0)
    }
    self.monitoring = monitoring
    delivery = configuration.delivery.map {
      Delivery(configuration: $0, seed: configuration.seed, monitoring: monitoring, policies: policies)
    }
    serving = configuration.delivery.map {
      Serving(configuration: $0, seed: configuration.seed, monitoring: monitoring, policies: policies, threads: threads)
    }
    let servingWorkloads: [ServingWorkload?] = (configuration.delivery?.services ?? []).map { service in
      service.serving?.placement.map { ServingWorkload(service: service.name, team: service.team, placement: $0) }
    }
    placesServingPods = configuration.cluster != nil && servingWorkloads.contains { $0 != nil }
    cluster = configuration.cluster.map {
      Cluster(
        configuration: $0, teams: configuration.teams, governance: configuration.governance, seed: configuration.seed,
        calendar: configuration.calendar, horizon: configuration.horizon, rows: rows, policies: policies,
        servingWorkloads: servingWorkloads)
    }
  }

  /// Carries delivery's messages to serving (in place: no subsystem is copied).
  mutating func deliverServingReleases(at time: SimTime) {
    guard delivery?.hasServingReleases == true else { return }
    for release in delivery?.drainServingReleases() ?? [] { serving?.apply(release, at: time) }
  }

  /// Carries serving pod requests to the cluster and its bindings and evictions back,
  /// until neither has more.
  mutating func exchangeServingPods(scheduler: inout Scheduler<WorldEvent>) {
    guard placesServingPods else { return }
    // Mutated in place (optional chaining), so no subsystem is copied.
    while true {
      let requests = serving?.drainServingPodRequests() ?? []
      let notices = cluster?.drainServingPodNotices() ?? []
      if requests.isEmpty && notices.isEmpty { break }
      for request in requests { cluster?.handleServingPodRequest(request, scheduler: &scheduler) }
      for notice in notices { serving?.servingPodNotice(notice, at: scheduler.now) }
    }
  }

  /// Schedules each subsystem's first events.
  public mutating func start(scheduler: inout Scheduler<WorldEvent>) {
    runnerPool?.start(scheduler: &scheduler, calendar: configuration.calendar)
    delivery?.start(scheduler: &scheduler, calendar: configuration.calendar)
    serving?.start(scheduler: &scheduler)
    monitoring?.start(scheduler: &scheduler)
    cluster?.start(scheduler: &scheduler, calendar: configuration.calendar)
    exchangeServingPods(scheduler: &scheduler)
  }

  public mutating func handle(_ event: WorldEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .runnerPool(let poolEvent):
      let completion = runnerPool?.handle(poolEvent, scheduler: &scheduler, calendar: configuration.calendar)
      if let completion, completion.source == .pipeline {
        delivery?.ciJobFinished(
          change: ChangeID(completion.reference), queuedAt: completion.queuedAt, startedAt: completion.startedAt,
          scheduler: &scheduler, runnerPool: &runnerPool)
      }
    case .delivery(let deliveryEvent):
      delivery?.handle(deliveryEvent, scheduler: &scheduler, runnerPool: &runnerPool, calendar: configuration.calendar)
    case .serving(let servingEvent):
      serving?.handle(servingEvent, scheduler: &scheduler, calendar: configuration.calendar)
      if let report = serving?.drainReport() { delivery?.trafficReported(report, scheduler: &scheduler) }
    case .monitoring(let monitoringEvent):
      guard let monitoring else { return }
      let requests: [PlatformRequest]
      switch monitoringEvent {
      case .evaluateGroup(let index): requests = monitoring.evaluateGroup(Int(index), scheduler: &scheduler)
      case .alertmanagerWakeUp: requests = monitoring.alertmanagerWokeUp(scheduler: &scheduler)
      }
      for request in requests { delivery?.handleAlert(request, scheduler: &scheduler) }
    case .cluster(let clusterEvent):
      cluster?.handle(clusterEvent, scheduler: &scheduler, calendar: configuration.calendar)
      if let finished = cluster?.drainFinishedTraining(), !finished.isEmpty {
        for training in finished { delivery?.modelTrained(training, scheduler: &scheduler) }
      }
    }
    deliverServingReleases(at: scheduler.now)
    if placesServingPods { exchangeServingPods(scheduler: &scheduler) }
  }

  /// Emits rows for work still in progress at `endTime`, so nothing is silently
  /// lost, and closes the cost books (live nodes billed up to the end).
  public mutating func recordUnfinished(endTime: SimTime) {
    runnerPool?.recordUnfinished(calendar: configuration.calendar)
    cluster?.finish(at: endTime)
  }

  /// Whole-run metrics of every subsystem.
  ///
  /// `cost.total_usd` is the whole bill: node cost (which already holds replica pods
  /// placed on the cluster) plus serving replicas off the cluster, with the two parts
  /// as `cost.nodes_usd` and `cost.serving_replicas_usd`.
  public func metrics(endTime: SimTime) -> [RunMetric] {
    var metrics =
      (runnerPool?.metrics(endTime: endTime) ?? [])
      + (cluster?.metrics(endTime: endTime, servingUsedGPUSeconds: serving?.usedGPUSeconds ?? 0) ?? [])
    let replicas = offClusterServingMicroUSD()
    guard cluster != nil || replicas != nil else { return metrics }
    let nodes = cluster?.ledger.nodeCost ?? 0
    let total = RunMetric(name: "cost.total_usd", value: (nodes + (replicas ?? 0)).usd, unit: "USD")
    if let index = metrics.firstIndex(where: { $0.name == "cost.total_usd" }) {
      metrics[index] = total
    } else {
      metrics.append(total)
    }
    metrics.append(RunMetric(name: "cost.nodes_usd", value: nodes.usd, unit: "USD"))
    metrics.append(RunMetric(name: "cost.serving_replicas_usd", value: (replicas ?? 0).usd, unit: "USD"))
    return metrics
  }

  /// What serving replicas off the cluster cost: replica-hours × `replicaCostPerHour`,
  /// summed over services and rounded once to the micro-dollar (the same amounts as
  /// their part of the `serving_cost_usd` KPI); `nil` when no service has such replicas.
  func offClusterServingMicroUSD() -> MicroUSD? {
    guard let delivery, let serving else { return nil }
    var total = 0.0
    var any = false
    for service in serving.replicas.states.indices {
      guard let state = serving.replicas.states[service],
        let configuration = delivery.configuration[service: service].serving,
        configuration.placement == nil || !placesServingPods
      else { continue }
      any = true
      total += state.replicaSeconds / 3_600 * configuration.replicaCostPerHour
    }
    return any ? MicroUSD((total * 1_000_000).rounded()) : nil
  }

  /// KPIs against the platform's targets (empty without a delivery model).
  public func kpis(endTime: SimTime) -> [KPIValue] {
    guard let delivery, let serving else { return [] }
    return DeliveryKPIs.compute(
      delivery, serving: serving, window: endTime - SimTime.zero, calendar: configuration.calendar,
      lateAfter: configuration.monitoring?.lateAfter,
      placedServingCost: placesServingPods ? cluster?.servingCostMicroUSD : nil)
  }

  /// Emits the rows components keep until the end of the run: delivery records,
  /// alerts and samples, then the KPIs.
  public func emitFinalRows(to rows: RunRows, endTime: SimTime) {
    if let delivery, let serving { rows.emitDelivery(delivery, serving: serving, calendar: configuration.calendar) }
    if let monitoring { rows.emitMonitoring(monitoring, calendar: configuration.calendar) }
    let kpiRows = rows.table(KPIRow.self)
    for kpi in kpis(endTime: endTime) { kpiRows.append(KPIRow(kpi)) }
    kpiRows.flush()
  }
}
