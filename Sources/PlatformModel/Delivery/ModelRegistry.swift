import SimKernel

/// Identifies a model version in the registry (numbered from 1).
public struct ModelVersionID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position + 1) }
  public var position: Int { Int(rawValue) - 1 }
  /// The version number (`model_versions.model_version`).
  public var version: Int { Int(rawValue) }
}

/// Events of the model registry.
public enum ModelRegistryEvent: Sendable {
  /// A registered model version is promoted to Production: a change is committed.
  case promoted(ModelVersionID)
}

/// The model registry (MLflow-style): a version per finished training job, and
/// promotions to Production that reach serving as changes.
///
/// A team with a ``ModelPromotion`` registers a version for each of its finished
/// training jobs and promotes a share of them after a delay; the promotion is a change
/// committed to one of the team's services (its stage transition, committed to the
/// serving repository) and flows through the same pipeline and rollout as code.
/// Promotions come at policy-dependent times, so their draws — and the promotion
/// change's attributes — use the registry's own stream per team
/// (`delivery/<team>/model-registry`).
struct ModelRegistry {
  let teams: [DeliveryTeam]
  private var streams: IDArray<TeamID, RandomStream>
  private(set) var versions = IDArray<ModelVersionID, ModelVersionRecord>()

  init(teams: [DeliveryTeam], seed: RandomSeed) {
    self.teams = teams
    streams = IDArray(teams.map { seed.stream("delivery/\($0.name)/model-registry") })
  }

  /// Registers a version of `finished` now; returns its ID, and when it will be
  /// promoted if it will.
  mutating func register(_ finished: FinishedTraining, promotion: ModelPromotion, at now: SimTime)
    -> (version: ModelVersionID, promotedAfter: SimDuration?)
  {
    let version = versions.append(
      ModelVersionRecord(
        version: versions.nextID.version, team: finished.team, template: finished.template,
        trainingJob: Int64(finished.job.rawValue), trainingSubmittedAt: finished.submittedAt, registeredAt: now))
    let promoted = streams[finished.team].bernoulli(promotion.probability)
    let delay = promotion.delay.sampleDuration(&streams[finished.team])
    return (version, promoted ? delay : nil)
  }

  /// The service a promotion of `version` goes to, among its team's `services`.
  mutating func drawService(for version: ModelVersionID, among services: [ServiceID]) -> ServiceID {
    services[streams[versions[version].team].nextInt(below: services.count)]
  }

  /// The team's registry stream, which a promotion change draws its attributes from.
  func stream(of team: TeamID) -> RandomStream { streams[team] }
  mutating func setStream(_ stream: RandomStream, of team: TeamID) { streams[team] = stream }

  mutating func promoted(_ version: ModelVersionID, at time: SimTime) { versions[version].promotedAt = time }
  mutating func committed(_ version: ModelVersionID, as change: ChangeID?) { versions[version].change = change }

  /// The change promoting `version` reached production.
  mutating func deployed(_ version: ModelVersionID, at time: SimTime) {
    if versions[version].deployedAt == nil { versions[version].deployedAt = time }
  }
}

/// The registry across components: training results in, promotion changes out.
extension Delivery {
  mutating func handle(
    _ event: ModelRegistryEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    switch event {
    case .promoted(let version): promote(version, scheduler: &scheduler, runnerPool: &runnerPool)
    }
  }

  /// A training job finished: register a model version, and maybe promote it later.
  mutating func modelTrained(_ finished: FinishedTraining, scheduler: inout Scheduler<WorldEvent>) {
    guard configuration.teams.indices.contains(finished.team.position),
      let promotion = configuration[team: finished.team].modelPromotion,
      !servicesByTeam[finished.team].isEmpty
    else { return }
    let registration = registry.register(finished, promotion: promotion, at: scheduler.now)
    if let delay = registration.promotedAfter {
      scheduler.schedule(.delivery(.registry(.promoted(registration.version))), after: delay)
    }
  }

  /// The promotion commit of a model version enters the pipeline like any change.
  mutating func promote(
    _ version: ModelVersionID, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    let team = registry.versions[version].team
    let service = registry.drawService(for: version, among: servicesByTeam[team])
    registry.promoted(version, at: scheduler.now)
    commit(team: team, fixes: nil, service: service, promotes: version, scheduler: &scheduler, runnerPool: &runnerPool)
    registry.committed(version, as: commits.changes.last?.id)
  }
}
