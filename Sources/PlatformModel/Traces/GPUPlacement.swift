#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a replay chooses among the nodes that fit a pod (docs/TRACES.md).
public enum GPUNodeScoring: String, Sendable, CaseIterable {
  /// The first node that fits, in node-list order.
  case firstFit = "first-fit"
  /// kube-scheduler's default scoring: `NodeResourcesFit` with `LeastAllocated` plus
  /// `NodeResourcesBalancedAllocation`, both over CPU and memory with weight 1
  /// (kubernetes pkg/scheduler/framework/plugins/noderesources), each 0…100 in integer
  /// arithmetic as there; the highest total wins. kube-scheduler breaks ties at random;
  /// here the lowest node index wins, so replays are deterministic.
  case kubeDefault = "kube-default"
  /// Best fit: the node left with the least free GPU share (then least free CPU).
  case bestFit = "best-fit"
  /// Fragmentation gradient descent (Weng et al., "Beware of Fragmentation", ATC'23):
  /// the node (and, for a shared GPU, the GPU) whose expected fragmentation against the
  /// workload's pod shapes grows least.
  case fragmentationAware = "fgd"
}

/// One pod shape of the target workload with its popularity, for fragmentation.
public struct WorkloadClass: Hashable, Sendable {
  public var request: GPUPodRequest
  public var weight: Double

  public init(request: GPUPodRequest, weight: Double) {
    self.request = request
    self.weight = weight
  }

  /// The typical pod shapes of `requests` (CPU, GPU count, GPU share and allowed GPU
  /// models), weighted by frequency.
  ///
  /// As the FGD paper's simulator takes them (`GetTypicalPods` in
  /// hkust-adsl/kubernetes-scheduler-simulator, pod popularity threshold 95 %, step 1):
  /// shapes in decreasing count (ties by first appearance), kept until they cover
  /// `coverage` of all pods, weights normalised over the kept ones. Memory is not part
  /// of a shape, as there.
  public static func popular(in requests: [GPUPodRequest], coverage: Double = 0.95) -> [WorkloadClass] {
    var order: [GPUPodRequest] = []
    var counts: [GPUPodRequest: Int] = [:]
    for request in requests {
      let shape = GPUPodRequest(
        cpuMilli: request.cpuMilli, memoryMiB: 0, gpuCount: request.gpuCount, gpuMilli: request.gpuMilli,
        gpuModels: request.gpuModels)
      if counts[shape] == nil { order.append(shape) }
      counts[shape, default: 0] += 1
    }
    let ranked = order.enumerated().sorted { lhs, rhs in
      let (left, right) = (counts[lhs.element] ?? 0, counts[rhs.element] ?? 0)
      return left != right ? left > right : lhs.offset < rhs.offset
    }.map(\.element)
    let wanted = coverage * Double(requests.count)
    var kept: [GPUPodRequest] = []
    var covered = 0
    for shape in ranked where Double(covered) < wanted {
      kept.append(shape)
      covered += counts[shape] ?? 0
    }
    return kept.map { WorkloadClass(request: $0, weight: Double(counts[$0] ?? 0) / Double(max(covered, 1))) }
  }
}

/// GPU fragmentation as the FGD paper defines it.
///
/// For a pod shape m, it is the free GPU share
/// of a node that m cannot use — all of it when m does not fit the node (CPU, memory,
/// GPU model or GPU count) or m asks for no GPU; otherwise the free share of the GPUs
/// too small for m (for a whole-GPU shape: every partly used GPU). A node's
/// fragmentation is the expectation over the workload's shapes.
public enum GPUFragmentation {
  /// Expected fragmented GPU thousandths of a node in state `free`.
  public static func expected(free: NodeFreeCapacity, spec: ReplayNodeSpec, classes: [WorkloadClass]) -> Double {
    guard spec.gpus > 0 else { return 0 }
    let total = free.gpuFreeMilliTotal
    var sum = 0.0
    for shape in classes {
      sum += shape.weight * Double(fragmented(free: free, spec: spec, shape: shape.request, total: total))
    }
    return sum
  }

  static func fragmented(free: NodeFreeCapacity, spec: ReplayNodeSpec, shape: GPUPodRequest, total: Int) -> Int {
    guard shape.gpuCount > 0, shape.cpuMilli <= free.cpuMilli, shape.memoryMiB <= free.memoryMiB,
      let model = spec.model, shape.gpuModels.isEmpty || shape.gpuModels.contains(model)
    else { return total }
    let need = shape.gpuMilli
    var usable = 0
    var unusable = 0
    for share in free.gpuFreeMilli {
      if share >= need { usable += 1 } else { unusable += share }
    }
    return usable >= shape.gpuCount ? unusable : total
  }
}

/// Node choice for one request under a scoring rule.
struct GPUPlacement {
  let scoring: GPUNodeScoring
  let classes: [WorkloadClass]

  /// The best (node, GPUs) for `request`, or `nil` when none fits.
  ///
  /// The nodes with room are visited in node order (as a scan of every node that can
  /// ever host the request would meet them), skipping ranges of nodes that cannot fit
  /// it (``SharedGPUNodeTable/nextNodeThatMayFit(_:from:)``); ties go to the lowest index.
  func choose(_ request: GPUPodRequest, in table: SharedGPUNodeTable, fragmentation: [Double])
    -> (node: Int, gpus: [Int])?
  {
    var best: (node: Int, gpus: [Int], score: Double)?
    var next = table.nextNodeThatMayFit(request, from: 0)
    while let node = next {
      next = table.nextNodeThatMayFit(request, from: node + 1)
      guard let gpus = table.gpuChoice(request, node: node) else { continue }
      if scoring == .firstFit { return (node, gpus) }
      var choice = gpus
      let score: Double
      switch scoring {
      case .firstFit: score = 0
      case .kubeDefault:
        score = Double(GPUNodeScoring.kubeScore(request, free: table.free[node], spec: table.specs[node]))
      case .bestFit:
        let after = SharedGPUNodeTable.applying(request, gpus: gpus, to: table.free[node], sign: -1)
        score = -(Double(after.gpuFreeMilliTotal) * 1e6 + Double(after.cpuMilli) / 1e3)
      case .fragmentationAware:
        (choice, score) = fgdChoice(request, node: node, table: table, before: fragmentation[node], default: gpus)
      }
      if best.map({ score > $0.score }) ?? true { best = (node, choice, score) }
    }
    return best.map { ($0.node, $0.gpus) }
  }

  /// FGD within a node: for a shared request every GPU that fits is tried (ties to the
  /// lowest GPU index); the score is the FGD plugin's.
  func fgdChoice(_ request: GPUPodRequest, node: Int, table: SharedGPUNodeTable, before: Double, default gpus: [Int])
    -> ([Int], Double)
  {
    let spec = table.specs[node]
    let free = table.free[node]
    var options = [gpus]
    if request.sharesGPU {
      options = free.gpuFreeMilli.indices.filter { free.gpuFreeMilli[$0] >= request.gpuMilli }.map { [$0] }
    }
    var best = (gpus, -Double.infinity)
    for option in options {
      let after = SharedGPUNodeTable.applying(request, gpus: option, to: free, sign: -1)
      let score = Self.fgdScore(
        fragmentationDecrease: before - GPUFragmentation.expected(free: after, spec: spec, classes: classes))
      if score > best.1 { best = (option, score) }
    }
    return best
  }
}

extension GPUPlacement {
  /// The FGD score plugin's node score for a fragmentation change (thousandths of a GPU):
  /// `int64(sigmoid(Δ / 1000) × 100)`, Δ the decrease (hkust-adsl/kubernetes-scheduler-simulator,
  /// `calculateGpuShareFragExtendScore`).
  ///
  /// The truncation to an integer matters: nodes whose changes differ by less than
  /// about 40 thousandths tie, and ties go to the lowest node (the simulator's
  /// `selectHost` takes the smallest node name), which packs. Ranking by the exact
  /// change instead spreads pods over empty nodes (their spare CPU keeps more shapes
  /// fitting) and allocates 91 % of the openb cluster at full demand against this
  /// score's 95 %, the paper's figure (docs/VALIDATION.md).
  static func fgdScore(fragmentationDecrease: Double) -> Double {
    Double(Int64(1 / (1 + exp(-fragmentationDecrease / 1000)) * 100))
  }
}

extension GPUNodeScoring {
  /// kube-scheduler's LeastAllocated + BalancedAllocation over CPU and memory, with the
  /// pod's requests added (integer scores 0…100 each, as the plugins compute them).
  public static func kubeScore(_ request: GPUPodRequest, free: NodeFreeCapacity, spec: ReplayNodeSpec) -> Int64 {
    let cpuRequested = spec.cpuMilli - free.cpuMilli + request.cpuMilli
    let memoryRequested = spec.memoryMiB - free.memoryMiB + request.memoryMiB
    func least(_ requested: Int64, _ capacity: Int64) -> Int64 {
      capacity == 0 || requested > capacity ? 0 : (capacity - requested) * 100 / capacity
    }
    let leastAllocated = (least(cpuRequested, spec.cpuMilli) + least(memoryRequested, spec.memoryMiB)) / 2
    let cpuFraction = min(1, Double(cpuRequested) / Double(max(spec.cpuMilli, 1)))
    let memoryFraction = min(1, Double(memoryRequested) / Double(max(spec.memoryMiB, 1)))
    // Two resources: the standard deviation is half their difference.
    let deviation = abs(cpuFraction - memoryFraction) / 2
    let balanced = Int64((1 - deviation) * 100)
    return leastAllocated + balanced
  }
}
