/// One `runner_jobs` row: a job on the CI runner pool (docs/SCHEMA.md).
///
/// Jobs still queued or running when the window closes get a row with `nil` times.
public struct RunnerJobRow: ResultRow, Equatable {
  public static let table = ResultTable<RunnerJobRow>(
    "runner_jobs", perRun: true, key: "job_id",
    columns: [
      .column("job_id", \.jobID),
      .column("source", \.source),
      .column("runner", \.runner),
      .column("queued_at", \.queuedAt),
      .column("started_at", \.startedAt),
      .column("finished_at", \.finishedAt),
      .column("wait_seconds", \.waitSeconds),
    ])

  /// Job number within the run, in order of submission.
  public var jobID: Int64
  /// `background` or `pipeline`.
  public var source: String
  /// The runner that ran it (0-based); `nil` if it never finished.
  public var runner: Int64?
  public var queuedAt: Double
  public var startedAt: Double?
  public var finishedAt: Double?
  public var waitSeconds: Double?

  @inlinable public init(
    jobID: Int64, source: String, runner: Int64?, queuedAt: Double, startedAt: Double?, finishedAt: Double?,
    waitSeconds: Double?
  ) {
    self.jobID = jobID
    self.source = source
    self.runner = runner
    self.queuedAt = queuedAt
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.waitSeconds = waitSeconds
  }

  public init(from row: RowReader<RunnerJobRow>) throws(RowDecodingError) {
    self.init(
      jobID: try row[\.jobID], source: try row[\.source], runner: try row[\.runner], queuedAt: try row[\.queuedAt],
      startedAt: try row[\.startedAt], finishedAt: try row[\.finishedAt], waitSeconds: try row[\.waitSeconds])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(jobID)
    row.append(source)
    row.append(runner)
    row.append(queuedAt)
    row.append(startedAt)
    row.append(finishedAt)
    row.append(waitSeconds)
  }
}

/// One `pipeline_stages` row: one attempt of a CI stage of a change.
public struct PipelineStageRow: ResultRow, Equatable {
  public static let table = ResultTable<PipelineStageRow>(
    "pipeline_stages", perRun: true,
    columns: [
      .column("change_id", \.changeID),
      .column("stage", \.stage),
      .column("attempt", \.attempt),
      .column("queued_at", \.queuedAt),
      .column("started_at", \.startedAt),
      .column("finished_at", \.finishedAt),
      .column("outcome", \.outcome),
    ])

  public var changeID: Int64
  public var stage: String
  /// 1 for the first attempt, 2+ for retries after flaky failures.
  public var attempt: Int
  public var queuedAt: Double
  public var startedAt: Double
  public var finishedAt: Double
  /// `passed`, `flaked` or `failed`.
  public var outcome: String

  @inlinable public init(
    changeID: Int64, stage: String, attempt: Int, queuedAt: Double, startedAt: Double, finishedAt: Double,
    outcome: String
  ) {
    self.changeID = changeID
    self.stage = stage
    self.attempt = attempt
    self.queuedAt = queuedAt
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.outcome = outcome
  }

  public init(from row: RowReader<PipelineStageRow>) throws(RowDecodingError) {
    self.init(
      changeID: try row[\.changeID], stage: try row[\.stage], attempt: try row[\.attempt],
      queuedAt: try row[\.queuedAt], startedAt: try row[\.startedAt], finishedAt: try row[\.finishedAt],
      outcome: try row[\.outcome])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(changeID)
    row.append(stage)
    row.append(attempt)
    row.append(queuedAt)
    row.append(startedAt)
    row.append(finishedAt)
    row.append(outcome)
  }
}

/// One `model_versions` row: a trained model version, from its training job to production.
public struct ModelVersionRow: ResultRow, Equatable {
  public static let table = ResultTable<ModelVersionRow>(
    "model_versions", perRun: true,
    columns: [
      .column("model_version", \.modelVersion),
      .column("team", \.team),
      .column("template", \.template),
      .column("training_job_id", \.trainingJobID),
      .column("training_submitted_at", \.trainingSubmittedAt),
      .column("registered_at", \.registeredAt),
      .column("promoted_at", \.promotedAt),
      .column("change_id", \.changeID),
      .column("deployed_at", \.deployedAt),
    ])

  public var modelVersion: Int
  public var team: String
  public var template: String
  public var trainingJobID: Int64
  public var trainingSubmittedAt: Double
  public var registeredAt: Double
  public var promotedAt: Double?
  /// The promotion change.
  public var changeID: Int64?
  public var deployedAt: Double?

  @inlinable public init(
    modelVersion: Int, team: String, template: String, trainingJobID: Int64, trainingSubmittedAt: Double,
    registeredAt: Double, promotedAt: Double?, changeID: Int64?, deployedAt: Double?
  ) {
    self.modelVersion = modelVersion
    self.team = team
    self.template = template
    self.trainingJobID = trainingJobID
    self.trainingSubmittedAt = trainingSubmittedAt
    self.registeredAt = registeredAt
    self.promotedAt = promotedAt
    self.changeID = changeID
    self.deployedAt = deployedAt
  }

  public init(from row: RowReader<ModelVersionRow>) throws(RowDecodingError) {
    self.init(
      modelVersion: try row[\.modelVersion], team: try row[\.team], template: try row[\.template],
      trainingJobID: try row[\.trainingJobID], trainingSubmittedAt: try row[\.trainingSubmittedAt],
      registeredAt: try row[\.registeredAt], promotedAt: try row[\.promotedAt], changeID: try row[\.changeID],
      deployedAt: try row[\.deployedAt])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(modelVersion)
    row.append(team)
    row.append(template)
    row.append(trainingJobID)
    row.append(trainingSubmittedAt)
    row.append(registeredAt)
    row.append(promotedAt)
    row.append(changeID)
    row.append(deployedAt)
  }
}

/// One `service_traffic` row: a service's requests over the run.
public struct ServiceTrafficRow: ResultRow, Equatable {
  public static let table = ResultTable<ServiceTrafficRow>(
    "service_traffic", perRun: true,
    columns: [
      .column("service", \.service),
      .column("team", \.team),
      .column("requests", \.requests),
      .column("failed_requests", \.failedRequests),
    ])

  public var service: String
  public var team: String
  public var requests: Int64
  public var failedRequests: Int64

  @inlinable public init(service: String, team: String, requests: Int64, failedRequests: Int64) {
    self.service = service
    self.team = team
    self.requests = requests
    self.failedRequests = failedRequests
  }

  public init(from row: RowReader<ServiceTrafficRow>) throws(RowDecodingError) {
    self.init(
      service: try row[\.service], team: try row[\.team], requests: try row[\.requests],
      failedRequests: try row[\.failedRequests])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(service)
    row.append(team)
    row.append(requests)
    row.append(failedRequests)
  }
}
