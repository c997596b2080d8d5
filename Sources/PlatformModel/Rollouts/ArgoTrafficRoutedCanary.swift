import SimKernel

/// Argo Rollouts' ReplicaSet sizing for a canary behind a traffic router
/// (`utils/replicaset/canary.go` `CalculateReplicaCountsForTrafficRoutedCanary`,
/// `rollout/replicaset.go` `shouldDelayScaleDownOnAbort`; policy-semantics.md §1.4–1.5).
///
/// The stable ReplicaSet stays at `spec.replicas` (no `dynamicStableScale`); only the
/// canary's count follows the weight. `maxSurge` and `maxUnavailable` play no part.
public enum ArgoTrafficRoutedCanary {
  /// The canary ReplicaSet's count.
  ///
  /// - Parameters:
  ///   - replicas: `spec.replicas`.
  ///   - weight: the weight it is sized for (the last `setWeight`, or a
  ///     `setCanaryScale` weight); 0 before the first `setWeight` and once aborted.
  ///   - canaryReplicas: a `setCanaryScale` with `replicas` in force.
  ///   - abortedAt: when the rollout was aborted, if it was.
  ///   - abortScaleDownDelay: `abortScaleDownDelaySeconds`; `nil` keeps an aborted
  ///     canary's pods up for good (a setting of 0).
  ///   - current: the canary's pods now (kept while the abort delay runs).
  public static func canaryCount(
    replicas: Int, weight: Int, canaryReplicas: Int?, abortedAt: SimTime?, abortScaleDownDelay: SimDuration?,
    current: Int, at time: SimTime
  ) -> Int {
    if let abortedAt {
      // Traffic is back on the stable already; the pods wait for the scale-down deadline.
      guard let delay = abortScaleDownDelay else { return current }
      return time < abortedAt + delay ? current : 0
    }
    if let canaryReplicas { return canaryReplicas }
    // trafficWeightToReplicas: ceil(weight × replicas / 100).
    return (weight * replicas + 99) / 100
  }
}
