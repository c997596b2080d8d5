import ResultStore

/// Stores a gate's verdicts in `gate_results`, beside the experiment they judge.
public enum GateStore {
  public static func write(_ result: GateResult, databasePath: String) throws(ExperimentError) {
    do {
      let store = try ResultStore(path: databasePath)
      try store.database.transaction { () throws(StoreError) in
        let statement = try store.database.prepare(
          """
          INSERT OR REPLACE INTO gate_results (experiment_id, kpi, rule, threshold, observed, bound, passed)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          """)
        for rule in result.results {
          statement.reset()
          statement.bind(result.experimentID, at: 1)
          statement.bind(rule.rule.kpi, at: 2)
          statement.bind(rule.rule.check.key, at: 3)
          statement.bind(rule.rule.check.threshold, at: 4)
          let observed: Double?
          switch rule.rule.check {
          case .below, .above: observed = rule.candidate.mean
          default: observed = rule.difference.mean
          }
          if let observed { statement.bind(observed, at: 5) } else { statement.bindNull(at: 5) }
          if let bound = rule.bound { statement.bind(bound, at: 6) } else { statement.bindNull(at: 6) }
          statement.bind(Int64(rule.passed ? 1 : 0), at: 7)
          try statement.step()
        }
      }
    } catch {
      throw .store(error)
    }
  }
}
