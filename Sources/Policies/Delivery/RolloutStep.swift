/// What a progressive rollout does at its current step.
///
/// Defined for the rollout component (canary steps) to adopt; not yet consulted.
public protocol RolloutStepPolicy: DecisionPolicy
where Observation == RolloutStepObservation, Action == RolloutStepAction {}

public struct RolloutStepObservation: Codable, Sendable, Equatable {
  public var rollout: String
  public var service: String
  /// Index of the current step in `steps`.
  public var stepIndex: Int
  public var steps: [Step]
  /// Share of traffic on the new version, 0–100.
  public var currentWeight: Int
  /// Phase of the analysis running in the background: `none`, `running`,
  /// `successful`, `failed`, `inconclusive`.
  public var analysisPhase: String
  /// Seconds spent in the current step.
  public var stepElapsedSeconds: Double

  /// One canary step (Argo Rollouts `setWeight` / `pause` / `analysis`).
  public struct Step: Codable, Sendable, Equatable {
    public var setWeight: Int?
    /// `nil` with `isPause` means an indefinite pause (manual promotion).
    public var pauseSeconds: Double?
    public var isPause: Bool
    public var analysis: String?
    public init(setWeight: Int? = nil, pauseSeconds: Double? = nil, isPause: Bool = false, analysis: String? = nil) {
      self.setWeight = setWeight
      self.pauseSeconds = pauseSeconds
      self.isPause = isPause
      self.analysis = analysis
    }
  }

  public init(
    rollout: String, service: String, stepIndex: Int, steps: [Step], currentWeight: Int, analysisPhase: String,
    stepElapsedSeconds: Double
  ) {
    self.rollout = rollout
    self.service = service
    self.stepIndex = stepIndex
    self.steps = steps
    self.currentWeight = currentWeight
    self.analysisPhase = analysisPhase
    self.stepElapsedSeconds = stepElapsedSeconds
  }

  public func problem(with action: RolloutStepAction) -> String? {
    if action.action == .wait, let seconds = action.waitSeconds, !(seconds > 0) {
      return "waitSeconds must be positive"
    }
    return nil
  }
}

public struct RolloutStepAction: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable {
    /// Go to the next step (or finish after the last).
    case advance
    /// Stay on this step; look again after `waitSeconds` (or at the next event).
    case wait
    /// Abort: all traffic back to the stable version.
    case abort
    /// Skip the remaining steps (`kubectl argo rollouts promote --full`).
    case promoteFull = "promote-full"
  }
  public var action: Kind
  public var waitSeconds: Double?
  public init(action: Kind, waitSeconds: Double? = nil) {
    self.action = action
    self.waitSeconds = waitSeconds
  }
}

/// Argo Rollouts canary semantics: a failed analysis aborts; a running or
/// inconclusive one holds the rollout (inconclusive pauses it); a timed pause
/// waits out its duration, an indefinite one waits for promotion; otherwise advance.
public final class ArgoRolloutsStep: RolloutStepPolicy {
  public init() {}
  public func decide(_ observation: RolloutStepObservation, at time: PolicyTime) -> RolloutStepAction {
    switch observation.analysisPhase {
    case "failed": return RolloutStepAction(action: .abort)
    case "running", "inconclusive": return RolloutStepAction(action: .wait)
    default: break
    }
    guard observation.steps.indices.contains(observation.stepIndex) else { return RolloutStepAction(action: .advance) }
    let step = observation.steps[observation.stepIndex]
    if step.isPause {
      guard let pause = step.pauseSeconds else { return RolloutStepAction(action: .wait) }
      if observation.stepElapsedSeconds < pause {
        return RolloutStepAction(action: .wait, waitSeconds: pause - observation.stepElapsedSeconds)
      }
    }
    return RolloutStepAction(action: .advance)
  }
}
