import ResultRows
import SimKernel

/// Identifies a job on the CI runner pool.
public struct RunnerJobID: Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  public var description: String { "job-\(rawValue)" }
}

/// Identifies one CI runner.
public struct RunnerID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
}

/// Where a runner job came from: background load on the shared runners, or a stage
/// of the delivery pipeline (added by the delivery model).
public enum RunnerJobSource: String, Sendable {
  case background
  case pipeline
}

/// The CI runner pool, as configured in a scenario.
public struct RunnerPoolConfiguration: Equatable, Sendable {
  /// Number of runners `c`.
  public var runnerCount: Int
  /// Jobs from outside the modelled pipeline (other repositories, scheduled jobs).
  public var backgroundJobs: JobStream?
  /// Whether to write one `runner_jobs` row per job (off for very long runs).
  public var recordsJobRows: Bool

  public init(runnerCount: Int, backgroundJobs: JobStream?, recordsJobRows: Bool = true) {
    self.runnerCount = runnerCount
    self.backgroundJobs = backgroundJobs
    self.recordsJobRows = recordsJobRows
  }
}

/// An arrival process with a duration per arrival.
public struct JobStream: Equatable, Sendable {
  public var arrivals: ArrivalProcess
  public var duration: Distribution
  public init(arrivals: ArrivalProcess, duration: Distribution) {
    self.arrivals = arrivals
    self.duration = duration
  }
}

/// Events of the runner pool.
public enum RunnerPoolEvent: Sendable {
  /// The next background job arrives.
  case backgroundArrival
  /// A runner finishes its job.
  case jobFinished(RunnerID)
}

/// The delivery pipeline's CI runner pool: an M/M/c-style FIFO queue with `c` runners.
///
/// Jobs wait first-come first-served for any idle runner (the lowest-numbered idle
/// runner takes it) and hold it for their sampled duration. Durations are drawn when
/// a job arrives, so the i-th job has the same duration under any policy (common
/// random numbers). With exponential arrivals and durations its mean wait converges
/// to the Erlang C formula (docs/VALIDATION.md).
public struct RunnerPool {
  struct Job {
    var id: RunnerJobID
    var source: RunnerJobSource
    /// The owner's reference (a change id for pipeline jobs).
    var reference: Int64
    var queuedAt: SimTime
    var duration: SimDuration
  }

  struct Busy {
    var job: Job
    var startedAt: SimTime
  }

  public let configuration: RunnerPoolConfiguration
  var idleRunners: [RunnerID]
  var running: IDArray<RunnerID, Busy?>
  var waiting = RingBuffer<Job>(capacity: 64)
  var arrivalStream: RandomStream
  var durationStream: RandomStream
  var nextJobNumber: Int64 = 1
  /// Where job rows go (`nil` when `recordJobs` is off or nothing is recorded).
  let jobRows: TableRows<RunnerJobRow>?

  /// Whole-run statistics.
  public private(set) var statistics = Statistics()

  public struct Statistics: Sendable, Equatable {
    public var jobsSubmitted = 0
    public var jobsStarted = 0
    public var jobsFinished = 0
    public var totalWaitSeconds = 0.0
    public var jobsThatWaited = 0
    public var maximumQueueLength = 0
    public var busyRunnerSeconds = 0.0

    public var meanWaitSeconds: Double? { jobsStarted > 0 ? totalWaitSeconds / Double(jobsStarted) : nil }
    public var probabilityOfWaiting: Double? { jobsStarted > 0 ? Double(jobsThatWaited) / Double(jobsStarted) : nil }
  }

  public init(configuration: RunnerPoolConfiguration, seed: RandomSeed, rows: RunRows?) {
    precondition(configuration.runnerCount > 0, "a runner pool needs at least one runner")
    self.configuration = configuration
    idleRunners = (0..<Int32(configuration.runnerCount)).reversed().map(RunnerID.init)
    running = IDArray(repeating: nil, count: configuration.runnerCount)
    arrivalStream = seed.stream("runner-pool/background-arrivals")
    durationStream = seed.stream("runner-pool/background-durations")
    jobRows = configuration.recordsJobRows ? rows?.table(RunnerJobRow.self) : nil
  }

  /// Schedules the first background arrival.
  mutating func start(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    scheduleNextBackgroundArrival(scheduler: &scheduler, calendar: calendar)
  }

  /// A finished job, handed back to its owner.
  struct Completion {
    var source: RunnerJobSource
    var reference: Int64
    var queuedAt: SimTime
    var startedAt: SimTime
  }

  /// Handles a pool event; returns the finished job when one finished.
  mutating func handle(_ event: RunnerPoolEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar)
    -> Completion?
  {
    switch event {
    case .backgroundArrival:
      guard let stream = configuration.backgroundJobs else { return nil }
      let duration = stream.duration.sampleDuration(&durationStream)
      submit(source: .background, reference: 0, duration: duration, scheduler: &scheduler)
      scheduleNextBackgroundArrival(scheduler: &scheduler, calendar: calendar)
      return nil
    case .jobFinished(let runner):
      return finish(runner: runner, scheduler: &scheduler, calendar: calendar)
    }
  }

  /// Queues a job; it starts at once if a runner is idle.
  @discardableResult
  mutating func submit(
    source: RunnerJobSource, reference: Int64, duration: SimDuration, scheduler: inout Scheduler<WorldEvent>
  ) -> RunnerJobID {
    let job = Job(
      id: RunnerJobID(nextJobNumber), source: source, reference: reference, queuedAt: scheduler.now, duration: duration)
    nextJobNumber += 1
    statistics.jobsSubmitted += 1
    if let runner = idleRunners.popLast() {
      begin(job, on: runner, scheduler: &scheduler)
    } else {
      waiting.append(job)
      statistics.maximumQueueLength = max(statistics.maximumQueueLength, waiting.count)
    }
    return job.id
  }

  private mutating func begin(_ job: Job, on runner: RunnerID, scheduler: inout Scheduler<WorldEvent>) {
    let wait = scheduler.now - job.queuedAt
    statistics.jobsStarted += 1
    statistics.totalWaitSeconds += wait.seconds
    if wait.microseconds > 0 { statistics.jobsThatWaited += 1 }
    running[runner] = Busy(job: job, startedAt: scheduler.now)
    scheduler.schedule(.runnerPool(.jobFinished(runner)), after: job.duration)
  }

  private mutating func finish(runner: RunnerID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar)
    -> Completion
  {
    guard let busy = running[runner] else { preconditionFailure("runner \(runner.rawValue) finished while idle") }
    running[runner] = nil
    statistics.jobsFinished += 1
    statistics.busyRunnerSeconds += (scheduler.now - busy.startedAt).seconds
    jobRows?.append(
      RunnerJobRow(
        id: busy.job.id, source: busy.job.source, runner: runner, queuedAt: busy.job.queuedAt,
        startedAt: busy.startedAt, finishedAt: scheduler.now, calendar: calendar))
    if let next = waiting.popFirst() {
      begin(next, on: runner, scheduler: &scheduler)
    } else {
      idleRunners.append(runner)
    }
    return Completion(
      source: busy.job.source, reference: busy.job.reference, queuedAt: busy.job.queuedAt, startedAt: busy.startedAt)
  }

  private mutating func scheduleNextBackgroundArrival(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    guard let stream = configuration.backgroundJobs,
      let next = stream.arrivals.nextArrival(after: scheduler.now, calendar: calendar, stream: &arrivalStream)
    else { return }
    scheduler.schedule(.runnerPool(.backgroundArrival), at: next)
  }

  /// Rows for jobs still queued or running when the run ends, so none is silently lost.
  ///
  /// An overloaded pool can end with tens of millions of queued jobs; once the sink drops
  /// rows (the run is past its wall-clock limit) they are counted, not made, so that the
  /// limit holds while results are written.
  func recordUnfinished(calendar: SimCalendar) {
    guard let jobRows else { return }
    for busy in running.compactMap({ $0 }).sorted(by: { $0.job.id.rawValue < $1.job.id.rawValue }) {
      jobRows.append(
        RunnerJobRow(
          id: busy.job.id, source: busy.job.source, runner: nil, queuedAt: busy.job.queuedAt, startedAt: busy.startedAt,
          finishedAt: nil, calendar: calendar))
    }
    for offset in 0..<waiting.count {
      if offset & 4095 == 0, jobRows.discardsFurtherRows {
        jobRows.skip(waiting.count - offset)
        return
      }
      let job = waiting[offset: offset]
      jobRows.append(
        RunnerJobRow(
          id: job.id, source: job.source, runner: nil, queuedAt: job.queuedAt, startedAt: nil, finishedAt: nil,
          calendar: calendar))
    }
  }

  /// Whole-run metrics for `run_metrics`.
  func metrics(endTime: SimTime) -> [RunMetric] {
    let stillBusySeconds = running.compactMap { $0 }.reduce(0.0) { $0 + (endTime - $1.startedAt).seconds }
    let utilisation =
      endTime.microseconds > 0
      ? (statistics.busyRunnerSeconds + stillBusySeconds) / (endTime.seconds * Double(configuration.runnerCount)) : nil
    return [
      RunMetric(name: "runner_pool.jobs_submitted", value: Double(statistics.jobsSubmitted), unit: "jobs"),
      RunMetric(name: "runner_pool.jobs_finished", value: Double(statistics.jobsFinished), unit: "jobs"),
      RunMetric(name: "runner_pool.mean_wait_seconds", value: statistics.meanWaitSeconds, unit: "s"),
      RunMetric(name: "runner_pool.probability_of_waiting", value: statistics.probabilityOfWaiting, unit: "ratio"),
      RunMetric(name: "runner_pool.max_queue_length", value: Double(statistics.maximumQueueLength), unit: "jobs"),
      RunMetric(name: "runner_pool.utilisation", value: utilisation, unit: "ratio"),
    ]
  }
}
