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

  @Option(help: "Threads running replications (default: the number of processors).")
  var jobs: Int?

  @Option(help: "Root seed (default: the baseline's spec.simulation.seed).")
  var seed: UInt64?

  @Option(help: "SQLite results file (default: reports/platformsim.sqlite).")
  var db: String?

  @Option(help: "Simulate only this long, e.g. 7d (default: the gate file's `until`, else the scenarios' duration).")
  var until: String?

  @Option(help: "`markdown` (job summary, PR comment), `json` or `junit`.")
  var format: GateFormat = .markdown

  @Option(help: "Write the verdict to this file instead of standard output.")
  var output: String?

  @Option(help: "Also write the Markdown verdict to this file (e.g. $GITHUB_STEP_SUMMARY; appended to).")
  var summary: String?

  @Flag(help: "No progress bar.")
  var quiet = false

  mutating func execute() -> ExitStatus {
    let definition: GateDefinition
    do {
      definition = try GateDefinition.load(path: rules)
    } catch {
      return ExperimentSupport.report(error)
    }
    let count = replications ?? definition.replications ?? 10
    if let error = ExperimentSupport.checkReplications(count, minimum: 2) { return ExperimentSupport.report(error) }
    guard let baseDocument = ExperimentSupport.loadScenario(baseline),
      let candidateDocument = ExperimentSupport.loadScenario(candidate)
    else { return .invalidInput }
    let duration: SimDuration?
    let jobCount: Int
    switch (ExperimentSupport.parseUntil(until), ExperimentSupport.resolveJobs(jobs)) {
    case (.success(let parsedDuration), .success(let parsedJobs)):
      duration = parsedDuration ?? definition.duration
      jobCount = parsedJobs
    case (.failure(let error), _), (_, .failure(let error)):
      return ExperimentSupport.report(error)
    }
    // Rules are checked against the KPIs a short probe run reports, before anything is stored.
    do {
      try definition.checkKPINames(KPIProbe.names(of: baseDocument))
    } catch {
      return ExperimentSupport.report(error)
    }
    let databasePath = db ?? "reports/platformsim.sqlite"
    let plan = ExperimentPlan(
      name: definition.name, kind: .gate,
      variants: [
        ExperimentVariant(name: "baseline", document: baseDocument),
        ExperimentVariant(name: "candidate", document: candidateDocument),
      ],
      replications: count, seed: seed ?? baseDocument.seed, duration: duration)
    let outcome: ExperimentOutcome
    let observations: ExperimentObservations
    switch ExperimentSupport.run(plan, databasePath: databasePath, jobs: jobCount, quiet: quiet) {
    case .success(let result): (outcome, observations) = result
    case .failure(let status): return status
    }
    let result = GateEvaluation.evaluate(
      definition, observations: observations, experimentID: outcome.experimentID, baselinePath: baseline,
      candidatePath: candidate, replications: count)
    do {
      try GateStore.write(result, databasePath: databasePath)
    } catch {
      return ExperimentSupport.report(error)
    }
    let text = result.rendered(format)
    if let summary {
      guard let handle = FileHandle(forWritingAtPath: summary) ?? createFile(summary) else {
        printError("error: cannot write \(summary)")
        return .invalidInput
      }
      handle.seekToEndOfFile()
      handle.write(Data(result.markdown.utf8))
      handle.closeFile()
    }
    if let output {
      do {
        try text.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        printError("error: cannot write \(output): \(error.localizedDescription)")
        return .invalidInput
      }
      if !quiet {
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
