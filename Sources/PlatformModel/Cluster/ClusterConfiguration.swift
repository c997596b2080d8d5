import SimKernel

/// Whether a node is bought on demand or on the spot market.
public enum CapacityType: String, Sendable, CaseIterable {
  case onDemand = "on-demand"
  case spot
}

/// A node taint (`key=value:effect`); a pod must tolerate it to land on the node.
///
/// Only `NoSchedule` semantics are modelled: untolerated pods are not placed.
public struct Taint: Equatable, Sendable {
  public var key: String
  public var value: String?
  public var effect: String
  public init(key: String, value: String? = nil, effect: String = "NoSchedule") {
    self.key = key
    self.value = value
    self.effect = effect
  }
}

/// A pod toleration: `operator: Exists` when `value` is `nil`, else `Equal`.
public struct Toleration: Equatable, Sendable {
  public var key: String
  public var value: String?
  public init(key: String, value: String? = nil) {
    self.key = key
    self.value = value
  }

  public func tolerates(_ taint: Taint) -> Bool {
    key == taint.key && (value == nil || value == taint.value)
  }
}

/// A node pool as declared in the platform's Terraform.
///
/// An EKS managed node group or a Karpenter NodePool: for example `gpu_nodes`,
/// g5.xlarge, min 1, max 10, desired 2.
public struct NodePoolConfiguration: Equatable, Sendable {
  public var name: String
  public var capacityType: CapacityType
  /// Instance types in preference order; a new node takes the first that can launch.
  public var instanceTypes: [String]
  public var minNodes: Int
  public var maxNodes: Int
  /// Nodes at the start of the run (the ASG's desired capacity); without an autoscaler
  /// the pool holds this count and replaces lost nodes, as an ASG does.
  public var desiredNodes: Int
  /// Seconds from launch request to a Ready node (GCE: 3–4 min, anchors §3.2).
  public var provisioningDelay: Distribution
  /// Node labels, sorted by key (matched by pod node selectors).
  public var labels: [(key: String, value: String)]
  public var taints: [Taint]
  /// Weekly windows in which the pool runs; outside them it is scaled to zero.
  public var activeSchedule: WeeklySchedule?
  /// The priority expander's rank (higher wins).
  public var expanderPriority: Int

  public init(
    name: String, capacityType: CapacityType, instanceTypes: [String], minNodes: Int, maxNodes: Int, desiredNodes: Int,
    provisioningDelay: Distribution = .constant(180), labels: [(key: String, value: String)] = [], taints: [Taint] = [],
    activeSchedule: WeeklySchedule? = nil, expanderPriority: Int = 0
  ) {
    self.name = name
    self.capacityType = capacityType
    self.instanceTypes = instanceTypes
    self.minNodes = minNodes
    self.maxNodes = maxNodes
    self.desiredNodes = desiredNodes
    self.provisioningDelay = provisioningDelay
    self.labels = labels.sorted { $0.key < $1.key }
    self.taints = taints
    self.activeSchedule = activeSchedule
    self.expanderPriority = expanderPriority
  }

  public static func == (lhs: NodePoolConfiguration, rhs: NodePoolConfiguration) -> Bool {
    lhs.name == rhs.name && lhs.capacityType == rhs.capacityType && lhs.instanceTypes == rhs.instanceTypes
      && lhs.minNodes == rhs.minNodes && lhs.maxNodes == rhs.maxNodes && lhs.desiredNodes == rhs.desiredNodes
      && lhs.provisioningDelay == rhs.provisioningDelay && lhs.labels.map(\.key) == rhs.labels.map(\.key)
      && lhs.labels.map(\.value) == rhs.labels.map(\.value) && lhs.taints == rhs.taints
      && lhs.activeSchedule == rhs.activeSchedule && lhs.expanderPriority == rhs.expanderPriority
  }

  public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
}

/// The spot market a run sees: notice window, correlated reclaims and shortages.
public struct SpotMarketConfiguration: Equatable, Sendable {
  /// Warning before a reclaimed node goes (AWS: 2 min; GCP and Azure: 30 s).
  public var noticeWindow: SimDuration
  /// Mean time between events that reclaim a share of every spot pool at once; `nil` for none.
  public var correlatedReclaimMeanInterval: SimDuration?
  /// Share of a pool's live spot nodes each correlated event takes (rounded up).
  public var correlatedReclaimFraction: Double
  /// Fixed windows in which no spot node can launch (InsufficientInstanceCapacity).
  public var shortageWindows: [Range<SimTime>]
  /// Random shortages: mean time between their starts; `nil` for none.
  public var shortageMeanInterval: SimDuration?
  public var shortageDuration: Distribution

  public init(
    noticeWindow: SimDuration = .seconds(120), correlatedReclaimMeanInterval: SimDuration? = nil,
    correlatedReclaimFraction: Double = 0.5, shortageWindows: [Range<SimTime>] = [],
    shortageMeanInterval: SimDuration? = nil, shortageDuration: Distribution = .constant(3_600)
  ) {
    self.noticeWindow = noticeWindow
    self.correlatedReclaimMeanInterval = correlatedReclaimMeanInterval
    self.correlatedReclaimFraction = correlatedReclaimFraction
    self.shortageWindows = shortageWindows
    self.shortageMeanInterval = shortageMeanInterval
    self.shortageDuration = shortageDuration
  }
}

/// Which node-group the Cluster Autoscaler grows when several could host a pod.
public enum ScaleUpExpander: String, Sendable, CaseIterable {
  /// Least idle CPU (then memory) after the scale-up; the CA default.
  case leastWaste = "least-waste"
  /// Cheapest node-hour.
  case price
  /// Highest `expanderPriority`.
  case priority
}

/// Cluster-Autoscaler settings, defaulting to its real flags
/// (`kubernetes/autoscaler` FAQ; anchors-simulators.md §7).
public struct ClusterAutoscalerConfiguration: Equatable, Sendable {
  /// `--scan-interval`.
  public var scanInterval: SimDuration = .seconds(10)
  /// `--scale-down-unneeded-time`.
  public var scaleDownUnneededTime: SimDuration = .minutes(10)
  /// `--scale-down-delay-after-add`.
  public var scaleDownDelayAfterAdd: SimDuration = .minutes(10)
  /// `--scale-down-utilization-threshold` (and the GPU one).
  public var scaleDownUtilisationThreshold: Double = 0.5
  /// `--max-node-provision-time`: a launch not Ready by then is given up.
  public var maxNodeProvisionTime: SimDuration = .minutes(15)
  /// `--initial-node-group-backoff-duration`: a group whose launch failed is skipped this long.
  public var nodeGroupBackoff: SimDuration = .minutes(5)
  /// `--max-scale-down-parallelism`.
  public var maxScaleDownParallelism: Int = 10
  public var expander: ScaleUpExpander = .leastWaste
  /// Whether scale-down may drain nodes running training pods (CA's default for
  /// Job pods); off by default, as ML platforms usually mark them not safe to evict.
  public var evictsTrainingPods = false

  public init() {}
}

/// Karpenter's consolidation policy (`spec.disruption.consolidationPolicy`).
public enum ConsolidationPolicy: String, Sendable, CaseIterable {
  case whenEmpty = "WhenEmpty"
  case whenEmptyOrUnderutilized = "WhenEmptyOrUnderutilized"
}

/// Karpenter settings, defaulting to its real ones (`kubernetes-sigs/karpenter`
/// `pkg/apis/v1/nodepool.go`, disruption controller and options; anchors §7).
public struct KarpenterConfiguration: Equatable, Sendable {
  public var consolidationPolicy: ConsolidationPolicy = .whenEmptyOrUnderutilized
  /// How long a node must stay empty or underutilised before it is consolidated.
  public var consolidateAfter: SimDuration = .zero
  /// Disruption budget `nodes: "10%"`: allowed = roundup(total × share) − deleting − not ready.
  public var budgetShare: Double = 0.10
  /// Disruption controller polling period.
  public var pollingPeriod: SimDuration = .seconds(10)
  /// `--batch-idle-duration`: provisioning waits this long after the last pending pod.
  public var batchIdleDuration: SimDuration = .seconds(1)
  /// How long an offering that failed to launch (ICE) is skipped (the unavailable-offerings cache).
  public var unavailableOfferingTTL: SimDuration = .minutes(3)

  public init() {}
}

/// The Kubernetes cluster: catalogue, pools, spot market and node autoscaling.
public struct ClusterConfiguration: Equatable, Sendable {
  public var name: String
  public var catalogue: InstanceCatalogue
  public var nodePools: [NodePoolConfiguration]
  public var spotMarket: SpotMarketConfiguration
  /// `nil`: pools hold their desired size (an ASG without an autoscaler).
  public var autoscaler: ClusterAutoscalerConfiguration?
  /// Karpenter-like provisioning and consolidation instead of the Cluster Autoscaler.
  public var karpenter: KarpenterConfiguration?
  /// Whether to write one `cluster_nodes` / `cluster_workloads` row per entity.
  public var recordsRows: Bool
  /// kube-scheduler's `percentageOfNodesToScore`: `nil` (the default) scores every
  /// node; 0 is kube-scheduler's adaptive share, 1–100 a fixed one (``PodScheduler``).
  public var percentageOfNodesToScore: Int?

  public init(
    name: String, catalogue: InstanceCatalogue = .awsUSEast1, nodePools: [NodePoolConfiguration],
    spotMarket: SpotMarketConfiguration = SpotMarketConfiguration(), autoscaler: ClusterAutoscalerConfiguration? = nil,
    karpenter: KarpenterConfiguration? = nil, recordsRows: Bool = true, percentageOfNodesToScore: Int? = nil
  ) {
    self.percentageOfNodesToScore = percentageOfNodesToScore
    self.karpenter = karpenter
    self.name = name
    self.catalogue = catalogue
    self.nodePools = nodePools
    self.spotMarket = spotMarket
    self.autoscaler = autoscaler
    self.recordsRows = recordsRows
  }
}
