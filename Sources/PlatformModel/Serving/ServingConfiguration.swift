import SimKernel

/// How a service's replicas follow its load: capacity, bounds, autoscaler, cold start.
///
/// Traffic is aggregated per interval, so autoscalers decide once per interval (the
/// scrape interval, 1 min by default) rather than on their own sync periods (HPA 15 s,
/// KPA 2 s); their algorithms, tolerances and windows are theirs.
public struct ServingConfiguration: Equatable, Sendable {
  /// Requests per second one replica serves at full utilisation.
  public var replicaCapacity: Double
  /// Lowest replica count; 0 allows scale to zero (Knative `min-scale`, KServe `minReplicas`).
  public var minReplicas: Int
  public var maxReplicas: Int
  /// Replicas at the start of the run.
  public var initialReplicas: Int
  public var autoscaler: ReplicaAutoscaler
  /// Image pull + model load until a new replica is ready.
  public var coldStart: Distribution
  /// Price of one replica-hour, for serving cost (USD), when the replicas are not
  /// placed on the cluster; 0 when its nodes are costed elsewhere.
  public var replicaCostPerHour: Double
  /// Where the replicas run as pods on the simulated cluster; `nil` keeps them off the
  /// cluster (capacity without nodes, costed at `replicaCostPerHour`).
  public var placement: ServingPlacement?

  public init(
    replicaCapacity: Double, minReplicas: Int, maxReplicas: Int, initialReplicas: Int, autoscaler: ReplicaAutoscaler,
    coldStart: Distribution, replicaCostPerHour: Double = 0, placement: ServingPlacement? = nil
  ) {
    self.replicaCapacity = replicaCapacity
    self.minReplicas = minReplicas
    self.maxReplicas = maxReplicas
    self.initialReplicas = initialReplicas
    self.autoscaler = autoscaler
    self.coldStart = coldStart
    self.replicaCostPerHour = replicaCostPerHour
    self.placement = placement
  }
}

/// The pod spec of a placed service's replicas: requests, node selection and tolerations.
///
/// Each replica is then a pod on the cluster (a KServe predictor / Ray Serve replica
/// pod): scheduled with the training pods, pending until a node has room (which the
/// Cluster Autoscaler or Karpenter answers), ready one cold start after it is bound,
/// evicted with its node, and charged its share of the node's cost (OpenCost).
public struct ServingPlacement: Equatable, Sendable {
  /// Requests of one replica pod.
  public var perReplica: Resources
  /// Only nodes of this pool (the pool's name as node label, as
  /// `eks.amazonaws.com/nodegroup` or `karpenter.sh/nodepool` select it).
  public var nodePool: String?
  /// Node labels required, sorted by key.
  public var nodeSelector: [NodeLabel]
  public var tolerations: [Toleration]
  /// Whether Cluster Autoscaler scale-down and Karpenter consolidation may evict the
  /// replicas to remove an underused node.
  ///
  /// ReplicaSet pods are evictable by default in both; `false` is `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"` /
  /// `karpenter.sh/do-not-disrupt: "true"` on the pod template.
  public var safeToEvict: Bool
  /// Pod priority (the value of the pods' PriorityClass; 0 without one, as in
  /// Kubernetes).
  ///
  /// A pending replica may preempt training pods of lower priority, and
  /// training pods of higher priority may preempt replicas (kube-scheduler
  /// DefaultPreemption, ``Cluster/schedulingPass(scheduler:)``).
  public var priority: Int

  public init(
    perReplica: Resources, nodePool: String? = nil, nodeSelector: [NodeLabel] = [], tolerations: [Toleration] = [],
    safeToEvict: Bool = true, priority: Int = 0
  ) {
    self.perReplica = perReplica
    self.nodePool = nodePool
    self.nodeSelector = nodeSelector.sorted { $0.key < $1.key }
    self.tolerations = tolerations
    self.safeToEvict = safeToEvict
    self.priority = priority
  }

  /// Whether a replica may run on `pool`'s nodes at all: pool, selector, taints, and
  /// an instance type whose capacity holds the requests.
  public func canRun(on pool: NodePoolConfiguration, catalogue: InstanceCatalogue) -> Bool {
    if let nodePool, nodePool != pool.name { return false }
    for label in nodeSelector where pool.label(label.key) != label.value { return false }
    for taint in pool.taints where !tolerations.contains(where: { $0.tolerates(taint) }) { return false }
    return pool.instanceTypes.contains { name in
      catalogue.type(named: name).map { perReplica.fits(in: $0.capacity) } ?? false
    }
  }
}

/// One node label a pod selects on.
public struct NodeLabel: Equatable, Sendable {
  public var key: String
  public var value: String
  public init(key: String, value: String) {
    self.key = key
    self.value = value
  }
}

/// The replica autoscaler of a service.
public enum ReplicaAutoscaler: Equatable, Sendable {
  /// A fixed replica count (`initialReplicas`).
  case fixed
  /// Kubernetes HPA on utilisation (policy-semantics.md §7.1): desired =
  /// ceil(current × utilisation / target), no change within the tolerance, scale-down
  /// to the highest recommendation of the stabilisation window, scale-up at most
  /// max(2 × current, current + 4) per decision (the legacy behaviour without `behavior`).
  case hpa(targetUtilization: Double, tolerance: Double, scaleDownStabilization: SimDuration)
  /// Knative KPA (policy-semantics.md §6): desired = ceil(load / (capacity × target))
  /// averaged over the stable window; panic mode when load reaches `panicThreshold` ×
  /// ready capacity (scale up at once, never down while panicking); scale-down at most
  /// halving per decision (`max-scale-down-rate` 2); scale to zero after the stable
  /// window plus the grace period without traffic; a request to a service at zero
  /// wakes it at once (the activator).
  case kpa(targetUtilization: Double, stableWindow: SimDuration, panicThreshold: Double, scaleToZeroGrace: SimDuration)
}
