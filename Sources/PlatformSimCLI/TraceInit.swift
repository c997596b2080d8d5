import Foundation
import InputReading
import PlatformModel
import Scenario

/// `platformsim init --from-trace`: a runnable scenario that replays a trace on the
/// trace's own cluster (docs/TRACES.md, "A scenario from a trace").
enum TraceInit {
  /// A synthesized node: an 8-GPU server shaped like p3dn.24xlarge (96 vCPU, 768 GiB).
  static let synthesizedNode = (cpuMilli: Int64(96_000), memoryMiB: Int64(786_432), gpus: 8)
  /// The GPU model of synthesized nodes for items that name none.
  static let synthesizedDefaultModel = "V100M32"

  struct Written {
    var scenario: String
    var nodes: String?
    var items: Int
    var models: [String]
  }

  /// Reads the trace (and node list), and writes DIR/NAME.yaml (and DIR/NAME-nodes.csv
  /// when the cluster is synthesized).
  static func write(
    trace: String, format formatName: String?, nodes nodesPath: String?, name: String, directory: URL
  ) throws(CLIError) -> Written {
    let log = DiagnosticLog()
    guard let text = TraceReader.load(trace, log: log) else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    let format: TraceFormat
    if let formatName {
      guard let known = TraceFormat(rawValue: formatName), TraceFormat.replayable.contains(known) else {
        throw .invalidOption(
          flag: "--trace-format", found: formatName,
          expected: TraceFormat.replayable.map(\.rawValue).joined(separator: ", "))
      }
      format = known
    } else {
      let header = String(text.prefix { $0 != "\n" && $0 != "\r" })
      guard let recognised = TraceFormat.recognising(header: header), recognised != .phillyRuntimes else {
        throw .invalidInput(
          "\(trace):1:1: error: the header is not one of a replayable trace format\n"
            + "  hint: name the format with --trace-format ("
            + TraceFormat.replayable.map(\.rawValue).joined(separator: ", ") + ")")
      }
      format = recognised
    }
    let jobs = TraceImport.startingOnDayZero(
      TraceReader.readJobs(text, file: trace, format: format, log: log), format: format)
    var nodes: [TraceNode] = []
    if let nodesPath, let nodeText = TraceReader.load(nodesPath, log: log) {
      nodes = TraceReader.readOpenbNodes(nodeText, file: nodesPath, log: log)
    }
    guard !log.hasErrors else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    guard !jobs.isEmpty else { throw .invalidInput("\(trace): error: the trace has no items to replay") }
    let scenarioPath = directory.appendingPathComponent("\(name).yaml").path
    var nodeFile = nodesPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    var synthesizedText: String?
    if nodeFile == nil {
      nodes = synthesizeCluster(for: jobs)
      nodeFile = directory.appendingPathComponent("\(name)-nodes.csv").path
      synthesizedText = nodeListCSV(nodes)
    }
    for path in [scenarioPath] + (synthesizedText == nil ? [] : [nodeFile ?? ""])
    where FileManager.default.fileExists(atPath: path) {
      throw .alreadyExists(path: path)
    }
    var models: [String] = []
    for node in nodes { if let model = node.model, !models.contains(model) { models.append(model) } }
    let scenario = scenarioText(
      name: name, trace: URL(fileURLWithPath: trace).standardizedFileURL.path, format: format,
      nodes: nodeFile ?? "", synthesized: synthesizedText != nil, models: models, jobs: jobs)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      if let synthesizedText, let nodeFile {
        try synthesizedText.write(toFile: nodeFile, atomically: true, encoding: .utf8)
      }
      try scenario.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
    } catch {
      throw .cannotWrite(path: directory.path, reason: error.localizedDescription)
    }
    return Written(
      scenario: scenarioPath, nodes: synthesizedText == nil ? nil : nodeFile, items: jobs.count, models: models)
  }

  /// A cluster for a trace without a node list: per GPU model (an item's first allowed
  /// model, else ``synthesizedDefaultModel``), enough ``synthesizedNode``s for the peak of
  /// the GPUs, CPU and memory its items hold at once as recorded (CPU-only items counted
  /// on the default model), and at least one node per model.
  static func synthesizeCluster(for jobs: [TraceJob]) -> [TraceNode] {
    var models: [String] = []
    var changes: [String: [(time: Double, gpuMilli: Int64, cpuMilli: Int64, memoryMiB: Int64)]] = [:]
    for job in jobs {
      let model = job.gpuCount > 0 ? (job.gpuTypes.first ?? synthesizedDefaultModel) : synthesizedDefaultModel
      if changes[model] == nil { models.append(model) }
      guard let duration = job.durationSeconds else {
        changes[model, default: []].append((0, 0, 0, 0))
        continue
      }
      let start = job.submitSeconds + (job.recordedWaitSeconds ?? 0)
      let workers = Int64(max(1, job.gangSize))
      let gpu = Int64(job.gpuMilliTotal) * workers
      changes[model, default: []].append((start, gpu, job.cpuMilli * workers, job.memoryMiB * workers))
      changes[model, default: []].append((start + duration, -gpu, -job.cpuMilli * workers, -job.memoryMiB * workers))
    }
    var nodes: [TraceNode] = []
    let shape = synthesizedNode
    for model in models {
      // Ends before starts at the same instant, so back-to-back items do not overlap.
      let ordered = (changes[model] ?? []).sorted { ($0.time, $0.gpuMilli) < ($1.time, $1.gpuMilli) }
      var (gpu, cpu, memory) = (Int64(0), Int64(0), Int64(0))
      var (peakGPU, peakCPU, peakMemory) = (Int64(0), Int64(0), Int64(0))
      for change in ordered {
        gpu += change.gpuMilli
        cpu += change.cpuMilli
        memory += change.memoryMiB
        peakGPU = max(peakGPU, gpu)
        peakCPU = max(peakCPU, cpu)
        peakMemory = max(peakMemory, memory)
      }
      let count = max(
        1, Int(ceilDivide(peakGPU, Int64(shape.gpus) * 1000)), Int(ceilDivide(peakCPU, shape.cpuMilli)),
        Int(ceilDivide(peakMemory, shape.memoryMiB)))
      for index in 0..<count {
        nodes.append(
          TraceNode(
            name: "synth-\(model)-\(index)", line: nodes.count + 2, cpuMilli: shape.cpuMilli,
            memoryMiB: shape.memoryMiB, gpus: shape.gpus, model: model))
      }
    }
    return nodes
  }

  static func ceilDivide(_ value: Int64, _ divisor: Int64) -> Int64 { (value + divisor - 1) / divisor }

  static func nodeListCSV(_ nodes: [TraceNode]) -> String {
    (["sn,cpu_milli,memory_mib,gpu,model"]
      + nodes.map { "\($0.name),\($0.cpuMilli),\($0.memoryMiB),\($0.gpus),\($0.model ?? "")" })
      .joined(separator: "\n") + "\n"
  }

  /// The window: the last recorded end (or withdrawal) plus a week for items that wait
  /// longer here than they did in the trace, in whole days.
  static func windowDays(_ jobs: [TraceJob]) -> Int {
    var last = 0.0
    for job in jobs {
      let end = job.submitSeconds + (job.recordedWaitSeconds ?? 0) + (job.durationSeconds ?? 0)
      last = max(last, end, job.withdrawnSeconds ?? 0)
    }
    return Int((last / 86_400).rounded(.up)) + 7
  }

  static func scenarioText(
    name: String, trace: String, format: TraceFormat, nodes: String, synthesized: Bool, models: [String],
    jobs: [TraceJob]
  ) -> String {
    var pools: [String] = []
    for model in models {
      if let pool = TraceGPUMapping.pool(of: model) {
        pools.append(
          "      - {model: \(model), instanceType: \(pool.instanceType), pricePerGPUHour: \(pool.pricePerGPUHour ?? 0)}"
        )
      } else {
        pools.append(
          "      - {model: \(model), instanceType: unmapped-\(model)}   # no default mapping: set instanceType and "
            + "pricePerGPUHour")
      }
    }
    let clusterNote =
      synthesized
      ? "# The trace has no node list: its cluster is synthesized (8-GPU nodes shaped like p3dn.24xlarge,\n"
        + "# enough for the recorded peak per GPU model; docs/TRACES.md)."
      : "# The cluster is the trace's own node list."
    return """
      # yaml-language-server: $schema=https://platformsim.dev/scenario.schema.json
      #
      # Replays \(URL(fileURLWithPath: trace).lastPathComponent) (\(jobs.count) items, format \(format.rawValue)),
      # written by `platformsim init --from-trace`. \(clusterNote.replacingOccurrences(of: "\n", with: "\n      "))
      # Results: trace_items (one row per item, under its trace name), trace_allocation and
      # cost_allocations (docs/SCHEMA.md). Pools map GPU models to instance types and prices.
      apiVersion: platformsim.dev/v1alpha1
      kind: Scenario
      metadata:
        name: \(name)
        description: Replay of \(URL(fileURLWithPath: trace).lastPathComponent) on its own cluster.
      spec:
        simulation:
          start: 2026-01-05T00:00:00Z
          duration: \(windowDays(jobs))d
          seed: 1
        replay:
          trace: \(yamlQuoted(trace))
          format: \(format.rawValue)
          nodes: \(yamlQuoted(nodes))
          mode: exact              # time-scaled (with rateFactor), bootstrap-days, bootstrap-jobs, fill (fillRatio)
          scoring: kube-default    # best-fit, fgd, first-fit
          sampleInterval: 1h
          pools:
      \(pools.joined(separator: "\n"))

      """
  }

  static func yamlQuoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}
