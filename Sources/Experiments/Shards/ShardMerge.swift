import Foundation
import ResultRows
import ResultStore

/// Combines the databases of an experiment's shards (`--shard i/n`) into one that is
/// indistinguishable from running the whole experiment on one machine.
///
/// Refuses, before writing anything, shards that overlap, are missing, or come from a
/// different experiment, build (version and commit) or schema. Writes into a temporary
/// file in the output's directory and renames it at the very end, so an interrupted
/// merge never leaves a partial database that looks complete. Runs are renumbered in plan order
/// (variant, then replication), as a single-machine experiment numbers them.
public enum ShardMerge {
  /// The result of a merge.
  public struct Summary: Sendable {
    public var experimentID: Int64
    public var runs: Int
    public var shards: Int
  }

  public static func merge(shardPaths: [String], into outputPath: String) throws(ExperimentError) -> Summary {
    guard !shardPaths.isEmpty else { throw .incompatibleShards("no shard databases given") }
    if FileManager.default.fileExists(atPath: outputPath) {
      throw .incompatibleShards("\(outputPath) already exists; merge writes a new database")
    }
    var shards: [(path: String, experiment: ExperimentRow)] = []
    for path in shardPaths {
      shards.append((path, try readShard(path)))
    }
    let first = shards[0].experiment
    for shard in shards.dropFirst() {
      let other = shard.experiment
      // The same build: equal version and equal commit (docs/EXPERIMENTS.md, "Shards").
      if other.toolVersion != first.toolVersion || other.toolCommit != first.toolCommit {
        throw .incompatibleShards(
          "\(shard.path) was written by PlatformSim \(build(other)), \(shards[0].path) by \(build(first))")
      }
      let same =
        other.name == first.name && other.kind == first.kind && other.scenarioDigest == first.scenarioDigest
        && other.candidateDigest == first.candidateDigest && other.seed == first.seed
        && other.replications == first.replications
        && other.pairing == first.pairing && other.confidence == first.confidence
        && other.shardCount == first.shardCount
      guard same else {
        throw .incompatibleShards(
          "\(shard.path) holds another experiment (\(other.kind) \"\(other.name)\", seed \(other.seed), "
            + "\(other.replications) replications in \(other.shardCount) shards) than \(shards[0].path) "
            + "(\(first.kind) \"\(first.name)\", seed \(first.seed), \(first.replications) replications in \(first.shardCount) shards)"
        )
      }
    }
    let indices = shards.map(\.experiment.shardIndex)
    var seen: Set<Int> = []
    for (shard, index) in zip(shards, indices) where !seen.insert(index).inserted {
      throw .incompatibleShards(
        "shard \(index)/\(first.shardCount) is given twice (again in \(shard.path)): shards overlap")
    }
    let missing = (0..<first.shardCount).filter { !seen.contains($0) }
    guard missing.isEmpty else {
      throw .incompatibleShards(
        "missing shard" + (missing.count == 1 ? " " : "s ")
          + missing.map { "\($0)/\(first.shardCount)" }.joined(separator: ", ")
          + " of \(first.shardCount)")
    }
    // Shard 0 holds every variant (it has replication 0), so its numbering gives the plan's variant order.
    let ordered = shards.sorted { $0.experiment.shardIndex < $1.experiment.shardIndex }

    let directory = URL(fileURLWithPath: outputPath).deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(
      ".\(URL(fileURLWithPath: outputPath).lastPathComponent).merging-\(getpid())"
    ).path
    removeDatabaseFiles(temporary)
    do {
      let summary = try write(ordered, to: temporary)
      guard rename(temporary, outputPath) == 0 else {
        throw ExperimentError.incompatibleShards("cannot rename \(temporary) to \(outputPath): errno \(errno)")
      }
      return summary
    } catch let error as ExperimentError {
      removeDatabaseFiles(temporary)
      throw error
    } catch let error as StoreError {
      removeDatabaseFiles(temporary)
      throw .store(error)
    } catch {
      removeDatabaseFiles(temporary)
      throw .incompatibleShards("\(error)")
    }
  }

  /// The single experiment of a shard database, after checking its schema version.
  static func readShard(_ path: String) throws(ExperimentError) -> ExperimentRow {
    guard FileManager.default.fileExists(atPath: path) else { throw .incompatibleShards("no database at \(path)") }
    // Shards are read immutable (nothing is created beside them), which ignores a write-ahead
    // log: a shard whose log still holds transactions is refused rather than read without them.
    if let bytes = SQLiteDatabase.pendingWriteAheadLogBytes(path) {
      throw .incompatibleShards(
        "\(path) has a write-ahead log (\(path)-wal, \(bytes) bytes) that is not folded in: the run writing it "
          + "is still open or was killed. Wait for it to finish, or fold the log in with "
          + "`sqlite3 \(path) 'PRAGMA wal_checkpoint(TRUNCATE)'` (a killed shard's runs then show as not completed)")
    }
    do {
      let database = try SQLiteDatabase(path: path, immutable: true)
      let version = Int(try database.scalar("PRAGMA user_version")?.intValue ?? 0)
      guard version == Schema.latestVersion else {
        throw ExperimentError.incompatibleShards(
          "\(path) has schema version \(version), this PlatformSim writes \(Schema.latestVersion): merge with the version that ran the shards"
        )
      }
      let store = try ResultStore(readingOnly: path, immutable: true)
      let experiments = try ExperimentStore.experiments(store: store)
      guard experiments.count == 1, let experiment = experiments.first, let id = experiment.id else {
        throw ExperimentError.incompatibleShards(
          "\(path) holds \(experiments.count) experiments; a shard database holds exactly one (run each shard into its own database)"
        )
      }
      let unfinished =
        try database.scalar(
          "SELECT count(*) FROM runs WHERE experiment_id = ? AND status <> 'completed'", [.integer(id)])?
        .intValue ?? 0
      guard unfinished == 0 else {
        throw ExperimentError.incompatibleShards(
          "\(path) has \(unfinished) runs that did not complete; rerun that shard")
      }
      return experiment
    } catch let error as ExperimentError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .incompatibleShards("\(path): \(error)")
    }
  }

  private static func write(_ shards: [(path: String, experiment: ExperimentRow)], to path: String) throws -> Summary {
    let store = try ResultStore(path: path)
    let database = store.database
    let first = shards[0].experiment
    let firstID = first.id ?? 0
    try database.execute("ATTACH DATABASE '\(sqlQuoted(SQLiteDatabase.immutableURI(shards[0].path)))' AS shard")
    try database.execute(
      """
      INSERT INTO experiments (id, name, kind, scenario_path, scenario_digest, candidate_path, candidate_digest, seed,
        replications, pairing, confidence, tool_version, shard_index, shard_count, created_at, tool_commit)
      SELECT 1, name, kind, scenario_path, scenario_digest, candidate_path, candidate_digest, seed, replications, pairing,
        confidence, tool_version, 0, 1, created_at, tool_commit FROM shard.experiments WHERE id = \(firstID);
      INSERT INTO sweep_points (experiment_id, variant, axis, value)
      SELECT 1, variant, axis, value FROM shard.sweep_points WHERE experiment_id = \(firstID) ORDER BY rowid;
      """)
    let variants = ExperimentStore.variants(
      of: try database.rows(RunRow.self, where: "experiment_id = ?", [.integer(firstID)], schema: "shard"))
    try database.execute("DETACH DATABASE shard")

    // Every run of every shard, in plan order: (variant, replication).
    var all: [(variantIndex: Int, replication: Int64, shard: Int, oldID: Int64)] = []
    for (shardIndex, shard) in shards.enumerated() {
      try database.execute("ATTACH DATABASE '\(sqlQuoted(SQLiteDatabase.immutableURI(shard.path)))' AS shard")
      for run in try database.rows(
        RunRow.self, where: "experiment_id = ?", [.integer(shard.experiment.id ?? 0)], orderBy: "id", schema: "shard")
      {
        guard let variant = run.variant, let variantIndex = variants.firstIndex(of: variant) else {
          throw ExperimentError.incompatibleShards("\(shard.path) has runs of a variant shard 0 lacks")
        }
        let replication = Int64(run.replication)
        guard replication >= 0, Int(replication) % first.shardCount == shard.experiment.shardIndex else {
          throw ExperimentError.incompatibleShards(
            "\(shard.path) holds replication \(replication), which is not in shard \(shard.experiment.shardIndex)/\(first.shardCount)"
          )
        }
        all.append((variantIndex, replication, shardIndex, run.id ?? 0))
      }
      try database.execute("DETACH DATABASE shard")
    }
    all.sort { ($0.variantIndex, $0.replication) < ($1.variantIndex, $1.replication) }
    let expected = first.replications * variants.count
    guard all.count == expected else {
      throw ExperimentError.incompatibleShards("the shards hold \(all.count) runs, the experiment has \(expected)")
    }

    let tables = ResultTables.all.filter(\.isPerRun)
    let runColumns = RunRow.table.columns.map(\.name).filter { $0 != "id" && $0 != "experiment_id" }
    for (shardIndex, shard) in shards.enumerated() {
      // ATTACH is not allowed inside a transaction: one transaction per shard.
      try database.execute("ATTACH DATABASE '\(sqlQuoted(SQLiteDatabase.immutableURI(shard.path)))' AS shard")
      try database.transaction { () throws(StoreError) in
        try database.execute("CREATE TEMP TABLE id_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        let insert = try database.prepare("INSERT INTO id_map (old, new) VALUES (?, ?)")
        for (position, run) in all.enumerated() where run.shard == shardIndex {
          insert.reset()
          insert.bind(run.oldID, at: 1)
          insert.bind(Int64(position + 1), at: 2)
          try insert.step()
        }
        let list = runColumns.joined(separator: ", ")
        let qualified = runColumns.map { "r.\($0)" }.joined(separator: ", ")
        try database.execute(
          """
          INSERT INTO main.runs (id, experiment_id, \(list))
          SELECT m.new, 1, \(qualified) FROM shard.runs r JOIN id_map m ON m.old = r.id ORDER BY m.new
          """)
        for table in tables {
          let columns = table.storedColumns.map(\.name)
          let selected = columns.map { $0 == "run_id" ? "m.new" : "t.\($0)" }.joined(separator: ", ")
          try database.execute(
            """
            INSERT INTO main.\(table.name) (\(columns.joined(separator: ", ")))
            SELECT \(selected) FROM shard.\(table.name) t JOIN id_map m ON m.old = t.run_id ORDER BY m.new, t.\(table.rowOrder)
            """)
        }
        try database.execute("DROP TABLE id_map")
      }
      try database.execute("DETACH DATABASE shard")
    }
    try ExperimentStore.writeSummaries(experimentID: 1, store: store)
    // One self-contained file: fold the write-ahead log in before the rename.
    try database.execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
    return Summary(experimentID: 1, runs: all.count, shards: shards.count)
  }

  /// A shard's build as messages name it: `0.2.0 (commit 1a2b…)`.
  private static func build(_ experiment: ExperimentRow) -> String {
    "\(experiment.toolVersion) (commit \(experiment.toolCommit ?? "not recorded"))"
  }

  private static func sqlQuoted(_ text: String) -> String { text.replacingOccurrences(of: "'", with: "''") }

  private static func removeDatabaseFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
  }
}
