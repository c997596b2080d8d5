import ArgumentParser
import Exports
import Foundation
import ResultStore
import SimKernel

/// `platformsim export`: a run's results in other tools' formats.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a run's results for other tools.",
    subcommands: [ExportOpenMetricsCommand.self])
}

/// `platformsim export openmetrics`: the run's simulated series as OpenMetrics text, for
/// `promtool tsdb create-blocks-from openmetrics` and the Grafana dashboard in docs/grafana/.
struct ExportOpenMetricsCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "openmetrics",
    abstract: "Write a run's series (requests, nodes, cost, deployments, incidents, ALERTS, KPIs) as OpenMetrics text.",
    discussion: HelpText.reflowed(
      """
      Samples carry the simulated timestamps. Backfill them into a Prometheus TSDB with
        promtool tsdb create-blocks-from openmetrics run-1.om ./data
      and open docs/grafana/platformsim-dashboard.json in Grafana (docs/UI.md).

      Examples:
        platformsim export openmetrics --run 1 --output run-1.om
        platformsim export openmetrics --run 1 --step 5m > run-1.om
      """))

  @OptionGroup var database: DatabaseOption

  @Option(help: "The run to export (runs.id).")
  var run: Int64

  @Option(help: "File to write (default: standard output).")
  var output: String?

  @Option(help: "Sampling interval of the series derived from tables (nodes, cost, incidents, ALERTS), e.g. 1m.")
  var step = "1m"

  mutating func execute() throws(CLIError) -> ExitStatus {
    guard let duration = SimDuration(parsing: step), duration.microseconds >= 1_000_000,
      duration.microseconds % 1_000_000 == 0
    else {
      throw .invalidOption(
        flag: "--step", found: step, expected: "a whole number of seconds such as `30s`, `1m` or `5m`")
    }
    let path = try database.existing()
    let store = try withStore { () throws(StoreError) in try ResultStore(readingOnly: path) }
    let handle: FileHandle
    if let output {
      guard FileManager.default.createFile(atPath: output, contents: nil),
        let file = FileHandle(forWritingAtPath: output)
      else { throw .cannotWrite(path: output, reason: "cannot create the file") }
      handle = file
    } else {
      handle = FileHandle.standardOutput
    }
    defer { if output != nil { try? handle.close() } }
    do throws(ExportError) {
      let export = try OpenMetricsExport(store: store, runID: run, stepSeconds: duration.microseconds / 1_000_000)
      let summary = try export.write { bytes in try handle.write(contentsOf: bytes) }
      if let output {
        var text = "platformsim: run \(run) exported to \(output): \(summary.series) series, \(summary.samples) samples"
        if !summary.hasStoredSeries {
          text +=
            "\nplatformsim: the run kept no request or latency series (spec.monitoring.seriesOutput: off); "
            + "only series derived from its tables were exported"
        }
        print(text)
      }
      return .success
    } catch {
      switch error {
      case .noSuchRun(let id): throw .unknownRun(id, database: path)
      case .store(let storeError): throw .store(storeError)
      case .cannotWrite(let reason): throw .cannotWrite(path: output ?? "standard output", reason: reason)
      }
    }
  }
}
