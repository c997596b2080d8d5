import Foundation
import InputReading
import PlatformModel
import Scenario
import SimKernel

/// Trace replay (docs/TRACES.md): trace items per wall-clock second, reading included.
///
/// `trace-replay-openb` replays the openb default trace (8,152 pods over 149 days) on its
/// 1,213 GPU nodes, from ../shared/traces (`PLATFORMSIM_TRACES` overrides; skipped when
/// absent); target < 5 s. `trace-replay-1m` replays a synthetic 1,000,000-job trace in
/// the generic CSV format on 5,000 8-GPU nodes; targets < 60 s and < 4 GiB (peak RSS of
/// the process, in the notes: run it alone with `--filter trace-replay-1m`), with
/// first-fit scoring (kube-default scores every candidate node of every placement).
/// Each repetition parses the text, builds the items and replays them, as
/// `platformsim run` does for `spec.replay` (rows not written).
enum TraceReplayBenchmark {
  static func openb(repetitions: Int) -> BenchmarkResult? {
    let environment = ProcessInfo.processInfo.environment["PLATFORMSIM_TRACES"]
    let candidates = [environment, "../shared/traces", "../../shared/traces"].compactMap { $0 }
    guard
      let directory = candidates.first(where: {
        FileManager.default.fileExists(atPath: "\($0)/alibaba-gpu-2023/openb_pod_list_default.csv")
      })
    else {
      progress("trace-replay-openb: ../shared/traces/alibaba-gpu-2023 is absent; skipped")
      return nil
    }
    let pods = "\(directory)/alibaba-gpu-2023/openb_pod_list_default.csv"
    let nodes = "\(directory)/alibaba-gpu-2023/openb_node_list_gpu_node.csv"
    guard let podText = try? String(contentsOfFile: pods, encoding: .utf8),
      let nodeText = try? String(contentsOfFile: nodes, encoding: .utf8)
    else { return nil }
    return measure(
      name: "trace-replay-openb", title: "Trace replay: openb default (8,152 pods, 149 d, 1,213 nodes)",
      targetSeconds: 5, repetitions: repetitions, podText: podText, nodeText: nodeText, format: .alibabaGPU2023,
      scoring: .kubeDefault)
  }

  static func synthetic(jobs: Int, nodes: Int, repetitions: Int) -> BenchmarkResult {
    let (jobText, nodeText) = syntheticTrace(jobs: jobs, nodes: nodes)
    return measure(
      name: "trace-replay-1m", title: "Trace replay: synthetic generic (\(jobs) jobs, \(nodes) nodes, first-fit)",
      targetSeconds: 60 * Double(jobs) / 1_000_000, repetitions: repetitions, podText: jobText, nodeText: nodeText,
      format: .generic, scoring: .firstFit)
  }

  static func measure(
    name: String, title: String, targetSeconds: Double, repetitions: Int, podText: String, nodeText: String,
    format: TraceFormat, scoring: GPUNodeScoring
  ) -> BenchmarkResult {
    var rates: [Double] = []
    var walls: [Double] = []
    var notes: [String] = []
    var itemCount = 0
    for _ in 0..<repetitions {
      var completed = 0
      let seconds = measureSeconds {
        let log = DiagnosticLog()
        let jobs = TraceReader.readJobs(podText, file: name, format: format, log: log)
        let nodeList = TraceReader.readOpenbNodes(nodeText, file: name, log: log)
        let result = TraceReplay.run(
          items: TraceImport.items(jobs), nodes: TraceImport.nodes(nodeList),
          configuration: ReplayConfiguration(trace: name, scoring: scoring))
        itemCount = jobs.count
        completed = result.outcomes.filter { $0.status == .completed }.count
      }
      walls.append(seconds)
      rates.append(Double(itemCount) / seconds)
      if notes.isEmpty { notes.append("\(itemCount) items, \(completed) completed") }
    }
    notes.append("wall seconds per repetition: " + walls.map { String(format: "%.2f", $0) }.joined(separator: ", "))
    notes.append(String(format: "peak RSS of the process: %.2f GiB", peakResidentGiB()))
    return BenchmarkResult(
      name: name, title: title, unit: "items/s", oursSamples: rates, peerName: nil, peerSamples: [],
      target: .rateAtLeast(Double(itemCount) / targetSeconds), notes: notes)
  }

  /// A generic CSV trace shaped like openb (every row valid: CPU-only rows leave
  /// `gpu_milli` empty): ~15 % CPU-only, ~38 % shared GPUs (100–900
  /// milli), the rest 1 GPU with a few 2-, 4- and 8-GPU jobs; exponential run times
  /// (mean 30 min) and Poisson arrivals at a rate that keeps the GPUs about 70 % allocated.
  static func syntheticTrace(jobs: Int, nodes: Int) -> (jobs: String, nodes: String) {
    var stream = RandomSeed(root: 16).stream("bench/trace")
    let meanGPUs = 0.6
    let meanSeconds = 1_800.0
    let arrivalsPerSecond = 0.7 * Double(nodes * 8) / (meanGPUs * meanSeconds)
    var lines = ["job_id,submit_time,duration,cpu_milli,memory_mib,gpus,gpu_milli,team"]
    lines.reserveCapacity(jobs + 1)
    var time = 0.0
    for index in 0..<jobs {
      time += stream.exponential(mean: 1 / arrivalsPerSecond)
      let duration = max(1, stream.exponential(mean: meanSeconds).rounded())
      let kind = stream.nextUnit()
      let (gpus, milli): (Int, Int) =
        kind < 0.15
        ? (0, 0)
        : kind < 0.53
          ? (1, 100 * (1 + stream.nextInt(below: 9)))
          : kind < 0.98 ? (1, 1000) : (1 << (1 + stream.nextInt(below: 3)), 1000)
      lines.append(
        "j\(index),\(Int(time)),\(Int(duration)),\(1000 * (1 + stream.nextInt(below: 8))),"
          + "\(4096 * (1 + stream.nextInt(below: 8))),\(gpus),\(gpus == 0 ? "" : String(milli)),team-\(index % 20)")
    }
    var nodeLines = ["sn,cpu_milli,memory_mib,gpu,model"]
    for index in 0..<nodes { nodeLines.append("n\(index),96000,786432,8,\(index % 2 == 0 ? "V100M32" : "T4")") }
    return (lines.joined(separator: "\n") + "\n", nodeLines.joined(separator: "\n") + "\n")
  }

  /// The process's peak resident set (`VmHWM` of /proc/self/status, Linux); 0 elsewhere.
  static func peakResidentGiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return kibibytes / 1_048_576
  }
}
