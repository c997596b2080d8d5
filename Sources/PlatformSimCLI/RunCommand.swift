import ArgumentParser
import BuildInfo
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
    discussion: HelpText.reflowed(
      """
      Writes a row into the `runs` table (status running → completed, stopped or failed)
      and the run's result rows; prints a summary unless --quiet.

      Examples:
        platformsim run scenarios/golden-path.yaml
        platformsim run scenarios/golden-path.yaml --seed 42 --db /tmp/a.sqlite
        platformsim run scenarios/golden-path.yaml --until 7d --quiet
        platformsim run scenarios/golden-path.yaml --replications 30 --jobs 2
        platformsim run scenarios/golden-path.yaml --replications 30 --shard 0/3 \\
          --db shard-0.sqlite

      With --replications N, runs replications 0..N-1 (seeds derived from the root seed
      and the replication number) in parallel as one experiment, and prints each KPI's
      mean with a 95 % confidence interval (also stored in `experiment_kpis`).
      """))

  @Argument(help: "The scenario file.")
  var scenario: String

  @OptionGroup var database: DatabaseOption
  @OptionGroup var options: RunOptions
  @OptionGroup var shard: ShardOption
  @OptionGroup var quiet: QuietFlag
  @OptionGroup var skipUnsupported: SkipUnsupportedFlag

  @Option(help: "Run N replications as one experiment and print KPI means with 95 % confidence intervals.")
  var replications: Int?

  mutating func execute() throws(CLIError) -> ExitStatus {
    if replications != nil || shard.text != nil { return try executeReplications() }
    let document = try ExperimentSupport.loadScenario(scenario, unsupportedRules: skipUnsupported.rules)
    try options.checkPolicyCommands([document])
    let duration = try options.duration() ?? document.duration
    let databasePath = database.resolved(scenarioDefault: document.databasePath)
    try ExperimentSupport.prepareDatabase(databasePath)
    let store = try withStore { () throws(StoreError) in try ResultStore(path: databasePath) }
    let runSeed = options.seed ?? document.seed
    let configuration = document.worldConfiguration(seed: runSeed, duration: duration)
    let calendar = configuration.calendar
    let start = RunStart(
      scenarioName: document.name, scenarioPath: document.path, scenarioDigest: document.digest, seed: runSeed,
      replication: 0, toolVersion: ToolVersion.current, timeZone: document.timeZone,
      simulatedStartEpochSeconds: Double(document.startEpochSeconds),
      simulatedEndEpochSeconds: calendar.epochSeconds(at: .zero + duration), toolCommit: ToolCommit.current)
    let threads = try options.threadCount()
    let report: RunReport
    Interruption.install()
    let bar = ProgressBar(quiet: quiet.isOn)
    let windowSeconds = duration.seconds
    do {
      report = try SimulationRun.execute(
        RunRequest(
          configuration: configuration, duration: duration, limits: document.limits, start: start,
          threads: threads),
        store: store, createdAt: Date().ISO8601Format(), interruptRequested: { Interruption.isRequested },
        onProgress: { now, _ in
          let reached = (now - SimTime.zero).seconds
          bar.update(
            runsFinished: 0, runsTotal: 1, runsDone: reached / windowSeconds, simulatedSeconds: reached,
            simulatedSecondsPerRun: windowSeconds)
        })
    } catch {
      bar.finish()
      throw .runFailed("\(error)")
    }
    bar.finish()
    if !quiet.isOn || report.status != .completed {
      print(
        RunSummary(
          report: report, document: document, duration: duration, calendar: calendar, databasePath: databasePath
        )
        .text)
    }
    switch report.status {
    case .completed: return .success
    case .failed, .stopped, .running: return .runFailure
    }
  }

  /// `--replications N`: one experiment of N replications, summarised with confidence intervals.
  func executeReplications() throws(CLIError) -> ExitStatus {
    let document = try ExperimentSupport.loadScenario(scenario, unsupportedRules: skipUnsupported.rules)
    try options.checkPolicyCommands([document])
    let count = try checkedReplications(replications ?? 1)
    let duration = try options.duration()
    let shardValue = try shard.shard(replications: count)
    let jobCount = try options.threadCount()
    let databasePath = database.resolved(scenarioDefault: document.databasePath)
    let plan = ExperimentPlan(
      name: document.name, kind: .run, variants: [ExperimentVariant(name: "scenario", document: document)],
      replications: count, seed: options.seed ?? document.seed, duration: duration, shard: shardValue)
    let (outcome, observations) = try ExperimentSupport.run(
      plan, databasePath: databasePath, jobs: jobCount, quiet: quiet.isOn)
    guard !quiet.isOn else { return .success }
    let shardText = shardValue == .whole ? "" : " (shard \(shardValue): \(outcome.reports.count) runs)"
    print(
      "platformsim: experiment \(outcome.experimentID): \(count) replications of scenario \"\(document.name)\""
        + "\(shardText) completed in " + String(format: "%.2f", outcome.wallSeconds)
        + " s wall with \(jobCount) threads")
    print("")
    print(ExperimentSummaryTable.means(observations, confidence: plan.confidence), terminator: "")
    print("")
    print(
      "  results    \(databasePath) (experiments.id = \(outcome.experimentID), \(ExperimentSupport.runRange(outcome)))")
    return .success
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
      "  simulated  \(outcome.finalTime - SimTime.zero) of \(duration) (\(calendar.formatted(.zero)) → \(calendar.formatted(outcome.finalTime)) \(calendar.timeZoneIdentifier))"
    )
    lines.append(
      "  events     \(grouped(outcome.eventCount)) in \(String(format: "%.3f", report.wallSeconds)) s wall (\(rate(report.eventsPerSecond)) events/s)"
    )
    if report.status != .completed {
      lines.append("  reason     \(report.errorMessage ?? outcome.reason.explanation)")
    }
    if let jobs = report.metric("runner_pool.jobs_finished"), let wait = report.metric("runner_pool.mean_wait_seconds")
    {
      lines.append(
        "  runners    \(grouped(Int(jobs))) jobs finished, mean wait \(SimDuration(seconds: wait.rounded()).formatted), utilisation \(percent(report.metric("runner_pool.utilisation")))"
      )
    }
    if let delivery = deliveryLine { lines.append(delivery) }
    if let degenerate = degenerateLine { lines.append(degenerate) }
    // The cluster's lines: training only when the scenario submitted training jobs (a
    // serving-only cluster has none, and its percentiles are empty, not zero).
    if let finished = report.metric("training.jobs_finished"), let cost = report.metric("cost.total_usd") {
      let idle = report.metric("cost.idle_usd") ?? 0
      if (report.metric("training.jobs_submitted") ?? finished) > 0 {
        let waitP95 = report.metric("training.queue_wait_p95_seconds").map {
          SimDuration(seconds: $0.rounded()).formatted
        }
        lines.append(
          "  training   \(grouped(Int(finished))) jobs finished, queue wait p95 \(waitP95 ?? "n/a"), goodput \(percent(report.metric("training.goodput")))"
        )
      }
      lines.append(
        "  cost       $\(String(format: "%.2f", cost)) total ($\(String(format: "%.2f", report.metric("cost.nodes_usd") ?? cost)) nodes, "
          + "$\(String(format: "%.2f", report.metric("cost.serving_replicas_usd") ?? 0)) serving replicas), "
          + "$\(String(format: "%.2f", idle)) idle, spot savings $\(String(format: "%.2f", report.metric("cost.spot_savings_usd") ?? 0))"
          + " (gross discount $\(String(format: "%.2f", report.metric("cost.spot_discount_usd") ?? 0)))"
      )
    }
    lines.append("  results    \(databasePath) (runs.id = \(report.runID))")
    return lines.joined(separator: "\n")
  }

  /// The delivery-loop check (`delivery_loop_degenerate`, its own KPI): when the
  /// canaries could not judge, a line says why, and no delivery KPI is marked ✓.
  var degenerateLine: String? {
    guard let check = report.kpis.first(where: { $0.name == "delivery_loop_degenerate" }), check.value == 1 else {
      return nil
    }
    let perRollout = report.kpis.first { $0.name == "analysis_errors_per_rollout" }?.value
    return "  DEGENERATE delivery loop: \(check.text ?? "analyses could not judge")"
      + (perRollout.map { String(format: " (%.1f analysis errors per rollout)", $0) } ?? "")
      + "; the delivery KPIs judge nothing"
  }

  /// DORA's four keys and the brief's rollback share: ✓ met, ✗ missed, wherever a KPI
  /// row carries a target (the brief's targets on the brief's definitions); never ✓
  /// when the delivery loop degenerated (``degenerateLine``).
  var deliveryLine: String? {
    func kpi(_ name: String) -> KPIValue? { report.kpis.first { $0.name == name } }
    guard let frequency = kpi("deployment_frequency_per_day"), let value = frequency.value else { return nil }
    let degenerate = degenerateLine != nil
    func mark(_ kpi: KPIValue?) -> String {
      kpi?.met == true ? (degenerate ? "?" : "✓") : kpi?.met == false ? "✗" : ""
    }
    // A figure, then its mark when the KPI carries a target.
    func marked(_ text: String, _ kpi: KPIValue?) -> String {
      mark(kpi).isEmpty ? text : text + " " + mark(kpi)
    }
    func duration(_ name: String) -> String {
      guard let kpi = kpi(name), let seconds = kpi.value else { return "n/a" }
      return marked(SimDuration(seconds: seconds.rounded()).formatted, kpi)
    }
    let failure = kpi("change_failure_rate")
    let rollbackText = kpi("rollback_rate").map { ", rollbacks " + marked(percent($0.value), $0) } ?? ""
    return
      "  delivery   \(marked(String(format: "%.1f", value) + " deploys/day", frequency)), "
      + "lead time \(duration("lead_time_median_seconds")), "
      + "change failure \(marked(percent(failure?.value), failure))\(rollbackText), "
      + "recovery \(duration("recovery_time_median_seconds"))"
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
    value >= 1e6
      ? String(format: "%.1fM", value / 1e6)
      : value >= 1e3 ? String(format: "%.0fk", value / 1e3) : String(format: "%.0f", value)
  }

  func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a" }
}

struct DigestCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "digest",
    abstract: "Print per-table SHA-256 digests of a stored run (determinism checks).",
    discussion: HelpText.reflowed(
      """
      Identity and wall-clock columns are left out, so two runs of the same scenario and
      seed print the same digests.

      Example:
        platformsim digest 3 --db reports/platformsim.sqlite
      """))

  @Argument(help: "The run id (runs.id).")
  var run: Int64

  @OptionGroup var database: DatabaseOption

  mutating func execute() throws(CLIError) -> ExitStatus {
    let path = try database.existing()
    let store = try withStore { () throws(StoreError) in try ResultStore(path: path) }
    guard try withStore({ () throws(StoreError) in try store.status(of: RunID(run)) }) != nil else {
      throw .unknownRun(run, database: path)
    }
    let digests = try withStore { () throws(StoreError) in try store.digest(of: RunID(run)) }
    for (table, digest) in digests.sorted(by: { $0.key < $1.key }) { print("\(digest)  \(table)") }
    return .success
  }
}
