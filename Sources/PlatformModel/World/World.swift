import ResultStore
import SimKernel

/// Everything one run needs, decoded from a scenario.
public struct WorldConfiguration: Sendable {
  public var calendar: SimCalendar
  public var seed: RandomSeed
  public var runnerPool: RunnerPoolConfiguration?

  public init(calendar: SimCalendar, seed: RandomSeed, runnerPool: RunnerPoolConfiguration?) {
    self.calendar = calendar
    self.seed = seed
    self.runnerPool = runnerPool
  }
}

/// Every event of the simulated platform, one case per component.
///
/// Plain values only (identifiers and small enums), so the future-event list never
/// touches reference counts.
public enum WorldEvent: Sendable {
  case runnerPool(RunnerPoolEvent)
}

/// The simulated platform for one run: the one place that wires components together.
///
/// Components do not reach into each other; the World routes each event to its
/// owner, and later components (cluster, serving, delivery, monitoring) join here.
public struct World: SimulationModel {
  public let configuration: WorldConfiguration
  public private(set) var runnerPool: RunnerPool?

  public init(configuration: WorldConfiguration, recorder: RunRecorder?) {
    self.configuration = configuration
    runnerPool = configuration.runnerPool.map {
      RunnerPool(configuration: $0, seed: configuration.seed, recorder: recorder)
    }
  }

  /// Schedules each component's first events.
  public mutating func start(scheduler: inout Scheduler<WorldEvent>) {
    runnerPool?.start(scheduler: &scheduler, calendar: configuration.calendar)
  }

  public mutating func handle(_ event: WorldEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .runnerPool(let poolEvent):
      runnerPool?.handle(poolEvent, scheduler: &scheduler, calendar: configuration.calendar)
    }
  }

  /// Writes rows for work still in progress at the end, so nothing is silently lost.
  public func recordUnfinished() {
    runnerPool?.recordUnfinished(calendar: configuration.calendar)
  }

  /// Whole-run metrics of every component.
  public func metrics(endTime: SimTime) -> [RunMetric] {
    runnerPool?.metrics(endTime: endTime) ?? []
  }
}
