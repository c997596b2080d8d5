import SimKernel

/// Identifies a change (a commit to main) within a run.
public struct ChangeID: DenseID {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  /// Numbered from 1 (the first change is 1).
  public init(position: Int) { rawValue = Int64(position + 1) }
  public var position: Int { Int(rawValue) - 1 }
}

/// Identifies a deployment within a run.
public struct DeploymentID: DenseID {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  /// Numbered from 1 (the first deployment is 1).
  public init(position: Int) { rawValue = Int64(position + 1) }
  public var position: Int { Int(rawValue) - 1 }
}

/// Identifies an incident within a run.
public struct IncidentID: DenseID {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  /// Numbered from 1 (the first incident is 1).
  public init(position: Int) { rawValue = Int64(position + 1) }
  public var position: Int { Int(rawValue) - 1 }
}

/// A defect carried by a change, drawn when the change is created.
public struct Defect: Equatable, Sendable {
  public var kind: DefectKind
  /// Added error ratio, extra latency in seconds, or quality drop, by kind.
  public var size: Double
}

/// Where a change ended up.
public enum ChangeOutcome: String, Sendable {
  /// Still in the pipeline when the window closed.
  case inProgress = "in-progress"
  /// A CI stage failed for a real reason; its author pushes a fix later.
  case failedCI = "failed-ci"
  /// Running in production.
  case deployed
}

/// One change (commit) and its way to production: the rows of `changes` and
/// `pipeline_stages`.
public struct ChangeRecord: Sendable {
  public var id: ChangeID
  public var team: TeamID
  public var service: ServiceID
  public var author: Int
  public var committedAt: SimTime
  public var defect: Defect?
  /// The incident this change fixes forward, if it is a fix.
  public var fixes: IncidentID?
  /// Whether it is a fix commit (for an incident or for a change broken in CI)
  /// rather than a planned one.
  public var isFix = false
  /// The model version this change promotes to Production, if it is a promotion.
  public var promotes: Int?
  /// Per CI stage: whether it fails for a real reason, and its duration (drawn at creation).
  var stageBroken: [Bool]
  var stageDurations: [SimDuration]
  var currentStage = 0
  var currentAttempt = 1
  public var artifactReadyAt: SimTime?
  public var deployment: DeploymentID?
  public var deployedAt: SimTime?
  public var outcome: ChangeOutcome = .inProgress
}

/// A model version in the registry (`model_versions` table).
public struct ModelVersionRecord: Sendable {
  public var version: Int
  public var team: TeamID
  public var template: String
  public var trainingJob: Int64
  public var trainingSubmittedAt: SimTime
  public var registeredAt: SimTime
  public var promotedAt: SimTime?
  public var change: ChangeID?
  public var deployedAt: SimTime?
}

/// One attempt of one CI stage of one change.
public struct StageAttempt: Sendable {
  public var change: ChangeID
  public var stage: String
  public var attempt: Int
  public var queuedAt: SimTime
  public var startedAt: SimTime
  public var finishedAt: SimTime
  public var outcome: String
}

/// Why a deployment happened.
public enum DeploymentKind: String, Sendable {
  /// Carries ordinary changes.
  case planned
  /// An unplanned fix forward for an incident.
  case fix
  /// An unplanned rollback to the last good version.
  case rollback
}

/// How a deployment ended.
public enum DeploymentStatus: String, Sendable {
  /// Still syncing or rolling out at the end of the window.
  case inProgress = "in-progress"
  /// Reached production: every pod runs the new version.
  case succeeded
  /// New pods never became ready; users kept the old version.
  case stalled
  /// Replaced by a later deployment (a rollback) before it finished.
  case superseded
  /// A canary that its analysis (or a person) aborted: traffic went back to stable.
  case aborted
}

/// One deployment (Argo CD sync + rollout): the rows of `deployments` and
/// `deployment_changes`.
public struct DeploymentRecord: Sendable {
  public var id: DeploymentID
  public var service: ServiceID
  public var kind: DeploymentKind
  public var changes: [ChangeID]
  public var startedAt: SimTime
  public var finishedAt: SimTime?
  public var status: DeploymentStatus = .inProgress
  /// Defective changes in the code this deployment runs, cumulative.
  var codeDefects: [ChangeID]
  /// Whether it needed remediation (rollback or fix): DORA's failed deployment.
  public var neededRemediation = false
  public var rolledBack = false
  /// Why a canary was aborted, if it was.
  public var abortReason: String?
  /// An Argo canary exceeded `progressDeadlineSeconds` while its pods were slow or
  /// unplaceable and kept waiting (`progressDeadlineAbort: false`): Argo's Degraded.
  public var degraded = false
  /// Highest canary weight it reached, for canary strategies.
  public var maximumCanaryWeight: Int?
  /// Analyses that could not judge: Argo AnalysisRuns that ended in Error (a nil or
  /// empty result, a query error) and Flagger checks that found no value.
  public var analysisErrors = 0
}

/// How an incident was noticed.
public enum DetectionSource: String, Sendable {
  /// Users, dashboards or a colleague: the baseline without alerting.
  case humanNotice = "human-notice"
  /// A stalled rollout exceeded its progress deadline.
  case progressDeadline = "progress-deadline"
  /// A canary's AnalysisRun failed.
  case canaryAnalysis = "canary-analysis"
  /// A Prometheus alert routed by Alertmanager to `sim://rollback` or `sim://page`.
  case alert
}

/// How an incident was resolved.
public enum Resolution: String, Sendable {
  /// The canary was aborted: traffic went back to the stable version.
  case canaryAbort = "canary-abort"
  case rollback
  case fixForward = "fix-forward"
}

/// A production incident caused by a deployment, with its ground truth.
public struct IncidentRecord: Sendable {
  public var id: IncidentID
  public var service: ServiceID
  public var cause: DeploymentID
  public var rootCauses: [ChangeID]
  public var kind: DefectKind
  /// When it started hurting (ground truth): the defective version went live.
  public var openedAt: SimTime
  public var detectedAt: SimTime?
  public var detection: DetectionSource?
  /// When an alert first reached the platform about it (ground truth for alert quality).
  public var alertedAt: SimTime?
  public var respondedAt: SimTime?
  public var resolvedAt: SimTime?
  public var resolution: Resolution?
  public var failedRequests: Int64 = 0
}
