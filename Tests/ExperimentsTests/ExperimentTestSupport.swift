import Foundation
import ResultRows
import ResultStore
import Scenario
import SimKernel

@testable import Experiments

enum ExperimentFixtures {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func path(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

  static func scratchDatabase(_ name: String = #function) -> String {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "platformsim-experiments-\(getpid())-\(name.filter { $0.isLetter })-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("results.sqlite").path
  }

  static func document(_ relative: String = "scenarios/golden-path.yaml") throws -> ScenarioDocument {
    try ScenarioLoader.load(path: path(relative)).document
  }

  /// Per-run digests of an experiment, keyed by (variant, replication).
  static func digests(experimentID: Int64, databasePath: String) throws -> [String: [String: String]] {
    let store = try ResultStore(path: databasePath)
    var result: [String: [String: String]] = [:]
    for run in try store.database.rows(
      RunRow.self, where: "experiment_id = ?", [.integer(experimentID)], orderBy: "id")
    {
      result["\(run.variant ?? "")#\(run.replication)"] = try store.digest(of: RunID(run.id ?? 0))
    }
    return result
  }

  static func runOrder(databasePath: String) throws -> [String] {
    let store = try ResultStore(path: databasePath)
    return try store.database.rows(RunRow.self, orderBy: "id").map {
      "\($0.id ?? 0):\($0.variant ?? "")#\($0.replication)"
    }
  }
}
