/// Spot or on-demand capacity for a `spot-with-fallback` job the autoscaler is
/// about to launch nodes for — including when to fall back to on-demand.
///
/// Consulted with the pools that could grow for the job right now; spot pools whose
/// launches failed (a capacity shortage) are backed off and missing from the
/// options, which is when a fallback rule matters.
public protocol CapacityTypePolicy: DecisionPolicy
where Observation == CapacityTypeObservation, Action == CapacityTypeAction {}

/// A `spot-with-fallback` job and the capacity types it could get now.
public struct CapacityTypeObservation: Codable, Sendable, Equatable {
  public var job: String
  public var team: String
  public var workers: Int
  /// Seconds since the job was submitted (it may have run and been interrupted since).
  public var waitingSeconds: Double
  /// Spot pools that could grow for the job now.
  public var spotPools: [String]
  /// On-demand pools that could grow for the job now.
  public var onDemandPools: [String]
  /// Spot pools backed off after a failed launch (a spot capacity shortage).
  public var spotPoolsBackedOff: [String]

  public init(
    job: String, team: String, workers: Int, waitingSeconds: Double, spotPools: [String], onDemandPools: [String],
    spotPoolsBackedOff: [String]
  ) {
    self.job = job
    self.team = team
    self.workers = workers
    self.waitingSeconds = waitingSeconds
    self.spotPools = spotPools
    self.onDemandPools = onDemandPools
    self.spotPoolsBackedOff = spotPoolsBackedOff
  }

  public func problem(with action: CapacityTypeAction) -> String? { nil }
}

/// Which pools may grow: `spot` only, `on-demand` only, or `any`; `spot` with no
/// spot option means the job waits for spot capacity.
public struct CapacityTypeAction: Codable, Sendable, Equatable {
  public enum Choice: String, Codable, Sendable {
    case spot
    case onDemand = "on-demand"
    case any
  }
  public var capacityType: Choice
  public init(capacityType: Choice) { self.capacityType = capacityType }
}

/// Spot while any spot pool can grow, else whatever can (Cluster Autoscaler with
/// priority expander tiers spot > on-demand; Karpenter's `spot` before `on-demand`
/// in `karpenter.sh/capacity-type`).
public final class SpotFirstCapacity: CapacityTypePolicy {
  public init() {}
  public func decide(_ observation: CapacityTypeObservation, at time: PolicyTime) -> CapacityTypeAction {
    CapacityTypeAction(capacityType: observation.spotPools.isEmpty ? .any : .spot)
  }
}

/// Never launches spot for `spot-with-fallback` jobs: the all-on-demand baseline.
public final class OnDemandOnlyCapacity: CapacityTypePolicy {
  public init() {}
  public func decide(_ observation: CapacityTypeObservation, at time: PolicyTime) -> CapacityTypeAction {
    CapacityTypeAction(capacityType: .onDemand)
  }
}
