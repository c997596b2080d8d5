import Policies
import SimKernel

/// Events of the training jobs.
public enum TrainingEvent: Sendable {
  /// The next job of a stream is submitted.
  case jobArrival(JobStreamID)
  /// A running job's phase (restart, compute segment, checkpoint) ended.
  case jobPhaseEnded(JobID)
}

/// A finished training job, handed to the model registry.
public struct FinishedTraining: Sendable {
  public var job: JobID
  public var team: TeamID
  public var template: String
  public var submittedAt: SimTime
  public var finishedAt: SimTime
}

/// The teams' golden-path training jobs: arrivals, admission, attempts on nodes, loss
/// and resume, completion.
///
/// Each job stream draws arrivals and failure-free durations from its own streams
/// (`training/<team>/<position>-<template>/arrivals`, `…/durations`). A job is admitted
/// (or not) by the admission policy, waits in the scheduler's queue, runs as a gang on
/// the nodes the scheduler found, checkpoints (``Checkpointing``), and is requeued when
/// it loses a node; its records are indexed by ``JobID``.
struct TrainingJobs {
  struct Stream {
    var team: TeamID
    var configuration: TrainingJobStream
    /// `training/<team>/<position>-<template>`: the stream's name, prefix of its random streams.
    var name: String
  }

  let streams: IDArray<JobStreamID, Stream>
  private var arrivalStreams: IDArray<JobStreamID, RandomStream>
  private var durationStreams: IDArray<JobStreamID, RandomStream>
  private(set) var jobs = IDArray<JobID, TrainingJob>()
  /// How many jobs holding nodes have each priority, lowest priority first: the lowest
  /// is read every scheduling pass, so it is kept rather than found by a scan.
  private var runningPriorities: [(priority: Int, count: Int)] = []
  /// Whether each job (by position) holds nodes.
  private var holdsNodes: [Bool] = []
  /// Training jobs finished since the World last looked (``Cluster/drainFinishedTraining()``).
  private(set) var finished: [FinishedTraining] = []
  private(set) var submittedCount = 0
  private(set) var rejectedCount = 0
  private(set) var admittedWithViolationsCount = 0
  private(set) var finishedCount = 0
  private(set) var preemptionCount = 0
  private(set) var consolidationEvictions = 0
  private(set) var drainEvictions = 0

  init(teams: IDArray<TeamID, TeamConfiguration>, seed: RandomSeed) {
    var streams: [Stream] = []
    for team in teams.indices {
      for (position, stream) in teams[team].jobStreams.enumerated() {
        let name = "training/\(teams[team].name)/\(position)-\(stream.template.rawValue)"
        streams.append(Stream(team: team, configuration: stream, name: name))
      }
    }
    self.streams = IDArray(streams)
    arrivalStreams = IDArray(streams.map { seed.stream($0.name + "/arrivals") })
    durationStreams = IDArray(streams.map { seed.stream($0.name + "/durations") })
  }

  /// The lowest priority among running jobs (`Int.max` when none runs).
  var lowestRunningPriority: Int {
    runningPriorities.first?.priority ?? Int.max
  }

  private mutating func countRunning(_ id: JobID, by change: Int) {
    let priority = jobs[id].priority
    if let index = runningPriorities.firstIndex(where: { $0.priority >= priority }),
      runningPriorities[index].priority == priority
    {
      runningPriorities[index].count += change
      if runningPriorities[index].count == 0 { runningPriorities.remove(at: index) }
    } else {
      let index = runningPriorities.firstIndex { $0.priority > priority } ?? runningPriorities.count
      runningPriorities.insert((priority, change), at: index)
    }
  }

  mutating func scheduleNextArrival(
    of stream: JobStreamID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar
  ) {
    guard
      let next = streams[stream].configuration.arrivals.nextArrival(
        after: scheduler.now, calendar: calendar, stream: &arrivalStreams[stream])
    else { return }
    scheduler.schedule(.cluster(.training(.jobArrival(stream))), at: next)
  }

  mutating func drawSolveTime(of stream: JobStreamID) -> SimDuration {
    streams[stream].configuration.duration.sampleDuration(&durationStreams[stream])
  }

  /// A new job of `stream`, not yet added.
  func newJob(of stream: JobStreamID, solveTime: SimDuration, at now: SimTime) -> TrainingJob {
    let config = streams[stream].configuration
    return TrainingJob(
      id: jobs.nextID, stream: stream, team: streams[stream].team, workerCount: config.workerCount,
      perWorker: config.perWorker, priority: config.priority, submittedAt: now, solveTime: max(solveTime, .seconds(1)))
  }

  mutating func countSubmission() { submittedCount += 1 }

  /// Records a job the admission policy rejected.
  mutating func addRejected(_ job: TrainingJob) {
    jobs.append(job)
    rejectedCount += 1
  }

  mutating func countAdmittedWithViolations() { admittedWithViolationsCount += 1 }
  mutating func add(_ job: TrainingJob) { jobs.append(job) }
  mutating func setPendingReason(_ reason: String, of id: JobID) { jobs[id].pendingReason = reason }

  /// The job's workers were bound to `placement`: a new attempt begins.
  mutating func start(_ id: JobID, on placement: [NodeID], at now: SimTime) {
    jobs[id].nodes = placement
    jobs[id].attempts += 1
    while holdsNodes.count <= id.position { holdsNodes.append(false) }
    if !holdsNodes[id.position] {
      holdsNodes[id.position] = true
      countRunning(id, by: 1)
    }
    jobs[id].attemptStartedAt = now
    jobs[id].progressAnchor = now
    jobs[id].pendingReason = nil
    jobs[id].stopAfterCheckpoint = false
    if jobs[id].firstStartedAt == nil { jobs[id].firstStartedAt = now }
  }

  /// Sets τ for the attempt and schedules its first phase.
  mutating func beginAttempt(_ id: JobID, interval: SimDuration?, scheduler: inout Scheduler<WorldEvent>) {
    jobs[id].checkpointInterval = interval
    let policy = streams[jobs[id].stream].configuration.checkpoint
    let length = jobs[id].beginAttempt(at: scheduler.now, policy: policy)
    jobs[id].phaseEvent = scheduler.schedule(.cluster(.training(.jobPhaseEnded(id))), after: length)
  }

  /// The current phase ended: the checkpoint cycle's next step, with its event scheduled.
  mutating func phaseEnded(_ id: JobID, scheduler: inout Scheduler<WorldEvent>) -> CheckpointStep {
    jobs[id].phaseEvent = nil
    let step = jobs[id].phaseEnded(at: scheduler.now, policy: streams[jobs[id].stream].configuration.checkpoint)
    if case .next(let length) = step {
      jobs[id].phaseEvent = scheduler.schedule(.cluster(.training(.jobPhaseEnded(id))), after: length)
    }
    return step
  }

  mutating func noticeArrived(_ id: JobID, windowRemaining: SimDuration, scheduler: inout Scheduler<WorldEvent>) {
    let policy = streams[jobs[id].stream].configuration.checkpoint
    guard let length = jobs[id].noticeArrived(at: scheduler.now, windowRemaining: windowRemaining, policy: policy)
    else { return }
    if let handle = jobs[id].phaseEvent { scheduler.cancel(handle) }
    jobs[id].phaseEvent = scheduler.schedule(.cluster(.training(.jobPhaseEnded(id))), after: length)
  }

  /// The attempt stops now: its pending phase is cancelled and unsaved work is lost.
  mutating func stopAttempt(_ id: JobID, scheduler: inout Scheduler<WorldEvent>) {
    if let handle = jobs[id].phaseEvent { scheduler.cancel(handle) }
    jobs[id].phaseEvent = nil
    jobs[id].lostGPUSeconds += Double(jobs[id].gpuCount) * (scheduler.now - jobs[id].progressAnchor).seconds
  }

  /// Charges `parts` of node cost to the job.
  mutating func addCost(_ parts: CostParts, to id: JobID) { jobs[id].cost = jobs[id].cost + parts }

  /// Adds `duration` of the current attempt to the job's allocation totals.
  mutating func accrueAllocation(_ id: JobID, duration: SimDuration) {
    let job = jobs[id]
    jobs[id].allocatedGPUSeconds += Double(job.gpuCount) * duration.seconds
    jobs[id].allocatedCPUSeconds += Double(job.perWorker.cpuMillis * Int64(job.workerCount)) / 1_000 * duration.seconds
  }

  /// The job's workers left their nodes after `duration` of the attempt.
  mutating func detach(_ id: JobID, duration: SimDuration) {
    accrueAllocation(id, duration: duration)
    jobs[id].nodes = []
    if id.position < holdsNodes.count && holdsNodes[id.position] {
      holdsNodes[id.position] = false
      countRunning(id, by: -1)
    }
  }

  /// The run ends with the job on its nodes: its attempt so far is accounted for.
  mutating func closeAttempt(_ id: JobID, at time: SimTime) {
    accrueAllocation(id, duration: time - jobs[id].attemptStartedAt)
    jobs[id].attemptStartedAt = time
  }

  /// An interrupted job waits again.
  mutating func requeue(_ id: JobID, cause: JobInterruptionCause) {
    jobs[id].phase = .pending
    jobs[id].stopAfterCheckpoint = false
    jobs[id].restartsAfterSpotLoss = cause == .spot
    if cause == .consolidation { consolidationEvictions += 1 }
    if cause == .drain { drainEvictions += 1 }
    if cause == .preemption {
      jobs[id].preemptions += 1
      preemptionCount += 1
    } else {
      jobs[id].interruptions += 1
    }
  }

  /// The restart after a spot loss ended at `now`.
  mutating func spotRestartEnded(_ id: JobID, at now: SimTime) {
    jobs[id].restartsAfterSpotLoss = false
    jobs[id].spotRestartEndedAt = now
  }

  mutating func finish(_ id: JobID, at now: SimTime) {
    jobs[id].phase = .finished
    jobs[id].finishedAt = now
    finishedCount += 1
    let job = jobs[id]
    finished.append(
      FinishedTraining(
        job: id, team: job.team, template: streams[job.stream].configuration.template.rawValue,
        submittedAt: job.submittedAt, finishedAt: now))
  }

  /// Hands over the jobs finished since the last call.
  mutating func drainFinished() -> [FinishedTraining] {
    guard !finished.isEmpty else { return [] }
    defer { finished = [] }
    return finished
  }
}

/// A job's life across components: admission, binding to nodes, loss and completion.
extension Cluster {
  mutating func handle(_ event: TrainingEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    switch event {
    case .jobArrival(let stream):
      let solveTime = training.drawSolveTime(of: stream)
      submitJob(stream: stream, solveTime: solveTime, scheduler: &scheduler)
      training.scheduleNextArrival(of: stream, scheduler: &scheduler, calendar: calendar)
    case .jobPhaseEnded(let job): jobPhaseEnded(job, scheduler: &scheduler)
    }
  }

  /// Submits one job of `stream` with failure-free compute time `solveTime`.
  @discardableResult
  mutating func submitJob(stream: JobStreamID, solveTime: SimDuration, scheduler: inout Scheduler<WorldEvent>) -> JobID
  {
    var job = training.newJob(of: stream, solveTime: solveTime, at: scheduler.now)
    let id = job.id
    training.countSubmission()
    let admission = policies.admission.decide(
      governance.admissionObservation(kind: "training-job", workload: id.description, team: teams[job.team]),
      at: PolicyTime(microseconds: scheduler.now.microseconds))
    switch admission.verdict {
    case .reject:
      job.phase = .rejected
      job.rejectionReason = admission.reason ?? "rejected by the admission policy"
      job.finishedAt = scheduler.now
      training.addRejected(job)
      recordJob(id)
      return id
    case .admitWithViolations:
      job.policyViolations = admission.violations ?? []
      training.countAdmittedWithViolations()
    case .admit:
      break
    }
    if !podScheduler.canEverPlace[stream] { job.pendingReason = "unschedulable: no node pool can host a worker" }
    training.add(job)
    enqueuePending(id, now: scheduler.now)
    requestSchedulingPass(scheduler: &scheduler)
    return id
  }

  /// Starts (or restarts) a job with its workers on `placement`.
  mutating func startJob(_ id: JobID, on placement: [NodeID], scheduler: inout Scheduler<WorldEvent>) {
    let request = training.jobs[id].perWorker
    for node in placement { nodeTable.bindWorker(id, request: request, to: node) }
    training.start(id, on: placement, at: scheduler.now)
    training.beginAttempt(id, interval: checkpointInterval(for: id, now: scheduler.now), scheduler: &scheduler)
  }

  mutating func completeJob(_ id: JobID, scheduler: inout Scheduler<WorldEvent>) {
    releaseWorkers(id, at: scheduler.now, outcome: .finished)
    training.finish(id, at: scheduler.now)
    recordJob(id)
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// The job loses its nodes: unsaved work is lost and it is requeued.
  mutating func interrupt(_ id: JobID, cause: JobInterruptionCause, scheduler: inout Scheduler<WorldEvent>) {
    guard training.jobs[id].isPlaced else { return }
    if cause == .spot { bookSpotLoss(of: id, at: scheduler.now) }
    training.stopAttempt(id, scheduler: &scheduler)
    releaseWorkers(id, at: scheduler.now, outcome: PodOutcome(cause))
    training.requeue(id, cause: cause)
    enqueuePending(id, now: scheduler.now)
    requestSchedulingPass(scheduler: &scheduler)
  }

  /// Frees the job's pods from their nodes, charges the allocation and records the pods.
  mutating func releaseWorkers(_ id: JobID, at time: SimTime, outcome: PodOutcome) {
    let job = training.jobs[id]
    let duration = time - job.attemptStartedAt
    recordPods(id, endedAt: time, outcome: outcome)
    for node in job.nodes {
      nodeTable.releaseWorker(id, request: job.perWorker, from: node)
      chargeAllocation(job: id, node: node, duration: duration)
    }
    training.detach(id, duration: duration)
  }

  /// Hands over the training jobs finished since the last call.
  mutating func drainFinishedTraining() -> [FinishedTraining] { training.drainFinished() }
}
