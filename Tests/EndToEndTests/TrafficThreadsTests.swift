import Foundation
import ResultStore
import Testing

/// A run's tables do not depend on how many threads draw its traffic (issue 19).
///
/// The traffic loop draws services that need only their own state on every thread and
/// serves the rest in order on the run's thread (``Traffic``). The scenario mixes both
/// kinds on purpose: services with replicas (always in order), Argo canaries and Flagger
/// blue/green with mirrored requests (a second track, and shadow copies), latency
/// defects (a new bucket table mid-run makes a service wait for its turn) and enough
/// services for the loop to split.
@Suite("traffic loop threads", .serialized)
struct TrafficThreadsTests {
  /// 96 services over 8 defect-prone teams: every 6th with KPA-scaled replicas, every
  /// 8th (from the 2nd) a Flagger blue/green canary that mirrors live requests.
  static func scenario(in directory: URL) throws -> String {
    let policies = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios/policies/golden-path").path
    let monitoring = PlatformSimProcess.repositoryRoot.appendingPathComponent("scenarios/monitoring").path
    let weights = "    maxWeight: 50\n    stepWeight: 10\n"
    let canary = try String(contentsOfFile: "\(policies)/flagger-canary.yaml", encoding: .utf8)
      .replacingOccurrences(of: weights, with: "    iterations: 4\n    mirror: true\n")
    #expect(canary.contains("mirror: true"), "the Flagger fixture no longer has the weights this test replaces")
    let canaryPath = directory.appendingPathComponent("canary-mirror.yaml").path
    try canary.write(toFile: canaryPath, atomically: true, encoding: .utf8)
    var text = """
      apiVersion: platformsim.dev/v1alpha1
      kind: Scenario
      metadata: {name: traffic-threads}
      spec:
        simulation: {start: 2026-01-05T00:00:00, timeZone: Europe/Berlin, duration: 3d, seed: 11}
        delivery:
          runnerPool: {runners: 30}
          rollout:
            strategy: canary
            rollout: \(policies)/rollout.yaml
            analysisTemplates: [\(policies)/analysis-error-ratio.yaml]
        monitoring:
          rules: [\(policies)/serving-alerts.yaml]
          alertmanager: \(monitoring)/alertmanager.yml
        teams:

      """
    for team in 0..<8 {
      text += """
            - name: team-\(team)
              tags: {Owner: t\(team)@example.com, CostCenter: CC-\(team)}
              engineers: 6
              changes: {ratePerHour: 1.5}
              defects: {probability: 0.3, kinds: {error-rate: 0.4, latency: 0.4, quality: 0.2}}

        """
    }
    text += "  services:\n"
    for service in 0..<96 {
      text += "    - {name: svc-\(service), team: team-\(service % 8), requestsPerSecond: \(3 + 7 * (service % 9))"
      if service % 6 == 0 {
        text += ", serving: {replicaCapacity: 20, minReplicas: 1, maxReplicas: 6"
        text += ", autoscaler: {kind: kpa, targetUtilization: 0.7}, coldStart: {lognormal: {median: 20s, p90: 60s}}}"
      } else if service % 8 == 1 {
        text += ", rollout: {strategy: flagger, canary: \(canaryPath)}"
      }
      text += "}\n"
    }
    let path = directory.appendingPathComponent("scenario.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("1, 2 and 3 threads write identical tables, with canaries, mirrors, replicas and latency defects")
  func threadCountInvariance() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try Self.scenario(in: directory)
    let database = directory.appendingPathComponent("runs.sqlite").path
    for jobs in ["1", "2", "3"] {
      let result = try PlatformSimProcess.run(["run", scenario, "--db", database, "--jobs", jobs, "--quiet"])
      #expect(result.status == 0, "\(result.standardError)")
    }
    let store = try ResultStore(path: database)
    let digests = try (1...3).map { try store.digest(of: RunID(Int64($0))) }
    #expect(digests[0] == digests[1])
    #expect(digests[0] == digests[2])
    // The run went through every path the split treats differently.
    func count(_ sql: String) throws -> Int64 { try store.database.scalar(sql)?.intValue ?? 0 }
    #expect(try count("SELECT count(*) FROM deployments WHERE run_id = 1 AND strategy = 'flagger'") > 10)
    #expect(try count("SELECT count(*) FROM deployments WHERE run_id = 1 AND strategy = 'canary'") > 100)
    #expect(try count("SELECT count(*) FROM deployments WHERE run_id = 1 AND status = 'aborted'") > 10)
    #expect(try count("SELECT count(*) FROM alerts WHERE run_id = 1") > 10)
    #expect(
      try count("SELECT count(*) FROM changes WHERE run_id = 1 AND defect_kind = 'latency' AND deploy_id IS NOT NULL")
        > 10)
  }
}
