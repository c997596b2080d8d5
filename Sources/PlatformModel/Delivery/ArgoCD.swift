import SimKernel

/// Events of Argo CD.
public enum ArgoCDEvent: Sendable {
  /// Argo CD looks at a service's repository (a webhook delivery or a poll).
  case refresh(ServiceID)
  /// Argo CD finished applying a deployment's manifests (the sync).
  case syncFinished(DeploymentID)
}

/// Argo CD: one application per service, comparing what main holds with what is live,
/// and syncing — a deployment — when they differ.
///
/// Argo CD notices a new commit on a webhook, after a small delivery delay, or at the
/// next tick of the application's poll timer (`timeout.reconciliation` 120 s + up to
/// `timeout.reconciliation.jitter` 60 s, policy-semantics.md §9), each application's
/// timer starting at a random phase (`delivery/argocd/<service>`). A refresh that
/// finds changes syncs them all in one deployment, unless a rollout is still in
/// progress: changes that become ready meanwhile are batched into the next one. Sync
/// and rollout durations draw from `delivery/rollout/<service>`. The deployments are
/// the Four Keys `deployments` table.
struct ArgoCD {
  /// One service's application.
  struct Application {
    /// Changes on main not yet deployed (the application is OutOfSync).
    var pendingChanges: [ChangeID] = []
    /// Defective changes on main: in every image built from now on until reverted or fixed.
    var mainDefects: [ChangeID] = []
    /// The deployment serving all traffic, and the defects it runs.
    var live: DeploymentID?
    var liveDefects: [ChangeID] = []
    /// The deployment syncing or rolling out, and its pending events.
    var rollout: DeploymentID?
    var rolloutEvents: [EventHandle] = []
    var nextPollAt: SimTime = .zero
    var refreshScheduled = false
    var argoStream: RandomStream
    var rolloutStream: RandomStream
  }

  let pipeline: PipelineConfiguration
  private(set) var applications: IDArray<ServiceID, Application>
  private(set) var deployments = IDArray<DeploymentID, DeploymentRecord>()

  init(configuration: DeliveryConfiguration, seed: RandomSeed) {
    pipeline = configuration.pipeline
    applications = IDArray(
      configuration.services.map {
        Application(
          argoStream: seed.stream("delivery/argocd/\($0.name)"),
          rolloutStream: seed.stream("delivery/rollout/\($0.name)"))
      })
    if case .polling(let interval, let jitter) = configuration.pipeline.trigger {
      // Each application's poll timer starts at a random phase, as controllers do.
      for service in applications.indices {
        let phase = applications[service].argoStream.nextUnit() * (interval + jitter).seconds
        applications[service].nextPollAt = .zero + SimDuration(seconds: phase)
      }
    }
  }

  /// A change's image is ready: the change is on main, waiting to be deployed; a
  /// defective one adds its defect to main, a fix removes its incident's root causes.
  mutating func queue(_ change: ChangeRecord, fixing rootCauses: [ChangeID]?) {
    applications[change.service].pendingChanges.append(change.id)
    if change.defect != nil { applications[change.service].mainDefects.append(change.id) }
    if let rootCauses { applications[change.service].mainDefects.removeAll { rootCauses.contains($0) } }
  }

  /// Changes to deploy again after an aborted rollout, ahead of those that came since.
  mutating func requeue(_ changes: [ChangeID], of service: ServiceID) {
    applications[service].pendingChanges = changes + applications[service].pendingChanges
  }

  /// The team reverts `changes` on main.
  mutating func revert(_ changes: [ChangeID], of service: ServiceID) {
    applications[service].mainDefects.removeAll { changes.contains($0) }
  }

  /// Claims the service's one pending refresh; `false` when one is already scheduled.
  mutating func claimRefresh(_ service: ServiceID) -> Bool {
    guard !applications[service].refreshScheduled else { return false }
    applications[service].refreshScheduled = true
    return true
  }

  mutating func refreshed(_ service: ServiceID) { applications[service].refreshScheduled = false }

  /// When Argo CD next looks at the service, from `now`: after the webhook's delay, or
  /// at the next tick of the poll timer (advanced lazily, drawing the same jitter
  /// sequence as a timer that had ticked all along).
  mutating func nextRefresh(of service: ServiceID, now: SimTime) -> SimTime {
    switch pipeline.trigger {
    case .webhook(let delay):
      return now + delay.sampleDuration(&applications[service].argoStream)
    case .polling(let interval, let jitter):
      while applications[service].nextPollAt <= now {
        let spread = SimDuration(seconds: applications[service].argoStream.nextUnit() * jitter.seconds)
        applications[service].nextPollAt = applications[service].nextPollAt + interval + spread
      }
      return applications[service].nextPollAt
    }
  }

  /// Everything pending, which the next deployment carries.
  mutating func takePendingChanges(of service: ServiceID) -> [ChangeID] {
    defer { applications[service].pendingChanges = [] }
    return applications[service].pendingChanges
  }

  mutating func drawRolloutDuration(of service: ServiceID) -> SimDuration {
    pipeline.rolloutDuration.sampleDuration(&applications[service].rolloutStream)
  }

  /// Starts a deployment of `service` now: a rollout still in progress is superseded
  /// (its events cancelled), and the sync's end is scheduled.
  mutating func startDeployment(
    of service: ServiceID, kind: DeploymentKind, changes: [ChangeID], codeDefects: [ChangeID],
    scheduler: inout Scheduler<WorldEvent>
  ) -> DeploymentID {
    if let current = applications[service].rollout {
      for handle in applications[service].rolloutEvents { scheduler.cancel(handle) }
      if deployments[current].status == .inProgress { deployments[current].status = .superseded }
    }
    let id = deployments.append(
      DeploymentRecord(
        id: deployments.nextID, service: service, kind: kind, changes: changes, startedAt: scheduler.now,
        codeDefects: codeDefects))
    applications[service].rollout = id
    let sync = pipeline.syncDuration.sampleDuration(&applications[service].rolloutStream)
    applications[service].rolloutEvents = [scheduler.schedule(.delivery(.argoCD(.syncFinished(id))), after: sync)]
    return id
  }

  /// The deployment rolling out now waits for `events`.
  mutating func setRolloutEvents(_ events: [EventHandle], of service: ServiceID) {
    applications[service].rolloutEvents = events
  }

  /// The rollout in progress ended without going live (aborted, or stalled and
  /// `keepingEvents`).
  mutating func endRollout(of service: ServiceID, keepingEvents: Bool = false) {
    applications[service].rollout = nil
    if !keepingEvents { applications[service].rolloutEvents = [] }
  }

  /// `deployment` serves all traffic now.
  mutating func wentLive(_ deployment: DeploymentID, at time: SimTime) {
    let service = deployments[deployment].service
    deployments[deployment].status = .succeeded
    deployments[deployment].finishedAt = time
    applications[service].live = deployment
    applications[service].liveDefects = deployments[deployment].codeDefects
    applications[service].rollout = nil
    applications[service].rolloutEvents = []
  }

  // MARK: - Deployment outcomes

  mutating func stalled(_ deployment: DeploymentID) {
    deployments[deployment].status = .stalled
    deployments[deployment].neededRemediation = true
  }

  mutating func aborted(_ deployment: DeploymentID, reason: String, at time: SimTime) {
    deployments[deployment].status = .aborted
    deployments[deployment].rolledBack = true
    deployments[deployment].abortReason = reason
    deployments[deployment].finishedAt = time
  }

  mutating func rolledBack(_ deployment: DeploymentID) { deployments[deployment].rolledBack = true }
  mutating func neededRemediation(_ deployment: DeploymentID) { deployments[deployment].neededRemediation = true }
  mutating func degraded(_ deployment: DeploymentID) { deployments[deployment].degraded = true }
  /// An analysis of `deployment` could not judge (``DeploymentRecord/analysisErrors``).
  mutating func analysisCouldNotJudge(_ deployment: DeploymentID) { deployments[deployment].analysisErrors += 1 }

  /// A canary of `deployment` reached `weight` (0 when it starts).
  mutating func canaryReached(_ weight: Int, in deployment: DeploymentID) {
    deployments[deployment].maximumCanaryWeight = max(deployments[deployment].maximumCanaryWeight ?? 0, weight)
  }
}

/// Argo CD across components: images to deploy, refreshes, syncs handed to rollouts.
extension Delivery {
  mutating func handle(_ event: ArgoCDEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .refresh(let service):
      argoCD.refreshed(service)
      startSyncIfReady(service, scheduler: &scheduler)
    case .syncFinished(let deployment): beginRollout(deployment, scheduler: &scheduler)
    }
  }

  /// A change's image is in the registry: the change is on main, and Argo CD will see it.
  mutating func imageReady(_ change: ChangeID, scheduler: inout Scheduler<WorldEvent>) {
    commits.artifactReady(change, at: scheduler.now)
    let record = commits.changes[change]
    argoCD.queue(record, fixing: record.fixes.map { incidents.records[$0].rootCauses })
    scheduleRefresh(record.service, scheduler: &scheduler)
  }

  /// Schedules Argo CD's next look at `service`, unless one is scheduled.
  mutating func scheduleRefresh(_ service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    guard argoCD.claimRefresh(service) else { return }
    scheduler.schedule(.delivery(.argoCD(.refresh(service))), at: argoCD.nextRefresh(of: service, now: scheduler.now))
  }

  /// Starts a sync of everything pending, unless a rollout is still in progress.
  mutating func startSyncIfReady(_ service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    let application = argoCD.applications[service]
    guard !application.pendingChanges.isEmpty else { return }
    if let current = application.rollout, argoCD.deployments[current].status == .inProgress {
      return  // batched into the next deployment when this rollout ends
    }
    let fixes = application.pendingChanges.contains { commits.changes[$0].fixes != nil }
    startDeployment(
      of: service, kind: fixes ? .fix : .planned, changes: application.pendingChanges,
      codeDefects: application.mainDefects, scheduler: &scheduler)
    _ = argoCD.takePendingChanges(of: service)
  }

  /// Starts a deployment carrying `changes` (none for a rollback) that runs the code
  /// with `codeDefects`.
  mutating func startDeployment(
    of service: ServiceID, kind: DeploymentKind, changes: [ChangeID], codeDefects: [ChangeID],
    scheduler: inout Scheduler<WorldEvent>
  ) {
    let deployment = argoCD.startDeployment(
      of: service, kind: kind, changes: changes, codeDefects: codeDefects, scheduler: &scheduler)
    for change in changes { commits.assign(change, to: deployment) }
  }
}
