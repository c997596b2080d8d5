import ResultRows
import ResultStore

/// Stores a gate's verdicts in `gate_results`, beside the experiment they judge.
public enum GateStore {
  public static func write(_ result: GateResult, databasePath: String) throws(ExperimentError) {
    let rows = result.results.map { rule in
      let observed: Double?
      switch rule.rule.check {
      case .below, .above: observed = rule.candidate.mean
      default: observed = rule.difference.mean
      }
      return GateResultRow(
        experimentID: result.experimentID, kpi: rule.rule.kpi, rule: rule.rule.check.key,
        threshold: rule.rule.check.threshold, observed: observed, bound: rule.bound, passed: rule.passed)
    }
    do {
      let store = try ResultStore(path: databasePath)
      try store.database.transaction { () throws(StoreError) in try store.database.insert(rows, replacing: true) }
    } catch {
      throw .store(error)
    }
  }
}
