/// The trace formats PlatformSim reads (docs/TRACES.md), each through one reader on the
/// input layer (``TableReader``), with located diagnostics for bad rows.
public enum TraceFormat: String, Sendable, CaseIterable {
  /// Alibaba GPU cluster trace 2023: `openb_pod_list_*.csv` (with `openb_node_list_*.csv`).
  case alibabaGPU2023 = "alibaba-gpu-2023"
  /// Alibaba PAI 2020: `pai_task_table.csv` (and optionally `pai_job_table.csv` for users).
  case pai2020 = "pai-2020"
  /// PlatformSim's generic job trace: CSV with a header, or JSON lines.
  case generic
  /// A Philly run-time list (`philly_runtime.csv`): run times only, for `platformsim fit`.
  case phillyRuntimes = "philly-runtimes"
  /// A Philly job log (`cluster_job_log`, JSON): jobs with attempts and GPUs per machine.
  case phillyJobLog = "philly-job-log"

  /// The format whose header `header` is (the first line of a CSV file), for
  /// `platformsim validate`; `nil` when no trace format has it.
  public static func recognising(header: String) -> TraceFormat? {
    if header.trimmingCharacters(in: .whitespaces).hasPrefix("[") { return .phillyJobLog }
    let names = Set(header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    if names.isSuperset(of: ["name", "num_gpu", "gpu_milli", "cpu_milli"]) { return .alibabaGPU2023 }
    if names.isSuperset(of: ["job_id", "submit_time"]) { return .generic }
    if names == ["runtime"] { return .phillyRuntimes }
    if names.isSuperset(of: ["job_name", "task_name", "plan_gpu"]) { return .pai2020 }
    return nil
  }
}

/// How a trace item ended, as recorded; replay honours it (docs/TRACES.md).
public enum TracePhase: String, Sendable, Equatable, CaseIterable {
  /// Ran to completion.
  case succeeded
  /// Ran and failed: replayed as running for its recorded time, then recorded as failed.
  case failed
  /// Still running when the trace was taken: runs until its recorded end.
  case running
  /// Never scheduled: submitted, waits, and is withdrawn at its recorded end.
  case pending
}

/// One free-form tag of a trace job.
public struct TraceTag: Sendable, Equatable {
  public var key: String
  public var value: String
  public init(key: String, value: String) {
    self.key = key
    self.value = value
  }
}

/// One workload item of a trace, in PlatformSim's terms, whatever the format.
public struct TraceJob: Sendable, Equatable {
  /// The trace's own name for it, kept in the results.
  public var name: String
  /// The line it was read from.
  public var line: Int
  /// Submission (pod creation), seconds from the trace's start.
  public var submitSeconds: Double
  /// How long it holds its resources once running; `nil` when it never ran (or, with
  /// ``holdsUntilEnd``, when it never leaves).
  public var durationSeconds: Double?
  /// A pod of a workload list (no times): placed when it can be and never deleted.
  public var holdsUntilEnd = false
  /// The recorded wait between submission and start, when the trace has it.
  public var recordedWaitSeconds: Double?
  /// When a never-scheduled item was withdrawn (deleted), seconds; `nil` for others.
  public var withdrawnSeconds: Double?
  /// Requests of one worker.
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  /// GPUs per worker; with `gpuMilli` < 1000 the worker shares one GPU.
  public var gpuCount: Int
  /// Thousandths of each GPU (1000 for whole GPUs).
  public var gpuMilli: Int
  /// Allowed GPU models; empty: any.
  public var gpuTypes: [String]
  public var team: String?
  public var tags: [TraceTag]
  public var priority: Int
  /// Workers placed together (a gang); 1 for a pod.
  public var gangSize: Int
  public var phase: TracePhase
  /// Quality-of-service class, when the trace has one.
  public var qos: String?

  public init(
    name: String, line: Int, submitSeconds: Double, durationSeconds: Double?, cpuMilli: Int64 = 0,
    memoryMiB: Int64 = 0, gpuCount: Int = 0, gpuMilli: Int = 1000, gpuTypes: [String] = [], team: String? = nil,
    tags: [TraceTag] = [], priority: Int = 0, gangSize: Int = 1, phase: TracePhase = .succeeded
  ) {
    self.name = name
    self.line = line
    self.submitSeconds = submitSeconds
    self.durationSeconds = durationSeconds
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpuCount = gpuCount
    self.gpuMilli = gpuMilli
    self.gpuTypes = gpuTypes
    self.team = team
    self.tags = tags
    self.priority = priority
    self.gangSize = gangSize
    self.phase = phase
  }

  /// GPU demand in thousandths of a GPU per worker.
  public var gpuMilliTotal: Int { gpuCount == 0 ? 0 : gpuCount * gpuMilli }
}

/// One node of a trace's cluster.
public struct TraceNode: Sendable, Equatable {
  public var name: String
  public var line: Int
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  public var gpus: Int
  /// GPU model; `nil` for a CPU-only node.
  public var model: String?

  public init(name: String, line: Int, cpuMilli: Int64, memoryMiB: Int64, gpus: Int, model: String?) {
    self.name = name
    self.line = line
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpus = gpus
    self.model = model
  }
}
