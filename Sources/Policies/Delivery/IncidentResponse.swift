/// Roll back or fix forward: what the on-call responder (or a rollback bot) does
/// when acting on an incident.
///
/// Consulted when the paged engineer acts on an open incident.
public protocol IncidentResponsePolicy: DecisionPolicy
where Observation == IncidentResponseObservation, Action == IncidentResponseAction {}

public struct IncidentResponseObservation: Codable, Sendable, Equatable {
  public var incident: Int64
  public var service: String
  public var team: String
  /// The root cause's defect: `error-rate`, `latency`, `crash-on-start` or `quality`.
  public var defectKind: String
  /// How it was found: `human-notice`, `progress-deadline`, ...
  public var detection: String
  public var openedSeconds: Double
  public var detectedSeconds: Double?
  /// Requests failed because of the incident so far.
  public var failedRequests: Int64
  /// Changes whose defects caused it.
  public var rootCauseChanges: [Int64]
  /// The scenario's `onCall.rollbackProbability`.
  public var rollbackProbability: Double
  /// A uniform draw in [0, 1) from the `delivery/on-call` stream, so randomised
  /// policies stay reproducible and see the same draw as the built-in.
  public var randomUnit: Double
  /// How long the rollback would take to start (already drawn).
  public var rollbackDelaySeconds: Double
  /// How long a fix would take to write (already drawn).
  public var fixForwardDelaySeconds: Double

  public init(
    incident: Int64, service: String, team: String, defectKind: String, detection: String, openedSeconds: Double,
    detectedSeconds: Double?, failedRequests: Int64, rootCauseChanges: [Int64], rollbackProbability: Double,
    randomUnit: Double, rollbackDelaySeconds: Double, fixForwardDelaySeconds: Double
  ) {
    self.incident = incident
    self.service = service
    self.team = team
    self.defectKind = defectKind
    self.detection = detection
    self.openedSeconds = openedSeconds
    self.detectedSeconds = detectedSeconds
    self.failedRequests = failedRequests
    self.rootCauseChanges = rootCauseChanges
    self.rollbackProbability = rollbackProbability
    self.randomUnit = randomUnit
    self.rollbackDelaySeconds = rollbackDelaySeconds
    self.fixForwardDelaySeconds = fixForwardDelaySeconds
  }

  public func problem(with action: IncidentResponseAction) -> String? { nil }
}

public struct IncidentResponseAction: Codable, Sendable, Equatable {
  public enum Decision: String, Codable, Sendable {
    case rollback
    case fixForward = "fix-forward"
  }
  public var decision: Decision
  public init(decision: Decision) { self.decision = decision }
}

/// A human on call: rolls back with the scenario's `rollbackProbability` (DORA's
/// observation that most teams restore service by rollback), else fixes forward.
public final class OnCallHumanResponse: IncidentResponsePolicy {
  public init() {}
  public func decide(_ observation: IncidentResponseObservation, at time: PolicyTime) -> IncidentResponseAction {
    IncidentResponseAction(decision: observation.randomUnit < observation.rollbackProbability ? .rollback : .fixForward)
  }
}

/// Always rolls back (Argo Rollouts `abort` on any incident).
public final class AlwaysRollbackResponse: IncidentResponsePolicy {
  public init() {}
  public func decide(_ observation: IncidentResponseObservation, at time: PolicyTime) -> IncidentResponseAction {
    IncidentResponseAction(decision: .rollback)
  }
}

/// A rollback bot: rolls back what users feel (errors, latency, crash loops), fixes
/// forward silent quality regressions a rollback would not reveal quickly.
public final class RollbackBotResponse: IncidentResponsePolicy {
  public init() {}
  public func decide(_ observation: IncidentResponseObservation, at time: PolicyTime) -> IncidentResponseAction {
    IncidentResponseAction(decision: observation.defectKind == "quality" ? .fixForward : .rollback)
  }
}
