import Foundation
import Hashing
import PlatformModel
import ResultRows
import ResultStore
import RunLifecycle
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
    FileManager.default.temporaryDirectory.appendingPathComponent("platformsim-cluster-\(UUID().uuidString).sqlite")
      .path
  }

  /// OpenCost's invariant in the stored rows: allocations + idle = node cost, to the
  /// micro-dollar, and the jobs' and serving pods' costs add up to the teams' allocations.
  @Test(arguments: [
    "scenarios/golden-path.yaml", "scenarios/capacity-planning.yaml", "scenarios/serving-on-cluster.yaml",
  ])
  func costRowsReconcile(scenario: String) throws {
    let path = Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let report = try Self.run(scenario, database: path)
    #expect(report.status == .completed)
    let store = try ResultStore(path: path)
    let allocations = try store.rows(CostAllocationRow.self, run: report.runID)
    let nodes = try store.rows(ClusterNodeRow.self, run: report.runID)
    let jobs = try store.rows(TrainingJobRow.self, run: report.runID)
    let servingPods = try store.rows(ServingPodRow.self, run: report.runID)
    func total(_ rows: [CostAllocationRow]) -> Int64 { rows.reduce(0) { $0 + $1.totalCostMicroUSD } }
    let nodeCost = nodes.reduce(Int64(0)) { $0 + $1.costMicroUSD }
    let jobCost = jobs.reduce(Int64(0)) { $0 + $1.costMicroUSD }
    let servingCost = servingPods.reduce(Int64(0)) { $0 + $1.costMicroUSD }
    #expect(!allocations.isEmpty && total(allocations) == nodeCost)
    #expect(total(allocations.filter { $0.allocation == "__idle__" }) == nodes.reduce(0) { $0 + $1.idleMicroUSD })
    #expect(jobCost + servingCost == total(allocations.filter { $0.allocation == "workload" }))
    // Serving pods' cost, per cost centre, as in the run metrics.
    for center in Set(servingPods.map(\.costCenter)).sorted() {
      let cost = servingPods.filter { $0.costCenter == center }.reduce(Int64(0)) { $0 + $1.costMicroUSD }
      let team = total(allocations.filter { $0.costCenter == center })
      if jobCost == 0 { #expect(team == cost, "\(center): a team without training spends only on serving") }
    }
    #expect(nodeCost > 0)
    #expect(abs((report.metric("cost.nodes_usd") ?? 0) - Double(nodeCost) / 1e6) < 1e-6)
    let replicas = report.metric("cost.serving_replicas_usd") ?? 0
    #expect(abs((report.metric("cost.total_usd") ?? 0) - (Double(nodeCost) / 1e6 + replicas)) < 1e-6)
    #expect(nodes.allSatisfy { $0.idleMicroUSD >= 0 })
    // Every succeeded job's workers appear as finished pods, once.
    let finishedPods = try store.rows(ClusterPodRow.self, run: report.runID, where: "outcome = 'finished'")
    #expect(finishedPods.count == jobs.filter { $0.outcome == "succeeded" }.reduce(0) { $0 + $1.workers })
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
  /// 5 days).
  ///
  /// It changes only when the cluster model or its random streams change:
  /// update it deliberately, with the reason in the commit message.
  @Test func clusterMetricsFingerprint() throws {
    let path = Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let report = try Self.run("scenarios/capacity-planning.yaml", database: path, days: 5)
    let lines = report.metrics
      .filter { $0.name.hasPrefix("cluster.") || $0.name.hasPrefix("training.") || $0.name.hasPrefix("cost.") }
      .sorted { $0.name < $1.name }
      .map { "\($0.name)=\($0.value.map { String(format: "%.6f", $0) } ?? "null")" }
    var hasher = ContentHash()
    hasher.update(Array(lines.joined(separator: "\n").utf8))
    let digest = hasher.finalizeHex()
    print("cluster metrics fingerprint: \(digest)")
    #expect(digest == Self.goldenFingerprint, "\(lines.joined(separator: "\n"))")
  }

  static let goldenFingerprint = "3fa9ae579cfd7f17b162f2c91bcc351545dcf2973f1b41aa7381e1cbb0a97735"
}
