import Monitoring
import Testing

@testable import PlatformModel
@testable import SimKernel

/// A small platform: two teams, three services, a runner pool, defaults elsewhere.
func deliveryWorld(
  seed: UInt64 = 7, days: Int64 = 20, defectProbability: Double = 0.1,
  kinds: [(kind: DefectKind, weight: Double)] = [
    (.errorRate, 0.5), (.latency, 0.2), (.crashOnStart, 0.15), (.quality, 0.15),
  ],
  trigger: SyncTrigger = .polling(interval: .seconds(120), jitter: .seconds(60)), rollbackProbability: Double = 0.7
) -> World {
  let calendar = SimCalendar(startEpochSeconds: 1_767_571_200, timeZoneIdentifier: "UTC", horizon: .days(days))!
  var hours = [Double](repeating: 0, count: 24)
  for hour in 8..<18 { hours[hour] = 1 }
  let changes = ArrivalProcess(
    ratePerHour: 2, profile: RateProfile(hourOfDay: hours, dayOfWeek: [1, 1, 1, 1, 1, 0, 0]))
  let defects = DefectModel(
    probability: defectProbability, kindWeights: kinds, errorRateIncrease: .uniform(low: 0.05, high: 0.2),
    latencyIncreaseSeconds: .constant(4), qualityDrop: .constant(0.05))
  let teams = [
    DeliveryTeam(name: "fraud", engineerCount: 5, changeArrivals: changes, defects: defects),
    DeliveryTeam(name: "search", engineerCount: 3, changeArrivals: changes, defects: defects),
  ]
  let services = [
    ServiceConfiguration(
      name: "fraud-scorer", team: TeamID(0), requestsPerSecond: 30, loadProfile: .flat, baselineErrorRatio: 0.001,
      baselineLatencySeconds: 0.1, timeoutSeconds: 2),
    ServiceConfiguration(
      name: "fraud-explainer", team: TeamID(0), requestsPerSecond: 5, loadProfile: .flat, baselineErrorRatio: 0.001,
      baselineLatencySeconds: 0.2, timeoutSeconds: 2),
    ServiceConfiguration(
      name: "ranker", team: TeamID(1), requestsPerSecond: 80, loadProfile: .flat, baselineErrorRatio: 0.002,
      baselineLatencySeconds: 0.05, timeoutSeconds: 1),
  ]
  var pipeline = PipelineConfiguration(
    ciStages: [
      CIStage(
        name: "unit-tests", duration: .lognormal(median: 180, p90: 480), failureProbability: 0.05,
        flakeProbability: 0.05, maximumRetries: 2),
      CIStage(
        name: "docker-build", duration: .lognormal(median: 240, p90: 600), failureProbability: 0, flakeProbability: 0,
        maximumRetries: 0),
    ],
    registryPush: .lognormal(median: 30, p90: 90), trigger: trigger, syncDuration: .lognormal(median: 15, p90: 45),
    rolloutDuration: .lognormal(median: 600, p90: 1_200), fixDelay: .lognormal(median: 1_800, p90: 7_200))
  pipeline.trigger = trigger
  let onCall = OnCallConfiguration(
    noticeDelay: [
      .errorRate: .lognormal(median: 1_200, p90: 3_600), .latency: .lognormal(median: 2_700, p90: 7_200),
      .quality: .lognormal(median: 86_400, p90: 259_200),
    ],
    responseTime: .lognormal(median: 300, p90: 1_200), rollbackProbability: rollbackProbability,
    rollbackDuration: .lognormal(median: 180, p90: 600), fixForwardDuration: .lognormal(median: 2_700, p90: 7_200),
    progressDeadline: .seconds(600))
  let configuration = WorldConfiguration(
    calendar: calendar, seed: RandomSeed(root: seed),
    runnerPool: RunnerPoolConfiguration(runnerCount: 3, backgroundJobs: nil, recordsJobRows: false),
    delivery: DeliveryConfiguration(
      teams: teams, services: services, pipeline: pipeline, onCall: onCall, targets: DeliveryTargets(),
      trafficInterval: .minutes(1)))
  return World(configuration: configuration, rows: nil)
}

func run(_ world: World, days: Int64 = 20) -> World {
  var simulation = Simulation(model: world)
  simulation.model.start(scheduler: &simulation.scheduler)
  _ = simulation.run(until: .zero + .days(days))
  return simulation.model
}

func kpi(_ values: [KPIValue], _ name: String) -> Double? { values.first { $0.name == name }?.value }

@Suite("Delivery model")
struct DeliveryTests {
  @Test("lead time decomposes exactly into its stages")
  func leadTimeDecomposition() throws {
    let world = run(deliveryWorld())
    let kpis = world.kpis(endTime: .zero + .days(20))
    let mean = try #require(kpi(kpis, "lead_time_mean_seconds"))
    let stages = DeliveryKPIs.stages.compactMap { kpi(kpis, "lead_time_stage_\($0)_mean_seconds") }
    #expect(stages.count == DeliveryKPIs.stages.count)
    #expect(abs(stages.reduce(0, +) - mean) < 1e-6 * mean)
    #expect(stages.allSatisfy { $0 >= 0 })
    // CI runs on the runner pool: both waiting for and running on runners take time.
    #expect(stages[0] > 0 && stages[1] > 0)
  }

  @Test("changes that become ready during a rollout are batched; each deployed change is in exactly one deployment")
  func batching() throws {
    let delivery = try #require(run(deliveryWorld()).delivery)
    let deployed = delivery.commits.changes.filter { $0.outcome == .deployed }
    #expect(deployed.count > 100)
    var carriedBy: [Int64: Int] = [:]
    for deployment in delivery.argoCD.deployments {
      for change in deployment.changes { carriedBy[change.rawValue, default: 0] += 1 }
    }
    for change in deployed { #expect(carriedBy[change.id.rawValue] == 1) }
    #expect(delivery.argoCD.deployments.contains { $0.changes.count > 1 }, "10-minute rollouts must batch some changes")
    // No two planned deployments of a service overlap: each starts after the previous one finished.
    for service in 0..<3 {
      let planned = delivery.argoCD.deployments.filter {
        $0.service.rawValue == service && $0.kind != .rollback && $0.status == .succeeded
      }
      for (previous, next) in zip(planned, planned.dropFirst()) {
        #expect(next.startedAt >= previous.finishedAt!)
      }
    }
  }

  @Test("an error-rate defect fails requests and opens an incident that recovery closes")
  func errorRateIncidents() throws {
    let delivery = try #require(
      run(deliveryWorld(defectProbability: 0.2, kinds: [(.errorRate, 1)], rollbackProbability: 1)).delivery)
    #expect(delivery.incidents.records.count > 5)
    for incident in delivery.incidents.records where incident.resolvedAt != nil {
      #expect(incident.failedRequests > 0)
      #expect(incident.detection == .humanNotice)
      #expect(incident.resolution == .rollback)
      #expect(incident.detectedAt! >= incident.openedAt && incident.resolvedAt! > incident.detectedAt!)
      #expect(delivery.argoCD.deployments[incident.cause].neededRemediation)
    }
    #expect(delivery.argoCD.deployments.contains { $0.kind == .rollback && $0.status == .succeeded })
  }

  @Test(
    "a quality regression fails no request; a crash-on-start stalls the rollout and is caught by the progress deadline")
  func silentAndStalledDefects() throws {
    let quality = try #require(run(deliveryWorld(defectProbability: 0.2, kinds: [(.quality, 1)])).delivery)
    #expect(!quality.incidents.records.isEmpty)
    #expect(quality.incidents.records.allSatisfy { $0.failedRequests == 0 && $0.kind == .quality })
    let crash = try #require(run(deliveryWorld(defectProbability: 0.2, kinds: [(.crashOnStart, 1)])).delivery)
    let stalled = crash.argoCD.deployments.filter { $0.status == .stalled }
    #expect(!stalled.isEmpty)
    for incident in crash.incidents.records {
      #expect(incident.failedRequests == 0)
      #expect(incident.detection == .progressDeadline)
      let cause = crash.argoCD.deployments[incident.cause]
      #expect(incident.openedAt == cause.startedAt)
    }
  }

  @Test("a webhook shortens the wait for Argo CD; the changes and their defects are the same under both")
  func webhookVersusPolling() throws {
    let polling = run(deliveryWorld(seed: 11))
    let webhook = run(deliveryWorld(seed: 11, trigger: .webhook(delay: .uniform(low: 1, high: 5))))
    let pollingWait = try #require(
      kpi(polling.kpis(endTime: .zero + .days(20)), "lead_time_stage_sync_wait_mean_seconds"))
    let webhookWait = try #require(
      kpi(webhook.kpis(endTime: .zero + .days(20)), "lead_time_stage_sync_wait_mean_seconds"))
    #expect(webhookWait < pollingWait - 30, "polling adds about half of 120–180 s on average")
    // Common random numbers: the first changes of each team are identical.
    // Planned commits only: fixes are made at times that depend on the policy.
    let first = try #require(polling.delivery).commits.changes.filter { !$0.isFix }.prefix(200)
    let second = try #require(webhook.delivery).commits.changes.filter { !$0.isFix }.prefix(200)
    #expect(first.count == 200)
    #expect(first.map(\.committedAt) == second.map(\.committedAt))
    #expect(first.map(\.defect) == second.map(\.defect))
  }
}

@Suite("Alerting loop")
struct AlertingLoopTests {
  static let rules = """
    groups:
      - name: serving
        interval: 1m
        rules:
          - alert: ErrorRateHigh
            expr: |
              sum by (service) (rate(http_requests_total{code="500"}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.03
            for: 2m
            labels: {severity: critical}
    """
  static let alertmanager = """
    route:
      receiver: rollback
      group_by: [alertname, service]
      group_wait: 10s
    receivers:
      - name: rollback
        webhook_configs: [{url: "sim://rollback", send_resolved: false}]
    """

  func worlds() throws -> (humans: World, alerts: World) {
    let humans = deliveryWorld(seed: 5, defectProbability: 0.2, kinds: [(.errorRate, 1)], rollbackProbability: 1)
    var configuration = humans.configuration
    configuration.monitoring = MonitoringConfiguration(
      ruleGroups: try RuleFileLoader.load(yaml: Self.rules, file: "rules.yaml"),
      alertmanager: try AlertmanagerConfig.parse(yaml: Self.alertmanager, file: "alertmanager.yml"))
    return (run(humans), run(World(configuration: configuration, rows: nil)))
  }

  @Test("an error-rate alert routed to sim://rollback detects incidents and recovers faster than people do")
  func alertsRecoverFaster() throws {
    let (humans, alerts) = try worlds()
    let end = SimTime.zero + .days(20)
    let humanKPIs = humans.kpis(endTime: end)
    let alertKPIs = alerts.kpis(endTime: end)
    let alerted = try #require(alerts.delivery).incidents.records
    #expect(alerted.contains { $0.detection == .alert })
    #expect(try #require(kpi(alertKPIs, "incidents_detected_by_alert")) > 0)
    #expect(
      try #require(kpi(alertKPIs, "recovery_time_median_seconds")) < #require(
        kpi(humanKPIs, "recovery_time_median_seconds")))
    #expect(
      try #require(kpi(alertKPIs, "failed_requests_per_incident")) < #require(
        kpi(humanKPIs, "failed_requests_per_incident")))
    #expect(kpi(humanKPIs, "alerts_missed") == nil, "no alert-quality KPIs without monitoring")
    // Every alerted incident: the alert came after the incident started, and it was
    // rolled back at once.
    for incident in alerted where incident.detection == .alert {
      #expect(incident.alertedAt! >= incident.openedAt)
      #expect(incident.resolution == .rollback)
      #expect(incident.respondedAt == incident.detectedAt)
    }
    let records = try #require(alerts.monitoring).notificationRecords
    #expect(records.contains { $0.outcome == "rollback" })
  }
}

@Suite("Canary rollouts")
struct CanaryTests {
  static func canary(successBelow threshold: Double = 0.02) throws -> ArgoCanary {
    let metric = AnalysisMetric(
      name: "error-ratio", interval: .minutes(1), count: 3, initialDelay: .zero,
      successCondition: try ConditionExpression.parse("result[0] < \(threshold)"), failureCondition: nil,
      failureLimit: 0,
      inconclusiveLimit: 0, consecutiveErrorLimit: 4,
      query: """
        sum(rate(http_requests_total{service="{{args.service-name}}",track="canary",code="500"}[2m]))
        / sum(rate(http_requests_total{service="{{args.service-name}}",track="canary"}[2m]))
        """)
    let analysis = AnalysisSpec(metrics: [metric], serviceArguments: ["service-name"], fixedArguments: [])
    return ArgoCanary(
      steps: [
        .setWeight(10), .pause(.minutes(2)), .analysis(analysis), .setWeight(50), .pause(.minutes(2)),
        .analysis(analysis),
      ], backgroundAnalysis: nil)
  }

  func world(_ strategy: RolloutStrategy, seed: UInt64 = 3) -> World {
    let base = deliveryWorld(seed: seed, defectProbability: 0.15, kinds: [(.errorRate, 1)], rollbackProbability: 1)
    var configuration = base.configuration
    configuration.monitoring = MonitoringConfiguration(ruleGroups: [], alertmanager: nil)
    for index in configuration.delivery!.services.indices { configuration.delivery!.services[index].rollout = strategy }
    return World(configuration: configuration, rows: nil)
  }

  @Test("a canary with analysis fails fewer requests per defect than big-bang on the same changes")
  func canaryBeatsBigBang() throws {
    let bigBang = try #require(run(world(.bigBang)).delivery)
    let canary = try #require(run(world(.argoCanary(Self.canary()))).delivery)
    // Same changes and defects (common random numbers).
    let plannedBigBang = bigBang.commits.changes.filter { !$0.isFix }.prefix(150)
    let plannedCanary = canary.commits.changes.filter { !$0.isFix }.prefix(150)
    #expect(plannedBigBang.map(\.defect) == plannedCanary.map(\.defect))
    func failedPerDefect(_ delivery: Delivery) -> Double {
      let defects = delivery.commits.changes.filter { $0.defect != nil && $0.artifactReadyAt != nil }.count
      return Double(delivery.incidents.records.reduce(0) { $0 + $1.failedRequests }) / Double(max(1, defects))
    }
    #expect(
      failedPerDefect(canary) < failedPerDefect(bigBang) / 5,
      "canary \(failedPerDefect(canary)), big-bang \(failedPerDefect(bigBang))")
    let aborted = canary.argoCD.deployments.filter { $0.status == .aborted }
    #expect(!aborted.isEmpty)
    for deployment in aborted {
      #expect(deployment.abortReason?.contains("analysis Failed") == true)
      #expect(deployment.rolledBack)
      #expect(!deployment.neededRemediation, "an aborted canary never reached production")
    }
    // Canary-caught incidents are detected by the analysis and end when traffic returns to stable.
    for incident in canary.incidents.records where incident.detection == .canaryAnalysis {
      #expect(incident.resolution == .canaryAbort)
      #expect(incident.resolvedAt == incident.detectedAt)
    }
  }

  @Test("conditions follow Argo: neither condition is Successful, an empty result is an Error, NaN fails")
  func conditionSemantics() throws {
    func phase(_ success: String?, _ failure: String?, _ result: [Double]) throws -> AnalysisPhase {
      let metric = AnalysisMetric(
        name: "m", interval: nil, count: nil, initialDelay: .zero,
        successCondition: try success.map(ConditionExpression.parse),
        failureCondition: try failure.map(ConditionExpression.parse), failureLimit: 0, inconclusiveLimit: 0,
        consecutiveErrorLimit: 4, query: "up")
      return MetricProgress.classify(result, metric: metric).0
    }
    #expect(try phase(nil, nil, [1]) == .successful)
    #expect(try phase("result[0] < 0.05", nil, []) == .error)
    #expect(try phase("result[0] < 0.05", nil, [.nan]) == .failed)
    #expect(try phase("len(result) == 0 || result[0] < 0.05", nil, []) == .successful)
    #expect(try phase("result[0] < 0.05", "result[0] > 0.1", [0.07]) == .inconclusive)
    #expect(try phase(nil, "isNaN(result[0]) || result[0] > 0.1", [.nan]) == .failed)
    // failureLimit 0 fails on the first failure; limit 2 on the third (Failed > limit).
    var progress = MetricProgress()
    let tolerant = AnalysisMetric(
      name: "m", interval: .minutes(1), count: 5, initialDelay: .zero, successCondition: nil, failureCondition: nil,
      failureLimit: 2, inconclusiveLimit: 0, consecutiveErrorLimit: 4, query: "up")
    for _ in 0..<2 { progress.record(.failed, metric: tolerant) }
    #expect(progress.phase == .running)
    progress.record(.failed, metric: tolerant)
    #expect(progress.phase == .failed)
    // The fifth consecutive error makes the metric an Error; errors do not count toward `count`.
    var errors = MetricProgress()
    for _ in 0..<4 { errors.record(.error, metric: tolerant) }
    #expect(errors.phase == .running && errors.count == 0)
    errors.record(.error, metric: tolerant)
    #expect(errors.phase == .error)
    #expect(throws: ConditionExpression.ParseError.self) { try ConditionExpression.parse("result[0] <") }
  }
}

@Suite("Serving capacity and autoscaling")
struct ServingTests {
  func world(_ serving: ServingConfiguration, profile: RateProfile = .flat, requestsPerSecond: Double = 30) -> World {
    let base = deliveryWorld(seed: 9, defectProbability: 0)
    var configuration = base.configuration
    configuration.delivery!.services[0].serving = serving
    configuration.delivery!.services[0].loadProfile = profile
    configuration.delivery!.services[0].requestsPerSecond = requestsPerSecond
    return World(configuration: configuration, rows: nil)
  }

  @Test("a fixed pool too small for the load sheds the excess")
  func overload() throws {
    let serving = ServingConfiguration(
      replicaCapacity: 10, minReplicas: 2, maxReplicas: 2, initialReplicas: 2, autoscaler: .fixed,
      coldStart: .constant(30))
    let served = try #require(run(world(serving, requestsPerSecond: 50), days: 2).serving)
    let state = try #require(served.replicas.states[ServiceID(0)])
    let requests = Double(served.trafficTotals()[0].requests)
    // 50 rps against 20 rps of capacity: 60 % shed.
    #expect(abs(Double(state.capacityFailures) / requests - 0.6) < 0.01)
  }

  @Test("the HPA settles at ceil(load / (capacity × target)) and stops shedding")
  func hpaSettles() throws {
    let serving = ServingConfiguration(
      replicaCapacity: 10, minReplicas: 1, maxReplicas: 40, initialReplicas: 1,
      autoscaler: .hpa(targetUtilization: 0.8, tolerance: 0.1, scaleDownStabilization: .seconds(300)),
      coldStart: .constant(30))
    let served = try #require(run(world(serving, requestsPerSecond: 100), days: 2).serving)
    let state = try #require(served.replicas.states[ServiceID(0)])
    // 100 rps at 80 % of 10 rps per replica: 13 replicas (12.5 rounded up), within tolerance.
    #expect((12...14).contains(state.ready))
    // Only the ramp-up hour sheds.
    #expect(Double(state.capacityFailures) / Double(served.trafficTotals()[0].requests) < 0.01)
  }

  @Test("Knative scales an office-hours service to zero at night, paying cold starts instead")
  func scaleToZero() throws {
    var hours = [Double](repeating: 0, count: 24)
    for hour in 9..<17 { hours[hour] = 1 }
    let profile = RateProfile(hourOfDay: hours, dayOfWeek: [1, 1, 1, 1, 1, 0, 0])
    let kpa = ServingConfiguration(
      replicaCapacity: 5, minReplicas: 0, maxReplicas: 4, initialReplicas: 1,
      autoscaler: .kpa(
        targetUtilization: 0.7, stableWindow: .seconds(60), panicThreshold: 2, scaleToZeroGrace: .seconds(30)),
      coldStart: .constant(20))
    let alwaysOn = ServingConfiguration(
      replicaCapacity: 5, minReplicas: 1, maxReplicas: 4, initialReplicas: 1,
      autoscaler: .kpa(
        targetUtilization: 0.7, stableWindow: .seconds(60), panicThreshold: 2, scaleToZeroGrace: .seconds(30)),
      coldStart: .constant(20))
    let zero = try #require(
      run(world(kpa, profile: profile, requestsPerSecond: 2), days: 14).serving?.replicas.states[ServiceID(0)])
    let floor = try #require(
      run(world(alwaysOn, profile: profile, requestsPerSecond: 2), days: 14).serving?.replicas.states[ServiceID(0)])
    #expect(zero.replicaSeconds < floor.replicaSeconds * 0.5, "scale to zero saves most replica-hours")
    #expect(zero.coldStarts >= 10, "one cold start each working morning at least")
    // The activator holds requests for the 20 s cold start; those queued longer than the
    // 2 s timeout fail: about (20 − 2) / 60 of the first minute's requests each morning.
    #expect(zero.coldStartFailures > 0)
    #expect(floor.coldStartFailures == 0)
    let perMorning = Double(zero.coldStartFailures) / Double(zero.coldStarts)
    #expect(perMorning < 2 * 60 * 18 / 60 + 10)
  }
}

@Suite("Flagger canaries")
struct FlaggerTests {
  func world(_ flagger: FlaggerCanary, defects: Double) -> World {
    let base = deliveryWorld(seed: 4, defectProbability: defects, kinds: [(.errorRate, 1)], rollbackProbability: 1)
    var configuration = base.configuration
    configuration.monitoring = MonitoringConfiguration(ruleGroups: [], alertmanager: nil)
    for index in configuration.delivery!.services.indices {
      configuration.delivery!.services[index].rollout = .flagger(flagger)
    }
    return World(configuration: configuration, rows: nil)
  }

  static let flagger = FlaggerCanary(
    interval: .minutes(1), threshold: 2, stepWeights: [10, 20, 30, 40, 50], maxWeight: 50,
    checks: [FlaggerCanary.Check(name: "request-success-rate", minimum: 98, maximum: nil, window: .minutes(3))])

  @Test("promotion takes about interval × (steps + 3 ticks), as Flagger documents")
  func promotionTime() throws {
    let delivery = try #require(run(world(Self.flagger, defects: 0), days: 5).delivery)
    let canaries = delivery.argoCD.deployments.filter { $0.status == .succeeded && $0.maximumCanaryWeight != nil }
    #expect(canaries.count > 20)
    for deployment in canaries {
      let minutes = (deployment.finishedAt! - deployment.startedAt).seconds / 60
      // 1 tick to detect, 5 weight steps, 1 tick at maxWeight, 2 ticks promoting; plus the sync.
      #expect(minutes >= 9 && minutes < 11.5, "took \(minutes) min, weight \(deployment.maximumCanaryWeight ?? -1)")
      #expect(deployment.maximumCanaryWeight == 50)
    }
  }

  /// `Self.flagger` with `iterations`: blue/green (`share` 0) or A/B testing.
  static func iterating(_ count: Int, share: Int) -> FlaggerCanary {
    var canary = flagger
    canary.iterations = .init(
      count: count, canaryShare: share, switchesBeforePromotion: share == 0, shadowShare: share == 0 ? 10 : 0)
    return canary
  }

  @Test(
    "iterations: promotion after detect + iterations (+ blue/green's switch tick) + promote + 2 promoting ticks",
    arguments: [(0, 5, 100, 10.0), (10, 5, 10, 9.0), (25, 3, 25, 7.0)] as [(Int, Int, Int, Double)])
  func iterationTime(share: Int, count: Int, maximumWeight: Int, ticks: Double) throws {
    let delivery = try #require(run(world(Self.iterating(count, share: share), defects: 0), days: 5).delivery)
    let canaries = delivery.argoCD.deployments.filter { $0.status == .succeeded && $0.maximumCanaryWeight != nil }
    #expect(canaries.count > 20)
    for deployment in canaries {
      let minutes = (deployment.finishedAt! - deployment.startedAt).seconds / 60
      // Flagger's runBlueGreen: iterations 1…N with no live traffic, then all traffic
      // to the canary for one checked tick; runAB: N iterations at the matching share.
      #expect(minutes >= ticks && minutes < ticks + 2.5, "took \(minutes) min")
      #expect(deployment.maximumCanaryWeight == maximumWeight)
    }
  }

  @Test("blue/green: the test traffic's checks catch a defect before any live traffic reaches the canary")
  func blueGreenRollback() throws {
    let delivery = try #require(run(world(Self.iterating(5, share: 0), defects: 0.3), days: 5).delivery)
    let aborted = delivery.argoCD.deployments.filter { $0.status == .aborted }
    #expect(!aborted.isEmpty)
    #expect(aborted.allSatisfy { $0.abortReason?.contains("failed checks ≥ threshold 2") == true })
    // Most are caught on the test traffic, before the switch; one the few test requests
    // missed is caught at the switch (all traffic) — never at another weight.
    let beforeSwitch = aborted.filter { $0.maximumCanaryWeight == 0 }.count
    #expect(beforeSwitch * 2 > aborted.count, "\(beforeSwitch) of \(aborted.count) before the switch")
    #expect(aborted.allSatisfy { [0, 100].contains($0.maximumCanaryWeight) })
  }

  @Test("failed checks accumulate and roll back once they reach the threshold")
  func rollback() throws {
    let delivery = try #require(run(world(Self.flagger, defects: 0.3), days: 5).delivery)
    let aborted = delivery.argoCD.deployments.filter { $0.status == .aborted }
    #expect(!aborted.isEmpty)
    #expect(aborted.allSatisfy { $0.abortReason?.contains("failed checks ≥ threshold 2") == true })
  }
}
