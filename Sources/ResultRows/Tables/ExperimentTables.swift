/// One `experiments` row: replications, a comparison, a sweep or a gate, grouping its
/// runs (docs/EXPERIMENTS.md).
public struct ExperimentRow: ResultRow, Equatable {
  public static let table = ResultTable<ExperimentRow>(
    "experiments", perRun: false,
    columns: [
      .column("id", \.id),
      .column("name", \.name),
      .column("kind", \.kind),
      .column("scenario_path", \.scenarioPath),
      .column("scenario_digest", \.scenarioDigest),
      .column("candidate_path", \.candidatePath),
      .column("candidate_digest", \.candidateDigest),
      .column("seed", \.seed),
      .column("replications", \.replications),
      .column("pairing", \.pairing),
      .column("confidence", \.confidence),
      .column("tool_version", \.toolVersion),
      .column("shard_index", \.shardIndex),
      .column("shard_count", \.shardCount),
      .column("created_at", \.createdAt),
      .column("tool_commit", \.toolCommit),
    ])

  /// The experiment's identity; `nil` before it is inserted.
  public var id: Int64?
  public var name: String
  /// `run`, `compare`, `sweep` or `gate`.
  public var kind: String
  public var scenarioPath: String
  public var scenarioDigest: String
  public var candidatePath: String?
  public var candidateDigest: String?
  /// The root seed's bits.
  public var seed: Int64
  public var replications: Int
  /// `common` or `independent`.
  public var pairing: String
  public var confidence: Double
  public var toolVersion: String
  public var shardIndex: Int
  public var shardCount: Int
  public var createdAt: String
  /// The git commit of the build that ran it; `nil` in rows from before schema version 9.
  public var toolCommit: String?

  @inlinable public init(
    id: Int64?, name: String, kind: String, scenarioPath: String, scenarioDigest: String, candidatePath: String?,
    candidateDigest: String?, seed: Int64, replications: Int, pairing: String, confidence: Double, toolVersion: String,
    shardIndex: Int, shardCount: Int, createdAt: String, toolCommit: String?
  ) {
    self.id = id
    self.name = name
    self.kind = kind
    self.scenarioPath = scenarioPath
    self.scenarioDigest = scenarioDigest
    self.candidatePath = candidatePath
    self.candidateDigest = candidateDigest
    self.seed = seed
    self.replications = replications
    self.pairing = pairing
    self.confidence = confidence
    self.toolVersion = toolVersion
    self.shardIndex = shardIndex
    self.shardCount = shardCount
    self.createdAt = createdAt
    self.toolCommit = toolCommit
  }

  public init(from row: RowReader<ExperimentRow>) throws(RowDecodingError) {
    self.init(
      id: try row[\.id], name: try row[\.name], kind: try row[\.kind], scenarioPath: try row[\.scenarioPath],
      scenarioDigest: try row[\.scenarioDigest], candidatePath: try row[\.candidatePath],
      candidateDigest: try row[\.candidateDigest], seed: try row[\.seed], replications: try row[\.replications],
      pairing: try row[\.pairing], confidence: try row[\.confidence], toolVersion: try row[\.toolVersion],
      shardIndex: try row[\.shardIndex], shardCount: try row[\.shardCount], createdAt: try row[\.createdAt],
      toolCommit: try row[\.toolCommit])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(id)
    row.append(name)
    row.append(kind)
    row.append(scenarioPath)
    row.append(scenarioDigest)
    row.append(candidatePath)
    row.append(candidateDigest)
    row.append(seed)
    row.append(replications)
    row.append(pairing)
    row.append(confidence)
    row.append(toolVersion)
    row.append(shardIndex)
    row.append(shardCount)
    row.append(createdAt)
    row.append(toolCommit)
  }
}

/// One `sweep_points` row: the value one sweep point gives one axis.
public struct SweepPointRow: ResultRow, Equatable {
  public static let table = ResultTable<SweepPointRow>(
    "sweep_points", perRun: false,
    columns: [
      .column("experiment_id", \.experimentID),
      .column("variant", \.variant),
      .column("axis", \.axis),
      .column("value", \.value),
    ])

  public var experimentID: Int64
  public var variant: String
  public var axis: String
  public var value: String

  @inlinable public init(experimentID: Int64, variant: String, axis: String, value: String) {
    self.experimentID = experimentID
    self.variant = variant
    self.axis = axis
    self.value = value
  }

  public init(from row: RowReader<SweepPointRow>) throws(RowDecodingError) {
    self.init(
      experimentID: try row[\.experimentID], variant: try row[\.variant], axis: try row[\.axis], value: try row[\.value]
    )
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(experimentID)
    row.append(variant)
    row.append(axis)
    row.append(value)
  }
}

/// One `experiment_kpis` row: a KPI's mean over a variant's replications, with its
/// confidence interval.
public struct ExperimentKPIRow: ResultRow, Equatable {
  public static let table = ResultTable<ExperimentKPIRow>(
    "experiment_kpis", perRun: false,
    columns: [
      .column("experiment_id", \.experimentID),
      .column("variant", \.variant),
      .column("kpi", \.kpi),
      .column("n", \.count),
      .column("mean", \.mean),
      .column("stddev", \.standardDeviation),
      .column("ci_low", \.confidenceLow),
      .column("ci_high", \.confidenceHigh),
    ])

  public var experimentID: Int64
  public var variant: String
  public var kpi: String
  /// Replications with a value.
  public var count: Int
  public var mean: Double?
  public var standardDeviation: Double?
  public var confidenceLow: Double?
  public var confidenceHigh: Double?

  @inlinable public init(
    experimentID: Int64, variant: String, kpi: String, count: Int, mean: Double?, standardDeviation: Double?,
    confidenceLow: Double?, confidenceHigh: Double?
  ) {
    self.experimentID = experimentID
    self.variant = variant
    self.kpi = kpi
    self.count = count
    self.mean = mean
    self.standardDeviation = standardDeviation
    self.confidenceLow = confidenceLow
    self.confidenceHigh = confidenceHigh
  }

  public init(from row: RowReader<ExperimentKPIRow>) throws(RowDecodingError) {
    self.init(
      experimentID: try row[\.experimentID], variant: try row[\.variant], kpi: try row[\.kpi], count: try row[\.count],
      mean: try row[\.mean], standardDeviation: try row[\.standardDeviation], confidenceLow: try row[\.confidenceLow],
      confidenceHigh: try row[\.confidenceHigh])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(experimentID)
    row.append(variant)
    row.append(kpi)
    row.append(count)
    row.append(mean)
    row.append(standardDeviation)
    row.append(confidenceLow)
    row.append(confidenceHigh)
  }
}

/// One `experiment_differences` row: a KPI's mean paired difference, candidate minus
/// baseline, with its confidence interval.
public struct ExperimentDifferenceRow: ResultRow, Equatable {
  public static let table = ResultTable<ExperimentDifferenceRow>(
    "experiment_differences", perRun: false,
    columns: [
      .column("experiment_id", \.experimentID),
      .column("baseline", \.baseline),
      .column("candidate", \.candidate),
      .column("kpi", \.kpi),
      .column("n", \.count),
      .column("mean_difference", \.meanDifference),
      .column("stddev", \.standardDeviation),
      .column("ci_low", \.confidenceLow),
      .column("ci_high", \.confidenceHigh),
    ])

  public var experimentID: Int64
  public var baseline: String
  public var candidate: String
  public var kpi: String
  /// Replication pairs with both values.
  public var count: Int
  public var meanDifference: Double?
  public var standardDeviation: Double?
  public var confidenceLow: Double?
  public var confidenceHigh: Double?

  @inlinable public init(
    experimentID: Int64, baseline: String, candidate: String, kpi: String, count: Int, meanDifference: Double?,
    standardDeviation: Double?, confidenceLow: Double?, confidenceHigh: Double?
  ) {
    self.experimentID = experimentID
    self.baseline = baseline
    self.candidate = candidate
    self.kpi = kpi
    self.count = count
    self.meanDifference = meanDifference
    self.standardDeviation = standardDeviation
    self.confidenceLow = confidenceLow
    self.confidenceHigh = confidenceHigh
  }

  public init(from row: RowReader<ExperimentDifferenceRow>) throws(RowDecodingError) {
    self.init(
      experimentID: try row[\.experimentID], baseline: try row[\.baseline], candidate: try row[\.candidate],
      kpi: try row[\.kpi], count: try row[\.count], meanDifference: try row[\.meanDifference],
      standardDeviation: try row[\.standardDeviation], confidenceLow: try row[\.confidenceLow],
      confidenceHigh: try row[\.confidenceHigh])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(experimentID)
    row.append(baseline)
    row.append(candidate)
    row.append(kpi)
    row.append(count)
    row.append(meanDifference)
    row.append(standardDeviation)
    row.append(confidenceLow)
    row.append(confidenceHigh)
  }
}

/// One `gate_results` row: a gate rule's verdict on an experiment.
public struct GateResultRow: ResultRow, Equatable {
  public static let table = ResultTable<GateResultRow>(
    "gate_results", perRun: false,
    columns: [
      .column("experiment_id", \.experimentID),
      .column("kpi", \.kpi),
      .column("rule", \.rule),
      .column("threshold", \.threshold),
      .column("observed", \.observed),
      .column("bound", \.bound),
      .column("passed", \.passed),
    ])

  public var experimentID: Int64
  public var kpi: String
  public var rule: String
  public var threshold: Double
  public var observed: Double?
  public var bound: Double?
  public var passed: Bool

  @inlinable public init(
    experimentID: Int64, kpi: String, rule: String, threshold: Double, observed: Double?, bound: Double?, passed: Bool
  ) {
    self.experimentID = experimentID
    self.kpi = kpi
    self.rule = rule
    self.threshold = threshold
    self.observed = observed
    self.bound = bound
    self.passed = passed
  }

  public init(from row: RowReader<GateResultRow>) throws(RowDecodingError) {
    self.init(
      experimentID: try row[\.experimentID], kpi: try row[\.kpi], rule: try row[\.rule],
      threshold: try row[\.threshold], observed: try row[\.observed], bound: try row[\.bound], passed: try row[\.passed]
    )
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(experimentID)
    row.append(kpi)
    row.append(rule)
    row.append(threshold)
    row.append(observed)
    row.append(bound)
    row.append(passed)
  }
}
