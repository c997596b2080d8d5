/// Whether a workload is admitted to the cluster, after its tags.
///
/// Consulted for every training job at submission.
public protocol AdmissionPolicy: DecisionPolicy where Observation == AdmissionObservation, Action == AdmissionAction {}

public struct AdmissionObservation: Codable, Sendable, Equatable {
  /// `training-job` today.
  public var kind: String
  public var workload: String
  public var team: String
  public var tags: [NameValue]
  public var requiredTags: [String]
  /// Required tags the workload lacks (or has empty), in the order they are required.
  public var missingTags: [String]
  /// The scenario's `governance.admission`: `enforce`, `audit` or `off`.
  public var mode: String

  public init(
    kind: String, workload: String, team: String, tags: [NameValue], requiredTags: [String], missingTags: [String],
    mode: String
  ) {
    self.kind = kind
    self.workload = workload
    self.team = team
    self.tags = tags
    self.requiredTags = requiredTags
    self.missingTags = missingTags
    self.mode = mode
  }

  public func problem(with action: AdmissionAction) -> String? { nil }
}

public struct AdmissionAction: Codable, Sendable, Equatable {
  public enum Verdict: String, Codable, Sendable {
    case admit
    /// Admitted, with the violations counted (an audit finding).
    case admitWithViolations = "admit-with-violations"
    case reject
  }
  public var verdict: Verdict
  /// Why, for rejections (the `reason` column of `training_jobs`).
  public var reason: String?
  /// The violations recorded for `admit-with-violations`.
  public var violations: [String]?

  public init(verdict: Verdict, reason: String? = nil, violations: [String]? = nil) {
    self.verdict = verdict
    self.reason = reason
    self.violations = violations
  }
}

/// Kyverno's `validationFailureAction` (OPA Gatekeeper's `enforcementAction`):
/// `Enforce` rejects a workload missing required tags, `Audit` admits it and reports
/// the violation; `off` checks nothing.
public final class KyvernoAdmission: AdmissionPolicy {
  public init() {}
  public func decide(_ observation: AdmissionObservation, at time: PolicyTime) -> AdmissionAction {
    guard observation.mode != "off", !observation.missingTags.isEmpty else { return AdmissionAction(verdict: .admit) }
    let missing = observation.missingTags
    if observation.mode == "enforce" {
      let reason = "missing required tag" + (missing.count == 1 ? " " : "s ") + missing.joined(separator: ", ")
      return AdmissionAction(verdict: .reject, reason: reason)
    }
    return AdmissionAction(verdict: .admitWithViolations, violations: missing)
  }
}
