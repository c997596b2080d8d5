import PlatformModel
import ResultStore

/// An experiment as stored in the `experiments` table.
public struct ExperimentRecord: Sendable, Equatable {
  public var id: Int64
  public var name: String
  public var kind: String
  public var scenarioDigest: String
  public var candidateDigest: String?
  public var seed: Int64
  public var replications: Int
  public var pairing: String
  public var confidence: Double
  public var toolVersion: String
  public var shardIndex: Int
  public var shardCount: Int
}

/// Per-replication KPI values of an experiment, read back from its runs.
///
/// Values come from the database, not from memory, so an experiment merged from
/// shards is summarised by exactly the same code as one run on a single machine.
public struct ExperimentObservations: Sendable {
  /// Variants in plan order (the order their first runs were numbered in).
  public var variants: [String]
  /// KPI names: `kpis.name` values in the order runs write them, then `run_metrics.name` values.
  public var kpiNames: [String]
  /// variant → KPI → replication → value.
  var values: [String: [String: [Int: Double]]]

  public func values(variant: String, kpi: String) -> [Int: Double] { values[variant]?[kpi] ?? [:] }

  /// Values in replication order.
  public func orderedValues(variant: String, kpi: String) -> [Double] {
    let byReplication = values(variant: variant, kpi: kpi)
    return byReplication.keys.sorted().compactMap { byReplication[$0] }
  }
}

/// Reads and writes the experiment tables: `experiments`, `sweep_points`,
/// `experiment_kpis`, `experiment_differences`.
public enum ExperimentStore {
  static func insertExperiment(_ plan: ExperimentPlan, store: ResultStore, createdAt: String) throws(StoreError)
    -> Int64
  {
    let database = store.database
    return try database.transaction { () throws(StoreError) in
      let statement = try database.prepare(
        """
        INSERT INTO experiments (name, kind, scenario_path, scenario_digest, candidate_path, candidate_digest, seed,
          replications, pairing, confidence, tool_version, shard_index, shard_count, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
      let first = plan.variants[0].document
      let candidate = plan.variants.count == 2 && plan.kind != .sweep ? plan.variants[1].document : nil
      statement.bind(plan.name, at: 1)
      statement.bind(plan.kind.rawValue, at: 2)
      statement.bind(first.path, at: 3)
      statement.bind(first.digest, at: 4)
      if let candidate {
        statement.bind(candidate.path, at: 5)
        statement.bind(candidate.digest, at: 6)
      } else {
        statement.bindNull(at: 5)
        statement.bindNull(at: 6)
      }
      statement.bind(Int64(bitPattern: plan.seed), at: 7)
      statement.bind(Int64(plan.replications), at: 8)
      statement.bind(plan.pairing.rawValue, at: 9)
      statement.bind(plan.confidence, at: 10)
      statement.bind(ToolVersion.current, at: 11)
      statement.bind(Int64(plan.shard.index), at: 12)
      statement.bind(Int64(plan.shard.count), at: 13)
      statement.bind(createdAt, at: 14)
      try statement.step()
      let id = database.lastInsertRowID
      let point = try database.prepare(
        "INSERT INTO sweep_points (experiment_id, variant, axis, value) VALUES (?, ?, ?, ?)")
      for variant in plan.variants {
        for setting in variant.settings {
          point.reset()
          point.bind(id, at: 1)
          point.bind(variant.name, at: 2)
          point.bind(setting.axis, at: 3)
          point.bind(setting.value, at: 4)
          try point.step()
        }
      }
      return id
    }
  }

  /// The experiment row `id`, if any.
  public static func experiment(_ id: Int64, store: ResultStore) throws(StoreError) -> ExperimentRecord? {
    try experiments(store: store, where: "WHERE id = \(id)").first
  }

  /// Every experiment in the database, by id.
  public static func experiments(store: ResultStore, where filter: String = "") throws(StoreError) -> [ExperimentRecord]
  {
    try store.database.query(
      """
      SELECT id, name, kind, scenario_digest, candidate_digest, seed, replications, pairing, confidence, tool_version,
        shard_index, shard_count FROM experiments \(filter) ORDER BY id
      """
    ).map { row in
      ExperimentRecord(
        id: row[0].intValue ?? 0, name: row[1].stringValue ?? "", kind: row[2].stringValue ?? "",
        scenarioDigest: row[3].stringValue ?? "", candidateDigest: row[4].stringValue, seed: row[5].intValue ?? 0,
        replications: Int(row[6].intValue ?? 0), pairing: row[7].stringValue ?? "",
        confidence: row[8].doubleValue ?? 0.95,
        toolVersion: row[9].stringValue ?? "", shardIndex: Int(row[10].intValue ?? 0),
        shardCount: Int(row[11].intValue ?? 1))
    }
  }

  /// Every numeric KPI and metric of the experiment's completed runs.
  public static func observations(experimentID: Int64, store: ResultStore) throws(StoreError) -> ExperimentObservations
  {
    let database = store.database
    let variants = try database.query(
      """
      SELECT variant FROM runs WHERE experiment_id = ? GROUP BY variant ORDER BY MIN(id)
      """, [.integer(experimentID)]
    ).compactMap { $0.first?.stringValue }
    var kpiNames: [String] = []
    var seen: Set<String> = []
    var values: [String: [String: [Int: Double]]] = [:]
    for (table, source) in [("kpis", "k"), ("run_metrics", "m")] {
      let rows = try database.query(
        """
        SELECT r.variant, r.replication, \(source).name, \(source).value
        FROM runs r JOIN \(table) \(source) ON \(source).run_id = r.id
        WHERE r.experiment_id = ? AND r.status = 'completed'
        ORDER BY r.id, \(source).rowid
        """, [.integer(experimentID)])
      var namesHere: Set<String> = []
      for row in rows {
        guard let variant = row[0].stringValue, let replication = row[1].intValue, let name = row[2].stringValue else {
          continue
        }
        // A name in both tables is read from `kpis` only; text-only KPIs are left out.
        if source == "m" && seen.contains(name) && !namesHere.contains(name) { continue }
        guard row[3].doubleValue != nil else { continue }
        if !seen.contains(name) {
          seen.insert(name)
          kpiNames.append(name)
        }
        namesHere.insert(name)
        if let value = row[3].doubleValue {
          values[variant, default: [:]][name, default: [:]][Int(replication)] = value
        }
      }
    }
    return ExperimentObservations(variants: variants, kpiNames: kpiNames, values: values)
  }

  /// Recomputes and stores `experiment_kpis` and, for two variants compared,
  /// `experiment_differences` (candidate − baseline, paired by replication).
  public static func writeSummaries(experimentID: Int64, store: ResultStore) throws(StoreError) {
    let confidence = try experiment(experimentID, store: store)?.confidence ?? 0.95
    let observations = try observations(experimentID: experimentID, store: store)
    let database = store.database
    try database.transaction { () throws(StoreError) in
      try database.execute("DELETE FROM experiment_kpis WHERE experiment_id = \(experimentID)")
      try database.execute("DELETE FROM experiment_differences WHERE experiment_id = \(experimentID)")
      let summary = try database.prepare(
        """
        INSERT INTO experiment_kpis (experiment_id, variant, kpi, n, mean, stddev, ci_low, ci_high)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """)
      for variant in observations.variants {
        for kpi in observations.kpiNames {
          let result = SampleSummary(observations.orderedValues(variant: variant, kpi: kpi), confidence: confidence)
          try insert(summary, experimentID: experimentID, labels: [variant, kpi], result)
        }
      }
      guard observations.variants.count >= 2 else { return }
      let difference = try database.prepare(
        """
        INSERT INTO experiment_differences (experiment_id, baseline, candidate, kpi, n, mean_difference, stddev, ci_low, ci_high)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
      let baseline = observations.variants[0]
      for candidate in observations.variants.dropFirst() {
        for kpi in observations.kpiNames {
          let result = SampleSummary.pairedDifference(
            baseline: observations.values(variant: baseline, kpi: kpi),
            candidate: observations.values(variant: candidate, kpi: kpi), confidence: confidence)
          try insert(difference, experimentID: experimentID, labels: [baseline, candidate, kpi], result)
        }
      }
    }
  }

  private static func insert(
    _ statement: SQLiteStatement, experimentID: Int64, labels: [String], _ summary: SampleSummary
  ) throws(StoreError) {
    statement.reset()
    statement.bind(experimentID, at: 1)
    var index: Int32 = 2
    for label in labels {
      statement.bind(label, at: index)
      index += 1
    }
    statement.bind(Int64(summary.count), at: index)
    for value in [summary.mean, summary.standardDeviation, summary.confidenceLow, summary.confidenceHigh] {
      index += 1
      if let value { statement.bind(value, at: index) } else { statement.bindNull(at: index) }
    }
    try statement.step()
  }
}
