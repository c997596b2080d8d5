import Exports
import Foundation
import ResultStore
import WebUI

/// `platformsim serve`'s pages and the OpenMetrics export on an organisation-scale run.
///
/// Each page is rendered the way the server renders it (``ResultsSite/get(_:)``: a
/// read-only connection per request, the query, the HTML or JSON), repetition by
/// repetition; the HTTP layer adds well under a millisecond on loopback. The issue's
/// target is under 200 ms per page, held as at least 5 pages/s. The database is
/// `$PLATFORMSIM_BENCH_WEB_DB` when set (its run 1 is the page's subject, an experiment 1
/// if present), else a fresh run of scenarios/benchmarks/org-scale.yaml (20–60 s).
enum WebPagesBenchmark {
  static func database(quick: Bool) -> String? {
    if let path = ProcessInfo.processInfo.environment["PLATFORMSIM_BENCH_WEB_DB"] { return path }
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-bench-web-\(ProcessInfo.processInfo.processIdentifier).sqlite").path
    progress("web pages: simulating scenarios/benchmarks/org-scale.yaml\(quick ? " for 3 days" : "") into \(path)")
    do {
      _ = try ScenarioBenchmark.runOnce(
        "scenarios/benchmarks/org-scale.yaml", days: quick ? 3 : nil, database: path)
      return path
    } catch {
      progress("web pages: the org-scale run failed: \(error)")
      return nil
    }
  }

  static func run(repetitions: Int, quick: Bool) -> [BenchmarkResult] {
    guard let path = database(quick: quick) else { return [] }
    let site = ResultsSite(databasePath: path)
    var targets = [
      ("web-runs", "Runs list", "/"), ("web-run", "Run page (tiles, timeline, charts, incidents)", "/runs/1"),
      ("web-run-api", "Run API", "/api/runs/1"), ("web-deployments", "Deployments list", "/runs/1/deployments"),
      ("web-deployment", "Deployment drill-down", "/runs/1/deployments/5000"),
      ("web-incident", "Incident drill-down", "/runs/1/incidents/1"),
      ("web-compare-runs", "Compare two runs (overlaid timelines)", "/compare/runs?a=1&b=1"),
    ]
    let experiments =
      (try? ResultStore(readingOnly: path).database.scalar("SELECT COUNT(*) FROM experiments"))?
      .intValue ?? 0
    if experiments > 0 {
      targets.append(("web-experiment", "Experiment or gate page", "/experiments/1"))
      targets.append(("web-compare-experiments", "Compare two experiments", "/compare/experiments?a=1&b=1"))
    }
    var results: [BenchmarkResult] = []
    for (name, title, target) in targets where options.selects(name) {
      var rates: [Double] = []
      var milliseconds: [Double] = []
      var status = 0
      var size = 0
      _ = site.get(target)  // warm the page cache once
      for _ in 0..<repetitions {
        var response: SiteResponse?
        let seconds = measureSeconds { response = site.get(target) }
        status = response?.status ?? 0
        size = response?.body.utf8.count ?? 0
        rates.append(1 / seconds)
        milliseconds.append(seconds * 1_000)
      }
      results.append(
        BenchmarkResult(
          name: name, title: title, unit: "pages/s", oursSamples: rates, peerName: nil, peerSamples: [],
          target: .rateAtLeast(5),
          notes: [
            "\(target): HTTP \(status), \(size / 1_024) KiB, median \(String(format: "%.1f", median(milliseconds))) ms "
              + "(\(milliseconds.map { String(format: "%.0f", $0) }.joined(separator: ", ")) ms)"
          ]))
    }
    if options.selects("web-export") {
      var rates: [Double] = []
      var notes: [String] = []
      for _ in 0..<max(1, repetitions / 2) {
        var samples = 0
        var bytes = 0
        let seconds = measureSeconds {
          guard let store = try? ResultStore(readingOnly: path),
            let export = try? OpenMetricsExport(store: store, runID: 1, stepSeconds: 60),
            let summary = try? export.write(to: { bytes += $0.count })
          else { return }
          samples = summary.samples
        }
        rates.append(1 / seconds)
        notes = ["run 1, --step 1m: \(samples) samples, \(bytes / 1_048_576) MiB, \(String(format: "%.2f", seconds)) s"]
      }
      results.append(
        BenchmarkResult(
          name: "web-export", title: "export openmetrics (run 1, to memory)", unit: "exports/s", oursSamples: rates,
          peerName: nil, peerSamples: [], target: .rateAtLeast(0.2), notes: notes))
    }
    return results
  }
}
