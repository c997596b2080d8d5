import SimKernel
import Testing

@testable import PlatformModel

@Suite struct ClusterSchedulingTests {
  /// A 3-worker gang waits on 2 single-GPU nodes and starts whole when a third appears.
  @Test func gangStartsAllWorkersOrNone() {
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 2)],
      streams: [ClusterFixture.gpuStream(workers: 3, capacity: .onDemand)])
    ClusterFixture.submit(&simulation, solveTime: .hours(1))
    _ = simulation.run(until: SimTime.zero + .minutes(1))
    #expect(simulation.model.cluster!.training.jobs[JobID(0)].phase == .pending)
    #expect(simulation.model.cluster!.nodeTable.nodes.allSatisfy { $0.allocated == .zero })
    simulation.model.cluster!.nodePools.setDesired(PoolID(0), 3)
    simulation.model.cluster!.reconcile(pool: PoolID(0), scheduler: &simulation.scheduler)
    _ = simulation.run(until: SimTime.zero + .minutes(2))
    let job = simulation.model.cluster!.training.jobs[JobID(0)]
    #expect(job.phase == .computing)
    #expect(Set(job.nodes).count == 3)
  }

  /// A high-priority job evicts a low-priority one, which resumes later from its checkpoint.
  @Test func higherPriorityPreemptsLowerPriority() {
    let checkpoint = CheckpointPolicy(interval: .fixed(.minutes(10)), cost: .seconds(30), restartCost: .minutes(1))
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 1)],
      streams: [
        ClusterFixture.gpuStream(priority: 0, capacity: .onDemand, checkpoint: checkpoint),
        ClusterFixture.gpuStream(priority: 100, capacity: .onDemand, checkpoint: checkpoint),
      ])
    ClusterFixture.submit(&simulation, stream: 0, solveTime: .hours(1))
    _ = simulation.run(until: SimTime.zero + .minutes(25))
    ClusterFixture.submit(&simulation, stream: 1, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(4))
    let jobs = simulation.model.cluster!.training.jobs
    #expect(jobs[JobID(0)].preemptions == 1)
    #expect(jobs[JobID(1)].firstStartedAt == SimTime.zero + .minutes(25))
    #expect(jobs[JobID(0)].phase == .finished && jobs[JobID(1)].phase == .finished)
    // Two checkpoints (at 10m30s and 21m) were saved before the preemption at 25 min.
    #expect(jobs[JobID(0)].lostGPUSeconds == 240)
  }

  /// A worker needing 16 GPUs fits no pool: it stays pending, reported unschedulable.
  @Test func unschedulableWorkloadStaysPending() {
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 2)],
      streams: [ClusterFixture.gpuStream(gpus: 16, capacity: .onDemand)])
    ClusterFixture.submit(&simulation, solveTime: .hours(1))
    _ = simulation.run(until: SimTime.zero + .hours(2))
    let cluster = simulation.model.cluster!
    #expect(cluster.training.jobs[JobID(0)].phase == .pending)
    #expect(cluster.outcome(of: cluster.training.jobs[JobID(0)]) == "unschedulable")
    #expect(cluster.podScheduler.pendingJobs == [JobID(0)])
  }

  /// `enforce` rejects a team without a CostCenter tag and records why; `audit` admits.
  @Test(arguments: [AdmissionMode.enforce, .audit])
  func admissionPolicyOnMissingTags(mode: AdmissionMode) {
    let team = TeamConfiguration(
      name: "untagged", tags: [("Owner", "x@example.com")], jobStreams: [ClusterFixture.gpuStream(capacity: .onDemand)])
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, desired: 1)], streams: [],
      governance: GovernanceConfiguration(requiredTags: ["Owner", "CostCenter"], admission: mode), teams: [team])
    ClusterFixture.submit(&simulation, solveTime: .minutes(10))
    _ = simulation.run(until: SimTime.zero + .hours(1))
    let cluster = simulation.model.cluster!
    if mode == .enforce {
      #expect(cluster.training.jobs[JobID(0)].phase == .rejected)
      #expect(cluster.training.jobs[JobID(0)].rejectionReason == "missing required tag CostCenter")
      #expect(cluster.statistics.jobsRejected == 1)
    } else {
      #expect(cluster.training.jobs[JobID(0)].phase == .finished)
      #expect(cluster.statistics.jobsAdmittedWithViolations == 1)
      #expect(cluster.costCenter(team: TeamID(0)) == "__unallocated__")
    }
  }
}

@Suite struct ClusterSpotAndScalingTests {
  /// On a 2-minute notice a job whose checkpoint (1 min) fits saves its work; with a
  /// 10-hour interval it would otherwise lose hours at each loss.
  @Test func checkpointOnNoticeSavesWork() {
    var catalogue = InstanceCatalogue.awsUSEast1
    catalogue.upsert(
      InstanceType(
        name: "flaky.gpu", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, onDemandPriceUSDPerHour: 1,
        spotPriceUSDPerHour: 0.3,
        spotInterruption: .meanTimeBetween(.hours(2))))
    let checkpoint = CheckpointPolicy(interval: .fixed(.hours(10)), cost: .minutes(1), restartCost: .minutes(2))
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, type: "flaky.gpu", desired: 4)],
      streams: [ClusterFixture.gpuStream(capacity: .spot, checkpoint: checkpoint)], catalogue: catalogue)
    ClusterFixture.submit(&simulation, solveTime: .hours(8), count: 4)
    _ = simulation.run(until: SimTime.zero + .days(3))
    let jobs = simulation.model.cluster!.training.jobs
    #expect(jobs.allSatisfy { $0.phase == .finished })
    #expect(jobs.reduce(0) { $0 + $1.noticeCheckpoints } > 0)
    // Only a notice that lands during the 2-minute restart loses anything (the restart).
    #expect(jobs.allSatisfy { $0.lostGPUSeconds <= Double($0.interruptions) * 120 })
    #expect(jobs.reduce(0) { $0 + $1.interruptions } > jobs.reduce(0) { $0 + $1.noticeCheckpoints } - 1)
  }

  /// Notices arrive at the instance type's hazard: 200 nodes × 120 h at a mean of
  /// 10 h between interruptions ≈ 2,400 notices (Poisson, σ ≈ 49).
  @Test func interruptionsFollowTheHazard() {
    var catalogue = InstanceCatalogue.awsUSEast1
    catalogue.upsert(
      InstanceType(
        name: "ten-hours", vcpuCount: 4, memoryGiB: 16, onDemandPriceUSDPerHour: 0.2, spotPriceUSDPerHour: 0.07,
        spotInterruption: .meanTimeBetween(.hours(10))))
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, type: "ten-hours", max: 200, desired: 200)], streams: [],
      catalogue: catalogue, market: SpotMarketConfiguration(noticeWindow: .zero))
    _ = simulation.run(until: SimTime.zero + .hours(120))
    let notices = Double(simulation.model.cluster!.statistics.spotNotices)
    #expect(abs(notices - 2_400) < 150)
  }

  /// A correlated event reclaims ceil(fraction × nodes) of a spot pool at once.
  @Test func correlatedReclaimTakesAFraction() {
    let market = SpotMarketConfiguration(
      noticeWindow: .seconds(120), correlatedReclaimMeanInterval: .hours(1), correlatedReclaimFraction: 0.3)
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, max: 10, desired: 10, delay: .constant(600))], streams: [],
      market: market)
    var reclaimedAtOnce = 0
    while reclaimedAtOnce == 0 {
      _ = simulation.run(until: simulation.scheduler.now + .minutes(1))
      reclaimedAtOnce = simulation.model.cluster!.nodeTable.nodes.filter { $0.endReason == .correlatedReclaim }.count
    }
    #expect(reclaimedAtOnce == 3)
  }

  /// Cluster Autoscaler: grows a pool from its minimum for pending gangs, then removes
  /// nodes 10 min after they become empty (and 10 min after the last scale-up).
  @Test func autoscalerScalesUpAndDown() {
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, min: 1, max: 10, desired: 1, delay: .constant(180))],
      streams: [ClusterFixture.gpuStream(workers: 4, capacity: .onDemand)], autoscaler: ClusterAutoscalerConfiguration()
    )
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .minutes(5))
    var cluster = simulation.model.cluster!
    #expect(cluster.nodePools.desired(PoolID(0)) == 4)
    #expect(cluster.training.jobs[JobID(0)].firstStartedAt! <= SimTime.zero + .seconds(200))
    _ = simulation.run(until: SimTime.zero + .hours(2))
    cluster = simulation.model.cluster!
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
    #expect(cluster.nodePools.desired(PoolID(0)) == 1)
    #expect(cluster.statistics.scaleDowns == 3)
    let removedAt = cluster.nodeTable.nodes.compactMap { $0.endReason == .scaleDown ? $0.terminatedAt : nil }
    let finishedAt = cluster.training.jobs[JobID(0)].finishedAt!
    #expect(removedAt.allSatisfy { $0 - finishedAt >= .minutes(10) && $0 - finishedAt <= .minutes(10) + .seconds(10) })
  }

  /// A pool of several instance types launches the first that fits the pending worker.
  @Test func mixedPoolLaunchesATypeThatFits() {
    let pool = NodePoolConfiguration(
      name: "gpu", capacityType: .onDemand, instanceTypes: ["g5.xlarge", "g5.12xlarge"], minNodes: 0, maxNodes: 4,
      desiredNodes: 0, provisioningDelay: .constant(60))
    var simulation = ClusterFixture.world(
      pools: [pool], streams: [ClusterFixture.gpuStream(gpus: 4, capacity: .onDemand)],
      autoscaler: ClusterAutoscalerConfiguration())
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(1))
    let cluster = simulation.model.cluster!
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
    #expect(cluster.nodeTable.nodes.count == 1)
    #expect(cluster.configuration.catalogue.types[cluster.nodeTable[NodeID(0)].instanceType].name == "g5.12xlarge")
  }

  /// With `evictTrainingPods`, scale-down drains a node under the threshold whose job
  /// fits elsewhere; without it the node stays until it empties.
  @Test(arguments: [true, false])
  func scaleDownDrainsUnderusedNodesWhenAllowed(evicts: Bool) {
    var autoscaler = ClusterAutoscalerConfiguration()
    autoscaler.evictsTrainingPods = evicts
    let checkpoint = CheckpointPolicy(interval: .fixed(.minutes(10)), cost: .seconds(30), restartCost: .minutes(1))
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("big", .onDemand, type: "g5.12xlarge", min: 0, max: 4, desired: 2)],
      streams: [ClusterFixture.gpuStream(capacity: .onDemand, checkpoint: checkpoint)], autoscaler: autoscaler)
    ClusterFixture.submit(&simulation, solveTime: .hours(3))
    ClusterFixture.submit(&simulation, solveTime: .minutes(20), count: 3)
    ClusterFixture.submit(&simulation, solveTime: .hours(3))
    _ = simulation.run(until: SimTime.zero + .hours(1))
    let cluster = simulation.model.cluster!
    #expect(cluster.statistics.drainEvictions == (evicts ? 1 : 0))
    #expect(cluster.nodePools.liveCount(PoolID(0)) == (evicts ? 1 : 2))
  }

  /// A node not Ready within max-node-provision-time (15 min) is given up and its
  /// group backed off; the autoscaler then grows the next group.
  @Test func slowGroupIsGivenUpAfterMaxProvisionTime() {
    var slow = ClusterFixture.pool("slow", .onDemand, max: 4, desired: 0, delay: .constant(1_800))
    slow.expanderPriority = 10
    var fast = ClusterFixture.pool("fast", .onDemand, max: 4, desired: 0, delay: .constant(120))
    fast.expanderPriority = 1
    var autoscaler = ClusterAutoscalerConfiguration()
    autoscaler.expander = .priority
    var simulation = ClusterFixture.world(
      pools: [slow, fast], streams: [ClusterFixture.gpuStream(capacity: .onDemand)], autoscaler: autoscaler)
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(2))
    let cluster = simulation.model.cluster!
    #expect(cluster.nodeTable.nodes.contains { $0.endReason == .provisionTimeout && $0.pool == PoolID(0) })
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
    let start = cluster.training.jobs[JobID(0)].firstStartedAt.map { $0 - SimTime.zero } ?? .zero
    #expect(start >= .minutes(15) && start <= .minutes(15) + .seconds(20) + .minutes(2))
  }

  /// During a spot shortage, a spot-with-fallback gang gets on-demand nodes instead.
  @Test func spotShortageFallsBackToOnDemand() {
    let market = SpotMarketConfiguration(shortageWindows: [SimTime.zero..<(SimTime.zero + .hours(6))])
    var simulation = ClusterFixture.world(
      pools: [
        ClusterFixture.pool("spot", .spot, max: 10, desired: 0, delay: .constant(120)),
        ClusterFixture.pool("od", .onDemand, max: 10, desired: 0, delay: .constant(120)),
      ],
      streams: [ClusterFixture.gpuStream(workers: 2, capacity: .spotWithFallback)], market: market,
      autoscaler: ClusterAutoscalerConfiguration())
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(1))
    let cluster = simulation.model.cluster!
    #expect(cluster.statistics.spotLaunchFailures >= 1)
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
    #expect(cluster.nodeTable.nodes.allSatisfy { $0.capacityType == .onDemand })
  }

  /// Dev pools sleep outside `Mon-Fri 08:00-20:00`; the saved node-hours are counted.
  @Test func scheduledPoolScalesToZeroAtNight() throws {
    var pool = ClusterFixture.pool("dev", .onDemand, type: "m5.xlarge", min: 1, max: 4, desired: 2)
    pool.activeSchedule = try WeeklySchedule(windows: ["Mon-Fri 08:00-20:00"])
    var simulation = ClusterFixture.world(pools: [pool], streams: [], horizon: .days(7))
    // 2026-01-05 is a Monday; the run starts at midnight UTC, outside the window.
    #expect(simulation.model.cluster!.nodeTable.nodes.isEmpty)
    _ = simulation.run(until: SimTime.zero + .hours(9))
    #expect(simulation.model.cluster!.nodePools.liveCount(PoolID(0)) == 2)
    _ = simulation.run(until: SimTime.zero + .days(7))
    simulation.model.recordUnfinished(endTime: SimTime.zero + .days(7))
    let cluster = simulation.model.cluster!
    // On 5 weekdays × 12 h, 2 nodes run: 120 node-hours; off the rest: 2 × 108 h saved.
    let nodeSeconds = cluster.nodeTable.nodes.reduce(0.0) {
      $0 + (($1.terminatedAt ?? SimTime.zero + .days(7)) - $1.requestedAt).seconds
    }
    #expect(abs(nodeSeconds / 3_600 - 120) < 1e-9)
    #expect(abs(cluster.poolSchedules.states[PoolID(0)].savedNodeSeconds / 3_600 - 216) < 1e-9)
  }
}

@Suite struct CostLedgerTests {
  /// OpenCost's invariant: allocations + idle == node cost, exactly in micro-dollars,
  /// per resource and per node, through spot losses, preemptions, autoscaling and
  /// end-of-run billing.
  @Test(arguments: [(UInt64(1), false), (2, false), (3, true), (4, true)])
  func allocatedPlusIdleEqualsNodeCost(seed: UInt64, karpenter: Bool) {
    var catalogue = InstanceCatalogue.awsUSEast1
    catalogue.upsert(
      InstanceType(
        name: "g5.xlarge", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, gpuModel: "A10G", onDemandPriceUSDPerHour: 1.006,
        spotPriceUSDPerHour: 0.4377, spotInterruption: .meanTimeBetween(.hours(3))))
    let checkpoint = CheckpointPolicy(interval: .youngDaly, cost: .minutes(1), restartCost: .minutes(3))
    let teams = [
      TeamConfiguration(
        name: "vision", tags: [("CostCenter", "CC-1"), ("Owner", "v@example.com")],
        jobStreams: [ClusterFixture.gpuStream(workers: 2, priority: 10, checkpoint: checkpoint, ratePerHour: 1.5)]),
      TeamConfiguration(
        name: "ads", tags: [("Owner", "a@example.com")],
        jobStreams: [
          TrainingJobStream(
            template: .sklearnStandard, arrivals: ArrivalProcess(ratePerHour: 3), duration: .exponential(mean: 1_800),
            workerCount: 1, perWorker: Resources(cpuMillis: 1_500, memoryMiB: 6_000, gpuCount: 0), priority: 0,
            capacity: .onDemand, checkpoint: nil)
        ]),
    ]
    var simulation = ClusterFixture.world(
      pools: [
        ClusterFixture.pool("gpu-spot", .spot, min: 0, max: 8, desired: 1, delay: .uniform(low: 60, high: 240)),
        ClusterFixture.pool("gpu-od", .onDemand, min: 1, max: 4, desired: 1, delay: .constant(180)),
        ClusterFixture.pool("cpu", .onDemand, type: "m5.xlarge", min: 1, max: 6, desired: 1, delay: .constant(90)),
      ],
      streams: [], catalogue: catalogue, autoscaler: ClusterAutoscalerConfiguration(), teams: teams, seed: seed,
      horizon: .days(3))
    if karpenter {
      let old = simulation.model.cluster!
      var configuration = old.configuration
      configuration.autoscaler = nil
      configuration.karpenter = KarpenterConfiguration()
      simulation = Simulation(
        model: World(
          configuration: WorldConfiguration(
            calendar: ClusterFixture.calendar, seed: RandomSeed(root: seed), runnerPool: nil, cluster: configuration,
            teams: teams, governance: old.governance, horizon: .days(3)),
          rows: nil))
      simulation.model.start(scheduler: &simulation.scheduler)
    }
    let end = SimTime.zero + .days(3)
    _ = simulation.run(until: end)
    simulation.model.recordUnfinished(endTime: end)
    let cluster = simulation.model.cluster!
    let ledger = cluster.ledger
    #expect(cluster.statistics.jobsFinished > 50)
    #expect(cluster.statistics.spotNotices > 0)
    if karpenter { #expect(cluster.statistics.consolidations > 0) }
    #expect(ledger.allocatedPlusIdle == ledger.nodeCost)
    #expect(ledger.idleTotal >= 0)
    // Each node on its own: parts allocated never exceed its billed parts (rounded down).
    var exact: Int128 = 0  // µ$ × 3,600
    for node in cluster.nodeTable.nodes {
      let lifetime = (node.terminatedAt ?? end) - node.requestedAt
      let billed = CostMath.billedDuration(lifetime: lifetime)
      let cost = CostMath.nodeCost(split: node.split, billed: billed)
      #expect(cost.total == CostMath.cost(microUSDPerHour: node.split.totalMicroUSDPerHour, duration: billed))
      let idle = cost - cluster.costBook.allocated(on: node.id)
      #expect(idle.cpu >= 0 && idle.ram >= 0 && idle.gpu >= 0)
      exact += Int128(node.split.totalMicroUSDPerHour) * Int128(billed.seconds)
    }
    // The total is the exact bill rounded once per pool × instance type (3 cells here).
    #expect(abs(Int128(ledger.nodeCost) * 3_600 - exact) < 3 * 3_600)
    // Team views add up to allocations; job costs add up to team costs.
    let jobTotal = cluster.training.jobs.reduce(0 as MicroUSD) { $0 + $1.cost.total }
    #expect(jobTotal == ledger.teamTotal(0) + ledger.teamTotal(1))
  }

  /// Billing is per second with a 60-second minimum.
  @Test func billingRoundsUpToSecondsWithOneMinuteMinimum() {
    #expect(CostMath.billedDuration(lifetime: .seconds(10)) == .seconds(60))
    #expect(CostMath.billedDuration(lifetime: SimDuration(microseconds: 90_000_001)) == .seconds(91))
    let split = NodePriceSplit(
      priceUSDPerHour: 1.006, capacity: InstanceCatalogue.awsUSEast1.type(named: "g5.xlarge")!.capacity)
    #expect(split.totalMicroUSDPerHour == 1_006_000)
    #expect(CostMath.cost(microUSDPerHour: split.totalMicroUSDPerHour, duration: .hours(2)) == 2_012_000)
    // OpenCost relative weights: GPU dominates a g5.xlarge.
    #expect(Double(split.gpuMicroUSDPerHour) / 1_006_000 > 0.8)
  }
}
