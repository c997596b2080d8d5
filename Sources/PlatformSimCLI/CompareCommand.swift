import ArgumentParser
import Experiments
import Foundation
import Scenario
import SimKernel

struct CompareCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare two scenarios with common random numbers and paired-t confidence intervals.",
    discussion: HelpText.reflowed(
      """
      Replication r of both scenarios uses the same seeds, so both see the same change
      arrivals, defects, traffic and spot interruptions; the paired differences
      candidate − baseline are reported with 95 % confidence intervals and stored in
      `experiment_differences`.

      Examples:
        platformsim compare --baseline scenarios/experiments/baseline.yaml \\
          --candidate scenarios/experiments/candidate-better.yaml --replications 20
        # what common random numbers save: the same comparison with independent seeds
        platformsim compare --baseline a.yaml --candidate b.yaml --independent-seeds
      """))

  @Option(help: "The baseline scenario.")
  var baseline: String

  @Option(help: "The candidate scenario.")
  var candidate: String

  @Option(help: "Replications of each scenario.")
  var replications = 10

  @OptionGroup var database: DatabaseOption
  @OptionGroup var options: RunOptions
  @OptionGroup var shard: ShardOption
  @OptionGroup var quiet: QuietFlag

  @Flag(
    help: "Give the candidate independent seeds instead of common random numbers (to measure the variance reduction).")
  var independentSeeds = false

  mutating func execute() throws(CLIError) -> ExitStatus {
    let count = try checkedReplications(replications, minimum: 2)
    let baseDocument = try ExperimentSupport.loadScenario(baseline)
    let candidateDocument = try ExperimentSupport.loadScenario(candidate)
    try options.checkPolicyCommands([baseDocument, candidateDocument])
    let duration = try options.duration()
    let shardValue = try shard.shard(replications: count)
    let jobCount = try options.threadCount()
    let databasePath = database.resolved(scenarioDefault: baseDocument.databasePath)
    let plan = ExperimentPlan(
      name: "\(baseDocument.name)-vs-\(candidateDocument.name)", kind: .compare,
      variants: [
        ExperimentVariant(name: "baseline", document: baseDocument),
        ExperimentVariant(name: "candidate", document: candidateDocument),
      ],
      replications: count, seed: options.seed ?? baseDocument.seed, duration: duration,
      pairing: independentSeeds ? .independent : .common, shard: shardValue)
    let (outcome, observations) = try ExperimentSupport.run(
      plan, databasePath: databasePath, jobs: jobCount, quiet: quiet.isOn)
    guard !quiet.isOn else { return .success }
    print(
      "platformsim: experiment \(outcome.experimentID): \(baseline) (baseline) against \(candidate) (candidate), "
        + "\(replications) replications with \(independentSeeds ? "independent seeds" : "common random numbers"), "
        + String(format: "%.2f", outcome.wallSeconds) + " s wall")
    print("")
    print(ExperimentSummaryTable.differences(observations, confidence: plan.confidence), terminator: "")
    print("")
    print(
      "  results    \(databasePath) (experiments.id = \(outcome.experimentID), \(ExperimentSupport.runRange(outcome)))")
    return .success
  }
}
