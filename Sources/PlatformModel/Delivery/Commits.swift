import SimKernel

/// Events of the teams' commits.
public enum CommitEvent: Sendable {
  /// The next planned change of a team is committed to main.
  case committed(TeamID)
}

/// Changes: commits to main, with everything about a change drawn when it is
/// committed, and each change's record on its way to production (the Four Keys
/// `changes` table).
///
/// A team's planned changes arrive on its working-hours profile
/// (`delivery/<team>/commits`); each draws, in a fixed order, its service, author,
/// defect and per-stage CI outcome and duration from the team's attribute stream
/// (`delivery/<team>/change-attributes`), so the i-th change is the same under any
/// policy. Fix commits come at policy-dependent times, so they draw from their own
/// stream (`…/fix-attributes`) and never shift the planned ones; model promotions draw
/// from the registry's.
struct Commits {
  let teams: IDArray<TeamID, DeliveryTeam>
  let ciStages: [CIStage]
  private var arrivalStreams: IDArray<TeamID, RandomStream>
  private var attributeStreams: IDArray<TeamID, RandomStream>
  private var fixAttributeStreams: IDArray<TeamID, RandomStream>
  private(set) var changes = IDArray<ChangeID, ChangeRecord>()

  init(configuration: DeliveryConfiguration, seed: RandomSeed) {
    teams = IDArray(configuration.teams)
    ciStages = configuration.pipeline.ciStages
    arrivalStreams = IDArray(configuration.teams.map { seed.stream("delivery/\($0.name)/commits") })
    attributeStreams = IDArray(configuration.teams.map { seed.stream("delivery/\($0.name)/change-attributes") })
    fixAttributeStreams = IDArray(configuration.teams.map { seed.stream("delivery/\($0.name)/fix-attributes") })
  }

  mutating func scheduleNextCommit(of team: TeamID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    guard let process = teams[team].changeArrivals else { return }
    if let next = process.nextArrival(after: scheduler.now, calendar: calendar, stream: &arrivalStreams[team]) {
      scheduler.schedule(.delivery(.commits(.committed(team))), at: next)
    }
  }

  /// The stream a planned (or fix) commit of `team` draws its attributes from.
  func attributeStream(of team: TeamID, fix: Bool) -> RandomStream {
    fix ? fixAttributeStreams[team] : attributeStreams[team]
  }

  mutating func setAttributeStream(_ stream: RandomStream, of team: TeamID, fix: Bool) {
    if fix { fixAttributeStreams[team] = stream } else { attributeStreams[team] = stream }
  }

  /// How long after a change broke in CI its author pushes a fix (from the team's fix stream).
  mutating func drawFixDelay(of team: TeamID, _ delay: Distribution) -> SimDuration {
    delay.sampleDuration(&fixAttributeStreams[team])
  }

  /// Records a change committed now, with every attribute drawn from `stream` in a
  /// fixed order whatever the change is.
  ///
  /// - Parameters:
  ///   - fixes: the incident a fix-forward change fixes (it carries no defect and no
  ///     broken stage).
  ///   - fixedService: the service of a fix or a promotion; others draw theirs from
  ///     `candidates`, the team's services.
  ///   - promotes: the model version a promotion change brings to production.
  mutating func record(
    team: TeamID, fixes: IncidentID?, service fixedService: ServiceID?, promotes: Int?, candidates: [ServiceID],
    at now: SimTime, stream: inout RandomStream
  ) -> ChangeID {
    let teamConfiguration = teams[team]
    let isFix = fixedService != nil && promotes == nil
    let drawnService = candidates[stream.nextInt(below: candidates.count)]
    let author = stream.nextInt(below: max(1, teamConfiguration.engineerCount))
    let defectDrawn = stream.bernoulli(teamConfiguration.defects.probability)
    let kindDraw = stream.nextUnit()
    let sizeStream = stream.next()
    var stageBroken: [Bool] = []
    var stageDurations: [SimDuration] = []
    for stage in ciStages {
      stageBroken.append(stream.bernoulli(stage.failureProbability))
      stageDurations.append(stage.duration.sampleDuration(&stream))
    }
    var defect: Defect?
    if defectDrawn && fixes == nil {
      defect = Self.defect(teamConfiguration.defects, kindDraw: kindDraw, sizeStream: sizeStream)
    }
    return changes.append(
      ChangeRecord(
        id: changes.nextID, team: team, service: fixedService ?? drawnService, author: author, committedAt: now,
        defect: defect, fixes: fixes, isFix: isFix, promotes: promotes,
        stageBroken: fixes == nil ? stageBroken : stageBroken.map { _ in false }, stageDurations: stageDurations))
  }

  /// The defect a change carries: its kind by the model's weights (from `kindDraw`),
  /// its size from a stream seeded by `sizeStream`.
  static func defect(_ model: DefectModel, kindDraw: Double, sizeStream: UInt64) -> Defect {
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
    return Defect(kind: kind, size: size)
  }

  // MARK: - A change's way to production

  /// The change's current CI stage passed: on to the next.
  mutating func passStage(_ change: ChangeID) {
    changes[change].currentStage += 1
    changes[change].currentAttempt = 1
  }

  /// The change's current CI stage flaked: it is retried.
  mutating func retryStage(_ change: ChangeID) { changes[change].currentAttempt += 1 }

  mutating func failCI(_ change: ChangeID) { changes[change].outcome = .failedCI }
  mutating func artifactReady(_ change: ChangeID, at time: SimTime) { changes[change].artifactReadyAt = time }

  /// The change is carried by `deployment` (or, `nil`, waits for the next one).
  mutating func assign(_ change: ChangeID, to deployment: DeploymentID?) { changes[change].deployment = deployment }

  mutating func deployed(_ change: ChangeID, at time: SimTime) {
    changes[change].deployedAt = time
    changes[change].outcome = .deployed
  }
}

/// Commits across components: a new change goes to CI.
extension Delivery {
  mutating func handle(
    _ event: CommitEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?,
    calendar: SimCalendar
  ) {
    switch event {
    case .committed(let team):
      commit(team: team, fixes: nil, service: nil, scheduler: &scheduler, runnerPool: &runnerPool)
      commits.scheduleNextCommit(of: team, scheduler: &scheduler, calendar: calendar)
    }
  }

  /// Creates a change and sends it into CI.
  ///
  /// Its attributes come from the team's attribute stream, its fix stream for a fix,
  /// or the registry's for a promotion.
  mutating func commit(
    team: TeamID, fixes: IncidentID?, service fixedService: ServiceID?, promotes: ModelVersionID? = nil,
    scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    let isFix = fixedService != nil && promotes == nil
    var stream = promotes != nil ? registry.stream(of: team) : commits.attributeStream(of: team, fix: isFix)
    let change = commits.record(
      team: team, fixes: fixes, service: fixedService, promotes: promotes.map(\.version),
      candidates: servicesByTeam[team], at: scheduler.now, stream: &stream)
    if promotes != nil {
      registry.setStream(stream, of: team)
    } else {
      commits.setAttributeStream(stream, of: team, fix: isFix)
    }
    submitStage(of: change, scheduler: &scheduler, runnerPool: &runnerPool)
  }
}
