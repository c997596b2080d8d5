import Foundation
import ResultRows
import ResultStore
import Testing

/// The canaries' step progression goes through the `rolloutStep` decision point: a
/// Python policy making the built-in's decisions reproduces the run exactly, and one
/// that never aborts lets defective canaries through.
@Suite("Rollout step policies")
struct RolloutStepPolicyTests {
  static let scenarios = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios")

  /// A copy of `scenarios/rollouts/<name>.yaml` in `directory` with `policies` under
  /// `spec` and its relative paths made absolute.
  static func variant(of name: String, policies: String, in directory: URL, as file: String) throws -> String {
    let text = try String(
      contentsOf: scenarios.appendingPathComponent("rollouts/\(name).yaml"), encoding: .utf8)
    let path = directory.appendingPathComponent(file).path
    let body = text.replacingOccurrences(of: "../", with: scenarios.path + "/")
    try (body + (body.hasSuffix("\n") ? "" : "\n") + "  policies:\n" + policies + "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func kpi(_ store: ResultStore, run: Int64, _ name: String) throws -> Double {
    try #require(store.rows(KPIRow.self, run: RunID(run), where: "name = ?", [.text(name)]).first?.value)
  }

  @Test(
    "Argo canary: the Python canary_steps.py and the built-in give identical runs; never aborting lets defects through")
  func argoCanary() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let script = Self.scenarios.appendingPathComponent("policies/canary_steps.py").path
    let builtIn = try Self.variant(
      of: "canary", policies: "    rolloutStep: {builtin: configured}", in: directory, as: "builtin.yaml")
    let external = try Self.variant(
      of: "canary", policies: "    rolloutStep: {command: [python3, \(script)], timeout: 5s}", in: directory,
      as: "external.yaml")
    let neverAbort = try Self.variant(
      of: "canary", policies: "    rolloutStep: {command: [python3, \(script), --never-abort], timeout: 5s}",
      in: directory, as: "never-abort.yaml")
    for scenario in [builtIn, external, neverAbort] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--until", "3d", "--quiet"])
      #expect(result.status == 0, "\(result.standardError)")
    }
    let builtInDigests = try PolicyEndToEndTests.modelDigests(database, run: 1)
    #expect(builtInDigests["deployments"] != nil)
    #expect(builtInDigests == (try PolicyEndToEndTests.modelDigests(database, run: 2)))
    let store = try ResultStore(path: database)
    #expect(try Self.kpi(store, run: 1, "canary_aborts") > 0)
    #expect(try Self.kpi(store, run: 3, "canary_aborts") == 0)
    #expect(
      try Self.kpi(store, run: 3, "failed_requests_from_incidents")
        > Self.kpi(store, run: 1, "failed_requests_from_incidents"))
    let logs = try store.rows(PolicyLogRow.self, run: RunID(2))
    #expect((logs.first?.decisions ?? 0) > 0)
    #expect(logs.first?.standardError.contains("abort") == true)
  }

  @Test("Flagger canary: the Python canary_steps.py and the built-in give identical runs")
  func flaggerCanary() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let script = Self.scenarios.appendingPathComponent("policies/canary_steps.py").path
    let builtIn = try Self.variant(
      of: "flagger", policies: "    rolloutStep: {builtin: flagger}", in: directory, as: "builtin.yaml")
    let external = try Self.variant(
      of: "flagger", policies: "    rolloutStep: {command: [python3, \(script)], timeout: 5s}", in: directory,
      as: "external.yaml")
    for scenario in [builtIn, external] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--until", "3d", "--quiet"])
      #expect(result.status == 0, "\(result.standardError)")
    }
    let builtInDigests = try PolicyEndToEndTests.modelDigests(database, run: 1)
    #expect(builtInDigests == (try PolicyEndToEndTests.modelDigests(database, run: 2)))
    let store = try ResultStore(path: database)
    #expect(try Self.kpi(store, run: 1, "canary_aborts") > 0)
  }
}
