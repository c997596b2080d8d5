import Foundation

/// Reads trace files into ``TraceJob``s and ``TraceNode``s: one public entry point per
/// format, each on ``TableReader`` (so every bad cell is reported at
/// `file:line:column: error: column: …`), plus ``load(_:log:maximumBytes:)`` for the file
/// itself (missing file, size guard).
///
/// A record with any error is reported and left out; the caller decides whether a log
/// with errors stops it (the CLI does).
public enum TraceReader {
  /// The largest trace file read by default: 2 GiB of text is ~20 M rows, whose records
  /// (≈ 200 bytes each) and replay state stay well inside a 24 GiB machine.
  public static let defaultMaximumBytes = 2 << 30

  /// The text of the trace file at `path`, or `nil` after logging why not: no such file,
  /// a directory, not UTF-8, or larger than `maximumBytes` (a guard message, checked
  /// before anything is read, never an out-of-memory crash).
  public static func load(_ path: String, log: DiagnosticLog, maximumBytes: Int = defaultMaximumBytes) -> String? {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumBytes {
      log.add(
        Diagnostic(
          file: path, message: "the trace is \(size) bytes, over the limit of \(maximumBytes) bytes",
          hint: "split the trace by time and replay the parts, or sample it"))
      return nil
    }
    switch InputFile.read(path, kind: "a trace file") {
    case .success(let contents): return contents.text
    case .failure(let diagnostic):
      log.add(diagnostic)
      return nil
    }
  }

  /// The encoding of a table file by its extension: `.jsonl`, `.ndjson` and `.json` are
  /// JSON lines, anything else CSV.
  public static func encoding(ofFile path: String) -> TableEncoding {
    let lowered = path.lowercased()
    return [".jsonl", ".ndjson", ".json", ".jsonlines"].contains { lowered.hasSuffix($0) } ? .jsonLines : .csv
  }

  /// Reads the jobs of a trace of any job format (not the node list or run-time list).
  public static func readJobs(_ text: String, file: String, format: TraceFormat, log: DiagnosticLog) -> [TraceJob] {
    switch format {
    case .alibabaGPU2023: return readOpenbPods(text, file: file, log: log)
    case .pai2020: return readPAITasks(text, file: file, log: log)
    case .generic: return readGeneric(text, file: file, encoding: encoding(ofFile: file), log: log)
    case .phillyJobLog: return readPhillyJobLog(text, file: file, log: log)
    case .phillyRuntimes:
      return readPhillyRuntimes(text, file: file, log: log).enumerated().map { index, runtime in
        TraceJob(name: "philly-\(index + 1)", line: index + 2, submitSeconds: 0, durationSeconds: runtime)
      }
    }
  }

  /// Reads an `openb_pod_list_*.csv` of the Alibaba GPU 2023 trace.
  ///
  /// A pod's run time is `deletion_time − scheduled_time` (how long it held its
  /// resources); a `Pending` pod (no `scheduled_time`) never ran and is withdrawn at its
  /// deletion. Checked across columns: deletion ≥ scheduled ≥ creation, and
  /// `gpu_milli` consistent with `num_gpu` (0 GPUs ⇒ 0; several GPUs ⇒ 1000 each).
  ///
  /// A list whose header has none of `pod_phase`, `creation_time` and `deletion_time`
  /// (the published `multigpu` samples) is a workload list: see ``readOpenbWorkload(_:file:log:)``.
  public static func readOpenbPods(_ text: String, file: String, log: DiagnosticLog) -> [TraceJob] {
    let header = Set(
      text.prefix { $0 != "\n" && $0 != "\r" }.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      })
    if header.isDisjoint(with: OpenbWorkloadColumns.timeColumns) && !header.isEmpty {
      return readOpenbWorkload(text, file: file, log: log)
    }
    var jobs: [TraceJob] = []
    TableReader.read(text, file: file, encoding: .csv, columns: OpenbPodColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      let fields = (
        row[\.name], row[\.cpuMilli], row[\.memoryMiB], row[\.numGPU], row[\.gpuMilli], row[\.podPhase],
        row[\.creationTime], row[\.deletionTime]
      )
      let spec = row[\.gpuSpec]
      let qos = row[\.qos]
      let scheduled = row[\.scheduledTime]
      guard let name = fields.0, let cpu = fields.1, let memory = fields.2, let gpus = fields.3,
        let milli = fields.4, let phase = fields.5, let created = fields.6, let deleted = fields.7,
        log.diagnostics.count == errors
      else { return }
      checkGPUShare(milli, gpus: gpus, at: row.value(of: \.gpuMilli))
      if deleted < created {
        row.value(of: \.deletionTime)?.error("deletion at \(deleted) s is before creation at \(created) s")
      }
      if phase == "Pending" {
        if scheduled != nil {
          row.value(of: \.scheduledTime)?.error(
            "a `Pending` pod has a `scheduled_time`", hint: "a pod the trace never scheduled has it empty")
        }
      } else if let scheduled {
        if scheduled < created || scheduled > deleted {
          row.value(of: \.scheduledTime)?.error(
            "scheduled at \(scheduled) s, outside creation \(created) s … deletion \(deleted) s")
        }
      } else if row.value(of: \.scheduledTime) == nil {
        (row.value(of: \.podPhase) ?? row.value).error(
          "a `\(phase)` pod has no `scheduled_time`", hint: "only `Pending` pods were never scheduled")
      }
      guard log.diagnostics.count == errors else { return }
      var job = TraceJob(
        name: name, line: row.value.line, submitSeconds: Double(created),
        durationSeconds: scheduled.map { Double(deleted - $0) }, cpuMilli: Int64(cpu), memoryMiB: Int64(memory),
        gpuCount: gpus, gpuMilli: gpus == 0 ? 1000 : milli, gpuTypes: gpuTypes(spec),
        phase: openbPhase(phase))
      job.recordedWaitSeconds = scheduled.map { Double($0 - created) }
      job.withdrawnSeconds = scheduled == nil ? Double(deleted) : nil
      job.qos = qos
      jobs.append(job)
    }
    return jobs
  }

  /// Reads an openb pod list without times or phases (the published `multigpu` samples).
  ///
  /// As the FGD paper's simulator takes it: every pod is created at time 0 in file
  /// order (the replay's queue keeps that order) and holds its resources from its
  /// placement to the end of the replay. Pods that find no room stay pending.
  public static func readOpenbWorkload(_ text: String, file: String, log: DiagnosticLog) -> [TraceJob] {
    var jobs: [TraceJob] = []
    TableReader.read(text, file: file, encoding: .csv, columns: OpenbWorkloadColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      let fields = (row[\.name], row[\.cpuMilli], row[\.memoryMiB], row[\.numGPU], row[\.gpuMilli])
      let spec = row[\.gpuSpec]
      let qos = row[\.qos]
      guard let name = fields.0, let cpu = fields.1, let memory = fields.2, let gpus = fields.3, let milli = fields.4,
        log.diagnostics.count == errors
      else { return }
      checkGPUShare(milli, gpus: gpus, at: row.value(of: \.gpuMilli))
      guard log.diagnostics.count == errors else { return }
      var job = TraceJob(
        name: name, line: row.value.line, submitSeconds: 0, durationSeconds: nil, cpuMilli: Int64(cpu),
        memoryMiB: Int64(memory), gpuCount: gpus, gpuMilli: gpus == 0 ? 1000 : milli, gpuTypes: gpuTypes(spec),
        phase: .running)
      job.holdsUntilEnd = true
      job.qos = qos
      jobs.append(job)
    }
    return jobs
  }

  /// `gpu_milli` consistent with `num_gpu`: 0 GPUs ⇒ 0; several GPUs ⇒ 1000 each.
  static func checkGPUShare(_ milli: Int, gpus: Int, at value: YAMLValue?) {
    if gpus == 0 && milli != 0 {
      value?.error("found `\(milli)` with `num_gpu` 0", hint: "a pod without GPUs has 0")
    } else if gpus > 0 && milli == 0 {
      value?.error("found `0` with `num_gpu` \(gpus)", hint: "give the share of each GPU, 1–1000")
    } else if gpus > 1 && milli != 1000 {
      value?.error("found `\(milli)` with `num_gpu` \(gpus)", hint: "only a single-GPU pod shares its GPU; use 1000")
    }
  }

  static func openbPhase(_ phase: String) -> TracePhase {
    switch phase {
    case "Succeeded": .succeeded
    case "Failed": .failed
    case "Pending": .pending
    default: .running
    }
  }

  /// `V100M16|V100M32` as a list; empty text: any model.
  static func gpuTypes(_ spec: String?) -> [String] {
    (spec ?? "").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// Reads an `openb_node_list_*.csv` of the Alibaba GPU 2023 trace.
  ///
  /// A node with GPUs must name its model.
  public static func readOpenbNodes(_ text: String, file: String, log: DiagnosticLog) -> [TraceNode] {
    var nodes: [TraceNode] = []
    TableReader.read(text, file: file, encoding: .csv, columns: OpenbNodeColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      let model = row[\.model]
      guard let name = row[\.serial], let cpu = row[\.cpuMilli], let memory = row[\.memoryMiB], let gpus = row[\.gpu],
        log.diagnostics.count == errors
      else { return }
      if gpus > 0 && model == nil {
        (row.value(of: \.model) ?? row.value).error(
          "a node with \(gpus) GPUs has no `model`", hint: "name its GPU model (`T4`, `V100M32`, …)")
        return
      }
      nodes.append(
        TraceNode(
          name: name, line: row.value.line, cpuMilli: Int64(cpu), memoryMiB: Int64(memory), gpus: gpus,
          model: gpus > 0 ? model : nil))
    }
    return nodes
  }

  /// Reads PlatformSim's generic job trace (docs/TRACES.md).
  public static func readGeneric(_ text: String, file: String, encoding: TableEncoding, log: DiagnosticLog)
    -> [TraceJob]
  {
    var jobs: [TraceJob] = []
    TableReader.read(text, file: file, encoding: encoding, columns: GenericJobColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      let id = row[\.jobID]
      let submit = row[\.submitTime]
      let duration = row[\.duration]
      let cpu = row[\.cpuMilli] ?? 0
      let memory = row[\.memoryMiB] ?? 0
      let gpus = row[\.gpus] ?? 0
      let milli = row[\.gpuMilli] ?? 1000
      let type = row[\.gpuType]
      let team = row[\.team]
      let tags = row[\.tags]?.read()
      let priority = row[\.priority] ?? 0
      let gang = row[\.gangSize] ?? 1
      let phase = row[\.phase].flatMap(TracePhase.init(rawValue:)) ?? .succeeded
      guard let id, let submit, log.diagnostics.count == errors else { return }
      if gpus > 1 && milli != 1000 {
        row.value(of: \.gpuMilli)?.error(
          "found `\(milli)` with `gpus` \(gpus)", hint: "only a single-GPU worker shares its GPU; use 1000")
        return
      }
      if duration == nil && phase != .pending {
        row.value.error(
          "missing `duration` for a job that ran", hint: "give its run time, or set `phase` to `pending`")
        return
      }
      var job = TraceJob(
        name: id, line: row.value.line, submitSeconds: submit, durationSeconds: phase == .pending ? nil : duration,
        cpuMilli: Int64(cpu), memoryMiB: Int64(memory), gpuCount: gpus, gpuMilli: milli, gpuTypes: gpuTypes(type),
        team: team, tags: (tags ?? []).map { TraceTag(key: $0.key, value: $0.value) }, priority: priority,
        gangSize: gang, phase: phase)
      if phase == .pending { job.withdrawnSeconds = submit + (duration ?? 0) }
      jobs.append(job)
    }
    return jobs
  }

  /// Reads a PAI 2020 `pai_task_table.csv`.
  ///
  /// The published header is implied when absent. Each
  /// task with a start and end becomes a gang of `inst_num` workers submitted at its
  /// start (the table has no submission time) holding `plan_*` for `end − start`.
  /// `plan_gpu` is percent of a GPU: below 100 a shared GPU, otherwise whole GPUs
  /// (rounded up). `users` maps job names to their user (from ``readPAIJobUsers``).
  public static func readPAITasks(
    _ text: String, file: String, log: DiagnosticLog, users: [String: String] = [:]
  ) -> [TraceJob] {
    var jobs: [TraceJob] = []
    TableReader.read(
      text, file: file, encoding: .csv, columns: PAITaskColumns.self, log: log,
      impliedHeader: PAITaskColumns.publishedHeader
    ) { row in
      let errors = log.diagnostics.count
      let fields = (row[\.jobName], row[\.taskName], row[\.instances], row[\.status], row[\.startTime])
      let end = row[\.endTime]
      let gpu = row[\.planGPU] ?? 0
      let cpu = row[\.planCPU] ?? 0
      let memory = row[\.planMemory] ?? 0
      let type = row[\.gpuType]
      guard let job = fields.0, let task = fields.1, let instances = fields.2, let status = fields.3,
        log.diagnostics.count == errors
      else { return }
      guard let start = fields.4 else { return }  // never started: no time to replay it at
      if let end, end < start {
        row.value(of: \.endTime)?.error("ends at \(end) s, before its start at \(start) s")
        return
      }
      let phase: TracePhase =
        switch status {
        case "Terminated": .succeeded
        case "Failed", "Interrupted": .failed
        case "Waiting": .pending
        default: .running
        }
      let wholeGPUs = gpu >= 100 ? Int((gpu / 100).rounded(.up)) : (gpu > 0 ? 1 : 0)
      jobs.append(
        TraceJob(
          name: "\(job)/\(task)", line: row.value.line, submitSeconds: start,
          durationSeconds: end.map { $0 - start } ?? (phase == .pending ? nil : 0), cpuMilli: Int64(cpu * 10),
          memoryMiB: Int64(memory * 1024), gpuCount: wholeGPUs,
          gpuMilli: gpu >= 100 || gpu == 0 ? 1000 : Int(gpu * 10), gpuTypes: type.map { [$0] } ?? [],
          team: users[job], gangSize: Int(instances), phase: phase))
    }
    return jobs
  }

  /// Reads a PAI 2020 `pai_job_table.csv`: each job's user, for the team mapping.
  public static func readPAIJobUsers(_ text: String, file: String, log: DiagnosticLog) -> [String: String] {
    var users: [String: String] = [:]
    TableReader.read(
      text, file: file, encoding: .csv, columns: PAIJobColumns.self, log: log,
      impliedHeader: PAIJobColumns.publishedHeader
    ) { row in
      if let job = row[\.jobName], let user = row[\.user] { users[job] = user }
    }
    return users
  }

  /// Reads a Philly run-time list: the run times in file order, seconds.
  public static func readPhillyRuntimes(_ text: String, file: String, log: DiagnosticLog) -> [Double] {
    var runtimes: [Double] = []
    TableReader.read(text, file: file, encoding: .csv, columns: PhillyRuntimeColumns.self, log: log) { row in
      if let runtime = row[\.runtime] { runtimes.append(runtime) }
    }
    return runtimes
  }
}
