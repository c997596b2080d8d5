import Policies
import SimKernel

/// Replica autoscaling: the configured autoscaler's recommendation (Kubernetes HPA or
/// Knative KPA, ``ReplicaAutoscaler``), then the `replicaAutoscaling` decision point.
///
/// Traffic is aggregated per interval, so autoscalers decide once per interval (the
/// scrape interval, 1 min by default) rather than on their own sync periods (HPA 15 s,
/// KPA 2 s); their algorithms, tolerances and windows are theirs.
extension ServiceReplicas {
  /// What the service's autoscaler recommends for `load` requests per second at `time`.
  mutating func recommendedReplicas(serving: ServingConfiguration, load: Double, at time: SimTime) -> Int {
    let current = specReplicas
    func clamp(_ value: Int) -> Int { min(serving.maxReplicas, max(serving.minReplicas, value)) }
    switch serving.autoscaler {
    case .fixed:
      return current
    case .hpa(let target, let tolerance, let stabilization):
      guard ready > 0 else { return clamp(max(1, current)) }
      let utilization = load / (Double(ready) * serving.replicaCapacity)
      let ratio = utilization / target
      var recommendation = current
      if abs(ratio - 1) > tolerance {
        recommendation = Int((Double(ready) * ratio).rounded(.up))
      }
      recommendation = min(recommendation, max(2 * current, current + 4))
      recommendation = clamp(max(1, recommendation))
      recommendations.append((time, recommendation))
      recommendations.removeAll { time - $0.time > stabilization }
      // Scale down only to the highest recommendation in the window.
      if recommendation < current { return recommendations.map(\.desired).max() ?? recommendation }
      return recommendation
    case .kpa(let target, let stableWindow, let panicThreshold, let grace):
      loadWindow.append((time, load))
      loadWindow.removeAll { time - $0.time >= stableWindow }
      let stableLoad = loadWindow.map(\.load).reduce(0, +) / Double(max(1, loadWindow.count))
      let perReplica = serving.replicaCapacity * target
      var desired = Int((stableLoad / perReplica).rounded(.up))
      let readyCapacity = Double(max(1, ready)) * perReplica
      if load >= panicThreshold * readyCapacity && ready > 0 {
        panicking = true
        desired = max(desired, Int((load / perReplica).rounded(.up)))
      } else if panicking && load < readyCapacity {
        panicking = false
      }
      if panicking { desired = max(desired, current) }
      // Scale down at most by half per decision (max-scale-down-rate 2).
      if desired < current { desired = max(desired, current / 2) }
      if desired == 0 && time - lastTrafficAt < stableWindow + grace { desired = max(1, serving.minReplicas) }
      return clamp(desired)
    }
  }
}

extension ServiceReplicas {
  /// Asks the replica-autoscaling policy; by default the configured autoscaler's
  /// recommendation stands.
  func replicaDecision(
    serving: ServingConfiguration, load: Double, recommended: Int, at time: SimTime, name: String,
    policy: any ReplicaAutoscalingPolicy
  ) -> Int {
    let autoscaler: String
    var target = 1.0
    var tolerance = 0.1
    switch serving.autoscaler {
    case .fixed: autoscaler = "fixed"
    case .hpa(let targetUtilization, let hpaTolerance, _):
      autoscaler = "hpa"
      target = targetUtilization
      tolerance = hpaTolerance
    case .kpa(let targetUtilization, _, _, _):
      autoscaler = "kpa"
      target = targetUtilization
    }
    let observation = ReplicaAutoscalingObservation(
      service: name, currentReplicas: specReplicas, readyReplicas: ready, metricValue: load / Double(max(1, ready)),
      targetValue: serving.replicaCapacity * target, minReplicas: serving.minReplicas, maxReplicas: serving.maxReplicas,
      tolerance: tolerance, autoscaler: autoscaler, recommendedReplicas: recommended)
    return policy.decide(observation, at: PolicyTime(microseconds: time.microseconds)).desiredReplicas
  }
}
