import InputReading
import ResultStore
import Scenario

/// Why an experiment could not be set up, run or merged, as structured data rendered
/// to text in one place (``description``).
///
/// Every case is bad input (exit status 2) except ``runFailed``.
public enum ExperimentError: Error, CustomStringConvertible, Sendable {
  /// A scenario, sweep or gate file has errors, each located to file:line:column.
  case invalidFile(DiagnosticsError)
  /// A sweep point's values make the scenario invalid.
  case invalidPoint(file: String, point: String, settings: String, DiagnosticsError)
  /// A sweep axis names a key path that is not in the scenario.
  case unknownKeyPath(file: String, axis: String, missing: String, available: [String])
  /// A gate rule names a KPI no run reports.
  case unknownKPI(file: String, name: String, suggestion: String?)
  /// The results database failed.
  case store(StoreError)
  /// Shards that cannot be merged: overlapping, missing, or from another experiment or version.
  case incompatibleShards(String)
  /// A database holds no gate experiment that can be judged (`gate --db`).
  case storedGate(StoredGateProblem)
  /// Interrupted (SIGINT, SIGTERM): runs in flight were stopped, later ones never started.
  case interrupted(runsNotStarted: Int)
  /// A replication did not complete.
  case runFailed(variant: String, replication: Int, status: String, message: String?)

  /// Whether the problem is the input's (exit 2) rather than a run's (exit 1).
  public var isInvalidInput: Bool {
    switch self {
    case .runFailed, .interrupted: return false
    default: return true
    }
  }

  public var description: String {
    switch self {
    case .invalidFile(let diagnostics):
      return diagnostics.description
    case .invalidPoint(let file, let point, let settings, let diagnostics):
      return "\(file): error: sweep \(point) (\(settings)) makes the scenario invalid:\n" + diagnostics.description
    case .unknownKeyPath(let file, let axis, let missing, let available):
      let hint = nearestMatch(to: missing.split(separator: ".").last.map(String.init) ?? missing, in: available)
      return "\(file): error: sweep axis `\(axis)`: the scenario has no `\(missing)`"
        + (hint.map { "; did you mean `\($0)`?" }
          ?? (available.isEmpty ? "" : "; keys there: " + available.map { "`\($0)`" }.joined(separator: ", ")))
    case .unknownKPI(let file, let name, let suggestion):
      return "\(file): error: rules.\(name): unknown KPI `\(name)`"
        + (suggestion.map { "; did you mean `\($0)`?" } ?? "")
        + " (KPI names are `kpis.name` and `run_metrics.name` values)"
    case .store(let error):
      return "error: \(error)"
    case .incompatibleShards(let message):
      return "error: cannot merge: \(message)"
    case .storedGate(let problem):
      return problem.description
    case .interrupted(let runsNotStarted):
      return "error: interrupted; \(runsNotStarted) runs were not started (recorded as `stopped`)"
    case .runFailed(let variant, let replication, let status, let message):
      return "error: replication \(replication) of \(variant) \(status)" + (message.map { ": \($0)" } ?? "")
    }
  }
}
