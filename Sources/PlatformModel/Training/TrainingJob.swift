import SimKernel

/// One training job: a gang of identical worker pods that compute, checkpoint, and
/// resume from their last checkpoint after losing their nodes.
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
  /// Index into the cluster's flattened job streams.
  var stream: Int
  var team: Int
  var workerCount: Int
  var perWorker: Resources
  var priority: Int
  /// The `queueOrder` policy's sort key, asked when the job last entered the queue.
  var queueKey = QueueKey(sortKey: [])
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
}
