import Foundation

/// Plain-text tables of an experiment's results, printed by the commands.
///
/// Markdown pipe tables: readable in a terminal and pasteable into a pull request.
public enum ExperimentSummaryTable {
  /// KPI means with confidence intervals, one column group per variant.
  public static func means(_ observations: ExperimentObservations, confidence: Double, labels: [String: String] = [:])
    -> String
  {
    let percent = String(format: "%g %%", confidence * 100)
    var header = "| KPI |"
    var rule = "|---|"
    for variant in observations.variants {
      let label = labels[variant] ?? variant
      header += " \(label): n | mean | \(percent) CI |"
      rule += "---:|---:|---|"
    }
    var lines = [header, rule]
    for kpi in observations.kpiNames {
      var line = "| `\(kpi)` |"
      for variant in observations.variants {
        let summary = SampleSummary(observations.orderedValues(variant: variant, kpi: kpi), confidence: confidence)
        line += " \(summary.count) | \(format(summary.mean)) | \(interval(summary)) |"
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Paired differences candidate − baseline with confidence intervals.
  public static func differences(_ observations: ExperimentObservations, confidence: Double) -> String {
    guard observations.variants.count >= 2 else { return "" }
    let baseline = observations.variants[0]
    let candidate = observations.variants[1]
    let percent = String(format: "%g %%", confidence * 100)
    var lines = [
      "| KPI | n | \(baseline) mean | \(candidate) mean | difference | \(percent) CI | half-width | significant |",
      "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for kpi in observations.kpiNames {
      let base = SampleSummary(observations.orderedValues(variant: baseline, kpi: kpi), confidence: confidence)
      let other = SampleSummary(observations.orderedValues(variant: candidate, kpi: kpi), confidence: confidence)
      let difference = SampleSummary.pairedDifference(
        baseline: observations.values(variant: baseline, kpi: kpi),
        candidate: observations.values(variant: candidate, kpi: kpi),
        confidence: confidence)
      var significant = ""
      if let low = difference.confidenceLow, let high = difference.confidenceHigh {
        significant = low > 0 ? "higher" : high < 0 ? "lower" : "no"
      }
      lines.append(
        "| `\(kpi)` | \(difference.count) | \(format(base.mean)) | \(format(other.mean)) | \(format(difference.mean)) "
          + "| \(interval(difference)) | \(format(difference.halfWidth)) | \(significant) |")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func interval(_ summary: SampleSummary) -> String {
    guard let low = summary.confidenceLow, let high = summary.confidenceHigh else { return "–" }
    return "[\(format(low)), \(format(high))]"
  }
}
