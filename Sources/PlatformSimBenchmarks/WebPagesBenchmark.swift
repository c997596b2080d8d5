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
/// `$PLATFORMSIM_BENCH_WEB_DB` when set (its run 1 is the page's subject, run 2 the one it
/// is compared with, experiments 1 and 2 the experiment pages' if present; docs/PERFORMANCE.md
/// shows how to build it), else a fresh run of scenarios/benchmarks/org-scale.yaml (20–60 s),
/// deleted afterwards.
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
    let pagesWanted = options.filters.contains { $0 == "web" || ($0.hasPrefix("web-") && $0 != "web-export") }
    var results = pagesWanted ? pages(repetitions: repetitions, quick: quick) : []
    if options.selects("web-export") { results += exportBenchmark(repetitions: repetitions, quick: quick) }
    return results
  }

  /// Each page of the site, rendered `repetitions` times after one warm-up.
  static func pages(repetitions: Int, quick: Bool) -> [BenchmarkResult] {
    guard let path = database(quick: quick) else { return [] }
    defer {
      if ProcessInfo.processInfo.environment["PLATFORMSIM_BENCH_WEB_DB"] == nil {
        try? FileManager.default.removeItem(atPath: path)
      }
    }
    let site = ResultsSite(databasePath: path)
    var targets = [
      ("web-runs", "Runs list", "/"), ("web-run", "Run page (tiles, timeline, charts, incidents)", "/runs/1"),
      ("web-run-api", "Run API", "/api/runs/1"), ("web-deployments", "Deployments list", "/runs/1/deployments"),
      ("web-deployment", "Deployment drill-down", "/runs/1/deployments/5000"),
      ("web-incident", "Incident drill-down", "/runs/1/incidents/1"),
    ]
    func count(_ table: String) -> Int {
      Int((try? ResultStore(readingOnly: path).database.scalar("SELECT COUNT(*) FROM \(table)"))?.intValue ?? 0)
    }
    // Two runs compared when the database has two (run 2 of the same scenario, another seed).
    targets.append(
      ("web-compare-runs", "Compare two runs (overlaid timelines)", "/compare/runs?a=1&b=\(count("runs") > 1 ? 2 : 1)"))
    let experiments = count("experiments")
    if experiments > 0 {
      targets.append(("web-experiment", "Experiment or gate page", "/experiments/1"))
      targets.append(
        (
          "web-compare-experiments", "Compare two experiments (overlaid timelines)",
          "/compare/experiments?a=1&b=\(experiments > 1 ? 2 : 1)"
        ))
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
    return results
  }

  /// `export openmetrics` of the golden path's month (the issue's target: under 5 s), the
  /// text counted in memory rather than written, so the disk is not measured.
  static func exportBenchmark(repetitions: Int, quick: Bool) -> [BenchmarkResult] {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-bench-export-\(ProcessInfo.processInfo.processIdentifier).sqlite").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    progress("export: simulating scenarios/golden-path.yaml\(quick ? " for 3 days" : "") into \(path)")
    do {
      _ = try ScenarioBenchmark.runOnce("scenarios/golden-path.yaml", days: quick ? 3 : nil, database: path)
    } catch {
      progress("export: the golden-path run failed: \(error)")
      return []
    }
    var rates: [Double] = []
    var seconds: [Double] = []
    var note = ""
    for _ in 0..<repetitions {
      var samples = 0
      var series = 0
      var bytes = 0
      let elapsed = measureSeconds {
        guard let store = try? ResultStore(readingOnly: path),
          let export = try? OpenMetricsExport(store: store, runID: 1, stepSeconds: 60),
          let summary = try? export.write(to: { bytes += $0.count })
        else { return }
        samples = summary.samples
        series = summary.series
      }
      rates.append(1 / elapsed)
      seconds.append(elapsed)
      note =
        "golden path, \(quick ? "3 days" : "its month"), --step 1m: \(series) series, \(samples) samples, "
        + "\(bytes / 1_048_576) MiB"
    }
    return [
      BenchmarkResult(
        name: "web-export", title: "export openmetrics (golden path month, to memory)", unit: "exports/s",
        oursSamples: rates, peerName: nil, peerSamples: [], target: .rateAtLeast(0.2),
        notes: [note + "; median \(String(format: "%.2f", median(seconds))) s"])
    ]
  }
}
