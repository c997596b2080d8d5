/// Whether a pending job evicts lower-priority running jobs to fit.
///
/// Consulted when the scheduler found a set of victims that makes the gang fit
/// (kube-scheduler's DefaultPreemption candidate selection stays in the model).
public protocol PreemptionPolicy: DecisionPolicy
where Observation == PreemptionObservation, Action == PreemptionAction {}

/// The pending job and the running jobs it would evict.
public struct PreemptionObservation: Codable, Sendable, Equatable {
  public var job: String
  public var team: String
  public var priority: Int
  public var victims: [Victim]

  public struct Victim: Codable, Sendable, Equatable {
    public var job: String
    public var team: String
    public var priority: Int
    /// Seconds the victim has run in its current attempt.
    public var runningSeconds: Double
    public init(job: String, team: String, priority: Int, runningSeconds: Double) {
      self.job = job
      self.team = team
      self.priority = priority
      self.runningSeconds = runningSeconds
    }
  }

  public init(job: String, team: String, priority: Int, victims: [Victim]) {
    self.job = job
    self.team = team
    self.priority = priority
    self.victims = victims
  }

  public func problem(with action: PreemptionAction) -> String? { nil }
}

public struct PreemptionAction: Codable, Sendable, Equatable {
  public var preempt: Bool
  public init(preempt: Bool) { self.preempt = preempt }
}

/// kube-scheduler DefaultPreemption (`preemptionPolicy: PreemptLowerPriority`): always evict.
public final class KubeSchedulerPreemption: PreemptionPolicy {
  public init() {}
  public func decide(_ observation: PreemptionObservation, at time: PolicyTime) -> PreemptionAction {
    PreemptionAction(preempt: true)
  }
}

/// `preemptionPolicy: Never`: jobs wait instead of evicting others.
public final class NeverPreempt: PreemptionPolicy {
  public init() {}
  public func decide(_ observation: PreemptionObservation, at time: PolicyTime) -> PreemptionAction {
    PreemptionAction(preempt: false)
  }
}
