import Foundation
import ResultRows
import ResultStore
import Testing

@Suite("platformsim command line", .serialized)
struct CommandLineTests {
  @Test("the README's run command writes a completed run that sqlite3 can read")
  func bundledExample() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("results.sqlite").path
    let result = try PlatformSimProcess.run(["run", "scenarios/golden-path.yaml", "--db", database])
    #expect(result.status == 0, "\(result.standardError)")
    for fragment in ["completed", "simulated  30d of 30d", "events/s", "results    \(database)"] {
      #expect(result.standardOutput.contains(fragment), "summary lacks \(fragment):\n\(result.standardOutput)")
    }
    let store = try ResultStore(path: database)
    let runs = try store.database.rows(RunRow.self)
    #expect(runs.count == 1)
    #expect(runs.first?.status == .completed)
    #expect(runs.first?.scenarioName == "golden-path")
    #expect((runs.first?.eventCount ?? 0) > 1_000)
    #expect(try store.rows(RunnerJobRow.self, run: RunID(1)).count > 1_000)
  }

  /// serving-on-cluster has a cluster but no training jobs: its training percentiles are
  /// empty, so a training line would print a queue wait of 0s that nothing measured.
  @Test("the summary prints only what the scenario models, and a figure without a target has no mark")
  func summaryOfWhatIsModelled() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("results.sqlite").path
    let serving = try PlatformSimProcess.run(
      ["run", "scenarios/serving-on-cluster.yaml", "--until", "1d", "--db", database])
    #expect(serving.status == 0, "\(serving.standardError)")
    let lines = serving.standardOutput.split(separator: "\n")
    #expect(!lines.contains { $0.hasPrefix("  training") }, "\(serving.standardOutput)")
    #expect(lines.contains { $0.hasPrefix("  cost") }, "\(serving.standardOutput)")
    let golden = try PlatformSimProcess.run(["run", "scenarios/golden-path.yaml", "--until", "2d", "--db", database])
    #expect(golden.standardOutput.contains("  training   "), "\(golden.standardOutput)")
    for line in (serving.standardOutput + golden.standardOutput).split(separator: "\n") {
      #expect(!line.contains(" ,") && !line.hasSuffix(" "), "a blank where a mark would be: \"\(line)\"")
    }
  }

  @Test("the same seed gives identical tables across processes and hashing modes; other seeds differ")
  func determinism() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("results.sqlite").path
    let runs: [(seed: String, environment: [String: String])] = [
      ("42", [:]), ("42", ["SWIFT_DETERMINISTIC_HASHING": "1"]), ("42", [:]), ("43", [:]),
    ]
    for run in runs {
      let result = try PlatformSimProcess.run(
        ["run", "scenarios/golden-path.yaml", "--until", "10d", "--db", database, "--seed", run.seed, "--quiet"],
        environment: run.environment)
      #expect(result.status == 0, "\(result.standardError)")
    }
    let store = try ResultStore(path: database)
    let digests = try (1...4).map { try store.digest(of: RunID(Int64($0))) }
    #expect(digests[0] == digests[1])
    #expect(digests[0] == digests[2])
    for table in ["runner_jobs", "run_metrics", "changes", "deployments", "pipeline_stages", "kpis", "service_traffic"]
    {
      #expect(digests[0][table] != digests[3][table], "seed 43 gives the same \(table) as seed 42")
    }
    let tables = try store.perRunTables()
    #expect(Set(digests[0].keys) == Set(tables + ["runs"]), "every per-run table is digested")
    let rows = try store.database.scalar("SELECT count(*) FROM deployments WHERE run_id = 1")?.intValue ?? 0
    #expect(rows > 50, "the digest covers a run with real delivery activity")
    // `platformsim digest` prints the same fingerprints.
    let printed = try PlatformSimProcess.run(["digest", "1", "--db", database])
    #expect(printed.status == 0)
    #expect(printed.standardOutput.contains("\(digests[0]["runner_jobs"]!)  runner_jobs"))
  }

  @Test("every invalid scenario exits 2 from `validate` and `run`, naming file:line:column")
  func invalidScenarios() throws {
    let directory = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/ScenarioTests/InvalidScenarios")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
      .sorted()
    #expect(files.count >= 25)
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("never.sqlite").path
    for file in files {
      let path = directory.appendingPathComponent(file).path
      let validate = try PlatformSimProcess.run(["validate", path])
      #expect(validate.status == 2, "\(file)")
      // Located in the scenario, or in a file it references (a Rollout, a rule file).
      #expect(validate.standardError.contains("\(directory.path)/"), "\(file): \(validate.standardError)")
      #expect(!validate.standardError.contains("Fatal error"))
      let run = try PlatformSimProcess.run(["run", path, "--db", database])
      #expect(run.status == 2, "\(file)")
    }
    #expect(!FileManager.default.fileExists(atPath: database), "an invalid scenario must not create a database")
  }

  @Test(
    "bad usage and bad paths exit 2 with a clear message",
    arguments: [
      (["run"], "Missing expected argument"),
      (["frobnicate"], "Unexpected argument"),
      (["run", "scenarios/golden-path.yaml", "--until", "-3d"], "--until"),
      (["run", "scenarios/golden-path.yaml", "--until", "soon"], "expected a positive duration"),
      (["run", "scenarios/golden-path.yaml", "--seed", "minus"], "--seed"),
      (["run", "does/not/exist.yaml"], "no such file"),
      (["run", "scenarios/golden-path.yaml", "--db", "/proc/platformsim/x.sqlite"], "cannot"),
      (["validate", "scenarios"], "is a directory"),
      (["digest", "1", "--db", "/nonexistent.sqlite"], "no database"),
      (
        ["run", "scenarios/golden-path.yaml", "--db", ""], "--db: found ``, expected the path of a SQLite results file"
      ),
      (
        ["run", "scenarios/golden-path.yaml", "--db", "/nonexistent-platformsim/dir/x.sqlite"],
        "no directory /nonexistent-platformsim/dir (only the default reports/ is created)"
      ),
      (["run", "scenarios/golden-path.yaml", "--db", "README.md/x.sqlite"], "README.md is a file, not a directory"),
    ] as [([String], String)])
  func badUsage(arguments: [String], fragment: String) throws {
    let result = try PlatformSimProcess.run(arguments)
    #expect(result.status == 2)
    #expect(result.standardError.contains(fragment), "\(result.standardError)")
    #expect(!result.standardError.contains("Fatal error"))
    #expect(
      !FileManager.default.fileExists(atPath: "/nonexistent-platformsim"), "no directory is created outside reports/")
  }

  @Test("--policy-commands deny refuses a scenario's policy command unless the allowlist names it")
  func policyCommandsDenied() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("results.sqlite").path
    let denied = try PlatformSimProcess.run([
      "run", "scenarios/rollback-bot.yaml", "--until", "1h", "--db", database, "--policy-commands", "deny",
    ])
    #expect(denied.status == 2)
    #expect(
      denied.standardError.contains(
        "scenarios/rollback-bot.yaml: error: spec.policies.incidentResponse.command: `python3 policies/rollback_bot.py` may not run"
      ), "\(denied.standardError)")
    #expect(!FileManager.default.fileExists(atPath: database), "nothing runs or is written before the refusal")
    let allowlist = directory.appendingPathComponent("allowed-commands").path
    try "# reviewed on main\npython3 policies/spot_fallback.py --max-wait-minutes 30\n".write(
      toFile: allowlist, atomically: true, encoding: .utf8)
    let notListed = try PlatformSimProcess.run([
      "run", "scenarios/rollback-bot.yaml", "--until", "1h", "--db", database, "--policy-commands", "deny",
      "--policy-allowlist", allowlist,
    ])
    #expect(notListed.status == 2)
    #expect(notListed.standardError.contains("it is not in the allowlist \(allowlist)"), "\(notListed.standardError)")
    try "python3 policies/rollback_bot.py  # reviewed\n".write(toFile: allowlist, atomically: true, encoding: .utf8)
    let listed = try PlatformSimProcess.run([
      "run", "scenarios/rollback-bot.yaml", "--until", "1h", "--db", database, "--policy-commands", "deny",
      "--policy-allowlist", allowlist, "--quiet",
    ])
    #expect(listed.status == 0, "\(listed.standardError)")
    let typo = try PlatformSimProcess.run(["run", "scenarios/rollback-bot.yaml", "--policy-commands", "never"])
    #expect(typo.status == 2)
    #expect(typo.standardError.contains("--policy-commands: found `never`, expected `allow` or `deny`"))
  }

  @Test("a database from a newer PlatformSim and a non-database file are refused with exit 2")
  func refusedDatabases() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let newer = directory.appendingPathComponent("newer.sqlite").path
    _ = try ResultStore(path: newer)
    try SQLiteDatabase(path: newer).execute("PRAGMA user_version = 999")
    let newerResult = try PlatformSimProcess.run(["run", "scenarios/golden-path.yaml", "--db", newer, "--until", "1h"])
    #expect(newerResult.status == 2)
    #expect(newerResult.standardError.contains("schema version 999"))
    #expect(newerResult.standardError.contains("Choose another file with --db PATH."))
    let text = directory.appendingPathComponent("notes.sqlite").path
    try String(repeating: "hello\n", count: 500).write(toFile: text, atomically: true, encoding: .utf8)
    let textResult = try PlatformSimProcess.run(["run", "scenarios/golden-path.yaml", "--db", text, "--until", "1h"])
    #expect(textResult.status == 2)
    #expect(textResult.standardError.contains("not a PlatformSim SQLite database"))
  }

  @Test("a run cut short by a guard exits 1 and is recorded as stopped, with the reason")
  func stoppedByGuard() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(in: directory, limits: "  limits:\n    maxEvents: 500")
    let database = directory.appendingPathComponent("results.sqlite").path
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database])
    #expect(result.status == 1)
    #expect(result.standardOutput.contains("STOPPED"))
    #expect(result.standardOutput.contains("maxEvents"))
    let store = try ResultStore(path: database)
    let row = try store.database.rows(RunRow.self).first
    #expect(row?.status == .stopped)
    #expect(row?.stopReason?.contains("event limit of 500") == true)
    #expect(row?.eventCount == 500)
  }

  @Test("several processes writing to one database at once all succeed and lose no run")
  func concurrentProcesses() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(in: directory, duration: "20d")
    let database = directory.appendingPathComponent("shared.sqlite").path
    var started: [(Process, Pipe, Pipe)] = []
    for seed in 1...6 {
      started.append(try PlatformSimProcess.start(["run", scenario, "--db", database, "--seed", "\(seed)", "--quiet"]))
    }
    for (process, output, error) in started {
      _ = output.fileHandleForReading.readDataToEndOfFile()
      let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(message)")
    }
    let store = try ResultStore(path: database)
    #expect(try store.database.scalar("SELECT count(*) FROM runs WHERE status = 'completed'")?.intValue == 6)
    #expect(try store.database.scalar("SELECT count(DISTINCT seed) FROM runs")?.intValue == 6)
    // Every run has all its job rows: submitted jobs equal rows written.
    let mismatches = try store.database.scalar(
      """
      SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM runner_jobs j WHERE j.run_id = r.id)
        != (SELECT value FROM run_metrics m WHERE m.run_id = r.id AND m.name = 'runner_pool.jobs_submitted')
      """)
    #expect(mismatches?.intValue == 0)
  }

  @Test("a killed run never looks completed, and the database stays usable")
  func killedRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(
      in: directory, duration: "20000d", runners: 40, ratePerHour: 600)
    let database = directory.appendingPathComponent("killed.sqlite").path
    let (process, _, _) = try PlatformSimProcess.start(["run", scenario, "--db", database, "--quiet"])
    // Wait until the run row exists, then kill without warning.
    var waited = 0
    while waited < 200 {
      Thread.sleep(forTimeInterval: 0.05)
      waited += 1
      if let store = try? ResultStore(path: database),
        (try? store.database.scalar("SELECT count(*) FROM runs")?.intValue) == 1
      {
        break
      }
    }
    Thread.sleep(forTimeInterval: 0.3)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let store = try ResultStore(path: database)
    #expect(try store.database.scalar("SELECT status FROM runs WHERE id = 1")?.stringValue == "running")
    #expect(try store.database.scalar("SELECT count(*) FROM runs WHERE status = 'completed'")?.intValue == 0)
    let again = try PlatformSimProcess.run([
      "run", "scenarios/golden-path.yaml", "--db", database, "--until", "1d", "--quiet",
    ])
    #expect(again.status == 0)
  }

  @Test("SIGTERM stops a run cleanly: rows written, status stopped, exit 1")
  func interruptedRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(
      in: directory, duration: "20000d", runners: 40, ratePerHour: 600)
    let database = directory.appendingPathComponent("interrupted.sqlite").path
    let (process, output, _) = try PlatformSimProcess.start(["run", scenario, "--db", database])
    var waited = 0
    while waited < 200 {
      Thread.sleep(forTimeInterval: 0.05)
      waited += 1
      if let store = try? ResultStore(path: database),
        (try? store.database.scalar("SELECT count(*) FROM runs")?.intValue) == 1
      {
        break
      }
    }
    Thread.sleep(forTimeInterval: 0.3)
    kill(process.processIdentifier, SIGTERM)
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    #expect(printed.contains("interrupted"))
    let store = try ResultStore(path: database)
    let row = try store.database.rows(RunRow.self).first
    #expect(row?.status == .stopped)
    #expect(row?.stopReason?.contains("interrupted") == true)
    let jobs = try store.rows(RunnerJobRow.self, run: RunID(1))
    let submitted = try store.rows(RunMetric.self, run: RunID(1), where: "name = 'runner_pool.jobs_submitted'").first
    #expect(!jobs.isEmpty)
    #expect(Double(jobs.count) == submitted?.value, "every submitted job has its row")
  }

  @Test("help lists the commands with examples; version prints the version")
  func helpAndVersion() throws {
    let help = try PlatformSimProcess.run(["--help"])
    #expect(help.status == 0)
    for fragment in ["run", "validate", "schema", "Examples:", "Exit codes"] {
      #expect(help.standardOutput.contains(fragment))
    }
    let runHelp = try PlatformSimProcess.run(["run", "--help"])
    #expect(runHelp.standardOutput.contains("--until"))
    let version = try PlatformSimProcess.run(["version"])
    #expect(version.status == 0)
    #expect(version.standardOutput.hasPrefix("platformsim "))
    let schema = try PlatformSimProcess.run(["schema"])
    #expect(schema.status == 0)
    #expect(schema.standardOutput.contains("\"$schema\""))
  }

  /// An overloaded CI runner pool (4 runners, a million jobs an hour) queues without bound:
  /// the queue counts against `maxMemoryGiB` (it grew past 20 GB under a 1 GiB limit), and
  /// its jobs still queued at the stop are all written as rows.
  @Test("an overloaded runner pool stops at the memory limit, its queue written")
  func overloadedRunnerPoolMemoryLimit() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(
      in: directory, duration: "1d", limits: "  limits: {maxMemoryGiB: 0.02}", runners: 4, ratePerHour: 1_000_000)
    let database = directory.appendingPathComponent("results.sqlite").path
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
    #expect(result.status == 1, "\(result.standardError)")
    let store = try ResultStore(readingOnly: database)
    let run = try #require(try store.database.rows(RunRow.self).first)
    #expect(run.status == .stopped)
    #expect(run.stopReason?.contains("memory limit of 0.02 GiB") == true, "\(run.stopReason ?? "")")
    // 0.02 GiB (21.5 MB) holds the queue's growth from 2^17 to 2^18 slots of 48 bytes
    // (6.3 + 12.6 MB during the copy) but not the next one (12.6 + 25.2 MB): the run stops
    // just before the queue fills 2^18 slots.
    let queued = try store.database.scalar("SELECT count(*) FROM runner_jobs WHERE started_at IS NULL")?.intValue ?? 0
    #expect(queued > 200_000 && queued < 1 << 18, "\(queued) jobs queued at the stop")
    #expect((run.eventCount ?? .max) < (1 << 18) + 1_024)
  }
}
