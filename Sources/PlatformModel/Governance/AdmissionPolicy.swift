import Policies

/// What the admission controller does with a workload that lacks required tags.
///
/// Mirrors policy engines such as Kyverno and OPA Gatekeeper: `enforce` (Kyverno's
/// `validationFailureAction: Enforce`, Gatekeeper's `deny`) rejects the workload and
/// records why; `audit` admits it and counts the violation; `off` checks nothing.
public enum AdmissionMode: String, Sendable, CaseIterable {
  case enforce
  case audit
  case off
}

/// Cost-governance rules: which tags every workload must carry.
public struct GovernanceConfiguration: Equatable, Sendable {
  /// Tags a team must declare for its workloads to be admitted (such as `Owner`, `CostCenter`).
  public var requiredTags: [String]
  public var admission: AdmissionMode
  /// The tag whose value names the cost centre in cost views.
  public var costCenterTag: String

  public init(
    requiredTags: [String] = ["Owner", "CostCenter"], admission: AdmissionMode = .audit,
    costCenterTag: String = "CostCenter"
  ) {
    self.requiredTags = requiredTags
    self.admission = admission
    self.costCenterTag = costCenterTag
  }

  /// The required tags `team` lacks, in the order they are required.
  public func missingTags(of team: TeamConfiguration) -> [String] {
    requiredTags.filter { team.tag($0)?.isEmpty ?? true }
  }
}

extension GovernanceConfiguration {
  /// What the admission policy sees of a workload of `team`: its tags, the required
  /// ones it lacks, and the mode (Kyverno's `validationFailureAction`).
  func admissionObservation(kind: String, workload: String, team: TeamConfiguration) -> AdmissionObservation {
    AdmissionObservation(
      kind: kind, workload: workload, team: team.name, tags: team.tags.map { NameValue(name: $0.key, value: $0.value) },
      requiredTags: requiredTags, missingTags: missingTags(of: team), mode: admission.rawValue)
  }
}
