/// One `changes` row: a commit to main, with ground truth about its defect, shaped like
/// a Four Keys change (docs/SCHEMA.md).
public struct ChangeRow: ResultRow, Equatable {
  public static let table = ResultTable<ChangeRow>(
    "changes", perRun: true,
    columns: [
      .column("change_id", \.changeID),
      .column("source", \.source),
      .column("event_type", \.eventType),
      .column("team", \.team),
      .column("service", \.service),
      .column("author", \.author),
      .column("time_created", \.timeCreated),
      .column("defect_kind", \.defectKind),
      .column("defect_size", \.defectSize),
      .column("fixes_incident_id", \.fixesIncidentID),
      .column("artifact_ready_at", \.artifactReadyAt),
      .column("deploy_id", \.deploymentID),
      .column("deployed_at", \.deployedAt),
      .column("outcome", \.outcome),
      .column("promotes_model_version", \.promotesModelVersion),
    ])

  public var changeID: Int64
  /// `platformsim`.
  public var source: String
  /// `push`.
  public var eventType: String
  public var team: String
  public var service: String
  /// `team/engineer-N`.
  public var author: String
  /// Commit time.
  public var timeCreated: Double
  public var defectKind: String?
  public var defectSize: Double?
  public var fixesIncidentID: Int64?
  public var artifactReadyAt: Double?
  public var deploymentID: Int64?
  public var deployedAt: Double?
  public var outcome: String
  public var promotesModelVersion: Int64?

  @inlinable public init(
    changeID: Int64, source: String, eventType: String, team: String, service: String, author: String,
    timeCreated: Double, defectKind: String?, defectSize: Double?, fixesIncidentID: Int64?, artifactReadyAt: Double?,
    deploymentID: Int64?, deployedAt: Double?, outcome: String, promotesModelVersion: Int64?
  ) {
    self.changeID = changeID
    self.source = source
    self.eventType = eventType
    self.team = team
    self.service = service
    self.author = author
    self.timeCreated = timeCreated
    self.defectKind = defectKind
    self.defectSize = defectSize
    self.fixesIncidentID = fixesIncidentID
    self.artifactReadyAt = artifactReadyAt
    self.deploymentID = deploymentID
    self.deployedAt = deployedAt
    self.outcome = outcome
    self.promotesModelVersion = promotesModelVersion
  }

  public init(from row: RowReader<ChangeRow>) throws(RowDecodingError) {
    self.init(
      changeID: try row[\.changeID], source: try row[\.source], eventType: try row[\.eventType], team: try row[\.team],
      service: try row[\.service], author: try row[\.author], timeCreated: try row[\.timeCreated],
      defectKind: try row[\.defectKind], defectSize: try row[\.defectSize], fixesIncidentID: try row[\.fixesIncidentID],
      artifactReadyAt: try row[\.artifactReadyAt], deploymentID: try row[\.deploymentID],
      deployedAt: try row[\.deployedAt], outcome: try row[\.outcome],
      promotesModelVersion: try row[\.promotesModelVersion])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(changeID)
    row.append(source)
    row.append(eventType)
    row.append(team)
    row.append(service)
    row.append(author)
    row.append(timeCreated)
    row.append(defectKind)
    row.append(defectSize)
    row.append(fixesIncidentID)
    row.append(artifactReadyAt)
    row.append(deploymentID)
    row.append(deployedAt)
    row.append(outcome)
    row.append(promotesModelVersion)
  }
}

/// One `deployments` row: an Argo CD sync and the rollout that follows (docs/SCHEMA.md).
public struct DeploymentRow: ResultRow, Equatable {
  public static let table = ResultTable<DeploymentRow>(
    "deployments", perRun: true,
    columns: [
      .column("deploy_id", \.deploymentID),
      .column("source", \.source),
      .column("service", \.service),
      .column("kind", \.kind),
      .column("started_at", \.startedAt),
      .column("time_created", \.timeCreated),
      .column("status", \.status),
      .column("main_commit", \.mainCommit),
      .column("needed_remediation", \.neededRemediation),
      .column("rolled_back", \.rolledBack),
      .column("strategy", \.strategy),
      .column("max_canary_weight", \.maximumCanaryWeight),
      .column("abort_reason", \.abortReason),
      .column("degraded", \.degraded),
      .column("aborted_at", \.abortedAt),
    ])

  public var deploymentID: Int64
  /// `platformsim`.
  public var source: String
  public var service: String
  /// `planned`, `fix` or `rollback`.
  public var kind: String
  public var startedAt: Double
  /// Reached production; `nil` if it never did.
  public var timeCreated: Double?
  public var status: String
  public var mainCommit: Int64?
  public var neededRemediation: Bool
  public var rolledBack: Bool
  public var strategy: String
  public var maximumCanaryWeight: Int64?
  public var abortReason: String?
  public var degraded: Bool
  /// When an aborted canary's traffic went back to stable; `nil` otherwise.
  public var abortedAt: Double?

  @inlinable public init(
    deploymentID: Int64, source: String, service: String, kind: String, startedAt: Double, timeCreated: Double?,
    status: String, mainCommit: Int64?, neededRemediation: Bool, rolledBack: Bool, strategy: String,
    maximumCanaryWeight: Int64?, abortReason: String?, degraded: Bool,
    abortedAt: Double? = nil
  ) {
    self.deploymentID = deploymentID
    self.source = source
    self.service = service
    self.kind = kind
    self.startedAt = startedAt
    self.timeCreated = timeCreated
    self.status = status
    self.mainCommit = mainCommit
    self.neededRemediation = neededRemediation
    self.rolledBack = rolledBack
    self.strategy = strategy
    self.maximumCanaryWeight = maximumCanaryWeight
    self.abortReason = abortReason
    self.degraded = degraded
    self.abortedAt = abortedAt
  }

  public init(from row: RowReader<DeploymentRow>) throws(RowDecodingError) {
    self.init(
      deploymentID: try row[\.deploymentID], source: try row[\.source], service: try row[\.service],
      kind: try row[\.kind], startedAt: try row[\.startedAt], timeCreated: try row[\.timeCreated],
      status: try row[\.status], mainCommit: try row[\.mainCommit], neededRemediation: try row[\.neededRemediation],
      rolledBack: try row[\.rolledBack], strategy: try row[\.strategy],
      maximumCanaryWeight: try row[\.maximumCanaryWeight], abortReason: try row[\.abortReason],
      degraded: try row[\.degraded], abortedAt: try row[\.abortedAt])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(deploymentID)
    row.append(source)
    row.append(service)
    row.append(kind)
    row.append(startedAt)
    row.append(timeCreated)
    row.append(status)
    row.append(mainCommit)
    row.append(neededRemediation)
    row.append(rolledBack)
    row.append(strategy)
    row.append(maximumCanaryWeight)
    row.append(abortReason)
    row.append(degraded)
    row.append(abortedAt)
  }
}

/// One `deployment_changes` row: a change a deployment carried.
public struct DeploymentChangeRow: ResultRow, Equatable {
  public static let table = ResultTable<DeploymentChangeRow>(
    "deployment_changes", perRun: true,
    columns: [
      .column("deploy_id", \.deploymentID),
      .column("change_id", \.changeID),
    ])

  public var deploymentID: Int64
  public var changeID: Int64

  @inlinable public init(deploymentID: Int64, changeID: Int64) {
    self.deploymentID = deploymentID
    self.changeID = changeID
  }

  public init(from row: RowReader<DeploymentChangeRow>) throws(RowDecodingError) {
    self.init(deploymentID: try row[\.deploymentID], changeID: try row[\.changeID])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(deploymentID)
    row.append(changeID)
  }
}

/// One `incidents` row: a production incident, with ground truth (docs/SCHEMA.md).
public struct IncidentRow: ResultRow, Equatable {
  public static let table = ResultTable<IncidentRow>(
    "incidents", perRun: true,
    columns: [
      .column("incident_id", \.incidentID),
      .column("source", \.source),
      .column("service", \.service),
      .column("kind", \.kind),
      .column("cause_deploy_id", \.causeDeploymentID),
      .column("time_created", \.timeCreated),
      .column("detected_at", \.detectedAt),
      .column("detection", \.detection),
      .column("responded_at", \.respondedAt),
      .column("time_resolved", \.timeResolved),
      .column("resolution", \.resolution),
      .column("failed_requests", \.failedRequests),
      .column("alerted_at", \.alertedAt),
    ])

  public var incidentID: Int64
  /// `platformsim`.
  public var source: String
  public var service: String
  public var kind: String
  public var causeDeploymentID: Int64
  /// When it started hurting (ground truth).
  public var timeCreated: Double
  public var detectedAt: Double?
  public var detection: String?
  public var respondedAt: Double?
  public var timeResolved: Double?
  public var resolution: String?
  public var failedRequests: Int64
  public var alertedAt: Double?

  @inlinable public init(
    incidentID: Int64, source: String, service: String, kind: String, causeDeploymentID: Int64, timeCreated: Double,
    detectedAt: Double?, detection: String?, respondedAt: Double?, timeResolved: Double?, resolution: String?,
    failedRequests: Int64, alertedAt: Double?
  ) {
    self.incidentID = incidentID
    self.source = source
    self.service = service
    self.kind = kind
    self.causeDeploymentID = causeDeploymentID
    self.timeCreated = timeCreated
    self.detectedAt = detectedAt
    self.detection = detection
    self.respondedAt = respondedAt
    self.timeResolved = timeResolved
    self.resolution = resolution
    self.failedRequests = failedRequests
    self.alertedAt = alertedAt
  }

  public init(from row: RowReader<IncidentRow>) throws(RowDecodingError) {
    self.init(
      incidentID: try row[\.incidentID], source: try row[\.source], service: try row[\.service], kind: try row[\.kind],
      causeDeploymentID: try row[\.causeDeploymentID], timeCreated: try row[\.timeCreated],
      detectedAt: try row[\.detectedAt], detection: try row[\.detection], respondedAt: try row[\.respondedAt],
      timeResolved: try row[\.timeResolved], resolution: try row[\.resolution],
      failedRequests: try row[\.failedRequests], alertedAt: try row[\.alertedAt])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(incidentID)
    row.append(source)
    row.append(service)
    row.append(kind)
    row.append(causeDeploymentID)
    row.append(timeCreated)
    row.append(detectedAt)
    row.append(detection)
    row.append(respondedAt)
    row.append(timeResolved)
    row.append(resolution)
    row.append(failedRequests)
    row.append(alertedAt)
  }
}

/// One `incident_changes` row: a root-cause change of an incident.
public struct IncidentChangeRow: ResultRow, Equatable {
  public static let table = ResultTable<IncidentChangeRow>(
    "incident_changes", perRun: true,
    columns: [
      .column("incident_id", \.incidentID),
      .column("change_id", \.changeID),
    ])

  public var incidentID: Int64
  public var changeID: Int64

  @inlinable public init(incidentID: Int64, changeID: Int64) {
    self.incidentID = incidentID
    self.changeID = changeID
  }

  public init(from row: RowReader<IncidentChangeRow>) throws(RowDecodingError) {
    self.init(incidentID: try row[\.incidentID], changeID: try row[\.changeID])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(incidentID)
    row.append(changeID)
  }
}
