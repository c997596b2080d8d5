/// What one pod (or one worker of a gang) asks of a node, with GPU sharing: whole GPUs,
/// or a share of one GPU in thousandths (`gpuMilli` < 1000, as the Alibaba GPU trace's
/// `gpu_milli` and GPU-sharing device plugins such as Aliyun's gpushare express it).
public struct GPUPodRequest: Hashable, Sendable {
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  /// GPUs; with `gpuMilli` < 1000 it is 1 and the GPU is shared.
  public var gpuCount: Int
  /// Thousandths of each GPU: 1000 for whole GPUs.
  public var gpuMilli: Int
  /// Allowed GPU models (`["V100M16", "V100M32"]`); empty: any.
  public var gpuModels: [String]

  public init(cpuMilli: Int64, memoryMiB: Int64, gpuCount: Int, gpuMilli: Int = 1000, gpuModels: [String] = []) {
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpuCount = gpuCount
    self.gpuMilli = gpuCount == 0 ? 1000 : gpuMilli
    self.gpuModels = gpuModels
  }

  /// Whether the request shares one GPU.
  public var sharesGPU: Bool { gpuCount == 1 && gpuMilli < 1000 }
  /// Total GPU demand in thousandths.
  public var gpuMilliTotal: Int { gpuCount * gpuMilli }
}

/// A node as a trace's node list gives it.
public struct ReplayNodeSpec: Hashable, Sendable {
  public var name: String
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  public var gpus: Int
  /// GPU model; `nil` for a CPU-only node.
  public var model: String?

  public init(name: String, cpuMilli: Int64, memoryMiB: Int64, gpus: Int, model: String?) {
    self.name = name
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpus = gpus
    self.model = model
  }
}

/// The free capacity of one node: CPU, memory and each GPU's free thousandths — the one
/// narrow interface placement reads, so an index of nodes by free capacity can be kept
/// from it (every change goes through ``SharedGPUNodeTable/allocate(_:on:gpus:)`` and
/// ``SharedGPUNodeTable/release(_:on:gpus:)``).
public struct NodeFreeCapacity: Equatable, Sendable {
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  /// Per GPU, 0…1000.
  public var gpuFreeMilli: [Int]

  public init(cpuMilli: Int64, memoryMiB: Int64, gpuFreeMilli: [Int]) {
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpuFreeMilli = gpuFreeMilli
  }

  /// GPUs nobody uses.
  public var wholeFreeGPUs: Int { gpuFreeMilli.reduce(0) { $0 + ($1 == 1000 ? 1 : 0) } }
  /// Free GPU thousandths over all GPUs.
  public var gpuFreeMilliTotal: Int { gpuFreeMilli.reduce(0, +) }
}

/// The nodes of a replay with per-GPU accounting: whole-GPU requests take GPUs nobody
/// uses; a shared request takes part of one GPU (best fit: the GPU with the least free
/// share that still fits, then the lowest index — what Aliyun's gpushare scheduler
/// extender does with its binpack policy); GPU-model constraints filter nodes.
public struct SharedGPUNodeTable: Sendable {
  public let specs: [ReplayNodeSpec]
  public private(set) var free: [NodeFreeCapacity]
  /// The free capacity's maxima over ranges of nodes, kept with `free`: placement visits
  /// only nodes that may fit instead of every node.
  private(set) var maxima: FreeCapacityMaxima

  public init(_ specs: [ReplayNodeSpec]) {
    self.specs = specs
    free = specs.map {
      NodeFreeCapacity(
        cpuMilli: $0.cpuMilli, memoryMiB: $0.memoryMiB, gpuFreeMilli: Array(repeating: 1000, count: $0.gpus))
    }
    maxima = FreeCapacityMaxima(free)
  }

  /// The first node at or after `start` where `request` may fit now, in node order.
  ///
  /// Stepping through them visits every node where ``gpuChoice(_:node:)`` finds room
  /// (the maxima never understate a node's free capacity); a visited node may still not
  /// fit (CPU on one node and GPUs on another, or its GPU model).
  public func nextNodeThatMayFit(_ request: GPUPodRequest, from start: Int) -> Int? {
    maxima.firstLeaf(admitting: request, from: start)
  }

  public var count: Int { specs.count }

  /// The free capacity of node `node` (the narrow interface an index reads).
  public func freeCapacity(of node: Int) -> NodeFreeCapacity { free[node] }

  /// Whether node `node` could ever host `request` (empty, ignoring what runs on it).
  public func canEverHost(_ request: GPUPodRequest, node: Int) -> Bool {
    let spec = specs[node]
    guard request.cpuMilli <= spec.cpuMilli, request.memoryMiB <= spec.memoryMiB else { return false }
    guard request.gpuCount > 0 else { return true }
    guard request.gpuCount <= spec.gpus, let model = spec.model else { return false }
    return request.gpuModels.isEmpty || request.gpuModels.contains(model)
  }

  /// The GPUs `request` would take on node `node` now (empty for a CPU-only request), or
  /// `nil` when it does not fit.
  public func gpuChoice(_ request: GPUPodRequest, node: Int) -> [Int]? {
    Self.gpuChoice(request, free: free[node], spec: specs[node])
  }

  /// ``gpuChoice(_:node:)`` against any free state of a node of shape `spec`.
  public static func gpuChoice(_ request: GPUPodRequest, free: NodeFreeCapacity, spec: ReplayNodeSpec) -> [Int]? {
    guard request.cpuMilli <= free.cpuMilli, request.memoryMiB <= free.memoryMiB else { return nil }
    guard request.gpuCount > 0 else { return [] }
    guard let model = spec.model, request.gpuModels.isEmpty || request.gpuModels.contains(model) else { return nil }
    let gpus = free.gpuFreeMilli
    if request.sharesGPU {
      var best: Int?
      for index in gpus.indices where gpus[index] >= request.gpuMilli {
        if best.map({ gpus[index] < gpus[$0] }) ?? true { best = index }
      }
      return best.map { [$0] }
    }
    var chosen: [Int] = []
    for index in gpus.indices where gpus[index] == 1000 {
      chosen.append(index)
      if chosen.count == request.gpuCount { return chosen }
    }
    return nil
  }

  /// Takes `request` on node `node`, on GPUs `gpus` (from ``gpuChoice(_:node:)``).
  public mutating func allocate(_ request: GPUPodRequest, on node: Int, gpus: [Int]) {
    free[node] = Self.applying(request, gpus: gpus, to: free[node], sign: -1)
    maxima.update(node, free[node])
  }

  /// Gives back what ``allocate(_:on:gpus:)`` took.
  public mutating func release(_ request: GPUPodRequest, on node: Int, gpus: [Int]) {
    free[node] = Self.applying(request, gpus: gpus, to: free[node], sign: 1)
    maxima.update(node, free[node])
  }

  /// The free state after adding (`sign` 1) or taking (−1) `request` on `gpus`.
  public static func applying(_ request: GPUPodRequest, gpus: [Int], to state: NodeFreeCapacity, sign: Int)
    -> NodeFreeCapacity
  {
    var next = state
    next.cpuMilli += Int64(sign) * request.cpuMilli
    next.memoryMiB += Int64(sign) * request.memoryMiB
    for gpu in gpus { next.gpuFreeMilli[gpu] += sign * request.gpuMilli }
    return next
  }
}

/// A segment tree of the nodes' free capacity maxima.
///
/// For each range of nodes: the largest free CPU, free memory, count of unused GPUs and
/// free share of a single GPU — the per-range maxima kube-scheduler's snapshot or
/// Karpenter's bin-packing would index by. A range whose
/// maxima cannot admit a request holds no node that fits it, so a search skips it
/// whole: at high allocation first fit costs O(log n) per placement instead of a scan.
struct FreeCapacityMaxima: Sendable {
  /// Leaves: a power of two ≥ the node count; node `i` is at `leafCount + i`.
  let leafCount: Int
  var cpuMilli: [Int64]
  var memoryMiB: [Int64]
  var unusedGPUs: [Int]
  var largestGPUShare: [Int]

  init(_ free: [NodeFreeCapacity]) {
    var leaves = 1
    while leaves < free.count { leaves *= 2 }
    leafCount = leaves
    // Padding leaves admit nothing (−1 CPU).
    cpuMilli = Array(repeating: -1, count: 2 * leaves)
    memoryMiB = Array(repeating: -1, count: 2 * leaves)
    unusedGPUs = Array(repeating: 0, count: 2 * leaves)
    largestGPUShare = Array(repeating: 0, count: 2 * leaves)
    for (node, capacity) in free.enumerated() { setLeaf(node, capacity) }
    for position in stride(from: leaves - 1, through: 1, by: -1) { pull(position) }
  }

  mutating func setLeaf(_ node: Int, _ capacity: NodeFreeCapacity) {
    let position = leafCount + node
    cpuMilli[position] = capacity.cpuMilli
    memoryMiB[position] = capacity.memoryMiB
    unusedGPUs[position] = capacity.wholeFreeGPUs
    largestGPUShare[position] = capacity.gpuFreeMilli.max() ?? 0
  }

  mutating func pull(_ position: Int) {
    let (left, right) = (2 * position, 2 * position + 1)
    cpuMilli[position] = max(cpuMilli[left], cpuMilli[right])
    memoryMiB[position] = max(memoryMiB[left], memoryMiB[right])
    unusedGPUs[position] = max(unusedGPUs[left], unusedGPUs[right])
    largestGPUShare[position] = max(largestGPUShare[left], largestGPUShare[right])
  }

  mutating func update(_ node: Int, _ capacity: NodeFreeCapacity) {
    setLeaf(node, capacity)
    var position = (leafCount + node) / 2
    while position >= 1 {
      pull(position)
      position /= 2
    }
  }

  /// Whether the range at `position` may hold a node with room for `request`.
  func admits(_ position: Int, _ request: GPUPodRequest) -> Bool {
    guard cpuMilli[position] >= request.cpuMilli, memoryMiB[position] >= request.memoryMiB else { return false }
    guard request.gpuCount > 0 else { return true }
    return request.sharesGPU
      ? largestGPUShare[position] >= request.gpuMilli : unusedGPUs[position] >= request.gpuCount
  }

  /// The first admitting leaf at or after `start`.
  ///
  /// Walks the tree without recursion: an admitting range is entered at its left child,
  /// a refused one is left for the next range to its right. A range may admit a request
  /// that none of its halves does (the maxima come from different nodes), so entering
  /// one is not a promise.
  func firstLeaf(admitting request: GPUPodRequest, from start: Int) -> Int? {
    guard start < leafCount else { return nil }
    var position = leafCount + start
    while true {
      if admits(position, request) {
        if position >= leafCount { return position - leafCount }
        position *= 2
        continue
      }
      // The next range to the right: climb while a right child, then step over.
      while position & 1 == 1 { position /= 2 }
      if position == 0 { return nil }
      position += 1
    }
  }
}
