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

  public init(
    calendar: SimCalendar, seed: RandomSeed, runnerPool: RunnerPoolConfiguration?, delivery: DeliveryConfiguration? = nil,
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
  case monitoring(MonitoringEvent)
  case cluster(ClusterEvent)
}

/// The simulated platform for one run: the one place that wires components together.
///
/// Components do not reach into each other; the World routes each event to its
/// owner, and later components (cluster, serving, delivery, monitoring) join here.
public struct World: SimulationModel {
  public let configuration: WorldConfiguration
  public private(set) var runnerPool: RunnerPool?
  public private(set) var delivery: Delivery?
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

  /// - Parameters:
  ///   - rows: where the run's result rows go; `nil` records nothing.
  ///   - policies: the implementations the components consult; by default the
  ///     built-ins `configuration.policies` names.
  ///   - policyRuntime: the external processes behind `policies`, started and owned
  ///     by ``SimulationRun``.
  public init(
    configuration: WorldConfiguration, rows: RunRows?, policies: PolicySet? = nil,
    policyRuntime: PolicyRuntime? = nil
  ) {
    self.configuration = configuration
    self.policyRuntime = policyRuntime
    let policies = policies ?? PolicySet(builtIns: configuration.policies)
    runnerPool = configuration.runnerPool.map {
      RunnerPool(configuration: $0, seed: configuration.seed, rows: rows)
    }
    // The lookbehind of a query does not depend on the service it is filled in for.
    let analysisQueries = Set(
      (configuration.delivery?.services ?? []).flatMap { $0.rollout.prometheusQueries(service: "service") }
    ).sorted()
    let monitoring = configuration.monitoring.map {
      PlatformMonitoring(
        configuration: $0, calendar: configuration.calendar, horizon: configuration.horizon, otherQueries: analysisQueries)
    }
    self.monitoring = monitoring
    delivery = configuration.delivery.map {
      Delivery(configuration: $0, seed: configuration.seed, monitoring: monitoring, policies: policies)
    }
    let servingWorkloads: [ServingWorkload?] = (configuration.delivery?.services ?? []).map { service in
      service.serving?.placement.map { ServingWorkload(service: service.name, team: Int(service.team.rawValue), placement: $0) }
    }
    placesServingPods = configuration.cluster != nil && servingWorkloads.contains { $0 != nil }
    cluster = configuration.cluster.map {
      Cluster(
        configuration: $0, teams: configuration.teams, governance: configuration.governance, seed: configuration.seed,
        calendar: configuration.calendar, horizon: configuration.horizon, rows: rows, policies: policies,
        servingWorkloads: servingWorkloads)
    }
  }

  /// Carries serving pod requests to the cluster and its bindings and evictions back,
  /// until neither has more (the World is the only link between the two).
  mutating func exchangeServingPods(scheduler: inout Scheduler<WorldEvent>) {
    guard placesServingPods else { return }
    // Mutated in place (optional chaining), so no component is copied.
    while true {
      let requests = delivery?.drainServingPodRequests() ?? []
      let notices = cluster?.drainServingPodNotices() ?? []
      if requests.isEmpty && notices.isEmpty { break }
      for request in requests { cluster?.handleServingPodRequest(request, scheduler: &scheduler) }
      for notice in notices {
        switch notice {
        case .bound(let pod): delivery?.servingPodBound(pod, at: scheduler.now)
        case .evicted(let pod): delivery?.servingPodEvicted(pod, at: scheduler.now)
        }
      }
    }
  }

  /// Schedules each component's first events.
  public mutating func start(scheduler: inout Scheduler<WorldEvent>) {
    runnerPool?.start(scheduler: &scheduler, calendar: configuration.calendar)
    delivery?.start(scheduler: &scheduler, calendar: configuration.calendar)
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
    if placesServingPods { exchangeServingPods(scheduler: &scheduler) }
  }

  /// Emits rows for work still in progress at `endTime`, so nothing is silently
  /// lost, and closes the cost books (live nodes billed up to the end).
  public mutating func recordUnfinished(endTime: SimTime) {
    runnerPool?.recordUnfinished(calendar: configuration.calendar)
    cluster?.finish(at: endTime)
  }

  /// Whole-run metrics of every component.
  public func metrics(endTime: SimTime) -> [RunMetric] {
    (runnerPool?.metrics(endTime: endTime) ?? [])
      + (cluster?.metrics(endTime: endTime, servingUsedGPUSeconds: delivery?.servingUsedGPUSeconds ?? 0) ?? [])
  }

  /// KPIs against the platform's targets (empty without a delivery model).
  public func kpis(endTime: SimTime) -> [KPIValue] {
    guard let delivery else { return [] }
    return DeliveryKPIs.compute(
      delivery, window: endTime - SimTime.zero, calendar: configuration.calendar,
      lateAfter: configuration.monitoring?.lateAfter, placedServingCost: placesServingPods ? cluster?.servingCostMicroUSD : nil)
  }

  /// Emits the rows components keep until the end of the run: delivery records,
  /// alerts and samples, then the KPIs.
  public func emitFinalRows(to rows: RunRows, endTime: SimTime) {
    if let delivery { rows.emitDelivery(delivery, calendar: configuration.calendar) }
    if let monitoring { rows.emitMonitoring(monitoring, calendar: configuration.calendar) }
    let kpiRows = rows.table(KPIRow.self)
    for kpi in kpis(endTime: endTime) { kpiRows.append(KPIRow(kpi)) }
    kpiRows.flush()
  }
}
