import Experiments
import Foundation
import Monitoring
import PlatformModel
import ResultStore
import Scenario
import SimKernel

/// What the commands share: loading scenarios, preparing the results file, and running
/// an experiment plan with a progress bar.
enum ExperimentSupport {
  /// Loads a scenario and prints its warnings.
  static func loadScenario(_ path: String, unsupportedRules: RuleFileLoader.UnsupportedRules = .refuse)
    throws(CLIError) -> ScenarioDocument
  {
    do {
      let loaded = try ScenarioLoader.load(path: path, unsupportedRules: unsupportedRules)
      for warning in loaded.warnings { printError(warning.rendered) }
      return loaded.document
    } catch {
      throw .invalidInput(error.description)
    }
  }

  /// Checks where a results file goes before anything runs.
  ///
  /// The path must be non-empty and its directory must exist. Only the default `reports/` folder is created (README.md);
  /// anywhere else a missing directory is most likely a mistyped path, refused by name.
  static func prepareDatabase(_ path: String) throws(CLIError) {
    guard !path.isEmpty else {
      throw .invalidOption(flag: "--db", found: "", expected: "the path of a SQLite results file")
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw .cannotCreateDirectory(path: path, reason: "\(directory.path) is a file, not a directory")
      }
      return
    }
    let defaultDirectory = URL(fileURLWithPath: DatabaseOption.defaultPath).deletingLastPathComponent()
    guard directory.standardizedFileURL.path == defaultDirectory.standardizedFileURL.path else {
      throw .cannotCreateDirectory(
        path: path, reason: "no directory \(directory.path) (only the default reports/ is created); create it first")
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
    }
  }

  /// Runs `plan` with a progress bar and reads its observations back from the database,
  /// so what is summarised is what was stored.
  static func run(_ plan: ExperimentPlan, databasePath: String, jobs: Int, quiet: Bool) throws(CLIError) -> (
    outcome: ExperimentOutcome, observations: ExperimentObservations
  ) {
    try prepareDatabase(databasePath)
    let bar = ProgressBar(quiet: quiet)
    Interruption.install()
    let outcome: ExperimentOutcome
    do {
      outcome = try ExperimentRunner.run(
        plan, databasePath: databasePath, createdAt: Date().ISO8601Format(), jobs: jobs,
        interruptRequested: { Interruption.isRequested },
        progress: { progress in
          bar.update(
            runsFinished: progress.runsFinished, runsTotal: progress.runsTotal, runsDone: progress.runsDone,
            simulatedSeconds: progress.simulatedSeconds, simulatedSecondsPerRun: progress.simulatedSecondsPerRun)
        })
    } catch {
      bar.finish()
      throw .experiment(error)
    }
    bar.finish()
    for (unit, report) in zip(plan.units, outcome.reports) where report.status != .completed {
      throw .experiment(
        .runFailed(
          variant: plan.variants[unit.variantIndex].name, replication: unit.replication, status: report.status.rawValue,
          message: report.errorMessage ?? report.outcome.reason.explanation))
    }
    do {
      let observations = try ExperimentStore.observations(
        experimentID: outcome.experimentID, store: ResultStore(path: databasePath))
      return (outcome, observations)
    } catch {
      throw .store(error)
    }
  }

  static func runRange(_ outcome: ExperimentOutcome) -> String {
    guard let first = outcome.reports.first?.runID, let last = outcome.reports.last?.runID else { return "no runs" }
    return first == last ? "run \(first)" : "runs \(first)–\(last)"
  }
}
