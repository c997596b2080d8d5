// The columns of every trace format, declared once as ObjectKeys (docs/TRACES.md).

/// `openb_pod_list_*.csv` of the Alibaba GPU cluster trace 2023
/// (alibaba/clusterdata `cluster-trace-gpu-v2023`, the ATC'23 FGD paper's workload).
///
/// One Kubernetes pod per row; times are seconds from the trace's start.
public final class OpenbPodColumns: ObjectKeys {
  public static let schema = ObjectSchema<OpenbPodColumns>(
    "openb pod list", "A pod of the Alibaba GPU 2023 trace (openb_pod_list_*.csv).", unknownKeys: .accepted)
  public init() {}
  let name = Field("name", .string(), required: true, "Pod name (`openb-pod-0017`).")
  let cpuMilli = Field("cpu_milli", .integer(minimum: 0), required: true, "CPU request, thousandths of a core.")
  let memoryMiB = Field("memory_mib", .integer(minimum: 0), required: true, "Memory request, MiB.")
  let numGPU = Field("num_gpu", .integer(minimum: 0, maximum: 128), required: true, "GPUs requested.")
  let gpuMilli = Field(
    "gpu_milli", .integer(minimum: 0, maximum: 1000), required: true,
    "Thousandths of each GPU requested (< 1000: the pod shares one GPU).")
  let gpuSpec = Field("gpu_spec", .string(), "Allowed GPU models, `|`-separated (`V100M16|V100M32`); empty: any.")
  let qos = Field("qos", .string(), "Quality of service class (LS, BE, Burstable, Guaranteed).")
  let podPhase = Field(
    "pod_phase", .choice(["Running", "Succeeded", "Failed", "Pending"]), required: true, "Phase at the trace's end.")
  let creationTime = Field("creation_time", .integer(minimum: 0), required: true, "Creation, seconds.")
  let deletionTime = Field("deletion_time", .integer(minimum: 0), required: true, "Deletion, seconds.")
  let scheduledTime = Field("scheduled_time", .integer(minimum: 0), "Binding, seconds; empty: never scheduled.")
}

/// An `openb_pod_list_*.csv` without times or phases (the published `multigpu` samples):
/// a workload list, as the Kubernetes Scheduler Simulator of the FGD paper
/// (hkust-adsl/kubernetes-scheduler-simulator) takes its pods — every pod created at
/// the start, in file order, and never deleted.
public final class OpenbWorkloadColumns: ObjectKeys {
  public static let schema = ObjectSchema<OpenbWorkloadColumns>(
    "openb workload list",
    "A pod of an Alibaba GPU 2023 pod list without times (openb_pod_list_multigpu*.csv).", unknownKeys: .accepted)
  public init() {}
  let name = Field("name", .string(), required: true, "Pod name (`openb-pod-0017`).")
  let cpuMilli = Field("cpu_milli", .integer(minimum: 0), required: true, "CPU request, thousandths of a core.")
  let memoryMiB = Field("memory_mib", .integer(minimum: 0), required: true, "Memory request, MiB.")
  let numGPU = Field("num_gpu", .integer(minimum: 0, maximum: 128), required: true, "GPUs requested.")
  let gpuMilli = Field(
    "gpu_milli", .integer(minimum: 0, maximum: 1000), required: true,
    "Thousandths of each GPU requested (< 1000: the pod shares one GPU).")
  let gpuSpec = Field("gpu_spec", .string(), "Allowed GPU models, `|`-separated (`V100M16|V100M32`); empty: any.")
  let qos = Field("qos", .string(), "Quality of service class (LS, BE, Burstable, Guaranteed).")

  /// The columns whose absence, all together, makes a pod list a workload list.
  static let timeColumns = ["pod_phase", "creation_time", "deletion_time"]
}

/// `openb_node_list_*.csv` of the Alibaba GPU cluster trace 2023: one node per row.
public final class OpenbNodeColumns: ObjectKeys {
  public static let schema = ObjectSchema<OpenbNodeColumns>(
    "openb node list", "A node of the Alibaba GPU 2023 trace (openb_node_list_*.csv).", unknownKeys: .accepted)
  public init() {}
  let serial = Field("sn", .string(), required: true, "Node name (`openb-node-0042`).")
  let cpuMilli = Field("cpu_milli", .integer(minimum: 1), required: true, "CPU capacity, thousandths of a core.")
  let memoryMiB = Field("memory_mib", .integer(minimum: 1), required: true, "Memory capacity, MiB.")
  let gpu = Field("gpu", .integer(minimum: 0, maximum: 128), required: true, "GPUs on the node.")
  let model = Field("model", .string(), "GPU model (`V100M32`); empty for a CPU-only node.")
}

/// PlatformSim's generic job trace (CSV with a header, or JSON lines): the documented
/// format any team can export its history to.
public final class GenericJobColumns: ObjectKeys {
  public static let schema = ObjectSchema<GenericJobColumns>(
    "generic job trace", "A job of a generic PlatformSim job trace (CSV or JSON lines).")
  public init() {}
  let jobID = Field("job_id", .string(), required: true, "Job name, kept in the results.")
  let submitTime = Field("submit_time", .number(minimum: 0), required: true, "Submission, seconds from the start.")
  let duration = Field(
    "duration", .number(minimum: 0), "Run time once running, seconds; empty: the job never ran (see `phase`).")
  let cpuMilli = Field("cpu_milli", .integer(minimum: 0), default: "0", "CPU request per worker, thousandths.")
  let memoryMiB = Field("memory_mib", .integer(minimum: 0), default: "0", "Memory request per worker, MiB.")
  let gpus = Field("gpus", .integer(minimum: 0, maximum: 128), default: "0", "GPUs per worker.")
  let gpuMilli = Field(
    "gpu_milli", .integer(minimum: 1, maximum: 1000), default: "1000",
    "Thousandths of each GPU (< 1000 with `gpus: 1`: a shared GPU).")
  let gpuType = Field("gpu_type", .string(), "Allowed GPU models, `|`-separated; empty: any.")
  let team = Field("team", .string(), "Owning team or cost centre.")
  let tags = Field("tags", .dictionary(.string()), "Free-form tags (JSON lines only).")
  let priority = Field("priority", .integer(), default: "0", "Scheduling priority (higher first).")
  let gangSize = Field("gang_size", .integer(minimum: 1, maximum: 100_000), default: "1", "Workers placed together.")
  let phase = Field(
    "phase", .choice(["succeeded", "failed", "running", "pending"]), default: "succeeded",
    "Recorded outcome; `pending`: never scheduled.")
}

/// Alibaba PAI 2020 `pai_task_table.csv` (cluster-trace-gpu-v2020), with its published
/// header: the data files have none, so it is implied when the first row is data.
public final class PAITaskColumns: ObjectKeys {
  public static let schema = ObjectSchema<PAITaskColumns>(
    "PAI 2020 task table", "A task of the Alibaba PAI 2020 trace (pai_task_table.csv).")
  public init() {}
  static let publishedHeader = [
    "job_name", "task_name", "inst_num", "status", "start_time", "end_time", "plan_cpu", "plan_mem", "plan_gpu",
    "gpu_type",
  ]
  let jobName = Field("job_name", .string(), required: true, "Job name.")
  let taskName = Field("task_name", .string(), required: true, "Task name within the job (worker, ps, …).")
  let instances = Field("inst_num", .number(minimum: 1), required: true, "Instances of the task (the gang).")
  let status = Field(
    "status", .choice(["Terminated", "Failed", "Running", "Waiting", "Interrupted"]), required: true,
    "Task status.")
  let startTime = Field("start_time", .number(minimum: 0), "Start, seconds; empty: never started.")
  let endTime = Field("end_time", .number(minimum: 0), "End, seconds; empty: not ended.")
  let planCPU = Field("plan_cpu", .number(minimum: 0), "CPU per instance, percent of a core (600 = 6 cores).")
  let planMemory = Field("plan_mem", .number(minimum: 0), "Memory per instance, GB.")
  let planGPU = Field("plan_gpu", .number(minimum: 0), "GPU per instance, percent of a GPU (50 = half).")
  let gpuType = Field("gpu_type", .string(), "GPU model (`V100`, `T4`, `MISC`).")
}

/// Alibaba PAI 2020 `pai_job_table.csv`, with its published header (implied when absent).
public final class PAIJobColumns: ObjectKeys {
  public static let schema = ObjectSchema<PAIJobColumns>(
    "PAI 2020 job table", "A job of the Alibaba PAI 2020 trace (pai_job_table.csv).")
  public init() {}
  static let publishedHeader = ["job_name", "inst_id", "user", "status", "start_time", "end_time"]
  let jobName = Field("job_name", .string(), required: true, "Job name.")
  let instanceID = Field("inst_id", .string(), "Instance id.")
  let user = Field("user", .string(), "User (hashed); the team mapping's key.")
  let status = Field("status", .string(), "Job status.")
  let startTime = Field("start_time", .number(minimum: 0), "Submission, seconds.")
  let endTime = Field("end_time", .number(minimum: 0), "End, seconds.")
}

/// A Philly run-time list (`philly_runtime.csv` as published with the PAI 2020 analysis):
/// one job run time in seconds per row.
public final class PhillyRuntimeColumns: ObjectKeys {
  public static let schema = ObjectSchema<PhillyRuntimeColumns>(
    "Philly run times", "A job run time of Microsoft's Philly trace (philly_runtime.csv).")
  public init() {}
  let runtime = Field("runtime", .number(minimum: 0), required: true, "Run time, seconds.")
}

/// A team mapping for trace replay: which team or cost centre each of a trace's users,
/// teams or virtual clusters belongs to.
public final class TeamMappingColumns: ObjectKeys {
  public static let schema = ObjectSchema<TeamMappingColumns>(
    "trace team mapping", "Maps a trace's team, user or virtual cluster to a team or cost centre.")
  public init() {}
  let traceTeam = Field("trace_team", .string(), required: true, "The trace's value (`team`, PAI `user`).")
  let team = Field("team", .string(), required: true, "The team or cost centre it belongs to.")
}

extension TraceReader {
  /// Reads a team mapping (`trace_team,team`), in file order; a trace team mapped twice
  /// is an error at its second row.
  public static func readTeamMapping(_ text: String, file: String, log: DiagnosticLog) -> [(String, String)] {
    var mapping: [(String, String)] = []
    TableReader.read(text, file: file, encoding: encoding(ofFile: file), columns: TeamMappingColumns.self, log: log) {
      row in
      guard let from = row[\.traceTeam], let to = row[\.team] else { return }
      if mapping.contains(where: { $0.0 == from }) {
        row.value(of: \.traceTeam)?.error("`\(from)` is mapped twice", hint: "keep one row per trace team")
        return
      }
      mapping.append((from, to))
    }
    return mapping
  }
}
