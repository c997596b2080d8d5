/// `maxSurge` or `maxUnavailable` of an Argo Rollouts canary.
///
/// A pod count, or a percentage of `spec.replicas`. Argo reads any string as a percentage (`"25"` and
/// `"25%"` alike; legacy `intstr.GetValueFromIntOrPercent`), so the default `"25"` is 25 %.
public enum ReplicaBudget: Hashable, Sendable {
  case count(Int)
  case percent(Int)

  /// Zero pods whatever the replica count.
  public var isZero: Bool { self == .count(0) || self == .percent(0) }

  /// The budget for `replicas` pods, rounded up (surge) or down (unavailable).
  func resolve(replicas: Int, roundUp: Bool) -> Int {
    switch self {
    case .count(let count): return count
    case .percent(let percent):
      let scaled = replicas * percent
      return roundUp ? (scaled + 99) / 100 : scaled / 100
    }
  }
}

/// Pod counts of one ReplicaSet: as specified, and available (ready).
public struct ReplicaSetCounts: Equatable, Sendable {
  public var spec: Int
  public var available: Int
  public init(spec: Int, available: Int) {
    self.spec = spec
    self.available = available
  }
}

/// Argo Rollouts' replica arithmetic for a canary without traffic routing (the "basic
/// canary"), after `utils/replicaset/canary.go` (policy-semantics.md §1.2–1.3).
///
/// The weight is approximated with pod counts (`approximateWeightedCanaryStableReplicaCounts`),
/// and each reconcile moves the two ReplicaSets toward those counts within the surge
/// and availability budgets (`CalculateReplicaCountsForBasicCanary`): scale up the
/// stable, then the canary, while all pods stay ≤ replicas + maxSurge; then scale down
/// the ReplicaSet that must shrink while available pods stay ≥ replicas − maxUnavailable,
/// counting the growing side's pods only once available. Older ReplicaSets, traffic
/// routing, `setCanaryScale` and `minPodsPerReplicaSet` are not modelled.
public enum ArgoBasicCanary {
  /// `resolveFenceposts`: surge rounds up, unavailable rounds down, each a share of
  /// `replicas`; if both come to zero, one pod may be unavailable.
  public static func fenceposts(maxSurge: ReplicaBudget, maxUnavailable: ReplicaBudget, replicas: Int)
    -> (surge: Int, unavailable: Int)
  {
    let surge = maxSurge.resolve(replicas: replicas, roundUp: true)
    let unavailable = maxUnavailable.resolve(replicas: replicas, roundUp: false)
    return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable)
  }

  /// The (canary, stable) pod counts that best approximate `weight` percent of `replicas` pods.
  ///
  /// Candidates of `replicas` pods in all (and `replicas` + 1 when
  /// surge is allowed), the canary rounded up or down, the nearest share winning and
  /// the first candidate on a tie. For weights 1–99 neither side is zero unless a
  /// single pod cannot surge. The two may sum to `replicas` + 1.
  public static func targetCounts(replicas: Int, weight: Int, maxSurge: Int) -> (canary: Int, stable: Int) {
    guard replicas > 0 else { return (0, 0) }
    let exact = replicas * weight
    let ceiling = (exact + 99) / 100
    let floor = exact / 100
    let zeroAllowed = weight == 0 || weight == 100 || (replicas == 1 && maxSurge == 0)
    // Floor and ceiling equally far from the weight (fraction exactly ½): take the larger canary.
    func tied(_ total: Int) -> Bool { (total * weight) % 100 == 50 }
    var options: [(canary: Int, total: Int)] = []
    if ceiling < replicas || zeroAllowed { options.append((ceiling, replicas)) }
    if !tied(replicas) && (floor != 0 || zeroAllowed) { options.append((floor, replicas)) }
    if maxSurge > 0 {
      options.append((ceiling, replicas + 1))
      if !tied(replicas + 1) && (floor != 0 || zeroAllowed) { options.append((floor, replicas + 1)) }
    }
    guard var best = options.first else { return (0, replicas) }
    func delta(_ option: (canary: Int, total: Int)) -> Double {
      abs(Double(option.canary * 100) / Double(option.total) - Double(weight))
    }
    for option in options.dropFirst() where delta(option) < delta(best) { best = option }
    return (best.canary, best.total - best.canary)
  }

  /// One reconcile: the ReplicaSets' next spec counts on the way to `weight`.
  ///
  /// - Parameters:
  ///   - replicas: `spec.replicas` (what the HPA wrote).
  ///   - surge, unavailable: resolved fenceposts (``fenceposts(maxSurge:maxUnavailable:replicas:)``).
  public static func reconcile(
    replicas: Int, weight: Int, surge: Int, unavailable: Int, canary: ReplicaSetCounts, stable: ReplicaSetCounts
  ) -> (canary: Int, stable: Int) {
    let target = targetCounts(replicas: replicas, weight: weight, maxSurge: surge)
    var nextCanary = canary.spec
    var nextStable = stable.spec
    let maximumTotal = replicas + surge
    // Scale up within the surge budget, the stable side first.
    var scaleUp = maximumTotal - (canary.spec + stable.spec)
    if stable.spec < target.stable && scaleUp > 0 {
      let added = min(scaleUp, target.stable - stable.spec)
      nextStable = stable.spec + added
      scaleUp -= added
    }
    if canary.spec < target.canary && scaleUp > 0 {
      nextCanary = canary.spec + min(scaleUp, target.canary - canary.spec)
    }
    // Scale down within the availability budget. While the canary grows, stable pods
    // count as specified and canary pods only once available; while it shrinks (an
    // abort), the reverse.
    let minimumAvailable = replicas - unavailable
    let increasing = target.canary >= canary.spec
    func countedForScaleDown(_ counts: ReplicaSetCounts, ignoringAvailability: Bool) -> Int {
      counts.spec < counts.available || ignoringAvailability ? counts.spec : counts.available
    }
    let counted =
      countedForScaleDown(canary, ignoringAvailability: !increasing)
      + countedForScaleDown(stable, ignoringAvailability: increasing)
    guard counted > minimumAvailable else { return (nextCanary, nextStable) }
    let scaleDown = counted - minimumAvailable
    if increasing {
      if stable.spec > target.stable { nextStable = max(target.stable, stable.spec - scaleDown) }
      let adjusted = withinLimits(
        draining: stable, adjusting: canary, drainCount: nextStable, adjustCount: nextCanary,
        maximumTotal: maximumTotal,
        minimumAvailable: minimumAvailable)
      return (adjusted.adjust, adjusted.drain)
    }
    if canary.spec > target.canary { nextCanary = max(target.canary, canary.spec - scaleDown) }
    let adjusted = withinLimits(
      draining: canary, adjusting: stable, drainCount: nextCanary, adjustCount: nextStable, maximumTotal: maximumTotal,
      minimumAvailable: minimumAvailable)
    return (adjusted.drain, adjusted.adjust)
  }

  /// `adjustReplicaWithinLimits`: trims the side whose availability counts back under
  /// the surge limit, gives back what availability needs, then trims the draining side.
  static func withinLimits(
    draining: ReplicaSetCounts, adjusting: ReplicaSetCounts, drainCount: Int, adjustCount: Int, maximumTotal: Int,
    minimumAvailable: Int
  ) -> (drain: Int, adjust: Int) {
    var drain = drainCount
    var adjust = adjustCount
    adjust -= max(0, adjust + drain - maximumTotal)
    let available = min(draining.available, drain) + min(adjusting.available, adjust)
    let lostAvailability = max(0, adjusting.available - adjust)
    adjust += min(lostAvailability, max(0, minimumAvailable - available))
    drain -= max(0, adjust + drain - maximumTotal)
    return (drain, adjust)
  }
}
