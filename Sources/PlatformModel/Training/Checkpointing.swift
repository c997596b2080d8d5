import Policies
import SimKernel

/// What a running job does when its current phase ends.
enum CheckpointStep: Equatable {
  /// Another phase of this length begins (restart → compute → checkpoint → compute …).
  case next(SimDuration)
  /// All its work is saved: the job is done.
  case complete
  /// A checkpoint asked for by a spot notice is saved: the job stops and is requeued.
  case stop
}

/// The checkpoint cycle of a training job (Daly 2006).
///
/// A running job alternates compute segments of τ with checkpoints of δ; after a loss
/// it is requeued, and when it starts again it first spends R restarting, then
/// resumes from its last checkpoint. With exponential node lifetimes this is exactly
/// the renewal process of Daly (2006), whose expected wall time it reproduces
/// (docs/VALIDATION.md). A spot notice makes the job save at once when the checkpoint
/// fits in the notice window, then stop.
extension TrainingJob {
  /// Starts computing the next segment — τ, or what remains if less — and returns its length.
  mutating func beginSegment(at now: SimTime) -> SimDuration {
    let remaining = remainingWork
    let segment = checkpointInterval.map { min($0, remaining) } ?? remaining
    phase = .computing
    segmentStartedAt = now
    segmentWork = segment
    return segment
  }

  /// The first phase of an attempt: restarting (R) after a loss, else the first segment.
  mutating func beginAttempt(at now: SimTime, policy: CheckpointPolicy?) -> SimDuration {
    if hasStarted, let policy {
      phase = .restarting
      return policy.restartCost
    }
    hasStarted = true
    return beginSegment(at: now)
  }

  /// The current phase ended at `now`: what comes next.
  mutating func phaseEnded(at now: SimTime, policy: CheckpointPolicy?) -> CheckpointStep {
    switch phase {
    case .restarting:
      return .next(beginSegment(at: now))
    case .computing:
      guard let policy else {
        savedWork = savedWork + segmentWork
        return .complete
      }
      // Every segment ends with a checkpoint, the last one included (the final
      // save), as in Daly's model.
      phase = .checkpointing
      return .next(policy.cost)
    case .checkpointing:
      savedWork = savedWork + segmentWork
      checkpoints += 1
      progressAnchor = now
      if remainingWork.microseconds <= 0 { return .complete }
      if stopAfterCheckpoint {
        noticeCheckpoints += 1
        return .stop
      }
      return .next(beginSegment(at: now))
    case .pending, .finished, .rejected:
      preconditionFailure("\(id) phase event while \(phase)")
    }
  }

  /// A spot notice reached one of the job's nodes with `windowRemaining` left: when the
  /// checkpoint fits, a computing job starts saving now (returns the checkpoint's
  /// length) and a checkpointing one stops after its save; otherwise the job computes
  /// on until the node goes.
  mutating func noticeArrived(at now: SimTime, windowRemaining: SimDuration, policy: CheckpointPolicy?) -> SimDuration?
  {
    guard let policy, policy.checkpointOnNotice, policy.cost <= windowRemaining else { return nil }
    switch phase {
    case .computing:
      segmentWork = now - segmentStartedAt
      phase = .checkpointing
      stopAfterCheckpoint = true
      return policy.cost
    case .checkpointing:
      stopAfterCheckpoint = true
      return nil
    case .restarting, .pending, .finished, .rejected:
      return nil
    }
  }
}

/// Checkpoints across components: τ from the nodes' hazards, phase ends, notices.
extension Cluster {
  /// τ for an attempt on `nodes`, from the checkpoint-interval policy: by default the
  /// fixed interval, or Daly's optimum for the job's failure rate — the sum of its
  /// distinct nodes' spot hazards (losing any node stops the gang).
  func checkpointInterval(for id: JobID, now: SimTime) -> SimDuration? {
    let job = training.jobs[id]
    guard let policy = training.streams[job.stream].configuration.checkpoint else { return nil }
    var hazard = 0.0
    var seen: [NodeID] = []
    for node in job.nodes where !seen.contains(node) {
      seen.append(node)
      hazard += nodeTable[node].hazardPerSecond
    }
    var fixed: Double?
    if case .fixed(let interval) = policy.interval { fixed = interval.seconds }
    let observation = CheckpointIntervalObservation(
      job: id.description, team: teams[job.team].name, attempt: job.attempts,
      mode: fixed == nil ? "young-daly" : "fixed", fixedIntervalSeconds: fixed,
      checkpointCostSeconds: policy.cost.seconds, restartCostSeconds: policy.restartCost.seconds,
      failureRatePerSecond: hazard, remainingWorkSeconds: job.remainingWork.seconds)
    let action = policies.checkpointInterval.decide(observation, at: PolicyTime(microseconds: now.microseconds))
    return action.intervalSeconds.map { SimDuration(seconds: $0) }
  }

  mutating func jobPhaseEnded(_ id: JobID, scheduler: inout Scheduler<WorldEvent>) {
    if training.jobs[id].phase == .restarting && training.jobs[id].restartsAfterSpotLoss {
      bookSpotRestart(of: id, at: scheduler.now)
    }
    switch training.phaseEnded(id, scheduler: &scheduler) {
    case .next: break
    case .complete: completeJob(id, scheduler: &scheduler)
    case .stop: interrupt(id, cause: .spot, scheduler: &scheduler)
    }
  }

  /// A spot notice reached a node of the job: save now if the checkpoint fits in the
  /// notice window, then stop; otherwise keep computing until the node goes.
  mutating func noticeReceived(_ id: JobID, windowRemaining: SimDuration, scheduler: inout Scheduler<WorldEvent>) {
    training.noticeArrived(id, windowRemaining: windowRemaining, scheduler: &scheduler)
  }
}
