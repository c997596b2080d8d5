import Foundation
import ResultRows
import ResultStore

/// Why a results database holds no gate experiment that can be judged.
///
/// Every case is bad input (exit status 2): nothing is judged.
public enum StoredGateProblem: Sendable, CustomStringConvertible {
  /// The experiment asked for is not in the database.
  case noSuchExperiment(database: String, id: Int64)
  /// The experiment asked for is not a gate's.
  case notAGate(database: String, id: Int64, kind: String)
  /// No experiment of the database is a gate's; `others` lists what it holds (`compare 1`).
  case noGate(database: String, others: [String])
  /// More than one gate experiment, and none was chosen.
  case severalGates(database: String, ids: [Int64])
  /// The experiment is one shard (`i/n`) of a gate, not merged.
  case unmergedShard(database: String, id: Int64, shard: String)
  /// The experiment's runs are not all there, or not all completed.
  case incomplete(database: String, id: Int64, detail: String)

  public var description: String {
    switch self {
    case .noSuchExperiment(let database, let id):
      return "error: \(database) has no experiment \(id)"
    case .notAGate(let database, let id, let kind):
      return "error: experiment \(id) of \(database) is a \(kind) experiment, not a gate's"
    case .noGate(let database, let others):
      return "error: \(database) holds no gate experiment"
        + (others.isEmpty ? " (it holds no experiment at all)" : " (it holds: \(others.joined(separator: ", ")))")
    case .severalGates(let database, let ids):
      return "error: \(database) holds \(ids.count) gate experiments (\(ids.map(String.init).joined(separator: ", ")))"
    case .unmergedShard(let database, let id, let shard):
      return "error: experiment \(id) of \(database) is shard \(shard) of a gate, not the whole gate; "
        + "merge the shards (`platformsim merge`) and judge the merged database"
    case .incomplete(let database, let id, let detail):
      return "error: gate experiment \(id) of \(database) is incomplete: \(detail)"
    }
  }
}

/// A gate experiment read back from a results database, to be judged without running
/// anything (`platformsim gate --db`).
///
/// The verdict is computed by the same code, from the same stored values, as a gate run
/// on one machine (``GateEvaluation/evaluate(_:observations:experimentID:baselinePath:candidatePath:replications:)``
/// on ``ExperimentStore/observations(experimentID:store:)``): a gate whose shards were
/// run on several machines and merged (``ShardMerge``) gets the verdict, statistics and
/// exit status of the single-machine gate.
public struct StoredGate: Sendable {
  /// The database it was read from.
  public var databasePath: String
  public var experiment: ExperimentRow
  public var observations: ExperimentObservations
  /// Every numeric `kpis.name` and every `run_metrics.name` the experiment's runs stored,
  /// with or without a value: what a rule may name, as `KPIProbe` lists for a run.
  public var kpiNames: [String]

  /// Reads gate experiment `experimentID`, or the database's only gate experiment.
  ///
  /// - Throws: ``ExperimentError/storedGate(_:)`` when there is no such experiment, it is
  ///   not a gate's, there are several and none was chosen, it is an unmerged shard, or
  ///   its runs are missing or did not complete; ``ExperimentError/store(_:)`` when the
  ///   database cannot be read.
  public static func load(databasePath: String, experimentID: Int64?) throws(ExperimentError) -> StoredGate {
    let store: ResultStore
    let experiments: [ExperimentRow]
    do {
      store = try ResultStore(path: databasePath)
      experiments = try ExperimentStore.experiments(store: store)
    } catch {
      throw .store(error)
    }
    let experiment = try choose(experimentID, from: experiments, databasePath)
    let id = experiment.id ?? 0
    if experiment.shardCount > 1 {
      throw .storedGate(
        .unmergedShard(database: databasePath, id: id, shard: "\(experiment.shardIndex)/\(experiment.shardCount)"))
    }
    let runs: [RunRow]
    do {
      runs = try store.database.rows(RunRow.self, where: "experiment_id = ?", [.integer(id)], orderBy: "id")
    } catch {
      throw .store(error)
    }
    if let problem = problem(with: runs, of: experiment, databasePath) { throw .storedGate(problem) }
    do {
      return StoredGate(
        databasePath: databasePath, experiment: experiment,
        observations: try ExperimentStore.observations(experimentID: id, store: store),
        kpiNames: try storedKPINames(experimentID: id, store: store))
    } catch {
      throw .store(error)
    }
  }

  /// Judges the stored runs by `definition`'s rules.
  ///
  /// The rules' KPI names are checked against the stored ones first. The gate file's
  /// `replications` and `until` are not used: they say how to run a gate, and the stored
  /// experiment says how it was run.
  ///
  /// - Throws: ``ExperimentError/unknownKPI(file:name:suggestion:)`` for a rule naming a
  ///   KPI the runs did not store.
  public func judge(_ definition: GateDefinition) throws(ExperimentError) -> GateResult {
    try definition.checkKPINames(kpiNames)
    return GateEvaluation.evaluate(
      definition, observations: observations, experimentID: experiment.id ?? 0, baselinePath: experiment.scenarioPath,
      candidatePath: experiment.candidatePath ?? "", replications: experiment.replications)
  }

  private static func choose(_ id: Int64?, from experiments: [ExperimentRow], _ database: String)
    throws(ExperimentError)
    -> ExperimentRow
  {
    if let id {
      guard let experiment = experiments.first(where: { $0.id == id }) else {
        throw .storedGate(.noSuchExperiment(database: database, id: id))
      }
      guard experiment.kind == ExperimentKind.gate.rawValue else {
        throw .storedGate(.notAGate(database: database, id: id, kind: experiment.kind))
      }
      return experiment
    }
    let gates = experiments.filter { $0.kind == ExperimentKind.gate.rawValue }
    guard gates.count <= 1 else { throw .storedGate(.severalGates(database: database, ids: gates.compactMap(\.id))) }
    guard let gate = gates.first else {
      throw .storedGate(.noGate(database: database, others: experiments.map { "\($0.kind) \($0.id ?? 0)" }))
    }
    return gate
  }

  /// What is wrong with a gate's runs, if anything: there must be baseline and
  /// candidate runs of every replication, each completed.
  private static func problem(with runs: [RunRow], of experiment: ExperimentRow, _ database: String)
    -> StoredGateProblem?
  {
    let id = experiment.id ?? 0
    if runs.isEmpty { return .incomplete(database: database, id: id, detail: "it has no runs") }
    let variants = ExperimentStore.variants(of: runs)
    guard variants == ["baseline", "candidate"] else {
      return .incomplete(
        database: database, id: id,
        detail: "its runs are of variants \(variants.map { "`\($0)`" }.joined(separator: ", ")), "
          + "not `baseline` and `candidate`")
    }
    for variant in variants {
      let replications = Set(runs.filter { $0.variant == variant }.map(\.replication))
      let missing = (0..<experiment.replications).filter { !replications.contains($0) }
      guard missing.isEmpty else {
        return .incomplete(
          database: database, id: id,
          detail: "\(variant) has no run of replication" + (missing.count == 1 ? " " : "s ")
            + missing.prefix(10).map(String.init).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
            + " of \(experiment.replications)")
      }
    }
    let unfinished = runs.filter { $0.status != .completed }
    if let first = unfinished.first {
      return .incomplete(
        database: database, id: id,
        detail: "\(unfinished.count) of its \(runs.count) runs did not complete (run \(first.id ?? 0), "
          + "replication \(first.replication) of \(first.variant ?? "?"), is `\(first.status.rawValue)`)")
    }
    return nil
  }

  /// The numeric KPI names, then the metric names, the experiment's runs stored, in the
  /// order they were first written.
  private static func storedKPINames(experimentID: Int64, store: ResultStore) throws(StoreError) -> [String] {
    var names: [String] = []
    for sql in [
      "SELECT name FROM kpis WHERE value_text IS NULL AND run_id IN (SELECT id FROM runs WHERE experiment_id = ?) "
        + "GROUP BY name ORDER BY MIN(rowid)",
      "SELECT name FROM run_metrics WHERE run_id IN (SELECT id FROM runs WHERE experiment_id = ?) "
        + "GROUP BY name ORDER BY MIN(rowid)",
    ] {
      for row in try store.database.query(sql, [.integer(experimentID)]) {
        if let name = row.first?.stringValue, !names.contains(name) { names.append(name) }
      }
    }
    return names
  }
}
