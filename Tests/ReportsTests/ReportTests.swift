import Foundation
import ResultStore
import Testing

@testable import Reports

@Suite("Reports")
struct ReportTests {
  /// A database with one hand-written run: two services, a rollback, two nodes, costs.
  static func database() throws -> ResultStore {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-reports-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
    let store = try ResultStore(path: path)
    try store.database.execute(
      """
      INSERT INTO runs (scenario_name, scenario_path, scenario_digest, seed, replication, tool_version, time_zone,
        sim_start_at, sim_end_at, sim_reached_at, status, created_at)
      VALUES ('tiny', 'tiny.yaml', 'x', 1, 0, '0.1.0', 'UTC', 0, 86400, 86400, 'completed', 't');
      INSERT INTO kpis (run_id, name, value, unit, target, comparison, met) VALUES
        (1, 'change_failure_rate', 0.5, 'ratio', 0.05, '<', 0), (1, 'deployment_frequency_per_day', 3, 'deployments/day', 5, '>', 0);
      INSERT INTO deployments (run_id, deploy_id, source, service, kind, started_at, status, needed_remediation, rolled_back)
      VALUES (1, 1, 's', 'b-service', 'planned', 3600, 'succeeded', 1, 1), (1, 2, 's', 'b-service', 'rollback', 7200, 'succeeded', 0, 0),
        (1, 3, 's', 'a-service', 'planned', 40000, 'succeeded', 0, 0);
      INSERT INTO changes (run_id, change_id, source, event_type, team, service, author, time_created, deployed_at, outcome)
      VALUES (1, 1, 's', 'push', 't', 'a-service', 'x', 0, 600, 'deployed'), (1, 2, 's', 'push', 't', 'a-service', 'x', 0, 1800, 'deployed');
      INSERT INTO cluster_nodes (run_id, node_id, pool, instance_type, capacity_type, requested_at, ready_at, terminated_at,
        price_usd_per_hour, billed_seconds, cost_usd, cost_micro_usd, allocated_micro_usd, idle_micro_usd, on_demand_cost_usd)
      VALUES (1, 1, 'p', 'm5.xlarge', 'on-demand', 0, 0, NULL, 0.2, 86400, 4.8, 4800000, 0, 0, 4.8),
        (1, 2, 'p', 'g5.xlarge', 'spot', 0, 43200, 50000, 0.4, 6800, 0.7, 700000, 0, 0, 1.9);
      INSERT INTO cost_allocations (run_id, allocation, team, cost_center, pool, instance_type, capacity_type,
        cpu_cost_micro_usd, ram_cost_micro_usd, gpu_cost_micro_usd, total_cost_micro_usd, total_cost_usd)
      VALUES (1, 'workload', 'team-a', 'CC-1', 'p', 'm5.xlarge', 'on-demand', 1000000, 500000, 0, 1500000, 1.5),
        (1, '__idle__', '__idle__', '__idle__', 'p', 'm5.xlarge', 'on-demand', 2000000, 1300000, 0, 3300000, 3.3);
      """)
    return store
  }

  @Test("a run report shows targets met or missed and draws every chart")
  func runReport() throws {
    let report = try ReportWriter.run(1, store: Self.database())
    #expect(
      report.markdown.contains("| Change failure rate | 50 % | < 5 % | missed | Low | `change_failure_rate` |"),
      "\(report.markdown)")
    #expect(report.html.contains("<tr class=\"missed\">"))
    #expect(
      report.html.contains(
        "3 deployments over 2 services, 1 of them rollbacks; 0 canaries aborted; 0 incidents; 0 alerts fired."))
    #expect(report.html.contains("deployment 2 (rollback, "), "the rollback is marked")
    #expect(report.html.contains("later rolled back"), "the rolled-back deployment is marked")
    #expect(report.html.contains("Thu 1 Jan"), "the time axis has dates, not day numbers")
    #expect(report.charts.map(\.name).contains("report-run-1-nodes.svg"))
    #expect(report.html.contains("This run has no training jobs."), "an empty section says so")
    #expect(!report.html.contains("<script"))
  }

  @Test("names from scenario files reach the Markdown report as text, never as HTML or table syntax")
  func markdownEscapesHTML() throws {
    let store = try Self.database()
    try store.database.execute(
      "UPDATE cost_allocations SET team = '<script>alert(1)</script>|x' WHERE team = 'team-a';")
    let report = try ReportWriter.run(1, store: store)
    #expect(!report.markdown.contains("<script"), "\(report.markdown)")
    #expect(report.markdown.contains("| &lt;script>alert(1)&lt;/script>\\|x |"), "\(report.markdown)")
    #expect(report.markdown.contains("| < 5 % |"), "a comparison is text already and stays readable")
    #expect(!report.html.contains("<script"))
  }

  @Test("only a `<` that could open HTML is escaped in Markdown")
  func markdownTextEscaping() {
    #expect(
      markdownText("<b>bold</b> < 5 % <!-- c --> <http://x> a<")
        == "&lt;b>bold&lt;/b> < 5 % &lt;!-- c --> &lt;http://x> a<")
    #expect(markdownCell("a|b") == "a\\|b")
  }

  @Test("the same database gives byte-identical reports")
  func deterministic() throws {
    let store = try Self.database()
    #expect(try ReportWriter.run(1, store: store).html == ReportWriter.run(1, store: store).html)
  }

  @Test("a missing run is an error naming it")
  func missingRun() throws {
    #expect(throws: ReportError.self) { try ReportWriter.run(5, store: Self.database()) }
  }

  @Test("a histogram puts each value in its bin and marks the median and p90")
  func histogram() {
    let svg = Charts.histogram(
      [0, 60, 60, 599], quantity: .seconds, title: "t", xLabel: "x", countNoun: "changes", binCount: 10)
    #expect(svg.components(separatedBy: "<rect ").count - 1 == 3, "three bins hold values")
    #expect(svg.contains("<title>changes: 2 from 1 min to 2 min</title>"), "\(svg)")
    #expect(svg.contains(">median 1 min<"))
    #expect(svg.contains("class=\"axis-title x\">x (min)<"))
    #expect(
      Charts.histogram([], quantity: .seconds, title: "t", xLabel: "x", countNoun: "changes").contains("no changes"))
  }
}
