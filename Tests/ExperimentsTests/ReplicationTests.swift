import Foundation
import ResultRows
import ResultStore
import SimKernel
import Testing

@testable import Experiments

@Suite("Replications")
struct ReplicationTests {
  @Test("results and run ids do not depend on the number of threads")
  func threadCountInvariance() throws {
    let document = try ExperimentFixtures.document()
    let plan = ExperimentPlan(
      name: "golden", kind: .run, variants: [ExperimentVariant(name: "scenario", document: document)], replications: 4,
      seed: 42, duration: .days(1))
    let serial = ExperimentFixtures.scratchDatabase()
    let parallel = ExperimentFixtures.scratchDatabase()
    let one = try ExperimentRunner.run(plan, databasePath: serial, createdAt: "t", jobs: 1)
    let two = try ExperimentRunner.run(plan, databasePath: parallel, createdAt: "t", jobs: 3)
    #expect(one.reports.map(\.runID) == two.reports.map(\.runID))
    #expect(
      try ExperimentFixtures.runOrder(databasePath: serial) == ExperimentFixtures.runOrder(databasePath: parallel))
    let serialDigests = try ExperimentFixtures.digests(experimentID: one.experimentID, databasePath: serial)
    #expect(serialDigests.count == 4)
    #expect(serialDigests == (try ExperimentFixtures.digests(experimentID: two.experimentID, databasePath: parallel)))
    // Replications differ from each other: each has its own streams.
    #expect(Set(serialDigests.values.compactMap { $0["changes"] }).count == 4)
  }

  @Test("KPI summaries are stored with t-based confidence intervals")
  func summariesStored() throws {
    let document = try ExperimentFixtures.document()
    let plan = ExperimentPlan(
      name: "golden", kind: .run, variants: [ExperimentVariant(name: "scenario", document: document)], replications: 3,
      seed: 7, duration: .days(1))
    let database = ExperimentFixtures.scratchDatabase()
    let outcome = try ExperimentRunner.run(plan, databasePath: database, createdAt: "t", jobs: 2)
    let store = try ResultStore(path: database)
    let runs = try store.database.rows(
      RunRow.self, where: "experiment_id = ?", [.integer(outcome.experimentID)], orderBy: "replication")
    let values = try runs.compactMap { run in
      try store.rows(KPIRow.self, run: RunID(run.id ?? 0), where: "name = 'lead_time_median_seconds'").first?.value
    }
    #expect(values.count == 3)
    let row = try #require(
      try store.database.rows(
        ExperimentKPIRow.self, where: "experiment_id = ? AND kpi = 'lead_time_median_seconds'",
        [.integer(outcome.experimentID)]
      ).first)
    let expected = SampleSummary(values)
    #expect(row.count == 3)
    #expect(abs((row.mean ?? 0) - (expected.mean ?? -1)) < 1e-9)
    #expect(abs((row.confidenceLow ?? 0) - (expected.confidenceLow ?? -1)) < 1e-9)
    #expect(abs((row.confidenceHigh ?? 0) - (expected.confidenceHigh ?? -1)) < 1e-9)
  }

  @Test("an interrupted experiment leaves no run looking `running`")
  func interruption() throws {
    let document = try ExperimentFixtures.document()
    let plan = ExperimentPlan(
      name: "golden", kind: .run, variants: [ExperimentVariant(name: "scenario", document: document)], replications: 3,
      seed: 42, duration: .days(1))
    let database = ExperimentFixtures.scratchDatabase()
    #expect(throws: ExperimentError.self) {
      _ = try ExperimentRunner.run(plan, databasePath: database, createdAt: "t", jobs: 2, interruptRequested: { true })
    }
    let statuses = try ResultStore(path: database).database.rows(RunRow.self, orderBy: "id").map(\.status)
    #expect(statuses == [.stopped, .stopped, .stopped])
  }
}
