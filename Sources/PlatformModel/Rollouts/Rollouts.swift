import SimKernel

/// Events of the rollouts.
public enum RolloutEvent: Sendable {
  /// Every pod of a big-bang deployment is ready: it serves all traffic.
  case rolloutFinished(DeploymentID)
  /// A stalled rollout exceeded its progress deadline.
  case progressDeadlineExceeded(DeploymentID)
  /// An Argo Rollouts canary moves on: the current step completed.
  case canaryStepCompleted(DeploymentID)
  /// A Flagger canary's analysis interval elapsed.
  case flaggerTick(DeploymentID)
  /// An AnalysisRun measures one metric (`run` 0: the step's run, 1: background).
  case analysisMeasurement(DeploymentID, run: UInt8, metric: Int32)
}

/// How a synced deployment reaches the service's traffic: big-bang (every pod
/// replaced, then all traffic on the new version), or a canary — Argo Rollouts
/// (`ArgoCanary`, `BlueGreen`, with `Analysis` runs) or Flagger (`Flagger`).
///
/// A big-bang rollout whose pods crash on start never completes: the old ReplicaSet
/// keeps serving until `progressDeadlineSeconds` marks it stalled. Argo Rollouts skips
/// the steps on the initial deploy (no stable ReplicaSet yet) and when moving back to a
/// known version (a rollback). This component keeps each service's canary in progress;
/// every change to one goes through ``Delivery/setCanary(_:of:)``, which tells serving
/// what it sees of it.
struct Rollouts {
  /// Progress deadlines run after the traffic interval of the same instant, whose
  /// reconcile may find the ReplicaSets converged just then.
  static let progressDeadlinePriority: UInt8 = 2

  /// The canary in progress per service.
  private(set) var canaries: IDArray<ServiceID, CanaryState?>
  /// The last analysis spec run for each service and its templated queries: rollouts
  /// run the same few specs again and again.
  private(set) var analysisQueries: IDArray<ServiceID, (spec: AnalysisSpec, queries: [String])?>

  init(serviceCount: Int) {
    canaries = IDArray(repeating: nil, count: serviceCount)
    analysisQueries = IDArray(repeating: nil, count: serviceCount)
  }

  /// Only ``Delivery/setCanary(_:of:)`` writes a canary, so serving hears of it.
  fileprivate mutating func setCanary(_ canary: CanaryState?, of service: ServiceID) { canaries[service] = canary }

  mutating func rememberQueries(_ queries: [String], of spec: AnalysisSpec, for service: ServiceID) {
    analysisQueries[service] = (spec, queries)
  }
}

/// Rollouts across components: from a synced deployment to live, stalled or aborted.
extension Delivery {
  mutating func handle(_ event: RolloutEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .rolloutFinished(let deployment): goLive(deployment, scheduler: &scheduler)
    case .progressDeadlineExceeded(let deployment): progressDeadlineExceeded(deployment, scheduler: &scheduler)
    case .canaryStepCompleted(let deployment): canaryStepCompleted(deployment, scheduler: &scheduler)
    case .flaggerTick(let deployment): flaggerTick(deployment, scheduler: &scheduler)
    case .analysisMeasurement(let deployment, let run, let metric):
      measure(deployment, run: Int(run), metric: Int(metric), scheduler: &scheduler)
    }
  }

  /// Every change to a service's canary goes through here: serving hears of the
  /// changes it sees (which deployment, the weight, whether a step waits for replica
  /// counts), in the order they happen.
  mutating func setCanary(_ canary: CanaryState?, of service: ServiceID) {
    let before = rollouts.canaries[service]
    rollouts.setCanary(canary, of: service)
    if before?.deployment == canary?.deployment && before?.weight == canary?.weight
      && before?.awaitingReplicaCounts == canary?.awaitingReplicaCounts && before?.shadowShare == canary?.shadowShare
    {
      return
    }
    tellServing(
      .canary(
        service,
        canary.map {
          CanaryTraffic(
            deployment: $0.deployment, weight: $0.weight, awaitingReplicaCounts: $0.awaitingReplicaCounts,
            code: servedCode(argoCD.deployments[$0.deployment].codeDefects), shadowShare: $0.shadowShare)
        }))
  }

  /// Whether `deployment`'s code crashes on start.
  func crashes(_ deployment: DeploymentID) -> Bool {
    argoCD.deployments[deployment].codeDefects.contains { commits.changes[$0].defect?.kind == .crashOnStart }
  }

  /// Argo CD synced `deployment`: its rollout begins.
  mutating func beginRollout(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let record = argoCD.deployments[deployment]
    let service = record.service
    let duration = argoCD.drawRolloutDuration(of: service)
    let crashes = crashes(deployment)
    let isUpdate = argoCD.applications[service].live != nil && record.kind != .rollback
    if case .argoCanary(let canary) = configuration[service: service].rollout, isUpdate {
      startCanary(deployment, canary: canary, scheduler: &scheduler)
      return
    }
    if case .flagger(let flagger) = configuration[service: service].rollout, isUpdate {
      startFlagger(deployment, flagger: flagger, crashes: crashes, scheduler: &scheduler)
      return
    }
    // Big-bang: new pods that never pass readiness leave the old ReplicaSet serving.
    let event: RolloutEvent = crashes ? .progressDeadlineExceeded(deployment) : .rolloutFinished(deployment)
    let after = crashes ? configuration.onCall.progressDeadline : duration
    argoCD.setRolloutEvents([scheduler.schedule(.delivery(.rollouts(event)), after: after)], of: service)
  }

  /// `deployment` serves all traffic: its changes (and the model versions they promote)
  /// are in production, incidents it resolves close, and its new defects open one.
  mutating func goLive(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let record = argoCD.deployments[deployment]
    let service = record.service
    for change in record.changes {
      commits.deployed(change, at: scheduler.now)
      if let version = commits.changes[change].promotes {
        registry.deployed(ModelVersionID(Int32(version)), at: scheduler.now)
      }
    }
    // The promoted canary's pods are the stable ones now; any other rollout replaced
    // the pods of a canary still winding down.
    if rollouts.canaries[service]?.deployment == deployment {
      tellServing(.promoteCanary(service))
    } else {
      tellServing(.abortCanary(service))
    }
    let previousDefects = argoCD.applications[service].liveDefects
    argoCD.wentLive(deployment, at: scheduler.now)
    let liveDefects = record.codeDefects
    tellServing(.live(service, servedCode(liveDefects)))
    setCanary(nil, of: service)
    resolveIncidents(of: service, at: scheduler.now)
    // A deployment that brings defects into production failed (DORA), whether or not
    // its canary already opened their incident: they will need a rollback or a fix.
    let introduced = liveDefects.filter { !previousDefects.contains($0) }
    if !introduced.isEmpty { argoCD.neededRemediation(deployment) }
    let alreadyOpen = incidents.open[service].flatMap { incidents.records[$0].rootCauses }
    let unopened = introduced.filter { !alreadyOpen.contains($0) }
    if !unopened.isEmpty {
      openIncident(
        service: service, cause: deployment, rootCauses: unopened, openedAt: scheduler.now, scheduler: &scheduler)
    }
    startSyncIfReady(service, scheduler: &scheduler)
  }

  /// The rollout made no progress for `progressDeadlineSeconds`.
  ///
  /// A canary waiting for pods that
  /// are merely slow or unplaceable stays degraded and keeps waiting unless the Rollout
  /// sets `progressDeadlineAbort` (Argo's default is to wait; policy-semantics.md §1);
  /// pods that crash on start, and other rollouts, stall.
  mutating func progressDeadlineExceeded(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let service = argoCD.deployments[deployment].service
    if var canary = rollouts.canaries[service], canary.deployment == deployment, canary.awaitingReplicaCounts {
      canary.stepEvent = nil
      setCanary(canary, of: service)
      guard canary.strategy.progressDeadlineAbort else {
        argoCD.degraded(deployment)
        return
      }
    }
    stalled(deployment, scheduler: &scheduler)
  }

  /// The rollout stalled: pods that crash on start open an incident detected now;
  /// the next deployment (rollback or fix) replaces the version.
  mutating func stalled(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    // A deadline armed for a rollout that has since ended changes nothing.
    guard argoCD.deployments[deployment].status == .inProgress else { return }
    argoCD.stalled(deployment)
    let record = argoCD.deployments[deployment]
    let crashing = record.codeDefects.filter { commits.changes[$0].defect?.kind == .crashOnStart }
    let service = record.service
    let alreadyOpen = incidents.open[service].contains { incidents.records[$0].rootCauses == crashing }
    // A canary stalled by pods that never got a node failed no request: no incident.
    if !alreadyOpen && !crashing.isEmpty {
      openIncident(
        service: service, cause: deployment, rootCauses: crashing, openedAt: record.startedAt, scheduler: &scheduler,
        detectedNow: true)
    }
    cancelRuns(of: service, scheduler: &scheduler)
    // Argo keeps a stalled canary's pods; the model winds them down as after an abort,
    // since the next deployment (rollback or fix) replaces the version anyway.
    tellServing(.abortCanary(service))
    setCanary(nil, of: service)
    argoCD.endRollout(of: service, keepingEvents: true)
    startSyncIfReady(service, scheduler: &scheduler)
  }
}
