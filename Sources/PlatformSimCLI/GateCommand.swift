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
    discussion: """
      Runs both scenarios with common random numbers, computes paired-t confidence
      intervals of candidate − baseline per KPI and judges each rule of the gate file.
      Exit status: 0 every rule passed, 1 a KPI regressed, 2 bad input (e.g. a rule
      naming an unknown KPI).

      Examples:
        platformsim gate --baseline scenarios/experiments/baseline.yaml \\
          --candidate scenarios/experiments/candidate-worse.yaml --rules scenarios/experiments/gate.yaml
        platformsim gate --baseline a.yaml --candidate b.yaml --rules gate.yaml --format junit --output gate.xml
      """)

  @Option(help: "The baseline scenario (e.g. the policies on main).")
  var baseline: String

  @Option(help: "The candidate scenario (e.g. the policies of the pull request).")
  var candidate: String

  @Option(help: "The gate file: per-KPI rules.")
  var rules: String

  @Option(help: "Replications of each scenario (default: the gate file's, else 10).")
  var replications: Int?

  @OptionGroup var database: DatabaseOption
  @OptionGroup var options: RunOptions

  @Option(help: "`markdown` (job summary, PR comment), `json` or `junit`.")
  var format: GateFormat = .markdown

  @Option(help: "Write the verdict to this file instead of standard output.")
  var output: String?

  @Option(help: "Also write the Markdown verdict to this file (e.g. $GITHUB_STEP_SUMMARY; appended to).")
  var summary: String?

  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    let definition: GateDefinition
    do {
      definition = try GateDefinition.load(path: rules)
    } catch {
      throw .experiment(error)
    }
    let count = try checkedReplications(replications ?? definition.replications ?? 10, minimum: 2)
    let baseDocument = try ExperimentSupport.loadScenario(baseline)
    let candidateDocument = try ExperimentSupport.loadScenario(candidate)
    let duration = try options.duration() ?? definition.duration
    let jobCount = try options.threadCount()
    // Rules are checked against the KPIs a short probe run reports, before anything is stored.
    do {
      try definition.checkKPINames(KPIProbe.names(of: baseDocument))
    } catch {
      throw .experiment(error)
    }
    // A gate's database is never the scenario's: its runs are the gate's own.
    let databasePath = database.resolved()
    let plan = ExperimentPlan(
      name: definition.name, kind: .gate,
      variants: [
        ExperimentVariant(name: "baseline", document: baseDocument),
        ExperimentVariant(name: "candidate", document: candidateDocument),
      ],
      replications: count, seed: options.seed ?? baseDocument.seed, duration: duration)
    let (outcome, observations) = try ExperimentSupport.run(
      plan, databasePath: databasePath, jobs: jobCount, quiet: quiet.isOn)
    let result = GateEvaluation.evaluate(
      definition, observations: observations, experimentID: outcome.experimentID, baselinePath: baseline,
      candidatePath: candidate, replications: count)
    do {
      try GateStore.write(result, databasePath: databasePath)
    } catch {
      throw .experiment(error)
    }
    let text = result.rendered(format)
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
}

private func createFile(_ path: String) -> FileHandle? {
  guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
  return FileHandle(forWritingAtPath: path)
}

extension GateFormat: ExpressibleByArgument {}
