import ResultRows
import ResultStore

/// An experiment as stored: its variants, KPI means with confidence intervals, paired
/// differences and gate verdicts, each KPI with its presentation — what the experiment
/// report and the web UI's experiment and gate pages show.
public struct ExperimentSummary: Sendable {
  /// One KPI of one variant.
  public struct Mean: Sendable, Codable {
    public var variant: String
    public var kpi: String
    public var count: Int
    public var mean: Double?
    public var standardDeviation: Double?
    /// The interval as stored, and clipped at the KPI's natural bounds.
    public var low: Double?
    public var high: Double?
    public var clippedLow: Double?
    public var clippedHigh: Double?
  }

  /// A paired difference candidate − baseline.
  public struct Difference: Sendable, Codable {
    public var baseline: String
    public var candidate: String
    public var kpi: String
    public var count: Int
    public var meanDifference: Double?
    public var low: Double?
    public var high: Double?
    public var clippedLow: Double?
    public var clippedHigh: Double?
  }

  public var experiment: ExperimentRow
  public var runs: [RunRow]
  /// Variants in the order their first runs were numbered.
  public var variants: [String]
  /// `point-2 (runners = 4)` for sweep points, else the variant.
  public var variantLabels: [String: String]
  /// KPI names in stored order.
  public var kpiNames: [String]
  public var means: [Mean]
  public var differences: [Difference]
  public var gateResults: [GateResultRow]
  /// Presentation per KPI, with the unit taken from a run of the experiment where stored.
  public var presentations: [String: KPIPresentation]

  /// The confidence as a percentage text, e.g. `95 %`.
  public var confidenceText: String { ValueFormat.significant(experiment.confidence * 100) + " %" }

  /// Reads experiment `id`; `nil` when there is none.
  public static func load(_ id: Int64, store: ResultStore) throws(StoreError) -> ExperimentSummary? {
    let database = store.database
    let key: [SQLValue] = [.integer(id)]
    guard let experiment = try database.rows(ExperimentRow.self, where: "id = ?", key).first else { return nil }
    let runs = try database.rows(RunRow.self, where: "experiment_id = ?", key, orderBy: "id")
    var variants: [String] = []
    for run in runs { if let variant = run.variant, !variants.contains(variant) { variants.append(variant) } }
    var labels: [String: String] = [:]
    for variant in variants {
      let settings = try database.rows(
        SweepPointRow.self, where: "experiment_id = ? AND variant = ?", key + [.text(variant)], orderBy: "rowid")
      labels[variant] =
        settings.isEmpty
        ? variant
        : variant + " ("
          + settings.map { "\($0.axis.split(separator: ".").last ?? "") = \($0.value)" }.joined(separator: ", ") + ")"
    }
    let kpiRows = try database.rows(ExperimentKPIRow.self, where: "experiment_id = ?", key, orderBy: "rowid")
    var names: [String] = []
    var seen = Set<String>()
    for row in kpiRows where seen.insert(row.kpi).inserted { names.append(row.kpi) }
    // Units from the first completed run's KPI and metric rows.
    var units: [String: String] = [:]
    if let first = runs.first(where: { $0.status == .completed }), let runID = first.id {
      for row in try store.rows(KPIRow.self, run: RunID(runID)) { units[row.name] = row.unit }
      for row in try store.rows(RunMetric.self, run: RunID(runID)) where units[row.name] == nil {
        units[row.name] = row.unit
      }
    }
    var presentations: [String: KPIPresentation] = [:]
    for name in names { presentations[name] = KPIPresentation(name: name, unit: units[name]) }
    let means = kpiRows.map { row -> Mean in
      let presentation = presentations[row.kpi] ?? KPIPresentation(name: row.kpi, unit: nil)
      return Mean(
        variant: row.variant, kpi: row.kpi, count: row.count, mean: row.mean, standardDeviation: row.standardDeviation,
        low: row.confidenceLow, high: row.confidenceHigh,
        clippedLow: clip(row.confidenceLow, presentation.lowerBound, presentation.upperBound),
        clippedHigh: clip(row.confidenceHigh, presentation.lowerBound, presentation.upperBound))
    }
    let differences = try database.rows(ExperimentDifferenceRow.self, where: "experiment_id = ?", key, orderBy: "rowid")
      .map { row -> Difference in
        let bounds = (presentations[row.kpi] ?? KPIPresentation(name: row.kpi, unit: nil)).differenceBounds
        return Difference(
          baseline: row.baseline, candidate: row.candidate, kpi: row.kpi, count: row.count,
          meanDifference: row.meanDifference, low: row.confidenceLow, high: row.confidenceHigh,
          clippedLow: clip(row.confidenceLow, bounds.lower, bounds.upper),
          clippedHigh: clip(row.confidenceHigh, bounds.lower, bounds.upper))
      }
    let gates = try database.rows(GateResultRow.self, where: "experiment_id = ?", key, orderBy: "rowid")
    return ExperimentSummary(
      experiment: experiment, runs: runs, variants: variants, variantLabels: labels, kpiNames: names, means: means,
      differences: differences, gateResults: gates, presentations: presentations)
  }

  static func clip(_ value: Double?, _ lower: Double?, _ upper: Double?) -> Double? {
    guard let value else { return nil }
    return min(max(value, lower ?? -.infinity), upper ?? .infinity)
  }

  public func presentation(_ kpi: String) -> KPIPresentation {
    presentations[kpi] ?? KPIPresentation(name: kpi, unit: nil)
  }

  public func mean(_ variant: String, _ kpi: String) -> Mean? {
    means.first { $0.variant == variant && $0.kpi == kpi }
  }

  /// `24 min [19 min, 29 min]`, the interval clipped at the KPI's bounds.
  public func meanText(_ variant: String, _ kpi: String) -> String {
    guard let row = mean(variant, kpi) else { return "–" }
    let quantity = presentation(kpi).quantity
    guard row.clippedLow != nil || row.clippedHigh != nil else { return quantity.format(row.mean) }
    return "\(quantity.format(row.mean)) [\(quantity.format(row.clippedLow)), \(quantity.format(row.clippedHigh))]"
  }

  /// The interval chart of one KPI across the variants.
  public func intervalChart(_ kpi: String) -> String {
    let presentation = presentation(kpi)
    let rows = variants.compactMap { variant -> IntervalRow? in
      guard let row = mean(variant, kpi), let mean = row.mean else { return nil }
      return IntervalRow(label: variantLabels[variant] ?? variant, mean: mean, low: row.low, high: row.high)
    }
    return Charts.intervals(
      rows, quantity: presentation.quantity, bounds: (presentation.lowerBound, presentation.upperBound),
      title: "\(presentation.label): mean per variant with \(confidenceText) confidence interval",
      xLabel: presentation.label)
  }

  /// The interval chart of one KPI's paired difference, with the gate's threshold when
  /// an absolute-change rule names it.
  public func differenceChart(_ kpi: String) -> String {
    let presentation = presentation(kpi)
    let rows = differences.filter { $0.kpi == kpi }.compactMap { row -> IntervalRow? in
      guard let mean = row.meanDifference else { return nil }
      return IntervalRow(label: "\(row.candidate) − \(row.baseline)", mean: mean, low: row.low, high: row.high)
    }
    return Charts.intervals(
      rows, quantity: presentation.quantity, bounds: presentation.differenceBounds,
      title: "\(presentation.label): paired difference with \(confidenceText) confidence interval",
      xLabel: "difference in \(presentation.label.lowercased())", reference: (0, "no change"))
  }

  /// The headline KPIs present in this experiment.
  public var headlineKPIs: [String] { KPISummary.headlineNames.filter(kpiNames.contains) }
}
