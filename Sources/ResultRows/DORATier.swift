/// A DORA software-delivery performance tier: elite, high, medium or low.
///
/// The tiers are the clusters of the State of DevOps report named by ``DORATierThresholds/year``
/// (validation-data.md §1.2; dora.dev). Reports and `platformsim serve` show them beside the
/// four key metrics; KPI rows named ``DORAMetric/tierKPIName`` (and ``DORATier/overallKPIName``)
/// carry them in the results database when the model writes them, and readers prefer those rows.
public enum DORATier: String, Sendable, CaseIterable, Comparable, Codable {
  case elite
  case high
  case medium
  case low

  /// 1 for elite … 4 for low: the `kpis.value` of a tier row (`value_text` holds the name).
  public var rank: Int {
    switch self {
    case .elite: 1
    case .high: 2
    case .medium: 3
    case .low: 4
    }
  }

  /// The tier of a rank (1 elite … 4 low), or `nil` outside 1…4.
  public init?(rank: Int) {
    guard let tier = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
    self = tier
  }

  /// Better tiers sort first.
  public static func < (left: DORATier, right: DORATier) -> Bool { left.rank < right.rank }

  /// `Elite`, `High`, `Medium`, `Low`.
  public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

  /// The KPI row of the overall tier: the worst of the four metrics' tiers.
  ///
  /// DORA's clusters come from a cluster analysis over all four metrics together, so no
  /// formula gives "the" overall tier of one team; the worst of the four is the
  /// conservative reading (a team is elite overall only when every metric is).
  public static let overallKPIName = "dora_tier.overall"

  /// The KPI row of the report year whose thresholds rated the tiers (`value` the year,
  /// unit `year`): the scenario's `spec.delivery.targets.doraTierYear`.
  public static let yearKPIName = "dora_tier.year"

  /// The overall tier of per-metric tiers: the worst of them; `nil` when none is known.
  public static func overall(_ tiers: [DORATier]) -> DORATier? { tiers.max() }
}

/// One of DORA's four key metrics, with the PlatformSim KPI that measures it.
public enum DORAMetric: String, Sendable, CaseIterable, Codable {
  case deploymentFrequency = "deployment_frequency"
  case leadTime = "lead_time"
  case changeFailureRate = "change_failure_rate"
  case recoveryTime = "recovery_time"

  /// The `kpis.name` whose value is rated (docs/KPIS.md).
  public var kpiName: String {
    switch self {
    case .deploymentFrequency: "deployment_frequency_per_day"
    case .leadTime: "lead_time_median_seconds"
    case .changeFailureRate: "change_failure_rate"
    case .recoveryTime: "recovery_time_median_seconds"
    }
  }

  /// The `kpis.name` of this metric's tier row, for example `dora_tier.lead_time`
  /// (`value_text` the tier's raw value, `value` its ``DORATier/rank``, unit `tier`).
  public var tierKPIName: String { "dora_tier." + rawValue }

  /// `Deployment frequency`, …, as DORA names them.
  public var label: String {
    switch self {
    case .deploymentFrequency: "Deployment frequency"
    case .leadTime: "Change lead time"
    case .changeFailureRate: "Change failure rate"
    case .recoveryTime: "Failed deployment recovery time"
    }
  }
}

/// The tier boundaries of one State of DevOps report, and the rating of a metric's value.
///
/// The 2023 report (Accelerate State of DevOps 2023, "software delivery performance"
/// clusters; validation-data.md §1.2) describes each cluster by a range per metric:
///
/// | tier | deployment frequency | lead time | change failure rate | recovery time |
/// |---|---|---|---|---|
/// | elite | on demand (multiple deploys per day) | < 1 day | 5 % | < 1 hour |
/// | high | once per day – once per week | 1 day – 1 week | 10 % | < 1 day |
/// | medium | once per week – once per month | 1 week – 1 month | 15 % | 1 day – 1 week |
/// | low | once per week – once per month | 1 week – 1 month | 64 % | 1 – 6 months |
///
/// Turned into boundaries as follows (each boundary belongs to the better tier):
/// - A range's upper edge is the boundary: lead time ≤ 1 day is elite, ≤ 7 days high,
///   ≤ 30 days medium; recovery ≤ 1 hour elite, ≤ 1 day high, ≤ 7 days medium.
/// - Deployment frequency: ≥ 1 per day elite ("on demand"), ≥ 1 per week high,
///   ≥ 1 per 30 days medium.
/// - Change failure rate: the report gives one typical rate per cluster; as Apache
///   DevLake's 2023 benchmark does, the elite, high and medium rates are upper bounds
///   (≤ 5 %, ≤ 10 %, ≤ 15 %) and anything above is low.
/// - The 2023 report gives low the same deployment-frequency and lead-time ranges as
///   medium, so one metric cannot tell them apart there: a value in that range is rated
///   medium, and only a value beyond it (less than monthly, longer than a month) low.
public struct DORATierThresholds: Sendable, Equatable {
  /// The report year the thresholds come from.
  public var year: Int
  /// Lowest deployments per day of elite, high and medium.
  public var deploymentsPerDay: (elite: Double, high: Double, medium: Double)
  /// Longest median lead time, seconds, of elite, high and medium.
  public var leadTimeSeconds: (elite: Double, high: Double, medium: Double)
  /// Highest change failure rate (a ratio) of elite, high and medium.
  public var changeFailureRate: (elite: Double, high: Double, medium: Double)
  /// Longest median recovery time, seconds, of elite, high and medium.
  public var recoveryTimeSeconds: (elite: Double, high: Double, medium: Double)

  /// The 2023 report's tiers, as described above: the year PlatformSim rates against.
  public static let dora2023 = DORATierThresholds(
    year: 2023, deploymentsPerDay: (1, 1.0 / 7, 1.0 / 30), leadTimeSeconds: (86_400, 7 * 86_400, 30 * 86_400),
    changeFailureRate: (0.05, 0.10, 0.15), recoveryTimeSeconds: (3_600, 86_400, 7 * 86_400))

  /// The 2024 report's tiers (validation-data.md §1.2), by the same rules as 2023.
  ///
  /// | tier | deployment frequency | lead time | change failure rate | recovery time |
  /// |---|---|---|---|---|
  /// | elite | on demand | < 1 day | 5 % | < 1 hour |
  /// | high | once per day – once per week | 1 day – 1 week | 20 % | < 1 day |
  /// | medium | once per week – once per month | 1 week – 1 month | 10 % | < 1 day |
  /// | low | once per month – once per 6 months | 1 – 6 months | 40 % | 1 week – 1 month |
  ///
  /// Deployment frequency and lead time keep the 2023 boundaries. The report's medium
  /// cluster has a lower change failure rate than high (10 % against 20 %, an anomaly
  /// the report notes) and the same recovery range as high (< 1 day): where two tiers
  /// overlap, the better one is given, as for 2023's low and medium, so a change failure
  /// rate ≤ 20 % is high and above it low, and recovery ≤ 1 day is high and above it low.
  /// Medium is then reachable only through deployment frequency and lead time.
  public static let dora2024 = DORATierThresholds(
    year: 2024, deploymentsPerDay: (1, 1.0 / 7, 1.0 / 30), leadTimeSeconds: (86_400, 7 * 86_400, 30 * 86_400),
    changeFailureRate: (0.05, 0.20, 0.20), recoveryTimeSeconds: (3_600, 86_400, 86_400))

  /// The thresholds readers use unless told otherwise.
  public static let current = dora2023

  /// The report years PlatformSim has thresholds for.
  public static let years = [dora2023.year, dora2024.year]

  /// The thresholds of a report year, `nil` for a year PlatformSim has none for.
  public static func of(year: Int) -> DORATierThresholds? {
    [dora2023, dora2024].first { $0.year == year }
  }

  /// The tier of `value` (in the unit of ``DORAMetric/kpiName``); `nil` for a non-finite value.
  public func tier(of metric: DORAMetric, value: Double) -> DORATier? {
    guard value.isFinite else { return nil }
    switch metric {
    case .deploymentFrequency:
      if value >= deploymentsPerDay.elite { return .elite }
      if value >= deploymentsPerDay.high { return .high }
      return value >= deploymentsPerDay.medium ? .medium : .low
    case .leadTime: return Self.atMost(value, leadTimeSeconds)
    case .changeFailureRate: return Self.atMost(value, changeFailureRate)
    case .recoveryTime: return Self.atMost(value, recoveryTimeSeconds)
    }
  }

  /// A text for a tier's range, for example `≤ 1 day` for elite lead time, for tooltips and docs.
  public func describe(_ tier: DORATier, of metric: DORAMetric) -> String {
    func bounds(_ values: (elite: Double, high: Double, medium: Double)) -> (Double, Double, Double) {
      (values.elite, values.high, values.medium)
    }
    switch metric {
    case .deploymentFrequency:
      let (elite, high, medium) = bounds(deploymentsPerDay)
      switch tier {
      case .elite: return "≥ \(Self.number(elite)) per day"
      case .high: return "≥ 1 per \(Self.number(1 / high)) days"
      case .medium: return "≥ 1 per \(Self.number(1 / medium)) days"
      case .low: return "< 1 per \(Self.number(1 / medium)) days"
      }
    case .changeFailureRate:
      let (elite, high, medium) = bounds(changeFailureRate)
      switch tier {
      case .elite: return "≤ \(Self.number(elite * 100)) %"
      case .high: return "≤ \(Self.number(high * 100)) %"
      case .medium: return "≤ \(Self.number(medium * 100)) %"
      case .low: return "> \(Self.number(medium * 100)) %"
      }
    case .leadTime, .recoveryTime:
      let (elite, high, medium) = bounds(metric == .leadTime ? leadTimeSeconds : recoveryTimeSeconds)
      switch tier {
      case .elite: return "≤ \(Self.duration(elite))"
      case .high: return "≤ \(Self.duration(high))"
      case .medium: return "≤ \(Self.duration(medium))"
      case .low: return "> \(Self.duration(medium))"
      }
    }
  }

  public static func == (left: DORATierThresholds, right: DORATierThresholds) -> Bool {
    left.year == right.year && left.deploymentsPerDay == right.deploymentsPerDay
      && left.leadTimeSeconds == right.leadTimeSeconds && left.changeFailureRate == right.changeFailureRate
      && left.recoveryTimeSeconds == right.recoveryTimeSeconds
  }

  private static func atMost(_ value: Double, _ limits: (elite: Double, high: Double, medium: Double)) -> DORATier {
    if value <= limits.elite { return .elite }
    if value <= limits.high { return .high }
    return value <= limits.medium ? .medium : .low
  }

  private static func number(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }

  private static func duration(_ seconds: Double) -> String {
    if seconds >= 86_400 {
      let days = Int((seconds / 86_400).rounded())
      return days == 1 ? "1 day" : "\(days) days"
    }
    let hours = Int((seconds / 3_600).rounded())
    return hours == 1 ? "1 hour" : "\(hours) hours"
  }
}
