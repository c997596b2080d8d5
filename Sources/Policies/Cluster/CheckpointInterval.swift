/// How often a training job checkpoints in its next attempt.
///
/// Consulted each time a job with a checkpoint policy starts or restarts on nodes,
/// with the failure rate of the nodes it got.
public protocol CheckpointIntervalPolicy: DecisionPolicy
where Observation == CheckpointIntervalObservation, Action == CheckpointIntervalAction {}

public struct CheckpointIntervalObservation: Codable, Sendable, Equatable {
  public var job: String
  public var team: String
  public var attempt: Int
  /// `fixed` or `young-daly`, as the scenario configures.
  public var mode: String
  /// The configured interval when `mode` is `fixed`.
  public var fixedIntervalSeconds: Double?
  /// δ: time to write one checkpoint.
  public var checkpointCostSeconds: Double
  /// R: time from (re)start to computing again.
  public var restartCostSeconds: Double
  /// Sum of the spot hazards of the job's distinct nodes (0 on on-demand nodes).
  public var failureRatePerSecond: Double
  public var remainingWorkSeconds: Double

  public init(
    job: String, team: String, attempt: Int, mode: String, fixedIntervalSeconds: Double?, checkpointCostSeconds: Double,
    restartCostSeconds: Double, failureRatePerSecond: Double, remainingWorkSeconds: Double
  ) {
    self.job = job
    self.team = team
    self.attempt = attempt
    self.mode = mode
    self.fixedIntervalSeconds = fixedIntervalSeconds
    self.checkpointCostSeconds = checkpointCostSeconds
    self.restartCostSeconds = restartCostSeconds
    self.failureRatePerSecond = failureRatePerSecond
    self.remainingWorkSeconds = remainingWorkSeconds
  }

  public func problem(with action: CheckpointIntervalAction) -> String? {
    guard let seconds = action.intervalSeconds else { return nil }
    return seconds.isFinite && seconds >= 0.000_001
      ? nil : "intervalSeconds must be a positive number of seconds (found \(seconds))"
  }
}

/// Compute seconds between checkpoints, or `null` for none (only the final save).
public struct CheckpointIntervalAction: Codable, Sendable, Equatable {
  public var intervalSeconds: Double?
  public init(intervalSeconds: Double?) { self.intervalSeconds = intervalSeconds }
}

/// The configured fixed interval, or Daly's (2006) higher-order optimum
/// τ = √(2δM)·[1 + ⅓√(δ/2M) + ⅑(δ/2M)] − δ for M = 1/λ (at least 1 s); no periodic
/// checkpoints when the nodes never fail.
public final class YoungDalyCheckpointInterval: CheckpointIntervalPolicy {
  public init() {}
  public func decide(_ observation: CheckpointIntervalObservation, at time: PolicyTime) -> CheckpointIntervalAction {
    if observation.mode == "fixed" {
      return CheckpointIntervalAction(intervalSeconds: observation.fixedIntervalSeconds)
    }
    guard observation.failureRatePerSecond > 0 else { return CheckpointIntervalAction(intervalSeconds: nil) }
    let tau = CheckpointMath.dalyInterval(
      checkpointCost: observation.checkpointCostSeconds, meanTimeBetweenFailures: 1 / observation.failureRatePerSecond)
    return CheckpointIntervalAction(intervalSeconds: max(1, tau))
  }
}
