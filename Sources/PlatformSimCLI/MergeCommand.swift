import ArgumentParser
import Experiments

struct MergeCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Combine the shard databases of one experiment into one database.",
    discussion: HelpText.reflowed(
      """
      Each shard is one `--shard i/n` slice of the same experiment, run into its own
      database (e.g. one Kubernetes Indexed Job pod each). Refuses overlapping or missing
      shards and databases of another experiment or PlatformSim version (exit 2). The
      result equals the single-machine experiment run for run; it is written to a
      temporary file and renamed at the end, so it never looks complete when it is not.

      Example:
        platformsim merge results.sqlite shard-0.sqlite shard-1.sqlite shard-2.sqlite
      """))

  @Argument(help: "The database to create.")
  var output: String

  @Argument(help: "The shard databases.")
  var shards: [String]

  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    do {
      let summary = try ShardMerge.merge(shardPaths: shards, into: output)
      if !quiet.isOn {
        print(
          "platformsim: merged \(summary.shards) shards, \(summary.runs) runs, into \(output) (experiments.id = \(summary.experimentID))"
        )
      }
      return .success
    } catch {
      throw .experiment(error)
    }
  }
}
