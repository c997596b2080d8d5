import BuildInfo
import PlatformModel
import ResultRows
import ResultStore

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
    let first = plan.variants[0].document
    let candidate = plan.variants.count == 2 && plan.kind != .sweep ? plan.variants[1].document : nil
    let experiment = ExperimentRow(
      id: nil, name: plan.name, kind: plan.kind.rawValue, scenarioPath: first.path, scenarioDigest: first.digest,
      candidatePath: candidate?.path, candidateDigest: candidate?.digest, seed: Int64(bitPattern: plan.seed),
      replications: plan.replications, pairing: plan.pairing.rawValue, confidence: plan.confidence,
      toolVersion: ToolVersion.current, shardIndex: plan.shard.index, shardCount: plan.shard.count,
      createdAt: createdAt, toolCommit: ToolCommit.current)
    return try database.transaction { () throws(StoreError) in
      try database.insert([experiment])
      let id = database.lastInsertRowID
      try database.insert(
        plan.variants.flatMap { variant in
          variant.settings.map {
            SweepPointRow(experimentID: id, variant: variant.name, axis: $0.axis, value: $0.value)
          }
        })
      return id
    }
  }

  /// The experiment row `id`, if any.
  public static func experiment(_ id: Int64, store: ResultStore) throws(StoreError) -> ExperimentRow? {
    try store.database.rows(ExperimentRow.self, where: "id = ?", [.integer(id)]).first
  }

  /// Every experiment in the database, by id.
  public static func experiments(store: ResultStore) throws(StoreError) -> [ExperimentRow] {
    try store.database.rows(ExperimentRow.self, orderBy: "id")
  }

  /// The variants of an experiment's runs, in the order their first runs were numbered.
  public static func variants(of runs: [RunRow]) -> [String] {
    var variants: [String] = []
    for run in runs.sorted(by: { ($0.id ?? 0) < ($1.id ?? 0) }) {
      if let variant = run.variant, !variants.contains(variant) { variants.append(variant) }
    }
    return variants
  }

  /// Every numeric KPI and metric of the experiment's completed runs.
  public static func observations(experimentID: Int64, store: ResultStore) throws(StoreError) -> ExperimentObservations
  {
    let database = store.database
    let runs = try database.rows(RunRow.self, where: "experiment_id = ?", [.integer(experimentID)], orderBy: "id")
    let variants = variants(of: runs)
    var kpiNames: [String] = []
    var seen: Set<String> = []
    var values: [String: [String: [Int: Double]]] = [:]
    let completed = runs.filter { $0.status == .completed }
    // `kpis` first, then `run_metrics`: a name in both is read from `kpis` only, and
    // text-only KPIs are left out.
    var fromKPIs: Set<String> = []
    for source in [Source.kpis, .metrics] {
      var namesHere: Set<String> = []
      for run in completed {
        guard let variant = run.variant, let id = run.id else { continue }
        let named: [(name: String, value: Double?)]
        switch source {
        case .kpis: named = try store.rows(KPIRow.self, run: RunID(id)).map { ($0.name, $0.value) }
        case .metrics: named = try store.rows(RunMetric.self, run: RunID(id)).map { ($0.name, $0.value) }
        }
        for (name, value) in named {
          if source == .metrics && fromKPIs.contains(name) && !namesHere.contains(name) { continue }
          guard let value else { continue }
          if !seen.contains(name) {
            seen.insert(name)
            kpiNames.append(name)
          }
          namesHere.insert(name)
          values[variant, default: [:]][name, default: [:]][run.replication] = value
        }
      }
      if source == .kpis { fromKPIs = seen }
    }
    return ExperimentObservations(variants: variants, kpiNames: kpiNames, values: values)
  }

  /// The tables an experiment's values come from.
  private enum Source { case kpis, metrics }

  /// Recomputes and stores `experiment_kpis` and, for two variants compared,
  /// `experiment_differences` (candidate − baseline, paired by replication).
  public static func writeSummaries(experimentID: Int64, store: ResultStore) throws(StoreError) {
    let confidence = try experiment(experimentID, store: store)?.confidence ?? 0.95
    let observations = try observations(experimentID: experimentID, store: store)
    var summaries: [ExperimentKPIRow] = []
    for variant in observations.variants {
      for kpi in observations.kpiNames {
        let result = SampleSummary(observations.orderedValues(variant: variant, kpi: kpi), confidence: confidence)
        summaries.append(
          ExperimentKPIRow(
            experimentID: experimentID, variant: variant, kpi: kpi, count: result.count, mean: result.mean,
            standardDeviation: result.standardDeviation, confidenceLow: result.confidenceLow,
            confidenceHigh: result.confidenceHigh))
      }
    }
    var differences: [ExperimentDifferenceRow] = []
    if observations.variants.count >= 2 {
      let baseline = observations.variants[0]
      for candidate in observations.variants.dropFirst() {
        for kpi in observations.kpiNames {
          let result = SampleSummary.pairedDifference(
            baseline: observations.values(variant: baseline, kpi: kpi),
            candidate: observations.values(variant: candidate, kpi: kpi), confidence: confidence)
          differences.append(
            ExperimentDifferenceRow(
              experimentID: experimentID, baseline: baseline, candidate: candidate, kpi: kpi, count: result.count,
              meanDifference: result.mean, standardDeviation: result.standardDeviation,
              confidenceLow: result.confidenceLow, confidenceHigh: result.confidenceHigh))
        }
      }
    }
    let database = store.database
    try database.transaction { () throws(StoreError) in
      try database.execute("DELETE FROM experiment_kpis WHERE experiment_id = \(experimentID)")
      try database.execute("DELETE FROM experiment_differences WHERE experiment_id = \(experimentID)")
      try database.insert(summaries)
      try database.insert(differences)
    }
  }
}
