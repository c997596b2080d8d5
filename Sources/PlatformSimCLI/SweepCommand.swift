import ArgumentParser
import Experiments
import Foundation
import Scenario
import SimKernel

struct SweepCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run a grid of scenario values (a sweep file) crossed with replications.",
    discussion: HelpText.reflowed(
      """
      Each point edits the scenario's YAML at the axes' key paths before it is
      validated, so any value can be swept; a key path the scenario does not have is
      an error (exit 2). Points share seeds (common random numbers). Results per point
      are in `experiment_kpis` (variant `point-N`), the values in `sweep_points`.

      Example:
        platformsim sweep scenarios/experiments/sweep-runners.yaml --replications 5
      """))

  @Argument(help: "The sweep file.")
  var file: String

  @Option(help: "Replications per point (default: the sweep file's, else 5).")
  var replications: Int?

  @OptionGroup var database: DatabaseOption
  @OptionGroup var options: RunOptions
  @OptionGroup var shard: ShardOption
  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    let definition: SweepDefinition
    let variants: [ExperimentVariant]
    do {
      definition = try SweepDefinition.load(path: file)
      variants = try definition.variants()
    } catch {
      throw .experiment(error)
    }
    let count = try checkedReplications(replications ?? definition.replications ?? 5)
    try options.checkPolicyCommands(variants.map(\.document))
    let duration = try options.duration() ?? definition.duration
    let shardValue = try shard.shard(replications: count)
    let jobCount = try options.threadCount()
    let first = variants[0].document
    let databasePath = database.resolved(scenarioDefault: first.databasePath)
    let plan = ExperimentPlan(
      name: definition.name, kind: .sweep, variants: variants, replications: count,
      seed: options.seed ?? definition.seed ?? first.seed,
      duration: duration, shard: shardValue)
    let (outcome, observations) = try ExperimentSupport.run(
      plan, databasePath: databasePath, jobs: jobCount, quiet: quiet.isOn)
    guard !quiet.isOn else { return .success }
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
