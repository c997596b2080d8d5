/// Where a job goes in the pod scheduler's pending queue (kube-scheduler's
/// `QueueSort` extension point).
///
/// Asked once each time a job enters the queue — on submission and on every requeue
/// after an eviction — never per scheduling pass: the scheduler's hot path only
/// compares the stored keys. The queue is ordered by `sortKey` (lexicographically,
/// smaller first), ties by job ID; each pass tries the jobs in that order.
public protocol QueueOrderPolicy: DecisionPolicy
where Observation == QueueOrderObservation, Action == QueueOrderAction {}

public struct QueueOrderObservation: Codable, Sendable, Equatable {
  public var job: String
  public var team: String
  /// The PriorityClass value (higher schedules first with `kube-scheduler`).
  public var priority: Int
  /// Simulated seconds since the start of the run at submission (kept across requeues).
  public var submittedSeconds: Double
  public var workers: Int
  public var gpusPerWorker: Int
  /// Evictions so far: spot, drain, schedule, consolidation (`interruptions`) and
  /// preemptions.
  public var interruptions: Int
  public var preemptions: Int

  public init(
    job: String, team: String, priority: Int, submittedSeconds: Double, workers: Int, gpusPerWorker: Int,
    interruptions: Int, preemptions: Int
  ) {
    self.job = job
    self.team = team
    self.priority = priority
    self.submittedSeconds = submittedSeconds
    self.workers = workers
    self.gpusPerWorker = gpusPerWorker
    self.interruptions = interruptions
    self.preemptions = preemptions
  }

  public func problem(with action: QueueOrderAction) -> String? {
    if action.sortKey.isEmpty { return "sortKey must not be empty" }
    if action.sortKey.contains(where: { !$0.isFinite }) { return "sortKey must be finite numbers" }
    return nil
  }
}

public struct QueueOrderAction: Codable, Sendable, Equatable {
  /// Compared element by element, smaller first; a shorter key that is a prefix of a
  /// longer one goes first.
  public var sortKey: [Double]
  public init(sortKey: [Double]) { self.sortKey = sortKey }
}

/// kube-scheduler's default `PrioritySort` plugin: higher priority first, then
/// earlier submission (the pod's queue timestamp; a requeued job keeps its place).
public final class KubeSchedulerQueueOrder: QueueOrderPolicy {
  public init() {}
  public func decide(_ observation: QueueOrderObservation, at time: PolicyTime) -> QueueOrderAction {
    QueueOrderAction(sortKey: [-Double(observation.priority), observation.submittedSeconds])
  }
}

/// First come, first served, ignoring priority (a plain FIFO batch queue).
public final class FIFOQueueOrder: QueueOrderPolicy {
  public init() {}
  public func decide(_ observation: QueueOrderObservation, at time: PolicyTime) -> QueueOrderAction {
    QueueOrderAction(sortKey: [observation.submittedSeconds])
  }
}
