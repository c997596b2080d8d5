import Foundation
import ResultRows
import ResultStore
import Testing

@Suite("Rollout example scenarios")
struct RolloutScenarioTests {
  @Test("canary vs big-bang on the same changes, and the night-time canary that cannot judge")
  func examples() throws {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("rollouts.sqlite").path
    for file in ["big-bang", "canary", "night-low-traffic", "flagger", "blue-green"] {
      let result = try PlatformSimProcess.run([
        "run", "scenarios/rollouts/\(file).yaml", "--db", database, "--until", "7d", "--quiet",
      ])
      #expect(result.status == 0, "\(file): \(result.standardError)")
    }
    let store = try ResultStore(path: database)
    func kpi(_ run: Int, _ name: String) throws -> Double {
      try #require(store.rows(KPIRow.self, run: RunID(Int64(run)), where: "name = ?", [.text(name)]).first?.value)
    }
    // Same changes: identical commit times and defects in both runs.
    func plannedChanges(_ run: Int64) throws -> [[String]] {
      try store.rows(ChangeRow.self, run: RunID(run), where: "fixes_incident_id IS NULL", orderBy: "change_id")
        .prefix(40).map { ["\($0.timeCreated)", $0.defectKind ?? "-", "\($0.defectSize ?? -1)"] }
    }
    #expect(try plannedChanges(1).count == 40)
    #expect(try plannedChanges(1) == plannedChanges(2))
    #expect(try kpi(2, "change_failure_rate") < kpi(1, "change_failure_rate"))
    #expect(try kpi(2, "failed_requests_from_incidents") < kpi(1, "failed_requests_from_incidents") / 5)
    #expect(try kpi(2, "canary_aborts") > 0)
    // At night a 10 % canary sees too few requests: most canaries are aborted unjudged.
    #expect(try kpi(3, "canary_aborts") > kpi(3, "deployments"))
    #expect(try kpi(3, "lead_time_median_seconds") > 3 * kpi(2, "lead_time_median_seconds"))
    #expect(try store.rows(DeploymentRow.self, run: RunID(3)).contains { $0.abortReason != nil })
    // Flagger, on the same changes, also keeps defects away from most users.
    #expect(try kpi(4, "failed_requests_from_incidents") < kpi(1, "failed_requests_from_incidents") / 5)
    #expect(try kpi(4, "canary_aborts") > 0)
    // Blue-green switches all traffic at once and back on a failed post-promotion analysis:
    // fewer failed requests than big-bang, more than the 10 % canary.
    let blueGreen = try kpi(5, "failed_requests_from_incidents")
    let bigBangFailures = try kpi(1, "failed_requests_from_incidents")
    let canaryFailures = try kpi(2, "failed_requests_from_incidents")
    #expect(blueGreen < bigBangFailures)
    #expect(blueGreen > canaryFailures)
    #expect(try kpi(5, "canary_aborts") > 0)
    #expect(try store.rows(DeploymentRow.self, run: RunID(5)).contains { $0.strategy == "blue-green" })
    // The canary scenario keeps its series, downsampled to one sample per 5 minutes.
    let stable = try store.rows(SeriesRow.self, run: RunID(2)).filter {
      $0.labels.hasPrefix("http_requests_total{code=\"200\"") && $0.labels.hasSuffix("track=\"stable\"}")
        && $0.labels.contains("fraud-scorer")
    }
    #expect(stable.count == 1)
    let samples = try store.rows(
      SeriesSampleRow.self, run: RunID(2), where: "series_id = ?", [.integer(stable.first?.seriesID ?? -1)],
      orderBy: "time")
    #expect(samples.count > 1_000)
    let times = samples.map(\.time)
    let values = samples.compactMap(\.value)
    #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 300 })
    #expect(zip(values, values.dropFirst()).allSatisfy { $1 >= $0 }, "a counter never decreases")
    #expect(try store.rows(SeriesSampleRow.self, run: RunID(1)).isEmpty, "off by default")
  }
}

@Suite("Parallel replications with monitoring")
struct ParallelMonitoringTests {
  @Test("replications of a scenario with rules and a canary give the same rows on 1 and 2 threads")
  func threadsDoNotShareRuleState() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    var digests: [[[String: String]]] = []
    for jobs in ["1", "2"] {
      let database = directory.appendingPathComponent("jobs-\(jobs).sqlite").path
      let result = try PlatformSimProcess.run(
        [
          "run", "scenarios/rollouts/canary.yaml", "--until", "2d", "--replications", "4", "--jobs", jobs, "--db",
          database, "--quiet",
        ])
      #expect(result.status == 0, "\(result.standardError)")
      let store = try ResultStore(path: database)
      digests.append(try (1...4).map { try store.digest(of: RunID(Int64($0))) })
    }
    #expect(digests[0] == digests[1])
    #expect(digests[0][0]["alerts"] != nil)
  }
}
