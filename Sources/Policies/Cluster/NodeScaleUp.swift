/// Which node pool grows for a pending gang that fits nowhere yet.
///
/// Consulted by the node autoscaler (Cluster Autoscaler scans and Karpenter
/// provisioning) once per gang it cannot place on existing or launching capacity,
/// with every pool that could host the remaining workers within its `max`.
public protocol NodeScaleUpPolicy: DecisionPolicy
where Observation == NodeScaleUpObservation, Action == NodeScaleUpAction {}

/// A pending gang and the pools that could take it.
public struct NodeScaleUpObservation: Codable, Sendable, Equatable {
  /// The pending job.
  public var job: String
  public var team: String
  /// Workers still without a place.
  public var workers: Int
  public var perWorker: ResourceAmounts
  /// The expander configured: `least-waste`, `price` or `priority` (Karpenter: `price`).
  public var expander: String
  public var options: [Option]

  /// One pool that can grow enough for the gang.
  public struct Option: Codable, Sendable, Equatable {
    public var pool: String
    public var capacityType: String
    /// The instance type a new node would take.
    public var instanceType: String
    /// New nodes needed for the remaining workers.
    public var nodes: Int
    public var nodeCapacity: ResourceAmounts
    public var priceUSDPerHour: Double
    /// The pool's `expanderPriority` (higher wins under `priority`).
    public var expanderPriority: Int

    public init(
      pool: String, capacityType: String, instanceType: String, nodes: Int, nodeCapacity: ResourceAmounts,
      priceUSDPerHour: Double, expanderPriority: Int
    ) {
      self.pool = pool
      self.capacityType = capacityType
      self.instanceType = instanceType
      self.nodes = nodes
      self.nodeCapacity = nodeCapacity
      self.priceUSDPerHour = priceUSDPerHour
      self.expanderPriority = expanderPriority
    }
  }

  public init(job: String, team: String, workers: Int, perWorker: ResourceAmounts, expander: String, options: [Option])
  {
    self.job = job
    self.team = team
    self.workers = workers
    self.perWorker = perWorker
    self.expander = expander
    self.options = options
  }

  /// Why `action` cannot be carried out, or `nil`.
  public func problem(with action: NodeScaleUpAction) -> String? {
    guard let pool = action.pool else { return nil }
    if options.contains(where: { $0.pool == pool }) { return nil }
    return "pool `\(pool)` is not among the options (" + options.map { "`\($0.pool)`" }.joined(separator: ", ") + ")"
  }
}

/// The pool to grow, or none (the gang keeps waiting).
public struct NodeScaleUpAction: Codable, Sendable, Equatable {
  public var pool: String?
  public init(pool: String?) { self.pool = pool }
}

/// Cluster Autoscaler's expanders (`--expander=least-waste|price|priority`,
/// kubernetes/autoscaler `expander/`): the option with the lowest score wins, ties to
/// the earlier pool.
///
/// - `price`: node price × nodes needed.
/// - `priority`: the highest `expanderPriority`.
/// - `least-waste`: the mean of idle CPU and idle memory shares on the new nodes.
public final class ClusterAutoscalerScaleUp: NodeScaleUpPolicy {
  public init() {}

  public func decide(_ observation: NodeScaleUpObservation, at time: PolicyTime) -> NodeScaleUpAction {
    var best: (pool: String, score: Double)?
    for option in observation.options {
      let value = score(option, observation)
      if value < best?.score ?? .infinity { best = (option.pool, value) }
    }
    return NodeScaleUpAction(pool: best?.pool)
  }

  func score(_ option: NodeScaleUpObservation.Option, _ observation: NodeScaleUpObservation) -> Double {
    switch observation.expander {
    case "price":
      return option.priceUSDPerHour * Double(option.nodes)
    case "priority":
      return -Double(option.expanderPriority)
    default:
      let nodes = Int64(option.nodes)
      let workers = Int64(observation.workers)
      let capacityCPU = option.nodeCapacity.cpuMillis * nodes
      let capacityMemory = option.nodeCapacity.memoryMiB * nodes
      let cpuWaste = Double(capacityCPU - observation.perWorker.cpuMillis * workers) / Double(max(1, capacityCPU))
      let memoryWaste =
        Double(capacityMemory - observation.perWorker.memoryMiB * workers) / Double(max(1, capacityMemory))
      return (cpuWaste + memoryWaste) / 2
    }
  }
}
