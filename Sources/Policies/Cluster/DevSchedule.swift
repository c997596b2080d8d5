/// Whether a pool with an active schedule is awake (dev pools that sleep at night
/// and at weekends).
///
/// Consulted at the start of the run and at each change of the pool's weekly window.
public protocol DevSchedulePolicy: DecisionPolicy
where Observation == DevScheduleObservation, Action == DevScheduleAction {}

public struct DevScheduleObservation: Codable, Sendable, Equatable {
  public var pool: String
  /// Whether the local time is inside the pool's `activeSchedule` windows.
  public var withinWindow: Bool
  /// Whether the pool is awake now.
  public var active: Bool
  public var liveNodes: Int
  public var desiredNodes: Int
  public var minNodes: Int
  /// Local time on the scenario's calendar, `Mon 07:00` style.
  public var localTime: String

  public init(
    pool: String, withinWindow: Bool, active: Bool, liveNodes: Int, desiredNodes: Int, minNodes: Int, localTime: String
  ) {
    self.pool = pool
    self.withinWindow = withinWindow
    self.active = active
    self.liveNodes = liveNodes
    self.desiredNodes = desiredNodes
    self.minNodes = minNodes
    self.localTime = localTime
  }

  public func problem(with action: DevScheduleAction) -> String? { nil }
}

public struct DevScheduleAction: Codable, Sendable, Equatable {
  public var active: Bool
  public init(active: Bool) { self.active = active }
}

/// Awake exactly inside the weekly windows, like kube-downscaler's `uptime`
/// annotation or a scheduled ASG action.
public final class WeeklyScheduleDevSchedule: DevSchedulePolicy {
  public init() {}
  public func decide(_ observation: DevScheduleObservation, at time: PolicyTime) -> DevScheduleAction {
    DevScheduleAction(active: observation.withinWindow)
  }
}

/// Never sleeps: the baseline a schedule is compared with.
public final class AlwaysOnDevSchedule: DevSchedulePolicy {
  public init() {}
  public func decide(_ observation: DevScheduleObservation, at time: PolicyTime) -> DevScheduleAction {
    DevScheduleAction(active: true)
  }
}
