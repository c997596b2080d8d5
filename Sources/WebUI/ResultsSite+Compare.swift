import Experiments
import Foundation
import Reports
import ResultRows
import ResultStore

/// Two runs, or two experiments, side by side.
extension ResultsSite {
  struct KPIComparison: Codable {
    var name: String
    var label: String
    var unit: String
    var a: Double?
    var b: Double?
    var aDisplay: String
    var bDisplay: String
    /// b − a.
    var difference: Double?
    var differenceDisplay: String
    /// (b − a) ÷ |a|.
    var relativeDifference: Double?
    /// Which run is better on this KPI, when its direction is known.
    var better: String?
    var aTier: DORATier?
    var bTier: DORATier?
  }

  struct RunComparison: Codable {
    var a: RunInfo
    var b: RunInfo
    var kpis: [KPIComparison]
    var intervals: String
  }

  func runComparison(_ request: PageRequest) throws(SiteError) -> RunComparison {
    let store = try store()
    let a = try loadRun(PageRequest(parameters: ["run": try request.integer("a").description]), store: store)
    let b = try loadRun(PageRequest(parameters: ["run": try request.integer("b").description]), store: store)
    do {
      let summaryA = KPISummary(kpis: try store.rows(KPIRow.self, run: RunID(a.id ?? 0)))
      let summaryB = KPISummary(kpis: try store.rows(KPIRow.self, run: RunID(b.id ?? 0)))
      var names = summaryA.entries.map(\.name)
      for entry in summaryB.entries where !names.contains(entry.name) { names.append(entry.name) }
      let kpis = names.map { name -> KPIComparison in
        let left = summaryA.entries.first { $0.name == name }
        let right = summaryB.entries.first { $0.name == name }
        let presentation = KPIPresentation(name: name, unit: left?.unit ?? right?.unit)
        var difference: Double?
        var relative: Double?
        var better: String?
        if let x = left?.value, let y = right?.value {
          difference = y - x
          relative = x != 0 ? (y - x) / abs(x) : nil
          if x != y, let direction = presentation.better {
            better = (y > x) == (direction == .higherIsBetter) ? "b" : "a"
          }
        }
        return KPIComparison(
          name: name, label: presentation.label, unit: left?.unit ?? right?.unit ?? "", a: left?.value, b: right?.value,
          aDisplay: left?.display ?? "–", bDisplay: right?.display ?? "–", difference: difference,
          differenceDisplay: difference.map { signed(presentation.quantity, $0) } ?? "–", relativeDifference: relative,
          better: better, aTier: left?.doraTier, bTier: right?.doraTier)
      }
      return RunComparison(
        a: RunInfo(a), b: RunInfo(b), kpis: kpis,
        intervals:
          "Single runs carry no confidence interval: run both scenarios with --replications (or `platformsim compare`) "
          + "and compare the experiments for intervals.")
    } catch {
      throw .store(error)
    }
  }

  func compareRunsPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    guard request.first("a") != nil, request.first("b") != nil else { return try runPicker(request) }
    let comparison = try runComparison(request)
    let store = try store()
    let a = comparison.a
    let b = comparison.b
    var page = HTMLPage(title: "Run \(a.id) and run \(b.id)")
    page.table(
      header: ["", "run A", "run B"],
      rows: [
        ["run", PageParts.link("/runs/\(a.id)", "\(a.id)"), PageParts.link("/runs/\(b.id)", "\(b.id)")],
        ["scenario", escapeHTML(a.scenario), escapeHTML(b.scenario)],
        ["seed", String(a.seed), String(b.seed)],
        ["status", escapeHTML(a.status), escapeHTML(b.status)],
        ["simulated from", escapeHTML(a.simulatedStart), escapeHTML(b.simulatedStart)],
      ], className: "compare-runs")
    page.paragraph(comparison.intervals, className: "note")
    page.heading("KPIs")
    page.table(
      header: ["KPI", "run A", "run B", "B − A", "relative", "better", "name"],
      rows: comparison.kpis.map { row in
        [
          escapeHTML(row.label), escapeHTML(row.aDisplay) + " " + PageParts.tierBadge(row.aTier),
          escapeHTML(row.bDisplay) + " " + PageParts.tierBadge(row.bTier), escapeHTML(row.differenceDisplay),
          row.relativeDifference.map { escapeHTML(ValueFormat.percent($0)) } ?? "",
          row.better.map { $0 == "a" ? "run A" : "run B" } ?? "", "<code>\(escapeHTML(row.name))</code>",
        ]
      })
    do {
      guard let rowA = try store.database.rows(RunRow.self, where: "id = ?", [.integer(a.id)]).first,
        let rowB = try store.database.rows(RunRow.self, where: "id = ?", [.integer(b.id)]).first
      else { throw SiteError.notFound(what: "Run \(a.id) or \(b.id)") }
      let chartsA = RunCharts(store: store, run: rowA)
      let chartsB = RunCharts(store: store, run: rowB)
      page.heading("Timelines overlaid")
      try overlaidTimelines(&page, chartsA, chartsB, labels: ("run \(a.id)", "run \(b.id)"), request: request)
      page.heading("Lead time and recovery")
      page.add(
        "<div class=\"side\"><div><h3>Run \(a.id)</h3>\(try chartsA.leadTimeHistogram())\(try chartsA.recoveryHistogram())</div>"
          + "<div><h3>Run \(b.id)</h3>\(try chartsB.leadTimeHistogram())\(try chartsB.recoveryHistogram())</div></div>")
    } catch let error as SiteError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .badRequest("\(error)")
    }
    return .html(page.render())
  }

  /// The deployment timelines of two runs on one chart: B on A's service rows and clock
  /// (shifted by the difference of their starts), A in the upper lane of each row.
  func overlaidTimelines(
    _ page: inout HTMLPage, _ chartsA: RunCharts, _ chartsB: RunCharts, labels: (String, String),
    request: PageRequest
  ) throws {
    let services = request.all("service")
    let first = try chartsA.timelineEvents(
      options: RunCharts.TimelineOptions(
        services: services, maximumRows: 30, linkPrefix: "/runs/\(chartsA.run.id ?? 0)"))
    let second = try chartsB.timelineEvents(
      services: first.rows,
      options: RunCharts.TimelineOptions(
        services: services, maximumRows: 30, linkPrefix: "/runs/\(chartsB.run.id ?? 0)"),
      lane: 1, timeOffset: chartsA.start - chartsB.start)
    let svg = Charts.timeline(
      rows: first.rows, events: first.events + second.events, axis: chartsA.axis,
      title: "\(labels.0.capitalizedFirst) (upper) and \(labels.1) (lower) by service",
      laneNames: [labels.0, labels.1])
    var caption = "\(labels.1.capitalizedFirst) drawn on \(labels.0)'s clock (dates in \(chartsA.run.timeZone))"
    if chartsA.start != chartsB.start { caption += ", shifted by the difference of their start times" }
    page.chart(svg, caption: caption + ".")
  }

  /// The form that picks two runs.
  func runPicker(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let store = try store()
    var page = HTMLPage(title: "Compare two runs")
    do {
      let runs = try store.database.rows(RunRow.self, orderBy: "id DESC LIMIT 500")
      func select(_ name: String) -> String {
        let chosen = request.first(name)
        var html = "<label>run \(name.uppercased()) <select name=\"\(name)\">"
        for run in runs {
          let id = String(run.id ?? 0)
          html +=
            "<option value=\"\(id)\"\(chosen == id ? " selected" : "")>\(id): \(escapeHTML(run.scenarioName)) seed \(run.seed) \(escapeHTML(run.variant ?? ""))</option>"
        }
        return html + "</select></label>"
      }
      if runs.isEmpty {
        page.paragraph("No runs to compare.", className: "note")
      } else {
        page.add(
          "<form method=\"get\" action=\"/compare/runs\">\(select("a")) \(select("b")) <button type=\"submit\">Compare</button></form>"
        )
      }
    } catch {
      throw .store(error)
    }
    return .html(page.render())
  }

  // MARK: - Two experiments

  struct ExperimentKPIComparison: Codable {
    var name: String
    var label: String
    var a: ExperimentSummary.Mean?
    var b: ExperimentSummary.Mean?
    var aDisplay: String
    var bDisplay: String
    /// mean(b) − mean(a), with a Welch t-interval (independent samples), clipped at the
    /// KPI's difference bounds.
    var difference: Double?
    var differenceLow: Double?
    var differenceHigh: Double?
    var differenceDisplay: String
  }

  struct ExperimentComparison: Codable {
    var a: ExperimentInfo
    var b: ExperimentInfo
    var variantA: String
    var variantB: String
    var confidence: Double
    var kpis: [ExperimentKPIComparison]
  }

  func experimentComparison(_ request: PageRequest) throws(SiteError) -> ExperimentComparison {
    let store = try store()
    let left = try loadExperiment(try request.integer("a"), store: store)
    let right = try loadExperiment(try request.integer("b"), store: store)
    let variantA = request.first("variantA") ?? left.variants.last ?? ""
    let variantB = request.first("variantB") ?? right.variants.last ?? ""
    guard left.variants.contains(variantA) else {
      throw .notFound(what: "Variant \(variantA) of experiment \(left.experiment.id ?? 0)")
    }
    guard right.variants.contains(variantB) else {
      throw .notFound(what: "Variant \(variantB) of experiment \(right.experiment.id ?? 0)")
    }
    let confidence = left.experiment.confidence
    var names = left.kpiNames
    for name in right.kpiNames where !names.contains(name) { names.append(name) }
    let kpis = names.map { name -> ExperimentKPIComparison in
      let presentation = left.presentations[name] ?? right.presentation(name)
      let x = left.mean(variantA, name)
      let y = right.mean(variantB, name)
      var difference: Double?
      var low: Double?
      var high: Double?
      if let meanX = x?.mean, let meanY = y?.mean {
        difference = meanY - meanX
        if let sx = x?.standardDeviation, let sy = y?.standardDeviation, let nx = x?.count, let ny = y?.count, nx > 1,
          ny > 1
        {
          // Welch–Satterthwaite: the runs of two experiments are independent samples.
          let vx = sx * sx / Double(nx)
          let vy = sy * sy / Double(ny)
          let degrees = pow(vx + vy, 2) / (vx * vx / Double(nx - 1) + vy * vy / Double(ny - 1))
          let t = StudentT.quantile(
            (1 + confidence) / 2, degreesOfFreedom: degrees.isFinite ? degrees : Double(nx + ny - 2))
          let half = t * (vx + vy).squareRoot()
          let bounds = presentation.differenceBounds
          low = min(max(meanY - meanX - half, bounds.lower ?? -.infinity), bounds.upper ?? .infinity)
          high = min(max(meanY - meanX + half, bounds.lower ?? -.infinity), bounds.upper ?? .infinity)
        }
      }
      var text = difference.map { signed(presentation.quantity, $0) } ?? "–"
      if let low, let high {
        text += " [\(presentation.quantity.format(low)), \(presentation.quantity.format(high))]"
      }
      return ExperimentKPIComparison(
        name: name, label: presentation.label, a: x, b: y, aDisplay: left.meanText(variantA, name),
        bDisplay: right.meanText(variantB, name), difference: difference, differenceLow: low, differenceHigh: high,
        differenceDisplay: text)
    }
    return ExperimentComparison(
      a: ExperimentInfo(left.experiment, gate: left.gateResults),
      b: ExperimentInfo(right.experiment, gate: right.gateResults),
      variantA: variantA, variantB: variantB, confidence: confidence, kpis: kpis)
  }

  func compareExperimentsPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    guard request.first("a") != nil, request.first("b") != nil else {
      let list = try experimentList(request)
      var page = HTMLPage(title: "Compare two experiments")
      func select(_ name: String) -> String {
        let chosen = request.first(name)
        var html = "<label>experiment \(name.uppercased()) <select name=\"\(name)\">"
        for item in list.experiments {
          html +=
            "<option value=\"\(item.id)\"\(chosen == String(item.id) ? " selected" : "")>\(item.id): \(escapeHTML(item.name)) (\(escapeHTML(item.kind)))</option>"
        }
        return html + "</select></label>"
      }
      if list.experiments.isEmpty {
        page.paragraph("No experiments to compare.", className: "note")
      } else {
        page.add(
          "<form method=\"get\" action=\"/compare/experiments\">\(select("a")) \(select("b")) <button type=\"submit\">Compare</button></form>"
        )
      }
      return .html(page.render())
    }
    let comparison = try experimentComparison(request)
    let a = comparison.a
    let b = comparison.b
    let percent = ValueFormat.significant(comparison.confidence * 100) + " %"
    var page = HTMLPage(title: "Experiment \(a.id) and experiment \(b.id)")
    page.table(
      header: ["", "experiment A", "experiment B"],
      rows: [
        [
          "experiment", PageParts.link("/experiments/\(a.id)", "\(a.id)"),
          PageParts.link("/experiments/\(b.id)", "\(b.id)"),
        ],
        ["name", escapeHTML(a.name), escapeHTML(b.name)],
        ["variant compared", escapeHTML(comparison.variantA), escapeHTML(comparison.variantB)],
        ["replications", String(a.replications), String(b.replications)],
      ], className: "compare-experiments")
    page.paragraph(
      "Means with \(percent) t-intervals; the difference B − A has a Welch interval (the two experiments' runs are "
        + "independent samples), clipped at the KPI's natural bounds.", className: "note")
    page.table(
      header: ["KPI", "A mean [CI]", "B mean [CI]", "B − A [CI]", "name"],
      rows: comparison.kpis.map {
        [
          escapeHTML($0.label), escapeHTML($0.aDisplay), escapeHTML($0.bDisplay), escapeHTML($0.differenceDisplay),
          "<code>\(escapeHTML($0.name))</code>",
        ]
      })
    try experimentTimelines(&page, comparison, request: request)
    for row in comparison.kpis where KPISummary.headlineNames.contains(row.name) {
      let presentation = KPIPresentation(name: row.name, unit: nil)
      let rows = [("A: experiment \(a.id)", row.a), ("B: experiment \(b.id)", row.b)].compactMap {
        label, mean -> IntervalRow? in
        guard let mean, let value = mean.mean else { return nil }
        return IntervalRow(label: label, mean: value, low: mean.low, high: mean.high)
      }
      page.chart(
        Charts.intervals(
          rows, quantity: presentation.quantity, bounds: (presentation.lowerBound, presentation.upperBound),
          title: "\(row.label): experiments side by side", xLabel: row.label, yLabel: "experiment"),
        caption: "\(row.label), mean with \(percent) interval.")
    }
    return .html(page.render())
  }
}

extension ResultsSite {
  /// The timelines of the two compared variants' first replications, overlaid; a note
  /// instead when an experiment kept no runs (a merged shard database keeps them all).
  func experimentTimelines(_ page: inout HTMLPage, _ comparison: ExperimentComparison, request: PageRequest)
    throws(SiteError)
  {
    let store = try store()
    func firstRun(_ experiment: Int64, _ variant: String) throws(StoreError) -> RunRow? {
      try store.database.rows(
        RunRow.self, where: "experiment_id = ? AND variant = ?", [.integer(experiment), .text(variant)],
        orderBy: "replication, id LIMIT 1"
      ).first
    }
    do {
      page.heading("Timelines overlaid")
      guard let runA = try firstRun(comparison.a.id, comparison.variantA),
        let runB = try firstRun(comparison.b.id, comparison.variantB)
      else {
        page.paragraph("One of the experiments kept no runs to draw.", className: "note")
        return
      }
      page.paragraph(
        "The first replication of each compared variant: run \(runA.id ?? 0) (experiment \(comparison.a.id), "
          + "\(comparison.variantA)) and run \(runB.id ?? 0) (experiment \(comparison.b.id), \(comparison.variantB)).",
        className: "note")
      try overlaidTimelines(
        &page, RunCharts(store: store, run: runA), RunCharts(store: store, run: runB),
        labels: ("experiment \(comparison.a.id)", "experiment \(comparison.b.id)"), request: request)
    } catch let error as StoreError {
      throw .store(error)
    } catch let error as SiteError {
      throw error
    } catch {
      throw .badRequest("\(error)")
    }
  }
}

extension String {
  /// The string with its first character upper-cased (`run 3` → `Run 3`).
  var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A difference with its sign: `+3 min`, `−2.1 %`.
func signed(_ quantity: Quantity, _ value: Double) -> String {
  if value == 0 { return quantity.format(0) }
  let text = quantity.format(abs(value))
  return (value > 0 ? "+" : "−") + text
}
