import Policies
import SimKernel

/// Events of the on-call engineer.
public enum OnCallEvent: Sendable {
  /// The paged engineer acts on an incident.
  case responderActs(IncidentID)
  /// The rollback the responder started is ready to deploy.
  case rollbackReady(IncidentID)
  /// The responder's fix-forward commit lands on main.
  case fixCommitted(IncidentID)
}

/// The people: how long until someone notices a problem no alert reported, how long a
/// paged engineer takes to act, and whether they roll back or fix forward.
///
/// Every human delay draws from one stream (`delivery/on-call`): notice delays per
/// defect kind, response times (also a reviewer looking at an aborted canary, or
/// promoting an indefinitely paused one), and the responder's choice. The responder's
/// draws come first, in a fixed order, so every incident-response policy sees the
/// same stream (the built-in rolls back when `randomUnit < rollbackProbability`).
struct OnCall {
  let configuration: OnCallConfiguration
  private var stream: RandomStream

  init(configuration: OnCallConfiguration, seed: RandomSeed) {
    self.configuration = configuration
    stream = seed.stream("delivery/on-call")
  }

  /// Until someone notices an incident of `kind` without an alert.
  mutating func drawNoticeDelay(_ kind: DefectKind) -> SimDuration {
    (configuration.noticeDelay[kind] ?? .constant(3_600)).sampleDuration(&stream)
  }

  /// From a page (or a review request) to an engineer acting on it.
  mutating func drawResponseTime() -> SimDuration { configuration.responseTime.sampleDuration(&stream) }

  /// The responder's draws: the policy's random unit, then how long a rollback and a
  /// fix forward would take.
  mutating func drawResponse() -> (randomUnit: Double, rollbackDelay: SimDuration, fixDelay: SimDuration) {
    let randomUnit = stream.nextUnit()
    let rollbackDelay = configuration.rollbackDuration.sampleDuration(&stream)
    let fixDelay = configuration.fixForwardDuration.sampleDuration(&stream)
    return (randomUnit, rollbackDelay, fixDelay)
  }
}

/// The on-call across components: responses, rollbacks and fix-forward commits.
extension Delivery {
  mutating func handle(
    _ event: OnCallEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    switch event {
    case .responderActs(let incident): respond(to: incident, scheduler: &scheduler)
    case .rollbackReady(let incident): rollBack(incident, scheduler: &scheduler)
    case .fixCommitted(let incident):
      let record = incidents.records[incident]
      if record.resolvedAt == nil {
        commit(
          team: configuration[service: record.service].team, fixes: incident, service: record.service,
          scheduler: &scheduler, runnerPool: &runnerPool)
      }
    }
  }

  /// The responder acts: the incident-response policy chooses rollback or fix forward.
  mutating func respond(to incident: IncidentID, scheduler: inout Scheduler<WorldEvent>) {
    let draws = onCall.drawResponse()
    guard incidents.records[incident].resolvedAt == nil else { return }
    incidents.responded(incident, at: scheduler.now)
    let record = incidents.records[incident]
    let service = configuration[service: record.service]
    let observation = IncidentResponseObservation(
      incident: record.id.rawValue, service: service.name, team: configuration[team: service.team].name,
      defectKind: record.kind.rawValue, detection: record.detection?.rawValue ?? "unknown",
      openedSeconds: (record.openedAt - SimTime.zero).seconds,
      detectedSeconds: record.detectedAt.map { ($0 - SimTime.zero).seconds },
      failedRequests: record.failedRequests, rootCauseChanges: record.rootCauses.map(\.rawValue),
      rollbackProbability: onCall.configuration.rollbackProbability, randomUnit: draws.randomUnit,
      rollbackDelaySeconds: draws.rollbackDelay.seconds, fixForwardDelaySeconds: draws.fixDelay.seconds)
    let action = policies.incidentResponse.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds))
    if action.decision == .rollback {
      scheduler.schedule(.delivery(.onCall(.rollbackReady(incident))), after: draws.rollbackDelay)
    } else {
      scheduler.schedule(.delivery(.onCall(.fixCommitted(incident))), after: draws.fixDelay)
    }
  }

  /// Reverts the incident's root causes on main and deploys the result at once.
  mutating func rollBack(_ incident: IncidentID, scheduler: inout Scheduler<WorldEvent>) {
    let record = incidents.records[incident]
    guard record.resolvedAt == nil else { return }
    incidents.setResolution(.rollback, of: incident)
    argoCD.revert(record.rootCauses, of: record.service)
    argoCD.rolledBack(record.cause)
    startDeployment(
      of: record.service, kind: .rollback, changes: [], codeDefects: argoCD.applications[record.service].mainDefects,
      scheduler: &scheduler)
  }
}
