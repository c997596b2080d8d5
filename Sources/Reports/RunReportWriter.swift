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
      let charts = RunCharts(store: store, run: info)
      builder.paragraph(
        "Scenario \(scenario), seed \(info.seed), replication \(info.replication), status \(info.status.rawValue); "
          + "simulated \(localDate(info.simulatedStartAt, zone: info.timeZone)) → "
          + "\(localDate(charts.end, zone: info.timeZone)) (\(info.timeZone)).")
      try runSections(charts, into: &builder)
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
  static func runSections(_ charts: RunCharts, into builder: inout ReportBuilder) throws(StoreError) {
    let store = charts.store
    let run = charts.runID
    builder.heading("KPIs against targets")
    let kpis = try store.rows(KPIRow.self, run: run)
    let metrics = try store.rows(RunMetric.self, run: run)
    if kpis.isEmpty {
      builder.paragraph("This run has no delivery model, so no KPIs.")
    } else {
      let summary = KPISummary(kpis: kpis, metrics: metrics)
      if let overall = summary.overallTier {
        builder.paragraph(
          "DORA performance tier (\(summary.tierYear) thresholds, the worst of the four keys): \(overall.label).")
      }
      var rows: [[String]] = []
      var classes: [String?] = []
      for entry in summary.headline + summary.others {
        let met = entry.met.map { $0 ? "met" : "missed" } ?? ""
        rows.append([
          entry.label, entry.display, entry.targetDisplay, met, entry.doraTier?.label ?? "", "`\(entry.name)`",
        ])
        classes.append(met.isEmpty ? nil : met)
      }
      builder.table(header: ["KPI", "value", "target", "met", "DORA tier", "name"], rows: rows, classes: classes)
    }

    builder.heading("Deployments")
    let timeline = try charts.timeline()
    let shown = timeline.summary
    var text =
      "\(shown.deployments) deployments over \(counted(shown.services, "service")), \(shown.rollbacks) of them "
      + "rollbacks; \(counted(shown.canariesAborted, "canary", plural: "canaries")) aborted; "
      + "\(counted(shown.incidents, "incident")); \(counted(shown.alertsFired, "alert")) fired."
    if shown.servicesShown < shown.services {
      text += " The timeline shows the \(shown.servicesShown) services with the most deployments."
    }
    builder.paragraph(text)
    builder.chart(
      "deployments",
      title: "Deployments by service (dates in \(charts.run.timeZone)): incidents as spans from start to resolution, "
        + "canary aborts, rollbacks and firing alerts marked",
      svg: timeline.svg)

    builder.heading("Lead time and recovery")
    builder.paragraph(
      "\(try charts.leadTimes().count) changes reached production; \(try charts.recoveryTimes().count) incidents were resolved. "
        + "Long-tailed distributions are drawn on a logarithmic axis; the median and p90 are marked.")
    builder.chart("lead-time", title: "Lead time for changes", svg: try charts.leadTimeHistogram())
    builder.chart("recovery", title: "Failed-deployment recovery time", svg: try charts.recoveryHistogram())

    builder.heading("Cluster nodes")
    if let nodes = try charts.nodesChart() {
      builder.chart("nodes", title: "Ready nodes per pool over time", svg: nodes)
    } else {
      builder.paragraph("This run has no cluster.")
    }

    builder.heading("Cost")
    let allocations = try store.rows(CostAllocationRow.self, run: run)
    if allocations.isEmpty {
      builder.paragraph("This run has no cost allocations.")
    } else {
      if let perDay = try charts.costOverTime(byCostCenter: false) {
        builder.chart("cost-over-time", title: "Cost per day by team, idle included", svg: perDay)
      }
      if let perDay = try charts.costOverTime(byCostCenter: true) {
        builder.chart("cost-center-over-time", title: "Cost per day by cost centre, idle included", svg: perDay)
      }
      let teams = CostTotals.grouped(allocations, by: \.team)
      let usd: (KeyPath<CostTotals, Int64>) -> [Double] = { part in teams.map { Double($0[keyPath: part]) / 1e6 } }
      builder.chart(
        "cost-team", title: "Cost per team over the run (USD; __idle__ is capacity nobody used)",
        svg: Charts.bars(
          categories: teams.map(\.key), series: [("CPU", usd(\.cpu)), ("RAM", usd(\.ram)), ("GPU", usd(\.gpu))],
          quantity: .usd, title: "Cost per team by resource", xLabel: "team", yLabel: "cost"))
      builder.table(
        header: ["team", "CPU USD", "RAM USD", "GPU USD", "total USD"],
        rows: teams.map { row in
          [row.key] + [row.cpu, row.ram, row.gpu, row.total].map { String(format: "%.2f", Double($0) / 1e6) }
        })
    }

    builder.heading("Training")
    if let training = try charts.trainingCharts() {
      builder.chart("training-queue", title: "Training jobs waiting over time", svg: training.queue)
      builder.chart("training-wait", title: "Training queue wait", svg: training.wait)
      let jobs = try store.rows(TrainingJobRow.self, run: run, orderBy: "job_id")
      var templates: [String] = []
      for job in jobs where !templates.contains(job.template) { templates.append(job.template) }
      templates.sort()
      builder.table(
        header: ["template", "jobs", "mean queue wait", "mean goodput"],
        rows: templates.map { template in
          let mine = jobs.filter { $0.template == template }
          let waits = mine.compactMap(\.queueWaitSeconds)
          let goodput = mine.compactMap(\.goodput)
          return [
            template, String(mine.count),
            waits.isEmpty ? "–" : ValueFormat.duration(seconds: waits.reduce(0, +) / Double(waits.count)),
            goodput.isEmpty ? "–" : ValueFormat.percent(goodput.reduce(0, +) / Double(goodput.count)),
          ]
        })
      if let goodput = try charts.goodputChart() {
        builder.chart("goodput", title: "Mean goodput per GPU template", svg: goodput)
      }
    } else {
      builder.paragraph("This run has no training jobs.")
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

/// A local date and time in `zone`, for example `2026-01-05 00:00`.
func localDate(_ epochSeconds: Double, zone identifier: String) -> String {
  let formatter = DateFormatter()
  formatter.locale = Locale(identifier: "en_US_POSIX")
  formatter.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")
  formatter.dateFormat = "yyyy-MM-dd HH:mm"
  return formatter.string(from: Date(timeIntervalSince1970: epochSeconds))
}
