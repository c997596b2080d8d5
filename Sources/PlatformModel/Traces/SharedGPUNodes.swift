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

  public init(_ specs: [ReplayNodeSpec]) {
    self.specs = specs
    free = specs.map {
      NodeFreeCapacity(
        cpuMilli: $0.cpuMilli, memoryMiB: $0.memoryMiB, gpuFreeMilli: Array(repeating: 1000, count: $0.gpus))
    }
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
  }

  /// Gives back what ``allocate(_:on:gpus:)`` took.
  public mutating func release(_ request: GPUPodRequest, on node: Int, gpus: [Int]) {
    free[node] = Self.applying(request, gpus: gpus, to: free[node], sign: 1)
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
