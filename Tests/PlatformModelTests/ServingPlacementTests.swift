import Policies
import SimKernel
import Testing

@testable import PlatformModel

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
    catalogue: InstanceCatalogue = .awsUSEast1,
    autoscaler: ClusterAutoscalerConfiguration? = ClusterAutoscalerConfiguration(),
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
      probability: 0, kindWeights: [(.errorRate, 1)], errorRateIncrease: .constant(0),
      latencyIncreaseSeconds: .constant(0),
      qualityDrop: .constant(0))
    let pipeline = PipelineConfiguration(
      ciStages: [], registryPush: .constant(30), trigger: .webhook(delay: .constant(1)), syncDuration: .constant(15),
      rolloutDuration: .constant(120), fixDelay: .constant(1_800))
    let onCall = OnCallConfiguration(
      noticeDelay: [:], responseTime: .constant(300), rollbackProbability: 1, rollbackDuration: .constant(180),
      fixForwardDuration: .constant(1_800), progressDeadline: .seconds(600))
    let delivery = DeliveryConfiguration(
      teams: teams.map { DeliveryTeam(name: $0.name, engineerCount: 1, changeArrivals: nil, defects: defects) },
      services: serviceList, pipeline: pipeline, onCall: onCall, targets: DeliveryTargets(),
      trafficInterval: .minutes(1))
    let configuration = WorldConfiguration(
      calendar: ClusterFixture.calendar, seed: RandomSeed(root: seed), runnerPool: nil, delivery: delivery,
      cluster: cluster,
      teams: teams, governance: GovernanceConfiguration(requiredTags: [], admission: .off), horizon: .days(days))
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
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
    let state = try #require(simulation.model.serving?.replicas.states[ServiceID(0)])
    #expect(state.ready == 2)
    #expect(state.coldStarts == 0)
    #expect(
      cluster.nodeTable.nodes.filter { $0.servingPods.count == 1 }.count == 2, "a g5.xlarge holds one 1-GPU replica")
    #expect(state.capacityFailures == 0)
  }

  @Test("serving GPUs count in GPU allocation and, by their busy share, in GPU utilisation")
  func servingGPUUtilisation() throws {
    // Two 1-GPU replicas of 10 rps each on two g5.xlarge nodes, 15 rps of load: both GPUs
    // allocated all the time, 1.5 of them busy.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 2)],
      services: [(0, 15, ServingFixture.serving(minReplicas: 2, maxReplicas: 2))], autoscaler: nil, days: 1)
    _ = ServingFixture.finish(&simulation, days: 1)
    let metrics = simulation.model.metrics(endTime: .zero + .days(1))
    let allocation = try #require(metrics.first { $0.name == "cluster.gpu_allocation" }?.value)
    let utilisation = try #require(metrics.first { $0.name == "cluster.gpu_utilisation" }?.value)
    #expect(abs(allocation - 1) < 0.01)
    // Poisson load around 15 rps over 20 rps of replicas: about 75 % busy.
    #expect(abs(utilisation - 0.75) < 0.02, "utilisation \(utilisation)")
  }

  @Test(
    "a replica that fits no node is pending; the Cluster Autoscaler grows the pool and the cold start begins at binding"
  )
  func pendingReplicasScaleThePoolUp() throws {
    // Three fixed replicas, but the pool starts with one node: two pods pend.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 5, desired: 1, delay: .constant(180))],
      services: [(0, 25, ServingFixture.serving(minReplicas: 3, maxReplicas: 3))])
    _ = simulation.run(until: .zero + .seconds(30))
    var state = try #require(simulation.model.serving?.replicas.states[ServiceID(0)])
    #expect(state.pendingCount == 2)
    #expect(simulation.model.cluster?.servingPods.pending.count == 2)
    _ = simulation.run(until: .zero + .minutes(30))
    let cluster = try #require(simulation.model.cluster)
    state = try #require(simulation.model.serving?.replicas.states[ServiceID(0)])
    #expect(cluster.statistics.scaleUps >= 1)
    #expect(cluster.nodeTable.nodes.count == 3, "one node per pending replica")
    #expect(state.pendingCount == 0 && state.ready == 3)
    // Bound when the nodes were Ready (CA scan ≤ 10 s + 180 s provisioning), ready a
    // 60 s cold start later: the two late replicas came up between 4 and 5 minutes.
    let lateReadyTimes = state.replicas.compactMap(\.readyAt).filter { $0 > SimTime.zero }.map {
      ($0 - SimTime.zero).seconds
    }
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
        name: "flaky.gpu", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, onDemandPriceUSDPerHour: 1,
        spotPriceUSDPerHour: 0.3,
        spotInterruption: .meanTimeBetween(.hours(6))))
    // Exactly enough capacity for the load: losing one replica overloads the service.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, type: "flaky.gpu", max: 10, desired: 3, delay: .constant(120))],
      services: [(0, 28, ServingFixture.serving(minReplicas: 3, maxReplicas: 3))], catalogue: catalogue,
      market: SpotMarketConfiguration(noticeWindow: .minutes(2)))
    let kpis = ServingFixture.finish(&simulation, days: 3)
    let state = try #require(simulation.model.serving?.replicas.states[ServiceID(0)])
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.statistics.spotNotices >= 5)
    #expect(state.evictions == cluster.statistics.servingEvictions)
    #expect(state.evictions >= 5)
    #expect(state.coldStarts == state.evictions, "every eviction costs one replacement cold start")
    #expect(state.capacityFailures > 0, "the service runs short while a replacement starts")
    #expect(kpi(kpis, "serving_replica_evictions") == Double(state.evictions))
    // An eviction leaves the service one replica short (28 rps on 20 rps of capacity: 8 rps
    // shed) for the replacement node (2 min), the cold start (1 min) and up to one
    // interval of lag: about 240 s, so well under 300 s × 8 rps on average.
    let failedPerEviction = Double(state.capacityFailures) / Double(state.evictions)
    #expect(failedPerEviction < 300 * 8)
  }

  @Test(
    "with serving pods, allocated + idle equals node cost to the micro-dollar, and serving cost lands on its team's tags"
  )
  func costReconciles() throws {
    var simulation = ServingFixture.world(
      pools: [
        ClusterFixture.pool("gpu", .onDemand, max: 6, desired: 1, delay: .constant(120)),
        ClusterFixture.pool("cpu", .onDemand, type: "m5.xlarge", max: 6, desired: 1, delay: .constant(60)),
      ],
      services: [
        (
          0, 30,
          ServingFixture.serving(
            minReplicas: 1, maxReplicas: 6,
            autoscaler: .hpa(targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilization: .seconds(300)),
            nodePool: "gpu")
        ),
        (
          1, 40,
          ServingFixture.serving(
            minReplicas: 1, maxReplicas: 12,
            autoscaler: .kpa(
              targetUtilization: 0.7, stableWindow: .seconds(60), panicThreshold: 2, scaleToZeroGrace: .seconds(30)),
            perReplica: Resources(cpuMillis: 1_000, memoryMiB: 2_048, gpuCount: 0), nodePool: "cpu")
        ),
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
    #expect(cluster.nodeTable.nodes.filter { $0.pool == PoolID(1) }.count >= 2)
  }

  @Test("scaling down deletes pods and frees their nodes for the autoscaler to remove")
  func scaleDownFreesNodes() throws {
    // An office-hours load: 9–17 h at 50 rps, else nothing but the HPA's floor.
    var simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 10, desired: 1, delay: .constant(120))],
      services: [
        (
          0, 50,
          ServingFixture.serving(
            minReplicas: 1, maxReplicas: 10,
            autoscaler: .hpa(targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilization: .seconds(300)))
        )
      ],
      days: 1)
    var hours = [Double](repeating: 0.02, count: 24)
    for hour in 9..<17 { hours[hour] = 1 }
    var configuration = simulation.model.configuration
    configuration.delivery!.services[0].loadProfile = RateProfile(
      hourOfDay: hours, dayOfWeek: Array(repeating: 1, count: 7))
    simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    _ = simulation.run(until: .zero + .hours(13))
    let busyNodes = simulation.model.cluster!.nodeTable.active.count
    #expect(busyNodes >= 7, "50 rps at 70 % of 10 rps per replica: 8 one-GPU replicas")
    _ = simulation.run(until: .zero + .hours(23))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.nodeTable.active.count == 1, "the replica floor on the pool's last node")
    #expect(cluster.statistics.scaleDowns >= busyNodes - 1)
    #expect(simulation.model.serving?.replicas.states[ServiceID(0)]?.replicas.count == 1)
  }
}

@Suite("Argo Rollouts basic-canary replica arithmetic")
struct ArgoBasicCanaryTests {
  /// Cases from Argo Rollouts' `utils/replicaset/canary_test.go`
  /// (`TestApproximateWeightedNewStableReplicaCounts`) and policy-semantics.md §1.2.
  @Test(arguments: [
    (10, 10, 3, 1, 9), (10, 41, 3, 4, 6), (3, 50, 1, 2, 2), (1, 5, 1, 1, 1), (10, 18, 1, 2, 9), (10, 20, 1, 2, 8),
    (10, 24, 1, 3, 8), (10, 25, 1, 3, 8), (10, 99, 1, 10, 1), (10, 100, 1, 10, 0), (10, 0, 1, 0, 10),
    // One pod that cannot surge: the canary gets none ("zero allowed").
    (1, 5, 0, 0, 1),
  ])
  func targetCounts(replicas: Int, weight: Int, surge: Int, canary: Int, stable: Int) {
    let counts = ArgoBasicCanary.targetCounts(replicas: replicas, weight: weight, maxSurge: surge)
    #expect(counts.canary == canary && counts.stable == stable, "R=\(replicas) w=\(weight) surge=\(surge): \(counts)")
  }

  /// Cases of Argo Rollouts' `TestCalculateReplicaCountsForCanary` (basic canary, no
  /// older ReplicaSets): [R, weight, surge, unavailable, stable spec, stable available,
  /// canary spec, canary available, expected stable, expected canary].
  @Test(arguments: [
    [10, 100, 3, 0, 7, 8, 6, 3, 7, 6], [10, 20, 2, 0, 10, 10, 0, 0, 10, 2], [10, 20, 2, 0, 10, 10, 2, 2, 8, 2],
    [10, 30, 2, 0, 10, 10, 0, 0, 10, 2], [10, 20, 0, 2, 10, 10, 0, 0, 8, 0], [10, 30, 0, 2, 10, 10, 0, 0, 8, 0],
    [10, 50, 2, 1, 10, 10, 0, 0, 9, 2], [10, 0, 1, 1, 10, 10, 1, 1, 10, 0], [10, 100, 1, 1, 1, 1, 10, 10, 0, 10],
    [1, 20, 1, 0, 1, 1, 0, 0, 1, 1], [1, 90, 1, 0, 1, 1, 0, 0, 1, 1], [10, 30, 0, 3, 8, 5, 4, 4, 7, 3],
    [10, 100, 1, 0, 10, 2, 10, 8, 2, 9], [10, 5, 0, 1, 10, 10, 0, 0, 9, 0], [10, 5, 0, 1, 9, 9, 0, 0, 9, 1],
    [4, 100, 1, 0, 4, 1, 0, 0, 4, 1], [3, 99, 0, 2, 3, 3, 0, 0, 1, 0], [3, 99, 0, 2, 1, 1, 0, 0, 1, 2],
    [4, 100, 1, 0, 4, 1, 1, 1, 3, 1], [4, 0, 1, 0, 0, 0, 4, 4, 1, 4], [4, 0, 1, 0, 1, 0, 4, 4, 1, 4],
    [4, 0, 1, 0, 1, 1, 4, 4, 1, 3],
  ])
  func reconcile(_ row: [Int]) {
    let next = ArgoBasicCanary.reconcile(
      replicas: row[0], weight: row[1], surge: row[2], unavailable: row[3],
      canary: ReplicaSetCounts(spec: row[6], available: row[7]),
      stable: ReplicaSetCounts(spec: row[4], available: row[5]))
    #expect(next.stable == row[8] && next.canary == row[9], "\(row): \(next)")
  }

  @Test("25 % rounds surge up and unavailability down; both zero allow one unavailable pod")
  func fenceposts() {
    #expect(ArgoBasicCanary.fenceposts(maxSurge: .percent(25), maxUnavailable: .percent(25), replicas: 10) == (3, 2))
    #expect(ArgoBasicCanary.fenceposts(maxSurge: .percent(25), maxUnavailable: .percent(25), replicas: 3) == (1, 0))
    #expect(ArgoBasicCanary.fenceposts(maxSurge: .percent(10), maxUnavailable: .count(0), replicas: 4) == (1, 0))
    #expect(ArgoBasicCanary.fenceposts(maxSurge: .percent(0), maxUnavailable: .percent(10), replicas: 5) == (0, 1))
    // Argo's "0%" and "0%": one pod may be unavailable, so R = 10 at 10 % first drops a stable pod.
    let zero = ArgoBasicCanary.fenceposts(maxSurge: .percent(0), maxUnavailable: .percent(0), replicas: 10)
    let next = ArgoBasicCanary.reconcile(
      replicas: 10, weight: 10, surge: zero.surge, unavailable: zero.unavailable,
      canary: ReplicaSetCounts(spec: 0, available: 0),
      stable: ReplicaSetCounts(spec: 10, available: 10))
    #expect(next.stable == 9 && next.canary == 0)
  }

  /// R = 10 to 50 % with maxSurge 25 % (3) and maxUnavailable 0, pods ready between
  /// reconciles, by hand from §1.2: surge 3 canaries, retire 3 stable once they are
  /// available, 2 more canaries, retire 2 stable.
  @Test func convergesWithinTheBudgets() {
    var canary = ReplicaSetCounts(spec: 0, available: 0)
    var stable = ReplicaSetCounts(spec: 10, available: 10)
    var steps: [[Int]] = []
    for _ in 0..<6 {
      let next = ArgoBasicCanary.reconcile(
        replicas: 10, weight: 50, surge: 3, unavailable: 0, canary: canary, stable: stable)
      steps.append([next.canary, next.stable])
      canary = ReplicaSetCounts(spec: next.canary, available: canary.available)
      stable = ReplicaSetCounts(spec: next.stable, available: min(stable.available, next.stable))
      // Between reconciles the new canary pods become available.
      canary.available = canary.spec
    }
    #expect(steps == [[3, 10], [3, 7], [5, 7], [5, 5], [5, 5], [5, 5]])
  }
}

@Suite("Argo canary pods on a served service")
struct CanaryReplicaTests {
  /// Fraud scorer at 10 fixed replicas (95 rps, 10 rps each), canary 10 % → 50 %.
  func world(maxSurge: ReplicaBudget, maxUnavailable: ReplicaBudget) -> World {
    let base = deliveryWorld(seed: 3, defectProbability: 0)
    var configuration = base.configuration
    configuration.delivery!.services[0].requestsPerSecond = 95
    configuration.delivery!.services[0].serving = ServingConfiguration(
      replicaCapacity: 10, minReplicas: 10, maxReplicas: 10, initialReplicas: 10, autoscaler: .fixed,
      coldStart: .constant(150))
    var canary = ArgoCanary(
      steps: [.setWeight(10), .pause(.minutes(10)), .setWeight(50), .pause(.minutes(10))], backgroundAnalysis: nil)
    canary.maxSurge = maxSurge
    canary.maxUnavailable = maxUnavailable
    configuration.delivery!.services[0].rollout = .argoCanary(canary)
    return World(configuration: configuration, rows: nil)
  }

  struct Sample {
    var weight: Int
    var canary: Int
    var total: Int
    /// Pods ready (available), stable and canary.
    var available: Int
  }

  /// One sample per traffic interval while a canary sizes the service's pods.
  func samples(_ world: World, days: Int64 = 3) -> (samples: [Sample], world: World) {
    var simulation = Simulation(model: world)
    simulation.model.start(scheduler: &simulation.scheduler)
    var samples: [Sample] = []
    var time = SimTime.zero
    while time < .zero + .days(days) {
      time = time + .minutes(1)
      _ = simulation.run(until: time)
      guard let state = simulation.model.serving?.replicas.states[ServiceID(0)], let sizing = state.canarySizing else {
        continue
      }
      let canary = state.replicas.filter { $0.track == .canary }.count
      let available = state.replicas.filter { $0.readyAt.map { $0 <= time } ?? false }.count
      samples.append(Sample(weight: sizing.weight, canary: canary, total: state.replicas.count, available: available))
    }
    return (samples, simulation.model)
  }

  @Test("maxSurge 25 %: one extra pod at the 10 % step, three at the 50 % step, never fewer than 10 ready")
  func surge() throws {
    let (samples, world) = samples(world(maxSurge: .percent(25), maxUnavailable: .count(0)))
    let tenPercent = samples.filter { $0.weight == 10 }
    let fiftyPercent = samples.filter { $0.weight == 50 }
    try #require(!tenPercent.isEmpty && !fiftyPercent.isEmpty, "canaries ran")
    // R = 10, w = 10: Argo's target is 1 canary + 9 stable; 11 pods until the canary is ready.
    #expect(tenPercent.map(\.total).max() == 11)
    #expect(tenPercent.map(\.canary).max() == 1)
    #expect(tenPercent.contains { $0.total == 10 && $0.canary == 1 }, "the surge pod goes once the canary is available")
    // w = 50: 5 + 5, reached through 13 pods (R + surge 3) at most.
    #expect(fiftyPercent.map(\.total).max() == 13)
    #expect(fiftyPercent.map(\.canary).max() == 5)
    #expect(samples.allSatisfy { $0.total <= 13 })
    // maxUnavailable 0: never fewer than spec.replicas ready.
    #expect(samples.map(\.available).min() == 10)
    let state = try #require(world.serving?.replicas.states[ServiceID(0)])
    if state.canarySizing == nil { #expect(state.replicas.count == 10, "back to spec.replicas after promotion") }
  }

  @Test(
    "a setWeight step completes once Argo's counts are reached with every pod available; users reach the canary through its ready pods"
  )
  func stepsWaitForAvailablePods() throws {
    var simulation = Simulation(model: world(maxSurge: .percent(25), maxUnavailable: .count(0)))
    simulation.model.start(scheduler: &simulation.scheduler)
    var completedTenPercent = 0
    var canaryStarting = 0
    var time = SimTime.zero
    while time < .zero + .days(3) {
      time = time + .minutes(1)
      _ = simulation.run(until: time)
      guard let delivery = simulation.model.delivery, let canary = delivery.rollouts.canaries[ServiceID(0)],
        let serving = simulation.model.serving, let state = serving.replicas.states[ServiceID(0)],
        let sizing = state.canarySizing
      else { continue }
      let ready = state.replicas.filter { $0.readyAt.map { $0 <= time } ?? false }
      let canaryReady = ready.filter { $0.track == .canary }.count
      let share = serving.replicas.canaryTrafficShare(ServiceID(0), weight: canary.weight, at: time)
      #expect(share == Double(canaryReady) / Double(ready.count), "users are spread over ready pods")
      if canaryReady == 0 {
        // The canary pod is still starting (150 s): no user reaches it, whatever the weight.
        #expect(share == 0)
        canaryStarting += 1
      }
      if canary.weight == 10 && sizing.weight == 10 {
        // Completed only at 1 canary + 9 stable, all available: the surge pod is gone.
        #expect(state.replicas.count == 10 && canaryReady == 1 && ready.count == 10)
        completedTenPercent += 1
      }
    }
    #expect(completedTenPercent > 0 && canaryStarting > 0)
  }

  /// The canary world with 1.5 vCPU pods, two per m5.xlarge: the 10 stable replicas fill
  /// the pool's 5 nodes and the surge pod for a canary can never be placed.
  func unplaceableWorld(abortAtDeadline: Bool) -> Simulation<World> {
    let base = world(maxSurge: .percent(25), maxUnavailable: .count(0))
    var configuration = base.configuration
    configuration.delivery!.services[0].serving!.placement = ServingPlacement(
      perReplica: Resources(cpuMillis: 1_500, memoryMiB: 2_048, gpuCount: 0))
    if case .argoCanary(var canary) = configuration.delivery!.services[0].rollout {
      canary.progressDeadlineAbort = abortAtDeadline
      configuration.delivery!.services[0].rollout = .argoCanary(canary)
    }
    configuration.cluster = ClusterConfiguration(
      name: "test",
      nodePools: [ClusterFixture.pool("cpu", .onDemand, type: "m5.xlarge", max: 5, desired: 5, delay: .constant(60))],
      autoscaler: ClusterAutoscalerConfiguration())
    configuration.teams = [
      TeamConfiguration(
        name: "fraud", tags: [("Owner", "anna@example.com"), ("CostCenter", "CC-4711")], jobStreams: []),
      TeamConfiguration(
        name: "search", tags: [("Owner", "li@example.com"), ("CostCenter", "CC-5120")], jobStreams: []),
    ]
    configuration.governance = GovernanceConfiguration(requiredTags: [], admission: .off)
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    return simulation
  }

  @Test("a canary whose pods never get a node is Degraded at the progress deadline and keeps waiting (Argo's default)")
  func unplaceableCanaryWaits() throws {
    var simulation = unplaceableWorld(abortAtDeadline: false)
    _ = simulation.run(until: .zero + .days(3))
    let delivery = try #require(simulation.model.delivery)
    let served = delivery.argoCD.deployments.filter { $0.service == ServiceID(0) }
    // (The first deployment has no stable ReplicaSet yet: Argo skips its steps.)
    let canaries = Array(served.dropFirst())
    try #require(!canaries.isEmpty)
    #expect(canaries.allSatisfy { $0.status == .inProgress }, "\(canaries.map(\.status))")
    #expect(canaries.first?.degraded == true)
    #expect(canaries.count == 1, "later changes wait for the stuck rollout")
    #expect(delivery.incidents.records.isEmpty)
    // Nothing failed, nothing was aborted: only `rollouts_degraded` shows the stuck rollout.
    let kpis = DeliveryKPIs.compute(
      delivery, serving: try #require(simulation.model.serving), window: .days(3),
      calendar: simulation.model.configuration.calendar)
    #expect(kpis.first { $0.name == "rollouts_degraded" }?.value == 1)
    #expect(kpis.first { $0.name == "canary_aborts" }?.value == 0)
  }

  @Test("a canary pod slower than the progress deadline makes the rollout Degraded, then it completes")
  func slowPodsDoNotStall() throws {
    let base = world(maxSurge: .percent(25), maxUnavailable: .count(0))
    var configuration = base.configuration
    configuration.delivery!.services[0].serving!.coldStart = .constant(900)  // 15 min > 600 s
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    _ = simulation.run(until: .zero + .days(3))
    let delivery = try #require(simulation.model.delivery)
    let canaries = Array(delivery.argoCD.deployments.filter { $0.service == ServiceID(0) }.dropFirst())
    try #require(!canaries.isEmpty)
    #expect(canaries.allSatisfy { $0.status != .stalled })
    #expect(canaries.contains { $0.status == .succeeded && $0.degraded })
  }

  @Test("with progressDeadlineAbort it stalls at the deadline instead, without an incident, and delivery goes on")
  func unplaceableCanaryAborts() throws {
    var simulation = unplaceableWorld(abortAtDeadline: true)
    _ = simulation.run(until: .zero + .days(3))
    let delivery = try #require(simulation.model.delivery)
    let served = delivery.argoCD.deployments.filter { $0.service == ServiceID(0) }
    let stalled = served.filter { $0.status == .stalled }
    #expect(stalled.count >= 2, "each canary of the scorer stalls, and the next one still starts")
    #expect(
      served.dropFirst().allSatisfy { $0.status == .stalled || $0.status == .inProgress },
      "none reaches production: \(served.map { "\($0.kind) \($0.status)" })")
    #expect(delivery.incidents.records.allSatisfy { incident in !stalled.contains { $0.id == incident.cause } })
    #expect(
      simulation.model.serving?.replicas.states[ServiceID(0)]?.replicas.filter { $0.track == .canary }.count ?? 0 <= 1)
  }

  @Test("maxUnavailable 20 % without surge: the stable shrinks before the canary is ready, and the service overloads")
  func unavailable() throws {
    let (surgeSamples, surgeWorld) = samples(world(maxSurge: .percent(25), maxUnavailable: .count(0)))
    let (samples, world) = samples(world(maxSurge: .count(0), maxUnavailable: .percent(20)))
    try #require(!samples.isEmpty)
    #expect(samples.allSatisfy { $0.total <= 10 }, "no surge: never more than spec.replicas pods")
    #expect(samples.map(\.available).min() == 8, "two stable pods go before their canary replacements are ready")
    #expect(surgeSamples.map(\.available).min() == 10)
    let shed = try #require(world.serving?.replicas.states[ServiceID(0)]?.capacityFailures)
    let surgeShed = try #require(surgeWorld.serving?.replicas.states[ServiceID(0)]?.capacityFailures)
    // 95 rps on 8 ready replicas (80 rps) sheds; with surge the 10 stay ready.
    #expect(shed > surgeShed + 10_000)
  }
}

@Suite("Argo canary pods placed on the cluster")
struct PlacedCanaryTests {
  /// The canary world with the fraud scorer's replicas as 1-vCPU pods on an m5.xlarge
  /// pool (4 per node) that the Cluster Autoscaler grows.
  @Test("surge pods are pods: the pool grows for them and their node-time is charged to the team")
  func surgePodsArePlacedAndCharged() throws {
    let base = CanaryReplicaTests().world(maxSurge: .percent(25), maxUnavailable: .count(0))
    var configuration = base.configuration
    configuration.delivery!.services[0].serving!.placement = ServingPlacement(
      perReplica: Resources(cpuMillis: 1_000, memoryMiB: 2_048, gpuCount: 0))
    configuration.cluster = ClusterConfiguration(
      name: "test",
      nodePools: [ClusterFixture.pool("cpu", .onDemand, type: "m5.xlarge", max: 10, desired: 3, delay: .constant(60))],
      autoscaler: ClusterAutoscalerConfiguration())
    configuration.teams = [
      TeamConfiguration(
        name: "fraud", tags: [("Owner", "anna@example.com"), ("CostCenter", "CC-4711")], jobStreams: []),
      TeamConfiguration(
        name: "search", tags: [("Owner", "li@example.com"), ("CostCenter", "CC-5120")], jobStreams: []),
    ]
    configuration.governance = GovernanceConfiguration(requiredTags: [], admission: .off)
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    var mostPodsBound = 0
    var time = SimTime.zero
    while time < .zero + .days(2) {
      time = time + .minutes(1)
      _ = simulation.run(until: time)
      let bound = simulation.model.cluster!.nodeTable.nodes.reduce(0) { $0 + $1.servingPods.count }
      mostPodsBound = max(mostPodsBound, bound)
    }
    simulation.model.recordUnfinished(endTime: time)
    let cluster = try #require(simulation.model.cluster)
    // 10 replicas fill 2½ of the 3 nodes; the 50 % step's 3 surge pods need a 4th node.
    #expect(mostPodsBound == 13)
    #expect(cluster.statistics.scaleUps >= 1)
    #expect(cluster.nodeTable.nodes.count >= 4)
    #expect(cluster.ledger.allocatedPlusIdle == cluster.ledger.nodeCost)
    #expect(cluster.ledger.teamTotal(0) == cluster.servingCostMicroUSD[0])
    // Ten pods for two days at OpenCost's share of an m5.xlarge (CPU ¼ of 65 %, RAM ⅛ of
    // 35 % of $0.192/h), plus the surge pods' time.
    let type = try #require(InstanceCatalogue.awsUSEast1.type(named: "m5.xlarge"))
    let onePod = CostMath.allocation(
      request: Resources(cpuMillis: 1_000, memoryMiB: 2_048, gpuCount: 0), capacity: type.capacity,
      split: NodePriceSplit(priceUSDPerHour: type.onDemandPriceUSDPerHour, capacity: type.capacity), duration: .days(2))
    let steady = 10 * onePod.total
    #expect(cluster.servingCostMicroUSD[0] > steady)
    #expect(cluster.servingCostMicroUSD[0] < steady + steady / 10)
  }
}

@Suite("Node removal with serving replicas on the node")
struct ServingDrainTests {
  /// Two one-node pools of 4-vCPU nodes.
  ///
  /// Service 0's replica (1 vCPU) may run anywhere and lands on pool `a`'s node; service 1's only on pool `b`'s. Each
  /// node is a quarter used, and service 0's replica fits beside the other one.
  static func world(safeToEvict: Bool, karpenter: Bool) -> Simulation<World> {
    let small = Resources(cpuMillis: 1_000, memoryMiB: 2_048, gpuCount: 0)
    var flexible = ServingFixture.serving(minReplicas: 1, maxReplicas: 1, perReplica: small)
    flexible.placement?.safeToEvict = safeToEvict
    let pinned = ServingFixture.serving(minReplicas: 1, maxReplicas: 1, perReplica: small, nodePool: "b")
    let simulation = ServingFixture.world(
      pools: [
        ClusterFixture.pool("a", .onDemand, type: "m5.xlarge", desired: 1),
        ClusterFixture.pool("b", .onDemand, type: "m5.xlarge", desired: 1),
      ],
      services: [(0, 2, flexible), (1, 2, pinned)], days: 1)
    var configuration = simulation.model.configuration
    if karpenter {
      configuration.cluster!.autoscaler = nil
      configuration.cluster!.karpenter = KarpenterConfiguration()
    }
    var rebuilt = Simulation(model: World(configuration: configuration, rows: nil))
    rebuilt.model.start(scheduler: &rebuilt.scheduler)
    return rebuilt
  }

  @Test(
    "an underused node whose replica fits elsewhere is drained: the replica moves with a cold start, the node goes",
    arguments: [false, true])
  func replicaMoves(karpenter: Bool) throws {
    var simulation = Self.world(safeToEvict: true, karpenter: karpenter)
    // Placed by the first scheduling pass; Karpenter's first look is 10 s in.
    _ = simulation.run(until: .zero + .seconds(1))
    let start = try #require(simulation.model.cluster)
    let firstNode = try #require(start.servingPods.pods[ServiceID(0)][0].node)
    let pinnedNode = try #require(start.servingPods.pods[ServiceID(1)][0].node)
    #expect(firstNode != pinnedNode)
    _ = simulation.run(until: .zero + .hours(2))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.nodeTable[firstNode].phase == .terminated)
    #expect(cluster.nodeTable[firstNode].endReason == (karpenter ? .consolidation : .scaleDown))
    #expect(cluster.nodeTable.active == [pinnedNode], "the pinned replica's node stays, now holding both")
    #expect(cluster.servingPods.pods[ServiceID(0)][0].node == pinnedNode)
    #expect(cluster.servingPods.pods[ServiceID(0)][0].attempt == 2)
    let state = try #require(simulation.model.serving?.replicas.states[ServiceID(0)])
    #expect(state.evictions == 1)
    #expect(state.coldStarts == 1, "the replacement's (the replicas the run starts with are warm)")
    #expect(state.replicas.allSatisfy { $0.readyAt != nil })
  }

  @Test("safeToEvict: false keeps the node, as safe-to-evict=false / do-not-disrupt do", arguments: [false, true])
  func notSafeToEvict(karpenter: Bool) throws {
    var simulation = Self.world(safeToEvict: false, karpenter: karpenter)
    _ = simulation.run(until: .zero + .hours(2))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.nodeTable.active.count == 2)
    #expect(cluster.statistics.scaleDowns + cluster.statistics.consolidations == 0)
    #expect(simulation.model.serving?.replicas.states[ServiceID(0)]?.evictions == 0)
  }
}

@Suite("Preemption between serving replicas and training pods")
struct ServingPreemptionTests {
  /// A fixed-size pool of one-GPU nodes (no autoscaler), a training stream (jobs are
  /// submitted by hand) and one service with one-GPU replicas of `servingPriority`.
  static func world(
    nodes: Int, servingPriority: Int, jobPriority: Int, serving: ServingConfiguration
  ) -> Simulation<World> {
    var placed = serving
    placed.placement?.priority = servingPriority
    let simulation = ServingFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: nodes, desired: nodes)], services: [(0, 10, placed)],
      autoscaler: nil, days: 1)
    var configuration = simulation.model.configuration
    configuration.teams[0].jobStreams = [ClusterFixture.gpuStream(priority: jobPriority, capacity: .onDemand)]
    var rebuilt = Simulation(model: World(configuration: configuration, rows: nil))
    rebuilt.model.start(scheduler: &rebuilt.scheduler)
    return rebuilt
  }

  @Test("a replica with no room evicts a lower-priority training job and takes its node")
  func replicaPreemptsTraining() throws {
    // One replica at first (load near zero for an hour), two once the load comes.
    var simulation = Self.world(
      nodes: 2, servingPriority: 1_000, jobPriority: 100,
      serving: ServingFixture.serving(
        minReplicas: 1, maxReplicas: 2,
        autoscaler: .hpa(targetUtilization: 0.7, tolerance: 0.1, scaleDownStabilization: .seconds(300))))
    var configuration = simulation.model.configuration
    var hours = [Double](repeating: 1, count: 24)
    hours[0] = 0.02
    configuration.delivery!.services[0].loadProfile = RateProfile(
      hourOfDay: hours, dayOfWeek: Array(repeating: 1, count: 7))
    simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    _ = simulation.run(until: .zero + .minutes(1))
    ClusterFixture.submit(&simulation, solveTime: .hours(6))
    _ = simulation.run(until: .zero + .minutes(30))
    let before = try #require(simulation.model.cluster)
    #expect(!before.training.jobs[JobID(0)].nodes.isEmpty, "the job took the free node")
    _ = simulation.run(until: .zero + .hours(2))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.training.jobs[JobID(0)].preemptions == 1)
    #expect(cluster.training.jobs[JobID(0)].phase == .pending, "no room left for it")
    #expect(cluster.servingPods.pods[ServiceID(0)].filter { $0.node != nil }.count == 2)
    #expect(cluster.statistics.servingPreemptions == 0)
  }

  /// One node held by one replica; a 30-minute training job submitted a minute in.
  static func replicaThenJob(servingPriority: Int, jobPriority: Int) -> Simulation<World> {
    var simulation = world(
      nodes: 1, servingPriority: servingPriority, jobPriority: jobPriority,
      serving: ServingFixture.serving(minReplicas: 1, maxReplicas: 1))
    _ = simulation.run(until: .zero + .minutes(1))
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    return simulation
  }

  @Test("a training job of higher priority evicts a replica, which is replaced when room appears")
  func trainingPreemptsReplica() throws {
    var simulation = Self.replicaThenJob(servingPriority: 0, jobPriority: 100)
    _ = simulation.run(until: .zero + .minutes(10))
    let during = try #require(simulation.model.cluster)
    #expect(!during.training.jobs[JobID(0)].nodes.isEmpty)
    #expect(during.statistics.servingPreemptions == 1)
    #expect(during.servingPods.pending.count == 1, "the replacement waits for the GPU")
    #expect(simulation.model.serving?.replicas.states[ServiceID(0)]?.evictions == 1)
    _ = simulation.run(until: .zero + .hours(3))
    let after = try #require(simulation.model.cluster)
    #expect(after.training.jobs[JobID(0)].phase == .finished)
    #expect(after.servingPods.pods[ServiceID(0)][0].node != nil, "bound again once the job finished")
    #expect(after.servingPods.pods[ServiceID(0)][0].attempt == 2)
  }

  @Test("equal priorities never preempt: the job waits for the replica's GPU")
  func equalPrioritiesWait() throws {
    var simulation = Self.replicaThenJob(servingPriority: 100, jobPriority: 100)
    _ = simulation.run(until: .zero + .hours(3))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.training.jobs[JobID(0)].phase == .pending)
    #expect(cluster.statistics.servingPreemptions == 0 && cluster.statistics.preemptions == 0)
  }
}
