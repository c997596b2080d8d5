import ArgumentParser
import Experiments
import Foundation
import PlatformModel
import ResultRows
import ResultStore
import RunLifecycle
import Scenario
import SimKernel

struct RunCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a scenario and write the results into SQLite.",
    discussion: """
      Writes a row into the `runs` table (status running → completed, stopped or failed)
      and the run's result rows; prints a summary unless --quiet.

      Examples:
        platformsim run scenarios/golden-path.yaml
        platformsim run scenarios/golden-path.yaml --seed 42 --db /tmp/a.sqlite
        platformsim run scenarios/golden-path.yaml --until 7d --quiet
        platformsim run scenarios/golden-path.yaml --replications 30 --jobs 2
        platformsim run scenarios/golden-path.yaml --replications 30 --shard 0/3 --db shard-0.sqlite

      With --replications N, runs replications 0..N-1 (seeds derived from the root seed
      and the replication number) in parallel as one experiment, and prints each KPI's
      mean with a 95 % confidence interval (also stored in `experiment_kpis`).
      """)

  @Argument(help: "The scenario file.")
  var scenario: String

  @Option(help: "Root seed (overrides spec.simulation.seed).")
  var seed: UInt64?

  @Option(help: "SQLite results file (default: spec.outputs.database, else reports/platformsim.sqlite).")
  var db: String?

  @Option(help: "Simulate only this long, e.g. 7d (overrides spec.simulation.duration).")
  var until: String?

  @Flag(help: "Print nothing on success.")
  var quiet = false

  @Option(help: "Run N replications as one experiment and print KPI means with 95 % confidence intervals.")
  var replications: Int?

  @Option(help: "Threads running replications (default: the number of processors).")
  var jobs: Int?

  @Option(help: "Run only shard i/n (0-based) of the replications; combine shard databases with `platformsim merge`.")
  var shard: String?

  mutating func execute() -> ExitStatus {
    if replications != nil || shard != nil { return executeReplications() }
    let document: ScenarioDocument
    do {
      let loaded = try ScenarioLoader.load(path: scenario)
      document = loaded.document
      for warning in loaded.warnings { printError(warning.rendered) }
    } catch {
      printError(error.description)
      return .invalidInput
    }
    var duration = document.duration
    if let until {
      guard let parsed = SimDuration(parsing: until), parsed.microseconds > 0 else {
        printError("error: --until: found `\(until)`, expected a positive duration such as `90s`, `5m`, `2h30m` or `30d`")
        return .invalidInput
      }
      duration = parsed
    }
    let databasePath = db ?? document.databasePath ?? "reports/platformsim.sqlite"
    let store: ResultStore
    do {
      try createParentDirectory(of: databasePath)
      store = try ResultStore(path: databasePath)
    } catch let error as StoreError {
      printError("error: \(error)")
      return .invalidInput
    } catch {
      printError("error: cannot create the directory for \(databasePath): \(error.localizedDescription)")
      return .invalidInput
    }
    let runSeed = seed ?? document.seed
    let configuration = document.worldConfiguration(seed: runSeed, duration: duration)
    let calendar = configuration.calendar
    let start = RunStart(
      scenarioName: document.name, scenarioPath: document.path, scenarioDigest: document.digest, seed: runSeed,
      replication: 0, toolVersion: ToolVersion.current, timeZone: document.timeZone,
      simulatedStartEpochSeconds: Double(document.startEpochSeconds),
      simulatedEndEpochSeconds: calendar.epochSeconds(at: .zero + duration))
    let report: RunReport
    Interruption.install()
    let bar = ProgressBar(quiet: quiet)
    let windowSeconds = duration.seconds
    do {
      report = try SimulationRun.execute(
        RunRequest(configuration: configuration, duration: duration, limits: document.limits, start: start),
        store: store, createdAt: Date().ISO8601Format(), interruptRequested: { Interruption.isRequested },
        onProgress: { now, _ in
          let reached = (now - SimTime.zero).seconds
          bar.update(
            runsFinished: 0, runsTotal: 1, runsDone: reached / windowSeconds, simulatedSeconds: reached,
            simulatedSecondsPerRun: windowSeconds)
        })
    } catch {
      bar.finish()
      printError("error: \(error)")
      return .runFailure
    }
    bar.finish()
    if !quiet || report.status != .completed {
      print(RunSummary(report: report, document: document, duration: duration, calendar: calendar, databasePath: databasePath).text)
    }
    switch report.status {
    case .completed: return .success
    case .failed, .stopped, .running: return .runFailure
    }
  }

  /// `--replications N`: one experiment of N replications, summarised with confidence intervals.
  func executeReplications() -> ExitStatus {
    guard let document = ExperimentSupport.loadScenario(scenario) else { return .invalidInput }
    let count = replications ?? 1
    if let error = ExperimentSupport.checkReplications(count) { return ExperimentSupport.report(error) }
    let duration: SimDuration?
    let shardValue: Shard
    let jobCount: Int
    switch (ExperimentSupport.parseUntil(until), ExperimentSupport.parseShard(shard, replications: count), ExperimentSupport.resolveJobs(jobs)) {
    case (.success(let parsedDuration), .success(let parsedShard), .success(let parsedJobs)):
      duration = parsedDuration
      shardValue = parsedShard
      jobCount = parsedJobs
    case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
      return ExperimentSupport.report(error)
    }
    let databasePath = db ?? document.databasePath ?? "reports/platformsim.sqlite"
    let plan = ExperimentPlan(
      name: document.name, kind: .run, variants: [ExperimentVariant(name: "scenario", document: document)],
      replications: count, seed: seed ?? document.seed, duration: duration, shard: shardValue)
    let outcome: ExperimentOutcome
    let observations: ExperimentObservations
    switch ExperimentSupport.run(plan, databasePath: databasePath, jobs: jobCount, quiet: quiet) {
    case .success(let result): (outcome, observations) = result
    case .failure(let status): return status
    }
    guard !quiet else { return .success }
    let shardText = shardValue == .whole ? "" : " (shard \(shardValue): \(outcome.reports.count) runs)"
    print(
      "platformsim: experiment \(outcome.experimentID): \(count) replications of scenario \"\(document.name)\"\(shardText) completed in "
        + String(format: "%.2f", outcome.wallSeconds) + " s wall with \(jobCount) threads")
    print("")
    print(ExperimentSummaryTable.means(observations, confidence: plan.confidence), terminator: "")
    print("")
    print("  results    \(databasePath) (experiments.id = \(outcome.experimentID), \(ExperimentSupport.runRange(outcome)))")
    return .success
  }

  func createParentDirectory(of path: String) throws {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }
}

/// The short text a run ends with: span, events, speed, where the results went.
struct RunSummary {
  let report: RunReport
  let document: ScenarioDocument
  let duration: SimDuration
  let calendar: SimCalendar
  let databasePath: String

  var text: String {
    let outcome = report.outcome
    var lines: [String] = []
    let verb: String
    switch report.status {
    case .completed: verb = "completed"
    case .stopped: verb = "STOPPED"
    case .failed: verb = "FAILED"
    case .running: verb = "running"
    }
    lines.append("platformsim: run \(report.runID) of scenario \"\(document.name)\" \(verb)")
    lines.append(
      "  simulated  \(outcome.finalTime - SimTime.zero) of \(duration) (\(calendar.formatted(.zero)) → \(calendar.formatted(outcome.finalTime)) \(calendar.timeZoneIdentifier))")
    lines.append(
      "  events     \(grouped(outcome.eventCount)) in \(String(format: "%.3f", report.wallSeconds)) s wall (\(rate(report.eventsPerSecond)) events/s)")
    if report.status != .completed {
      lines.append("  reason     \(report.errorMessage ?? outcome.reason.explanation)")
    }
    if let jobs = report.metric("runner_pool.jobs_finished"), let wait = report.metric("runner_pool.mean_wait_seconds") {
      lines.append(
        "  runners    \(grouped(Int(jobs))) jobs finished, mean wait \(SimDuration(seconds: wait.rounded()).formatted), utilisation \(percent(report.metric("runner_pool.utilisation")))")
    }
    if let delivery = deliveryLine { lines.append(delivery) }
    if let finished = report.metric("training.jobs_finished"), let cost = report.metric("cost.total_usd") {
      let idle = report.metric("cost.idle_usd") ?? 0
      lines.append(
        "  training   \(grouped(Int(finished))) jobs finished, queue wait p95 \(SimDuration(seconds: (report.metric("training.queue_wait_p95_seconds") ?? 0).rounded()).formatted), goodput \(percent(report.metric("training.goodput")))")
      lines.append(
        "  cost       $\(String(format: "%.2f", cost)) nodes, $\(String(format: "%.2f", idle)) idle, spot savings $\(String(format: "%.2f", report.metric("cost.spot_savings_usd") ?? 0))")
    }
    lines.append("  results    \(databasePath) (runs.id = \(report.runID))")
    return lines.joined(separator: "\n")
  }

  /// DORA's four keys against the platform's targets: ✓ met, ✗ missed.
  var deliveryLine: String? {
    func kpi(_ name: String) -> KPIValue? { report.kpis.first { $0.name == name } }
    guard let frequency = kpi("deployment_frequency_per_day"), let value = frequency.value else { return nil }
    func mark(_ kpi: KPIValue?) -> String { kpi?.met == true ? "✓" : kpi?.met == false ? "✗" : "" }
    func duration(_ name: String) -> String {
      guard let kpi = kpi(name), let seconds = kpi.value else { return "n/a" }
      return SimDuration(seconds: seconds.rounded()).formatted + " " + mark(kpi)
    }
    let failure = kpi("change_failure_rate")
    return "  delivery   \(String(format: "%.1f", value)) deploys/day \(mark(frequency)), lead time \(duration("lead_time_median_seconds")), "
      + "change failure \(percent(failure?.value)) \(mark(failure)), recovery \(duration("recovery_time_median_seconds"))"
  }

  func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
      text.append(digit)
    }
    return text
  }

  func rate(_ value: Double) -> String {
    value >= 1e6 ? String(format: "%.1fM", value / 1e6) : value >= 1e3 ? String(format: "%.0fk", value / 1e3) : String(format: "%.0f", value)
  }

  func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a" }
}

struct DigestCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "digest",
    abstract: "Print per-table SHA-256 digests of a stored run (determinism checks).",
    discussion: """
      Identity and wall-clock columns are left out, so two runs of the same scenario and
      seed print the same digests.

      Example:
        platformsim digest 3 --db reports/platformsim.sqlite
      """)

  @Argument(help: "The run id (runs.id).")
  var run: Int64

  @Option(help: "SQLite results file.")
  var db = "reports/platformsim.sqlite"

  mutating func execute() -> ExitStatus {
    guard FileManager.default.fileExists(atPath: db) else {
      printError("error: no database at \(db)")
      return .invalidInput
    }
    do {
      let store = try ResultStore(path: db)
      guard try store.status(of: RunID(run)) != nil else {
        printError("error: \(db) has no run \(run)")
        return .invalidInput
      }
      for (table, digest) in try store.digest(of: RunID(run)).sorted(by: { $0.key < $1.key }) {
        print("\(digest)  \(table)")
      }
      return .success
    } catch {
      printError("error: \(error)")
      return .invalidInput
    }
  }
}
