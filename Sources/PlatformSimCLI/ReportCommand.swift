import ArgumentParser
import Foundation
import Reports
import ResultStore

struct ReportCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a Markdown and a self-contained HTML report of a run or an experiment.",
    discussion: """
      The HTML page draws its charts as inline SVG: no network, no JavaScript. Without
      --run or --experiment, reports on the latest run.

      Examples:
        platformsim report                          # latest run in reports/platformsim.sqlite
        platformsim report --experiment 3 --output reports/
      """)

  @Option(help: "SQLite results file.")
  var db = "reports/platformsim.sqlite"

  @Option(help: "The run to report on (runs.id).")
  var run: Int64?

  @Option(help: "The experiment to report on (experiments.id).")
  var experiment: Int64?

  @Option(help: "Directory for the report files.")
  var output = "reports"

  mutating func execute() -> ExitStatus {
    if run != nil && experiment != nil {
      printError("error: --run and --experiment: give one of them, not both")
      return .invalidInput
    }
    guard FileManager.default.fileExists(atPath: db) else {
      printError("error: no database at \(db)")
      return .invalidInput
    }
    do {
      let store = try ResultStore(path: db)
      let report: RenderedReport
      if let experiment {
        report = try ReportWriter.experiment(experiment, store: store)
      } else {
        guard let id = try run ?? store.database.scalar("SELECT MAX(id) FROM runs")?.intValue else {
          throw ReportError.emptyDatabase(db)
        }
        report = try ReportWriter.run(id, store: store)
      }
      let paths = try report.write(to: output)
      print("platformsim: report written to \(paths.markdown) and \(paths.html)")
      return .success
    } catch let error as ReportError {
      printError(error.description)
      return .invalidInput
    } catch {
      printError("error: \(error)")
      return .invalidInput
    }
  }
}
