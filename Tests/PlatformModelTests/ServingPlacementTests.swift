import Testing

@testable import PlatformModel
import Policies
import SimKernel

/// Worlds with one placed service (and optionally a training team) on a small cluster.
enum ServingFixture {
  static let teams = [
    TeamConfiguration(name: "fraud", tags: [("Owner", "anna@example.com"), ("CostCenter", "CC-4711")], jobStreams: []),
    TeamConfiguration(name: "search", tags: [("Owner", "li@example.com"), ("CostCenter", "CC-5120")], jobStreams: []),
  ]

  static func serving(
    minReplicas: Int = 2, maxReplicas: Int = 10, autoscaler: ReplicaAutoscaler = .fixed,
    perReplica: Resources = Resources(cpuMillis: 3_000, memoryMiB: 12_288, gpuCount: 1), nodePool: String? = nil
  ) -> ServingConfiguration {
    ServingConfiguration(
      replicaCapacity: 10, minReplicas: minReplicas, maxReplicas: maxReplicas, initialReplicas: minReplicas,
      autoscaler: autoscaler, coldStart: .constant(60), replicaCostPerHour: 99,
      placement: ServingPlacement(perReplica: perReplica, nodePool: nodePool))
  }

  /// `services`: (team index, requests per second, serving).
  static func world(
    pools: [NodePoolConfiguration], services: [(team: Int, requestsPerSecond: Double, serving: ServingConfiguration)],
    catalogue: InstanceCatalogue = .awsUSEast1, autoscaler: ClusterAutoscalerConfiguration? = ClusterAutoscalerConfiguration(),
    market: SpotMarketConfiguration = SpotMarketConfiguration(), seed: UInt64 = 5, days: Int64 = 3
  ) -> Simulation<World> {
    let cluster = ClusterConfiguration(
      name: "test", catalogue: catalogue, nodePools: pools, spotMarket: market, autoscaler: autoscaler)
    let serviceList = services.enumerated().map { index, entry in
      var service = ServiceConfiguration(
        name: "service-\(index)", team: TeamID(Int32(entry.team)), requestsPerSecond: entry.requestsPerSecond,
        loadProfile: .flat, baselineErrorRatio: 0, baselineLatencySeconds: 0.1, timeoutSeconds: 2)
      service.serving = entry.serving
      return service
    }
    let defects = DefectModel(
      probability: 0, kindWeights: [(.errorRate, 1)], errorRateIncrease: .constant(0), latencyIncreaseSeconds: .constant(0),
      qualityDrop: .constant(0))
    let pipeline = PipelineConfiguration(
      ciStages: [], registryPush: .constant(30), trigger: .webhook(delay: .constant(1)), syncDuration: .constant(15),
      rolloutDuration: .constant(120), fixDelay: .constant(1_800))
    let onCall = OnCallConfiguration(
      noticeDelay: [:], responseTime: .constant(300), rollbackProbability: 1, rollbackDuration: .constant(180),
      fixForwardDuration: .constant(1_800), progressDeadline: .seconds(600))
    let delivery = DeliveryConfiguration(
      teams: teams.map { DeliveryTeam(name: $0.name, engineerCount: 1, changeArrivals: nil, defects: defects) },
      services: serviceList, pipeline: pipeline, onCall: onCall, targets: DeliveryTargets(), trafficInterval: .minutes(1))
    let configuration = WorldConfiguration(
      calendar: ClusterFixture.calendar, seed: RandomSeed(root: seed), runnerPool: nil, delivery: delivery, cluster: cluster,
      teams: teams, governance: GovernanceConfiguration(requiredTags: [], admission: .off), horizon: .days(days))
    var simulation = Simulation(model: World(configuration: configuration, recorder: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    return simulation
  }

  /// Runs to the end and closes the books.
  static func finish(_ simulation: inout Simulation<World>, days: Int64) -> [KPIValue] {
    let end = SimTime.zero + .days(days)
    _ = simulation.run(until: end)
    simulation.model.recordUnfinished(endTime: end)
    return simulation.model.kpis(endTime: end)
  }
}

@Suite("Serving replicas placed on the cluster")
struct ServingPlacementTests {
  @Test("the replicas the run starts with are pods bound at once, serving from the first minute")
  func initialReplicasAreBound() throws {
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 2)],
      services: [(0, 15, ServingFixture.serving(minReplicas: 2, maxReplicas: 2))], autoscaler: nil)
    _ = simulation.run(until: .zero + .minutes(5))
    let cluster = try #require(simulation.model.cluster)
    let state = try #require(simulation.model.delivery?.servingStates[0])
    #expect(state.ready == 2)
    #expect(state.coldStarts == 0)
    #expect(cluster.nodes.filter { $0.servingPods.count == 1 }.count == 2, "a g5.xlarge holds one 1-GPU replica")
    #expect(state.capacityFailures == 0)
  }

  @Test("a replica that fits no node is pending; the Cluster Autoscaler grows the pool and the cold start begins at binding")
  func pendingReplicasScaleThePoolUp() throws {
    // Three fixed replicas, but the pool starts with one node: two pods pend.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 5, desired: 1, delay: .constant(180))],
      services: [(0, 25, ServingFixture.serving(minReplicas: 3, maxReplicas: 3))])
    _ = simulation.run(until: .zero + .seconds(30))
    var state = try #require(simulation.model.delivery?.servingStates[0])
    #expect(state.pendingCount == 2)
    #expect(simulation.model.cluster?.pendingServingPods.count == 2)
    _ = simulation.run(until: .zero + .minutes(30))
    let cluster = try #require(simulation.model.cluster)
    state = try #require(simulation.model.delivery?.servingStates[0])
    #expect(cluster.statistics.scaleUps >= 1)
    #expect(cluster.nodes.count == 3, "one node per pending replica")
    #expect(state.pendingCount == 0 && state.ready == 3)
    // Bound when the nodes were Ready (CA scan ≤ 10 s + 180 s provisioning), ready a
    // 60 s cold start later: the two late replicas came up between 4 and 5 minutes.
    let lateReadyTimes = state.replicas.compactMap(\.readyAt).filter { $0 > SimTime.zero }.map { ($0 - SimTime.zero).seconds }
    #expect(lateReadyTimes.count == 2)
    #expect(lateReadyTimes.allSatisfy { (240...251).contains($0) }, "\(lateReadyTimes)")
    // 25 rps on one ready replica of 10 rps sheds until the others are ready.
    #expect(state.capacityFailures > 0)
  }

  @Test("a spot reclaim evicts the replicas on the node: requests fail until the replacement is bound and warm")
  func spotInterruptionEvictsReplicas() throws {
    var catalogue = InstanceCatalogue.awsUSEast1
    catalogue.upsert(
      InstanceType(
        name: "flaky.gpu", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, onDemandPriceUSDPerHour: 1, spotPriceUSDPerHour: 0.3,
        spotInterruption: .meanTimeBetween(.hours(6))))
    // Exactly enough capacity for the load: losing one replica overloads the service.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, type: "flaky.gpu", max: 10, desired: 3, delay: .constant(120))],
      services: [(0, 28, ServingFixture.serving(minReplicas: 3, maxReplicas: 3))], catalogue: catalogue,
      market: SpotMarketConfiguration(noticeWindow: .minutes(2)))
    let kpis = ServingFixture.finish(&simulation, days: 3)
    let state = try #require(simulation.model.delivery?.servingStates[0])
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.statistics.spotNotices >= 5)
    #expect(state.evictions == cluster.statistics.servingEvictions)
    #expect(state.evictions >= 5)
    #expect(state.coldStarts == state.evictions, "every eviction costs one replacement cold start")
    #expect(state.capacityFailures > 0, "the service runs short while a replacement starts")
    #expect(kpi(kpis, "serving_replica_evictions") == Double(state.evictions))
    // Each eviction leaves at most: 2 min for the new node + 60 s cold start + one interval of lag.
    let failedPerEviction = Double(state.capacityFailures) / Double(state.evictions)
    #expect(failedPerEviction < 28 * 300 * (28 - 20) / 28)
  }

  @Test("with serving pods, allocated + idle equals node cost to the micro-dollar, and serving cost lands on its team's tags")
  func costReconciles() throws {
    var simulation = ServingFixture.world(
      pools: [
        ClusterFixture.pool("gpu", .onDemand, max: 6, desired: 1, delay: .constant(120)),
        ClusterFixture.pool("cpu", .onDemand, type: "m5.xlarge", max: 6, desired: 1, delay: .constant(60)),
      ],
      services: [
        (0, 30, ServingFixture.serving(
          minReplicas: 1, maxReplicas: 6,
          autoscaler: .hpa(targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilization: .seconds(300)), nodePool: "gpu")),
        (1, 40, ServingFixture.serving(
          minReplicas: 1, maxReplicas: 12,
          autoscaler: .kpa(targetUtilization: 0.7, stableWindow: .seconds(60), panicThreshold: 2, scaleToZeroGrace: .seconds(30)),
          perReplica: Resources(cpuMillis: 1_000, memoryMiB: 2_048, gpuCount: 0), nodePool: "cpu")),
      ])
    let kpis = ServingFixture.finish(&simulation, days: 2)
    let cluster = try #require(simulation.model.cluster)
    let ledger = cluster.ledger
    #expect(ledger.nodeCost > 0)
    #expect(ledger.allocatedPlusIdle == ledger.nodeCost)
    let servingCost = cluster.servingCostMicroUSD
    #expect(ledger.teamTotal(0) == servingCost[0] && servingCost[0] > 0, "fraud's spend is its GPU replicas'")
    #expect(ledger.teamTotal(1) == servingCost[1] && servingCost[1] > 0)
    // A 1-GPU replica on a g5.xlarge takes the GPU share (83 %) plus 3/4 of CPU and RAM.
    let metrics = simulation.model.metrics(endTime: .zero + .days(2))
    #expect(metrics.first { $0.name == "cost.by_cost_center.CC-4711" }?.value == servingCost[0].usd)
    #expect(metrics.first { $0.name == "cost.serving_by_team.search" }?.value == servingCost[1].usd)
    // The KPI takes the cluster's allocation, not `replicaCostPerHour` (99 $/h here).
    #expect(abs((kpi(kpis, "serving_cost_usd") ?? 0) - (servingCost[0] + servingCost[1]).usd) < 1e-9)
    // The CPU service grew its pool: 40 rps at 70 % of 10 rps needs 6 replicas of 1 vCPU
    // and 2 GiB, more than one m5.xlarge (4 vCPU) holds.
    #expect(cluster.nodes.filter { $0.pool == 1 }.count >= 2)
  }

  @Test("scaling down deletes pods and frees their nodes for the autoscaler to remove")
  func scaleDownFreesNodes() throws {
    // An office-hours load: 9–17 h at 50 rps, else nothing but the HPA's floor.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 10, desired: 1, delay: .constant(120))],
      services: [(0, 50, ServingFixture.serving(
        minReplicas: 1, maxReplicas: 10,
        autoscaler: .hpa(targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilization: .seconds(300))))],
      days: 1)
    var hours = [Double](repeating: 0.02, count: 24)
    for hour in 9..<17 { hours[hour] = 1 }
    var configuration = simulation.model.configuration
    configuration.delivery!.services[0].loadProfile = RateProfile(hourOfDay: hours, dayOfWeek: Array(repeating: 1, count: 7))
    simulation = Simulation(model: World(configuration: configuration, recorder: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    _ = simulation.run(until: .zero + .hours(13))
    let busyNodes = simulation.model.cluster!.activeNodes.count
    #expect(busyNodes >= 7, "50 rps at 70 % of 10 rps per replica: 8 one-GPU replicas")
    _ = simulation.run(until: .zero + .hours(23))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.activeNodes.count == 1, "the replica floor on the pool's last node")
    #expect(cluster.statistics.scaleDowns >= busyNodes - 1)
    #expect(simulation.model.delivery?.servingStates[0]?.replicas.count == 1)
  }
}
