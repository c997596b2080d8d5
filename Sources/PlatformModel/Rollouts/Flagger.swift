import Monitoring
import Policies
import SimKernel

/// Flagger's canary loop on the delivery model (fluxcd/flagger
/// pkg/controller/scheduler.go `advanceCanary`; policy-semantics.md §2).
///
/// Each tick the model runs the metric checks (facts), then asks the `rolloutStep`
/// decision point whether to roll back, hold, advance or promote; the default
/// built-in answers as Flagger does, so runs are unchanged. Detecting the revision
/// and the two promotion ticks are mechanics and stay here.
extension Delivery {
  mutating func startFlagger(
    _ deployment: DeploymentID, flagger: FlaggerCanary, crashes: Bool, scheduler: inout Scheduler<WorldEvent>
  ) {
    let service = argoCD.deployments[deployment].service
    // The canary state carries the weight for traffic; Flagger's own counters live in it too.
    var canary = CanaryState(deployment: deployment, strategy: ArgoCanary(steps: [], backgroundAnalysis: nil))
    canary.flaggerFailedChecks = 0
    canary.stepStartedAt = scheduler.now
    canary.shadowShare = flagger.iterations?.shadowShare ?? 0
    setCanary(canary, of: service)
    argoCD.canaryReached(0, in: deployment)
    if crashes {
      // The canary never gets ready: Flagger rolls back after progressDeadlineSeconds.
      canary.stepEvent = scheduler.schedule(
        .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: configuration.onCall.progressDeadline)
      setCanary(canary, of: service)
      return
    }
    canary.stepEvent = scheduler.schedule(
      .delivery(.rollouts(.flaggerTick(deployment))), after: flagger.interval, priority: 2)
    setCanary(canary, of: service)
  }

  mutating func flaggerTick(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let service = argoCD.deployments[deployment].service
    guard var canary = rollouts.canaries[service], canary.deployment == deployment,
      case .flagger(let flagger) = configuration[service: service].rollout
    else { return }
    let failed = canary.flaggerFailedChecks ?? 0
    if !canary.flaggerInitialized {
      // The first tick detects the new revision and scales the canary from zero.
      canary.flaggerInitialized = true
      // Skipping the analysis: Flagger promotes on the next tick (Promoting, Finalising).
      if flagger.skipsAnalysis { canary.flaggerPromoting = 1 }
      canary.stepEvent = scheduler.schedule(
        .delivery(.rollouts(.flaggerTick(deployment))), after: flagger.interval, priority: 2)
      setCanary(canary, of: service)
      return
    }
    if canary.flaggerPromoting > 0 {
      canary.flaggerPromoting += 1
      setCanary(canary, of: service)
      if canary.flaggerPromoting > 2 {
        goLive(deployment, scheduler: &scheduler)
        return
      }
      canary.stepEvent = scheduler.schedule(
        .delivery(.rollouts(.flaggerTick(deployment))), after: flagger.interval, priority: 2)
      setCanary(canary, of: service)
      return
    }
    // Flagger checks the threshold before this tick's analysis (the observation's
    // `failedChecks` excludes this tick); the queries have no side effects, so
    // running them first changes nothing.
    var passed = true
    // Flagger skips the checks while no traffic reaches the canary, except while iterating
    // (`cd.Status.Iterations > 0`: blue/green checks its test traffic).
    if canary.weight > 0 || (flagger.iterations != nil && canary.flaggerStep > 0) {
      let configured = configuration[service: service]
      let profile = configured.metricProfile ?? monitoring?.configuration.metricProfile ?? .platformSim
      for check in flagger.checks {
        let query = flagger.query(check, service: configured.name, profile: profile)
        var value = Double.nan
        if let monitoring,
          let samples = try? monitoring.query(query, atMs: scheduler.now.microseconds / 1_000).asVector,
          let last = samples.last
        {
          value = last.value  // several elements: the last one wins, as in Flagger
        }
        // No data or NaN fails the check (Flagger's "no values found").
        if value.isNaN { argoCD.analysisCouldNotJudge(deployment) }
        if value.isNaN || (check.minimum.map { value < $0 } ?? false) || (check.maximum.map { value > $0 } ?? false) {
          passed = false
        }
      }
    }
    // Iterating: the iterations appear as steps of their weights, with no `maxWeight`
    // (the policy promotes after the last step).
    let steps = flagger.iterations?.weights ?? flagger.stepWeights
    let observation = RolloutStepObservation(
      rollout: "deployment-\(deployment.rawValue)", service: configuration[service: service].name,
      controller: "flagger", trigger: "flagger-tick", stepIndex: canary.flaggerStep,
      steps: steps.map { RolloutStepObservation.Step(setWeight: $0) }, currentWeight: canary.weight,
      analysisPhase: canary.weight > 0 ? (passed ? "successful" : "failed") : "none",
      stepElapsedSeconds: Double(scheduler.now.microseconds - canary.stepStartedAt.microseconds) / 1_000_000,
      failedChecks: failed, failureThreshold: flagger.threshold,
      maxWeight: flagger.iterations == nil ? flagger.maxWeight : nil)
    let action = policies.rolloutStep.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds))
    if action.action == .abort {
      abortCanary(
        of: service,
        reason: action.reason ?? "Flagger: \(failed) failed checks ≥ threshold \(flagger.threshold)",
        scheduler: &scheduler)
      return
    }
    // A failed check is counted whatever the policy does with it (a fact, as Flagger's
    // status.failedChecks).
    if !passed { canary.flaggerFailedChecks = failed + 1 }
    switch action.action {
    case .promoteFull:
      canary.flaggerPromoting = 1
    case .advance where flagger.iterations != nil:
      // One more iteration; past the last one (a policy that never promotes) nothing moves.
      let step = canary.flaggerStep
      if step < steps.count {
        canary.flaggerStep += 1
        if steps[step] != canary.weight {
          canary.weight = steps[step]
          canary.stepStartedAt = scheduler.now
          argoCD.canaryReached(canary.weight, in: deployment)
          setCanary(canary, of: service)
          openCanaryIncidentIfDefective(of: service, deployment: deployment, scheduler: &scheduler)
        }
      }
    case .advance:
      let step = canary.flaggerStep
      let increment =
        step < flagger.stepWeights.count
        ? flagger.stepWeights[step] - (step > 0 ? flagger.stepWeights[step - 1] : 0) : (flagger.stepWeights.last ?? 10)
      canary.weight = min(100, canary.weight + max(1, increment))
      canary.flaggerStep += 1
      canary.stepStartedAt = scheduler.now
      argoCD.canaryReached(canary.weight, in: deployment)
      setCanary(canary, of: service)
      openCanaryIncidentIfDefective(of: service, deployment: deployment, scheduler: &scheduler)
    case .wait, .abort:
      break
    }
    canary.stepEvent = scheduler.schedule(
      .delivery(.rollouts(.flaggerTick(deployment))), after: flagger.interval, priority: 2)
    setCanary(canary, of: service)
  }
}
