/// The phase of one canary-analysis metric after a measurement.
///
/// Consulted after every measurement of an Argo Rollouts AnalysisRun metric, with
/// the metric's counters (Argo's `MetricResult`) and limits.
public protocol AnalysisVerdictPolicy: DecisionPolicy
where Observation == AnalysisVerdictObservation, Action == AnalysisVerdictAction {}

public struct AnalysisVerdictObservation: Codable, Sendable, Equatable {
  /// The service whose canary is analysed.
  public var service: String
  public var metric: String
  /// `step` (an analysis step of the canary) or `background`.
  public var run: String
  /// The latest measurement: `successful`, `failed`, `inconclusive` or `error`.
  public var lastMeasurement: String
  /// Measurements that were not errors.
  public var count: Int
  public var successful: Int
  public var failed: Int
  public var inconclusive: Int
  public var errors: Int
  public var consecutiveErrors: Int
  /// `failureLimit` (−1: no limit), `inconclusiveLimit`, `consecutiveErrorLimit`.
  public var failureLimit: Int
  public var inconclusiveLimit: Int
  public var consecutiveErrorLimit: Int
  /// Measurements to take (`count`, or 1 without an `interval`); absent: until stopped.
  public var plannedCount: Int?

  public init(
    service: String, metric: String, run: String, lastMeasurement: String, count: Int, successful: Int, failed: Int,
    inconclusive: Int, errors: Int, consecutiveErrors: Int, failureLimit: Int = 0, inconclusiveLimit: Int = 0,
    consecutiveErrorLimit: Int = 4, plannedCount: Int?
  ) {
    self.service = service
    self.metric = metric
    self.run = run
    self.lastMeasurement = lastMeasurement
    self.count = count
    self.successful = successful
    self.failed = failed
    self.inconclusive = inconclusive
    self.errors = errors
    self.consecutiveErrors = consecutiveErrors
    self.failureLimit = failureLimit
    self.inconclusiveLimit = inconclusiveLimit
    self.consecutiveErrorLimit = consecutiveErrorLimit
    self.plannedCount = plannedCount
  }

  public func problem(with action: AnalysisVerdictAction) -> String? { nil }
}

public struct AnalysisVerdictAction: Codable, Sendable, Equatable {
  public enum Phase: String, Codable, Sendable {
    /// Keep measuring.
    case running
    case successful
    case failed
    case inconclusive
    /// Too many consecutive measurement errors.
    case error
  }
  public var phase: Phase
  public init(phase: Phase) { self.phase = phase }
}

/// Argo Rollouts' `assessMetricStatus` (analysis/analysis.go): limits checked in
/// order with later ones winning — failed when failures exceed `failureLimit` (unless
/// it is −1), inconclusive when inconclusive results exceed `inconclusiveLimit`, error
/// when consecutive errors exceed `consecutiveErrorLimit`; otherwise successful once
/// the planned count of (non-error) measurements is reached, else still running.
public final class ArgoAnalysisVerdict: AnalysisVerdictPolicy {
  public init() {}
  public func decide(_ observation: AnalysisVerdictObservation, at time: PolicyTime) -> AnalysisVerdictAction {
    var assessed: AnalysisVerdictAction.Phase?
    if observation.failureLimit >= 0 && observation.failed > observation.failureLimit { assessed = .failed }
    if observation.inconclusive > observation.inconclusiveLimit { assessed = .inconclusive }
    if observation.consecutiveErrors > observation.consecutiveErrorLimit { assessed = .error }
    if let assessed { return AnalysisVerdictAction(phase: assessed) }
    if let planned = observation.plannedCount, observation.count >= planned {
      return AnalysisVerdictAction(phase: .successful)
    }
    return AnalysisVerdictAction(phase: .running)
  }
}
