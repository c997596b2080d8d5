import Foundation
import ResultRows
import ResultStore

extension ReportWriter {
  /// The report of experiment `experimentID`: KPI means with confidence intervals per
  /// variant (clipped at each KPI's natural bounds), paired differences, gate verdicts,
  /// and the run-level sections of its first run.
  public static func experiment(_ experimentID: Int64, store: ResultStore) throws(ReportError) -> RenderedReport {
    do {
      guard let summary = try ExperimentSummary.load(experimentID, store: store) else {
        throw ReportError.noSuchExperiment(experimentID, database: store.path)
      }
      let info = summary.experiment
      var builder = ReportBuilder(baseName: "report-experiment-\(experimentID)")
      let percent = summary.confidenceText
      let seeds = info.pairing == "common" ? "common random numbers" : "independent seeds"
      builder.paragraph(
        "Experiment \(experimentID) (\(info.kind)): \(info.replications) replications per variant, "
          + "root seed \(info.seed), \(seeds); intervals are \(percent) t-intervals, clipped at each KPI's natural "
          + "bounds (a rate between 0 and 100 %, a count or a duration not below zero).")
      let variants = summary.variants
      if summary.variantLabels.values.contains(where: { $0.contains("(") }) {
        builder.heading("Sweep points")
        builder.table(header: ["point"], rows: variants.map { [summary.variantLabels[$0] ?? $0] })
      }
      if !summary.gateResults.isEmpty {
        builder.heading("Gate verdict")
        builder.table(
          header: ["verdict", "KPI", "rule", "threshold", "observed", "bound compared", "name"],
          rows: summary.gateResults.map { row in
            let presentation = summary.presentation(row.kpi)
            let relative = row.rule.contains("Relative")
            let format: (Double?) -> String = { value in
              relative ? value.map { ValueFormat.percent($0) } ?? "–" : presentation.quantity.format(value)
            }
            return [
              row.passed ? "passed" : "regressed", presentation.label, row.rule, format(row.threshold),
              format(row.observed), format(row.bound), "`\(row.kpi)`",
            ]
          },
          classes: summary.gateResults.map { $0.passed ? "met" : "missed" })
      }
      builder.heading("KPI means with \(percent) confidence intervals")
      builder.table(
        header: ["KPI"] + variants.map { "\(summary.variantLabels[$0] ?? $0) mean [CI]" } + ["name"],
        rows: summary.kpiNames.map { kpi in
          [summary.presentation(kpi).label] + variants.map { summary.meanText($0, kpi) } + ["`\(kpi)`"]
        })
      for kpi in summary.headlineKPIs {
        builder.chart(
          "ci-\(kpi.replacingOccurrences(of: ".", with: "-"))",
          title: "\(summary.presentation(kpi).label): mean per variant with \(percent) CI",
          svg: summary.intervalChart(kpi))
      }
      if !summary.differences.isEmpty {
        builder.heading("Paired differences (candidate − \(variants.first ?? "baseline"))")
        builder.table(
          header: ["variant", "KPI", "n", "mean difference", "\(percent) CI", "name"],
          rows: summary.differences.map { row in
            let quantity = summary.presentation(row.kpi).quantity
            return [
              row.candidate, summary.presentation(row.kpi).label, String(row.count), quantity.format(row.meanDifference),
              "[\(quantity.format(row.clippedLow)), \(quantity.format(row.clippedHigh))]", "`\(row.kpi)`",
            ]
          })
        for kpi in summary.headlineKPIs where summary.differences.contains(where: { $0.kpi == kpi }) {
          builder.chart(
            "difference-\(kpi.replacingOccurrences(of: ".", with: "-"))",
            title: "\(summary.presentation(kpi).label): paired difference with \(percent) CI",
            svg: summary.differenceChart(kpi))
        }
      }
      if let first = summary.runs.first(where: { $0.status == .completed }), let runID = first.id {
        builder.heading("Run \(runID) (first replication of \(variants.first ?? "the experiment")) in detail")
        try runSections(RunCharts(store: store, run: first), into: &builder)
      }
      return builder.finish(title: "PlatformSim experiment \(experimentID): \(info.name)")
    } catch let error as ReportError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .cannotWrite(path: store.path, reason: "\(error)")
    }
  }
}
