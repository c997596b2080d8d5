import Foundation
import ResultRows
import ResultStore
import Testing

/// The experiment commands as CI uses them: exit codes, outputs, rows.
///
/// Windows are short (`--until 2d`) and replications few, to keep the suite fast; the
/// full-size benchmark is in docs/EXPERIMENTS.md.
@Suite("platformsim experiments", .serialized)
struct ExperimentCommandTests {
  static let baseline = "scenarios/experiments/baseline.yaml"
  static let gate = "scenarios/experiments/gate.yaml"

  @Test("run --replications prints KPI means with confidence intervals and stores them")
  func replications() throws {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("r.sqlite").path
    let result = try PlatformSimProcess.run(
      ["run", Self.baseline, "--replications", "3", "--jobs", "2", "--until", "2d", "--db", database])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.contains("3 replications"))
    #expect(result.standardOutput.contains("| `lead_time_median_seconds` | 3 |"), "\(result.standardOutput)")
    let store = try ResultStore(path: database)
    let runs = try store.database.rows(RunRow.self, orderBy: "id")
    #expect(runs.map(\.experimentID) == [1, 1, 1])
    #expect(runs.allSatisfy { $0.status == .completed })
    #expect(runs.map(\.replication) == [0, 1, 2])
    #expect(try store.database.rows(ExperimentRow.self).map(\.kind) == ["run"])
    #expect(
      try store.database.rows(ExperimentKPIRow.self, where: "kpi = 'change_failure_rate'").map(\.count) == [3])
    #expect(result.standardError.isEmpty, "no progress bar when stderr is not a terminal: \(result.standardError)")
  }

  @Test("a progress bar with runs done, simulated time and time left is drawn when stderr is a terminal")
  func progressOnTerminal() throws {
    // util-linux `script` runs the tool on a pseudo-terminal, as an interactive shell would.
    let script = "/usr/bin/script"
    try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux `script` is needed for this test")
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("p.sqlite").path
    let command = [
      PlatformSimProcess.executable.path, "run", Self.baseline, "--replications", "4", "--jobs", "2", "--until", "10d",
      "--db",
      database,
    ].joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: script)
    process.arguments = ["-qefc", command, "/dev/null"]
    process.currentDirectoryURL = PlatformSimProcess.repositoryRoot
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("/4 runs"), "\(text.prefix(400))")
    #expect(text.contains("of 10d simulated"))
    #expect(text.contains(" left"))
  }

  @Test("the gate fails the worse candidate with exit 1 and names the regressed KPIs")
  func gateFailsWorse() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let output = directory.appendingPathComponent("gate.md").path
    let result = try PlatformSimProcess.run([
      "gate", "--baseline", Self.baseline, "--candidate", "scenarios/experiments/candidate-worse.yaml", "--rules",
      Self.gate,
      "--replications", "3", "--until", "2d", "--db", directory.appendingPathComponent("g.sqlite").path, "--output",
      output,
    ])
    #expect(result.status == 1, "\(result.standardError)")
    let markdown = try String(contentsOfFile: output, encoding: .utf8)
    #expect(markdown.contains("❌ failed"))
    #expect(markdown.contains("| ❌ | `lead_time_median_seconds` |"), "\(markdown)")
    #expect(markdown.contains("| ❌ | `change_failure_rate` |"), "\(markdown)")
  }

  @Test("the gate passes the better candidate with exit 0, in JSON and JUnit too")
  func gatePassesBetter() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("g.sqlite").path
    let arguments = [
      "gate", "--baseline", Self.baseline, "--candidate", "scenarios/experiments/candidate-better.yaml", "--rules",
      Self.gate,
      "--replications", "3", "--until", "2d", "--db", database,
    ]
    let json = try PlatformSimProcess.run(arguments + ["--format", "json"])
    #expect(json.status == 0, "\(json.standardError)\n\(json.standardOutput)")
    let parsed = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    #expect(parsed?["passed"] as? Bool == true)
    // The five rules and the delivery-loop check every gate makes.
    #expect((parsed?["rules"] as? [[String: Any]])?.count == 6)
    let junit = try PlatformSimProcess.run(arguments + ["--format", "junit", "--quiet"])
    #expect(junit.status == 0)
    #expect(junit.standardOutput.contains("<testsuites name=\"platformsim-gate\" tests=\"6\" failures=\"0\">"))
    let store = try ResultStore(path: database)
    #expect(try store.database.scalar("SELECT count(*) FROM gate_results WHERE passed = 1")?.intValue == 12)
  }

  @Test("a gate rule naming an unknown KPI exits 2, names it and suggests the nearest")
  func gateUnknownKPI() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let rules = directory.appendingPathComponent("gate.yaml").path
    try "rules:\n  change_failure_rte: {maxIncrease: 0.01}\n".write(toFile: rules, atomically: true, encoding: .utf8)
    let database = directory.appendingPathComponent("never.sqlite").path
    let result = try PlatformSimProcess.run([
      "gate", "--baseline", Self.baseline, "--candidate", Self.baseline, "--rules", rules, "--db", database,
    ])
    #expect(result.status == 2)
    #expect(
      result.standardError.contains("unknown KPI `change_failure_rte`; did you mean `change_failure_rate`?"),
      "\(result.standardError)")
    #expect(!FileManager.default.fileExists(atPath: database), "nothing is run on bad input")
  }

  @Test("compare reports paired differences; identical scenarios differ by exactly zero")
  func compareIdentical() throws {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("c.sqlite").path
    let result = try PlatformSimProcess.run([
      "compare", "--baseline", Self.baseline, "--candidate", Self.baseline, "--replications", "3", "--until", "1d",
      "--db",
      database,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let store = try ResultStore(path: database)
    let rows = try store.database.rows(ExperimentDifferenceRow.self, where: "kpi = 'lead_time_median_seconds'")
    #expect(rows.count == 1)
    #expect(
      rows.first.map { [$0.meanDifference, $0.confidenceLow, $0.confidenceHigh] } == [0, 0, 0],
      "common random numbers: same scenario, same results")
  }

  @Test("a sweep runs every point × replication; an axis the scenario lacks exits 2 naming it")
  func sweep() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("s.sqlite").path
    let result = try PlatformSimProcess.run([
      "sweep", "scenarios/experiments/sweep-runners.yaml", "--replications", "2", "--until", "1d", "--db", database,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let store = try ResultStore(path: database)
    #expect(try store.database.scalar("SELECT count(*) FROM runs WHERE status = 'completed'")?.intValue == 12)
    #expect(try store.database.scalar("SELECT count(*) FROM sweep_points")?.intValue == 12)
    #expect(
      try store.database.rows(
        SweepPointRow.self, where: "variant = 'point-5' AND axis = 'spec.delivery.runnerPool.runners'"
      ).map(\.value) == ["8"])
    let bad = directory.appendingPathComponent("bad-sweep.yaml").path
    try """
    kind: Sweep
    scenario: \(PlatformSimProcess.repositoryRoot.appendingPathComponent(Self.baseline).path)
    axes:
      spec.delivery.runnerPool.runnners: [2, 4]
    """.write(toFile: bad, atomically: true, encoding: .utf8)
    let failed = try PlatformSimProcess.run(["sweep", bad, "--db", database])
    #expect(failed.status == 2)
    #expect(
      failed.standardError.contains("the scenario has no `spec.delivery.runnerPool.runnners`"),
      "\(failed.standardError)")
    #expect(failed.standardError.contains("did you mean `runners`?"), "\(failed.standardError)")
  }

  @Test("shards run with --shard i/n merge into the single-machine result; a missing shard exits 2")
  func shardsThroughTheCommandLine() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let common = ["run", Self.baseline, "--replications", "4", "--until", "1d", "--quiet"]
    #expect(try PlatformSimProcess.run(common + ["--db", path("whole.sqlite")]).status == 0)
    for index in 0..<2 {
      let shard = try PlatformSimProcess.run(common + ["--shard", "\(index)/2", "--db", path("shard-\(index).sqlite")])
      #expect(shard.status == 0, "\(shard.standardError)")
    }
    let missing = try PlatformSimProcess.run(["merge", path("bad.sqlite"), path("shard-1.sqlite")])
    #expect(missing.status == 2)
    #expect(missing.standardError.contains("missing shard 0/2"), "\(missing.standardError)")
    #expect(!FileManager.default.fileExists(atPath: path("bad.sqlite")))
    let merged = try PlatformSimProcess.run([
      "merge", path("merged.sqlite"), path("shard-1.sqlite"), path("shard-0.sqlite"),
    ])
    #expect(merged.status == 0, "\(merged.standardError)")
    for run in 1...4 {
      let whole = try PlatformSimProcess.run(["digest", String(run), "--db", path("whole.sqlite")])
      let combined = try PlatformSimProcess.run(["digest", String(run), "--db", path("merged.sqlite")])
      #expect(whole.status == 0 && !whole.standardOutput.isEmpty)
      #expect(whole.standardOutput == combined.standardOutput, "run \(run) differs after merging")
    }
  }
}
