import Experiments
import Foundation
import PlatformModel
import ResultStore
import Scenario
import SimKernel

/// What the experiment commands share: loading scenarios, running a plan with a
/// progress bar, and turning ``ExperimentError`` into the exit-code contract.
enum ExperimentSupport {
  /// Loads a scenario, printing warnings; `nil` after printing its errors.
  static func loadScenario(_ path: String) -> ScenarioDocument? {
    do {
      let loaded = try ScenarioLoader.load(path: path)
      for warning in loaded.warnings { printError(warning.rendered) }
      return loaded.document
    } catch {
      printError(error.description)
      return nil
    }
  }

  /// Parses `--until`; prints the error and returns `.failure` when malformed.
  static func parseUntil(_ text: String?) -> Result<SimDuration?, ExperimentError> {
    guard let text else { return .success(nil) }
    guard let parsed = SimDuration(parsing: text), parsed.microseconds > 0 else {
      return .failure(
        .invalidOption(
          option: "--until", found: text, expected: "a positive duration such as `90s`, `5m`, `2h30m` or `30d`"))
    }
    return .success(parsed)
  }

  static func checkReplications(_ value: Int, minimum: Int = 1) -> ExperimentError? {
    value >= minimum && value <= 100_000
      ? nil
      : .invalidOption(option: "--replications", found: String(value), expected: "an integer from \(minimum) to 100000")
  }

  static func parseShard(_ text: String?, replications: Int) -> Result<Shard, ExperimentError> {
    guard let text else { return .success(.whole) }
    guard let shard = Shard(parsing: text) else {
      return .failure(.invalidOption(option: "--shard", found: text, expected: "`i/n` with 0 ≤ i < n, e.g. `0/4`"))
    }
    guard shard.count <= replications else {
      return .failure(
        .invalidOption(
          option: "--shard", found: text, expected: "at most as many shards as replications (\(replications))"))
    }
    return .success(shard)
  }

  static func resolveJobs(_ jobs: Int?) -> Result<Int, ExperimentError> {
    guard let jobs else { return .success(max(1, ProcessInfo.processInfo.activeProcessorCount)) }
    guard jobs >= 1 && jobs <= 1024 else {
      return .failure(.invalidOption(option: "--jobs", found: String(jobs), expected: "an integer from 1 to 1024"))
    }
    return .success(jobs)
  }

  /// Opens (creating) the database directory; `nil` after printing the error.
  static func prepareDatabase(_ path: String) -> Bool {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      return true
    } catch {
      printError("error: cannot create the directory for \(path): \(error.localizedDescription)")
      return false
    }
  }

  /// Runs `plan` with a progress bar; prints errors and returns the exit status on failure.
  static func run(_ plan: ExperimentPlan, databasePath: String, jobs: Int, quiet: Bool) -> Result<
    (outcome: ExperimentOutcome, observations: ExperimentObservations), ExitStatus
  > {
    guard prepareDatabase(databasePath) else { return .failure(.invalidInput) }
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
      printError(error.description)
      return .failure(error.isInvalidInput ? .invalidInput : .runFailure)
    }
    bar.finish()
    let units = plan.units
    for (unit, report) in zip(units, outcome.reports) where report.status != .completed {
      printError(
        ExperimentError.runFailed(
          variant: plan.variants[unit.variantIndex].name, replication: unit.replication, status: report.status.rawValue,
          message: report.errorMessage ?? report.outcome.reason.explanation
        ).description)
      return .failure(.runFailure)
    }
    // Read back from the database, so what is summarised is what was stored.
    do {
      let observations = try ExperimentStore.observations(
        experimentID: outcome.experimentID, store: ResultStore(path: databasePath))
      return .success((outcome, observations))
    } catch {
      printError("error: \(error)")
      return .failure(.runFailure)
    }
  }

  static func report(_ error: ExperimentError) -> ExitStatus {
    printError(error.description)
    return error.isInvalidInput ? .invalidInput : .runFailure
  }

  static func runRange(_ outcome: ExperimentOutcome) -> String {
    guard let first = outcome.reports.first?.runID, let last = outcome.reports.last?.runID else { return "no runs" }
    return first == last ? "run \(first)" : "runs \(first)–\(last)"
  }
}
