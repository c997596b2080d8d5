import PlatformModel
import SimKernel
import Testing

/// Replay of trace items on nodes with shared GPUs: packing, GPU-type constraints,
/// recorded phases, gangs, scoring rules and replay modes.
@Suite("Trace replay and GPU sharing")
struct TraceReplayTests {
  static func node(_ name: String, gpus: Int, model: String? = "T4", cpu: Int64 = 32_000) -> ReplayNodeSpec {
    ReplayNodeSpec(name: name, cpuMilli: cpu, memoryMiB: 262_144, gpus: gpus, model: model)
  }

  static func item(
    _ name: String, at seconds: Int64, for duration: Int64?, milli: Int = 1000, gpus: Int = 1, models: [String] = [],
    gang: Int = 1, cpu: Int64 = 1000
  ) -> ReplayItem {
    ReplayItem(
      name: name, team: "t", submit: SimTime.zero + .seconds(seconds), duration: duration.map { .seconds($0) },
      withdrawal: duration == nil ? SimTime.zero + .seconds(seconds + 50) : nil,
      request: GPUPodRequest(cpuMilli: cpu, memoryMiB: 1024, gpuCount: gpus, gpuMilli: milli, gpuModels: models),
      gangSize: gang, recordedPhase: duration == nil ? "Pending" : "Running")
  }

  static func starts(_ result: TraceReplayResult) -> [String: Double?] {
    Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.name, $0.started.map { ($0 - SimTime.zero).seconds }) })
  }

  @Test("Fractional pods share a GPU; whole-GPU pods of the same count wait")
  func sharing() {
    let nodes = [Self.node("a", gpus: 1), Self.node("b", gpus: 1)]
    let shared = (1...4).map { Self.item("s\($0)", at: 0, for: 100, milli: 500) }
    let whole = (1...4).map { Self.item("w\($0)", at: 0, for: 100) }
    let sharedRun = TraceReplay.run(items: shared, nodes: nodes, configuration: .init(trace: "t", scoring: .firstFit))
    let wholeRun = TraceReplay.run(items: whole, nodes: nodes, configuration: .init(trace: "t", scoring: .firstFit))
    #expect(sharedRun.outcomes.map(\.started) == Array(repeating: SimTime.zero, count: 4))
    #expect(sharedRun.outcomes.map(\.node) == ["a", "a", "b", "b"])
    #expect(wholeRun.outcomes.compactMap(\.started).map { ($0 - SimTime.zero).seconds } == [0, 0, 100, 100])
    // Run times are the recorded durations exactly.
    for outcome in sharedRun.outcomes + wholeRun.outcomes {
      #expect(outcome.finished.flatMap { end in outcome.started.map { end - $0 } } == .seconds(100))
    }
    #expect(sharedRun.samples.first?.totalGPUMilli == 2000)
  }

  @Test("A shared request takes the fullest GPU it fits on (best fit within the node)")
  func bestFitGPU() {
    var table = SharedGPUNodeTable([Self.node("a", gpus: 2)])
    let requests = [600, 300, 400].map { GPUPodRequest(cpuMilli: 0, memoryMiB: 0, gpuCount: 1, gpuMilli: $0) }
    var chosen: [[Int]] = []
    for request in requests {
      guard let gpus = table.gpuChoice(request, node: 0) else { break }
      table.allocate(request, on: 0, gpus: gpus)
      chosen.append(gpus)
    }
    #expect(chosen == [[0], [0], [1]])
    #expect(table.freeCapacity(of: 0).gpuFreeMilli == [100, 600])
    // A whole GPU no longer fits: neither GPU is unused.
    #expect(table.gpuChoice(GPUPodRequest(cpuMilli: 0, memoryMiB: 0, gpuCount: 1), node: 0) == nil)
  }

  @Test("GPU-type constraints restrict placement, even with other GPUs free")
  func gpuTypes() {
    let nodes = [Self.node("t4", gpus: 4, model: "T4"), Self.node("v100", gpus: 1, model: "V100M32")]
    let items = [
      Self.item("v1", at: 0, for: 100, models: ["V100M16", "V100M32"]),
      Self.item("v2", at: 1, for: 100, models: ["V100M16", "V100M32"]),
      Self.item("a100", at: 2, for: 100, models: ["A100"]),
    ]
    let result = TraceReplay.run(items: items, nodes: nodes, configuration: .init(trace: "t"))
    #expect(result.outcomes.map(\.node) == ["v100", "v100", nil])
    #expect(result.outcomes.map(\.started) == [.zero, .zero + .seconds(100), nil])
    #expect(result.outcomes.map(\.status) == [.completed, .completed, .unschedulable])
  }

  @Test("Pods the trace never scheduled wait and are withdrawn, never placed; gangs go all at once")
  func phasesAndGangs() {
    let nodes = [Self.node("a", gpus: 2), Self.node("b", gpus: 2)]
    let items = [
      Self.item("never", at: 0, for: nil),
      Self.item("blocker", at: 0, for: 100),
      Self.item("gang", at: 1, for: 10, gpus: 2, gang: 2),
    ]
    let result = TraceReplay.run(items: items, nodes: nodes, configuration: .init(trace: "t"))
    #expect(result.outcomes.map(\.status) == [.withdrawn, .completed, .completed])
    #expect(result.outcomes[0].started == nil)
    // The gang needs both nodes whole: it waits for the blocker.
    #expect(result.outcomes[2].started == .zero + .seconds(100))
    #expect(result.samples.first?.pendingItems == 1)
  }

  @Test("kube-default spreads, best-fit and FGD pack a shared pod onto the partly used GPU")
  func scoring() {
    let nodes = [Self.node("a", gpus: 1), Self.node("b", gpus: 1)]
    // The workload is mostly whole-GPU pods, so a half-used GPU is fragmentation.
    var items = [Self.item("first", at: 0, for: 1000, milli: 500), Self.item("second", at: 1, for: 1000, milli: 500)]
    items += (1...6).map { Self.item("whole\($0)", at: 2000 + $0, for: 10) }
    func second(_ scoring: GPUNodeScoring) -> String? {
      TraceReplay.run(items: items, nodes: nodes, configuration: .init(trace: "t", scoring: scoring)).outcomes[1].node
    }
    #expect(second(.kubeDefault) == "b")
    #expect(second(.bestFit) == "a")
    #expect(second(.fragmentationAware) == "a")
    #expect(second(.firstFit) == "a")
  }

  @Test("kube-default score: LeastAllocated plus BalancedAllocation, integer as in kube-scheduler")
  func kubeScore() {
    let spec = Self.node("a", gpus: 0, model: nil, cpu: 4000)
    let free = NodeFreeCapacity(cpuMilli: 4000, memoryMiB: 262_144, gpuFreeMilli: [])
    // cpu 1000/4000 → 75; memory 1024/262144 → 99; mean 87. Fractions 0.25 and 0.0039: balance 87.
    let score = GPUNodeScoring.kubeScore(
      GPUPodRequest(cpuMilli: 1000, memoryMiB: 1024, gpuCount: 0), free: free, spec: spec)
    #expect(score == 87 + 87)
  }

  @Test("Fragmentation: a half-used GPU is unusable by whole-GPU shapes, usable by halves")
  func fragmentation() {
    let spec = Self.node("a", gpus: 2)
    let free = NodeFreeCapacity(cpuMilli: 32_000, memoryMiB: 262_144, gpuFreeMilli: [500, 1000])
    let whole = WorkloadClass(request: GPUPodRequest(cpuMilli: 0, memoryMiB: 0, gpuCount: 1), weight: 0.5)
    let half = WorkloadClass(
      request: GPUPodRequest(cpuMilli: 0, memoryMiB: 0, gpuCount: 1, gpuMilli: 500), weight: 0.25)
    let cpuOnly = WorkloadClass(request: GPUPodRequest(cpuMilli: 0, memoryMiB: 0, gpuCount: 0), weight: 0.25)
    #expect(
      GPUFragmentation.expected(free: free, spec: spec, classes: [whole, half, cpuOnly]) == 0.5 * 500 + 0.25 * 1500)
  }

  @Test("Modes: time-scaled divides submissions; bootstrap is reproducible per seed and keeps run times")
  func modes() {
    let items = (0..<20).map { Self.item("p\($0)", at: Int64($0) * 20_000, for: 60) }
    let nodes = [Self.node("a", gpus: 8)]
    let scaled = TraceReplay.arrivals(items, mode: .timeScaled(2), seed: RandomSeed(root: 1))
    #expect(scaled.map(\.submit) == items.map { SimTime(microseconds: $0.submit.microseconds / 2) })
    let first = TraceReplay.arrivals(items, mode: .bootstrapDays, seed: RandomSeed(root: 7))
    let again = TraceReplay.arrivals(items, mode: .bootstrapDays, seed: RandomSeed(root: 7))
    let other = TraceReplay.arrivals(items, mode: .bootstrapDays, seed: RandomSeed(root: 8))
    #expect(first == again && first != other)
    let jobs = TraceReplay.arrivals(items, mode: .bootstrapJobs, seed: RandomSeed(root: 7))
    #expect(jobs.count == items.count && jobs.map(\.submit) == items.map(\.submit))
    let result = TraceReplay.run(items: items, nodes: nodes, configuration: .init(trace: "t", mode: .bootstrapJobs))
    #expect(
      result.outcomes.allSatisfy { outcome in
        outcome.finished.flatMap { end in outcome.started.map { end - $0 } } == .seconds(60)
      })
  }
  @Test("Fill (the FGD paper's workload): shuffled, resampled to the ratio × cluster GPUs, all at 0, none leaving")
  func fillMode() {
    // 4 nodes × 2 GPUs = 8,000 GPU thousandths; the trace asks 3 × 1,000 + 3 × 500 + 2 CPU-only pods.
    let nodes = (0..<4).map { Self.node("n\($0)", gpus: 2) }
    let items =
      (0..<3).map { Self.item("whole\($0)", at: Int64($0) * 100, for: 60) }
      + (0..<3).map { Self.item("half\($0)", at: Int64($0) * 100 + 50, for: nil, milli: 500) }
      + (0..<2).map { Self.item("cpu\($0)", at: 400, for: 30, gpus: 0) }
    func gpuMilli(_ list: [ReplayItem]) -> Int { list.reduce(0) { $0 + $1.request.gpuMilliTotal } }
    let capacity = 8_000
    let topped = TraceReplay.arrivals(
      items, mode: .fill(ratio: 1.3), seed: RandomSeed(root: 3), clusterGPUMilli: capacity)
    // Topped up: every original item once, then draws named -fill-i, up to 10,400 and
    // no further than one more pod (500 or 1,000) would take it.
    #expect(Set(topped.prefix(items.count).map(\.name)) == Set(items.map(\.name)))
    #expect(topped.dropFirst(items.count).enumerated().allSatisfy { $1.name.hasSuffix("-fill-\($0)") })
    #expect(gpuMilli(topped) <= 10_400 && gpuMilli(topped) > 10_400 - 1_000)
    #expect(topped.allSatisfy { $0.submit == .zero && $0.holdsUntilEnd && $0.duration == nil && $0.withdrawal == nil })
    // Reproducible per seed; another seed shuffles differently.
    #expect(
      topped
        == TraceReplay.arrivals(items, mode: .fill(ratio: 1.3), seed: RandomSeed(root: 3), clusterGPUMilli: capacity))
    #expect(
      topped
        != TraceReplay.arrivals(items, mode: .fill(ratio: 1.3), seed: RandomSeed(root: 4), clusterGPUMilli: capacity))
    // Trimmed: 4,500 asked against 0.25 × 8,000 = 2,000 leaves random items up to 2,000.
    let trimmed = TraceReplay.arrivals(
      items, mode: .fill(ratio: 0.25), seed: RandomSeed(root: 3), clusterGPUMilli: capacity)
    #expect(gpuMilli(trimmed) <= 2_000 && trimmed.count < items.count)
    #expect(Set(trimmed.map(\.name)).isSubset(of: Set(items.map(\.name))))

    // Replayed: pods placed in order until the cluster is full, held to the end; the rest pending.
    let result = TraceReplay.run(
      items: items, nodes: nodes,
      configuration: .init(
        trace: "t", mode: .fill(ratio: 1.3), scoring: .bestFit, end: .zero + .seconds(3600),
        seed: RandomSeed(root: 3)))
    let placed = result.outcomes.filter { $0.started != nil }
    #expect(placed.allSatisfy { $0.status == .running && $0.finished == nil && $0.started == .zero })
    #expect(result.outcomes.filter { $0.started == nil }.allSatisfy { $0.status == .pending })
    #expect(placed.reduce(0) { $0 + $1.request.gpuMilliTotal } == capacity)
    #expect(result.samples.last?.allocatedGPUMilli == capacity)
  }

  @Test("A workload list (no times) runs in file order from time 0 and never leaves")
  func workloadList() {
    let nodes = [Self.node("a", gpus: 2)]
    var items = ["p0", "p1", "p2"].map { Self.item($0, at: 0, for: nil) }
    for index in items.indices {
      items[index].withdrawal = nil
      items[index].holdsUntilEnd = true
    }
    let result = TraceReplay.run(
      items: items, nodes: nodes, configuration: .init(trace: "t", scoring: .firstFit, end: .zero + .seconds(86_400)))
    #expect(result.outcomes.map(\.status) == [.running, .running, .pending])
    #expect(result.outcomes.map(\.started) == [.zero, .zero, nil])
  }
}
