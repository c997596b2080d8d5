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
  /// Price of one replica-hour, for serving cost (USD); 0 when its nodes are costed elsewhere.
  public var replicaCostPerHour: Double

  public init(
    replicaCapacity: Double, minReplicas: Int, maxReplicas: Int, initialReplicas: Int, autoscaler: ReplicaAutoscaler,
    coldStart: Distribution, replicaCostPerHour: Double = 0
  ) {
    self.replicaCapacity = replicaCapacity
    self.minReplicas = minReplicas
    self.maxReplicas = maxReplicas
    self.initialReplicas = initialReplicas
    self.autoscaler = autoscaler
    self.coldStart = coldStart
    self.replicaCostPerHour = replicaCostPerHour
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
