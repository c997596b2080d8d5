import Foundation
import ResultRows
import ResultStore
import Testing

/// A gate spread over machines — `gate --shard i/n` per machine, `merge`, then
/// `gate --db MERGED` — against the same gate on one machine, through the command line
/// as CI and the cluster manifests (deploy/) run it.
@Suite("platformsim gate: shards, merge, judge", .serialized)
struct ShardedGateTests {
  static let baseline = "scenarios/experiments/baseline.yaml"
  static let rules = "scenarios/experiments/gate.yaml"
  /// Five replications in three shards (slices of 2, 2 and 1), two simulated days each.
  static let run = ["--rules", rules, "--replications", "5", "--until", "2d", "--jobs", "2"]

  /// What both ways must agree on: every stored statistic and verdict row.
  struct Stored: Equatable {
    var kpis: [ExperimentKPIRow]
    var differences: [ExperimentDifferenceRow]
    var verdicts: [GateResultRow]

    init(_ path: String) throws {
      let database = try ResultStore(path: path).database
      kpis = try database.rows(ExperimentKPIRow.self, orderBy: "variant, kpi")
      differences = try database.rows(ExperimentDifferenceRow.self, orderBy: "kpi")
      verdicts = try database.rows(GateResultRow.self, orderBy: "kpi, rule")
    }
  }

  /// The rendered verdicts are compared byte for byte, with nothing left out. Of what
  /// legitimately differs between the two ways in general, none differs here, and the
  /// test checks that it does not:
  /// - `experimentId`: the single-machine gate runs into a fresh database, so its
  ///   experiment is 1, and `merge` always numbers the merged experiment 1;
  /// - `baseline` and `candidate` (the paths as given): every process runs from the
  ///   repository root with the same relative paths; `gate --db` reports the paths the
  ///   shards stored (in a cluster they are the pods' paths, e.g. /work/inputs/…);
  /// - timestamps, run ids and database paths: the verdicts carry none.
  @Test(
    "a sharded, merged gate judged from its database gives the single machine's verdict, statistics and exit status",
    arguments: [
      ("scenarios/experiments/candidate-worse.yaml", Int32(1)), ("scenarios/experiments/candidate-better.yaml", 0),
    ])
  func shardedEqualsSingleMachine(candidate: String, expectedStatus: Int32) throws {
    let directory = PlatformSimProcess.scratchDirectory()
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let scenarios = ["--baseline", Self.baseline, "--candidate", candidate]

    let single = try PlatformSimProcess.run(
      ["gate"] + scenarios + Self.run
        + [
          "--db", path("single.sqlite"), "--format", "json", "--output", path("single.json"), "--summary",
          path("single.md"),
        ])
    #expect(single.status == expectedStatus, "\(single.standardError)")

    for index in 0..<3 {
      let shard = try PlatformSimProcess.run(
        ["gate"] + scenarios + Self.run + ["--shard", "\(index)/3", "--db", path("shard-\(index).sqlite"), "--quiet"])
      #expect(shard.status == 0, "a shard judges nothing: exit 0 when its runs completed. \(shard.standardError)")
      #expect(shard.standardOutput.isEmpty)
      let database = try ResultStore(path: path("shard-\(index).sqlite")).database
      #expect(try database.scalar("SELECT count(*) FROM gate_results")?.intValue == 0)
      #expect(
        try database.rows(RunRow.self, orderBy: "id").map(\.replication)
          == (index == 2 ? [2, 2] : [index, index + 3, index, index + 3]),
        "shard i/3 runs replications r ≡ i (mod 3) of the baseline, then of the candidate")
    }
    let merged = try PlatformSimProcess.run(
      ["merge", path("merged.sqlite"), path("shard-2.sqlite"), path("shard-0.sqlite"), path("shard-1.sqlite")])
    #expect(merged.status == 0, "\(merged.standardError)")

    let judged = try PlatformSimProcess.run([
      "gate", "--db", path("merged.sqlite"), "--rules", Self.rules, "--format", "json", "--output", path("merged.json"),
      "--summary", path("merged.md"),
    ])
    #expect(judged.status == expectedStatus, "\(judged.standardError)")

    let singleJSON = try String(contentsOfFile: path("single.json"), encoding: .utf8)
    let mergedJSON = try String(contentsOfFile: path("merged.json"), encoding: .utf8)
    #expect(mergedJSON == singleJSON)
    #expect(
      try String(contentsOfFile: path("merged.md"), encoding: .utf8)
        == String(contentsOfFile: path("single.md"), encoding: .utf8))
    // The fields that could differ (see above) are present and equal, not absent.
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(mergedJSON.utf8)) as? [String: Any])
    #expect(parsed["experimentId"] as? Int == 1)
    #expect(parsed["baseline"] as? String == Self.baseline)
    #expect(parsed["candidate"] as? String == candidate)
    #expect(parsed["replications"] as? Int == 5)
    #expect(parsed["passed"] as? Bool == (expectedStatus == 0))
    // The five rules and the delivery-loop check every gate makes.
    #expect((parsed["rules"] as? [[String: Any]])?.count == 6)

    let singleStored = try Stored(path("single.sqlite"))
    #expect(singleStored.kpis.count > 10 && singleStored.verdicts.count == 6)
    #expect(try Stored(path("merged.sqlite")) == singleStored)

    // Judging is repeatable and needs no scenario: the single-machine database judged
    // again gives the same verdict, in every format.
    for format in ["markdown", "junit"] {
      let again = try PlatformSimProcess.run([
        "gate", "--db", path("single.sqlite"), "--rules", Self.rules, "--format", format,
      ])
      let fromMerged = try PlatformSimProcess.run([
        "gate", "--db", path("merged.sqlite"), "--rules", Self.rules, "--format", format,
      ])
      #expect(again.status == expectedStatus && fromMerged.status == expectedStatus)
      #expect(!again.standardOutput.isEmpty && again.standardOutput == fromMerged.standardOutput)
    }
  }

  @Test("judging refuses, with exit 2 and a clear message, what is not one complete gate experiment")
  func judgeRefusals() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func judge(_ database: String, _ extra: [String] = [], rules: String = Self.rules) throws
      -> PlatformSimProcess.Result
    {
      try PlatformSimProcess.run(["gate", "--db", database, "--rules", rules] + extra)
    }
    let scenarios = ["--baseline", Self.baseline, "--candidate", Self.baseline]
    let small = ["--rules", Self.rules, "--replications", "2", "--until", "1d", "--quiet"]

    // A compare is not a gate.
    #expect(
      try PlatformSimProcess.run(
        ["compare"] + scenarios + ["--replications", "2", "--until", "1d", "--quiet", "--db", path("compare.sqlite")]
      ).status == 0)
    let compare = try judge(path("compare.sqlite"))
    #expect(compare.status == 2)
    #expect(
      compare.standardError.contains("holds no gate experiment (it holds: compare 1)"), "\(compare.standardError)")

    // A shard that was not merged.
    #expect(
      try PlatformSimProcess.run(["gate"] + scenarios + small + ["--shard", "0/2", "--db", path("shard.sqlite")]).status
        == 0)
    let shard = try judge(path("shard.sqlite"))
    #expect(shard.status == 2)
    #expect(shard.standardError.contains("is shard 0/2 of a gate"), "\(shard.standardError)")

    // Two gates and none chosen; then each chosen.
    let two = path("two.sqlite")
    #expect(try PlatformSimProcess.run(["gate"] + scenarios + small + ["--db", two]).status == 0)
    try ResultStore(path: two).database.execute(
      """
      INSERT INTO experiments (name, kind, scenario_path, scenario_digest, seed, replications, pairing, confidence,
        tool_version, created_at)
      SELECT name, kind, scenario_path, scenario_digest, seed, replications, pairing, confidence, tool_version, created_at
      FROM experiments WHERE id = 1
      """)
    let ambiguous = try judge(two)
    #expect(ambiguous.status == 2)
    #expect(
      ambiguous.standardError.contains(
        "holds 2 gate experiments (1, 2); choose a gate experiment with --experiment ID"),
      "\(ambiguous.standardError)")
    #expect(try judge(two, ["--experiment", "1", "--quiet"]).status == 0)
    let empty = try judge(two, ["--experiment", "2"])
    #expect(empty.status == 2)
    #expect(
      empty.standardError.contains("gate experiment 2 of \(two) is incomplete: it has no runs"),
      "\(empty.standardError)")
    let missing = try judge(two, ["--experiment", "9"])
    #expect(missing.status == 2 && missing.standardError.contains("has no experiment 9"), "\(missing.standardError)")

    // A run that did not complete.
    try ResultStore(path: two).database.execute("UPDATE runs SET status = 'stopped' WHERE id = 3")
    let stopped = try judge(two, ["--experiment", "1"])
    #expect(stopped.status == 2)
    #expect(stopped.standardError.contains("1 of its 4 runs did not complete"), "\(stopped.standardError)")

    // A rule naming a KPI the stored runs lack, with the nearest stored name.
    let badRules = path("bad-gate.yaml")
    try "rules:\n  change_failure_rte: {maxIncrease: 0.01}\n".write(toFile: badRules, atomically: true, encoding: .utf8)
    try ResultStore(path: two).database.execute("UPDATE runs SET status = 'completed' WHERE id = 3")
    let kpi = try judge(two, ["--experiment", "1"], rules: badRules)
    #expect(kpi.status == 2)
    #expect(
      kpi.standardError.contains("unknown KPI `change_failure_rte`; did you mean `change_failure_rate`?"),
      "\(kpi.standardError)")

    // No database file.
    let none = try judge(path("nothing.sqlite"))
    #expect(none.status == 2 && none.standardError.contains("no database at"), "\(none.standardError)")
    #expect(!FileManager.default.fileExists(atPath: path("nothing.sqlite")))
  }

  @Test("flags that do not fit the use of `gate` exit 2, naming the flag, before anything runs")
  func flagCombinations() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("never.sqlite").path
    let cases: [(arguments: [String], message: String)] = [
      (["--baseline", Self.baseline, "--rules", Self.rules, "--db", database], "missing --candidate: a gate runs"),
      (["--candidate", Self.baseline, "--rules", Self.rules, "--db", database], "missing --baseline"),
      (["--rules", Self.rules], "missing --db: name the database"),
      (["--rules", Self.rules, "--db", database, "--replications", "4"], "--replications does not apply when judging"),
      (["--rules", Self.rules, "--db", database, "--shard", "0/2"], "--shard does not apply when judging"),
      (["--rules", Self.rules, "--db", database, "--until", "1d"], "--until does not apply when judging"),
      (
        [
          "--baseline", Self.baseline, "--candidate", Self.baseline, "--rules", Self.rules, "--shard", "0/2", "--db",
          database, "--output", "x.xml",
        ],
        "--output does not apply to a shard"
      ),
      (
        [
          "--baseline", Self.baseline, "--candidate", Self.baseline, "--rules", Self.rules, "--shard", "0/2", "--db",
          database, "--format", "junit",
        ],
        "--format does not apply to a shard"
      ),
      (
        [
          "--baseline", Self.baseline, "--candidate", Self.baseline, "--rules", Self.rules, "--db", database,
          "--experiment", "1",
        ],
        "--experiment does not apply when running a gate"
      ),
      (
        [
          "--baseline", Self.baseline, "--candidate", Self.baseline, "--rules", Self.rules, "--replications", "3",
          "--shard", "3/4", "--db", database,
        ],
        "--shard: found `3/4`, expected at most as many shards as replications (3)"
      ),
    ]
    for (arguments, message) in cases {
      let result = try PlatformSimProcess.run(["gate"] + arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }
    #expect(!FileManager.default.fileExists(atPath: database), "nothing is run or created on bad usage")
  }

  @Test("a shard checks the rules' KPI names first (exit 2, nothing stored) and exits 1 when a run does not complete")
  func shardExitStatus() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let baseline = try PlatformSimProcess.writeScenario(in: directory, name: "base", duration: "1d")
    let stopped = try PlatformSimProcess.writeScenario(
      in: directory, name: "stopped", duration: "1d", limits: "  limits:\n    maxEvents: 500")
    let rules = directory.appendingPathComponent("gate.yaml").path
    try "rules:\n  runner_pool.jobs_submitted: {maxIncrease: 1000}\n".write(
      toFile: rules, atomically: true, encoding: .utf8)
    let badRules = directory.appendingPathComponent("bad.yaml").path
    try "rules:\n  runner_pool.jobs_submited: {maxIncrease: 1}\n".write(
      toFile: badRules, atomically: true, encoding: .utf8)
    func shard(_ candidate: String, rules: String, database: String) throws -> PlatformSimProcess.Result {
      try PlatformSimProcess.run([
        "gate", "--baseline", baseline, "--candidate", candidate, "--rules", rules, "--replications", "4", "--shard",
        "1/2",
        "--db", directory.appendingPathComponent(database).path, "--quiet",
      ])
    }
    let typo = try shard(baseline, rules: badRules, database: "typo.sqlite")
    #expect(typo.status == 2)
    #expect(typo.standardError.contains("did you mean `runner_pool.jobs_submitted`?"), "\(typo.standardError)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("typo.sqlite").path))

    let failing = try shard(stopped, rules: rules, database: "failing.sqlite")
    #expect(failing.status == 1, "\(failing.standardError)")
    #expect(failing.standardError.contains("of candidate stopped"), "\(failing.standardError)")
    let completed = try shard(baseline, rules: rules, database: "fine.sqlite")
    #expect(completed.status == 0, "\(completed.standardError)")
  }
}
