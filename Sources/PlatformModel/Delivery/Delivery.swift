import Monitoring
import Policies
import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Events of the delivery model.
public enum DeliveryEvent: Sendable {
  /// The next change of a team is committed.
  case changeCommitted(TeamID)
  /// A change's image is in the artifact registry.
  case imagePushed(ChangeID)
  /// Argo CD looks at a service's repository (a webhook delivery or a poll).
  case argoRefresh(ServiceID)
  /// Argo CD finished applying a deployment's manifests.
  case syncFinished(DeploymentID)
  /// Every pod of a deployment is ready: it serves all traffic.
  case rolloutFinished(DeploymentID)
  /// A stalled rollout exceeded its progress deadline.
  case progressDeadlineExceeded(DeploymentID)
  /// Someone notices an incident without an alert.
  case incidentNoticed(IncidentID)
  /// The paged engineer acts on an incident.
  case responderActs(IncidentID)
  /// The rollback the responder started is ready to deploy.
  case rollbackReady(IncidentID)
  /// The responder's fix-forward commit lands on main.
  case fixCommitted(IncidentID)
  /// The author of a change broken in CI pushes a fix.
  case brokenChangeFixed(ChangeID)
  /// Aggregated traffic of every service for one interval.
  case trafficTick
  /// An Argo Rollouts canary moves on: the current step completed.
  case canaryStepCompleted(DeploymentID)
  /// A registered model version is promoted to Production: a change is committed.
  case modelPromoted(Int32)
  /// A Flagger canary's analysis interval elapsed.
  case flaggerTick(DeploymentID)
  /// An AnalysisRun measures one metric (`run` 0: the step's run, 1: background).
  case analysisMeasurement(DeploymentID, run: UInt8, metric: Int32)
}

/// GitOps delivery, serving traffic and incidents: from commit to production and back.
///
/// Each change is committed on its team's working-hours profile, carries a defect
/// drawn at creation (so two policies see the same defects), runs its CI stages as
/// jobs on the shared ``RunnerPool``, is pushed to the registry, and is picked up by
/// Argo CD — on a webhook, or at the next poll (120 s + up to 60 s jitter by default,
/// policy-semantics.md §9). Changes that become ready while a service is rolling out
/// wait and are batched into its next deployment. Traffic is aggregated per
/// interval: request counts are Poisson, failures binomial, never one event per request.
/// A defective version opens an incident when it goes live (ground truth); people
/// notice it after a delay, the on-call responds, and rolls back or fixes forward.
public struct Delivery {
  struct ServiceState {
    var pendingChanges: [ChangeID] = []
    /// Defective changes on main: in every image built from now on until reverted or fixed.
    var mainDefects: [ChangeID] = []
    var live: DeploymentID?
    var liveDefects: [ChangeID] = []
    var rollout: DeploymentID?
    /// The canary in progress, with an Argo Rollouts strategy.
    var canary: CanaryState?
    /// The last analysis spec run for this service and its templated queries: rollouts
    /// run the same few specs again and again.
    var analysisQueries: (spec: AnalysisSpec, queries: [String])?
    var rolloutEvents: [EventHandle] = []
    var nextPollAt: SimTime = .zero
    var refreshScheduled = false
    var argoStream: RandomStream
    var rolloutStream: RandomStream
    var trafficStream: RandomStream
    var openIncidents: [IncidentID] = []
    var requests: Int64 = 0
    var errors: Int64 = 0
  }

  public let configuration: DeliveryConfiguration
  var arrivalStreams: [RandomStream]
  var attributeStreams: [RandomStream]
  /// Fix commits come at policy-dependent times, so they draw from their own streams
  /// and never shift the draws of the team's planned commits.
  var fixAttributeStreams: [RandomStream]
  /// Model promotions draw from their own streams too.
  var registryStreams: [RandomStream]
  public internal(set) var modelVersions: [ModelVersionRecord] = []
  var flakeStream: RandomStream
  var registryStream: RandomStream
  var onCallStream: RandomStream
  var services: [ServiceState]
  var servicesByTeam: [[ServiceID]]
  public internal(set) var changes: [ChangeRecord] = []
  public internal(set) var deployments: [DeploymentRecord] = []
  public internal(set) var incidents: [IncidentRecord] = []
  public private(set) var stageAttempts: [StageAttempt] = []
  /// Where services publish their series; `nil` without monitoring.
  let monitoring: PlatformMonitoring?
  /// Per-service traffic constants, flattened so the per-interval loop copies no
  /// configuration structs (which would retain their arrays every interval).
  struct TrafficParameters {
    var requestsPerSecond: Double
    var baselineErrorRatio: Double
    var baselineLatencySeconds: Double
    var timeoutSeconds: Double
  }
  let trafficParameters: ContiguousArray<TrafficParameters>
  /// hourOfDay × dayOfWeek load factors, 168 per service (weekday × 24 + hour).
  let loadFactors: ContiguousArray<Double>
  /// Replica state per service with a serving configuration.
  var servingStates: [ServingState?]
  /// Pods placed services created or deleted since the World last looked.
  var servingPodRequests: [ServingPodRequest] = []
  /// Canaries whose `setWeight` step found its ReplicaSets at their counts during the
  /// current traffic tick; the step completes right after it.
  var canaryReplicasConverged: [DeploymentID] = []
  /// Progress deadlines run after the traffic tick of the same instant, whose reconcile
  /// may find the ReplicaSets converged just then.
  static let progressDeadlinePriority: UInt8 = 2
  /// Canaries whose ReplicaSets made progress during the current traffic tick without
  /// converging: their progress deadline restarts.
  var canaryReplicasProgressed: [DeploymentID] = []
  /// Published series per service and track (0: stable, 1: canary).
  var series: [[ServiceSeries?]]
  /// Alerts that reached the platform while nothing was wrong with the service.
  public private(set) var falseAlarms = 0

  /// The decision points delivery consults (the incident responder's choice).
  let policies: PolicySet

  public init(
    configuration: DeliveryConfiguration, seed: RandomSeed, monitoring: PlatformMonitoring? = nil,
    policies: PolicySet = PolicySet()
  ) {
    self.configuration = configuration
    self.monitoring = monitoring
    self.policies = policies
    series = Array(repeating: [nil, nil], count: configuration.services.count)
    trafficParameters = ContiguousArray(configuration.services.map {
      TrafficParameters(
        requestsPerSecond: $0.requestsPerSecond, baselineErrorRatio: $0.baselineErrorRatio,
        baselineLatencySeconds: $0.baselineLatencySeconds, timeoutSeconds: $0.timeoutSeconds)
    })
    var factors = ContiguousArray<Double>()
    for service in configuration.services {
      for day in 0..<7 { for hour in 0..<24 { factors.append(service.loadProfile.hourOfDay[hour] * service.loadProfile.dayOfWeek[day]) } }
    }
    loadFactors = factors
    var podRequests: [ServingPodRequest] = []
    servingStates = configuration.services.enumerated().map { serviceIndex, service in
      service.serving.map { serving in
        // The run starts with the initial replicas running; placed ones are pods the
        // cluster binds at time zero, ready at once.
        let initial = min(serving.maxReplicas, max(serving.minReplicas, serving.initialReplicas))
        let placed = serving.placement != nil
        var state = ServingState(
          ready: placed ? 0 : initial, stream: seed.stream("serving/\(service.name)"),
          canaryStream: seed.stream("serving/\(service.name)/canary"))
        state.placed = placed
        state.specReplicas = initial
        for number in 0..<Int32(initial) {
          // A placed initial replica that finds no room at time zero starts cold when bound.
          let coldStart = placed ? serving.coldStart.sampleDuration(&state.stream) : .zero
          state.replicas.append(ServingReplica(number: number, coldStart: coldStart, readyAt: placed ? nil : .zero, createdAt: .zero))
          if placed { podRequests.append(.create(ServingPodID(service: ServiceID(Int32(serviceIndex)), replica: number))) }
        }
        state.nextReplicaNumber = Int32(initial)
        return state
      }
    }
    servingPodRequests = podRequests
    arrivalStreams = configuration.teams.map { seed.stream("delivery/\($0.name)/commits") }
    attributeStreams = configuration.teams.map { seed.stream("delivery/\($0.name)/change-attributes") }
    fixAttributeStreams = configuration.teams.map { seed.stream("delivery/\($0.name)/fix-attributes") }
    registryStreams = configuration.teams.map { seed.stream("delivery/\($0.name)/model-registry") }
    flakeStream = seed.stream("delivery/ci-flakes")
    registryStream = seed.stream("delivery/registry-push")
    onCallStream = seed.stream("delivery/on-call")
    services = configuration.services.map {
      ServiceState(
        argoStream: seed.stream("delivery/argocd/\($0.name)"), rolloutStream: seed.stream("delivery/rollout/\($0.name)"),
        trafficStream: seed.stream("traffic/\($0.name)"))
    }
    servicesByTeam = configuration.teams.indices.map { team in
      configuration.services.indices.filter { configuration.services[$0].team.rawValue == team }.map { ServiceID(Int32($0)) }
    }
    if case .polling(let interval, let jitter) = configuration.pipeline.trigger {
      // Each application's poll timer starts at a random phase, as controllers do.
      for index in services.indices {
        let phase = services[index].argoStream.nextUnit() * (interval + jitter).seconds
        services[index].nextPollAt = .zero + SimDuration(seconds: phase)
      }
    }
  }

  // MARK: - Start and dispatch

  mutating func start(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    for team in configuration.teams.indices where !servicesByTeam[team].isEmpty && configuration.teams[team].changeArrivals != nil {
      scheduleNextCommit(TeamID(Int32(team)), scheduler: &scheduler, calendar: calendar)
    }
    if !services.isEmpty { scheduler.schedule(.delivery(.trafficTick), after: configuration.trafficInterval) }
  }

  mutating func handle(
    _ event: DeliveryEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?, calendar: SimCalendar
  ) {
    switch event {
    case .changeCommitted(let team):
      commit(team: team, fixes: nil, service: nil, scheduler: &scheduler, runnerPool: &runnerPool)
      scheduleNextCommit(team, scheduler: &scheduler, calendar: calendar)
    case .imagePushed(let change):
      imageReady(change, scheduler: &scheduler)
    case .argoRefresh(let service):
      services[Int(service.rawValue)].refreshScheduled = false
      startSyncIfReady(service, scheduler: &scheduler)
    case .syncFinished(let deployment):
      beginRollout(deployment, scheduler: &scheduler)
    case .rolloutFinished(let deployment):
      goLive(deployment, scheduler: &scheduler)
    case .progressDeadlineExceeded(let deployment):
      progressDeadlineExceeded(deployment, scheduler: &scheduler)
    case .incidentNoticed(let incident):
      detect(incident, source: .humanNotice, scheduler: &scheduler)
    case .responderActs(let incident):
      respond(to: incident, scheduler: &scheduler)
    case .rollbackReady(let incident):
      rollBack(incident, scheduler: &scheduler)
    case .fixCommitted(let incident):
      let record = incidents[index(incident)]
      if record.resolvedAt == nil {
        commit(team: configuration.services[Int(record.service.rawValue)].team, fixes: incident, service: record.service,
               scheduler: &scheduler, runnerPool: &runnerPool)
      }
    case .brokenChangeFixed(let change):
      let broken = changes[index(change)]
      commit(team: broken.team, fixes: nil, service: broken.service, scheduler: &scheduler, runnerPool: &runnerPool)
    case .trafficTick:
      serveTraffic(at: scheduler.now, calendar: calendar)
      scheduler.schedule(.delivery(.trafficTick), after: configuration.trafficInterval)
      for deployment in canaryReplicasConverged {
        let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
        if let deadline = services[serviceIndex].canary?.stepEvent { scheduler.cancel(deadline) }
        services[serviceIndex].canary?.stepEvent = scheduler.schedule(
          .delivery(.canaryStepCompleted(deployment)), after: .zero)
      }
      canaryReplicasConverged.removeAll()
      for deployment in canaryReplicasProgressed {
        let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
        guard let canary = services[serviceIndex].canary, canary.deployment == deployment else { continue }
        if let deadline = canary.stepEvent { scheduler.cancel(deadline) }
        services[serviceIndex].canary?.stepEvent = scheduler.schedule(
          .delivery(.progressDeadlineExceeded(deployment)), after: canary.strategy.progressDeadline,
          priority: Self.progressDeadlinePriority)
      }
      canaryReplicasProgressed.removeAll()
    case .modelPromoted(let version):
      promote(modelVersion: Int(version), scheduler: &scheduler, runnerPool: &runnerPool)
    case .flaggerTick(let deployment):
      flaggerTick(deployment, scheduler: &scheduler)
    case .canaryStepCompleted(let deployment):
      canaryStepCompleted(deployment, scheduler: &scheduler)
    case .analysisMeasurement(let deployment, let run, let metric):
      measure(deployment, run: Int(run), metric: Int(metric), scheduler: &scheduler)
    }
  }

  func index(_ change: ChangeID) -> Int { Int(change.rawValue) - 1 }

  // MARK: - Model registry

  /// A training job finished: register a model version, and maybe promote it later.
  mutating func modelTrained(_ finished: FinishedTraining, scheduler: inout Scheduler<WorldEvent>) {
    guard finished.team.position < configuration.teams.count,
      let promotion = configuration.teams[finished.team.position].modelPromotion,
      !servicesByTeam[finished.team.position].isEmpty
    else { return }
    let version = modelVersions.count + 1
    modelVersions.append(
      ModelVersionRecord(
        version: version, team: finished.team, template: finished.template, trainingJob: Int64(finished.job.rawValue),
        trainingSubmittedAt: finished.submittedAt, registeredAt: scheduler.now))
    let promoted = registryStreams[finished.team.position].bernoulli(promotion.probability)
    let delay = promotion.delay.sampleDuration(&registryStreams[finished.team.position])
    if promoted { scheduler.schedule(.delivery(.modelPromoted(Int32(version))), after: delay) }
  }

  /// The promotion commit of a model version enters the pipeline like any change.
  mutating func promote(modelVersion version: Int, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?) {
    let team = modelVersions[version - 1].team
    let candidates = servicesByTeam[Int(team.rawValue)]
    let service = candidates[registryStreams[Int(team.rawValue)].nextInt(below: candidates.count)]
    modelVersions[version - 1].promotedAt = scheduler.now
    commit(team: team, fixes: nil, service: service, promotes: version, scheduler: &scheduler, runnerPool: &runnerPool)
    modelVersions[version - 1].change = changes.last?.id
  }
  func index(_ deployment: DeploymentID) -> Int { Int(deployment.rawValue) - 1 }
  func index(_ incident: IncidentID) -> Int { Int(incident.rawValue) - 1 }

  // MARK: - Changes and CI

  mutating func scheduleNextCommit(_ team: TeamID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    guard let process = configuration.teams[Int(team.rawValue)].changeArrivals else { return }
    if let next = process.nextArrival(after: scheduler.now, calendar: calendar, stream: &arrivalStreams[Int(team.rawValue)]) {
      scheduler.schedule(.delivery(.changeCommitted(team)), at: next)
    }
  }

  /// Creates a change and sends it into CI. Every attribute is drawn here, in a fixed
  /// order from the team's stream, so the i-th change is the same under any policy.
  mutating func commit(
    team: TeamID, fixes: IncidentID?, service fixedService: ServiceID?, promotes: Int? = nil,
    scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    let teamIndex = Int(team.rawValue)
    let teamConfiguration = configuration.teams[teamIndex]
    let pipeline = configuration.pipeline
    let isFix = fixedService != nil && promotes == nil
    var stream = promotes != nil ? registryStreams[teamIndex] : isFix ? fixAttributeStreams[teamIndex] : attributeStreams[teamIndex]
    let candidates = servicesByTeam[teamIndex]
    let drawnService = candidates[stream.nextInt(below: candidates.count)]
    let author = stream.nextInt(below: max(1, teamConfiguration.engineerCount))
    let defectDrawn = stream.bernoulli(teamConfiguration.defects.probability)
    let kindDraw = stream.nextUnit()
    let sizeStream = stream.next()
    var stageBroken: [Bool] = []
    var stageDurations: [SimDuration] = []
    for stage in pipeline.ciStages {
      stageBroken.append(stream.bernoulli(stage.failureProbability))
      stageDurations.append(stage.duration.sampleDuration(&stream))
    }
    if promotes != nil {
      registryStreams[teamIndex] = stream
    } else if isFix {
      fixAttributeStreams[teamIndex] = stream
    } else {
      attributeStreams[teamIndex] = stream
    }
    var defect: Defect?
    if defectDrawn && fixes == nil {
      let model = teamConfiguration.defects
      let total = model.kindWeights.reduce(0) { $0 + $1.weight }
      var threshold = kindDraw * total
      var kind = model.kindWeights.last?.kind ?? .errorRate
      for entry in model.kindWeights {
        if threshold < entry.weight {
          kind = entry.kind
          break
        }
        threshold -= entry.weight
      }
      var sizeRandom = RandomStream(state: (sizeStream, sizeStream ^ 0x9E37_79B9, ~sizeStream, sizeStream &* 3))
      let size: Double
      switch kind {
      case .errorRate: size = min(1, max(0, model.errorRateIncrease.sample(&sizeRandom)))
      case .latency: size = max(0, model.latencyIncreaseSeconds.sample(&sizeRandom))
      case .crashOnStart: size = 1
      case .quality: size = min(1, max(0, model.qualityDrop.sample(&sizeRandom)))
      }
      defect = Defect(kind: kind, size: size)
    }
    let id = ChangeID(Int64(changes.count + 1))
    changes.append(
      ChangeRecord(
        id: id, team: team, service: fixedService ?? drawnService, author: author, committedAt: scheduler.now,
        defect: defect, fixes: fixes, isFix: isFix, promotes: promotes, stageBroken: fixes == nil ? stageBroken : stageBroken.map { _ in false },
        stageDurations: stageDurations))
    submitStage(of: id, queuedAt: scheduler.now, scheduler: &scheduler, runnerPool: &runnerPool)
  }

  mutating func submitStage(
    of change: ChangeID, queuedAt: SimTime, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    let record = changes[index(change)]
    if record.currentStage >= configuration.pipeline.ciStages.count {
      let push = configuration.pipeline.registryPush.sampleDuration(&registryStream)
      scheduler.schedule(.delivery(.imagePushed(change)), after: push)
      return
    }
    guard runnerPool != nil else { preconditionFailure("the delivery pipeline needs a runner pool (validated)") }
    runnerPool?.submit(
      source: .pipeline, reference: change.rawValue, duration: record.stageDurations[record.currentStage],
      scheduler: &scheduler)
  }

  /// A CI job of `change` finished on the runner pool.
  mutating func ciJobFinished(
    change: ChangeID, queuedAt: SimTime, startedAt: SimTime, scheduler: inout Scheduler<WorldEvent>,
    runnerPool: inout RunnerPool?
  ) {
    let position = index(change)
    let stage = configuration.pipeline.ciStages[changes[position].currentStage]
    let attempt = changes[position].currentAttempt
    let flaked = flakeStream.bernoulli(stage.flakeProbability)
    let broken = changes[position].stageBroken[changes[position].currentStage]
    let outcome = broken ? "failed" : flaked ? "flaked" : "passed"
    stageAttempts.append(
      StageAttempt(change: change, stage: stage.name, attempt: attempt, queuedAt: queuedAt, startedAt: startedAt,
                   finishedAt: scheduler.now, outcome: outcome))
    if broken || (flaked && attempt > stage.maximumRetries) {
      changes[position].outcome = .failedCI
      let delay = configuration.pipeline.fixDelay.sampleDuration(&fixAttributeStreams[Int(changes[position].team.rawValue)])
      scheduler.schedule(.delivery(.brokenChangeFixed(change)), after: delay)
      return
    }
    if flaked {
      changes[position].currentAttempt += 1
    } else {
      changes[position].currentStage += 1
      changes[position].currentAttempt = 1
    }
    submitStage(of: change, queuedAt: scheduler.now, scheduler: &scheduler, runnerPool: &runnerPool)
  }

  // MARK: - Argo CD and rollouts

  mutating func imageReady(_ change: ChangeID, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(change)
    changes[position].artifactReadyAt = scheduler.now
    let service = changes[position].service
    let serviceIndex = Int(service.rawValue)
    services[serviceIndex].pendingChanges.append(change)
    if changes[position].defect != nil { services[serviceIndex].mainDefects.append(change) }
    if let incident = changes[position].fixes {
      let roots = incidents[index(incident)].rootCauses
      services[serviceIndex].mainDefects.removeAll { roots.contains($0) }
    }
    scheduleRefresh(service, scheduler: &scheduler)
  }

  /// Schedules Argo CD's next look at `service`: after the webhook delay, or at the
  /// next tick of the application's poll timer (advanced lazily, drawing the same
  /// jitter sequence as a timer that had ticked all along).
  mutating func scheduleRefresh(_ service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(service.rawValue)
    guard !services[serviceIndex].refreshScheduled else { return }
    services[serviceIndex].refreshScheduled = true
    switch configuration.pipeline.trigger {
    case .webhook(let delay):
      scheduler.schedule(.delivery(.argoRefresh(service)), after: delay.sampleDuration(&services[serviceIndex].argoStream))
    case .polling(let interval, let jitter):
      while services[serviceIndex].nextPollAt <= scheduler.now {
        let spread = SimDuration(seconds: services[serviceIndex].argoStream.nextUnit() * jitter.seconds)
        services[serviceIndex].nextPollAt = services[serviceIndex].nextPollAt + interval + spread
      }
      scheduler.schedule(.delivery(.argoRefresh(service)), at: services[serviceIndex].nextPollAt)
    }
  }

  /// Starts a sync of everything pending, unless a rollout is still in progress.
  mutating func startSyncIfReady(_ service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(service.rawValue)
    guard !services[serviceIndex].pendingChanges.isEmpty else { return }
    if let current = services[serviceIndex].rollout, deployments[index(current)].status == .inProgress {
      return  // batched into the next deployment when this rollout ends
    }
    let fixes = services[serviceIndex].pendingChanges.contains { changes[index($0)].fixes != nil }
    startDeployment(
      service: service, kind: fixes ? .fix : .planned, changes: services[serviceIndex].pendingChanges,
      codeDefects: services[serviceIndex].mainDefects, scheduler: &scheduler)
    services[serviceIndex].pendingChanges = []
  }

  mutating func startDeployment(
    service: ServiceID, kind: DeploymentKind, changes included: [ChangeID], codeDefects: [ChangeID],
    scheduler: inout Scheduler<WorldEvent>
  ) {
    let serviceIndex = Int(service.rawValue)
    if let current = services[serviceIndex].rollout {
      for handle in services[serviceIndex].rolloutEvents { scheduler.cancel(handle) }
      if deployments[index(current)].status == .inProgress { deployments[index(current)].status = .superseded }
    }
    let id = DeploymentID(Int64(deployments.count + 1))
    deployments.append(
      DeploymentRecord(id: id, service: service, kind: kind, changes: included, startedAt: scheduler.now, codeDefects: codeDefects))
    for change in included { changes[index(change)].deployment = id }
    services[serviceIndex].rollout = id
    let sync = configuration.pipeline.syncDuration.sampleDuration(&services[serviceIndex].rolloutStream)
    services[serviceIndex].rolloutEvents = [scheduler.schedule(.delivery(.syncFinished(id)), after: sync)]
  }

  mutating func beginRollout(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let record = deployments[index(deployment)]
    let serviceIndex = Int(record.service.rawValue)
    let duration = configuration.pipeline.rolloutDuration.sampleDuration(&services[serviceIndex].rolloutStream)
    let crashes = record.codeDefects.contains { changes[index($0)].defect?.kind == .crashOnStart }
    if case .argoCanary(let canary) = configuration.services[serviceIndex].rollout, services[serviceIndex].live != nil,
      record.kind != .rollback
    {
      // Argo Rollouts skips the steps on the initial deploy (no stable ReplicaSet yet)
      // and when moving back to a known version (a rollback).
      startCanary(deployment, canary: canary, scheduler: &scheduler)
      return
    }
    if case .flagger(let flagger) = configuration.services[serviceIndex].rollout, services[serviceIndex].live != nil,
      record.kind != .rollback
    {
      startFlagger(deployment, flagger: flagger, crashes: crashes, scheduler: &scheduler)
      return
    }
    if crashes {
      // New pods never pass readiness; the old ReplicaSet keeps serving.
      services[serviceIndex].rolloutEvents = [
        scheduler.schedule(.delivery(.progressDeadlineExceeded(deployment)), after: configuration.onCall.progressDeadline)
      ]
    } else {
      services[serviceIndex].rolloutEvents = [scheduler.schedule(.delivery(.rolloutFinished(deployment)), after: duration)]
    }
  }

  mutating func goLive(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(deployment)
    deployments[position].status = .succeeded
    deployments[position].finishedAt = scheduler.now
    let service = deployments[position].service
    let serviceIndex = Int(service.rawValue)
    for change in deployments[position].changes {
      changes[index(change)].deployedAt = scheduler.now
      changes[index(change)].outcome = .deployed
      if let version = changes[index(change)].promotes, modelVersions[version - 1].deployedAt == nil {
        modelVersions[version - 1].deployedAt = scheduler.now
      }
    }
    // The promoted canary's pods are the stable ones now; any other rollout replaced
    // the pods of a canary still winding down.
    if services[serviceIndex].canary?.deployment == deployment {
      promoteCanaryReplicas(serviceIndex: serviceIndex)
    } else {
      abortCanaryReplicas(serviceIndex: serviceIndex)
    }
    let previousDefects = services[serviceIndex].liveDefects
    let liveDefects = deployments[position].codeDefects
    services[serviceIndex].live = deployment
    services[serviceIndex].liveDefects = liveDefects
    services[serviceIndex].rollout = nil
    services[serviceIndex].rolloutEvents = []
    services[serviceIndex].canary = nil
    resolveIncidents(of: service, at: scheduler.now)
    let alreadyOpen = services[serviceIndex].openIncidents.flatMap { incidents[index($0)].rootCauses }
    let introduced = liveDefects.filter { !previousDefects.contains($0) && !alreadyOpen.contains($0) }
    if !introduced.isEmpty {
      deployments[position].neededRemediation = true
      openIncident(service: service, cause: deployment, rootCauses: introduced, openedAt: scheduler.now, scheduler: &scheduler)
    }
    startSyncIfReady(service, scheduler: &scheduler)
  }

  /// `progressDeadlineSeconds` passed without progress. A canary waiting for pods that
  /// are merely slow or unplaceable stays degraded and keeps waiting unless the Rollout
  /// sets `progressDeadlineAbort` (Argo's default is to wait; policy-semantics.md §1);
  /// pods that crash on start, and other rollouts, stall as before.
  mutating func progressDeadlineExceeded(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    if let canary = services[serviceIndex].canary, canary.deployment == deployment, canary.awaitingReplicaCounts {
      services[serviceIndex].canary?.stepEvent = nil
      guard canary.strategy.progressDeadlineAbort else {
        deployments[index(deployment)].degraded = true
        return
      }
    }
    stalled(deployment, scheduler: &scheduler)
  }

  mutating func stalled(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(deployment)
    // A deadline armed for a rollout that has since ended changes nothing.
    guard deployments[position].status == .inProgress else { return }
    deployments[position].status = .stalled
    deployments[position].neededRemediation = true
    let crashing = deployments[position].codeDefects.filter { changes[index($0)].defect?.kind == .crashOnStart }
    let service = deployments[position].service
    let alreadyOpen = services[Int(service.rawValue)].openIncidents.contains { incidents[index($0)].rootCauses == crashing }
    // A canary stalled by pods that never got a node failed no request: no incident.
    if !alreadyOpen && !crashing.isEmpty {
      openIncident(
        service: service, cause: deployment, rootCauses: crashing, openedAt: deployments[position].startedAt,
        scheduler: &scheduler, detectedNow: true)
    }
    cancelRuns(serviceIndex: Int(service.rawValue), scheduler: &scheduler)
    // Argo keeps a stalled canary's pods; the model winds them down as after an abort,
    // since the next deployment (rollback or fix) replaces the version anyway.
    abortCanaryReplicas(serviceIndex: Int(service.rawValue))
    services[Int(service.rawValue)].canary = nil
    services[Int(service.rawValue)].rollout = nil
    startSyncIfReady(service, scheduler: &scheduler)
  }

  // MARK: - Incidents

  mutating func openIncident(
    service: ServiceID, cause: DeploymentID, rootCauses: [ChangeID], openedAt: SimTime,
    scheduler: inout Scheduler<WorldEvent>, detectedNow: Bool = false
  ) {
    let id = IncidentID(Int64(incidents.count + 1))
    let kind = changes[index(rootCauses[0])].defect?.kind ?? .errorRate
    incidents.append(IncidentRecord(id: id, service: service, cause: cause, rootCauses: rootCauses, kind: kind, openedAt: openedAt))
    services[Int(service.rawValue)].openIncidents.append(id)
    if detectedNow {
      detect(id, source: .progressDeadline, scheduler: &scheduler)
    } else {
      let delay = (configuration.onCall.noticeDelay[kind] ?? .constant(3_600)).sampleDuration(&onCallStream)
      scheduler.schedule(.delivery(.incidentNoticed(id)), after: delay)
    }
  }

  mutating func detect(_ incident: IncidentID, source: DetectionSource, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(incident)
    guard incidents[position].detectedAt == nil, incidents[position].resolvedAt == nil else { return }
    incidents[position].detectedAt = scheduler.now
    incidents[position].detection = source
    scheduler.schedule(.delivery(.responderActs(incident)), after: configuration.onCall.responseTime.sampleDuration(&onCallStream))
  }

  /// The responder acts: the incident-response policy chooses rollback or fix
  /// forward. The draws come first, in a fixed order, so every policy sees the same
  /// on-call stream (the built-in rolls back when `randomUnit < rollbackProbability`).
  mutating func respond(to incident: IncidentID, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(incident)
    let randomUnit = onCallStream.nextUnit()
    let rollbackDelay = configuration.onCall.rollbackDuration.sampleDuration(&onCallStream)
    let fixDelay = configuration.onCall.fixForwardDuration.sampleDuration(&onCallStream)
    guard incidents[position].resolvedAt == nil else { return }
    incidents[position].respondedAt = scheduler.now
    let record = incidents[position]
    let service = configuration.services[Int(record.service.rawValue)]
    let observation = IncidentResponseObservation(
      incident: record.id.rawValue, service: service.name, team: configuration.teams[Int(service.team.rawValue)].name,
      defectKind: record.kind.rawValue, detection: record.detection?.rawValue ?? "unknown",
      openedSeconds: (record.openedAt - SimTime.zero).seconds,
      detectedSeconds: record.detectedAt.map { ($0 - SimTime.zero).seconds },
      failedRequests: record.failedRequests, rootCauseChanges: record.rootCauses.map(\.rawValue),
      rollbackProbability: configuration.onCall.rollbackProbability, randomUnit: randomUnit,
      rollbackDelaySeconds: rollbackDelay.seconds, fixForwardDelaySeconds: fixDelay.seconds)
    let action = policies.incidentResponse.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds))
    if action.decision == .rollback {
      scheduler.schedule(.delivery(.rollbackReady(incident)), after: rollbackDelay)
    } else {
      scheduler.schedule(.delivery(.fixCommitted(incident)), after: fixDelay)
    }
  }

  /// Reverts the incident's root causes on main and deploys the result at once.
  mutating func rollBack(_ incident: IncidentID, scheduler: inout Scheduler<WorldEvent>) {
    let position = index(incident)
    guard incidents[position].resolvedAt == nil else { return }
    incidents[position].resolution = .rollback
    let service = incidents[position].service
    let serviceIndex = Int(service.rawValue)
    let roots = incidents[position].rootCauses
    services[serviceIndex].mainDefects.removeAll { roots.contains($0) }
    deployments[index(incidents[position].cause)].rolledBack = true
    startDeployment(
      service: service, kind: .rollback, changes: [], codeDefects: services[serviceIndex].mainDefects, scheduler: &scheduler)
  }

  mutating func resolveIncidents(of service: ServiceID, at time: SimTime) {
    let serviceIndex = Int(service.rawValue)
    let live = services[serviceIndex].liveDefects
    let mainDefects = services[serviceIndex].mainDefects
    // Resolved: none of its root causes is live or still on main.
    var stillOpen: [IncidentID] = []
    for incident in services[serviceIndex].openIncidents {
      let position = index(incident)
      if incidents[position].rootCauses.contains(where: { live.contains($0) || mainDefects.contains($0) }) {
        stillOpen.append(incident)
        continue
      }
      incidents[position].resolvedAt = time
      if incidents[position].resolution == nil { incidents[position].resolution = .fixForward }
    }
    services[serviceIndex].openIncidents = stillOpen
  }

  // MARK: - Traffic

  /// Draws one interval of requests and failures for every service. During a canary
  /// each request goes to the canary with probability ``canaryTrafficShare(serviceIndex:weight:at:)``
  /// (the weight, or the canary's share of ready pods), and each side fails with the
  /// defects of the code it runs.
  mutating func serveTraffic(at time: SimTime, calendar: SimCalendar) {
    let local = calendar.localTime(at: time)
    let seconds = configuration.trafficInterval.seconds
    let slot = local.weekday * 24 + local.hour
    // Read once: per service, each access retained and released them.
    let monitoring = self.monitoring
    let latencyBuckets = monitoring?.configuration.latencyBuckets ?? []
    let changes = self.changes
    for serviceIndex in services.indices {
      let service = trafficParameters[serviceIndex]
      let mean = service.requestsPerSecond * loadFactors[serviceIndex * 168 + slot] * seconds
      var stream = services[serviceIndex].trafficStream
      let requests = Int64(stream.poisson(mean: mean))
      let shed = servingStates[serviceIndex] == nil ? 0 : serve(serviceIndex: serviceIndex, requests: requests, at: time, stream: &stream)
      let canary = services[serviceIndex].canary.map { (deployment: $0.deployment, weight: $0.weight) }
      let canaryShare = canary.map { canaryTrafficShare(serviceIndex: serviceIndex, weight: $0.weight, at: time) }
      let canaryRequests = canaryShare.map { binomial(requests, $0, &stream) } ?? 0
      let liveDefects = services[serviceIndex].liveDefects
      let stable = Self.failures(
        requests - canaryRequests, defects: liveDefects, service: service, changes: changes, stream: &stream)
      var canaryOutcome = (errors: Int64(0), defectErrors: Int64(0), latencyExtra: 0.0)
      if let canary {
        let defects = deployments[index(canary.deployment)].codeDefects
        canaryOutcome = Self.failures(canaryRequests, defects: defects, service: service, changes: changes, stream: &stream)
      }
      if let monitoring {
        publish(
          serviceIndex: serviceIndex, track: 0, requests: requests - canaryRequests,
          errors: min(requests - canaryRequests, stable.errors + shed),
          latencyExtra: stable.latencyExtra, defects: liveDefects, time: time, stream: &stream,
          monitoring: monitoring, buckets: latencyBuckets)
        if let canary {
          publish(
            serviceIndex: serviceIndex, track: 1, requests: canaryRequests, errors: canaryOutcome.errors,
            latencyExtra: canaryOutcome.latencyExtra, defects: deployments[index(canary.deployment)].codeDefects, time: time,
            stream: &stream, monitoring: monitoring, buckets: latencyBuckets)
        } else if let published = series[serviceIndex][1], published.live {
          monitoring.store.appendStaleRow(published.group, timestampMs: time.microseconds / 1_000)
          series[serviceIndex][1]?.live = false
        }
      }
      services[serviceIndex].trafficStream = stream
      services[serviceIndex].requests += requests
      services[serviceIndex].errors += min(requests, stable.errors + canaryOutcome.errors + shed)
      if stable.defectErrors > 0 {
        attribute(stable.defectErrors, toIncidentsOf: serviceIndex, defects: liveDefects)
      }
      if let canary, canaryOutcome.defectErrors > 0 {
        attribute(canaryOutcome.defectErrors, toIncidentsOf: serviceIndex, defects: deployments[index(canary.deployment)].codeDefects)
      }
    }
  }

  /// The share of a service's requests its canary receives.
  ///
  /// Argo Rollouts without traffic routing only approximates `setWeight` with pod
  /// counts (policy-semantics.md §1.2) and the Service spreads requests over ready
  /// pods, so users see canary-ready / all-ready: 2 of 11 pods is 18 % at
  /// `setWeight: 10`, and a canary still starting gets nothing. Services without a
  /// replica model (and blue-green, which switches) get the weight.
  func canaryTrafficShare(serviceIndex: Int, weight: Int, at time: SimTime) -> Double {
    guard let state = servingStates[serviceIndex], state.canarySizing != nil else { return Double(weight) / 100 }
    var canaryReady = 0
    var stableReady = 0
    for replica in state.replicas {
      guard let readyAt = replica.readyAt, readyAt <= time else { continue }
      if replica.track == .canary { canaryReady += 1 } else { stableReady += 1 }
    }
    guard canaryReady + stableReady > 0 else { return Double(weight) / 100 }
    return Double(canaryReady) / Double(canaryReady + stableReady)
  }

  /// Failures among `requests` served by code carrying `defects`: baseline errors, the
  /// errors of error-rate defects, and timeouts of latency defects.
  ///
  /// Static, with `changes` passed in: called from the traffic loop of a mutating
  /// method, an instance method made Swift copy the whole `Delivery` per call.
  static func failures(
    _ requests: Int64, defects: [ChangeID], service: TrafficParameters, changes: [ChangeRecord], stream: inout RandomStream
  ) -> (errors: Int64, defectErrors: Int64, latencyExtra: Double) {
    let baselineErrors = binomial(requests, service.baselineErrorRatio, &stream)
    if defects.isEmpty { return (baselineErrors, 0, 0) }
    var defectFailureRatio = 0.0
    var latencyExtra = 0.0
    for defect in defects {
      guard let drawn = changes[Int(defect.rawValue) - 1].defect else { continue }
      switch drawn.kind {
      case .errorRate: defectFailureRatio += drawn.size
      case .latency: latencyExtra += drawn.size
      case .crashOnStart, .quality: break
      }
    }
    if latencyExtra > 0 { defectFailureRatio += timeoutProbability(service: service, extraLatency: latencyExtra) }
    let defectErrors = defectFailureRatio > 0 ? binomial(requests - baselineErrors, min(1, defectFailureRatio), &stream) : 0
    return (baselineErrors + defectErrors, defectErrors, latencyExtra)
  }

  /// Publishes one scrape of a service's series: request and error counters by
  /// version, a classic latency histogram (bucket counts drawn as a multinomial by
  /// sequential binomials; lognormal latency, σ = 0.5, plus any latency defect) and
  /// the model-quality gauge. A version that stops serving gets a staleness marker,
  /// as Prometheus writes when a target's series disappears.
  mutating func publish(
    serviceIndex: Int, track: Int, requests: Int64, errors: Int64, latencyExtra: Double, defects: [ChangeID], time: SimTime,
    stream: inout RandomStream, monitoring: PlatformMonitoring, buckets: [Double]
  ) {
    let service = trafficParameters[serviceIndex]
    let timestampMs = time.microseconds / 1_000
    if series[serviceIndex][track] == nil {
      let configured = configuration.services[serviceIndex]
      series[serviceIndex][track] = ServiceSeries(
        store: monitoring.store, service: configured.name, team: configuration.teams[Int(configured.team.rawValue)].name,
        track: track == 0 ? "stable" : "canary", buckets: buckets)
    }
    guard let published = series[serviceIndex][track] else { return }
    published.live = true
    published.requestsTotal += Double(requests)
    published.errorsTotal += Double(errors)
    // Columns as registered in `ServiceSeries`.
    published.row[0] = published.requestsTotal - published.errorsTotal
    published.row[1] = published.errorsTotal
    var remaining = requests
    published.updateBucketConditionals(latencyExtra: latencyExtra, baselineLatency: service.baselineLatencySeconds, buckets: buckets)
    for index in buckets.indices {
      let inBucket = binomial(remaining, published.bucketConditionals[index], &stream)
      remaining -= inBucket
      published.bucketTotals[index] += Double(inBucket)
    }
    published.bucketTotals[buckets.count] += Double(remaining)
    // Classic histogram buckets are cumulative in `le`; `+Inf` equals the count.
    var cumulativeTotal = 0.0
    for index in buckets.indices {
      cumulativeTotal += published.bucketTotals[index]
      published.row[2 + index] = cumulativeTotal
    }
    published.row[2 + buckets.count] = published.requestsTotal
    let meanLatency = service.baselineLatencySeconds * exp(0.125) + latencyExtra
    published.durationSumTotal += Double(requests) * meanLatency
    published.row[3 + buckets.count] = published.requestsTotal
    published.row[4 + buckets.count] = published.durationSumTotal
    var quality = 0.9
    for defect in defects {
      if let drawn = changes[index(defect)].defect, drawn.kind == .quality { quality -= drawn.size }
    }
    published.row[5 + buckets.count] = max(0, quality)
    monitoring.appendRow(published.group, timestampMs: timestampMs, values: UnsafeBufferPointer(published.row))
  }

  /// Acts on an Alertmanager notification as the alert-routing policy decides — by
  /// default what the receiver says: `sim://rollback` rolls the service back at once
  /// (the automation the platform runs), `sim://page` pages the on-call. An alert
  /// with nothing wrong behind it is a false alarm and changes nothing.
  mutating func handleAlert(_ request: PlatformRequest, scheduler: inout Scheduler<WorldEvent>) {
    guard let serviceIndex = configuration.services.firstIndex(where: { $0.name == request.service }) else { return }
    let observation = AlertRoutingObservation(
      alertName: request.alertName, labels: request.labels.map { NameValue(name: $0.name, value: $0.value) },
      service: request.service, receiver: request.receiver,
      receiverAction: request.kind == .rollback ? "rollback" : "page",
      firingSeconds: request.firingSince.map { (scheduler.now - $0).seconds } ?? 0)
    let kind: PlatformRequest.Kind
    switch policies.alertRouting.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds)).action {
    case .rollback: kind = .rollback
    case .page: kind = .page
    case .scaleUp, .none:
      monitoring?.annotateLastNotification(service: request.service, outcome: "ignored-by-policy")
      return
    }
    let live = services[serviceIndex].liveDefects
    let affected = services[serviceIndex].openIncidents.filter { incident in
      incidents[index(incident)].rootCauses.contains { live.contains($0) }
    }
    guard let incident = affected.first else {
      falseAlarms += 1
      monitoring?.annotateLastNotification(service: request.service, outcome: "false-alarm")
      return
    }
    for open in affected where incidents[index(open)].alertedAt == nil { incidents[index(open)].alertedAt = scheduler.now }
    switch kind {
    case .rollback:
      let position = index(incident)
      if incidents[position].detectedAt == nil {
        incidents[position].detectedAt = scheduler.now
        incidents[position].detection = .alert
      }
      if incidents[position].resolution == nil {
        incidents[position].respondedAt = scheduler.now
        rollBack(incident, scheduler: &scheduler)
      }
    case .page:
      detect(incident, source: .alert, scheduler: &scheduler)
    }
  }

  /// Probability that a request exceeds the timeout when latency is lognormal around
  /// the baseline median (σ = 0.5) plus a fixed extra delay.
  static func timeoutProbability(service: TrafficParameters, extraLatency: Double) -> Double {
    let remaining = service.timeoutSeconds - extraLatency
    guard remaining > 0 else { return 1 }
    let z = log(remaining / service.baselineLatencySeconds) / 0.5
    let baseline = 0.5 * erfc(log(service.timeoutSeconds / service.baselineLatencySeconds) / 0.5 / 2.0.squareRoot())
    return max(0, 0.5 * erfc(z / 2.0.squareRoot()) - baseline)
  }

  mutating func attribute(_ failures: Int64, toIncidentsOf serviceIndex: Int, defects live: [ChangeID]) {
    let affected = services[serviceIndex].openIncidents.filter { incident in
      incidents[index(incident)].rootCauses.contains { live.contains($0) }
    }
    guard !affected.isEmpty else { return }
    // Split evenly; the remainder goes to the oldest incident.
    let share = failures / Int64(affected.count)
    for incident in affected { incidents[index(incident)].failedRequests += share }
    incidents[index(affected[0])].failedRequests += failures - share * Int64(affected.count)
  }

  /// Traffic totals per service.
  public func trafficTotals() -> [(requests: Int64, errors: Int64)] { services.map { ($0.requests, $0.errors) } }
}

/// A binomial count: exact Bernoulli trials for small n, Poisson when the expected
/// count is small, a rounded normal otherwise (each clamped to 0…n).
func binomial(_ trials: Int64, _ probability: Double, _ stream: inout RandomStream) -> Int64 {
  guard trials > 0, probability > 0 else { return 0 }
  if probability >= 1 { return trials }
  if trials < 30 {
    var count: Int64 = 0
    for _ in 0..<trials where stream.bernoulli(probability) { count += 1 }
    return count
  }
  let mean = Double(trials) * probability
  if mean < 10 { return min(trials, Int64(stream.poisson(mean: mean))) }
  let deviation = (mean * (1 - probability)).squareRoot()
  let value = (mean + deviation * stream.standardNormal()).rounded()
  return min(trials, max(0, Int64(value)))
}
