import ResultRows
import SimKernel

/// The Four Keys dashboard's metrics (dora-team/fourkeys), computed as its queries
/// compute them on the Four Keys-shaped tables a run writes (`deployments`,
/// `deployment_changes`, `changes`, `incidents`, `incident_changes`).
///
/// The queries are `queries/deployments.sql`, `queries/incidents.sql` and the panels of
/// `dashboard/fourkeys_dashboard.json` (the repository's last state, January 2024):
/// - A deployment is a successful deployment event whose commit is a known push with
///   commits (`deployments.sql` joins `changes_raw` on `main_commit` and unnests
///   `$.commits`): here a deployment that reached production (`time_created` not NULL)
///   with at least one `deployment_changes` row. A rollback carries no commit and is
///   not a Four Keys deployment.
/// - Lead time: per (deployment, change) pair, `TIMESTAMP_DIFF(d.time_created,
///   c.time_created, MINUTE)` (whole minutes, truncated; the change's time truncated to
///   the second), pairs ≤ 0 dropped ("ignore automated pushes"), `PERCENTILE_CONT(…,
///   0.5)`, in minutes.
/// - Time to restore: per incident, `time_created` is the earlier of the incident's own
///   and its root-cause changes' deployment times (`incidents.sql`: `MIN(IF(root.time_created
///   < issue.time_created, …))`), then `TIMESTAMP_DIFF(time_resolved, time_created, HOUR)`
///   (whole hours, truncated), median over incidents with a resolution; in hours.
/// - Change failure rate: (deployment, change) pairs joined to the incidents whose root
///   causes include the change, counted (`SUM(IF(i.incident_id IS NULL, 0, 1))`) and
///   divided by the distinct deployments — an incident with two root-cause changes in
///   one deployment counts twice, so the rate can exceed the share of failed deployments.
/// - Deployment frequency: the dashboard's bucket over the window from the day after
///   the first event (the first commit) to the run's last day
///   (``DeliveryKPIs/fourKeysFrequencyBucket(_:window:calendar:firstEventAt:)``).
///
/// The dashboard limits each figure to the last three months; simulated windows are
/// shorter, so the whole window is used.
public enum FourKeysKPIs {
  /// A Four Keys deployment: production time (epoch seconds, as stored) and its changes.
  struct Deployment {
    var time: Double
    var at: SimTime
    var changes: [ChangeID]
  }

  /// The run's deployments as Four Keys' `deployments` query selects them.
  static func deployments(_ delivery: Delivery, calendar: SimCalendar) -> [Deployment] {
    delivery.argoCD.deployments.compactMap { deployment in
      guard deployment.status == .succeeded, let finished = deployment.finishedAt, !deployment.changes.isEmpty else {
        return nil
      }
      return Deployment(time: calendar.epochSeconds(at: finished), at: finished, changes: deployment.changes)
    }
  }

  /// Whole `unit`-second intervals from `start` to `end`, truncated toward zero, as
  /// BigQuery's `TIMESTAMP_DIFF` counts them.
  static func wholeUnits(from start: Double, to end: Double, unit: Double) -> Double {
    ((end - start) / unit).rounded(.towardZero)
  }

  /// The four `fourkeys_*` KPIs.
  static func compute(_ delivery: Delivery, window: SimDuration, calendar: SimCalendar) -> [KPIValue] {
    let deployments = deployments(delivery, calendar: calendar)
    let changes = delivery.commits.changes
    // Lead time per (deployment, change) pair, whole minutes, positive only.
    var leadMinutes: [Double] = []
    for deployment in deployments {
      for change in deployment.changes {
        let committed = calendar.epochSeconds(at: changes[change].committedAt).rounded(.down)
        let minutes = wholeUnits(from: committed, to: deployment.time, unit: 60)
        if minutes > 0 { leadMinutes.append(minutes) }
      }
    }
    // Each change's earliest Four Keys deployment time (the incidents query's root join).
    var deployedAt = [Double?](repeating: nil, count: changes.count)
    for deployment in deployments {
      for change in deployment.changes {
        deployedAt[change.position] = min(deployedAt[change.position] ?? deployment.time, deployment.time)
      }
    }
    var restoreHours: [Double] = []
    for incident in delivery.incidents.records {
      guard let resolved = incident.resolvedAt else { continue }
      var created = calendar.epochSeconds(at: incident.openedAt)
      for change in incident.rootCauses {
        if let time = deployedAt[change.position], time < created { created = time }
      }
      restoreHours.append(wholeUnits(from: created, to: calendar.epochSeconds(at: resolved), unit: 3_600))
    }
    // (deployment, change, incident) rows with an incident, over distinct deployments.
    var incidentsPerChange = [Int](repeating: 0, count: changes.count)
    for incident in delivery.incidents.records {
      for change in incident.rootCauses { incidentsPerChange[change.position] += 1 }
    }
    let matched = deployments.reduce(0) { sum, deployment in
      sum + deployment.changes.reduce(0) { $0 + incidentsPerChange[$1.position] }
    }
    return [
      KPIValue(
        name: "fourkeys_deployment_frequency_bucket", value: nil,
        text: DeliveryKPIs.fourKeysFrequencyBucket(
          deployments.map(\.at), window: window, calendar: calendar, firstEventAt: changes.first?.committedAt),
        unit: "bucket", source: .fourKeys),
      KPIValue(
        name: "fourkeys_lead_time_median_minutes", value: percentileContinuous(leadMinutes, 0.5), unit: "min",
        source: .fourKeys),
      KPIValue(
        name: "fourkeys_time_to_restore_median_hours", value: percentileContinuous(restoreHours, 0.5), unit: "h",
        source: .fourKeys),
      KPIValue(
        name: "fourkeys_change_failure_rate",
        value: deployments.isEmpty ? 0 : Double(matched) / Double(deployments.count), unit: "ratio",
        source: .fourKeys),
    ]
  }
}

/// DORA performance tiers of a run's four key metrics, as KPI rows.
enum DORATierKPIs {
  /// One `dora_tier.<metric>` row per metric with a value, and `dora_tier.overall` (the
  /// worst of them) when all four have one; `value` is the tier's rank (1 elite … 4 low),
  /// `value_text` its name.
  static func compute(_ values: [KPIValue], thresholds: DORATierThresholds = .current) -> [KPIValue] {
    var tiers: [DORATier] = []
    var rows: [KPIValue] = []
    for metric in DORAMetric.allCases {
      guard let value = values.first(where: { $0.name == metric.kpiName })?.value,
        let tier = thresholds.tier(of: metric, value: value)
      else { continue }
      tiers.append(tier)
      rows.append(
        KPIValue(name: metric.tierKPIName, value: Double(tier.rank), text: tier.rawValue, unit: "tier", source: .dora))
    }
    if tiers.count == DORAMetric.allCases.count, let overall = DORATier.overall(tiers) {
      rows.append(
        KPIValue(
          name: DORATier.overallKPIName, value: Double(overall.rank), text: overall.rawValue, unit: "tier",
          source: .dora))
    }
    if !rows.isEmpty {
      rows.append(KPIValue(name: DORATier.yearKPIName, value: Double(thresholds.year), unit: "year", source: .dora))
    }
    return rows
  }
}
