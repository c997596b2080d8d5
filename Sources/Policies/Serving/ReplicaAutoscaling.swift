/// How many replicas a model service should run.
///
/// Defined for the serving component to adopt; not yet consulted.
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

  public init(
    service: String, currentReplicas: Int, readyReplicas: Int, metricValue: Double, targetValue: Double,
    minReplicas: Int, maxReplicas: Int, tolerance: Double = 0.1
  ) {
    self.service = service
    self.currentReplicas = currentReplicas
    self.readyReplicas = readyReplicas
    self.metricValue = metricValue
    self.targetValue = targetValue
    self.minReplicas = minReplicas
    self.maxReplicas = maxReplicas
    self.tolerance = tolerance
  }

  public func problem(with action: ReplicaAutoscalingAction) -> String? {
    action.desiredReplicas >= 0 ? nil : "desiredReplicas must not be negative (found \(action.desiredReplicas))"
  }
}

public struct ReplicaAutoscalingAction: Codable, Sendable, Equatable {
  public var desiredReplicas: Int
  public init(desiredReplicas: Int) { self.desiredReplicas = desiredReplicas }
}

/// The Kubernetes HPA algorithm: desired = ⌈current × metric / target⌉, unchanged
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
