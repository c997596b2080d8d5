import Policies
import SimKernel

/// A canary in progress for one service (Argo Rollouts `strategy.canary`, a
/// blue-green expressed as steps, or Flagger's loop).
struct CanaryState {
  var deployment: DeploymentID
  var strategy: ArgoCanary
  var stepIndex = 0
  /// Share of requests the canary receives, 0…100.
  var weight = 0
  /// AnalysisRuns: index 0 the current step's, index 1 the background run.
  var runs: [AnalysisRunState?] = [nil, nil]
  var stepEvent: EventHandle?
  /// Flagger: failed checks so far (cumulative for the revision), `nil` for Argo.
  var flaggerFailedChecks: Int?
  /// Flagger: index into the step weights.
  var flaggerStep = 0
  /// Flagger: ticks spent promoting (Promoting, Finalising).
  var flaggerPromoting = 0
  /// Flagger: the first tick detected the revision and scaled the canary up.
  var flaggerInitialized = false
  /// Flagger blue/green: percent of requests copied to the canary while it has no live
  /// traffic (``FlaggerCanary/Iterations/shadowShare``).
  var shadowShare = 0
  /// When the current step started (`stepElapsedSeconds` of the `rolloutStep` policy).
  var stepStartedAt = SimTime(microseconds: 0)
  /// The current step's finished AnalysisRun (phase as the policy protocol names it,
  /// messages), kept so that a policy that waits sees it again when re-asked.
  var stepAnalysisPhase = "none"
  var stepAnalysisMessage = ""
  /// A `setWeight` step of a service with replicas waits for its ReplicaSets to reach
  /// their counts, all available (`AtDesiredReplicaCountsForCanary`).
  var awaitingReplicaCounts = false
}

/// Argo Rollouts canary semantics (rollout/canary.go, analysis/analysis.go;
/// policy-semantics.md §1): one step at a time.
///
/// `setWeight` completes once the canary pods are ready, then the canary receives
/// that share of traffic; `pause` waits its duration (an indefinite pause waits for a
/// person to promote, after the on-call response time); a step `analysis` blocks until
/// its AnalysisRun completes (`Analysis`); a background `analysis` runs from
/// `startingStep` to the end. A Failed or Error run aborts: traffic returns to the
/// stable version (weight 0), the reason is recorded. Inconclusive pauses for a person,
/// who here aborts — the conservative choice. After the last step the canary is
/// promoted to stable. An aborted rollout is retried (with its good changes) after
/// someone reviewed it: the on-call response time. Blue-green's steps are in `BlueGreen`.
///
/// For a service with replicas, the canary's ReplicaSets are sized by serving
/// (``ArgoBasicCanary``) from the last `setWeight` at or before the current step, and a
/// `setWeight` step waits until serving reports them converged.
///
/// Whether to move on is the `rolloutStep` decision point's: the model asks it when a
/// step completes and when an AnalysisRun ends, and carries out its action; the
/// default built-in answers as Argo does (above), so runs are unchanged.
extension Delivery {
  mutating func startCanary(
    _ deployment: DeploymentID, canary strategy: ArgoCanary, scheduler: inout Scheduler<WorldEvent>
  ) {
    let service = argoCD.deployments[deployment].service
    setCanary(CanaryState(deployment: deployment, strategy: strategy), of: service)
    argoCD.canaryReached(0, in: deployment)
    reconcileCanary(of: service, scheduler: &scheduler)
  }

  /// Runs the current step; called whenever a step completes.
  mutating func reconcileCanary(of service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    guard var canary = rollouts.canaries[service] else { return }
    let deployment = canary.deployment
    if let background = canary.strategy.backgroundAnalysis, canary.runs[1] == nil,
      canary.stepIndex >= canary.strategy.backgroundStartingStep
    {
      canary.runs[1] = startRun(background, deployment: deployment, run: 1, scheduler: &scheduler)
    }
    guard canary.stepIndex < canary.strategy.steps.count else {
      setCanary(canary, of: service)
      cancelRuns(of: service, scheduler: &scheduler)
      goLive(deployment, scheduler: &scheduler)
      return
    }
    canary.stepStartedAt = scheduler.now
    canary.stepAnalysisPhase = "none"
    canary.stepAnalysisMessage = ""
    // Argo sizes the ReplicaSets for the last setWeight at or before the current step
    // (`GetCurrentSetWeight`) as soon as the step begins.
    // A `setCanaryScale` after that setWeight sizes the canary instead, until one
    // with `matchTrafficWeight` (`UseSetCanaryScale`).
    var sizedWeight = 0
    var scale: ArgoCanary.CanaryScale?
    for index in (0...canary.stepIndex).reversed() {
      if scale == nil, let found = canary.strategy.scale(at: index) { scale = found }
      if case .setWeight(let weight) = canary.strategy.steps[index] {
        sizedWeight = weight
        break
      }
    }
    if let chosen = scale, chosen.matchTrafficWeight { scale = nil }
    let crashes = crashes(deployment)
    if canary.strategy.kind == .canary {
      var sizing = CanarySizing(
        deployment: deployment, weight: scale?.weight ?? sizedWeight, maxSurge: canary.strategy.maxSurge,
        maxUnavailable: canary.strategy.maxUnavailable, canaryNeverReady: crashes)
      if scale?.weight == nil { sizing.canaryReplicas = scale?.replicas }
      sizing.trafficRouting = canary.strategy.trafficRouting
      tellServing(.sizeCanary(service, sizing))
    }
    switch canary.strategy.steps[canary.stepIndex] {
    case .setRoute:
      canary.stepEvent = scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: .zero)
    case .setCanaryScale:
      if configuration[service: service].serving != nil && !crashes {
        canary.awaitingReplicaCounts = true
        canary.stepEvent = scheduler.schedule(
          .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: canary.strategy.progressDeadline,
          priority: Rollouts.progressDeadlinePriority)
      } else if crashes {
        canary.stepEvent = scheduler.schedule(
          .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: canary.strategy.progressDeadline)
      } else {
        canary.stepEvent = scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: .zero)
      }
    case .setWeight(let weight):
      if crashes {
        // Canary pods never pass readiness: the step never completes.
        canary.stepEvent = scheduler.schedule(
          .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: canary.strategy.progressDeadline)
      } else if canary.strategy.kind == .canary && configuration[service: service].serving != nil {
        // Argo completes the step once the ReplicaSets are at their counts, all pods
        // available (policy-semantics.md §1.1–1.2); serving reconciles them every
        // traffic interval and reports convergence. Pods that never become available
        // (pending for want of nodes) stall it after `progressDeadlineSeconds`, as
        // crash-looping ones do.
        canary.awaitingReplicaCounts = true
        canary.stepEvent = scheduler.schedule(
          .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: canary.strategy.progressDeadline,
          priority: Rollouts.progressDeadlinePriority)
      } else {
        let full = argoCD.drawRolloutDuration(of: service)
        let share = max(0.1, Double(abs(weight - canary.weight)) / 100)
        canary.stepEvent = scheduler.schedule(
          .delivery(.rollouts(.canaryStepCompleted(deployment))), after: SimDuration(seconds: full.seconds * share))
      }
    case .pause(let duration):
      let wait = duration ?? onCall.drawResponseTime()
      canary.stepEvent = scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: wait)
    case .scaleUpPreview:
      canary.stepEvent = scaleUpPreview(deployment, crashes: crashes, strategy: canary.strategy, scheduler: &scheduler)
    case .switchActive:
      canary.stepEvent = switchActive(deployment, scheduler: &scheduler)
    case .analysis(let spec):
      canary.runs[0] = startRun(spec, deployment: deployment, run: 0, scheduler: &scheduler)
    }
    setCanary(canary, of: service)
  }

  /// A `setWeight` or `pause` step completed (or a policy's `wait` ended): the
  /// weight takes effect, then the `rolloutStep` policy says what comes next.
  mutating func canaryStepCompleted(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let service = argoCD.deployments[deployment].service
    guard var canary = rollouts.canaries[service], canary.deployment == deployment,
      canary.stepIndex < canary.strategy.steps.count
    else { return }
    var newWeight: Int?
    switch canary.strategy.steps[canary.stepIndex] {
    case .setWeight(let weight): newWeight = weight
    case .switchActive: newWeight = blueGreenActiveWeight
    default: newWeight = nil
    }
    if let weight = newWeight {
      canary.weight = weight
      argoCD.canaryReached(weight, in: deployment)
      setCanary(canary, of: service)
      if weight > 0 { openCanaryIncidentIfDefective(of: service, deployment: deployment, scheduler: &scheduler) }
    }
    canary.stepEvent = nil
    setCanary(canary, of: service)
    let action = askRolloutStep(of: service, trigger: "step-completed", run: "", at: scheduler.now)
    carryOut(action, of: service, abortReason: "rollout policy aborted", scheduler: &scheduler)
  }

  /// Serving found the canary's ReplicaSets at their counts, all available: the
  /// `setWeight` step completes now.
  mutating func canaryReplicasConverged(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let service = argoCD.deployments[deployment].service
    guard var canary = rollouts.canaries[service] else { return }
    if canary.deployment == deployment { canary.awaitingReplicaCounts = false }
    if let deadline = canary.stepEvent { scheduler.cancel(deadline) }
    canary.stepEvent = scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: .zero)
    setCanary(canary, of: service)
  }

  /// The canary's ReplicaSets made progress without converging: the progress
  /// deadline restarts, as Argo's `progressDeadlineSeconds` counts time without progress.
  mutating func canaryReplicasProgressed(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let service = argoCD.deployments[deployment].service
    guard var canary = rollouts.canaries[service], canary.deployment == deployment else { return }
    if let deadline = canary.stepEvent { scheduler.cancel(deadline) }
    canary.stepEvent = scheduler.schedule(
      .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: canary.strategy.progressDeadline,
      priority: Rollouts.progressDeadlinePriority)
    setCanary(canary, of: service)
  }

  /// The `rolloutStep` observation of an Argo canary.
  func askRolloutStep(of service: ServiceID, trigger: String, run: String, at now: SimTime) -> RolloutStepAction {
    guard let canary = rollouts.canaries[service] else { return RolloutStepAction(action: .wait) }
    let steps = canary.strategy.steps.map { step -> RolloutStepObservation.Step in
      switch step {
      case .setWeight(let weight): return RolloutStepObservation.Step(setWeight: weight)
      case .pause(let duration): return RolloutStepObservation.Step(pauseSeconds: duration?.seconds, isPause: true)
      case .scaleUpPreview, .switchActive: return blueGreenObservation(of: step)
      case .setCanaryScale, .setRoute: return RolloutStepObservation.Step()
      case .analysis(let spec):
        return RolloutStepObservation.Step(analysis: spec.metrics.map(\.name).joined(separator: ","))
      }
    }
    let observation = RolloutStepObservation(
      rollout: "deployment-\(canary.deployment.rawValue)", service: configuration[service: service].name,
      controller: "argo-rollouts", trigger: trigger, stepIndex: canary.stepIndex, steps: steps,
      currentWeight: canary.weight, analysisPhase: canary.stepAnalysisPhase, analysisRun: run,
      analysisMessage: canary.stepAnalysisMessage,
      stepElapsedSeconds: Double(now.microseconds - canary.stepStartedAt.microseconds) / 1_000_000)
    return policies.rolloutStep.decide(observation, at: PolicyTime(microseconds: now.microseconds))
  }

  /// Carries out a `rolloutStep` action on an Argo canary: `advance` runs the next
  /// step, `promote-full` skips to promotion, `abort` aborts (with the policy's
  /// reason or `abortReason`), `wait` asks again after `waitSeconds` (10 s, Argo's
  /// requeue, if none).
  mutating func carryOut(
    _ action: RolloutStepAction, of service: ServiceID, abortReason: String, scheduler: inout Scheduler<WorldEvent>
  ) {
    guard var canary = rollouts.canaries[service] else { return }
    if action.action != .abort {
      // A policy may move on while the step still runs (say, on a background run's
      // ending): the step's pending completion and its run no longer apply.
      if let step = canary.stepEvent { scheduler.cancel(step) }
      canary.stepEvent = nil
      if action.action != .wait, let stepRun = canary.runs[0] {
        for handle in stepRun.pending.compactMap({ $0 }) { scheduler.cancel(handle) }
        canary.runs[0] = nil
      }
    }
    switch action.action {
    case .advance, .promoteFull:
      canary.stepIndex = action.action == .advance ? canary.stepIndex + 1 : canary.strategy.steps.count
      canary.stepEvent = nil
      setCanary(canary, of: service)
      reconcileCanary(of: service, scheduler: &scheduler)
    case .abort:
      abortCanary(of: service, reason: action.reason ?? abortReason, scheduler: &scheduler)
    case .wait:
      let wait = SimDuration(seconds: action.waitSeconds ?? 10)
      canary.stepEvent = scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(canary.deployment))), after: wait)
      setCanary(canary, of: service)
    }
  }

  /// The canary's defects start failing requests (ground truth): open an incident.
  mutating func openCanaryIncidentIfDefective(
    of service: ServiceID, deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>
  ) {
    let live = argoCD.applications[service].liveDefects
    let open = incidents.open[service].flatMap { incidents.records[$0].rootCauses }
    let introduced = argoCD.deployments[deployment].codeDefects.filter { !live.contains($0) && !open.contains($0) }
    guard !introduced.isEmpty else { return }
    openIncident(
      service: argoCD.deployments[deployment].service, cause: deployment, rootCauses: introduced,
      openedAt: scheduler.now, scheduler: &scheduler)
  }

  /// Aborts the canary: traffic back to stable at once, the reason recorded, the
  /// defective changes reverted on main, and the good changes queued for the next
  /// rollout (Argo itself leaves Git alone; the team reverts).
  mutating func abortCanary(of service: ServiceID, reason: String, scheduler: inout Scheduler<WorldEvent>) {
    guard let canary = rollouts.canaries[service] else { return }
    cancelRuns(of: service, scheduler: &scheduler)
    tellServing(.abortCanary(service))
    let deployment = canary.deployment
    argoCD.aborted(deployment, reason: reason, at: scheduler.now)
    setCanary(nil, of: service)
    argoCD.endRollout(of: service)
    let record = argoCD.deployments[deployment]
    let live = argoCD.applications[service].liveDefects
    argoCD.revert(record.codeDefects.filter { !live.contains($0) }, of: service)
    for incident in incidents.open[service] where incidents.records[incident].cause == deployment {
      incidents.detected(incident, at: scheduler.now, by: .canaryAnalysis)
      incidents.setResolution(.canaryAbort, of: incident)
    }
    resolveIncidents(of: record.service, at: scheduler.now)
    let good = record.changes.filter { commits.changes[$0].defect == nil }
    for change in good { commits.assign(change, to: nil) }
    argoCD.requeue(good, of: service)
    // Someone looks at the aborted rollout before retrying it (Argo's `retry`), so a
    // canary that cannot be judged is not retried in a tight loop.
    if !argoCD.applications[service].pendingChanges.isEmpty && argoCD.claimRefresh(service) {
      let review = onCall.drawResponseTime()
      scheduler.schedule(.delivery(.argoCD(.refresh(record.service))), after: review)
    }
  }
}
