import Foundation
import ResultRows
import ResultStore

/// Reports on runs and experiments stored in a results database.
///
/// Everything is read with SQL from the documented tables (docs/SCHEMA.md), so a report
/// can be regenerated from any database, including one merged from shards.
public enum ReportWriter {
  /// The report of run `runID`.
  public static func run(_ runID: Int64, store: ResultStore) throws(ReportError) -> RenderedReport {
    do {
      guard let info = try store.database.rows(RunRow.self, where: "id = ?", [.integer(runID)]).first else {
        throw ReportError.noSuchRun(runID, database: store.path)
      }
      var builder = ReportBuilder(baseName: "report-run-\(runID)")
      let scenario = info.scenarioName
      let reached = info.simulatedReachedAt ?? info.simulatedEndAt
      builder.paragraph(
        "Scenario \(scenario), seed \(info.seed), replication \(info.replication), status \(info.status.rawValue); "
          + "simulated \(isoDate(info.simulatedStartAt)) → \(isoDate(reached)) (UTC).")
      try runSections(RunID(runID), store: store, window: (info.simulatedStartAt, reached), into: &builder)
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
    _ run: RunID, store: ResultStore, window: (start: Double, end: Double), into builder: inout ReportBuilder
  )
    throws(StoreError)
  {
    let span = max(window.end - window.start, 1)
    let timeLabels: [(Double, String)] = (0...4).map { step in
      let fraction = Double(step) / 4
      return (fraction, "day \(shortNumber(span * fraction / 86_400))")
    }

    builder.heading("KPIs against targets")
    let kpis = try store.rows(KPIRow.self, run: run)
    if kpis.isEmpty {
      builder.paragraph("This run has no delivery model, so no KPIs.")
    } else {
      var rows: [[String]] = []
      var classes: [String?] = []
      for kpi in kpis {
        let value = kpi.valueText ?? kpi.value.map(shortValue) ?? "–"
        let target = kpi.target.map { "\(kpi.comparison ?? "") \(shortValue($0))" } ?? ""
        let met = kpi.met.map { $0 ? "met" : "missed" } ?? ""
        rows.append(["`\(kpi.name)`", value, kpi.unit, target, met])
        classes.append(met.isEmpty ? nil : met)
      }
      builder.table(header: ["KPI", "value", "unit", "target", "met"], rows: rows, classes: classes)
    }

    builder.heading("Deployments")
    let deployments = try store.rows(DeploymentRow.self, run: run, orderBy: "started_at, deploy_id")
    let alerts = try store.rows(
      AlertRow.self, run: run, where: "state = 'firing' AND service IS NOT NULL", orderBy: "time, service")
    var services: [String] = []
    for row in deployments where !services.contains(row.service) { services.append(row.service) }
    for row in alerts where !services.contains(row.service ?? "") { services.append(row.service ?? "") }
    services.sort()
    var events = deployments.map { row in
      (
        row: services.firstIndex(of: row.service) ?? 0, time: (row.startedAt - window.start) / span, kind: row.kind,
        rolledBack: row.rolledBack, canaryWeight: row.maximumCanaryWeight.map { Int($0) }
      )
    }
    events += alerts.map { row in
      (
        row: services.firstIndex(of: row.service ?? "") ?? 0, time: (row.time - window.start) / span, kind: "alert",
        rolledBack: false, canaryWeight: nil
      )
    }
    let rollbacks = deployments.filter { $0.kind == "rollback" }.count
    let aborted = deployments.filter { $0.status == "aborted" }.count
    builder.paragraph(
      "\(deployments.count) deployments over \(services.count) services, \(rollbacks) of them rollbacks; "
        + "\(aborted) canaries aborted; \(alerts.count) alerts fired.")
    builder.chart(
      "deployments",
      title: "Deployments over time by service: tick height is the highest canary weight reached, rollbacks and aborts marked, alerts as dots",
      svg: SVGChart.timeline(rows: services, events: events, title: "Deployments by service", xLabels: timeLabels))

    builder.heading("Lead time and recovery")
    let leadTimes = try store.rows(ChangeRow.self, run: run, where: "deployed_at IS NOT NULL", orderBy: "change_id")
      .compactMap { change in change.deployedAt.map { $0 - change.timeCreated } }
    let recoveries = try store.rows(
      IncidentRow.self, run: run, where: "time_resolved IS NOT NULL", orderBy: "incident_id"
    ).compactMap { incident in incident.timeResolved.map { $0 - incident.timeCreated } }
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
    let nodes = try store.rows(ClusterNodeRow.self, run: run, where: "ready_at IS NOT NULL", orderBy: "node_id")
    if nodes.isEmpty {
      builder.paragraph("This run has no cluster.")
    } else {
      let samples = 240
      let times = (0..<samples).map { Double($0) / Double(samples - 1) }
      var series: [(name: String, values: [Double])] = []
      for capacity in ["on-demand", "spot"] {
        let mine = nodes.filter { $0.capacityType == capacity }
        let values = times.map { fraction -> Double in
          let instant = window.start + span * fraction
          return Double(
            mine.filter { ($0.readyAt ?? .infinity) <= instant && ($0.terminatedAt ?? .infinity) > instant }.count)
        }
        series.append((capacity, values))
      }
      builder.chart(
        "nodes", title: "Ready nodes over time by capacity type",
        svg: SVGChart.stepLines(times: times, series: series, title: "Nodes", yLabel: "nodes", xLabels: timeLabels))
    }

    builder.heading("Cost")
    let allocations = try store.rows(CostAllocationRow.self, run: run)
    if allocations.isEmpty {
      builder.paragraph("This run has no cost allocations.")
    } else {
      let teams = CostTotals.grouped(allocations, by: \.team)
      let names = teams.map(\.key)
      let usd: (KeyPath<CostTotals, Int64>) -> [Double] = { part in teams.map { Double($0[keyPath: part]) / 1e6 } }
      builder.chart(
        "cost-team", title: "Cost per team (USD; __idle__ is capacity nobody used)",
        svg: SVGChart.stackedBars(
          categories: names, series: [("CPU", usd(\.cpu)), ("RAM", usd(\.ram)), ("GPU", usd(\.gpu))],
          title: "Cost per team", yLabel: "USD"))
      builder.table(
        header: ["team", "CPU USD", "RAM USD", "GPU USD", "total USD"],
        rows: teams.map { row in
          [row.key] + [row.cpu, row.ram, row.gpu, row.total].map { String(format: "%.2f", Double($0) / 1e6) }
        })
      let centers = CostTotals.grouped(allocations, by: \.costCenter)
      builder.chart(
        "cost-center", title: "Cost per cost center (USD)",
        svg: SVGChart.stackedBars(
          categories: centers.map(\.key), series: [("total", centers.map { Double($0.total) / 1e6 })],
          title: "Cost per cost center", yLabel: "USD"))
    }

    builder.heading("Training")
    let jobs = try store.rows(TrainingJobRow.self, run: run, orderBy: "job_id")
    if jobs.isEmpty {
      builder.paragraph("This run has no training jobs.")
    } else {
      let waits = jobs.compactMap(\.queueWaitSeconds)
      builder.chart(
        "training-wait", title: "Training queue wait (minutes)",
        svg: SVGChart.histogram(waits, title: "Queue wait", xLabel: "minutes from submission to first start", scale: 60)
      )
      var templates: [String] = []
      for job in jobs where !templates.contains(job.template) { templates.append(job.template) }
      templates.sort()
      var rows: [[String]] = []
      var goodputs: [Double] = []
      for template in templates {
        let mine = jobs.filter { $0.template == template }
        let goodput = mine.compactMap(\.goodput)
        let meanGoodput = goodput.isEmpty ? 0 : goodput.reduce(0, +) / Double(goodput.count)
        goodputs.append(meanGoodput)
        let meanWait = mine.compactMap(\.queueWaitSeconds)
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
      let experiment: [SQLValue] = [.integer(experimentID)]
      guard let info = try database.rows(ExperimentRow.self, where: "id = ?", experiment).first else {
        throw ReportError.noSuchExperiment(experimentID, database: store.path)
      }
      var builder = ReportBuilder(baseName: "report-experiment-\(experimentID)")
      let name = info.name
      let confidence = info.confidence
      let percent = String(format: "%g %%", confidence * 100)
      let seeds = info.pairing == "common" ? "common random numbers" : "independent seeds"
      builder.paragraph(
        "Experiment \(experimentID) (\(info.kind)): \(info.replications) replications per variant, "
          + "root seed \(info.seed), \(seeds); intervals are \(percent) t-intervals.")
      let runs = try database.rows(RunRow.self, where: "experiment_id = ?", experiment, orderBy: "id")
      // Variants in the order their first runs were numbered.
      var variants: [String] = []
      for run in runs { if let variant = run.variant, !variants.contains(variant) { variants.append(variant) } }
      // Sweep points are labelled with their values: `point-2 (runners = 4)`.
      var labels: [String: String] = [:]
      for variant in variants {
        let settings = try database.rows(
          SweepPointRow.self, where: "experiment_id = ? AND variant = ?", experiment + [.text(variant)],
          orderBy: "rowid")
        labels[variant] =
          settings.isEmpty
          ? variant
          : variant + " ("
            + settings.map { "\($0.axis.split(separator: ".").last ?? "") = \($0.value)" }.joined(separator: ", ") + ")"
      }
      if labels.values.contains(where: { $0.contains("(") }) {
        builder.heading("Sweep points")
        builder.table(header: ["point"], rows: variants.map { [labels[$0] ?? $0] })
      }
      let summaries = try database.rows(
        ExperimentKPIRow.self, where: "experiment_id = ?", experiment, orderBy: "rowid")
      var kpiNames: [String] = []
      for row in summaries where !kpiNames.contains(row.kpi) { kpiNames.append(row.kpi) }
      builder.heading("KPI means with \(percent) confidence intervals")
      builder.table(
        header: ["KPI"] + variants.map { "\($0) mean [CI]" },
        rows: kpiNames.map { kpi in
          ["`\(kpi)`"]
            + variants.map { variant in
              guard let row = summaries.first(where: { $0.variant == variant && $0.kpi == kpi }) else { return "–" }
              return
                "\(shortValue(row.mean)) [\(shortValue(row.confidenceLow)), \(shortValue(row.confidenceHigh))]"
            }
        })
      let headline = [
        "deployment_frequency_per_day", "lead_time_median_seconds", "change_failure_rate",
        "recovery_time_median_seconds",
        "cost.total_usd", "training.queue_wait_p95_seconds",
      ].filter(kpiNames.contains)
      for kpi in headline {
        let rows = variants.compactMap { variant -> (label: String, mean: Double, low: Double?, high: Double?)? in
          guard let row = summaries.first(where: { $0.variant == variant && $0.kpi == kpi }), let mean = row.mean
          else { return nil }
          return (labels[variant] ?? variant, mean, row.confidenceLow, row.confidenceHigh)
        }
        builder.chart(
          "ci-\(kpi.replacingOccurrences(of: ".", with: "-"))", title: "\(kpi): mean per variant with \(percent) CI",
          svg: SVGChart.intervals(rows, title: kpi, xLabel: kpi))
      }
      let differences = try database.rows(
        ExperimentDifferenceRow.self, where: "experiment_id = ?", experiment, orderBy: "rowid")
      if !differences.isEmpty {
        builder.heading("Paired differences (candidate − \(variants.first ?? "baseline"))")
        builder.table(
          header: ["variant", "KPI", "n", "mean difference", "\(percent) CI"],
          rows: differences.map { row in
            [
              row.candidate, "`\(row.kpi)`", String(row.count), shortValue(row.meanDifference),
              "[\(shortValue(row.confidenceLow)), \(shortValue(row.confidenceHigh))]",
            ]
          })
        let rows = differences.compactMap { row -> (label: String, mean: Double, low: Double?, high: Double?)? in
          guard headline.contains(row.kpi), let mean = row.meanDifference else { return nil }
          let scale = abs(summaries.first(where: { $0.variant == variants.first && $0.kpi == row.kpi })?.mean ?? 0)
          guard scale > 0 else { return nil }
          // Relative to the baseline mean, so KPIs of different units share one axis.
          return (
            "\(row.candidate) \(row.kpi)", mean / scale * 100, row.confidenceLow.map { $0 / scale * 100 },
            row.confidenceHigh.map { $0 / scale * 100 }
          )
        }
        builder.chart(
          "differences", title: "Paired differences as % of the baseline mean, with \(percent) CI",
          svg: SVGChart.intervals(rows, title: "Paired differences", xLabel: "% of baseline mean"))
      }
      if let first = runs.first(where: { $0.status == .completed }), let runID = first.id {
        builder.heading("Run \(runID) (first replication of \(variants.first ?? "the experiment")) in detail")
        let window = (first.simulatedStartAt, first.simulatedReachedAt ?? first.simulatedEndAt)
        try runSections(RunID(runID), store: store, window: window, into: &builder)
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

/// Cost allocations summed per team or cost centre.
struct CostTotals {
  var key: String
  var cpu: Int64 = 0
  var ram: Int64 = 0
  var gpu: Int64 = 0
  var total: Int64 = 0

  /// Sums by `key`, ordered as SQLite orders text (byte by byte, UTF-8).
  static func grouped(_ rows: [CostAllocationRow], by key: KeyPath<CostAllocationRow, String>) -> [CostTotals] {
    var totals: [CostTotals] = []
    var index: [String: Int] = [:]
    for row in rows {
      let name = row[keyPath: key]
      let position =
        index[name]
        ?? {
          totals.append(CostTotals(key: name))
          index[name] = totals.count - 1
          return totals.count - 1
        }()
      totals[position].cpu += row.cpuCostMicroUSD
      totals[position].ram += row.ramCostMicroUSD
      totals[position].gpu += row.gpuCostMicroUSD
      totals[position].total += row.totalCostMicroUSD
    }
    return totals.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
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
