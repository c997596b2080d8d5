import CSQLite
import Hashing
import ResultRows

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
  /// The git commit of the build (`runs.tool_commit`), `nil` when the writer does not know it.
  public var toolCommit: String?

  public init(
    scenarioName: String, scenarioPath: String, scenarioDigest: String, seed: UInt64, replication: Int,
    toolVersion: String, timeZone: String, simulatedStartEpochSeconds: Double, simulatedEndEpochSeconds: Double,
    experimentID: Int64? = nil, variant: String? = nil, toolCommit: String? = nil
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
    self.toolCommit = toolCommit
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

/// The SQLite results database: schema, run rows, a sink for a run's rows, typed
/// reads, digests.
///
/// A run row is inserted as `running` (``beginRun(_:createdAt:)``) and committed before
/// any result is written, and only given its final status (``finishRun(_:_:)``) at the
/// very end, by `SimulationRun`; a run that fails or is killed never looks completed.
/// WAL mode and `BEGIN IMMEDIATE` with a busy timeout let several `platformsim`
/// processes write to one file at once without losing a run.
public final class ResultStore {
  public let database: SQLiteDatabase
  public var path: String { database.path }

  /// Opens or creates the database at `path` and brings its schema up to date.
  ///
  /// A file or directory this process may not write is refused here, before any run starts
  /// (exit 2 in the CLI): SQLite would otherwise open a write-protected file read-only and
  /// fail only at the first insert, and it needs the directory for its `-wal` and `-shm` files.
  public init(path: String) throws(StoreError) {
    database = try SQLiteDatabase(path: path)
    if let reason = Self.unwritableReason(database, path: path) {
      throw StoreError(kind: .cannotOpen, path: path, message: reason, sql: nil, resultCode: SQLITE_READONLY)
    }
    do {
      try Schema.migrate(database)
    } catch let error where error.kind == .statementFailed && error.resultCode & 0xFF == 8 {
      // SQLITE_READONLY while migrating: the file or its directory is not writable.
      throw StoreError(kind: .cannotOpen, path: path, message: error.message, sql: nil, resultCode: error.resultCode)
    }
  }

  /// Why this process cannot write the database at `path`, or nil when it can.
  private static func unwritableReason(_ database: SQLiteDatabase, path: String) -> String? {
    if database.isReadOnly { return "the file is read-only for this user" }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    if access(directory, W_OK) != 0 {
      return
        "its directory \(directory) is not writable for this user (SQLite keeps its -wal and -shm files beside the database)"
    }
    return nil
  }

  /// Opens the database at `path` for reading only: nothing is created, migrated or
  /// written (`platformsim serve`, `export`).
  ///
  /// A schema newer than this PlatformSim's is refused (``StoreError/Kind/schemaTooNew(found:supported:)``),
  /// and so is an older one, which only a writing open can bring up to date.
  ///
  /// `immutable` reads a finished database without creating anything beside it
  /// (``SQLiteDatabase/immutableURI(_:)``).
  public init(readingOnly path: String, immutable: Bool = false) throws(StoreError) {
    database = try SQLiteDatabase(path: path, readOnly: true, immutable: immutable)
    let version = Int(try database.scalar("PRAGMA user_version")?.intValue ?? 0)
    if version > Schema.latestVersion {
      throw StoreError(
        kind: .schemaTooNew(found: version, supported: Schema.latestVersion), path: path, message: "schema too new",
        sql: nil, resultCode: 0)
    }
    if version < Schema.latestVersion {
      throw StoreError(
        kind: .notADatabase, path: path,
        message: version == 0
          ? "it has no PlatformSim tables"
          : "its schema version \(version) is older than this platformsim's \(Schema.latestVersion); "
            + "open it once with a writing command (e.g. `platformsim report`) to bring it up to date",
        sql: nil, resultCode: 0)
    }
  }

  /// Inserts a `running` row and commits it.
  public func beginRun(_ start: RunStart, createdAt: String) throws(StoreError) -> RunID {
    try database.transaction { () throws(StoreError) in
      try database.insert([RunRow(start, createdAt: createdAt, processID: Int64(getpid()))])
      return RunID(database.lastInsertRowID)
    }
  }

  /// Records how a run ended.
  ///
  /// Call after all its rows are written.
  public func finishRun(_ run: RunID, _ finish: RunFinish) throws(StoreError) {
    let assignments: [(column: PartialKeyPath<RunRow>, value: SQLValue)] = [
      (\.status, finish.status.storedValue),
      (\.simulatedReachedAt, finish.simulatedReachedEpochSeconds.storedValue),
      (\.wallSeconds, finish.wallSeconds.storedValue),
      (\.eventCount, finish.eventCount.storedValue),
      (\.stopReason, finish.stopReason.storedValue),
      (\.errorMessage, finish.errorMessage.storedValue),
    ]
    let table = RunRow.table
    let list = assignments.map { "\(table.column($0.column).name) = ?" }.joined(separator: ", ")
    try database.transaction { () throws(StoreError) in
      let statement = try database.prepare("UPDATE \(table.name) SET \(list) WHERE \(table.column(\.id).name) = ?")
      for (index, assignment) in assignments.enumerated() { statement.bind(assignment.value, at: Int32(index + 1)) }
      statement.bind(run.rawValue, at: Int32(assignments.count + 1))
      try statement.step()
    }
  }

  /// A sink that writes a run's rows into this database.
  public func runSink(for run: RunID) -> SQLiteRunSink { SQLiteRunSink(store: self, runID: run) }

  /// The rows of `Row`'s per-run table that `run` wrote, read by column name.
  ///
  /// - Parameters:
  ///   - condition: more of the `WHERE` clause, with `?` for each of `arguments`.
  ///   - order: a SQL `ORDER BY` list; by default the table's key for a table stored by
  ///     its key (`runner_jobs`: `job_id`), else the order the rows were written in.
  public func rows<Row: ResultRow>(
    _ type: Row.Type, run: RunID, where condition: String? = nil, _ arguments: [SQLValue] = [],
    orderBy order: String? = nil
  ) throws(StoreError) -> [Row] {
    precondition(Row.table.description.isPerRun, "\(Row.table.name) is not a per-run table")
    return try database.rows(
      Row.self, where: "run_id = ?" + (condition.map { " AND (\($0))" } ?? ""), [.integer(run.rawValue)] + arguments,
      orderBy: order ?? Row.table.description.rowOrder)
  }

  /// The status column of a run.
  public func status(of run: RunID) throws(StoreError) -> RunStatus? {
    try database.rows(RunRow.self, where: "id = ?", [.integer(run.rawValue)]).first?.status
  }

  /// Names of the tables that hold per-run rows (a `run_id` column), sorted.
  public func perRunTables() throws(StoreError) -> [String] {
    let tables = try database.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
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
    var hasher = ContentHash()
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

extension RunRow {
  /// The `running` row of a run about to start.
  init(_ start: RunStart, createdAt: String, processID: Int64) {
    self.init(
      id: nil, scenarioName: start.scenarioName, scenarioPath: start.scenarioPath, scenarioDigest: start.scenarioDigest,
      seed: Int64(bitPattern: start.seed), replication: start.replication, toolVersion: start.toolVersion,
      timeZone: start.timeZone, simulatedStartAt: start.simulatedStartEpochSeconds,
      simulatedEndAt: start.simulatedEndEpochSeconds, simulatedReachedAt: nil, wallSeconds: nil, eventCount: nil,
      status: .running, stopReason: nil, errorMessage: nil, createdAt: createdAt, processID: processID,
      experimentID: start.experimentID, variant: start.variant, toolCommit: start.toolCommit)
  }
}
