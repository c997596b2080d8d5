/// How many replicas a model service should run.
///
/// Consulted once per traffic interval for each service with a `serving` section,
/// after the configured autoscaler (HPA, Knative KPA or fixed) has made its
/// recommendation, which the observation carries.
public protocol ReplicaAutoscalingPolicy: DecisionPolicy
where Observation == ReplicaAutoscalingObservation, Action == ReplicaAutoscalingAction {}

public struct ReplicaAutoscalingObservation: Codable, Sendable, Equatable {
  public var service: String
  public var currentReplicas: Int
  /// Ready replicas (the HPA averages over these).
  public var readyReplicas: Int
  /// The metric's current per-replica average (in-flight requests, say).
  public var metricValue: Double
  public var targetValue: Double
  public var minReplicas: Int
  public var maxReplicas: Int
  /// HPA `--horizontal-pod-autoscaler-tolerance` (0.1).
  public var tolerance: Double
  /// The scenario's autoscaler: `hpa`, `kpa` or `fixed`.
  public var autoscaler: String
  /// What that autoscaler recommends now (with its windows, panic mode and limits).
  public var recommendedReplicas: Int

  public init(
    service: String, currentReplicas: Int, readyReplicas: Int, metricValue: Double, targetValue: Double,
    minReplicas: Int, maxReplicas: Int, tolerance: Double = 0.1, autoscaler: String = "hpa",
    recommendedReplicas: Int? = nil
  ) {
    self.service = service
    self.currentReplicas = currentReplicas
    self.readyReplicas = readyReplicas
    self.metricValue = metricValue
    self.targetValue = targetValue
    self.minReplicas = minReplicas
    self.maxReplicas = maxReplicas
    self.tolerance = tolerance
    self.autoscaler = autoscaler
    self.recommendedReplicas = recommendedReplicas ?? currentReplicas
  }

  public func problem(with action: ReplicaAutoscalingAction) -> String? {
    (minReplicas...max(minReplicas, maxReplicas)).contains(action.desiredReplicas)
      ? nil
      : "desiredReplicas must be within minReplicas…maxReplicas (\(minReplicas)…\(maxReplicas)), found \(action.desiredReplicas)"
  }
}

public struct ReplicaAutoscalingAction: Codable, Sendable, Equatable {
  public var desiredReplicas: Int
  public init(desiredReplicas: Int) { self.desiredReplicas = desiredReplicas }
}

/// The scenario's own autoscaler (`serving.autoscaler`: Kubernetes HPA with its
/// scale-down stabilisation window, Knative KPA with stable and panic windows, or a
/// fixed count), whose recommendation arrives in the observation.
public final class ConfiguredReplicaAutoscaler: ReplicaAutoscalingPolicy {
  public init() {}
  public func decide(_ observation: ReplicaAutoscalingObservation, at time: PolicyTime) -> ReplicaAutoscalingAction {
    ReplicaAutoscalingAction(desiredReplicas: observation.recommendedReplicas)
  }
}

/// The bare Kubernetes HPA algorithm, without history: desired = ⌈current × metric / target⌉, unchanged
/// within the tolerance, clamped to [min, max] (stabilisation windows are the
/// caller's, as they need the recommendation history).
public final class HorizontalPodAutoscaler: ReplicaAutoscalingPolicy {
  public init() {}
  public func decide(_ observation: ReplicaAutoscalingObservation, at time: PolicyTime) -> ReplicaAutoscalingAction {
    guard observation.targetValue > 0 else {
      return ReplicaAutoscalingAction(desiredReplicas: observation.currentReplicas)
    }
    let ratio = observation.metricValue / observation.targetValue
    var desired = observation.currentReplicas
    if abs(ratio - 1) > observation.tolerance {
      desired = Int((Double(max(1, observation.readyReplicas)) * ratio).rounded(.up))
    }
    return ReplicaAutoscalingAction(
      desiredReplicas: min(observation.maxReplicas, max(observation.minReplicas, desired)))
  }
}
