/// Which nodes the pod scheduler tries first for a job stream's workers (the
/// scheduler's scoring step, at the granularity of node pools).
///
/// Asked once per job stream when the cluster starts — the scheduler's per-job,
/// per-pass placement is the hot path, so it only reads the stored ranking. Nodes are
/// tried by pool tier (lower first), then in node-ID order (first fit), and each
/// worker goes on the first node with room.
public protocol NodeOrderPolicy: DecisionPolicy
where Observation == NodeOrderObservation, Action == NodeOrderAction {}

public struct NodeOrderObservation: Codable, Sendable, Equatable {
  public var team: String
  /// `training/<team>/<position>-<template>`.
  public var stream: String
  /// The stream's capacity preference: `spot`, `on-demand` or `spot-with-fallback`.
  public var capacity: String
  /// Every node pool, in the scenario's order.
  public var pools: [Pool]

  public struct Pool: Codable, Sendable, Equatable {
    public var pool: String
    /// `spot` or `on-demand`.
    public var capacityType: String
    public var instanceTypes: [String]
    /// Whether the stream's workers may run there at all (selector, taints, size).
    public var canHost: Bool
    public init(pool: String, capacityType: String, instanceTypes: [String], canHost: Bool) {
      self.pool = pool
      self.capacityType = capacityType
      self.instanceTypes = instanceTypes
      self.canHost = canHost
    }
  }

  public init(team: String, stream: String, capacity: String, pools: [Pool]) {
    self.team = team
    self.stream = stream
    self.capacity = capacity
    self.pools = pools
  }

  public func problem(with action: NodeOrderAction) -> String? {
    if action.poolTiers.count != pools.count { return "poolTiers needs one entry per pool (\(pools.count))" }
    if action.poolTiers.contains(where: { $0 < 0 }) { return "poolTiers must not be negative" }
    return nil
  }
}

public struct NodeOrderAction: Codable, Sendable, Equatable {
  /// One tier per pool, in the observation's order: lower tiers are tried first.
  public var poolTiers: [Int]
  public init(poolTiers: [Int]) { self.poolTiers = poolTiers }
}

/// The model's placement before this point existed: first fit in node-ID order — a
/// bin-packing choice like kube-scheduler's `MostAllocated` scoring, keeping whole
/// nodes free for gangs and scale-down — with spot nodes first for
/// `spot-with-fallback` (Karpenter's and SkyPilot's spot-then-on-demand order).
public final class FirstFitNodeOrder: NodeOrderPolicy {
  public init() {}
  public func decide(_ observation: NodeOrderObservation, at time: PolicyTime) -> NodeOrderAction {
    let spotFirst = observation.capacity == "spot-with-fallback"
    return NodeOrderAction(poolTiers: observation.pools.map { spotFirst && $0.capacityType == "on-demand" ? 1 : 0 })
  }
}

/// Pools in the scenario's order (a CA `priority` expander's idea applied to
/// placement): the first pool's nodes fill before the second's.
public final class PoolOrderNodeOrder: NodeOrderPolicy {
  public init() {}
  public func decide(_ observation: NodeOrderObservation, at time: PolicyTime) -> NodeOrderAction {
    NodeOrderAction(poolTiers: Array(observation.pools.indices))
  }
}
