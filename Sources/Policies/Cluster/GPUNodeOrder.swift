/// Which node a replayed trace pod goes on (`spec.replay`): the replay's scoring step.
///
/// Asked for every pod (each worker of a gang) a scheduling pass can place, with the
/// nodes that fit it now — kube-scheduler's Filter already done, this is its Score and
/// pick. Only consulted when an external process is selected: the built-in
/// `replay-scoring` defers to `spec.replay.scoring` (kube-default, best-fit, fgd, …).
public protocol GPUNodeOrderPolicy: DecisionPolicy
where Observation == GPUNodeOrderObservation, Action == GPUNodeOrderAction {}

public struct GPUNodeOrderObservation: Codable, Sendable, Equatable {
  /// The trace item's name and team (`nil`: none in the trace).
  public var pod: String
  public var team: String?
  /// Which worker of the item's gang this is (0-based), and the gang's size.
  public var worker: Int
  public var gangSize: Int
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  /// GPUs the pod takes (1 for a shared GPU).
  public var gpuCount: Int
  /// Thousandths of each GPU: 1000 for whole GPUs, less for a shared one.
  public var gpuMilli: Int
  /// Allowed GPU models; empty: any.
  public var gpuModels: [String]
  /// The nodes the pod fits on now, in node-list order.
  public var candidates: [Candidate]

  public struct Candidate: Codable, Sendable, Equatable {
    public var node: String
    /// `nil` for a CPU-only node.
    public var gpuModel: String?
    public var freeCPUMilli: Int64
    public var freeMemoryMiB: Int64
    /// Free thousandths of each of the node's GPUs.
    public var freeGPUMilli: [Int]

    enum CodingKeys: String, CodingKey {
      case node, gpuModel
      case freeCPUMilli = "freeCpuMilli"
      case freeMemoryMiB, freeGPUMilli = "freeGpuMilli"
    }

    public init(node: String, gpuModel: String?, freeCPUMilli: Int64, freeMemoryMiB: Int64, freeGPUMilli: [Int]) {
      self.node = node
      self.gpuModel = gpuModel
      self.freeCPUMilli = freeCPUMilli
      self.freeMemoryMiB = freeMemoryMiB
      self.freeGPUMilli = freeGPUMilli
    }
  }

  public init(
    pod: String, team: String?, worker: Int, gangSize: Int, cpuMilli: Int64, memoryMiB: Int64, gpuCount: Int,
    gpuMilli: Int, gpuModels: [String], candidates: [Candidate]
  ) {
    self.pod = pod
    self.team = team
    self.worker = worker
    self.gangSize = gangSize
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpuCount = gpuCount
    self.gpuMilli = gpuMilli
    self.gpuModels = gpuModels
    self.candidates = candidates
  }

  public func problem(with action: GPUNodeOrderAction) -> String? {
    guard let node = action.node, !candidates.contains(where: { $0.node == node }) else { return nil }
    return "node \"\(node)\" is not one of the \(candidates.count) candidates"
  }
}

/// The chosen node, by name; `null`: the replay's own scoring (`spec.replay.scoring`) picks.
public struct GPUNodeOrderAction: Codable, Sendable, Equatable {
  public var node: String?
  public init(node: String?) { self.node = node }
}

/// Defers to the replay's configured scoring (`spec.replay.scoring`).
public final class ReplayScoringGPUNodeOrder: GPUNodeOrderPolicy {
  public init() {}
  public func decide(_ observation: GPUNodeOrderObservation, at time: PolicyTime) -> GPUNodeOrderAction {
    GPUNodeOrderAction(node: nil)
  }
}
