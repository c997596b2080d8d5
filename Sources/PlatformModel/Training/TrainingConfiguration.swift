import SimKernel

/// Where a workload may run: the team's choice between price and interruptions.
public enum CapacityPreference: String, Sendable, CaseIterable {
  case spot
  case onDemand = "on-demand"
  /// Spot nodes first; on-demand nodes when no spot node fits or spot cannot launch
  /// (Karpenter's spot-to-on-demand fallback; SkyPilot managed spot's recovery).
  case spotWithFallback = "spot-with-fallback"

  func allows(_ capacityType: CapacityType) -> Bool {
    switch self {
    case .spot: return capacityType == .spot
    case .onDemand: return capacityType == .onDemand
    case .spotWithFallback: return true
    }
  }
}

/// How often a training job writes a checkpoint.
public enum CheckpointInterval: Equatable, Sendable {
  /// Every fixed span of compute.
  case fixed(SimDuration)
  /// Daly's higher-order optimum for the job's failure rate (see ``CheckpointMath``),
  /// from the interruption rate of the pool's instance type times the worker count.
  case youngDaly
}

/// Checkpoint and restart behaviour of a training job.
public struct CheckpointPolicy: Equatable, Sendable {
  public var interval: CheckpointInterval
  /// δ: time to write one checkpoint (compute pauses meanwhile).
  public var cost: SimDuration
  /// R: time from (re)start to computing again: pulling the image and the checkpoint.
  public var restartCost: SimDuration
  /// Save on the spot notice when `cost` fits in the remaining notice window.
  public var checkpointOnNotice: Bool

  public init(
    interval: CheckpointInterval, cost: SimDuration, restartCost: SimDuration, checkpointOnNotice: Bool = true
  ) {
    self.interval = interval
    self.cost = cost
    self.restartCost = restartCost
    self.checkpointOnNotice = checkpointOnNotice
  }
}

/// A golden-path template: what a job asks for unless the team overrides it.
public enum TrainingTemplate: String, Sendable, CaseIterable {
  /// "Scikit-Learn Standard": one CPU pod, no checkpoints.
  case sklearnStandard = "sklearn-standard"
  /// "PyTorch GPU Distributed": N gang-scheduled GPU workers that checkpoint.
  case pytorchGPUDistributed = "pytorch-gpu-distributed"

  /// Failure-free run time by default: a lognormal through the Microsoft Philly
  /// runtimes, p50 1,186 s and p90 12,859 s (validation-data §5.1), a heavy tail
  /// (mean ≈ 1.9 h).
  public static let defaultDuration = Distribution.lognormal(median: 1_186, p90: 12_859)

  public var defaults: TrainingJobStream {
    switch self {
    case .sklearnStandard:
      return TrainingJobStream(
        template: self, arrivals: ArrivalProcess(ratePerHour: 1), duration: TrainingTemplate.defaultDuration,
        workerCount: 1, perWorker: Resources(cpuMillis: 2_000, memoryMiB: 8_192, gpuCount: 0), priority: 0,
        capacity: .onDemand, checkpoint: nil)
    case .pytorchGPUDistributed:
      return TrainingJobStream(
        template: self, arrivals: ArrivalProcess(ratePerHour: 1), duration: TrainingTemplate.defaultDuration,
        workerCount: 2, perWorker: Resources(cpuMillis: 3_000, memoryMiB: 12_288, gpuCount: 1), priority: 100,
        capacity: .spotWithFallback,
        checkpoint: CheckpointPolicy(interval: .youngDaly, cost: .minutes(1), restartCost: .minutes(5)))
    }
  }
}

/// One team's stream of training jobs from a template.
public struct TrainingJobStream: Equatable, Sendable {
  public var template: TrainingTemplate
  public var arrivals: ArrivalProcess
  /// Failure-free compute time of a job (T_s), in seconds.
  public var duration: Distribution
  public var workerCount: Int
  public var perWorker: Resources
  /// Pod priority; a pending job may preempt running jobs of lower priority.
  public var priority: Int
  public var capacity: CapacityPreference
  /// `nil`: the job never checkpoints and restarts from zero after a loss.
  public var checkpoint: CheckpointPolicy?
  /// Node selector (label key → value) every worker carries.
  public var nodeSelector: [(key: String, value: String)]
  public var tolerations: [Toleration]
  /// Share of requested GPU (or CPU) a worker really uses; OpenCost charges
  /// max(request, usage), so this does not change cost, only utilisation KPIs.
  public var utilisation: Double

  public init(
    template: TrainingTemplate, arrivals: ArrivalProcess, duration: Distribution, workerCount: Int,
    perWorker: Resources,
    priority: Int, capacity: CapacityPreference, checkpoint: CheckpointPolicy?,
    nodeSelector: [(key: String, value: String)] = [], tolerations: [Toleration] = [], utilisation: Double = 0.7
  ) {
    self.template = template
    self.arrivals = arrivals
    self.duration = duration
    self.workerCount = workerCount
    self.perWorker = perWorker
    self.priority = priority
    self.capacity = capacity
    self.checkpoint = checkpoint
    self.nodeSelector = nodeSelector.sorted { $0.key < $1.key }
    self.tolerations = tolerations
    self.utilisation = utilisation
  }

  public static func == (lhs: TrainingJobStream, rhs: TrainingJobStream) -> Bool {
    lhs.template == rhs.template && lhs.arrivals == rhs.arrivals && lhs.duration == rhs.duration
      && lhs.workerCount == rhs.workerCount && lhs.perWorker == rhs.perWorker && lhs.priority == rhs.priority
      && lhs.capacity == rhs.capacity && lhs.checkpoint == rhs.checkpoint
      && lhs.nodeSelector.map(\.key) == rhs.nodeSelector.map(\.key)
      && lhs.nodeSelector.map(\.value) == rhs.nodeSelector.map(\.value) && lhs.tolerations == rhs.tolerations
      && lhs.utilisation == rhs.utilisation
  }
}

/// A team: its cost tags and its training workloads.
public struct TeamConfiguration: Equatable, Sendable {
  public var name: String
  /// Governance tags such as `Owner` and `CostCenter`, sorted by key.
  public var tags: [(key: String, value: String)]
  public var jobStreams: [TrainingJobStream]

  public init(name: String, tags: [(key: String, value: String)], jobStreams: [TrainingJobStream]) {
    self.name = name
    self.tags = tags.sorted { $0.key < $1.key }
    self.jobStreams = jobStreams
  }

  public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

  public static func == (lhs: TeamConfiguration, rhs: TeamConfiguration) -> Bool {
    lhs.name == rhs.name && lhs.tags.map(\.key) == rhs.tags.map(\.key) && lhs.tags.map(\.value) == rhs.tags.map(\.value)
      && lhs.jobStreams == rhs.jobStreams
  }
}
