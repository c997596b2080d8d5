/// Whether the node autoscaler removes an unneeded node now.
///
/// Consulted once per scan for each Ready node whose utilisation is below the
/// scale-down threshold and whose pods could go (empty, or movable when training
/// pods may be evicted). The model keeps the "unneeded since" clock.
public protocol NodeScaleDownPolicy: DecisionPolicy
where Observation == NodeScaleDownObservation, Action == NodeScaleDownAction {}

/// An unneeded node and the autoscaler's state in this scan.
public struct NodeScaleDownObservation: Codable, Sendable, Equatable {
  public var node: String
  public var pool: String
  public var instanceType: String
  public var capacityType: String
  /// GPU share on GPU nodes, else the larger of the CPU and memory shares.
  public var utilisation: Double
  /// Whether no pod runs on the node (else its jobs would be evicted and moved).
  public var empty: Bool
  public var unneededSeconds: Double
  /// `scale-down-unneeded-time`.
  public var unneededTimeSeconds: Double
  /// Within `scale-down-delay-after-add` of the last scale-up.
  public var coolingDown: Bool
  public var removedThisScan: Int
  /// `max-scale-down-parallelism`.
  public var maxScaleDownParallelism: Int
  /// Whether a non-empty node was already drained this scan.
  public var drainedThisScan: Bool
  public var poolDesiredNodes: Int
  public var poolMinNodes: Int

  public init(
    node: String, pool: String, instanceType: String, capacityType: String, utilisation: Double, empty: Bool,
    unneededSeconds: Double, unneededTimeSeconds: Double, coolingDown: Bool, removedThisScan: Int,
    maxScaleDownParallelism: Int, drainedThisScan: Bool, poolDesiredNodes: Int, poolMinNodes: Int
  ) {
    self.node = node
    self.pool = pool
    self.instanceType = instanceType
    self.capacityType = capacityType
    self.utilisation = utilisation
    self.empty = empty
    self.unneededSeconds = unneededSeconds
    self.unneededTimeSeconds = unneededTimeSeconds
    self.coolingDown = coolingDown
    self.removedThisScan = removedThisScan
    self.maxScaleDownParallelism = maxScaleDownParallelism
    self.drainedThisScan = drainedThisScan
    self.poolDesiredNodes = poolDesiredNodes
    self.poolMinNodes = poolMinNodes
  }

  /// A pool never shrinks below its minimum, whoever decides.
  public func problem(with action: NodeScaleDownAction) -> String? {
    action.remove && poolDesiredNodes <= poolMinNodes
      ? "cannot remove a node of pool `\(pool)`: it is at its minimum of \(poolMinNodes) nodes" : nil
  }
}

/// Remove the node now, or keep it for this scan.
public struct NodeScaleDownAction: Codable, Sendable, Equatable {
  public var remove: Bool
  public init(remove: Bool) { self.remove = remove }
}

/// Cluster Autoscaler's scale-down rules (kubernetes/autoscaler FAQ, "How does
/// scale-down work?"): unneeded for `scale-down-unneeded-time`, not within
/// `scale-down-delay-after-add`, at most `max-scale-down-parallelism` per scan,
/// non-empty nodes drained one per scan, never below the pool's `min`.
public final class ClusterAutoscalerScaleDown: NodeScaleDownPolicy {
  public init() {}

  public func decide(_ observation: NodeScaleDownObservation, at time: PolicyTime) -> NodeScaleDownAction {
    let remove =
      !observation.coolingDown && observation.removedThisScan < observation.maxScaleDownParallelism
      && observation.unneededSeconds >= observation.unneededTimeSeconds
      && observation.poolDesiredNodes > observation.poolMinNodes
      && (observation.empty || !observation.drainedThisScan)
    return NodeScaleDownAction(remove: remove)
  }
}

/// Never removes a node: the baseline of a cluster without scale-down.
public final class NeverScaleDown: NodeScaleDownPolicy {
  public init() {}
  public func decide(_ observation: NodeScaleDownObservation, at time: PolicyTime) -> NodeScaleDownAction {
    NodeScaleDownAction(remove: false)
  }
}
