import ResultRows
import Testing

@testable import PlatformModel
@testable import SimKernel

/// The DORA definitions of docs/KPIS.md, recomputed from the delivery records' ground
/// truth (which deployment brought which defect into production) rather than from the
/// flags the KPIs read.
@Suite("KPI definitions")
struct KPIDefinitionTests {
  /// Canaries whose analysis passes anything (success below 100 % errors): every defect
  /// slips through to production, as quality defects do past an error-rate analysis.
  func leakyCanaryWorld() throws -> World {
    let base = deliveryWorld(seed: 3, defectProbability: 0.15, kinds: [(.errorRate, 1)], rollbackProbability: 0.5)
    var configuration = base.configuration
    configuration.monitoring = MonitoringConfiguration(ruleGroups: [], alertmanager: nil)
    let canary = try CanaryTests.canary(successBelow: 1.01)
    for index in configuration.delivery!.services.indices {
      configuration.delivery!.services[index].rollout = .argoCanary(canary)
    }
    return World(configuration: configuration, rows: nil)
  }

  /// Canaries whose analysis fails above `threshold` errors: with error-rate increases
  /// of 5–20 %, 0.02 catches every defect, 0.1 about two in three.
  func catchingCanaryWorld(threshold: Double = 0.02) throws -> World {
    let base = deliveryWorld(seed: 3, defectProbability: 0.15, kinds: [(.errorRate, 1)], rollbackProbability: 1)
    var configuration = base.configuration
    configuration.monitoring = MonitoringConfiguration(ruleGroups: [], alertmanager: nil)
    let canary = try CanaryTests.canary(successBelow: threshold)
    for index in configuration.delivery!.services.indices {
      configuration.delivery!.services[index].rollout = .argoCanary(canary)
    }
    return World(configuration: configuration, rows: nil)
  }

  /// Production deployments (reached all users, carried changes) and, of them, those
  /// whose code had a defect the version they replaced did not: DORA's failed deployments.
  static func groundTruth(_ delivery: Delivery) -> (production: Int, failed: Int, failedIDs: [DeploymentID]) {
    var live = [[ChangeID]](repeating: [], count: delivery.configuration.services.count)
    let succeeded = delivery.argoCD.deployments.filter { $0.status == .succeeded }
      .sorted { ($0.finishedAt ?? .zero, $0.id.rawValue) < ($1.finishedAt ?? .zero, $1.id.rawValue) }
    var production = 0
    var failed: [DeploymentID] = []
    for deployment in succeeded {
      let previous = live[deployment.service.position]
      live[deployment.service.position] = deployment.codeDefects
      guard !deployment.changes.isEmpty else { continue }
      production += 1
      if deployment.codeDefects.contains(where: { !previous.contains($0) }) { failed.append(deployment.id) }
    }
    return (production, failed.count, failed)
  }

  @Test("a canary promoted with a defect its canary already exposed counts as a failed deployment")
  func promotedDefectiveCanaryFails() throws {
    let world = run(try leakyCanaryWorld())
    let delivery = try #require(world.delivery)
    let truth = Self.groundTruth(delivery)
    #expect(truth.failed > 0)
    // The case of the bug: an incident opened while the canary ran, then the canary went live.
    let promotedWithIncident = delivery.argoCD.deployments.filter { deployment in
      deployment.status == .succeeded
        && delivery.incidents.records.contains { $0.cause == deployment.id && $0.openedAt < deployment.finishedAt! }
    }
    #expect(!promotedWithIncident.isEmpty)
    for deployment in promotedWithIncident {
      #expect(deployment.neededRemediation, "deployment \(deployment.id.rawValue) shipped a defect to production")
    }
    let kpis = world.kpis(endTime: .zero + .days(20))
    #expect(kpi(kpis, "change_failure_rate") == Double(truth.failed) / Double(truth.production))
    // Some of them were rolled back after promotion: failed, and counted.
    let rolledBackAfterPromotion = delivery.argoCD.deployments.filter {
      $0.status == .succeeded && $0.maximumCanaryWeight != nil && $0.rolledBack
    }
    #expect(!rolledBackAfterPromotion.isEmpty)
    #expect(rolledBackAfterPromotion.allSatisfy { truth.failedIDs.contains($0.id) && $0.neededRemediation })
  }

  @Test("an aborted canary has no production time and counts only under canary aborts")
  func abortedCanaryIsNoDeployment() throws {
    let configuration = try catchingCanaryWorld().configuration
    let (world, sink) = ModelRowsTests.runIntoMemory(configuration, duration: .days(20))
    let delivery = try #require(world.delivery)
    let aborted = delivery.argoCD.deployments.filter { $0.status == .aborted }
    #expect(aborted.count >= 3)
    let rows = try sink.rows(DeploymentRow.self)
    for deployment in aborted {
      let row = try #require(rows.first { $0.deploymentID == deployment.id.rawValue })
      #expect(row.timeCreated == nil, "aborted deployment \(row.deploymentID) never reached production")
      #expect(row.abortedAt != nil)
      #expect(!row.neededRemediation)
    }
    for row in rows where row.status != "succeeded" { #expect(row.timeCreated == nil) }
    let kpis = world.kpis(endTime: .zero + .days(20))
    let truth = Self.groundTruth(delivery)
    #expect(kpi(kpis, "canary_aborts") == Double(aborted.count))
    #expect(kpi(kpis, "deployments") == Double(truth.production))
    #expect(kpi(kpis, "change_failure_rate") == Double(truth.failed) / Double(truth.production))
    let abortedFailures = delivery.incidents.records.filter { $0.resolution == .canaryAbort }
    #expect(!abortedFailures.isEmpty)
    #expect(
      kpi(kpis, "canary_abort_failed_requests") == Double(abortedFailures.reduce(0) { $0 + $1.failedRequests }))
  }

  @Test("recovery time is over failed production deployments: canary aborts and stalls are left out")
  func recoveryExcludesAborts() throws {
    let world = run(try catchingCanaryWorld(threshold: 0.1))
    let delivery = try #require(world.delivery)
    let incidents = delivery.incidents.records
    let aborts = incidents.filter { $0.resolution == .canaryAbort && $0.resolvedAt != nil }
    #expect(aborts.count >= 3)
    let production = incidents.filter { incident in
      delivery.argoCD.deployments[incident.cause].status == .succeeded && incident.resolvedAt != nil
    }
    #expect(!production.isEmpty)
    let durations = production.map { ($0.resolvedAt! - $0.openedAt).seconds }.sorted()
    let kpis = world.kpis(endTime: .zero + .days(20))
    #expect(kpi(kpis, "recovery_time_median_seconds") == percentileContinuous(durations, 0.5))
    let withAborts = (durations + aborts.map { ($0.resolvedAt! - $0.openedAt).seconds })
    #expect(percentileContinuous(withAborts, 0.5) != percentileContinuous(durations, 0.5))
  }

  @Test("deployment frequency counts production deployments with changes; rollbacks are counted apart")
  func rollbacksAreNotDeployments() throws {
    let world = run(deliveryWorld(defectProbability: 0.2, kinds: [(.errorRate, 1)], rollbackProbability: 1))
    let delivery = try #require(world.delivery)
    let rollbacks = delivery.argoCD.deployments.filter { $0.kind == .rollback && $0.status == .succeeded }
    #expect(rollbacks.count >= 3)
    let truth = Self.groundTruth(delivery)
    let kpis = world.kpis(endTime: .zero + .days(20))
    #expect(kpi(kpis, "deployment_frequency_per_day") == Double(truth.production) / 20)
    #expect(kpi(kpis, "rollback_deployments") == Double(rollbacks.count))
    #expect(kpi(kpis, "change_failure_rate") == Double(truth.failed) / Double(truth.production))
  }

  @Test("the brief's rollback share carries its 5 % target; DORA's rate is rated by tier, not by the target")
  func targetsAndSources() throws {
    let kpis = run(try catchingCanaryWorld(threshold: 0.1)).kpis(endTime: .zero + .days(20))
    let rollback = try #require(kpis.first { $0.name == "rollback_rate" })
    #expect(rollback.target == 0.05 && rollback.comparison == .below && rollback.source == .platformBrief)
    let failure = try #require(kpis.first { $0.name == "change_failure_rate" })
    #expect(failure.target == nil && failure.source == .dora)
    for metric in DORAMetric.allCases {
      let value = try #require(kpi(kpis, metric.kpiName))
      let tier = try #require(kpis.first { $0.name == metric.tierKPIName })
      #expect(tier.text == DORATierThresholds.current.tier(of: metric, value: value)?.rawValue)
      #expect(tier.value == DORATierThresholds.current.tier(of: metric, value: value).map { Double($0.rank) })
    }
    let overall = try #require(kpis.first { $0.name == DORATier.overallKPIName })
    let worst = DORAMetric.allCases.compactMap { metric in kpis.first { $0.name == metric.tierKPIName }?.value }.max()
    #expect(overall.value == worst)
    #expect(kpis.filter { $0.name.hasPrefix("fourkeys_") }.allSatisfy { $0.source == .fourKeys })
    #expect(kpis.filter { $0.name.hasPrefix("fourkeys_") }.count == 4)
    #expect(kpi(kpis, DORATier.yearKPIName) == 2023)
  }

  /// The tier year is a setting: the same values rate differently under the 2024 report,
  /// whose high cluster fails 20 % of changes and whose medium recovers within a day
  /// (validation-data.md §1.2).
  @Test("switching the DORA tier year to 2024 changes the tier rows as the reports define")
  func tierYearSetting() throws {
    let values = [
      KPIValue(name: "deployment_frequency_per_day", value: 0.5, unit: "per day"),
      KPIValue(name: "lead_time_median_seconds", value: 3 * 86_400, unit: "s"),
      KPIValue(name: "change_failure_rate", value: 0.15, unit: "ratio"),
      KPIValue(name: "recovery_time_median_seconds", value: 2 * 86_400, unit: "s"),
    ]
    func tiers(_ thresholds: DORATierThresholds) -> [String: String] {
      Dictionary(
        DORATierKPIs.compute(values, thresholds: thresholds).compactMap { row in row.text.map { (row.name, $0) } },
        uniquingKeysWith: { first, _ in first })
    }
    // 2023: 15 % is the medium cluster's rate; 2 days is within medium's week.
    #expect(
      tiers(.dora2023) == [
        "dora_tier.deployment_frequency": "high", "dora_tier.lead_time": "high",
        "dora_tier.change_failure_rate": "medium", "dora_tier.recovery_time": "medium", "dora_tier.overall": "medium",
      ])
    // 2024: 15 % is within high's 20 %; beyond a day, recovery is low.
    #expect(
      tiers(.dora2024) == [
        "dora_tier.deployment_frequency": "high", "dora_tier.lead_time": "high",
        "dora_tier.change_failure_rate": "high", "dora_tier.recovery_time": "low", "dora_tier.overall": "low",
      ])
    #expect(DORATierKPIs.compute(values, thresholds: .dora2024).last?.value == 2024)
    #expect(DORATierThresholds.of(year: 2022) == nil)

    // Through the scenario setting: the run's tier rows follow the year it names.
    var world = try catchingCanaryWorld(threshold: 0.1)
    var configuration = world.configuration
    configuration.delivery?.targets.doraTierYear = 2024
    world = World(configuration: configuration, rows: nil)
    let kpis = run(world).kpis(endTime: .zero + .days(20))
    #expect(kpi(kpis, DORATier.yearKPIName) == 2024)
    for metric in DORAMetric.allCases {
      let value = try #require(kpi(kpis, metric.kpiName))
      let tier = try #require(kpis.first { $0.name == metric.tierKPIName })
      #expect(tier.text == DORATierThresholds.dora2024.tier(of: metric, value: value)?.rawValue)
    }
  }
}

@Suite("Cost adds up")
struct CostTotalTests {
  @Test("cost.total_usd is nodes plus serving replicas off the cluster, the same amount as serving_cost_usd")
  func totalIncludesServing() throws {
    let base = deliveryWorld(seed: 9, defectProbability: 0)
    var configuration = base.configuration
    let serving = ServingConfiguration(
      replicaCapacity: 200, minReplicas: 3, maxReplicas: 3, initialReplicas: 3, autoscaler: .fixed,
      coldStart: .constant(30), replicaCostPerHour: 0.35)
    for index in configuration.delivery!.services.indices { configuration.delivery!.services[index].serving = serving }
    let world = run(World(configuration: configuration, rows: nil), days: 2)
    let metrics = world.metrics(endTime: .zero + .days(2))
    func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
    let kpis = world.kpis(endTime: .zero + .days(2))
    let servingKPI = try #require(kpi(kpis, "serving_cost_usd"))
    // 3 services × 3 replicas × 48 h × $0.35, give or take the first cold starts.
    #expect(servingKPI > 140 && servingKPI <= 151.2)
    let replicas = try #require(metric("cost.serving_replicas_usd"))
    #expect(abs(replicas - servingKPI) <= 0.000_000_5 + servingKPI * 1e-15)
    #expect(metric("cost.nodes_usd") == 0)
    #expect(metric("cost.total_usd") == replicas)
  }
}
