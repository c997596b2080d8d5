import Monitoring
import Policies
import SimKernel

/// A canary in progress for one service (Argo Rollouts `strategy.canary`).
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

/// A running AnalysisRun: one progress record and one pending measurement per metric.
struct AnalysisRunState {
  var spec: AnalysisSpec
  /// Each metric's query with the service's arguments filled in.
  var queries: [String]
  var progress: [MetricProgress]
  var pending: [EventHandle?]
}

/// Argo Rollouts canary semantics on the delivery model (rollout/canary.go,
/// analysis/analysis.go; policy-semantics.md §1): one step at a time; `setWeight`
/// completes once the canary pods are ready, then the canary receives that share of
/// traffic; `pause` waits its duration (an indefinite pause waits for a person to
/// promote, after the on-call response time); a step `analysis` blocks until its
/// AnalysisRun completes; a background `analysis` runs from `startingStep` to the end.
/// A Failed or Error run aborts: traffic returns to the stable version (weight 0),
/// the reason is recorded. Inconclusive pauses for a person, who here aborts — the
/// conservative choice. After the last step the canary is promoted to stable. An
/// aborted rollout is retried (with its good changes) after someone reviewed it: the
/// on-call response time.
///
/// Whether to move on is the `rolloutStep` decision point's: the model asks it when a
/// step completes and when an AnalysisRun ends, and carries out its action; the
/// default built-in answers as Argo does (above), so runs are unchanged.
extension Delivery {
  mutating func startCanary(_ deployment: DeploymentID, canary strategy: ArgoCanary, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    services[serviceIndex].canary = CanaryState(deployment: deployment, strategy: strategy)
    deployments[index(deployment)].maximumCanaryWeight = 0
    reconcileCanary(serviceIndex: serviceIndex, scheduler: &scheduler)
  }

  /// Runs the current step; called whenever a step completes.
  mutating func reconcileCanary(serviceIndex: Int, scheduler: inout Scheduler<WorldEvent>) {
    guard var canary = services[serviceIndex].canary else { return }
    let deployment = canary.deployment
    if let background = canary.strategy.backgroundAnalysis, canary.runs[1] == nil,
      canary.stepIndex >= canary.strategy.backgroundStartingStep
    {
      canary.runs[1] = startRun(background, deployment: deployment, run: 1, scheduler: &scheduler)
    }
    guard canary.stepIndex < canary.strategy.steps.count else {
      services[serviceIndex].canary = canary
      cancelRuns(serviceIndex: serviceIndex, scheduler: &scheduler)
      goLive(deployment, scheduler: &scheduler)
      return
    }
    canary.stepStartedAt = scheduler.now
    canary.stepAnalysisPhase = "none"
    canary.stepAnalysisMessage = ""
    // Argo sizes the ReplicaSets for the last setWeight at or before the current step
    // (`GetCurrentSetWeight`) as soon as the step begins.
    var sizedWeight = 0
    for step in canary.strategy.steps[...canary.stepIndex].reversed() {
      if case .setWeight(let weight) = step {
        sizedWeight = weight
        break
      }
    }
    sizeCanaryReplicas(
      serviceIndex: serviceIndex, deployment: deployment, strategy: canary.strategy, weight: sizedWeight,
      crashes: deployments[index(deployment)].codeDefects.contains { changes[index($0)].defect?.kind == .crashOnStart },
      at: scheduler.now)
    switch canary.strategy.steps[canary.stepIndex] {
    case .setWeight(let weight):
      let crashes = deployments[index(deployment)].codeDefects.contains { changes[index($0)].defect?.kind == .crashOnStart }
      if crashes {
        // Canary pods never pass readiness: the step never completes.
        canary.stepEvent = scheduler.schedule(
          .delivery(.progressDeadlineExceeded(deployment)), after: canary.strategy.progressDeadline)
      } else if canary.strategy.kind == .canary && servingStates[serviceIndex] != nil {
        // Argo completes the step once the ReplicaSets are at their counts, all pods
        // available (policy-semantics.md §1.1–1.2); the traffic ticks reconcile them
        // and report convergence (``canaryReplicasConverged``).
        // Pods that never become available (pending for want of nodes) stall it
        // after `progressDeadlineSeconds`, as crash-looping ones do.
        canary.awaitingReplicaCounts = true
        canary.stepEvent = scheduler.schedule(
          .delivery(.progressDeadlineExceeded(deployment)), after: canary.strategy.progressDeadline,
          priority: Self.progressDeadlinePriority)
      } else {
        let full = configuration.pipeline.rolloutDuration.sampleDuration(&services[serviceIndex].rolloutStream)
        let share = max(0.1, Double(abs(weight - canary.weight)) / 100)
        canary.stepEvent = scheduler.schedule(
          .delivery(.canaryStepCompleted(deployment)), after: SimDuration(seconds: full.seconds * share))
      }
    case .pause(let duration):
      let wait = duration ?? configuration.onCall.responseTime.sampleDuration(&onCallStream)
      canary.stepEvent = scheduler.schedule(.delivery(.canaryStepCompleted(deployment)), after: wait)
    case .scaleUpPreview:
      let crashes = deployments[index(deployment)].codeDefects.contains { changes[index($0)].defect?.kind == .crashOnStart }
      if crashes {
        canary.stepEvent = scheduler.schedule(
          .delivery(.progressDeadlineExceeded(deployment)), after: canary.strategy.progressDeadline)
      } else {
        let full = configuration.pipeline.rolloutDuration.sampleDuration(&services[serviceIndex].rolloutStream)
        canary.stepEvent = scheduler.schedule(.delivery(.canaryStepCompleted(deployment)), after: full)
      }
    case .switchActive:
      canary.stepEvent = scheduler.schedule(.delivery(.canaryStepCompleted(deployment)), after: .zero)
    case .analysis(let spec):
      canary.runs[0] = startRun(spec, deployment: deployment, run: 0, scheduler: &scheduler)
    }
    services[serviceIndex].canary = canary
  }

  /// A `setWeight` or `pause` step completed (or a policy's `wait` ended): the
  /// weight takes effect, then the `rolloutStep` policy says what comes next.
  mutating func canaryStepCompleted(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    guard var canary = services[serviceIndex].canary, canary.deployment == deployment,
      canary.stepIndex < canary.strategy.steps.count
    else { return }
    var newWeight: Int?
    switch canary.strategy.steps[canary.stepIndex] {
    case .setWeight(let weight): newWeight = weight
    case .switchActive: newWeight = 100
    default: newWeight = nil
    }
    if let weight = newWeight {
      canary.weight = weight
      let position = index(deployment)
      deployments[position].maximumCanaryWeight = max(deployments[position].maximumCanaryWeight ?? 0, weight)
      services[serviceIndex].canary = canary
      if weight > 0 { openCanaryIncidentIfDefective(serviceIndex: serviceIndex, deployment: deployment, scheduler: &scheduler) }
    }
    canary.stepEvent = nil
    services[serviceIndex].canary = canary
    let action = askRolloutStep(serviceIndex: serviceIndex, trigger: "step-completed", run: "", at: scheduler.now)
    carryOut(action, serviceIndex: serviceIndex, abortReason: "rollout policy aborted", scheduler: &scheduler)
  }

  /// The `rolloutStep` observation of an Argo canary.
  func askRolloutStep(serviceIndex: Int, trigger: String, run: String, at now: SimTime) -> RolloutStepAction {
    guard let canary = services[serviceIndex].canary else { return RolloutStepAction(action: .wait) }
    let steps = canary.strategy.steps.map { step -> RolloutStepObservation.Step in
      switch step {
      case .setWeight(let weight): return RolloutStepObservation.Step(setWeight: weight)
      case .pause(let duration): return RolloutStepObservation.Step(pauseSeconds: duration?.seconds, isPause: true)
      // Blue-green, seen as weights: the preview scales up with no traffic, the
      // switch sends all of it to the new version.
      case .scaleUpPreview: return RolloutStepObservation.Step(setWeight: 0)
      case .switchActive: return RolloutStepObservation.Step(setWeight: 100)
      case .analysis(let spec):
        return RolloutStepObservation.Step(analysis: spec.metrics.map(\.name).joined(separator: ","))
      }
    }
    let observation = RolloutStepObservation(
      rollout: "deployment-\(canary.deployment.rawValue)", service: configuration.services[serviceIndex].name,
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
    _ action: RolloutStepAction, serviceIndex: Int, abortReason: String, scheduler: inout Scheduler<WorldEvent>
  ) {
    guard var canary = services[serviceIndex].canary else { return }
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
      services[serviceIndex].canary = canary
      reconcileCanary(serviceIndex: serviceIndex, scheduler: &scheduler)
    case .abort:
      abortCanary(serviceIndex: serviceIndex, reason: action.reason ?? abortReason, scheduler: &scheduler)
    case .wait:
      let wait = SimDuration(seconds: action.waitSeconds ?? 10)
      canary.stepEvent = scheduler.schedule(.delivery(.canaryStepCompleted(canary.deployment)), after: wait)
      services[serviceIndex].canary = canary
    }
  }

  /// The canary's defects start failing requests (ground truth): open an incident.
  mutating func openCanaryIncidentIfDefective(serviceIndex: Int, deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let live = services[serviceIndex].liveDefects
    let open = services[serviceIndex].openIncidents.flatMap { incidents[index($0)].rootCauses }
    let introduced = deployments[index(deployment)].codeDefects.filter { !live.contains($0) && !open.contains($0) }
    guard !introduced.isEmpty else { return }
    openIncident(
      service: deployments[index(deployment)].service, cause: deployment, rootCauses: introduced, openedAt: scheduler.now,
      scheduler: &scheduler)
  }

  // MARK: - Analysis runs

  mutating func startRun(_ spec: AnalysisSpec, deployment: DeploymentID, run: Int, scheduler: inout Scheduler<WorldEvent>)
    -> AnalysisRunState
  {
    // Templated once per service and spec: Foundation's `replacingOccurrences` at every
    // measurement was a visible share of large runs.
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    let queries: [String]
    if let memo = services[serviceIndex].analysisQueries, memo.spec == spec {
      queries = memo.queries
    } else {
      let service = configuration.services[serviceIndex].name
      queries = spec.metrics.map { spec.query($0, service: service) }
      services[serviceIndex].analysisQueries = (spec, queries)
    }
    var state = AnalysisRunState(
      spec: spec, queries: queries,
      progress: Array(repeating: MetricProgress(), count: spec.metrics.count),
      pending: Array(repeating: nil, count: spec.metrics.count))
    for (metricIndex, metric) in spec.metrics.enumerated() {
      state.pending[metricIndex] = scheduler.schedule(
        .delivery(.analysisMeasurement(deployment, run: UInt8(run), metric: Int32(metricIndex))), after: metric.initialDelay,
        priority: 2)
    }
    if spec.metrics.isEmpty {
      // A run with no metrics is Successful at once.
      scheduler.schedule(.delivery(.analysisMeasurement(deployment, run: UInt8(run), metric: -1)), after: .zero, priority: 2)
    }
    return state
  }

  /// Takes one measurement: an instant PromQL query at the current time on the
  /// simulated Prometheus (Argo's Prometheus provider), classified by the conditions.
  mutating func measure(_ deployment: DeploymentID, run: Int, metric metricIndex: Int, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    guard var canary = services[serviceIndex].canary, canary.deployment == deployment, var state = canary.runs[run] else {
      return
    }
    if metricIndex >= 0 {
      let metric = state.spec.metrics[metricIndex]
      let query = state.queries[metricIndex]
      let outcome: (AnalysisPhase, String)
      if let monitoring {
        do {
          let values = try monitoring.query(query, atMs: scheduler.now.microseconds / 1_000).asVector?.map(\.value) ?? []
          outcome = MetricProgress.classify(values, metric: metric)
        } catch {
          outcome = (.error, "query failed: \(error)")
        }
      } else {
        outcome = (.error, "no Prometheus: add spec.monitoring")
      }
      state.progress[metricIndex].count(outcome.0)
      let observation = state.progress[metricIndex].observation(
        metric: metric, last: outcome.0, service: configuration.services[serviceIndex].name,
        run: run == 0 ? "step" : "background")
      state.progress[metricIndex].phase = AnalysisPhase(
        policies.analysisVerdict.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds)).phase)
      state.progress[metricIndex].lastMessage = "\(metric.name): \(outcome.1)"
      if state.progress[metricIndex].phase == .running {
        // After an Error Argo retries in 10 s; otherwise at the next interval.
        let next = outcome.0 == .error ? SimDuration.seconds(10) : (metric.interval ?? .seconds(10))
        state.pending[metricIndex] = scheduler.schedule(
          .delivery(.analysisMeasurement(deployment, run: UInt8(run), metric: Int32(metricIndex))), after: next, priority: 2)
      } else {
        state.pending[metricIndex] = nil
      }
    }
    // A run ends when a metric completes badly (it is then terminating) or all complete.
    let phases = state.progress.map(\.phase)
    let worst = phases.max() ?? .successful
    let terminal = phases.contains { $0 == .failed || $0 == .error || $0 == .inconclusive } || !phases.contains(.running)
    canary.runs[run] = terminal ? nil : state
    services[serviceIndex].canary = canary
    guard terminal else { return }
    for handle in state.pending.compactMap({ $0 }) { scheduler.cancel(handle) }
    let message = state.progress.map(\.lastMessage).filter { !$0.isEmpty }.joined(separator: "; ")
    let kind = run == 0 ? "step" : "background"
    let bad = worst == .failed || worst == .error || worst == .inconclusive
    // A background run that succeeds decides nothing; every other ending asks.
    guard run == 0 || bad else { return }
    var observed = canary
    observed.stepAnalysisPhase = bad ? worst.name.lowercased() : "successful"
    observed.stepAnalysisMessage = message
    services[serviceIndex].canary = observed
    let action = askRolloutStep(serviceIndex: serviceIndex, trigger: "analysis-completed", run: kind, at: scheduler.now)
    // Only the step's own run is remembered for a re-ask after `wait`.
    if run == 1 { services[serviceIndex].canary = canary }
    if run == 1 && action.action == .wait { return }  // the rollout carries on without its background run
    carryOut(
      action, serviceIndex: serviceIndex, abortReason: "\(kind) analysis \(worst.name): \(message)", scheduler: &scheduler)
  }

  mutating func cancelRuns(serviceIndex: Int, scheduler: inout Scheduler<WorldEvent>) {
    guard let canary = services[serviceIndex].canary else { return }
    for run in canary.runs.compactMap({ $0 }) {
      for handle in run.pending.compactMap({ $0 }) { scheduler.cancel(handle) }
    }
    if let step = canary.stepEvent { scheduler.cancel(step) }
  }

  /// Aborts the canary: traffic back to stable at once, the reason recorded, the
  /// defective changes reverted on main, and the good changes queued for the next
  /// rollout (Argo itself leaves Git alone; the team reverts).
  mutating func abortCanary(serviceIndex: Int, reason: String, scheduler: inout Scheduler<WorldEvent>) {
    guard let canary = services[serviceIndex].canary else { return }
    cancelRuns(serviceIndex: serviceIndex, scheduler: &scheduler)
    abortCanaryReplicas(serviceIndex: serviceIndex)
    let deployment = canary.deployment
    let position = index(deployment)
    deployments[position].status = .aborted
    deployments[position].rolledBack = true
    deployments[position].abortReason = reason
    deployments[position].finishedAt = scheduler.now
    services[serviceIndex].canary = nil
    services[serviceIndex].rollout = nil
    services[serviceIndex].rolloutEvents = []
    let live = services[serviceIndex].liveDefects
    let reverted = deployments[position].codeDefects.filter { !live.contains($0) }
    services[serviceIndex].mainDefects.removeAll { reverted.contains($0) }
    for incident in services[serviceIndex].openIncidents where incidents[index(incident)].cause == deployment {
      let incidentPosition = index(incident)
      if incidents[incidentPosition].detectedAt == nil {
        incidents[incidentPosition].detectedAt = scheduler.now
        incidents[incidentPosition].detection = .canaryAnalysis
      }
      incidents[incidentPosition].resolution = .canaryAbort
    }
    resolveIncidents(of: deployments[position].service, at: scheduler.now)
    let good = deployments[position].changes.filter { changes[index($0)].defect == nil }
    for change in good { changes[index(change)].deployment = nil }
    services[serviceIndex].pendingChanges = good + services[serviceIndex].pendingChanges
    // Someone looks at the aborted rollout before retrying it (Argo's `retry`), so a
    // canary that cannot be judged is not retried in a tight loop.
    if !services[serviceIndex].pendingChanges.isEmpty && !services[serviceIndex].refreshScheduled {
      services[serviceIndex].refreshScheduled = true
      let review = configuration.onCall.responseTime.sampleDuration(&onCallStream)
      scheduler.schedule(.delivery(.argoRefresh(deployments[position].service)), after: review)
    }
  }
}
