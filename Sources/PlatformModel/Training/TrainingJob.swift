import SimKernel

/// Identifies a training job (a gang of worker pods) for the whole run.
public struct JobID: DenseID, CustomStringConvertible {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
  public var description: String { "trainjob-\(rawValue)" }
}

/// Identifies one team's training job stream, numbered across teams (team order,
/// then the team's streams in order).
public struct JobStreamID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
}

/// One training job: a gang of identical worker pods that compute, checkpoint, and
/// resume from their last checkpoint after losing their nodes (``Checkpointing``).
struct TrainingJob {
  enum Phase: Equatable {
    case pending
    /// Pulling the image and the last checkpoint after a restart (R).
    case restarting
    /// Computing a segment of work that is not yet saved.
    case computing
    /// Writing a checkpoint (δ); the segment is saved when it ends.
    case checkpointing
    case finished
    case rejected
  }

  var id: JobID
  var stream: JobStreamID
  var team: TeamID
  var workerCount: Int
  var perWorker: Resources
  var priority: Int
  var submittedAt: SimTime
  var firstStartedAt: SimTime?
  var finishedAt: SimTime?
  /// Failure-free compute time T_s.
  var solveTime: SimDuration
  /// Work saved by checkpoints (or finished).
  var savedWork = SimDuration.zero
  var phase = Phase.pending
  var hasStarted = false
  /// Nodes of the current attempt, one entry per worker.
  var nodes: [NodeID] = []
  var attemptStartedAt = SimTime.zero
  /// When the work of the current attempt was last saved (or the attempt began).
  var progressAnchor = SimTime.zero
  var segmentStartedAt = SimTime.zero
  var segmentWork = SimDuration.zero
  /// The interval of the current attempt; `nil` means no checkpoints.
  var checkpointInterval: SimDuration?
  var phaseEvent: EventHandle?
  /// A spot notice asked the job to save and stop.
  var stopAfterCheckpoint = false
  /// The last loss was a spot loss, so the next restart is re-run time (``SpotLoss``).
  var restartsAfterSpotLoss = false
  /// When the last restart after a spot loss ended (already counted as re-run time).
  var spotRestartEndedAt: SimTime?
  var rejectionReason: String?
  var pendingReason: String?
  var policyViolations: [String] = []

  // Statistics.
  var attempts = 0
  var interruptions = 0
  var preemptions = 0
  var checkpoints = 0
  var noticeCheckpoints = 0
  var lostGPUSeconds = 0.0
  var allocatedGPUSeconds = 0.0
  var allocatedCPUSeconds = 0.0
  var cost = CostParts()

  var remainingWork: SimDuration { solveTime - savedWork }
  var gpuCount: Int64 { perWorker.gpuCount * Int64(workerCount) }
  /// Whether its workers hold nodes now.
  var isPlaced: Bool { !nodes.isEmpty }
}

/// Why a job lost its nodes.
public enum JobInterruptionCause: Sendable {
  case spot
  case preemption
  case schedule
  case consolidation
  /// Cluster Autoscaler drained the node to remove it.
  case drain
}

/// How a pod's stay on a node ended (`cluster_pods.outcome`).
enum PodOutcome: String {
  case finished
  case interrupted
  case preempted
  case evictedBySchedule = "evicted-by-schedule"
  case consolidated
  /// Drained by the Cluster Autoscaler's scale-down.
  case drained
  /// Still running when the run ended.
  case running

  init(_ cause: JobInterruptionCause) {
    switch cause {
    case .spot: self = .interrupted
    case .preemption: self = .preempted
    case .schedule: self = .evictedBySchedule
    case .consolidation: self = .consolidated
    case .drain: self = .drained
    }
  }
}
