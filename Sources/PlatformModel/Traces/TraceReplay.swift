import SimKernel

/// One workload item of a trace, as replay needs it (the CLI builds these from the
/// input layer's trace records).
public struct ReplayItem: Sendable, Equatable {
  public var name: String
  public var team: String?
  public var submit: SimTime
  /// How long it holds its resources once running; `nil`: it never ran in the trace
  /// (or, with `holdsUntilEnd`, it never leaves).
  public var duration: SimDuration?
  /// Placed when there is room and never deleted: a pod of a workload list without
  /// times, as the FGD paper's simulator runs them, and every item of `fill` mode.
  public var holdsUntilEnd = false
  /// When a never-run item leaves the queue (its recorded deletion).
  public var withdrawal: SimTime?
  public var request: GPUPodRequest
  public var priority: Int
  /// Workers placed together, all at once or none.
  public var gangSize: Int
  /// The trace's phase (`Running`, `Succeeded`, `Failed`, `Pending` or the format's own).
  public var recordedPhase: String
  /// The trace's wait between submission and start, when recorded.
  public var recordedWait: SimDuration?

  public init(
    name: String, team: String?, submit: SimTime, duration: SimDuration?, withdrawal: SimTime?,
    request: GPUPodRequest, priority: Int = 0, gangSize: Int = 1, recordedPhase: String,
    recordedWait: SimDuration? = nil
  ) {
    self.name = name
    self.team = team
    self.submit = submit
    self.duration = duration
    self.withdrawal = withdrawal
    self.request = request
    self.priority = priority
    self.gangSize = gangSize
    self.recordedPhase = recordedPhase
    self.recordedWait = recordedWait
  }
}

/// How a trace's arrivals are replayed.
public enum ReplayMode: Sendable, Equatable {
  /// Every item at its recorded time.
  case exact
  /// Arrival rate × `factor`: submission times divided by it (durations unchanged).
  case timeScaled(Double)
  /// Whole days resampled with replacement (stream `trace/bootstrap-days`): day d of the
  /// replay is a random day of the trace, its items at their times of day.
  case bootstrapDays
  /// Items resampled with replacement (stream `trace/bootstrap-jobs`), each at the
  /// submission time of the item it replaces, so the arrival times are the trace's.
  case bootstrapJobs
  /// The FGD paper's workload (Weng et al., ATC'23, as its simulator
  /// hkust-adsl/kubernetes-scheduler-simulator runs it with `shufflePod` and
  /// `workloadTuningConfig.ratio`): the items in name order, shuffled (stream
  /// `trace/fill`), then trimmed by random removal or topped up by random draws with
  /// replacement until their GPU requests come to `ratio` × the cluster's GPUs; all
  /// submitted at time 0 in that order, each held from its placement to the end
  /// (no departures), whatever the trace recorded.
  case fill(ratio: Double)
}

/// What a replay does, besides the items and nodes.
public struct ReplayConfiguration: Sendable {
  /// The trace's name, kept in every result row.
  public var trace: String
  public var mode: ReplayMode
  public var scoring: GPUNodeScoring
  /// How often allocation, fragmentation and queue length are sampled.
  public var sampleInterval: SimDuration
  /// Where replay stops; `nil`: when the last item has ended.
  public var end: SimTime?
  public var seed: RandomSeed

  public init(
    trace: String, mode: ReplayMode = .exact, scoring: GPUNodeScoring = .kubeDefault,
    sampleInterval: SimDuration = .seconds(3600), end: SimTime? = nil, seed: RandomSeed = RandomSeed(root: 1)
  ) {
    self.trace = trace
    self.mode = mode
    self.scoring = scoring
    self.sampleInterval = sampleInterval
    self.end = end
    self.seed = seed
  }
}

/// What became of one replayed item.
public struct ReplayOutcome: Sendable, Equatable {
  public enum Status: String, Sendable {
    /// Ran its recorded duration.
    case completed
    /// Still running when the replay ended.
    case running
    /// Recorded as never scheduled: waited and was withdrawn, as in the trace.
    case withdrawn
    /// Ran in the trace (or was listed to run) but found no room here before the replay ended.
    case pending
    /// Fits no node of the cluster at all (too large, or no node of its GPU model).
    case unschedulable
  }

  public var trace: String
  public var name: String
  public var team: String?
  public var submitted: SimTime
  public var started: SimTime?
  public var finished: SimTime?
  /// The first worker's node, by name.
  public var node: String?
  /// The first worker's node's GPU model.
  public var gpuModel: String?
  public var request: GPUPodRequest
  public var gangSize: Int
  public var recordedPhase: String
  public var recordedWait: SimDuration?
  public var status: Status

  /// The wait before running, when it ran.
  public var wait: SimDuration? { started.map { $0 - submitted } }
}

/// Allocation, fragmentation and queue at one instant.
public struct GPUAllocationSample: Sendable, Equatable {
  public var time: SimTime
  public var totalGPUMilli: Int
  public var allocatedGPUMilli: Int
  /// Expected GPU thousandths unusable by the workload's pod shapes (FGD's measure).
  public var fragmentedGPUMilli: Double
  public var allocatedCPUMilli: Int64
  public var runningItems: Int
  public var pendingItems: Int

  /// Allocated share of all GPU capacity (the trace records requests, not usage, so this
  /// is also the utilisation replay can state).
  public var gpuAllocation: Double { totalGPUMilli == 0 ? 0 : Double(allocatedGPUMilli) / Double(totalGPUMilli) }
}

/// A replay's results.
public struct TraceReplayResult: Sendable {
  public var outcomes: [ReplayOutcome]
  public var samples: [GPUAllocationSample]
  public var end: SimTime
  public var events: Int
}
