import Foundation
import ResultStore

/// Reports on runs and experiments stored in a results database.
///
/// Everything is read with SQL from the documented tables (docs/SCHEMA.md), so a report
/// can be regenerated from any database, including one merged from shards.
public enum ReportWriter {
  /// The report of run `runID`.
  public static func run(_ runID: Int64, store: ResultStore) throws(ReportError) -> RenderedReport {
    do {
      guard
        let info = try store.database.query(
          "SELECT scenario_name, seed, replication, sim_start_at, sim_end_at, sim_reached_at, status FROM runs WHERE id = ?",
          [.integer(runID)]
        ).first
      else { throw ReportError.noSuchRun(runID, database: store.path) }
      var builder = ReportBuilder(baseName: "report-run-\(runID)")
      let scenario = info[0].stringValue ?? "?"
      builder.paragraph(
        "Scenario \(scenario), seed \(info[1]), replication \(info[2]), status \(info[6]); simulated "
          + "\(isoDate(info[3].doubleValue)) → \(isoDate(info[5].doubleValue ?? info[4].doubleValue)) (UTC).")
      try runSections(
        runID, store: store, window: (info[3].doubleValue ?? 0, info[5].doubleValue ?? info[4].doubleValue ?? 1),
        into: &builder)
      return builder.finish(title: "PlatformSim run \(runID): \(scenario)")
    } catch let error as ReportError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .cannotWrite(path: store.path, reason: "\(error)")
    }
  }

  /// The run-level sections: KPIs, deployments, distributions, nodes, cost, training.
  static func runSections(
    _ runID: Int64, store: ResultStore, window: (start: Double, end: Double), into builder: inout ReportBuilder
  )
    throws(StoreError)
  {
    let database = store.database
    let run: [SQLValue] = [.integer(runID)]
    let span = max(window.end - window.start, 1)
    let timeLabels: [(Double, String)] = (0...4).map { step in
      let fraction = Double(step) / 4
      return (fraction, "day \(shortNumber(span * fraction / 86_400))")
    }

    builder.heading("KPIs against targets")
    let kpis = try database.query(
      "SELECT name, value, value_text, unit, target, comparison, met FROM kpis WHERE run_id = ? ORDER BY rowid", run)
    if kpis.isEmpty {
      builder.paragraph("This run has no delivery model, so no KPIs.")
    } else {
      var rows: [[String]] = []
      var classes: [String?] = []
      for kpi in kpis {
        let value = kpi[2].stringValue ?? kpi[1].doubleValue.map(shortValue) ?? "–"
        let target = kpi[4].doubleValue.map { "\(kpi[5].stringValue ?? "") \(shortValue($0))" } ?? ""
        let met = kpi[6].intValue.map { $0 == 1 ? "met" : "missed" } ?? ""
        rows.append(["`\(kpi[0].stringValue ?? "")`", value, kpi[3].stringValue ?? "", target, met])
        classes.append(met.isEmpty ? nil : met)
      }
      builder.table(header: ["KPI", "value", "unit", "target", "met"], rows: rows, classes: classes)
    }

    builder.heading("Deployments")
    let deployments = try database.query(
      """
      SELECT service, kind, started_at, rolled_back, max_canary_weight, status FROM deployments
      WHERE run_id = ? ORDER BY started_at, deploy_id
      """,
      run)
    let alerts = try database.query(
      "SELECT service, time FROM alerts WHERE run_id = ? AND state = 'firing' AND service IS NOT NULL ORDER BY time, service",
      run)
    var services: [String] = []
    for row in deployments where !services.contains(row[0].stringValue ?? "") {
      services.append(row[0].stringValue ?? "")
    }
    for row in alerts where !services.contains(row[0].stringValue ?? "") { services.append(row[0].stringValue ?? "") }
    services.sort()
    var events = deployments.map { row in
      (
        row: services.firstIndex(of: row[0].stringValue ?? "") ?? 0,
        time: ((row[2].doubleValue ?? window.start) - window.start) / span, kind: row[1].stringValue ?? "planned",
        rolledBack: row[3].intValue == 1, canaryWeight: row[4].intValue.map { Int($0) }
      )
    }
    events += alerts.map { row in
      (
        row: services.firstIndex(of: row[0].stringValue ?? "") ?? 0,
        time: ((row[1].doubleValue ?? window.start) - window.start) / span, kind: "alert", rolledBack: false,
        canaryWeight: nil
      )
    }
    let rollbacks = deployments.filter { $0[1].stringValue == "rollback" }.count
    let aborted = deployments.filter { $0[5].stringValue == "aborted" }.count
    builder.paragraph(
      "\(deployments.count) deployments over \(services.count) services, \(rollbacks) of them rollbacks; "
        + "\(aborted) canaries aborted; \(alerts.count) alerts fired.")
    builder.chart(
      "deployments",
      title: "Deployments over time by service: tick height is the highest canary weight reached, rollbacks and aborts marked, alerts as dots",
      svg: SVGChart.timeline(rows: services, events: events, title: "Deployments by service", xLabels: timeLabels))

    builder.heading("Lead time and recovery")
    let leadTimes = try database.query(
      "SELECT deployed_at - time_created FROM changes WHERE run_id = ? AND deployed_at IS NOT NULL ORDER BY change_id",
      run
    ).compactMap { $0[0].doubleValue }
    let recoveries = try database.query(
      "SELECT time_resolved - time_created FROM incidents WHERE run_id = ? AND time_resolved IS NOT NULL ORDER BY incident_id",
      run
    ).compactMap { $0[0].doubleValue }
    builder.paragraph(
      "\(leadTimes.count) changes reached production; \(recoveries.count) incidents were resolved.")
    builder.chart(
      "lead-time", title: "Lead time for changes (minutes)",
      svg: SVGChart.histogram(leadTimes, title: "Lead time", xLabel: "minutes, commit to production", scale: 60))
    builder.chart(
      "recovery", title: "Failed-deployment recovery time (minutes)",
      svg: SVGChart.histogram(
        recoveries, binCount: 12, title: "Recovery time", xLabel: "minutes, failure to recovery", scale: 60))

    builder.heading("Cluster nodes")
    let nodes = try database.query(
      "SELECT capacity_type, ready_at, terminated_at FROM cluster_nodes WHERE run_id = ? AND ready_at IS NOT NULL ORDER BY node_id",
      run)
    if nodes.isEmpty {
      builder.paragraph("This run has no cluster.")
    } else {
      let samples = 240
      let times = (0..<samples).map { Double($0) / Double(samples - 1) }
      var series: [(name: String, values: [Double])] = []
      for capacity in ["on-demand", "spot"] {
        let mine = nodes.filter { $0[0].stringValue == capacity }
        let values = times.map { fraction -> Double in
          let instant = window.start + span * fraction
          return Double(
            mine.filter { ($0[1].doubleValue ?? .infinity) <= instant && ($0[2].doubleValue ?? .infinity) > instant }
              .count)
        }
        series.append((capacity, values))
      }
      builder.chart(
        "nodes", title: "Ready nodes over time by capacity type",
        svg: SVGChart.stepLines(times: times, series: series, title: "Nodes", yLabel: "nodes", xLabels: timeLabels))
    }

    builder.heading("Cost")
    let teams = try database.query(
      """
      SELECT team, SUM(cpu_cost_micro_usd), SUM(ram_cost_micro_usd), SUM(gpu_cost_micro_usd), SUM(total_cost_micro_usd)
      FROM cost_allocations WHERE run_id = ? GROUP BY team ORDER BY team
      """, run)
    if teams.isEmpty {
      builder.paragraph("This run has no cost allocations.")
    } else {
      let names = teams.map { $0[0].stringValue ?? "" }
      let usd: (Int) -> [Double] = { column in teams.map { Double($0[column].intValue ?? 0) / 1e6 } }
      builder.chart(
        "cost-team", title: "Cost per team (USD; __idle__ is capacity nobody used)",
        svg: SVGChart.stackedBars(
          categories: names, series: [("CPU", usd(1)), ("RAM", usd(2)), ("GPU", usd(3))], title: "Cost per team",
          yLabel: "USD"))
      builder.table(
        header: ["team", "CPU USD", "RAM USD", "GPU USD", "total USD"],
        rows: teams.map { row in
          [row[0].stringValue ?? ""] + (1...4).map { String(format: "%.2f", Double(row[$0].intValue ?? 0) / 1e6) }
        })
      let centers = try database.query(
        "SELECT cost_center, SUM(total_cost_micro_usd) FROM cost_allocations WHERE run_id = ? GROUP BY cost_center ORDER BY cost_center",
        run)
      builder.chart(
        "cost-center", title: "Cost per cost center (USD)",
        svg: SVGChart.stackedBars(
          categories: centers.map { $0[0].stringValue ?? "" },
          series: [("total", centers.map { Double($0[1].intValue ?? 0) / 1e6 })], title: "Cost per cost center",
          yLabel: "USD"))
    }

    builder.heading("Training")
    let jobs = try database.query(
      "SELECT template, queue_wait_seconds, goodput FROM training_jobs WHERE run_id = ? ORDER BY job_id", run)
    if jobs.isEmpty {
      builder.paragraph("This run has no training jobs.")
    } else {
      let waits = jobs.compactMap { $0[1].doubleValue }
      builder.chart(
        "training-wait", title: "Training queue wait (minutes)",
        svg: SVGChart.histogram(waits, title: "Queue wait", xLabel: "minutes from submission to first start", scale: 60)
      )
      var templates: [String] = []
      for job in jobs where !templates.contains(job[0].stringValue ?? "") { templates.append(job[0].stringValue ?? "") }
      templates.sort()
      var rows: [[String]] = []
      var goodputs: [Double] = []
      for template in templates {
        let mine = jobs.filter { $0[0].stringValue == template }
        let goodput = mine.compactMap { $0[2].doubleValue }
        let meanGoodput = goodput.isEmpty ? 0 : goodput.reduce(0, +) / Double(goodput.count)
        goodputs.append(meanGoodput)
        let meanWait = mine.compactMap { $0[1].doubleValue }
        rows.append([
          template, String(mine.count),
          meanWait.isEmpty ? "–" : shortValue(meanWait.reduce(0, +) / Double(meanWait.count)),
          goodput.isEmpty ? "–" : String(format: "%.3f", meanGoodput),
        ])
      }
      builder.table(header: ["template", "jobs", "mean queue wait (s)", "mean goodput"], rows: rows)
      // Goodput is defined for GPU jobs only; CPU templates are left out of the chart.
      let gpuTemplates = templates.indices.filter { rows[$0][3] != "–" }
      builder.chart(
        "goodput", title: "Mean goodput per GPU template (useful GPU time ÷ allocated)",
        svg: SVGChart.stackedBars(
          categories: gpuTemplates.map { templates[$0] }, series: [("goodput", gpuTemplates.map { goodputs[$0] })],
          title: "Goodput", yLabel: "goodput"))
    }
  }

  /// The report of experiment `experimentID`: KPI means with confidence intervals per
  /// variant, paired differences, and the run-level sections of its first run.
  public static func experiment(_ experimentID: Int64, store: ResultStore) throws(ReportError) -> RenderedReport {
    do {
      let database = store.database
      guard
        let info = try database.query(
          "SELECT name, kind, replications, seed, pairing, confidence FROM experiments WHERE id = ?",
          [.integer(experimentID)]
        ).first
      else { throw ReportError.noSuchExperiment(experimentID, database: store.path) }
      var builder = ReportBuilder(baseName: "report-experiment-\(experimentID)")
      let name = info[0].stringValue ?? "?"
      let confidence = info[5].doubleValue ?? 0.95
      let percent = String(format: "%g %%", confidence * 100)
      builder.paragraph(
        "Experiment \(experimentID) (\(info[1])): \(info[2]) replications per variant, root seed \(info[3]), "
          + "\(info[4] == .text("common") ? "common random numbers" : "independent seeds"); intervals are \(percent) t-intervals."
      )
      let variants = try database.query(
        "SELECT variant FROM runs WHERE experiment_id = ? GROUP BY variant ORDER BY MIN(id)", [.integer(experimentID)]
      ).compactMap { $0[0].stringValue }
      // Sweep points are labelled with their values: `point-2 (runners = 4)`.
      var labels: [String: String] = [:]
      for variant in variants {
        let settings = try database.query(
          "SELECT axis, value FROM sweep_points WHERE experiment_id = ? AND variant = ? ORDER BY rowid",
          [.integer(experimentID), .text(variant)])
        labels[variant] =
          settings.isEmpty
          ? variant
          : variant + " ("
            + settings.map { "\(($0[0].stringValue ?? "").split(separator: ".").last ?? "") = \($0[1])" }
            .joined(separator: ", ") + ")"
      }
      if labels.values.contains(where: { $0.contains("(") }) {
        builder.heading("Sweep points")
        builder.table(header: ["point"], rows: variants.map { [labels[$0] ?? $0] })
      }
      let summaries = try database.query(
        "SELECT variant, kpi, n, mean, ci_low, ci_high FROM experiment_kpis WHERE experiment_id = ? ORDER BY rowid",
        [.integer(experimentID)])
      var kpiNames: [String] = []
      for row in summaries where !kpiNames.contains(row[1].stringValue ?? "") {
        kpiNames.append(row[1].stringValue ?? "")
      }
      builder.heading("KPI means with \(percent) confidence intervals")
      builder.table(
        header: ["KPI"] + variants.map { "\($0) mean [CI]" },
        rows: kpiNames.map { kpi in
          ["`\(kpi)`"]
            + variants.map { variant in
              guard let row = summaries.first(where: { $0[0].stringValue == variant && $0[1].stringValue == kpi })
              else { return "–" }
              return
                "\(shortValue(row[3].doubleValue)) [\(shortValue(row[4].doubleValue)), \(shortValue(row[5].doubleValue))]"
            }
        })
      let headline = [
        "deployment_frequency_per_day", "lead_time_median_seconds", "change_failure_rate",
        "recovery_time_median_seconds",
        "cost.total_usd", "training.queue_wait_p95_seconds",
      ].filter(kpiNames.contains)
      for kpi in headline {
        let rows = variants.compactMap { variant -> (label: String, mean: Double, low: Double?, high: Double?)? in
          guard let row = summaries.first(where: { $0[0].stringValue == variant && $0[1].stringValue == kpi }),
            let mean = row[3].doubleValue
          else { return nil }
          return (labels[variant] ?? variant, mean, row[4].doubleValue, row[5].doubleValue)
        }
        builder.chart(
          "ci-\(kpi.replacingOccurrences(of: ".", with: "-"))", title: "\(kpi): mean per variant with \(percent) CI",
          svg: SVGChart.intervals(rows, title: kpi, xLabel: kpi))
      }
      let differences = try database.query(
        """
        SELECT candidate, kpi, n, mean_difference, ci_low, ci_high FROM experiment_differences
        WHERE experiment_id = ? ORDER BY rowid
        """, [.integer(experimentID)])
      if !differences.isEmpty {
        builder.heading("Paired differences (candidate − \(variants.first ?? "baseline"))")
        builder.table(
          header: ["variant", "KPI", "n", "mean difference", "\(percent) CI"],
          rows: differences.map { row in
            [
              row[0].stringValue ?? "", "`\(row[1].stringValue ?? "")`", String(row[2].intValue ?? 0),
              shortValue(row[3].doubleValue),
              "[\(shortValue(row[4].doubleValue)), \(shortValue(row[5].doubleValue))]",
            ]
          })
        let rows = differences.compactMap { row -> (label: String, mean: Double, low: Double?, high: Double?)? in
          guard let kpi = row[1].stringValue, headline.contains(kpi), let mean = row[3].doubleValue else { return nil }
          let scale = abs(
            summaries.first(where: { $0[0].stringValue == variants.first && $0[1].stringValue == kpi })?[3].doubleValue
              ?? 0)
          guard scale > 0 else { return nil }
          // Relative to the baseline mean, so KPIs of different units share one axis.
          return (
            "\(row[0].stringValue ?? "") \(kpi)", mean / scale * 100, row[4].doubleValue.map { $0 / scale * 100 },
            row[5].doubleValue.map { $0 / scale * 100 }
          )
        }
        builder.chart(
          "differences", title: "Paired differences as % of the baseline mean, with \(percent) CI",
          svg: SVGChart.intervals(rows, title: "Paired differences", xLabel: "% of baseline mean"))
      }
      if let first = try database.query(
        "SELECT id, sim_start_at, COALESCE(sim_reached_at, sim_end_at) FROM runs WHERE experiment_id = ? AND status = 'completed' ORDER BY id LIMIT 1",
        [.integer(experimentID)]
      ).first, let runID = first[0].intValue {
        builder.heading("Run \(runID) (first replication of \(variants.first ?? "the experiment")) in detail")
        try runSections(
          runID, store: store, window: (first[1].doubleValue ?? 0, first[2].doubleValue ?? 1), into: &builder)
      }
      return builder.finish(title: "PlatformSim experiment \(experimentID): \(name)")
    } catch let error as ReportError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .cannotWrite(path: store.path, reason: "\(error)")
    }
  }
}

func shortValue(_ value: Double?) -> String {
  guard let value else { return "–" }
  let magnitude = abs(value)
  if magnitude >= 1e6 { return String(format: "%.3e", value) }
  if magnitude >= 100 { return String(format: "%.0f", value) }
  return String(format: "%.4g", value)
}

func isoDate(_ epochSeconds: Double?) -> String {
  guard let epochSeconds else { return "?" }
  return Date(timeIntervalSince1970: epochSeconds).ISO8601Format()
}
