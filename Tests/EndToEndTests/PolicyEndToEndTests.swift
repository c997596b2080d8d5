import Foundation
import ResultRows
import ResultStore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// External policies end to end: same decisions give the same run, and every kind of
/// misbehaving policy fails the run with a message naming it — or falls back — within
/// its timeout, leaving no child process behind.
@Suite("External policies")
struct PolicyEndToEndTests {
  static let scenarios = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios")
  static let faultyPolicy = PlatformSimProcess.repositoryRoot.appendingPathComponent(
    "Tests/Fixtures/policies/faulty_policy.py")

  /// Tables that describe the decisions' effects (everything but the run row and the
  /// policy processes' own bookkeeping).
  static func modelDigests(_ database: String, run: Int64) throws -> [String: String] {
    let store = try ResultStore(path: database)
    return try store.digest(of: RunID(run)).filter { !["runs", "policy_logs", "policy_faults"].contains($0.key) }
  }

  /// A copy of `scenario` in `directory` with its `policies:` section replaced.
  static func variant(of scenario: String, policies: String, in directory: URL, name: String) throws -> String {
    let text = try String(contentsOf: scenarios.appendingPathComponent(scenario), encoding: .utf8)
    guard let range = text.range(of: "\n  policies:\n") else { throw CocoaError(.fileReadCorruptFile) }
    let path = directory.appendingPathComponent(name).path
    let catalogue = scenarios.appendingPathComponent("catalogue").path
    let body = String(text[..<range.lowerBound]).replacingOccurrences(
      of: "catalogue: catalogue/", with: "catalogue: \(catalogue)/")
    try (body + "\n  policies:\n" + policies + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("the Python rollback bot and the built-in rollback-bot give identical runs; the human responder does not")
  func rollbackBotMatchesBuiltIn() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let bot = Self.scenarios.appendingPathComponent("policies/rollback_bot.py").path
    let external = try Self.variant(
      of: "rollback-bot.yaml", policies: "    incidentResponse: {command: [python3, \(bot)], timeout: 2s}",
      in: directory,
      name: "external.yaml")
    let builtIn = try Self.variant(
      of: "rollback-bot.yaml", policies: "    incidentResponse: {builtin: rollback-bot}", in: directory,
      name: "builtin.yaml")
    let human = try Self.variant(
      of: "rollback-bot.yaml", policies: "    incidentResponse: {builtin: on-call-human}", in: directory,
      name: "human.yaml")
    for scenario in [external, builtIn, human] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
      #expect(result.status == 0, "\(result.standardError)")
    }
    let externalDigests = try Self.modelDigests(database, run: 1)
    #expect(externalDigests["incidents"] != nil)
    #expect(externalDigests == (try Self.modelDigests(database, run: 2)))
    #expect(externalDigests["incidents"] != (try Self.modelDigests(database, run: 3))["incidents"])
    let store = try ResultStore(path: database)
    let logs = try store.rows(PolicyLogRow.self, run: RunID(1))
    #expect(logs.count == 1)
    #expect((logs.first?.decisions ?? 0) > 0)
    #expect(logs.first?.termination == "exited")
    #expect(logs.first?.standardError.contains("rollbacks") == true)
  }

  @Test("the spot fallback rule with no wait is the built-in spot-first; with a wait it changes the run")
  func spotFallbackMatchesBuiltIn() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let rule = Self.scenarios.appendingPathComponent("policies/spot_fallback.py").path
    let noWait = try Self.variant(
      of: "spot-fallback.yaml", policies: "    capacityType: {command: [python3, \(rule), --max-wait-minutes, \"0\"]}",
      in: directory, name: "no-wait.yaml")
    let builtIn = try Self.variant(
      of: "spot-fallback.yaml", policies: "    capacityType: {builtin: spot-first}", in: directory, name: "builtin.yaml"
    )
    for scenario in [noWait, builtIn, Self.scenarios.appendingPathComponent("spot-fallback.yaml").path] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
      #expect(result.status == 0, "\(result.standardError)")
    }
    let external = try Self.modelDigests(database, run: 1)
    #expect(external == (try Self.modelDigests(database, run: 2)))
    #expect(external["training_jobs"] != (try Self.modelDigests(database, run: 3))["training_jobs"])
  }

  @Test(
    "protocols v3 (columns) and v2 batch scale-down scans and node ranking into one request per cycle, with the built-ins' and v1's tables"
  )
  func batchedDecisionsMatchPerQuestion() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let policy = PlatformSimProcess.repositoryRoot.appendingPathComponent(
      "Tests/Fixtures/policies/cluster_autoscaler_policy.py"
    ).path
    func scenario(_ name: String, _ policies: String) throws -> String {
      let path = try Self.variant(
        of: "spot-fallback.yaml", policies: "    capacityType: {builtin: spot-first}\n" + policies, in: directory,
        name: name)
      let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
        of: "duration: 14d", with: "duration: 4d")
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let runs = [
      try scenario(
        "v3.yaml",
        "    nodeScaleDown: {command: [python3, \(policy)]}\n    nodeOrder: {command: [python3, \(policy)]}"),
      try scenario(
        "v2.yaml",
        "    nodeScaleDown: {command: [python3, \(policy), --protocol, v2]}\n"
          + "    nodeOrder: {command: [python3, \(policy), --protocol, v2]}"),
      try scenario(
        "v1.yaml",
        "    nodeScaleDown: {command: [python3, \(policy), --protocol, v1]}\n"
          + "    nodeOrder: {command: [python3, \(policy), --protocol, v1]}"),
      try scenario(
        "builtin.yaml", "    nodeScaleDown: {builtin: cluster-autoscaler}\n    nodeOrder: {builtin: pool-order}"),
      try scenario("never.yaml", "    nodeScaleDown: {builtin: never}\n    nodeOrder: {builtin: pool-order}"),
    ]
    for path in runs {
      let result = try PlatformSimProcess.run(["run", path, "--db", database, "--quiet"])
      #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    }
    let columns = try Self.modelDigests(database, run: 1)
    #expect(columns == (try Self.modelDigests(database, run: 2)))
    #expect(columns == (try Self.modelDigests(database, run: 3)))
    #expect(columns == (try Self.modelDigests(database, run: 4)))
    #expect(columns["cluster_nodes"] != (try Self.modelDigests(database, run: 5))["cluster_nodes"])
    let store = try ResultStore(path: database)
    let removed = try store.rows(ClusterNodeRow.self, run: RunID(1), where: "end_reason = 'scale-down'")
    #expect(removed.count > 1, "the scans must remove nodes, so the batched scan re-asks after a removal")
    #expect(try store.rows(PolicyFaultRow.self, run: RunID(1)).isEmpty)
    #expect(try store.rows(PolicyFaultRow.self, run: RunID(2)).isEmpty)
    let v3 = try store.rows(PolicyLogRow.self, run: RunID(1)).sorted { $0.decisionPoint < $1.decisionPoint }
    let v2 = try store.rows(PolicyLogRow.self, run: RunID(2)).sorted { $0.decisionPoint < $1.decisionPoint }
    let v1 = try store.rows(PolicyLogRow.self, run: RunID(3)).sorted { $0.decisionPoint < $1.decisionPoint }
    #expect(v3.map(\.decisionPoint) == ["nodeOrder", "nodeScaleDown"])
    #expect(v3.allSatisfy { $0.standardError.contains("platformsim.policy/v3") })
    #expect(v2.map(\.decisionPoint) == ["nodeOrder", "nodeScaleDown"])
    #expect(v2.allSatisfy { $0.standardError.contains("platformsim.policy/v2") })
    #expect(
      v1.allSatisfy { $0.standardError.contains("platformsim.policy/v1, ") && $0.standardError.contains(" 0 batches") })
    // v2: every request a batch, fewer requests than v1's one per question.
    let counts = { (log: PolicyLogRow) -> [Int] in
      let text = log.standardError
      guard let range = text.range(of: #"(\d+) requests, (\d+) batches, (\d+) questions"#, options: .regularExpression)
      else { return [] }
      return text[range].split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
    }
    let scaleDownV3 = counts(v3[1])
    let scaleDownV2 = counts(v2[1])
    let scaleDownV1 = counts(v1[1])
    // v3: the same cycles as v2, in columns.
    #expect(scaleDownV3 == scaleDownV2, "\(v3[1].standardError)")
    #expect(v3.map(\.decisions) == v2.map(\.decisions))
    #expect(scaleDownV2.count == 3 && scaleDownV2[0] == scaleDownV2[1], "\(v2[1].standardError)")
    #expect(scaleDownV1.count == 3 && scaleDownV1[0] == scaleDownV1[2], "\(v1[1].standardError)")
    if scaleDownV2.count == 3 && scaleDownV1.count == 3 { #expect(scaleDownV2[0] < scaleDownV1[0]) }
  }

  @Test("a v3 batch answer with a short column fails the run with exit 1, naming the column and the batch size")
  func malformedColumnsFailTheRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let policy = PlatformSimProcess.repositoryRoot.appendingPathComponent(
      "Tests/Fixtures/policies/columnar_faults.py"
    ).path
    let scenario = try Self.variant(
      of: "spot-fallback.yaml",
      policies: "    capacityType: {builtin: spot-first}\n    nodeScaleDown: {command: [python3, \(policy), short]}",
      in: directory, name: "short-column.yaml")
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database])
    let text = result.standardOutput + result.standardError
    #expect(result.status == 1, "\(text)")
    #expect(text.contains("policy `python3 \(policy) short` for decision point `nodeScaleDown`, request 1"), "\(text)")
    #expect(text.contains("answered with an invalid action (column `remove` has "), "\(text)")
    #expect(text.contains("\"columns\": {\"remove\": ["), "the answer line is shown: \(text)")
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .failed)
    let faults = try store.rows(PolicyFaultRow.self, run: RunID(1))
    #expect(faults.map(\.kind) == ["invalid-action"])
    #expect(faults.first?.handling == "failed-run")
  }

  /// The golden path with `policies` appended to its spec, its relative paths made absolute.
  static func goldenPath(policies: String, in directory: URL, name: String) throws -> String {
    var text = try String(contentsOf: scenarios.appendingPathComponent("golden-path.yaml"), encoding: .utf8)
    for folder in ["policies/", "catalogue/", "monitoring/"] {
      let absolute = scenarios.appendingPathComponent(folder).path + "/"
      text = text.replacingOccurrences(of: ": \(folder)", with: ": \(absolute)")
        .replacingOccurrences(of: "[\(folder)", with: "[\(absolute)")
    }
    let path = directory.appendingPathComponent(name).path
    try (text + "\n  policies:\n" + policies + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test(
    "alert routing: an external router mirroring the receivers is the built-in; one that ignores alerts changes the run"
  )
  func alertRouting() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let router = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/policies/alert_router.py")
      .path
    let mirror = try Self.goldenPath(
      policies: "    alertRouting: {command: [python3, \(router), mirror]}", in: directory, name: "mirror.yaml")
    let builtIn = try Self.goldenPath(
      policies: "    alertRouting: {builtin: alertmanager-receiver}", in: directory, name: "builtin.yaml")
    let ignore = try Self.goldenPath(
      policies: "    alertRouting: {command: [python3, \(router), ignore]}", in: directory, name: "ignore.yaml")
    for scenario in [mirror, builtIn, ignore] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet", "--until", "12d"])
      #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    }
    let mirrored = try Self.modelDigests(database, run: 1)
    #expect(mirrored == (try Self.modelDigests(database, run: 2)))
    #expect(mirrored["incidents"] != (try Self.modelDigests(database, run: 3))["incidents"])
    let store = try ResultStore(path: database)
    let ignored = try store.rows(AlertNotificationRow.self, run: RunID(3), where: "outcome = 'ignored-by-policy'")
    #expect(!ignored.isEmpty)
    let asked = try store.rows(PolicyLogRow.self, run: RunID(1))
    #expect((asked.first?.decisions ?? 0) > 0)
  }

  /// A small cluster whose every job submission asks the admission policy.
  static func faultScenario(in directory: URL, mode: String, timeout: String = "1s", onError: String = "fail") throws
    -> String
  {
    let path = directory.appendingPathComponent("faulty-\(mode).yaml").path
    try """
    apiVersion: platformsim.dev/v1alpha1
    kind: Scenario
    metadata:
      name: faulty-\(mode)
    spec:
      simulation:
        start: 2026-01-05T00:00:00
        duration: 2d
        seed: 3
      cluster:
        name: faulty
        nodePools:
          - name: cpu
            capacityType: on-demand
            instanceTypes: [m5.xlarge]
            min: 2
            max: 2
            desired: 2
      teams:
        - name: team-a
          tags: {Owner: a@example.com, CostCenter: CC-1}
          training:
            - template: sklearn-standard
              arrivals: {ratePerHour: 4}
              resources: {cpu: 1, memoryGiB: 2}
      policies:
        admission:
          command: [python3, \(faultyPolicy.path), \(mode)]
          timeout: \(timeout)
          onError: \(onError)
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Every policy process recorded for `run` is gone (`kill(pid, 0)` fails with ESRCH).
  static func expectNoChildProcess(_ database: String, run: Int64) throws {
    let store = try ResultStore(path: database)
    let rows = try store.rows(PolicyLogRow.self, run: RunID(run))
    #expect(rows.count == 1)
    for row in rows {
      guard let pid = row.processID else { continue }
      #expect(kill(pid_t(pid), 0) == -1 && errno == ESRCH, "policy process \(pid) outlived the run")
    }
  }

  @Test(
    "a misbehaving policy fails the run with exit 1, naming the policy, the decision point and its output",
    arguments: [
      ("crash", "crashed (killed by signal 6)", "misbehaving (crash)"),
      ("exit", "exited with status 3 before answering", "misbehaving (exit)"),
      ("hang", "did not answer within 1 s", ""),
      ("garbage", "answered with invalid JSON", "this is not json {"),
      ("invalid-action", "answered with an invalid action", "\"verdict\": \"maybe\""),
      ("wrong-id", "answered request 10, expected 3", ""),
      ("no-hello", "exited with status 4 before answering", "refusing to start"),
    ])
  func faultFailsTheRun(mode: String, detail: String, output: String) throws {
    let directory = PlatformSimProcess.scratchDirectory("fault-\(mode)")
    let database = directory.appendingPathComponent("runs.sqlite").path
    // Only `hang` is about the timeout. The others get a generous one, so that on a loaded
    // machine a slow interpreter start is not mistaken for a hang.
    let scenario = try Self.faultScenario(in: directory, mode: mode, timeout: mode == "hang" ? "1s" : "60s")
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database])
    let text = result.standardOutput + result.standardError
    #expect(result.status == 1)
    #expect(text.contains("FAILED"))
    // The run stops at the failing decision, not at the end of the window.
    #expect(!text.contains("simulated  2d of 2d"), "\(text)")
    #expect(
      text.contains("policy `python3 \(Self.faultyPolicy.path) \(mode)` for decision point `admission`"), "\(text)")
    #expect(text.contains(detail), "\(text)")
    if !output.isEmpty { #expect(text.contains(output), "\(text)") }
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .failed)
    let faults = try store.rows(PolicyFaultRow.self, run: RunID(1))
    #expect(faults.count == 1)
    #expect(faults.first?.handling == "failed-run")
    try Self.expectNoChildProcess(database, run: 1)
  }

  @Test(
    "with onError: fallback a faulty policy is recorded and the built-in finishes the run as if it had run all along")
  func faultFallsBack() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let faulty = try Self.faultScenario(in: directory, mode: "garbage", timeout: "60s", onError: "fallback")
    let result = try PlatformSimProcess.run(["run", faulty, "--db", database, "--quiet"])
    #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .completed)
    let faults = try store.rows(PolicyFaultRow.self, run: RunID(1))
    #expect(faults.count == 1)
    #expect(faults.first?.kind == "invalid-json")
    #expect(faults.first?.handling == "fallback")
    #expect(faults.first?.fallbackBuiltIn == "kyverno")
    #expect(faults.first?.output == "this is not json {")
    let logs = try store.rows(PolicyLogRow.self, run: RunID(1))
    #expect(logs.first?.standardError.contains("misbehaving (garbage)") == true)
    try Self.expectNoChildProcess(database, run: 1)
    // The admitting answers before the fault are the built-in's: same run as kyverno alone.
    let builtIn = directory.appendingPathComponent("builtin.yaml").path
    let text = try String(contentsOfFile: faulty, encoding: .utf8)
    guard let range = text.range(of: "  policies:") else { throw CocoaError(.fileReadCorruptFile) }
    try (String(text[..<range.lowerBound]) + "  policies:\n    admission: {builtin: kyverno}\n")
      .write(toFile: builtIn, atomically: true, encoding: .utf8)
    #expect(try PlatformSimProcess.run(["run", builtIn, "--db", database, "--quiet"]).status == 0)
    #expect(try Self.modelDigests(database, run: 1) == Self.modelDigests(database, run: 2))
  }

  @Test("SIGTERM while a policy hangs stops the run at once (not after the timeout) and leaves no child")
  func interruptedRunEndsItsPolicy() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let scenario = try Self.faultScenario(in: directory, mode: "hang", timeout: "60s")
    let (process, _, _) = try PlatformSimProcess.start(["run", scenario, "--db", database])
    usleep(1_500_000)
    process.terminate()
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .stopped)
    // Had the interrupt waited for the 60 s timeout, the hang would be recorded as a fault.
    #expect(try store.rows(PolicyFaultRow.self, run: RunID(1)).isEmpty)
    try Self.expectNoChildProcess(database, run: 1)
  }
}
