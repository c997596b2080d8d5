/// The verdict of a canary analysis metric from its measurements so far.
///
/// Defined for the canary-analysis component to adopt; not yet consulted.
public protocol AnalysisVerdictPolicy: DecisionPolicy
where Observation == AnalysisVerdictObservation, Action == AnalysisVerdictAction {}

public struct AnalysisVerdictObservation: Codable, Sendable, Equatable {
  public var analysis: String
  public var metric: String
  public var measurements: [Measurement]
  /// Measurements planned (`count`); `nil` runs until stopped.
  public var count: Int?
  public var failureLimit: Int
  public var inconclusiveLimit: Int
  public var consecutiveErrorLimit: Int

  /// One measurement: its value and how the success/failure conditions judged it.
  public struct Measurement: Codable, Sendable, Equatable {
    public var value: Double?
    /// `successful`, `failed`, `inconclusive` or `error`.
    public var phase: String
    public init(value: Double?, phase: String) {
      self.value = value
      self.phase = phase
    }
  }

  public init(
    analysis: String, metric: String, measurements: [Measurement], count: Int?, failureLimit: Int = 0,
    inconclusiveLimit: Int = 0, consecutiveErrorLimit: Int = 4
  ) {
    self.analysis = analysis
    self.metric = metric
    self.measurements = measurements
    self.count = count
    self.failureLimit = failureLimit
    self.inconclusiveLimit = inconclusiveLimit
    self.consecutiveErrorLimit = consecutiveErrorLimit
  }

  public func problem(with action: AnalysisVerdictAction) -> String? { nil }
}

public struct AnalysisVerdictAction: Codable, Sendable, Equatable {
  public enum Phase: String, Codable, Sendable {
    case running
    case successful
    case failed
    case inconclusive
  }
  public var phase: Phase
  public init(phase: Phase) { self.phase = phase }
}

/// Argo Rollouts AnalysisRun: failed when failures exceed `failureLimit` or
/// consecutive errors exceed `consecutiveErrorLimit`; inconclusive when
/// inconclusive results exceed `inconclusiveLimit`; successful once `count`
/// measurements are taken; running before that.
public final class ArgoAnalysisVerdict: AnalysisVerdictPolicy {
  public init() {}
  public func decide(_ observation: AnalysisVerdictObservation, at time: PolicyTime) -> AnalysisVerdictAction {
    var failures = 0
    var inconclusive = 0
    var consecutiveErrors = 0
    for measurement in observation.measurements {
      switch measurement.phase {
      case "failed": failures += 1
      case "inconclusive": inconclusive += 1
      default: break
      }
      consecutiveErrors = measurement.phase == "error" ? consecutiveErrors + 1 : 0
    }
    if failures > observation.failureLimit || consecutiveErrors > observation.consecutiveErrorLimit {
      return AnalysisVerdictAction(phase: .failed)
    }
    if inconclusive > observation.inconclusiveLimit { return AnalysisVerdictAction(phase: .inconclusive) }
    if let count = observation.count, observation.measurements.count >= count {
      return AnalysisVerdictAction(phase: .successful)
    }
    return AnalysisVerdictAction(phase: .running)
  }
}
