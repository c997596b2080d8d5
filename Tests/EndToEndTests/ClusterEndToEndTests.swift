import Foundation
import PlatformModel
import ResultStore
import Scenario
import SimKernel
import Testing

/// The golden path's cluster through the whole stack: scenario → run → SQLite.
@Suite struct ClusterEndToEndTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func run(_ scenario: String, database: String, days: Int64 = 7) throws -> RunReport {
    let (document, _) = try ScenarioLoader.load(path: repository.appendingPathComponent(scenario).path)
    let duration = SimDuration.days(days)
    let calendar = document.calendar(duration: duration)
    let store = try ResultStore(path: database)
    let start = RunStart(
      scenarioName: document.name, scenarioPath: document.path, scenarioDigest: document.digest, seed: document.seed,
      replication: 0, toolVersion: ToolVersion.current, timeZone: document.timeZone,
      simulatedStartEpochSeconds: Double(document.startEpochSeconds),
      simulatedEndEpochSeconds: calendar.epochSeconds(at: .zero + duration))
    return try SimulationRun.execute(
      RunRequest(
        configuration: document.worldConfiguration(duration: duration), duration: duration, limits: document.limits,
        start: start),
      store: store, createdAt: "test")
  }

  static func temporaryDatabase() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("platformsim-cluster-\(UUID().uuidString).sqlite").path
  }

  /// OpenCost's invariant in the stored rows: allocations + idle = node cost, to the
  /// micro-dollar, and the jobs' and serving pods' costs add up to the teams' allocations.
  @Test(arguments: ["scenarios/golden-path.yaml", "scenarios/capacity-planning.yaml", "scenarios/serving-on-cluster.yaml"])
  func costRowsReconcile(scenario: String) throws {
    let path = Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let report = try Self.run(scenario, database: path)
    #expect(report.status == .completed)
    let store = try ResultStore(path: path)
    let allocated = try store.database.scalar("SELECT SUM(total_cost_micro_usd) FROM cost_allocations")?.intValue
    let nodes = try store.database.scalar("SELECT SUM(cost_micro_usd) FROM cluster_nodes")?.intValue
    let idle = try store.database.scalar(
      "SELECT SUM(total_cost_micro_usd) FROM cost_allocations WHERE allocation = '__idle__'")?.intValue
    let nodeIdle = try store.database.scalar("SELECT SUM(idle_micro_usd) FROM cluster_nodes")?.intValue
    let jobs = try store.database.scalar("SELECT COALESCE(SUM(cost_micro_usd), 0) FROM training_jobs")?.intValue
    let servingPods = try store.database.scalar("SELECT COALESCE(SUM(cost_micro_usd), 0) FROM serving_pods")?.intValue
    let workloads = try store.database.scalar(
      "SELECT SUM(total_cost_micro_usd) FROM cost_allocations WHERE allocation = 'workload'")?.intValue
    #expect(allocated != nil && allocated == nodes)
    #expect(idle == nodeIdle)
    #expect((jobs ?? 0) + (servingPods ?? 0) == workloads)
    // Serving pods' cost, per cost centre, as in the run metrics.
    let byCenter = try store.database.query(
      "SELECT cost_center, SUM(cost_micro_usd) FROM serving_pods GROUP BY cost_center ORDER BY cost_center")
    for row in byCenter {
      guard let center = row[0].stringValue, let cost = row[1].intValue else { continue }
      let team = try store.database.scalar(
        "SELECT SUM(total_cost_micro_usd) FROM cost_allocations WHERE cost_center = '\(center)'")?.intValue
      if jobs == 0 { #expect(team == cost, "\(center): a team without training spends only on serving") }
    }
    #expect((nodes ?? 0) > 0)
    #expect(abs((report.metric("cost.total_usd") ?? 0) - Double(nodes ?? 0) / 1e6) < 1e-6)
    let negative = try store.database.scalar("SELECT COUNT(*) FROM cluster_nodes WHERE idle_micro_usd < 0")?.intValue
    #expect(negative == 0)
    // Every succeeded job's workers appear as finished pods, once.
    let finishedPods = try store.database.scalar("SELECT COUNT(*) FROM cluster_pods WHERE outcome = 'finished'")?.intValue
    let succeededWorkers = try store.database.scalar(
      "SELECT COALESCE(SUM(workers), 0) FROM training_jobs WHERE outcome = 'succeeded'")?.intValue
    #expect(finishedPods == succeededWorkers)
  }

  /// Same scenario and seed, same results.
  @Test func clusterRunIsDeterministic() throws {
    let first = Self.temporaryDatabase()
    let second = Self.temporaryDatabase()
    defer {
      try? FileManager.default.removeItem(atPath: first)
      try? FileManager.default.removeItem(atPath: second)
    }
    let a = try Self.run("scenarios/capacity-planning.yaml", database: first, days: 5)
    let b = try Self.run("scenarios/capacity-planning.yaml", database: second, days: 5)
    #expect(a.metrics == b.metrics)
    #expect(a.outcome.eventCount == b.outcome.eventCount)
    #expect((a.metric("training.interruptions") ?? 0) > 0)
  }

  /// Golden fingerprint of the cluster's metrics for (capacity-planning, seed 2026,
  /// 5 days). It changes only when the cluster model or its random streams change:
  /// update it deliberately, with the reason in the commit message.
  @Test func clusterMetricsFingerprint() throws {
    let path = Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let report = try Self.run("scenarios/capacity-planning.yaml", database: path, days: 5)
    let lines = report.metrics
      .filter { $0.name.hasPrefix("cluster.") || $0.name.hasPrefix("training.") || $0.name.hasPrefix("cost.") }
      .sorted { $0.name < $1.name }
      .map { "\($0.name)=\($0.value.map { String(format: "%.6f", $0) } ?? "null")" }
    var hasher = SHA256()
    hasher.update(Array(lines.joined(separator: "\n").utf8))
    let digest = hasher.finalizeHex()
    print("cluster metrics fingerprint: \(digest)")
    #expect(digest == Self.goldenFingerprint, "\(lines.joined(separator: "\n"))")
  }

  static let goldenFingerprint = "d7752ee1e7da374f6b5060a92459b9f14260e7099ea51c1c9e08c10162372b31"
}
