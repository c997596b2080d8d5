import ResultRows

/// How a KPI or run metric is shown: a human label (the raw name stays available), its
/// unit, which direction is better, and the values it can take.
///
/// Built for any name (`kpis.name`, `run_metrics.name`, `experiment_kpis.kpi`), so new
/// KPIs show without code changes: known names have a written label; others get one
/// from their name (`lead_time_stage_ci_wait_mean_seconds` → "Lead time stage ci wait
/// (mean)"), and their bounds from their unit.
public struct KPIPresentation: Sendable {
  public enum Direction: String, Sendable, Codable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"
  }

  /// The stored name, for example `recovery_time_median_seconds`.
  public var name: String
  /// "Recovery time (median)".
  public var label: String
  public var quantity: Quantity
  /// The smallest and largest values the KPI can take by its definition.
  ///
  /// Confidence intervals are clipped to them; `nil`: unbounded on that side.
  public var lowerBound: Double?
  public var upperBound: Double?
  public var better: Direction?
  /// The DORA metric this KPI measures, for a tier.
  public var doraMetric: DORAMetric?

  /// The presentation of `name`, stored with `unit` (`nil`: inferred from the name).
  public init(name: String, unit: String?) {
    self.name = name
    let unitText = unit ?? Self.inferredUnit(name)
    quantity = Quantity(unit: unitText)
    doraMetric = DORAMetric.allCases.first { $0.kpiName == name }
    let known = Self.known[name]
    label = known?.label ?? Self.label(fromName: name)
    better = known?.better ?? Self.inferredDirection(name)
    // Bounds from the definition: ratios lie in 0…1; durations, counts, rates and
    // amounts of money are sums or quantiles of non-negative things. Savings are
    // differences (a counterfactual minus what was paid) and may go negative.
    switch quantity {
    case .ratio:
      lowerBound = 0
      upperBound = 1
    case .usd:
      lowerBound = name.contains("savings") || name.contains("discount") ? nil : 0
      upperBound = nil
    case .seconds, .count:
      lowerBound = 0
      upperBound = nil
    case .plain(let unit):
      lowerBound = unit == "bucket" || unit == "tier" ? nil : 0
      upperBound = nil
    }
  }

  /// The bounds of a difference of two values of this KPI (candidate − baseline).
  public var differenceBounds: (lower: Double?, upper: Double?) {
    guard let lowerBound, let upperBound else { return (nil, nil) }
    return (lowerBound - upperBound, upperBound - lowerBound)
  }

  /// A unit for names without a stored one (experiment summaries), from the name's suffix.
  static func inferredUnit(_ name: String) -> String {
    let base = name.split(separator: ".").first.map(String.init) ?? name
    if base.hasSuffix("_seconds") || name.contains("_seconds") { return "s" }
    if base.hasSuffix("_rate") || base.hasSuffix("utilisation") || base.hasSuffix("goodput")
      || base.hasSuffix("probability_of_waiting") || base.hasSuffix("gpu_allocation")
    {
      return "ratio"
    }
    if name.hasSuffix("_usd") || name.hasPrefix("cost.by_") { return "USD" }
    if name.hasSuffix("_per_day") { return "deployments/day" }
    if name.hasSuffix("_hours") { return "h" }
    return ""
  }

  static func inferredDirection(_ name: String) -> Direction? {
    if name.contains("savings") || name.contains("goodput") || name.hasSuffix("_finished") { return .higherIsBetter }
    if name.contains("_seconds") || name.hasSuffix("_usd") || name.hasPrefix("cost.") || name.contains("failed")
      || name.hasSuffix("_rate") || name.contains("incidents") || name.contains("alerts_")
    {
      return .lowerIsBetter
    }
    return nil
  }

  /// A label from a snake_case, dotted name: units dropped, statistics in brackets.
  static func label(fromName name: String) -> String {
    var parts = name.split(separator: ".").map(String.init)
    guard !parts.isEmpty else { return name }
    // `idea_to_production_median_seconds.sklearn-standard`: the suffix is a qualifier.
    var qualifier: String?
    if parts.count > 1 {
      if parts[0] == "cost" || parts[0] == "training" || parts[0] == "cluster" || parts[0] == "runner_pool" {
        let component = parts.removeFirst()
        let componentLabel =
          [
            "cost": "Cost", "training": "Training", "cluster": "Cluster", "runner_pool": "CI runners",
          ][component] ?? component
        let rest = parts.joined(separator: " ").replacingOccurrences(of: "_", with: " ")
        return componentLabel + ": " + Self.dropUnits(rest)
      }
      qualifier = parts.dropFirst().joined(separator: ".")
      parts = [parts[0]]
    }
    var words = parts[0].split(separator: "_").map(String.init)
    var statistic: String?
    for unit in ["seconds", "usd", "hours", "minutes"] where words.last == unit { words.removeLast() }
    if let last = words.last, ["median", "mean", "p90", "p95", "p50", "max"].contains(last) {
      statistic = last
      words.removeLast()
    }
    var text = words.joined(separator: " ")
    if let first = text.first { text = first.uppercased() + text.dropFirst() }
    if let statistic { text += " (\(statistic))" }
    if let qualifier { text += ", \(qualifier)" }
    return text
  }

  private static func dropUnits(_ text: String) -> String {
    var words = text.split(separator: " ").map(String.init)
    for unit in ["seconds", "usd", "hours"] where words.last == unit { words.removeLast() }
    return words.joined(separator: " ")
  }

  /// Written labels for today's KPIs and the headline run metrics.
  static let known: [String: (label: String, better: Direction?)] = [
    "deployment_frequency_per_day": ("Deployment frequency", .higherIsBetter),
    "fourkeys_deployment_frequency_bucket": ("Deployment frequency (Four Keys bucket)", nil),
    "fourkeys_lead_time_median_minutes": ("Lead time for changes (Four Keys median)", .lowerIsBetter),
    "fourkeys_time_to_restore_median_hours": ("Time to restore service (Four Keys median)", .lowerIsBetter),
    "fourkeys_change_failure_rate": ("Change failure rate (Four Keys)", .lowerIsBetter),
    "canary_abort_failed_requests": ("Requests failed by aborted canaries", .lowerIsBetter),
    "canary_time_to_abort_median_seconds": ("Canary time to abort (median)", .lowerIsBetter),
    "rollback_deployments": ("Rollback deployments", .lowerIsBetter),
    "lead_time_median_seconds": ("Lead time for changes (median)", .lowerIsBetter),
    "lead_time_p90_seconds": ("Lead time for changes (p90)", .lowerIsBetter),
    "lead_time_mean_seconds": ("Lead time for changes (mean)", .lowerIsBetter),
    "change_failure_rate": ("Change failure rate", .lowerIsBetter),
    "rollback_rate": ("Deployments causing rollback (brief)", .lowerIsBetter),
    "canary_aborts": ("Canaries aborted", .lowerIsBetter),
    "rollouts_degraded": ("Rollouts degraded", .lowerIsBetter),
    "recovery_time_median_seconds": ("Failed-deployment recovery time (median)", .lowerIsBetter),
    "recovery_time_p90_seconds": ("Failed-deployment recovery time (p90)", .lowerIsBetter),
    "rework_rate": ("Rework rate (unplanned deployments)", .lowerIsBetter),
    "time_to_detect_median_seconds": ("Time to detect (median)", .lowerIsBetter),
    "failed_requests_per_incident": ("Failed requests per incident", .lowerIsBetter),
    "alerts_missed": ("Incidents no alert caught", .lowerIsBetter),
    "alerts_late": ("Incidents alerted late", .lowerIsBetter),
    "alerts_false": ("False alarms", .lowerIsBetter),
    "time_to_alert_median_seconds": ("Time to alert (median)", .lowerIsBetter),
    "incidents_detected_by_alert": ("Incidents detected by an alert", .higherIsBetter),
    "deployments": ("Production deployments", nil),
    "changes_deployed": ("Changes deployed", .higherIsBetter),
    "incidents": ("Incidents", .lowerIsBetter),
    "incidents_unresolved": ("Incidents unresolved at the end", .lowerIsBetter),
    "requests": ("Requests", nil),
    "failed_requests": ("Failed requests", .lowerIsBetter),
    "failed_requests_from_incidents": ("Failed requests caused by incidents", .lowerIsBetter),
    "serving_replica_hours": ("Serving replica-hours", .lowerIsBetter),
    "serving_cold_starts": ("Serving cold starts", .lowerIsBetter),
    "serving_overload_failed_requests": ("Requests shed for lack of replicas", .lowerIsBetter),
    "serving_cold_start_failed_requests": ("Requests failed waiting on a cold start", .lowerIsBetter),
    "serving_cost_usd": ("Serving cost", .lowerIsBetter),
    "serving_replica_evictions": ("Serving replicas evicted", .lowerIsBetter),
    "model_versions_registered": ("Model versions registered", nil),
    "model_versions_in_production": ("Model versions in production", .higherIsBetter),
    "cost.total_usd": ("Cost: total (nodes + serving replicas)", .lowerIsBetter),
    "cost.nodes_usd": ("Cost: nodes", .lowerIsBetter),
    "cost.serving_replicas_usd": ("Cost: serving replicas off the cluster", .lowerIsBetter),
    "cost.idle_usd": ("Cost: idle capacity", .lowerIsBetter),
    "cost.spot_savings_usd": ("Cost: spot savings (net of node time lost to spot)", .higherIsBetter),
    "cost.spot_discount_usd": ("Cost: spot discount (gross)", .higherIsBetter),
    "cost.spot_loss_usd": ("Cost: node time lost to spot, at on-demand prices", .lowerIsBetter),
    "training.goodput": ("Training goodput", .higherIsBetter),
    "training.queue_wait_p95_seconds": ("Training queue wait (p95)", .lowerIsBetter),
    "training.queue_wait_p50_seconds": ("Training queue wait (median)", .lowerIsBetter),
    "runner_pool.mean_wait_seconds": ("CI runner wait (mean)", .lowerIsBetter),
    "runner_pool.utilisation": ("CI runner utilisation", nil),
  ]
}
