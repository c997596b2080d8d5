import ArgumentParser
import Experiments
import Foundation
import Scenario
import SimKernel

struct SweepCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run a grid of scenario values (a sweep file) crossed with replications.",
    discussion: """
      Each point edits the scenario's YAML at the axes' key paths before it is
      validated, so any value can be swept; a key path the scenario does not have is
      an error (exit 2). Points share seeds (common random numbers). Results per point
      are in `experiment_kpis` (variant `point-N`), the values in `sweep_points`.

      Example:
        platformsim sweep scenarios/experiments/sweep-runners.yaml --replications 5
      """)

  @Argument(help: "The sweep file.")
  var file: String

  @Option(help: "Replications per point (default: the sweep file's, else 5).")
  var replications: Int?

  @Option(help: "Threads running replications (default: the number of processors).")
  var jobs: Int?

  @Option(help: "Root seed (default: the sweep file's, else the scenario's).")
  var seed: UInt64?

  @Option(help: "SQLite results file (default: the scenario's spec.outputs.database, else reports/platformsim.sqlite).")
  var db: String?

  @Option(help: "Simulate only this long, e.g. 7d.")
  var until: String?

  @Option(help: "Run only shard i/n (0-based) of the replications.")
  var shard: String?

  @Flag(help: "Print nothing on success.")
  var quiet = false

  mutating func execute() -> ExitStatus {
    let definition: SweepDefinition
    let variants: [ExperimentVariant]
    do {
      definition = try SweepDefinition.load(path: file)
      variants = try definition.variants()
    } catch {
      return ExperimentSupport.report(error)
    }
    let count = replications ?? definition.replications ?? 5
    if let error = ExperimentSupport.checkReplications(count) { return ExperimentSupport.report(error) }
    let duration: SimDuration?
    let shardValue: Shard
    let jobCount: Int
    switch (
      ExperimentSupport.parseUntil(until), ExperimentSupport.parseShard(shard, replications: count),
      ExperimentSupport.resolveJobs(jobs)
    ) {
    case (.success(let parsedDuration), .success(let parsedShard), .success(let parsedJobs)):
      duration = parsedDuration ?? definition.duration
      shardValue = parsedShard
      jobCount = parsedJobs
    case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
      return ExperimentSupport.report(error)
    }
    let first = variants[0].document
    let databasePath = db ?? first.databasePath ?? "reports/platformsim.sqlite"
    let plan = ExperimentPlan(
      name: definition.name, kind: .sweep, variants: variants, replications: count,
      seed: seed ?? definition.seed ?? first.seed,
      duration: duration, shard: shardValue)
    let outcome: ExperimentOutcome
    let observations: ExperimentObservations
    switch ExperimentSupport.run(plan, databasePath: databasePath, jobs: jobCount, quiet: quiet) {
    case .success(let result): (outcome, observations) = result
    case .failure(let status): return status
    }
    guard !quiet else { return .success }
    print(
      "platformsim: experiment \(outcome.experimentID): sweep \"\(definition.name)\", \(variants.count) points × \(count) replications, "
        + String(format: "%.2f", outcome.wallSeconds) + " s wall")
    print("")
    for variant in variants {
      print("  \(variant.name): " + variant.settings.map { "\($0.axis) = \($0.value)" }.joined(separator: ", "))
    }
    print("")
    print(ExperimentSummaryTable.means(observations, confidence: plan.confidence), terminator: "")
    print("")
    print(
      "  results    \(databasePath) (experiments.id = \(outcome.experimentID), \(ExperimentSupport.runRange(outcome)))")
    return .success
  }
}
