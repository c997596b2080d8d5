import Experiments
import Foundation
import InputReading
import Monitoring
import Scenario

/// One input reader driven by a fuzzer.
///
/// Bytes go in; the reader's verdict and any message it renders come out. A reader may refuse any input (that is the point); it may never
/// trap, hang or exhaust memory, which libFuzzer reports as a crash.
///
/// Each case calls the reader exactly as `platformsim validate` does (docs/VALIDATION.md,
/// "Fuzzing"), and renders the diagnostics, so the message code (line lookups,
/// suggestions) is fuzzed too.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// The scenario loader end to end: YAML, every section, referenced files; no run.
  case scenario
  /// A Prometheus rule file (or a stream of PrometheusRule resources).
  case rules
  /// An Alertmanager configuration (alertmanager.yml).
  case alertmanager
  /// A promtool unit-test file.
  case promtoolTest = "promtool-test"
  /// A gate file, as `platformsim gate` reads it.
  case gate
  /// A sweep file and its points, as `platformsim sweep` reads them.
  case sweep
  /// An `openb_pod_list_*.csv` of the Alibaba GPU 2023 trace.
  case openbPods = "openb-pods"
  /// An `openb_node_list_*.csv` of the Alibaba GPU 2023 trace.
  case openbNodes = "openb-nodes"
  /// PlatformSim's generic job trace as CSV.
  case genericCSV = "generic-csv"
  /// PlatformSim's generic job trace as JSON lines.
  case genericJSONLines = "generic-jsonl"

  /// The file name an input is written to (path-based readers) or reported as.
  var fileName: String {
    switch self {
    case .scenario: "scenario.yaml"
    case .rules: "rules.yaml"
    case .alertmanager: "alertmanager.yml"
    case .promtoolTest: "rules.test.yaml"
    case .gate: "gate.yaml"
    case .sweep: "sweep.yaml"
    case .openbPods: "openb_pod_list_fuzz.csv"
    case .openbNodes: "openb_node_list_fuzz.csv"
    case .genericCSV: "jobs.csv"
    case .genericJSONLines: "jobs.jsonl"
    }
  }

  /// Reads `data` with this target's reader.
  ///
  /// - Parameter directory: where path-based readers find the input, written there as
  ///   ``fileName`` (each fuzzing process uses its own directory).
  /// - Returns: `true` if the reader accepted the input; the rendered messages are
  ///   discarded.
  @discardableResult
  public func read(_ data: Data, directory: URL) -> Bool {
    // Every reader refuses text that is not UTF-8 before parsing it (InputFile.read).
    guard let text = String(data: data, encoding: .utf8) else { return false }
    let path = directory.appendingPathComponent(fileName).path
    let log = DiagnosticLog()
    var accepted = false
    do {
      switch self {
      case .scenario:
        try data.write(to: URL(fileURLWithPath: path))
        _ = try ScenarioLoader.load(path: path)
      case .rules:
        _ = try RuleFileLoader.load(yaml: text, file: path)
      case .alertmanager:
        _ = try AlertmanagerConfig.parse(yaml: text, file: path)
      case .promtoolTest:
        _ = try PromtoolTestFile.parse(yaml: text, file: path)
      case .gate:
        try data.write(to: URL(fileURLWithPath: path))
        _ = try GateDefinition.load(path: path)
      case .sweep:
        try data.write(to: URL(fileURLWithPath: path))
        _ = try SweepDefinition.load(path: path).variants()
      case .openbPods:
        _ = TraceReader.readOpenbPods(text, file: path, log: log)
      case .openbNodes:
        _ = TraceReader.readOpenbNodes(text, file: path, log: log)
      case .genericCSV:
        _ = TraceReader.readGeneric(text, file: path, encoding: .csv, log: log)
      case .genericJSONLines:
        _ = TraceReader.readGeneric(text, file: path, encoding: .jsonLines, log: log)
      }
      accepted = !log.hasErrors
    } catch let error as DiagnosticsError {
      _ = error.description
    } catch let error as ExperimentError {
      _ = error.description
    } catch {
      _ = "\(error)"
    }
    _ = DiagnosticsError(log.diagnostics).description
    return accepted
  }

  /// A fresh directory for one reader's inputs (one per caller, as tests read in
  /// parallel), under the system temporary directory,
  /// holding the scenario a sweep names (``sweptScenario``), so sweeps get past
  /// "no such scenario" to their axes and points.
  public static func makeWorkingDirectory() -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "platformsim-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? Data(sweptScenario.utf8).write(to: directory.appendingPathComponent("baseline.yaml"))
    return directory
  }

  /// A small valid scenario, `baseline.yaml` beside every sweep input (the name the
  /// bundled sweep, scenarios/experiments/sweep-runners.yaml, uses).
  static let sweptScenario = """
    apiVersion: platformsim.dev/v1alpha1
    kind: Scenario
    metadata: {name: baseline}
    spec:
      simulation: {start: 2026-01-05T00:00:00, timeZone: Europe/Berlin, duration: 7d, seed: 42}
      delivery:
        runnerPool: {runners: 6}
      teams:
        - name: fraud
          changes: {ratePerHour: 2}
          defects: {probability: 0.05}
      services:
        - {name: scoring, team: fraud, requestsPerSecond: 20}
    """
}
