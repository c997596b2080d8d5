/// Which nodes Karpenter consolidation removes in one disruption poll.
///
/// Asked every polling period (10 s) when some node has been unneeded for
/// `consolidateAfter` (Karpenter's candidates). The policy picks and orders the
/// nodes; the model keeps Karpenter's constraints, which are facts of the controller
/// rather than choices: the per-pool disruption budget, the pool's `min`, and the
/// scheduling simulation — a busy node goes only if its jobs, each wholly on it, fit
/// on the other Ready nodes, and then those jobs are evicted.
public protocol NodeConsolidationPolicy: DecisionPolicy
where Observation == NodeConsolidationObservation, Action == NodeConsolidationAction {}

public struct NodeConsolidationObservation: Codable, Sendable, Equatable {
  /// Karpenter `consolidationPolicy`: `WhenEmpty` or `WhenEmptyOrUnderutilized`.
  public var consolidationPolicy: String
  /// The candidates, in the cluster's node order.
  public var candidates: [Candidate]
  /// Per pool with a candidate: disruptions the budget still allows, size and minimum.
  public var pools: [Pool]

  public struct Candidate: Codable, Sendable, Equatable {
    public var node: String
    public var pool: String
    public var ready: Bool
    /// Pods (workers) running on the node.
    public var pods: Int
    public var unneededSeconds: Double
    public init(node: String, pool: String, ready: Bool, pods: Int, unneededSeconds: Double) {
      self.node = node
      self.pool = pool
      self.ready = ready
      self.pods = pods
      self.unneededSeconds = unneededSeconds
    }
  }

  public struct Pool: Codable, Sendable, Equatable {
    public var pool: String
    /// `roundup(nodes × budget) − deleting − not ready`.
    public var disruptionsAllowed: Int
    public var desiredNodes: Int
    public var minNodes: Int
    public init(pool: String, disruptionsAllowed: Int, desiredNodes: Int, minNodes: Int) {
      self.pool = pool
      self.disruptionsAllowed = disruptionsAllowed
      self.desiredNodes = desiredNodes
      self.minNodes = minNodes
    }
  }

  public init(consolidationPolicy: String, candidates: [Candidate], pools: [Pool]) {
    self.consolidationPolicy = consolidationPolicy
    self.candidates = candidates
    self.pools = pools
  }

  public func problem(with action: NodeConsolidationAction) -> String? {
    let names = Set(candidates.map(\.node))
    let empty = Set(candidates.filter { $0.pods == 0 }.map(\.node))
    if let bad = action.empty.first(where: { !empty.contains($0) }) { return "`\(bad)` is not an empty candidate" }
    if let bad = action.underutilized.first(where: { !names.contains($0) }) { return "`\(bad)` is not a candidate" }
    return nil
  }
}

/// The nodes to remove: `empty` ones, in order, each if its pool's budget and `min`
/// allow; then the first of `underutilized` (in order) that the budget allows and
/// whose jobs can move — at most one busy node per poll, as Karpenter.
public struct NodeConsolidationAction: Codable, Sendable, Equatable {
  public var empty: [String]
  public var underutilized: [String]
  public init(empty: [String] = [], underutilized: [String] = []) {
    self.empty = empty
    self.underutilized = underutilized
  }
}

/// Karpenter's disruption controller (kubernetes-sigs/karpenter `disruption.md`):
/// every empty candidate first; with `WhenEmptyOrUnderutilized`, then the Ready busy
/// candidates with the fewest pods first (ties in node order) — the cheapest to move.
public final class KarpenterConsolidation: NodeConsolidationPolicy {
  public init() {}
  public func decide(_ observation: NodeConsolidationObservation, at time: PolicyTime) -> NodeConsolidationAction {
    let empty = observation.candidates.filter { $0.pods == 0 }.map(\.node)
    guard observation.consolidationPolicy == "WhenEmptyOrUnderutilized" else {
      return NodeConsolidationAction(empty: empty)
    }
    let busy = observation.candidates.enumerated().filter { $0.element.ready && $0.element.pods > 0 }
      .sorted { ($0.element.pods, $0.offset) < ($1.element.pods, $1.offset) }.map(\.element.node)
    return NodeConsolidationAction(empty: empty, underutilized: busy)
  }
}

/// Never consolidates: Karpenter with `disruption.budgets: [{nodes: "0"}]`.
public final class NeverConsolidate: NodeConsolidationPolicy {
  public init() {}
  public func decide(_ observation: NodeConsolidationObservation, at time: PolicyTime) -> NodeConsolidationAction {
    NodeConsolidationAction()
  }
}
