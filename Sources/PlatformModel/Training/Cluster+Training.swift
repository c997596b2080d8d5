import Policies
import SimKernel

/// Training jobs on the cluster: arrival, admission, checkpointed progress, loss and resume.
///
/// A running job alternates compute segments of τ with checkpoints of δ; after a loss
/// it is requeued, and when it starts again it first spends R restarting, then
/// resumes from its last checkpoint. With exponential node lifetimes this is exactly
/// the renewal process of Daly (2006), whose expected wall time it reproduces
/// (docs/VALIDATION.md).
extension Cluster {
  mutating func scheduleNextArrival(stream: Int, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    guard
      let next = streams[stream].stream.arrivals.nextArrival(
        after: scheduler.now, calendar: calendar, stream: &arrivalStreams[stream])
    else { return }
    scheduler.schedule(.cluster(.jobArrival(stream: Int32(stream))), at: next)
  }

  mutating func jobArrived(stream: Int, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    let solveTime = streams[stream].stream.duration.sampleDuration(&durationStreams[stream])
    submitJob(stream: stream, solveTime: solveTime, scheduler: &scheduler)
    scheduleNextArrival(stream: stream, scheduler: &scheduler, calendar: calendar)
  }

  /// Submits one job of `stream` with failure-free compute time `solveTime`.
  @discardableResult
  mutating func submitJob(stream: Int, solveTime: SimDuration, scheduler: inout Scheduler<WorldEvent>) -> JobID {
    let config = streams[stream].stream
    let team = streams[stream].team
    let id = JobID(Int32(jobs.count))
    var job = TrainingJob(
      id: id, stream: stream, team: team, workerCount: config.workerCount, perWorker: config.perWorker,
      priority: config.priority, submittedAt: scheduler.now, solveTime: max(solveTime, .seconds(1)))
    statistics.jobsSubmitted += 1
    let admission = policies.admission.decide(
      AdmissionObservation(
        kind: "training-job", workload: id.description, team: teams[team].name,
        tags: teams[team].tags.map { NameValue(name: $0.key, value: $0.value) }, requiredTags: governance.requiredTags,
        missingTags: governance.missingTags(of: teams[team]), mode: governance.admission.rawValue),
      at: PolicyTime(microseconds: scheduler.now.microseconds))
    switch admission.verdict {
    case .reject:
      job.phase = .rejected
      job.rejectionReason = admission.reason ?? "rejected by the admission policy"
      job.finishedAt = scheduler.now
      jobs.append(job)
      statistics.jobsRejected += 1
      recordJob(id)
      return id
    case .admitWithViolations:
      job.policyViolations = admission.violations ?? []
      statistics.jobsAdmittedWithViolations += 1
    case .admit:
      break
    }
    if !compatible[stream].contains(true) { job.pendingReason = "unschedulable: no node pool can host a worker" }
    jobs.append(job)
    enqueuePending(id, now: scheduler.now)
    requestSchedulingPass(scheduler: &scheduler)
    return id
  }

  /// Starts (or restarts) `job` with its workers on `placement`.
  mutating func startJob(_ id: JobID, on placement: [NodeID], scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    let request = jobs[index].perWorker
    for node in placement {
      nodes[Int(node.rawValue)].allocated = nodes[Int(node.rawValue)].allocated + request
      nodes[Int(node.rawValue)].pods.append(id)
      nodes[Int(node.rawValue)].unneededSince = nil
    }
    jobs[index].nodes = placement
    jobs[index].attempts += 1
    runningJobs.append(id)
    jobs[index].attemptStartedAt = scheduler.now
    jobs[index].progressAnchor = scheduler.now
    jobs[index].pendingReason = nil
    jobs[index].stopAfterCheckpoint = false
    if jobs[index].firstStartedAt == nil { jobs[index].firstStartedAt = scheduler.now }
    jobs[index].checkpointInterval = checkpointInterval(for: index, now: scheduler.now)
    if jobs[index].hasStarted, let policy = streams[jobs[index].stream].stream.checkpoint {
      jobs[index].phase = .restarting
      jobs[index].phaseEvent = scheduler.schedule(.cluster(.jobPhaseEnded(id)), after: policy.restartCost)
    } else {
      jobs[index].hasStarted = true
      beginSegment(index, scheduler: &scheduler)
    }
  }

  /// τ for this attempt, from the checkpoint-interval policy: by default the fixed
  /// interval, or Daly's optimum for the job's failure rate — the sum of its distinct
  /// nodes' spot hazards (losing any node stops the gang).
  func checkpointInterval(for index: Int, now: SimTime) -> SimDuration? {
    guard let policy = streams[jobs[index].stream].stream.checkpoint else { return nil }
    var hazard = 0.0
    var seen: [NodeID] = []
    for node in jobs[index].nodes where !seen.contains(node) {
      seen.append(node)
      hazard += nodes[Int(node.rawValue)].hazardPerSecond
    }
    var fixed: Double?
    if case .fixed(let interval) = policy.interval { fixed = interval.seconds }
    let observation = CheckpointIntervalObservation(
      job: jobs[index].id.description, team: teams[jobs[index].team].name, attempt: jobs[index].attempts,
      mode: fixed == nil ? "young-daly" : "fixed", fixedIntervalSeconds: fixed,
      checkpointCostSeconds: policy.cost.seconds, restartCostSeconds: policy.restartCost.seconds,
      failureRatePerSecond: hazard,
      remainingWorkSeconds: jobs[index].remainingWork.seconds)
    let action = policies.checkpointInterval.decide(observation, at: PolicyTime(microseconds: now.microseconds))
    return action.intervalSeconds.map { SimDuration(seconds: $0) }
  }

  mutating func beginSegment(_ index: Int, scheduler: inout Scheduler<WorldEvent>) {
    let remaining = jobs[index].remainingWork
    let segment = jobs[index].checkpointInterval.map { min($0, remaining) } ?? remaining
    jobs[index].phase = .computing
    jobs[index].segmentStartedAt = scheduler.now
    jobs[index].segmentWork = segment
    jobs[index].phaseEvent = scheduler.schedule(.cluster(.jobPhaseEnded(jobs[index].id)), after: segment)
  }

  mutating func jobPhaseEnded(_ id: JobID, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    jobs[index].phaseEvent = nil
    switch jobs[index].phase {
    case .restarting:
      beginSegment(index, scheduler: &scheduler)
    case .computing:
      if let policy = streams[jobs[index].stream].stream.checkpoint {
        // Every segment ends with a checkpoint, the last one included (the final
        // save), as in Daly's model.
        jobs[index].phase = .checkpointing
        jobs[index].phaseEvent = scheduler.schedule(.cluster(.jobPhaseEnded(id)), after: policy.cost)
      } else {
        jobs[index].savedWork = jobs[index].savedWork + jobs[index].segmentWork
        completeJob(index, scheduler: &scheduler)
      }
    case .checkpointing:
      jobs[index].savedWork = jobs[index].savedWork + jobs[index].segmentWork
      jobs[index].checkpoints += 1
      jobs[index].progressAnchor = scheduler.now
      if jobs[index].remainingWork.microseconds <= 0 {
        completeJob(index, scheduler: &scheduler)
      } else if jobs[index].stopAfterCheckpoint {
        jobs[index].noticeCheckpoints += 1
        interrupt(id, cause: .spot, scheduler: &scheduler)
      } else {
        beginSegment(index, scheduler: &scheduler)
      }
    case .pending, .finished, .rejected:
      preconditionFailure("\(id) phase event while \(jobs[index].phase)")
    }
  }

  /// Hands over the training jobs finished since the last call.
  mutating func drainFinishedTraining() -> [FinishedTraining] {
    defer { finishedTraining.removeAll(keepingCapacity: true) }
    return finishedTraining
  }

  mutating func completeJob(_ index: Int, scheduler: inout Scheduler<WorldEvent>) {
    releaseNodes(index, at: scheduler.now, outcome: .finished)
    jobs[index].phase = .finished
    jobs[index].finishedAt = scheduler.now
    statistics.jobsFinished += 1
    finishedTraining.append(
      FinishedTraining(
        job: jobs[index].id, team: jobs[index].team, template: streams[jobs[index].stream].stream.template.rawValue,
        submittedAt: jobs[index].submittedAt, finishedAt: scheduler.now))
    recordJob(jobs[index].id)
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// A spot notice reached a node of the job: save now if the checkpoint fits in the
  /// notice window, then stop; otherwise keep computing until the node goes.
  mutating func noticeReceived(_ id: JobID, windowRemaining: SimDuration, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    guard let policy = streams[jobs[index].stream].stream.checkpoint, policy.checkpointOnNotice,
      policy.cost <= windowRemaining
    else { return }
    switch jobs[index].phase {
    case .computing:
      if let handle = jobs[index].phaseEvent { scheduler.cancel(handle) }
      jobs[index].segmentWork = scheduler.now - jobs[index].segmentStartedAt
      jobs[index].phase = .checkpointing
      jobs[index].stopAfterCheckpoint = true
      jobs[index].phaseEvent = scheduler.schedule(.cluster(.jobPhaseEnded(id)), after: policy.cost)
    case .checkpointing:
      jobs[index].stopAfterCheckpoint = true
    case .restarting, .pending, .finished, .rejected:
      return
    }
  }

  /// The job loses its nodes: unsaved work is lost and it is requeued.
  mutating func interrupt(_ id: JobID, cause: JobInterruptionCause, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    guard !jobs[index].nodes.isEmpty else { return }
    if let handle = jobs[index].phaseEvent { scheduler.cancel(handle) }
    jobs[index].phaseEvent = nil
    jobs[index].lostGPUSeconds += Double(jobs[index].gpuCount) * (scheduler.now - jobs[index].progressAnchor).seconds
    let outcome: PodOutcome
    switch cause {
    case .spot: outcome = .interrupted
    case .preemption: outcome = .preempted
    case .schedule: outcome = .evictedBySchedule
    case .consolidation: outcome = .consolidated
    case .drain: outcome = .drained
    }
    releaseNodes(index, at: scheduler.now, outcome: outcome)
    jobs[index].phase = .pending
    jobs[index].stopAfterCheckpoint = false
    if cause == .consolidation { statistics.consolidationEvictions += 1 }
    if cause == .drain { statistics.drainEvictions += 1 }
    if cause == .preemption {
      jobs[index].preemptions += 1
      statistics.preemptions += 1
    } else {
      jobs[index].interruptions += 1
    }
    enqueuePending(id, now: scheduler.now)
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Frees the job's pods from their nodes, charges the allocation and records the pods.
  mutating func releaseNodes(_ index: Int, at time: SimTime, outcome: PodOutcome) {
    let duration = time - jobs[index].attemptStartedAt
    recordPods(index, endedAt: time, outcome: outcome)
    let request = jobs[index].perWorker
    for node in jobs[index].nodes {
      let nodeIndex = Int(node.rawValue)
      nodes[nodeIndex].allocated = nodes[nodeIndex].allocated - request
      nodes[nodeIndex].unneededSince = nil
      if let position = nodes[nodeIndex].pods.firstIndex(of: jobs[index].id) {
        nodes[nodeIndex].pods.remove(at: position)
      }
      chargeAllocation(job: index, node: nodeIndex, duration: duration)
    }
    jobs[index].allocatedGPUSeconds += Double(jobs[index].gpuCount) * duration.seconds
    jobs[index].allocatedCPUSeconds += Double(request.cpuMillis * Int64(jobs[index].workerCount)) / 1_000 * duration.seconds
    jobs[index].nodes = []
    if let position = runningJobs.firstIndex(of: jobs[index].id) { runningJobs.remove(at: position) }
  }
}
