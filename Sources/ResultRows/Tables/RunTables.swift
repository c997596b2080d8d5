/// How a run ended, as stored in `runs.status`.
public enum RunStatus: String, Sendable, ColumnValue {
  /// Still going, or killed before it could say otherwise: never mistaken for completed.
  case running
  case completed
  case failed
  /// Cut short by a guard (event count or wall clock); the reason is recorded.
  case stopped
}

/// One `runs` row: a run's identity, what it simulated and how it ended (docs/SCHEMA.md).
///
/// The results store inserts it as `running` before any other row of the run and sets
/// the ending columns last; the model never writes it.
public struct RunRow: ResultRow, Equatable {
  public static let table = ResultTable<RunRow>(
    "runs", perRun: false,
    columns: [
      .column("id", \.id),
      .column("scenario_name", \.scenarioName),
      .column("scenario_path", \.scenarioPath),
      .column("scenario_digest", \.scenarioDigest),
      .column("seed", \.seed),
      .column("replication", \.replication),
      .column("tool_version", \.toolVersion),
      .column("time_zone", \.timeZone),
      .column("sim_start_at", \.simulatedStartAt),
      .column("sim_end_at", \.simulatedEndAt),
      .column("sim_reached_at", \.simulatedReachedAt),
      .column("wall_seconds", \.wallSeconds),
      .column("event_count", \.eventCount),
      .column("status", \.status),
      .column("stop_reason", \.stopReason),
      .column("error_message", \.errorMessage),
      .column("created_at", \.createdAt),
      .column("process_id", \.processID),
      .column("experiment_id", \.experimentID),
      .column("variant", \.variant),
      .column("tool_commit", \.toolCommit),
    ])

  /// The run's identity; `nil` before it is inserted (SQLite assigns it).
  public var id: Int64?
  public var scenarioName: String
  public var scenarioPath: String
  public var scenarioDigest: String
  /// The root seed's bits (`Int64(bitPattern:)` of the `UInt64`).
  public var seed: Int64
  public var replication: Int
  public var toolVersion: String
  public var timeZone: String
  public var simulatedStartAt: Double
  public var simulatedEndAt: Double
  public var simulatedReachedAt: Double?
  public var wallSeconds: Double?
  public var eventCount: Int?
  public var status: RunStatus
  public var stopReason: String?
  public var errorMessage: String?
  public var createdAt: String
  public var processID: Int64?
  public var experimentID: Int64?
  public var variant: String?
  /// The git commit of the build that wrote the run (`ToolCommit`); `nil` in rows from
  /// before schema version 9.
  public var toolCommit: String?

  @inlinable public init(
    id: Int64?, scenarioName: String, scenarioPath: String, scenarioDigest: String, seed: Int64, replication: Int,
    toolVersion: String, timeZone: String, simulatedStartAt: Double, simulatedEndAt: Double,
    simulatedReachedAt: Double?, wallSeconds: Double?, eventCount: Int?, status: RunStatus, stopReason: String?,
    errorMessage: String?, createdAt: String, processID: Int64?, experimentID: Int64?, variant: String?,
    toolCommit: String? = nil
  ) {
    self.id = id
    self.scenarioName = scenarioName
    self.scenarioPath = scenarioPath
    self.scenarioDigest = scenarioDigest
    self.seed = seed
    self.replication = replication
    self.toolVersion = toolVersion
    self.timeZone = timeZone
    self.simulatedStartAt = simulatedStartAt
    self.simulatedEndAt = simulatedEndAt
    self.simulatedReachedAt = simulatedReachedAt
    self.wallSeconds = wallSeconds
    self.eventCount = eventCount
    self.status = status
    self.stopReason = stopReason
    self.errorMessage = errorMessage
    self.createdAt = createdAt
    self.processID = processID
    self.experimentID = experimentID
    self.variant = variant
    self.toolCommit = toolCommit
  }

  public init(from row: RowReader<RunRow>) throws(RowDecodingError) {
    self.init(
      id: try row[\.id], scenarioName: try row[\.scenarioName], scenarioPath: try row[\.scenarioPath],
      scenarioDigest: try row[\.scenarioDigest], seed: try row[\.seed], replication: try row[\.replication],
      toolVersion: try row[\.toolVersion], timeZone: try row[\.timeZone], simulatedStartAt: try row[\.simulatedStartAt],
      simulatedEndAt: try row[\.simulatedEndAt], simulatedReachedAt: try row[\.simulatedReachedAt],
      wallSeconds: try row[\.wallSeconds], eventCount: try row[\.eventCount], status: try row[\.status],
      stopReason: try row[\.stopReason], errorMessage: try row[\.errorMessage], createdAt: try row[\.createdAt],
      processID: try row[\.processID], experimentID: try row[\.experimentID], variant: try row[\.variant],
      toolCommit: try row[\.toolCommit])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(id)
    row.append(scenarioName)
    row.append(scenarioPath)
    row.append(scenarioDigest)
    row.append(seed)
    row.append(replication)
    row.append(toolVersion)
    row.append(timeZone)
    row.append(simulatedStartAt)
    row.append(simulatedEndAt)
    row.append(simulatedReachedAt)
    row.append(wallSeconds)
    row.append(eventCount)
    row.append(status.rawValue)
    row.append(stopReason)
    row.append(errorMessage)
    row.append(createdAt)
    row.append(processID)
    row.append(experimentID)
    row.append(variant)
    row.append(toolCommit)
  }
}

/// One `run_metrics` row: a whole-run figure of a component (a count, a mean, a cost),
/// named `component.metric`.
public struct RunMetric: ResultRow, Equatable {
  public static let table = ResultTable<RunMetric>(
    "run_metrics", perRun: true,
    columns: [
      .column("name", \.name),
      .column("value", \.value),
      .column("unit", \.unit),
    ])

  public var name: String
  /// `nil` when undefined, such as a mean over nothing.
  public var value: Double?
  public var unit: String

  @inlinable public init(name: String, value: Double?, unit: String) {
    self.name = name
    self.value = value
    self.unit = unit
  }

  public init(from row: RowReader<RunMetric>) throws(RowDecodingError) {
    self.init(name: try row[\.name], value: try row[\.value], unit: try row[\.unit])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(name)
    row.append(value)
    row.append(unit)
  }
}

/// One `kpis` row: a KPI of the run against the platform's target (docs/KPIS.md).
public struct KPIRow: ResultRow, Equatable {
  public static let table = ResultTable<KPIRow>(
    "kpis", perRun: true,
    columns: [
      .column("name", \.name),
      .column("value", \.value),
      .column("value_text", \.valueText),
      .column("unit", \.unit),
      .column("target", \.target),
      .column("comparison", \.comparison),
      .column("met", \.met),
      .column("definition_source", \.definitionSource),
    ])

  public var name: String
  public var value: Double?
  /// Text instead of a number, for categorical KPIs such as the Four Keys bucket.
  public var valueText: String?
  public var unit: String
  public var target: Double?
  /// `>=`, `>` or `<`: how `value` is held against `target`.
  public var comparison: String?
  /// Met, missed, or `nil` without a target or a value.
  public var met: Bool?
  /// Whose definition the KPI follows: `dora`, `fourkeys`, `platform-brief` or
  /// `platformsim` (docs/KPIS.md); `nil` in rows written before it was recorded.
  public var definitionSource: String?

  @inlinable public init(
    name: String, value: Double?, valueText: String?, unit: String, target: Double?, comparison: String?, met: Bool?,
    definitionSource: String? = nil
  ) {
    self.name = name
    self.value = value
    self.valueText = valueText
    self.unit = unit
    self.target = target
    self.comparison = comparison
    self.met = met
    self.definitionSource = definitionSource
  }

  public init(from row: RowReader<KPIRow>) throws(RowDecodingError) {
    self.init(
      name: try row[\.name], value: try row[\.value], valueText: try row[\.valueText], unit: try row[\.unit],
      target: try row[\.target], comparison: try row[\.comparison], met: try row[\.met],
      definitionSource: try row[\.definitionSource])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(name)
    row.append(value)
    row.append(valueText)
    row.append(unit)
    row.append(target)
    row.append(comparison)
    row.append(met)
    row.append(definitionSource)
  }
}
