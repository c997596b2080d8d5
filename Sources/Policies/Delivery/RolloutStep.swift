/// What a progressive rollout does next: Argo Rollouts' canary step progression
/// (rollout/canary.go) or Flagger's canary loop (pkg/controller/scheduler.go).
///
/// Asked by the delivery model whenever a canary would move: an Argo `setWeight` or
/// `pause` step completed, an Argo AnalysisRun finished, or a Flagger interval
/// elapsed (after that tick's metric checks). The model keeps the facts — the
/// weights reached, the failed checks Flagger counts — and carries out the action.
public protocol RolloutStepPolicy: DecisionPolicy
where Observation == RolloutStepObservation, Action == RolloutStepAction {}

public struct RolloutStepObservation: Codable, Sendable, Equatable {
  public var rollout: String
  public var service: String
  /// The controller running the rollout: `argo-rollouts` or `flagger`.
  public var controller: String
  /// Why the policy is asked: `step-completed` (an Argo `setWeight` took effect or a
  /// `pause` ended — for an indefinite pause, a person promoted), `analysis-completed`
  /// (an Argo AnalysisRun finished; `analysisPhase` says how), `flagger-tick`.
  public var trigger: String
  /// Index of the current step in `steps` (Flagger: the next step weight).
  public var stepIndex: Int
  public var steps: [Step]
  /// Share of traffic on the new version, 0–100.
  public var currentWeight: Int
  /// Phase of the analysis that triggered the question (Flagger: this tick's
  /// checks; `none` while the canary has no traffic): `none`, `running`,
  /// `successful`, `failed`, `inconclusive`, `error`.
  public var analysisPhase: String
  /// The analysis run that finished: `step` or `background` (Argo); `""` otherwise.
  public var analysisRun: String
  /// The analysis' messages (`metric: reason; …`), `""` if none.
  public var analysisMessage: String
  /// Seconds spent in the current step.
  public var stepElapsedSeconds: Double
  /// Flagger: failed checks so far for this revision, not counting this tick's.
  public var failedChecks: Int?
  /// Flagger: `analysis.threshold`.
  public var failureThreshold: Int?
  /// Flagger: `analysis.maxWeight`; `nil` with `iterations` (blue/green, A/B testing),
  /// whose iterations appear as `steps` and which promote after the last one.
  public var maxWeight: Int?

  /// One canary step (Argo Rollouts `setWeight` / `pause` / `analysis`; Flagger's
  /// step weights appear as `setWeight` steps).
  public struct Step: Codable, Sendable, Equatable {
    public var setWeight: Int?
    /// `nil` with `isPause` means an indefinite pause (manual promotion).
    public var pauseSeconds: Double?
    public var isPause: Bool
    /// The analysis' metric names, comma-separated, for an `analysis` step.
    public var analysis: String?
    public init(setWeight: Int? = nil, pauseSeconds: Double? = nil, isPause: Bool = false, analysis: String? = nil) {
      self.setWeight = setWeight
      self.pauseSeconds = pauseSeconds
      self.isPause = isPause
      self.analysis = analysis
    }
  }

  public init(
    rollout: String, service: String, controller: String = "argo-rollouts", trigger: String = "step-completed",
    stepIndex: Int, steps: [Step], currentWeight: Int, analysisPhase: String, analysisRun: String = "",
    analysisMessage: String = "", stepElapsedSeconds: Double, failedChecks: Int? = nil, failureThreshold: Int? = nil,
    maxWeight: Int? = nil
  ) {
    self.rollout = rollout
    self.service = service
    self.controller = controller
    self.trigger = trigger
    self.stepIndex = stepIndex
    self.steps = steps
    self.currentWeight = currentWeight
    self.analysisPhase = analysisPhase
    self.analysisRun = analysisRun
    self.analysisMessage = analysisMessage
    self.stepElapsedSeconds = stepElapsedSeconds
    self.failedChecks = failedChecks
    self.failureThreshold = failureThreshold
    self.maxWeight = maxWeight
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
    /// Go to the next step (or finish after the last). Flagger: add the next step
    /// weight.
    case advance
    /// Stay on this step; look again after `waitSeconds` (default 10 s; Flagger:
    /// at the next interval).
    case wait
    /// Abort: all traffic back to the stable version.
    case abort
    /// Skip the remaining steps (`kubectl argo rollouts promote --full`; Flagger:
    /// start promoting).
    case promoteFull = "promote-full"
  }
  public var action: Kind
  public var waitSeconds: Double?
  /// Recorded as the deployment's abort reason; `nil` keeps the model's own
  /// (the analysis' messages, Flagger's threshold).
  public var reason: String?
  public init(action: Kind, waitSeconds: Double? = nil, reason: String? = nil) {
    self.action = action
    self.waitSeconds = waitSeconds
    self.reason = reason
  }
}

/// Each rollout as its own controller would run it: `argo-rollouts` for Argo
/// canaries, `flagger` for Flagger canaries (the model's behaviour before this
/// point was consulted).
public final class ConfiguredRolloutStep: RolloutStepPolicy {
  let argo = ArgoRolloutsStep()
  let flagger = FlaggerStep()
  public init() {}
  public func decide(_ observation: RolloutStepObservation, at time: PolicyTime) -> RolloutStepAction {
    observation.controller == "flagger"
      ? flagger.decide(observation, at: time) : argo.decide(observation, at: time)
  }
}

/// Argo Rollouts canary semantics (rollout/canary.go, analysis/analysis.go): a
/// Failed or Error analysis aborts; Inconclusive pauses the rollout for a person,
/// who here aborts — the conservative choice; a running analysis holds the rollout;
/// a timed pause waits out its duration, an indefinite one waits for promotion
/// (`step-completed` on a pause means someone promoted); otherwise advance.
///
/// A background analysis that succeeds changes nothing. On a Flagger observation it aborts at the first failed check
/// (no `threshold`).
public final class ArgoRolloutsStep: RolloutStepPolicy {
  public init() {}
  public func decide(_ observation: RolloutStepObservation, at time: PolicyTime) -> RolloutStepAction {
    switch observation.analysisPhase {
    case "failed", "error", "inconclusive": return RolloutStepAction(action: .abort)
    case "running": return RolloutStepAction(action: .wait)
    default: break
    }
    if observation.analysisRun == "background" { return RolloutStepAction(action: .wait) }
    if observation.controller == "flagger", let maxWeight = observation.maxWeight,
      observation.currentWeight >= maxWeight
    {
      return RolloutStepAction(action: .promoteFull)
    }
    if observation.controller == "flagger", observation.maxWeight == nil,
      observation.stepIndex >= observation.steps.count
    {
      return RolloutStepAction(action: .promoteFull)
    }
    guard observation.steps.indices.contains(observation.stepIndex) else { return RolloutStepAction(action: .advance) }
    let step = observation.steps[observation.stepIndex]
    if step.isPause {
      guard let pause = step.pauseSeconds else {
        return RolloutStepAction(action: observation.trigger == "step-completed" ? .advance : .wait)
      }
      if observation.stepElapsedSeconds < pause {
        return RolloutStepAction(action: .wait, waitSeconds: pause - observation.stepElapsedSeconds)
      }
    }
    return RolloutStepAction(action: .advance)
  }
}

/// Flagger's canary loop, as fluxcd/flagger's `advanceCanary` runs it.
///
/// From pkg/controller/scheduler.go: roll back once `failedChecks ≥ threshold` (checked before the
/// tick's analysis counts); a failed check halts advancement; a passing tick adds the
/// step weight until `maxWeight`, then promotes; with `iterations` (no `maxWeight`) a passing
/// tick advances one iteration and the tick after the last one promotes (`runAB`, `runBlueGreen`). Argo observations are answered as
/// `argo-rollouts` would.
public final class FlaggerStep: RolloutStepPolicy {
  let argo = ArgoRolloutsStep()
  public init() {}
  public func decide(_ observation: RolloutStepObservation, at time: PolicyTime) -> RolloutStepAction {
    guard observation.controller == "flagger" else { return argo.decide(observation, at: time) }
    if let threshold = observation.failureThreshold, (observation.failedChecks ?? 0) >= threshold {
      return RolloutStepAction(action: .abort)
    }
    if observation.analysisPhase == "failed" { return RolloutStepAction(action: .wait) }
    if let maxWeight = observation.maxWeight, observation.currentWeight >= maxWeight {
      return RolloutStepAction(action: .promoteFull)
    }
    // Blue/green or A/B testing (`iterations`, no `maxWeight`): promote after the last iteration.
    if observation.maxWeight == nil, observation.stepIndex >= observation.steps.count {
      return RolloutStepAction(action: .promoteFull)
    }
    return RolloutStepAction(action: .advance)
  }
}
