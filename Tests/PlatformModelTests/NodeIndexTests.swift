import SimKernel
import Testing

@testable import PlatformModel

/// The node table's free-capacity indexes answer exactly as the scans over every node
/// they replaced (same node, same order), on randomised clusters.
@Suite struct NodeIndexTests {
  /// A reproducible generator (SplitMix64), so a failure names its seed.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var value = state
      value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
      value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
      return value ^ (value >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
  }

  @Test func firstFitMatchesAScanInSlotOrder() {
    var random = Generator(state: 11)
    var index = FreeCapacityIndex()
    var oracle: [Resources?] = []
    for step in 0..<4_000 {
      if oracle.isEmpty || random.below(3) == 0 {
        let free: Resources? =
          random.below(4) == 0
          ? nil
          : Resources(
            cpuMillis: Int64(random.below(5) * 1_000), memoryMiB: Int64(random.below(5) * 4_096),
            gpuCount: Int64(random.below(3)))
        index.append(free)
        oracle.append(free)
      } else {
        let slot = random.below(oracle.count)
        let free: Resources? =
          random.below(4) == 0
          ? nil
          : Resources(
            cpuMillis: Int64(random.below(5) * 1_000), memoryMiB: Int64(random.below(5) * 4_096),
            gpuCount: Int64(random.below(3)))
        index.update(slot, free: free)
        oracle[slot] = free
      }
      let request = Resources(
        cpuMillis: Int64(random.below(5) * 1_000), memoryMiB: Int64(random.below(5) * 4_096),
        gpuCount: Int64(random.below(3)))
      let start = random.below(oracle.count + 1)
      let expected = oracle.indices.first { $0 >= start && oracle[$0].map { request.fits(in: $0) } == true }
      #expect(index.firstFit(request, from: start) == expected, "step \(step)")
    }
    index.truncate(to: 3)
    #expect(index.count == 3)
    #expect(index.firstFit(.zero, from: 3) == nil)
  }

  @Test func orderedNodeSetIteratesMembersInOrder() {
    var random = Generator(state: 5)
    var set = OrderedNodeSet()
    var oracle = Set<Int>()
    for step in 0..<20_000 {
      let position = random.below(random.below(2) == 0 ? 300 : 20_000)
      if random.below(2) == 0 {
        set.insert(NodeID(position: position))
        oracle.insert(position)
      } else {
        set.remove(NodeID(position: position))
        oracle.remove(position)
      }
      let start = random.below(21_000)
      let expected = oracle.filter { $0 >= start }.min()
      #expect(set.first(from: start)?.position == expected, "step \(step)")
      #expect(set.contains(NodeID(position: position)) == oracle.contains(position))
    }
  }

  /// Pools of mixed shapes and capacity types (so the `first-fit` node order has tiers)
  /// and streams that fit some of them.
  static func cluster(threshold: Double?, priorities: [Int] = [0, 0, 0, 0, 0]) -> Cluster {
    let pools = [
      NodePoolConfiguration(
        name: "cpu", capacityType: .onDemand, instanceTypes: ["m5.4xlarge"], minNodes: 0, maxNodes: 1_000,
        desiredNodes: 0, labels: [("workload", "cpu")]),
      NodePoolConfiguration(
        name: "gpu-spot", capacityType: .spot, instanceTypes: ["g5.xlarge"], minNodes: 0, maxNodes: 1_000,
        desiredNodes: 0, labels: [("workload", "gpu")]),
      NodePoolConfiguration(
        name: "gpu", capacityType: .onDemand, instanceTypes: ["g5.xlarge"], minNodes: 0, maxNodes: 1_000,
        desiredNodes: 0, labels: [("workload", "gpu")]),
      NodePoolConfiguration(
        name: "gpu-big-spot", capacityType: .spot, instanceTypes: ["g5.12xlarge"], minNodes: 0, maxNodes: 1_000,
        desiredNodes: 0, labels: [("workload", "gpu")]),
    ]
    func stream(
      _ cpu: Int64, _ gib: Int64, _ gpus: Int64, workers: Int, _ capacity: CapacityPreference, _ label: String,
      priority: Int
    )
      -> TrainingJobStream
    {
      TrainingJobStream(
        template: .pytorchGPUDistributed, arrivals: ArrivalProcess(ratePerHour: 0), duration: .constant(3_600),
        workerCount: workers, perWorker: Resources(cpuMillis: cpu * 1_000, memoryMiB: gib * 1_024, gpuCount: gpus),
        priority: priority, capacity: capacity, checkpoint: nil, nodeSelector: [("workload", label)])
    }
    let streams = [
      stream(14, 48, 0, workers: 1, .onDemand, "cpu", priority: priorities[0]),
      stream(3, 12, 0, workers: 3, .onDemand, "cpu", priority: priorities[1]),
      stream(3, 12, 1, workers: 4, .spotWithFallback, "gpu", priority: priorities[2]),
      stream(1, 4, 1, workers: 6, .spotWithFallback, "gpu", priority: priorities[3]),
      stream(8, 40, 2, workers: 2, .spot, "gpu", priority: priorities[4]),
    ]
    var autoscaler = ClusterAutoscalerConfiguration()
    if let threshold { autoscaler.scaleDownUtilisationThreshold = threshold }
    return Cluster(
      configuration: ClusterConfiguration(
        name: "index", nodePools: pools, autoscaler: threshold == nil ? nil : autoscaler),
      teams: [TeamConfiguration(name: "team", tags: [], jobStreams: streams)],
      governance: GovernanceConfiguration(requiredTags: [], admission: .off), seed: RandomSeed(root: 1),
      calendar: ClusterFixture.calendar, horizon: .days(1), rows: nil)
  }

  static func addNode(pool: Int, to cluster: inout Cluster) -> NodeID {
    let catalogue = cluster.configuration.catalogue
    let poolConfiguration = cluster.configuration.nodePools[pool]
    guard let type = catalogue.index(of: poolConfiguration.instanceTypes[0]) else { fatalError("catalogue") }
    let capacity = catalogue.types[type].capacity
    let id = cluster.nodeTable.nextID
    cluster.nodeTable.add(
      Node(
        id: id, pool: PoolID(position: pool), instanceType: type, capacityType: poolConfiguration.capacityType,
        capacity: capacity, requestedAt: .zero, split: NodePriceSplit(priceUSDPerHour: 1, capacity: capacity),
        onDemandMicroUSDPerHour: 1, hazardPerSecond: 0))
    return id
  }

  /// Random launches, readiness, binds, releases, cordons and terminations.
  static func randomise(_ cluster: inout Cluster, seed: UInt64, steps: Int) {
    var random = Generator(state: seed)
    var bound: [(job: JobID, node: NodeID, request: Resources)] = []
    var nextJob: Int32 = 0
    for _ in 0..<steps {
      let table = cluster.nodeTable
      switch random.below(10) {
      case 0, 1:
        _ = addNode(pool: random.below(4), to: &cluster)
      case 2, 3:
        if let id = table.active.first(where: { table[$0].phase == .provisioning && random.below(3) == 0 }) {
          cluster.nodeTable.markReady(id, at: .zero)
        }
      case 4, 5, 6:
        guard !table.schedulable.isEmpty else { continue }
        let id = table.schedulable[random.below(table.schedulable.count)]
        let request = Resources(
          cpuMillis: Int64(1 + random.below(8)) * 1_000, memoryMiB: Int64(1 + random.below(16)) * 2_048,
          gpuCount: Int64(random.below(2)))
        guard request.fits(in: table[id].free) else { continue }
        cluster.nodeTable.bindWorker(JobID(nextJob), request: request, to: id)
        bound.append((JobID(nextJob), id, request))
        nextJob += 1
      case 7, 8:
        guard !bound.isEmpty else { continue }
        let entry = bound.remove(at: random.below(bound.count))
        cluster.nodeTable.releaseWorker(entry.job, request: entry.request, from: entry.node)
      default:
        guard !table.active.isEmpty else { continue }
        let id = table.active[random.below(table.active.count)]
        cluster.nodeTable.cordon(id)
        if random.below(2) == 0 {
          _ = cluster.nodeTable.leaveLive(id, to: .draining)
        } else {
          _ = cluster.nodeTable.leaveLive(id, to: .terminated)
          cluster.nodeTable.remove(id, at: .zero, reason: .scaleDown)
        }
      }
    }
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
  func placementMatchesTheScanOverEveryNode(seed: UInt64) {
    var cluster = Self.cluster(threshold: nil)
    for round in 0..<30 {
      Self.randomise(&cluster, seed: seed &* 1_000 &+ UInt64(round), steps: 40)
      for stream in cluster.podScheduler.requests.indices {
        for workers in [1, 2, 3, 5, 8, 20] {
          let indexed = cluster.podScheduler.placement(stream: stream, workers: workers, in: cluster.nodeTable)
          let scanned = cluster.podScheduler.placementByScan(stream: stream, workers: workers, in: cluster.nodeTable)
          #expect(indexed == scanned, "seed \(seed) round \(round) stream \(stream.rawValue) workers \(workers)")
        }
      }
      // Serving placement: the first schedulable node by ID in the allowed pools.
      for mask in 1..<16 {
        let allowed = IDArray<PoolID, Bool>((0..<4).map { mask & (1 << $0) != 0 })
        let request = Resources(cpuMillis: 2_000, memoryMiB: 8_192, gpuCount: Int64(mask % 2))
        let table = cluster.nodeTable
        let scanned = table.schedulable.first { allowed[table[$0].pool] && request.fits(in: table[$0].free) }
        #expect(table.firstSchedulable(fitting: request, allowedPools: allowed) == scanned)
      }
    }
  }

  @Test(arguments: [0.5, 0.3, 0.9] as [Double])
  func underutilisedNodesAreThoseBelowTheThreshold(threshold: Double) {
    var cluster = Self.cluster(threshold: threshold)
    for round in 0..<40 {
      Self.randomise(&cluster, seed: 77 &+ UInt64(round), steps: 50)
      let table = cluster.nodeTable
      var visited: [NodeID] = []
      var cursor = 0
      while let id = table.firstUnderutilised(from: cursor) {
        visited.append(id)
        cursor = id.position + 1
      }
      #expect(visited == table.schedulable.filter { table[$0].utilisation < threshold }, "round \(round)")
    }
  }

  /// Scale-up's view of live capacity (provisioning and schedulable nodes, then the
  /// nodes the simulation adds), and that ending the simulation restores it.
  @Test func liveCapacityMatchesTheLiveNodesAndIsRestored() {
    var cluster = Self.cluster(threshold: nil)
    Self.randomise(&cluster, seed: 3, steps: 400)
    let request = Resources(cpuMillis: 2_000, memoryMiB: 4_096, gpuCount: 0)
    func liveByScan(_ table: NodeTable) -> [NodeID] {
      table.active.filter { table[$0].isLive && request.fits(in: table[$0].free) }
    }
    func liveByIndex(_ table: NodeTable) -> [NodeID] {
      var found: [(order: Int, id: NodeID)] = []
      for pool in 0..<4 {
        var slot = table.firstLive(fitting: request, pool: PoolID(position: pool))
        while let current = slot {
          found.append(
            (
              table.liveOrder(pool: PoolID(position: pool), slot: current),
              table.node(pool: PoolID(position: pool), slot: current)
            ))
          slot = table.firstLive(fitting: request, pool: PoolID(position: pool), from: current + 1)
        }
      }
      return found.sorted { $0.order < $1.order }.map(\.id)
    }
    let before = liveByScan(cluster.nodeTable)
    #expect(liveByIndex(cluster.nodeTable) == before)
    #expect(!before.isEmpty)
    // Take everything from the first live node, add two simulated nodes, then end.
    if let first = before.first {
      let pool = cluster.nodeTable[first].pool
      cluster.nodeTable.simulateLiveFree(pool: pool, slot: cluster.nodeTable[first].poolSlot, free: .zero)
      cluster.nodeTable.simulateNode(pool: pool, free: Resources(cpuMillis: 4_000, memoryMiB: 8_192, gpuCount: 0))
      cluster.nodeTable.simulateNode(pool: PoolID(position: 0), free: .zero)
      #expect(cluster.nodeTable.firstLive(fitting: request, pool: pool) != cluster.nodeTable[first].poolSlot)
    }
    cluster.nodeTable.endSimulation()
    #expect(liveByIndex(cluster.nodeTable) == before)
  }

  // MARK: percentageOfNodesToScore

  @Test func feasibleNodesToFindFollowsKubeScheduler() {
    // Below 100 nodes: all of them.
    #expect(PodScheduler.feasibleNodesToFind(percentage: 0, nodeCount: 99) == 99)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 10, nodeCount: 50) == 50)
    // Adaptive: 50 % − nodes/125, at least 5 %, never under 100 nodes.
    #expect(PodScheduler.feasibleNodesToFind(percentage: 0, nodeCount: 100) == 100)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 0, nodeCount: 1_000) == 420)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 0, nodeCount: 5_000) == 500)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 0, nodeCount: 10_000) == 500)
    // Fixed: the share, never under 100 nodes.
    #expect(PodScheduler.feasibleNodesToFind(percentage: 10, nodeCount: 500) == 100)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 10, nodeCount: 5_000) == 500)
    #expect(PodScheduler.feasibleNodesToFind(percentage: 100, nodeCount: 5_000) == 5_000)
  }

  /// 150 identical empty CPU nodes: a 10 % search looks at 100 of them from the start
  /// index and takes the lowest ID among those; the next pod starts after them.
  @Test func sampledSearchStartsWhereTheLastStopped() {
    var cluster = Self.cluster(threshold: nil)
    for _ in 0..<150 { cluster.nodeTable.markReady(Self.addNode(pool: 0, to: &cluster), at: .zero) }
    let stream = JobStreamID(0)
    let first = cluster.podScheduler.sampledPlacement(stream: stream, workers: 1, percentage: 10, in: cluster.nodeTable)
    #expect(first == [NodeID(0)])
    #expect(cluster.podScheduler.nextStartNodeIndex == 100)
    // From node 100 round to node 49: node 0 is among them again.
    let second = cluster.podScheduler.sampledPlacement(
      stream: stream, workers: 1, percentage: 10, in: cluster.nodeTable)
    #expect(second == [NodeID(0)])
    #expect(cluster.podScheduler.nextStartNodeIndex == 50)
    // From node 50 to node 149: node 0 is not, so the lowest seen is node 50.
    let third = cluster.podScheduler.sampledPlacement(stream: stream, workers: 1, percentage: 10, in: cluster.nodeTable)
    #expect(third == [NodeID(50)])
  }

  /// Scoring every node (100 %) places as the first fit does, gang by gang.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func scoringEveryNodeIsTheFirstFit(seed: UInt64) {
    var cluster = Self.cluster(threshold: nil)
    for round in 0..<20 {
      Self.randomise(&cluster, seed: seed &* 100 &+ UInt64(round), steps: 60)
      for stream in cluster.podScheduler.requests.indices {
        for workers in [1, 3, 6] {
          let firstFit = cluster.podScheduler.placement(stream: stream, workers: workers, in: cluster.nodeTable)
          let sampled = cluster.podScheduler.sampledPlacement(
            stream: stream, workers: workers, percentage: 100, in: cluster.nodeTable)
          #expect(firstFit == sampled, "seed \(seed) round \(round) stream \(stream.rawValue)")
        }
      }
    }
  }
  /// The pass's record of failed streams (stamps, not a list) answers as the list did:
  /// a stream marked in this pass, none carried into the next.
  @Test func failedStreamsLastOnePass() {
    var cluster = Self.cluster(threshold: nil)
    let streams = Array(cluster.podScheduler.requests.indices)
    for pass in 0..<5 {
      cluster.podScheduler.passStarted()
      var failed: [JobStreamID] = []
      for (index, stream) in streams.enumerated() where (index + pass) % 2 == 0 {
        cluster.podScheduler.markStreamFailedThisPass(stream)
        failed.append(stream)
      }
      for stream in streams {
        #expect(cluster.podScheduler.streamFailedThisPass(stream) == failed.contains(stream), "pass \(pass)")
      }
    }
  }

  /// Removing a pass's started jobs keeps the others in queue order.
  @Test func removingStartedJobsKeepsTheQueueOrder() {
    var scheduler = Self.cluster(threshold: nil).podScheduler
    for raw in [5, 2, 9, 7, 1, 3] { scheduler.enqueue(JobID(position: raw), key: QueueKey(sortKey: [Double(raw % 3)])) }
    let before = scheduler.pendingJobs
    let started = [JobID(9), JobID(1), JobID(3)]
    scheduler.removePending(started)
    #expect(scheduler.pendingJobs == before.filter { !started.contains($0) })
  }
  /// Preemption is skipped for a stream with no lower-priority stream on its pools (as
  /// the large cluster's GPU gangs above CPU-only jobs): a pool-sharing oracle, and the
  /// CPU streams' low priority does not reach the GPU streams.
  @Test func lowestPriorityOnSharedPoolsFollowsPoolOverlap() {
    let priorities = [0, 50, 100, 150, 200]
    let scheduler = Self.cluster(threshold: nil, priorities: priorities).podScheduler
    let streams = Array(scheduler.requests.indices)
    for stream in streams {
      let sharing = streams.filter { other in
        scheduler.compatible[stream].indices.contains {
          scheduler.compatible[stream][$0] && scheduler.compatible[other][$0]
        }
      }
      #expect(scheduler.lowestPriorityOnSharedPools[stream] == sharing.map { priorities[$0.position] }.min())
    }
    #expect(scheduler.lowestPriorityOnSharedPools[JobStreamID(0)] == 0)
    #expect(scheduler.lowestPriorityOnSharedPools[JobStreamID(1)] == 0)
    for gpuStream in 2..<5 { #expect(scheduler.lowestPriorityOnSharedPools[JobStreamID(Int32(gpuStream))] >= 100) }
  }
}
