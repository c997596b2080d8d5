import ResultRows

/// A run's KPIs as a person reads them: human labels, humanised values, targets met or
/// missed, and DORA tiers — the same in `platformsim report` and `platformsim serve`.
///
/// Generic over the stored rows (name, value, unit, target, met): a KPI added later
/// shows without code changes. Only the headline tiles name KPIs.
public struct KPISummary: Sendable {
  /// One KPI, ready to show.
  public struct Entry: Sendable, Codable {
    public var name: String
    public var label: String
    public var value: Double?
    public var valueText: String?
    public var unit: String
    /// `24 min`, `2.6 %`, or the categorical value.
    public var display: String
    public var target: Double?
    public var comparison: String?
    /// `< 30 min`, empty without a target.
    public var targetDisplay: String
    public var met: Bool?
    /// The DORA tier, from a tier row if the run has one, else rated from the value.
    public var doraTier: DORATier?
    /// How the tier was found: `stored` (a `dora_tier.*` KPI row) or `computed` (rated here).
    public var doraTierSource: String?
    public var better: KPIPresentation.Direction?
  }

  public var entries: [Entry]
  /// The overall DORA tier (stored row, else the worst of the four computed ones).
  public var overallTier: DORATier?
  public var overallTierSource: String?
  /// The report year of the tier thresholds.
  public var tierYear: Int

  /// The headline tiles, in this order when present: DORA's four keys, then the
  /// platform's own rollback share, cost and training figures.
  public static let headlineNames = [
    "deployment_frequency_per_day", "lead_time_median_seconds", "change_failure_rate", "recovery_time_median_seconds",
    "rollback_rate", "cost.total_usd", "training.goodput", "training.queue_wait_p95_seconds",
  ]

  /// Summarises `kpis` (and optionally `metrics`, for the cost and training tiles).
  public init(kpis: [KPIRow], metrics: [RunMetric] = [], thresholds: DORATierThresholds = .current) {
    // The run's own tier year, when it stored one, rates what it did not store.
    let storedYear = kpis.first { $0.name == DORATier.yearKPIName }?.value.flatMap {
      DORATierThresholds.of(year: Int($0))
    }
    let thresholds = storedYear ?? thresholds
    tierYear = thresholds.year
    var storedTiers: [String: DORATier] = [:]
    for row in kpis where row.name.hasPrefix("dora_tier.") {
      if let text = row.valueText, let tier = DORATier(rawValue: text.lowercased()) {
        storedTiers[row.name] = tier
      } else if let value = row.value, let tier = DORATier(rank: Int(value)) {
        storedTiers[row.name] = tier
      }
    }
    var entries: [Entry] = []
    var computed: [DORATier] = []
    for row in kpis where !row.name.hasPrefix("dora_tier.") {
      var entry = Self.entry(name: row.name, value: row.value, valueText: row.valueText, unit: row.unit)
      entry.target = row.target
      entry.comparison = row.comparison
      entry.met = row.met
      if let target = row.target {
        let quantity = Quantity(unit: row.unit)
        entry.targetDisplay = "\(row.comparison ?? "") \(quantity.format(target))".trimmingCharacters(in: .whitespaces)
      }
      if let metric = DORAMetric.allCases.first(where: { $0.kpiName == row.name }) {
        if let stored = storedTiers[metric.tierKPIName] {
          entry.doraTier = stored
          entry.doraTierSource = "stored"
        } else if let value = row.value, let tier = thresholds.tier(of: metric, value: value) {
          entry.doraTier = tier
          entry.doraTierSource = "computed"
          computed.append(tier)
        }
      }
      entries.append(entry)
    }
    let kpiNames = Set(kpis.map(\.name))
    for metric in metrics where Self.headlineNames.contains(metric.name) && !kpiNames.contains(metric.name) {
      entries.append(Self.entry(name: metric.name, value: metric.value, valueText: nil, unit: metric.unit))
    }
    self.entries = entries
    if let stored = storedTiers[DORATier.overallKPIName] {
      overallTier = stored
      overallTierSource = "stored"
    } else if computed.count == DORAMetric.allCases.count {
      overallTier = DORATier.overall(computed)
      overallTierSource = "computed"
    }
  }

  static func entry(name: String, value: Double?, valueText: String?, unit: String) -> Entry {
    let presentation = KPIPresentation(name: name, unit: unit)
    let display = valueText ?? presentation.quantity.format(value)
    return Entry(
      name: name, label: presentation.label, value: value, valueText: valueText, unit: unit, display: display,
      target: nil, comparison: nil, targetDisplay: "", met: nil, doraTier: nil, doraTierSource: nil,
      better: presentation.better)
  }

  /// The headline entries present, in ``headlineNames`` order.
  public var headline: [Entry] {
    Self.headlineNames.compactMap { name in entries.first { $0.name == name } }
  }

  /// The entries that are not headline tiles, in stored order.
  public var others: [Entry] { entries.filter { !Self.headlineNames.contains($0.name) } }
}
