import ArgumentParser
import Experiments
import Foundation
import PlatformModel
import Scenario
import SimKernel

struct GateCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "gate",
    abstract: "Fail when a candidate's KPIs regress against a baseline with statistical confidence.",
    discussion: HelpText.reflowed(
      """
      Runs both scenarios with common random numbers, computes paired-t confidence
      intervals of candidate − baseline per KPI and judges each rule of the gate file.
      Exit status: 0 every rule passed, 1 a KPI regressed, 2 bad input (e.g. a rule
      naming an unknown KPI).

      On several machines: each runs one shard of the replications (`--shard i/n`, exit 0
      when its runs completed, no verdict), `platformsim merge` combines the shard
      databases, and `gate --db MERGED --rules GATE.yaml` (no scenarios) judges the stored
      experiment without running anything. The verdict, statistics and exit status are
      those of the same gate run on one machine.

      Examples:
        platformsim gate --baseline scenarios/experiments/baseline.yaml \\
          --candidate scenarios/experiments/candidate-worse.yaml \\
          --rules scenarios/experiments/gate.yaml
        platformsim gate --baseline a.yaml --candidate b.yaml --rules gate.yaml \\
          --format junit --output gate.xml
        platformsim gate --baseline a.yaml --candidate b.yaml --rules gate.yaml \\
          --replications 120 --shard 0/4 --db shard-0.sqlite
        platformsim merge merged.sqlite shard-0.sqlite shard-1.sqlite \\
          shard-2.sqlite shard-3.sqlite
        platformsim gate --db merged.sqlite --rules gate.yaml \\
          --format junit --output gate.xml
      """))

  @Option(help: "The baseline scenario (e.g. the policies on main); leave out both scenarios to judge --db.")
  var baseline: String?

  @Option(help: "The candidate scenario (e.g. the policies of the pull request).")
  var candidate: String?

  @Option(help: "The gate file: per-KPI rules.")
  var rules: String

  @Option(help: "Replications of each scenario (default: the gate file's, else 10).")
  var replications: Int?

  @OptionGroup var database: DatabaseOption
  @OptionGroup var options: RunOptions
  @OptionGroup var shard: ShardOption

  @Option(
    help: ArgumentHelp(
      "Judging a stored database: the gate experiment to judge (default: its only one).", valueName: "id"))
  var experiment: Int64?

  @Option(help: "`markdown` (the default: job summary, PR comment), `json` or `junit`.")
  var format: GateFormat?

  @Option(help: "Write the verdict to this file instead of standard output.")
  var output: String?

  @Option(help: "Also write the Markdown verdict to this file (e.g. $GITHUB_STEP_SUMMARY; appended to).")
  var summary: String?

  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    switch (baseline, candidate) {
    case (let baseline?, let candidate?):
      if shard.text != nil { return try runShard(baseline: baseline, candidate: candidate) }
      try refuse([("--experiment", experiment != nil)], Self.whenRunning)
      return try runAndJudge(baseline: baseline, candidate: candidate)
    case (nil, nil):
      return try judgeStored()
    case (nil, _):
      throw .missingOption(flag: "--baseline", purpose: Self.bothScenarios)
    case (_, nil):
      throw .missingOption(flag: "--candidate", purpose: Self.bothScenarios)
    }
  }

  private static let bothScenarios =
    "a gate runs --baseline against --candidate (give neither to judge the gate experiment stored in --db)"
  private static let whenRunning = (
    context: "when running a gate", instead: "it applies when judging a stored one (--db without scenarios)"
  )

  /// Runs every replication of both scenarios, judges them and stores the verdict.
  private func runAndJudge(baseline: String, candidate: String) throws(CLIError) -> ExitStatus {
    let definition = try loadRules()
    let count = try checkedReplications(replications ?? definition.replications ?? 10, minimum: 2)
    let (plan, databasePath, jobs) = try plan(baseline: baseline, candidate: candidate, definition, count, .whole)
    let (outcome, observations) = try ExperimentSupport.run(
      plan, databasePath: databasePath, jobs: jobs, quiet: quiet.isOn)
    let result = GateEvaluation.evaluate(
      definition, observations: observations, experimentID: outcome.experimentID, baselinePath: baseline,
      candidatePath: candidate, replications: count)
    return try deliver(result, databasePath: databasePath)
  }

  /// Runs one shard of the replications, of both scenarios, with the seeds of the whole
  /// gate; judges nothing (`merge`, then `gate --db`).
  private func runShard(baseline: String, candidate: String) throws(CLIError) -> ExitStatus {
    let context = (
      context: "to a shard (--shard), which runs its replications and judges nothing",
      instead: "judge the merged shards with `platformsim gate --db MERGED --rules \(rules)`"
    )
    try refuse(
      [
        ("--format", format != nil), ("--output", output != nil), ("--summary", summary != nil),
        ("--experiment", experiment != nil),
      ], context)
    let definition = try loadRules()
    let count = try checkedReplications(replications ?? definition.replications ?? 10, minimum: 2)
    let shardValue = try shard.shard(replications: count)
    let (plan, databasePath, jobs) = try plan(baseline: baseline, candidate: candidate, definition, count, shardValue)
    let (outcome, _) = try ExperimentSupport.run(plan, databasePath: databasePath, jobs: jobs, quiet: quiet.isOn)
    guard !quiet.isOn else { return .success }
    print(
      "platformsim: experiment \(outcome.experimentID): shard \(shardValue) of gate \"\(definition.name)\", "
        + "\(outcome.reports.count) runs completed, " + String(format: "%.2f", outcome.wallSeconds) + " s wall")
    print(
      "  results    \(databasePath) (experiments.id = \(outcome.experimentID), \(ExperimentSupport.runRange(outcome)))")
    print("  next       platformsim merge MERGED SHARD...; platformsim gate --db MERGED --rules \(rules)")
    return .success
  }

  /// Judges a gate experiment stored in `--db` (a merged or single-machine gate) without
  /// running anything.
  private func judgeStored() throws(CLIError) -> ExitStatus {
    let context = (
      context: "when judging a stored gate experiment (no --baseline and --candidate)",
      instead: "it judges the runs the database holds"
    )
    try refuse(
      [
        ("--replications", replications != nil), ("--seed", options.seed != nil), ("--until", options.until != nil),
        ("--jobs", options.jobs != nil), ("--shard", shard.text != nil),
      ], context)
    guard database.path != nil else {
      throw .missingOption(
        flag: "--db",
        purpose: "name the database whose gate experiment to judge (or give --baseline and --candidate to run a gate)")
    }
    let definition = try loadRules()
    let databasePath = try database.existing()
    let result: GateResult
    do {
      result = try StoredGate.load(databasePath: databasePath, experimentID: experiment).judge(definition)
    } catch {
      throw .experiment(error)
    }
    return try deliver(result, databasePath: databasePath)
  }

  private func loadRules() throws(CLIError) -> GateDefinition {
    do {
      return try GateDefinition.load(path: rules)
    } catch {
      throw .experiment(error)
    }
  }

  /// The experiment plan of a gate (or a shard of it), its database and thread count,
  /// after checking the rules' KPI names against a short probe run, before anything is
  /// stored.
  private func plan(
    baseline: String, candidate: String, _ definition: GateDefinition, _ count: Int, _ shardValue: Shard
  ) throws(CLIError) -> (plan: ExperimentPlan, databasePath: String, jobs: Int) {
    let baseDocument = try ExperimentSupport.loadScenario(baseline)
    let candidateDocument = try ExperimentSupport.loadScenario(candidate)
    try options.checkPolicyCommands([baseDocument, candidateDocument])
    let duration = try options.duration() ?? definition.duration
    let jobs = try options.threadCount()
    do {
      try definition.checkKPINames(KPIProbe.names(of: baseDocument))
    } catch {
      throw .experiment(error)
    }
    // A gate's database is never the scenario's: its runs are the gate's own.
    let plan = ExperimentPlan(
      name: definition.name, kind: .gate,
      variants: [
        ExperimentVariant(name: "baseline", document: baseDocument),
        ExperimentVariant(name: "candidate", document: candidateDocument),
      ],
      replications: count, seed: options.seed ?? baseDocument.seed, duration: duration, shard: shardValue)
    return (plan, database.resolved(), jobs)
  }

  /// Stores the verdict beside the experiment, writes it where asked, and returns the
  /// gate's exit status.
  private func deliver(_ result: GateResult, databasePath: String) throws(CLIError) -> ExitStatus {
    do {
      try GateStore.write(result, databasePath: databasePath)
    } catch {
      throw .experiment(error)
    }
    let text = result.rendered(format ?? .markdown)
    if let summary {
      guard let handle = FileHandle(forWritingAtPath: summary) ?? createFile(summary) else {
        throw .cannotWrite(path: summary, reason: "the file cannot be created or opened for writing")
      }
      handle.seekToEndOfFile()
      handle.write(Data(result.markdown.utf8))
      handle.closeFile()
    }
    if let output {
      do {
        try text.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        throw .cannotWrite(path: output, reason: error.localizedDescription)
      }
      if !quiet.isOn {
        printError("platformsim gate: \(result.passed ? "passed" : "FAILED") — verdict written to \(output)")
      }
    } else {
      print(text, terminator: "")
    }
    return result.passed ? .success : .runFailure
  }

  /// Throws for the first flag given that has no meaning here.
  private func refuse(_ flags: [(String, Bool)], _ context: (context: String, instead: String)) throws(CLIError) {
    if let flag = flags.first(where: \.1)?.0 {
      throw .inapplicableOption(flag: flag, context: context.context, instead: context.instead)
    }
  }
}

private func createFile(_ path: String) -> FileHandle? {
  guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
  return FileHandle(forWritingAtPath: path)
}

extension GateFormat: ExpressibleByArgument {}
