import ResultStore
import SimKernel

/// Everything one run needs, decoded from a scenario.
public struct WorldConfiguration: Sendable {
  public var calendar: SimCalendar
  public var seed: RandomSeed
  public var runnerPool: RunnerPoolConfiguration?
  /// The Kubernetes cluster, its teams' training workloads and cost governance.
  public var cluster: ClusterConfiguration?
  public var teams: [TeamConfiguration]
  public var governance: GovernanceConfiguration
  /// The simulated window, for drawing capacity-shortage windows up front.
  public var horizon: SimDuration

  public init(
    calendar: SimCalendar, seed: RandomSeed, runnerPool: RunnerPoolConfiguration?, cluster: ClusterConfiguration? = nil,
    teams: [TeamConfiguration] = [], governance: GovernanceConfiguration = GovernanceConfiguration(),
    horizon: SimDuration = .days(30)
  ) {
    self.calendar = calendar
    self.seed = seed
    self.runnerPool = runnerPool
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
  case cluster(ClusterEvent)
}

/// The simulated platform for one run: the one place that wires components together.
///
/// Components do not reach into each other; the World routes each event to its
/// owner, and later components (cluster, serving, delivery, monitoring) join here.
public struct World: SimulationModel {
  public let configuration: WorldConfiguration
  public private(set) var runnerPool: RunnerPool?
  public internal(set) var cluster: Cluster?

  public init(configuration: WorldConfiguration, recorder: RunRecorder?) {
    self.configuration = configuration
    runnerPool = configuration.runnerPool.map {
      RunnerPool(configuration: $0, seed: configuration.seed, recorder: recorder)
    }
    cluster = configuration.cluster.map {
      Cluster(
        configuration: $0, teams: configuration.teams, governance: configuration.governance, seed: configuration.seed,
        calendar: configuration.calendar, horizon: configuration.horizon, recorder: recorder)
    }
  }

  /// Schedules each component's first events.
  public mutating func start(scheduler: inout Scheduler<WorldEvent>) {
    runnerPool?.start(scheduler: &scheduler, calendar: configuration.calendar)
    cluster?.start(scheduler: &scheduler, calendar: configuration.calendar)
  }

  public mutating func handle(_ event: WorldEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .runnerPool(let poolEvent):
      runnerPool?.handle(poolEvent, scheduler: &scheduler, calendar: configuration.calendar)
    case .cluster(let clusterEvent):
      cluster?.handle(clusterEvent, scheduler: &scheduler, calendar: configuration.calendar)
    }
  }

  /// Writes rows for work still in progress at `endTime`, so nothing is silently
  /// lost, and closes the cost books (live nodes billed up to the end).
  public mutating func recordUnfinished(endTime: SimTime) {
    runnerPool?.recordUnfinished(calendar: configuration.calendar)
    cluster?.finish(at: endTime)
  }

  /// Whole-run metrics of every component.
  public func metrics(endTime: SimTime) -> [RunMetric] {
    (runnerPool?.metrics(endTime: endTime) ?? []) + (cluster?.metrics(endTime: endTime) ?? [])
  }
}
