import Experiments
import Foundation
import Reports
import ResultRows
import ResultStore

/// Experiments, gates, and comparisons of two runs or two experiments.
extension ResultsSite {
  struct ExperimentInfo: Codable {
    var id: Int64
    var name: String
    var kind: String
    var replications: Int
    var pairing: String
    var confidence: Double
    var seed: Int64
    var scenarioPath: String
    var candidatePath: String?
    var created: String
    var gatePassed: Bool?

    init(_ row: ExperimentRow, gate: [GateResultRow]) {
      id = row.id ?? 0
      name = row.name
      kind = row.kind
      replications = row.replications
      pairing = row.pairing
      confidence = row.confidence
      seed = row.seed
      scenarioPath = row.scenarioPath
      candidatePath = row.candidatePath
      created = row.createdAt
      gatePassed = gate.isEmpty ? nil : gate.allSatisfy(\.passed)
    }
  }

  struct ExperimentList: Codable {
    var experiments: [ExperimentInfo]
  }

  func experimentList(_ request: PageRequest) throws(SiteError) -> ExperimentList {
    let store = try store()
    do {
      let rows = try store.database.rows(ExperimentRow.self, orderBy: "id DESC LIMIT 500")
      var items: [ExperimentInfo] = []
      for row in rows {
        let gate = try store.database.rows(GateResultRow.self, where: "experiment_id = ?", [.integer(row.id ?? 0)])
        items.append(ExperimentInfo(row, gate: gate))
      }
      return ExperimentList(experiments: items)
    } catch {
      throw .store(error)
    }
  }

  func experimentsPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let list = try experimentList(request)
    var page = HTMLPage(title: "Experiments")
    if list.experiments.isEmpty {
      page.paragraph(
        "No experiments. `platformsim run --replications`, `compare`, `sweep` and `gate` write them.", className: "note"
      )
    }
    page.table(
      header: ["experiment", "name", "kind", "replications", "seeds", "gate", "started"],
      rows: list.experiments.map { item in
        [
          PageParts.link("/experiments/\(item.id)", String(item.id)), escapeHTML(item.name), escapeHTML(item.kind),
          String(item.replications), escapeHTML(item.pairing),
          item.gatePassed.map { $0 ? "<span class=\"met\">passed</span>" : "<span class=\"missed\">regressed</span>" }
            ?? "",
          escapeHTML(item.created),
        ]
      })
    return .html(page.render())
  }

  struct ExperimentDetail: Codable {
    var experiment: ExperimentInfo
    var variants: [Variant]
    var means: [ExperimentSummary.Mean]
    var differences: [ExperimentSummary.Difference]
    var gate: [GateVerdict]
    var labels: [String: String]

    struct Variant: Codable {
      var name: String
      var label: String
      var runs: [Int64]
    }

    struct GateVerdict: Codable {
      var kpi: String
      var label: String
      var rule: String
      var threshold: Double
      var observed: Double?
      var bound: Double?
      var passed: Bool
      var differenceLow: Double?
      var differenceHigh: Double?
    }
  }

  func loadExperiment(_ id: Int64, store: ResultStore) throws(SiteError) -> ExperimentSummary {
    do {
      guard let summary = try ExperimentSummary.load(id, store: store) else {
        throw SiteError.notFound(what: "Experiment \(id)")
      }
      return summary
    } catch let error as SiteError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .badRequest("\(error)")
    }
  }

  func experimentDetail(_ request: PageRequest) throws(SiteError) -> ExperimentDetail {
    let summary = try loadExperiment(try request.integer("experiment"), store: try store())
    return Self.detail(of: summary)
  }

  static func detail(of summary: ExperimentSummary) -> ExperimentDetail {
    var labels: [String: String] = [:]
    for name in summary.kpiNames { labels[name] = summary.presentation(name).label }
    return ExperimentDetail(
      experiment: ExperimentInfo(summary.experiment, gate: summary.gateResults),
      variants: summary.variants.map { variant in
        .init(
          name: variant, label: summary.variantLabels[variant] ?? variant,
          runs: summary.runs.filter { $0.variant == variant }.compactMap(\.id))
      }, means: summary.means, differences: summary.differences,
      gate: summary.gateResults.map { row in
        let difference = summary.differences.first { $0.kpi == row.kpi }
        return .init(
          kpi: row.kpi, label: summary.presentation(row.kpi).label, rule: row.rule, threshold: row.threshold,
          observed: row.observed, bound: row.bound, passed: row.passed, differenceLow: difference?.clippedLow,
          differenceHigh: difference?.clippedHigh)
      }, labels: labels)
  }

  func experimentPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let summary = try loadExperiment(try request.integer("experiment"), store: try store())
    let info = summary.experiment
    let id = info.id ?? 0
    var page = HTMLPage(title: "Experiment \(id): \(info.name)")
    let seeds = info.pairing == "common" ? "common random numbers" : "independent seeds"
    page.paragraph(
      "\(info.kind), \(info.replications) replications per variant, root seed \(info.seed), \(seeds); "
        + "\(summary.confidenceText) t-intervals, clipped at each KPI's natural bounds.")
    page.add(
      "<p>"
        + [
          PageParts.link("/?experiment=\(id)", "its runs"),
          PageParts.link("/compare/experiments?a=\(id)", "compare with another experiment"),
          PageParts.link("/api/experiments/\(id)", "JSON"),
        ].joined(separator: " · ") + "</p>")
    page.table(
      header: ["variant", "runs"],
      rows: summary.variants.map { variant in
        let runs = summary.runs.filter { $0.variant == variant }.compactMap(\.id)
        let shown = runs.prefix(30).map { PageParts.link("/runs/\($0)", String($0)) }.joined(separator: " ")
        return [escapeHTML(summary.variantLabels[variant] ?? variant), shown + (runs.count > 30 ? " …" : "")]
      })
    if !summary.gateResults.isEmpty {
      let passed = summary.gateResults.allSatisfy(\.passed)
      page.heading("Gate verdict: " + (passed ? "passed" : "regressed"))
      page.table(
        header: ["verdict", "KPI", "rule", "threshold", "observed", "bound compared", "difference interval", "name"],
        rows: summary.gateResults.map { row in
          let presentation = summary.presentation(row.kpi)
          let relative = row.rule.contains("Relative")
          let format: (Double?) -> String = { value in
            relative ? value.map { ValueFormat.percent($0) } ?? "–" : presentation.quantity.format(value)
          }
          let difference = summary.differences.first { $0.kpi == row.kpi }
          let interval =
            difference.map {
              "[\(presentation.quantity.format($0.clippedLow)), \(presentation.quantity.format($0.clippedHigh))]"
            } ?? "–"
          return [
            row.passed ? "<span class=\"met\">✓ passed</span>" : "<span class=\"missed\">✗ regressed</span>",
            escapeHTML(presentation.label), escapeHTML(row.rule), escapeHTML(format(row.threshold)),
            escapeHTML(format(row.observed)), escapeHTML(format(row.bound)), escapeHTML(interval),
            "<code>\(escapeHTML(row.kpi))</code>",
          ]
        })
      var seen: [String] = []
      for row in summary.gateResults
      where !seen.contains(row.kpi) && summary.differences.contains(where: { $0.kpi == row.kpi }) {
        seen.append(row.kpi)
        page.chart(summary.differenceChart(row.kpi), caption: "The interval the gate judged, against no change.")
      }
    }
    page.heading("KPI means with \(summary.confidenceText) confidence intervals")
    page.table(
      header: ["KPI"] + summary.variants.map { summary.variantLabels[$0] ?? $0 } + ["name"],
      rows: summary.kpiNames.map { kpi in
        [escapeHTML(summary.presentation(kpi).label)] + summary.variants.map { escapeHTML(summary.meanText($0, kpi)) }
          + ["<code>\(escapeHTML(kpi))</code>"]
      })
    for kpi in summary.headlineKPIs {
      page.chart(summary.intervalChart(kpi), caption: "\(summary.presentation(kpi).label) per variant.")
    }
    if !summary.differences.isEmpty {
      page.heading("Paired differences")
      page.table(
        header: ["variant", "KPI", "n", "mean difference", "\(summary.confidenceText) interval", "name"],
        rows: summary.differences.map { row in
          let quantity = summary.presentation(row.kpi).quantity
          return [
            escapeHTML(row.candidate + " − " + row.baseline), escapeHTML(summary.presentation(row.kpi).label),
            String(row.count),
            escapeHTML(quantity.format(row.meanDifference)),
            escapeHTML("[\(quantity.format(row.clippedLow)), \(quantity.format(row.clippedHigh))]"),
            "<code>\(escapeHTML(row.kpi))</code>",
          ]
        })
    }
    return .html(page.render())
  }
}
