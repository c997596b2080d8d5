import ArgumentParser
import Experiments
import Foundation
import Scenario
import SimKernel

struct CompareCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare two scenarios with common random numbers and paired-t confidence intervals.",
    discussion: """
      Replication r of both scenarios uses the same seeds, so both see the same change
      arrivals, defects, traffic and spot interruptions; the paired differences
      candidate − baseline are reported with 95 % confidence intervals and stored in
      `experiment_differences`.

      Examples:
        platformsim compare --baseline scenarios/experiments/baseline.yaml \\
          --candidate scenarios/experiments/candidate-better.yaml --replications 20
        platformsim compare --baseline a.yaml --candidate b.yaml --independent-seeds   # measure what CRN saves
      """)

  @Option(help: "The baseline scenario.")
  var baseline: String

  @Option(help: "The candidate scenario.")
  var candidate: String

  @Option(help: "Replications of each scenario.")
  var replications = 10

  @Option(help: "Threads running replications (default: the number of processors).")
  var jobs: Int?

  @Option(help: "Root seed (default: the baseline's spec.simulation.seed).")
  var seed: UInt64?

  @Option(help: "SQLite results file (default: the baseline's spec.outputs.database, else reports/platformsim.sqlite).")
  var db: String?

  @Option(help: "Simulate only this long, e.g. 7d.")
  var until: String?

  @Option(help: "Run only shard i/n (0-based) of the replications.")
  var shard: String?

  @Flag(
    help: "Give the candidate independent seeds instead of common random numbers (to measure the variance reduction).")
  var independentSeeds = false

  @Flag(help: "Print nothing on success.")
  var quiet = false

  mutating func execute() -> ExitStatus {
    if let error = ExperimentSupport.checkReplications(replications, minimum: 2) {
      return ExperimentSupport.report(error)
    }
    guard let baseDocument = ExperimentSupport.loadScenario(baseline),
      let candidateDocument = ExperimentSupport.loadScenario(candidate)
    else { return .invalidInput }
    let duration: SimDuration?
    let shardValue: Shard
    let jobCount: Int
    switch (
      ExperimentSupport.parseUntil(until), ExperimentSupport.parseShard(shard, replications: replications),
      ExperimentSupport.resolveJobs(jobs)
    ) {
    case (.success(let parsedDuration), .success(let parsedShard), .success(let parsedJobs)):
      duration = parsedDuration
      shardValue = parsedShard
      jobCount = parsedJobs
    case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
      return ExperimentSupport.report(error)
    }
    let databasePath = db ?? baseDocument.databasePath ?? "reports/platformsim.sqlite"
    let plan = ExperimentPlan(
      name: "\(baseDocument.name)-vs-\(candidateDocument.name)", kind: .compare,
      variants: [
        ExperimentVariant(name: "baseline", document: baseDocument),
        ExperimentVariant(name: "candidate", document: candidateDocument),
      ],
      replications: replications, seed: seed ?? baseDocument.seed, duration: duration,
      pairing: independentSeeds ? .independent : .common, shard: shardValue)
    let outcome: ExperimentOutcome
    let observations: ExperimentObservations
    switch ExperimentSupport.run(plan, databasePath: databasePath, jobs: jobCount, quiet: quiet) {
    case .success(let result): (outcome, observations) = result
    case .failure(let status): return status
    }
    guard !quiet else { return .success }
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
