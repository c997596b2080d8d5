import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The identity of a stored run.
public struct RunID: Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  public var description: String { String(rawValue) }
}

/// How a run ended, as stored in `runs.status`.
public enum RunStatus: String, Sendable {
  /// Still going, or killed before it could say otherwise: never mistaken for completed.
  case running
  case completed
  case failed
  /// Cut short by a guard (event count or wall clock); the reason is recorded.
  case stopped
}

/// What is known about a run when it starts.
public struct RunStart: Sendable {
  public var scenarioName: String
  public var scenarioPath: String
  public var scenarioDigest: String
  public var seed: UInt64
  public var replication: Int
  public var toolVersion: String
  public var timeZone: String
  public var simulatedStartEpochSeconds: Double
  public var simulatedEndEpochSeconds: Double
  /// The experiment the run belongs to (`runs.experiment_id`); `nil` for a lone run.
  public var experimentID: Int64?
  /// Which alternative of the experiment it ran: `scenario`, `baseline`, `candidate`, a sweep point.
  public var variant: String?

  public init(
    scenarioName: String, scenarioPath: String, scenarioDigest: String, seed: UInt64, replication: Int,
    toolVersion: String, timeZone: String, simulatedStartEpochSeconds: Double, simulatedEndEpochSeconds: Double,
    experimentID: Int64? = nil, variant: String? = nil
  ) {
    self.scenarioName = scenarioName
    self.scenarioPath = scenarioPath
    self.scenarioDigest = scenarioDigest
    self.seed = seed
    self.replication = replication
    self.toolVersion = toolVersion
    self.timeZone = timeZone
    self.simulatedStartEpochSeconds = simulatedStartEpochSeconds
    self.simulatedEndEpochSeconds = simulatedEndEpochSeconds
    self.experimentID = experimentID
    self.variant = variant
  }
}

/// What is known about a run when it ends.
public struct RunFinish: Sendable {
  public var status: RunStatus
  public var simulatedReachedEpochSeconds: Double?
  public var wallSeconds: Double
  public var eventCount: Int
  public var stopReason: String?
  public var errorMessage: String?

  public init(
    status: RunStatus, simulatedReachedEpochSeconds: Double?, wallSeconds: Double, eventCount: Int,
    stopReason: String?, errorMessage: String?
  ) {
    self.status = status
    self.simulatedReachedEpochSeconds = simulatedReachedEpochSeconds
    self.wallSeconds = wallSeconds
    self.eventCount = eventCount
    self.stopReason = stopReason
    self.errorMessage = errorMessage
  }
}

/// A metric of a whole run (`run_metrics`): a KPI, a mean, a count.
public struct RunMetric: Sendable, Equatable {
  public var name: String
  public var value: Double?
  public var unit: String
  public init(name: String, value: Double?, unit: String) {
    self.name = name
    self.value = value
    self.unit = unit
  }
}

/// The SQLite results database: schema, run lifecycle, batched row writers, digests.
///
/// A run row is inserted as `running` and committed before any result is written, and
/// only turned `completed` at the very end; a run that fails or is killed never looks
/// completed. WAL mode and `BEGIN IMMEDIATE` with a busy timeout let several
/// `platformsim` processes write to one file at once without losing a run.
public final class ResultStore {
  public let database: SQLiteDatabase
  public var path: String { database.path }

  /// Opens or creates the database at `path` and brings its schema up to date.
  public init(path: String) throws(StoreError) {
    database = try SQLiteDatabase(path: path)
    do {
      try Schema.migrate(database)
    } catch let error where error.kind == .statementFailed && error.resultCode & 0xFF == 8 {
      // SQLITE_READONLY while migrating: the file or its directory is not writable.
      throw StoreError(kind: .cannotOpen, path: path, message: error.message, sql: nil, resultCode: error.resultCode)
    }
  }

  /// Inserts a `running` row and commits it.
  public func beginRun(_ start: RunStart, createdAt: String) throws(StoreError) -> RunID {
    try database.transaction { () throws(StoreError) in
      let statement = try database.prepare(
        """
        INSERT INTO runs (scenario_name, scenario_path, scenario_digest, seed, replication, tool_version,
          time_zone, sim_start_at, sim_end_at, status, created_at, process_id, experiment_id, variant)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
        """)
      statement.bind(start.scenarioName, at: 1)
      statement.bind(start.scenarioPath, at: 2)
      statement.bind(start.scenarioDigest, at: 3)
      statement.bind(Int64(bitPattern: start.seed), at: 4)
      statement.bind(Int64(start.replication), at: 5)
      statement.bind(start.toolVersion, at: 6)
      statement.bind(start.timeZone, at: 7)
      statement.bind(start.simulatedStartEpochSeconds, at: 8)
      statement.bind(start.simulatedEndEpochSeconds, at: 9)
      statement.bind(createdAt, at: 10)
      statement.bind(Int64(getpid()), at: 11)
      if let experiment = start.experimentID { statement.bind(experiment, at: 12) } else { statement.bindNull(at: 12) }
      if let variant = start.variant { statement.bind(variant, at: 13) } else { statement.bindNull(at: 13) }
      try statement.step()
      return RunID(database.lastInsertRowID)
    }
  }

  /// Records how a run ended. Call after all its rows are flushed.
  public func finishRun(_ run: RunID, _ finish: RunFinish) throws(StoreError) {
    try database.transaction { () throws(StoreError) in
      let statement = try database.prepare(
        """
        UPDATE runs SET status = ?, sim_reached_at = ?, wall_seconds = ?, event_count = ?,
          stop_reason = ?, error_message = ? WHERE id = ?
        """)
      statement.bind(finish.status.rawValue, at: 1)
      if let reached = finish.simulatedReachedEpochSeconds { statement.bind(reached, at: 2) } else { statement.bindNull(at: 2) }
      statement.bind(finish.wallSeconds, at: 3)
      statement.bind(Int64(finish.eventCount), at: 4)
      if let reason = finish.stopReason { statement.bind(reason, at: 5) } else { statement.bindNull(at: 5) }
      if let message = finish.errorMessage { statement.bind(message, at: 6) } else { statement.bindNull(at: 6) }
      statement.bind(run.rawValue, at: 7)
      try statement.step()
    }
  }

  /// Writes a run's whole-run metrics.
  public func writeMetrics(_ metrics: [RunMetric], for run: RunID) throws(StoreError) {
    let writer = tableWriter("run_metrics", columns: ["run_id", "name", "value", "unit"])
    for metric in metrics {
      writer.append(run.rawValue)
      writer.append(metric.name)
      writer.append(metric.value)
      writer.append(metric.unit)
      try writer.endRow()
    }
    try writer.flush()
  }

  /// A batched writer for `table`; the caller appends `columns.count` fields per row.
  public func tableWriter(_ table: String, columns: [String], rowsPerFlush: Int = 20_000) -> TableWriter {
    TableWriter(database: database, table: table, columns: columns, rowsPerFlush: rowsPerFlush)
  }

  /// The status column of a run.
  public func status(of run: RunID) throws(StoreError) -> RunStatus? {
    try database.scalar("SELECT status FROM runs WHERE id = ?", [.integer(run.rawValue)])?.stringValue
      .flatMap(RunStatus.init(rawValue:))
  }

  /// Names of the tables that hold per-run rows (a `run_id` column), sorted.
  public func perRunTables() throws(StoreError) -> [String] {
    let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .compactMap { $0.first?.stringValue }
    var result: [String] = []
    for table in tables where try columns(of: table).contains("run_id") { result.append(table) }
    return result
  }

  public func columns(of table: String) throws(StoreError) -> [String] {
    try database.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
      .compactMap { $0.first?.stringValue }
  }

  /// A SHA-256 fingerprint of everything a run wrote, per table, leaving out identity
  /// and wall-clock columns.
  ///
  /// Two runs of the same scenario and seed must have equal digests in every table;
  /// this is how determinism is tested. Rows are ordered by all their columns, so the
  /// digest does not depend on insertion order within a table.
  public func digest(of run: RunID) throws(StoreError) -> [String: String] {
    var digests: [String: String] = [:]
    let runColumns = try columns(of: "runs").filter { !Schema.nondeterministicColumns.contains($0) }
    digests["runs"] = try digestRows(
      "SELECT \(runColumns.joined(separator: ", ")) FROM runs WHERE id = ?", run: run)
    for table in try perRunTables() {
      let kept = try columns(of: table).filter { !Schema.nondeterministicColumns.contains($0) }
      guard !kept.isEmpty else { continue }
      let list = kept.joined(separator: ", ")
      digests[table] = try digestRows("SELECT \(list) FROM \(table) WHERE run_id = ? ORDER BY \(list)", run: run)
    }
    return digests
  }

  private func digestRows(_ sql: String, run: RunID) throws(StoreError) -> String {
    let statement = try database.prepare(sql)
    statement.bind(run.rawValue, at: 1)
    var hasher = SHA256()
    while try statement.step() {
      for column in 0..<statement.columnCount {
        switch statement.value(at: column) {
        case .null: hasher.update("N|")
        case .integer(let value): hasher.update("I\(value)|")
        case .real(let value): hasher.update("R\(value.bitPattern)|")
        case .text(let value): hasher.update("T\(value.utf8.count):\(value)|")
        }
      }
      hasher.update("\n")
    }
    return hasher.finalizeHex()
  }
}
