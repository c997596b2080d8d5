import ArgumentParser
import Foundation
import Reports
import ResultStore

struct ReportCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a Markdown and a self-contained HTML report of a run or an experiment.",
    discussion: HelpText.reflowed(
      """
      The HTML page draws its charts as inline SVG: no network, no JavaScript. Without
      --run or --experiment, reports on the latest run.

      Examples:
        platformsim report          # the latest run in reports/platformsim.sqlite
        platformsim report --experiment 3 --output reports/
      """))

  @OptionGroup var database: DatabaseOption

  @Option(help: "The run to report on (runs.id).")
  var run: Int64?

  @Option(help: "The experiment to report on (experiments.id).")
  var experiment: Int64?

  @Option(help: "Directory for the report files.")
  var output = "reports"

  mutating func execute() throws(CLIError) -> ExitStatus {
    if run != nil && experiment != nil { throw .conflictingOptions("--run", "--experiment") }
    let path = try database.existing()
    let store = try withStore { () throws(StoreError) in try ResultStore(path: path) }
    let runID: Int64?
    if let run {
      runID = run
    } else if experiment == nil {
      runID = try withStore { () throws(StoreError) in try store.database.scalar("SELECT MAX(id) FROM runs")?.intValue }
    } else {
      runID = nil
    }
    let report: RenderedReport
    do throws(ReportError) {
      if let experiment {
        report = try ReportWriter.experiment(experiment, store: store)
      } else if let runID {
        report = try ReportWriter.run(runID, store: store)
      } else {
        throw .emptyDatabase(path)
      }
    } catch {
      throw .report(error)
    }
    let paths: (markdown: String, html: String)
    do {
      paths = try report.write(to: output)
    } catch {
      throw .report(error)
    }
    print("platformsim: report written to \(paths.markdown) and \(paths.html)")
    return .success
  }
}
