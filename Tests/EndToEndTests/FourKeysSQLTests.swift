import Foundation
import ResultStore
import Testing

/// The dora-team/fourkeys queries (`queries/deployments.sql`, `queries/incidents.sql` and
/// the panels of `dashboard/fourkeys_dashboard.json`, last state 6cc642e, January 2024)
/// ported to SQLite on the run's Four Keys-shaped tables, written from their logic
/// (validation-data.md §1.3), and held against the `fourkeys_*` KPI rows.
@Suite("Four Keys queries ported to SQLite")
struct FourKeysSQLTests {
  /// Four Keys deployments, as `deployments.sql` selects them.
  ///
  /// Successful deployment events whose commit is a push with commits; here, rows with a
  /// production time and at least one change.
  static let deployments = """
    fk_deployments AS (
      SELECT d.deploy_id, d.time_created FROM deployments d
      WHERE d.run_id = :run AND d.time_created IS NOT NULL
        AND EXISTS (SELECT 1 FROM deployment_changes dc WHERE dc.run_id = d.run_id AND dc.deploy_id = d.deploy_id)),
    fk_pairs AS (
      SELECT d.deploy_id, d.time_created, dc.change_id FROM fk_deployments d
      JOIN deployment_changes dc ON dc.run_id = :run AND dc.deploy_id = d.deploy_id)
    """

  /// `PERCENTILE_CONT(x, 0.5)` over the `x` column of CTE `values_`.
  static let median = """
    ranked AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) - 1 AS i, COUNT(*) OVER () AS n FROM values_),
    position AS (SELECT (n - 1) * 0.5 AS p FROM ranked LIMIT 1)
    SELECT lo.x + (hi.x - lo.x) * (position.p - CAST(position.p AS INTEGER))
    FROM position
    JOIN ranked lo ON lo.i = CAST(position.p AS INTEGER)
    JOIN ranked hi ON hi.i = CAST(position.p AS INTEGER) + (position.p > CAST(position.p AS INTEGER))
    """

  /// Lead-time panel: `TIMESTAMP_DIFF(d.time_created, c.time_created, MINUTE)` per
  /// (deployment, change), commit time truncated to the second, ≤ 0 dropped, median.
  static let leadTime = """
    WITH \(deployments),
    values_ AS (
      SELECT CAST((p.time_created - CAST(c.time_created AS INTEGER)) / 60 AS INTEGER) AS x
      FROM fk_pairs p JOIN changes c ON c.run_id = :run AND c.change_id = p.change_id
      WHERE CAST((p.time_created - CAST(c.time_created AS INTEGER)) / 60 AS INTEGER) > 0),
    \(median);
    """

  /// `incidents.sql` + time-to-restore panel: `time_created` the earlier of the incident's
  /// and its root causes' deployment times; `TIMESTAMP_DIFF(…, HOUR)`; median.
  static let timeToRestore = """
    WITH \(deployments),
    root AS (SELECT change_id, MIN(time_created) AS t FROM fk_pairs GROUP BY change_id),
    restore AS (
      SELECT i.incident_id, i.time_resolved, MIN(i.time_created, COALESCE(MIN(root.t), i.time_created)) AS created
      FROM incidents i
      LEFT JOIN incident_changes ic ON ic.run_id = i.run_id AND ic.incident_id = i.incident_id
      LEFT JOIN root ON root.change_id = ic.change_id
      WHERE i.run_id = :run
      GROUP BY i.incident_id),
    values_ AS (
      SELECT CAST((time_resolved - created) / 3600 AS INTEGER) AS x FROM restore WHERE time_resolved IS NOT NULL),
    \(median);
    """

  /// Change-failure panel: (deployment, change) rows joined to incidents on root-cause
  /// change, counted, over distinct deployments; 0 without changes.
  static let changeFailureRate = """
    WITH \(deployments)
    SELECT CASE WHEN COUNT(DISTINCT p.change_id) = 0 THEN 0
      ELSE CAST(SUM(ic.incident_id IS NOT NULL) AS REAL) / COUNT(DISTINCT p.deploy_id) END
    FROM fk_pairs p
    LEFT JOIN incident_changes ic ON ic.run_id = :run AND ic.change_id = p.change_id;
    """

  /// Deployment-frequency panel: a calendar of UTC days after the first event's day up to
  /// the last day, Sunday-start weeks; Daily if median(days deployed per week) ≥ 3, Weekly
  /// if median(week deployed) ≥ 1, Monthly if median over week rows of the weeks with
  /// deployments in the week's month ≥ 1, else Yearly.
  static let frequencyBucket = """
    WITH RECURSIVE \(deployments),
    bounds AS (
      SELECT MAX(CAST(r.sim_start_at / 86400 AS INTEGER),
          (SELECT CAST(CAST(MIN(time_created) AS INTEGER) / 86400 AS INTEGER) + 1 FROM changes WHERE run_id = :run))
          AS first_day,
        CAST((r.sim_reached_at - 1) / 86400 AS INTEGER) AS last_day
      FROM runs r WHERE r.id = :run),
    days(day) AS (
      SELECT first_day FROM bounds UNION ALL SELECT day + 1 FROM days, bounds WHERE day < last_day),
    deployed AS (SELECT DISTINCT CAST(time_created / 86400 AS INTEGER) AS day FROM fk_deployments),
    weeks AS (
      SELECT days.day - (days.day + 4) % 7 AS week, MAX(deployed.day IS NOT NULL) AS week_deployed,
        COUNT(deployed.day) AS days_deployed
      FROM days LEFT JOIN deployed ON deployed.day = days.day GROUP BY 1),
    monthly AS (
      SELECT week, week_deployed, days_deployed,
        SUM(week_deployed) OVER (PARTITION BY strftime('%Y-%m', week * 86400, 'unixepoch')) AS monthly_deploys
      FROM weeks),
    medians AS (
      SELECT
        (SELECT lo.v + (hi.v - lo.v) * (p - CAST(p AS INTEGER)) FROM
          (SELECT (COUNT(*) - 1) * 0.5 AS p FROM monthly),
          (SELECT days_deployed AS v, ROW_NUMBER() OVER (ORDER BY days_deployed) - 1 AS i FROM monthly) lo,
          (SELECT days_deployed AS v, ROW_NUMBER() OVER (ORDER BY days_deployed) - 1 AS i FROM monthly) hi
         WHERE lo.i = CAST(p AS INTEGER) AND hi.i = CAST(p AS INTEGER) + (p > CAST(p AS INTEGER))) AS daily,
        (SELECT lo.v + (hi.v - lo.v) * (p - CAST(p AS INTEGER)) FROM
          (SELECT (COUNT(*) - 1) * 0.5 AS p FROM monthly),
          (SELECT week_deployed AS v, ROW_NUMBER() OVER (ORDER BY week_deployed) - 1 AS i FROM monthly) lo,
          (SELECT week_deployed AS v, ROW_NUMBER() OVER (ORDER BY week_deployed) - 1 AS i FROM monthly) hi
         WHERE lo.i = CAST(p AS INTEGER) AND hi.i = CAST(p AS INTEGER) + (p > CAST(p AS INTEGER))) AS weekly,
        (SELECT lo.v + (hi.v - lo.v) * (p - CAST(p AS INTEGER)) FROM
          (SELECT (COUNT(*) - 1) * 0.5 AS p FROM monthly),
          (SELECT monthly_deploys AS v, ROW_NUMBER() OVER (ORDER BY monthly_deploys) - 1 AS i FROM monthly) lo,
          (SELECT monthly_deploys AS v, ROW_NUMBER() OVER (ORDER BY monthly_deploys) - 1 AS i FROM monthly) hi
         WHERE lo.i = CAST(p AS INTEGER) AND hi.i = CAST(p AS INTEGER) + (p > CAST(p AS INTEGER))) AS monthly)
    SELECT CASE WHEN daily >= 3 THEN 'Daily' WHEN weekly >= 1 THEN 'Weekly' WHEN monthly >= 1 THEN 'Monthly'
      ELSE 'Yearly' END FROM medians;
    """

  @Test(
    "the ported Four Keys queries reproduce the fourkeys_* KPIs on bundled scenarios",
    arguments: ["scenarios/golden-path.yaml", "scenarios/rollouts/canary.yaml", "scenarios/rollouts/big-bang.yaml"])
  func portMatchesKPIs(scenario: String) throws {
    let name = URL(fileURLWithPath: scenario).deletingPathExtension().lastPathComponent
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("fourkeys-\(name).sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardError)")
    let store = try ResultStore(path: database)
    func recorded(_ kpi: String) throws -> (value: Double?, text: String?) {
      let value = try store.database.scalar("SELECT value FROM kpis WHERE run_id = 1 AND name = ?", [.text(kpi)])
      let text = try store.database.scalar("SELECT value_text FROM kpis WHERE run_id = 1 AND name = ?", [.text(kpi)])
      let source = try store.database.scalar(
        "SELECT definition_source FROM kpis WHERE run_id = 1 AND name = ?", [.text(kpi)])
      #expect(source?.stringValue == "fourkeys", "\(kpi) in \(scenario)")
      return (value?.doubleValue, text?.stringValue)
    }
    for (kpi, sql) in [
      ("fourkeys_lead_time_median_minutes", Self.leadTime),
      ("fourkeys_time_to_restore_median_hours", Self.timeToRestore),
      ("fourkeys_change_failure_rate", Self.changeFailureRate),
    ] {
      let computed = try store.database.scalar(sql.replacingOccurrences(of: ":run", with: "1"))?.doubleValue
      let expected = try recorded(kpi).value
      #expect(
        computed == expected,
        "\(scenario) \(kpi): SQL \(String(describing: computed)), kpis \(String(describing: expected))")
    }
    let bucketSQL = Self.frequencyBucket.replacingOccurrences(of: ":run", with: "1")
    let bucket = try store.database.scalar(bucketSQL)?.stringValue
    #expect(bucket != nil)
    #expect(bucket == (try recorded("fourkeys_deployment_frequency_bucket").text), "\(scenario) bucket")
    // Rollbacks carry no commit: never Four Keys deployments; aborted canaries have no
    // production time, so they are not either.
    let counted = try store.database.scalar(
      "WITH \(Self.deployments) SELECT COUNT(*) FROM fk_deployments".replacingOccurrences(of: ":run", with: "1"))
    let production = try store.database.scalar("SELECT value FROM kpis WHERE run_id = 1 AND name = 'deployments'")
    #expect(
      counted?.doubleValue == production?.doubleValue, "\(scenario): Four Keys and DORA count the same deployments")
  }
}
