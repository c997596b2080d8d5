import Foundation
import InputReading
import PlatformModel
import Scenario
import SimKernel
import Testing

/// The public traces (../shared/traces), when this machine has them: tests that need them
/// are skipped with a message when they are absent (a user's clone has no ../shared).
enum SharedTraces {
  static let directory: URL? = {
    let root = PlatformSimProcess.repositoryRoot
    let candidates =
      [ProcessInfo.processInfo.environment["PLATFORMSIM_TRACES"]].compactMap { $0 }.map(URL.init(fileURLWithPath:))
      + [
        root.appendingPathComponent("../shared/traces"), root.appendingPathComponent("../../shared/traces"),
      ]
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("README.md").path) }
  }()

  static func file(_ path: String) -> URL? {
    directory.map { $0.appendingPathComponent(path) }.flatMap {
      FileManager.default.fileExists(atPath: $0.path) ? $0 : nil
    }
  }

  static var hasOpenb: Bool { file("alibaba-gpu-2023/openb_pod_list_default.csv") != nil }
}

@Suite("platformsim replay", .serialized)
struct TraceReplayCommandTests {
  static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("A generic trace replays with shared GPUs, team mapping and cost per team")
  func genericReplay() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let jobs = try Self.write(
      """
      job_id,submit_time,duration,cpu_milli,memory_mib,gpus,gpu_milli,gpu_type,team
      a,0,3600,1000,1024,1,500,,u1
      b,0,3600,1000,1024,1,500,,u2
      c,0,3600,1000,1024,1,1000,T4,u2
      d,10,3600,1000,1024,1,1000,A100,u1

      """, "jobs.csv", in: directory)
    let nodes = try Self.write(
      "sn,cpu_milli,memory_mib,gpu,model\nn0,8000,65536,1,T4\nn1,8000,65536,1,V100M32\n", "nodes.csv", in: directory)
    let teams = try Self.write("trace_team,team\nu1,search\nu2,fraud\n", "teams.csv", in: directory)
    let output = directory.appendingPathComponent("out")
    let result = try PlatformSimProcess.run([
      "replay", jobs, "--nodes", nodes, "--team-map", teams, "--gpu-price", "T4=0.5", "--gpu-price", "V100M32=2",
      "--scoring", "best-fit", "--output", output.path,
    ])
    #expect(result.status == 0, "\(result.standardError)")
    let items = try String(contentsOf: output.appendingPathComponent("items.csv"), encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    // Columns: trace, name, team, submitted, started, finished, …, node (9), status (17), cost (19).
    #expect(
      items.dropFirst().map { [$0[1], $0[2], $0[4], $0[9], $0[17], $0[19]] } == [
        ["a", "search", "0", "n0", "completed", "0.25"],
        ["b", "fraud", "0", "n0", "completed", "0.25"],
        ["c", "fraud", "3600", "n0", "completed", "0.5"],
        ["d", "search", "", "", "unschedulable", ""],
      ])
    #expect(result.standardOutput.contains("team fraud: 1.5 GPU-hours, USD 0.75"), "\(result.standardOutput)")
    #expect(result.standardOutput.contains("team search: 0.5 GPU-hours, USD 0.25"), "\(result.standardOutput)")
  }

  @Test("Bad rows are located by file, line and column; a missing file exits 2")
  func badInput() throws {
    let fixtures = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/InputReadingTests/Fixtures/traces")
    let bad = try PlatformSimProcess.run([
      "replay", fixtures.appendingPathComponent("openb_pod_list_sample.csv").path, "--nodes",
      fixtures.appendingPathComponent("openb_node_list_sample.csv").path, "--output",
      PlatformSimProcess.scratchDirectory().path,
    ])
    #expect(bad.status == 2)
    #expect(bad.standardError.contains("openb_pod_list_sample.csv:6:19: error: gpu_milli: found `abc`"))
    #expect(
      bad.standardError.contains("openb_node_list_sample.csv:6:8: error: cpu_milli: found `-1`"), "\(bad.standardError)"
    )
    let missing = try PlatformSimProcess.run(["replay", "/nonexistent/pods.csv", "--nodes", "/nonexistent/n.csv"])
    #expect(missing.status == 2)
    #expect(missing.standardError.contains("/nonexistent/pods.csv: error: no such file"), "\(missing.standardError)")
  }

  @Test("validate recognises trace tables by their header and reports their bad rows")
  func validate() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let good = try Self.write("job_id,submit_time,duration\na,0,60\n", "jobs.csv", in: directory)
    let nodes = try Self.write("sn,cpu_milli,memory_mib,gpu,model\nn0,8000,65536,1,T4\n", "nodes.csv", in: directory)
    let ok = try PlatformSimProcess.run(["validate", good, nodes])
    #expect(ok.status == 0, "\(ok.standardError)")
    #expect(ok.standardOutput.contains("generic trace (1 records)"), "\(ok.standardOutput)")
    #expect(ok.standardOutput.contains("node list (1 nodes)"), "\(ok.standardOutput)")
    let fixtures = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/InputReadingTests/Fixtures/traces")
    let bad = try PlatformSimProcess.run(["validate", fixtures.appendingPathComponent("generic_jobs.csv").path])
    #expect(bad.status == 2)
    #expect(bad.standardError.contains("generic_jobs.csv:6:26: error: gpu_milli"), "\(bad.standardError)")
  }

  /// The trace's creation times and run times, read independently of the reader.
  static func rawOpenb(_ url: URL) throws -> [(name: String, created: Int64, run: Int64?)] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
    return lines.map { line in
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let scheduled = Int64(cells[10])
      return (cells[0], Int64(cells[8]) ?? -1, scheduled.map { (Int64(cells[9]) ?? 0) - $0 })
    }
  }

  @Test(
    "openb default trace on its own GPU nodes: arrivals per day and every pod's run time exact",
    .enabled(if: SharedTraces.hasOpenb, "../shared/traces/alibaba-gpu-2023 is absent: skipped"))
  func openbValidation() throws {
    guard let pods = SharedTraces.file("alibaba-gpu-2023/openb_pod_list_default.csv"),
      let nodes = SharedTraces.file("alibaba-gpu-2023/openb_node_list_gpu_node.csv")
    else { return }
    let log = DiagnosticLog()
    let jobs = TraceReader.readOpenbPods(try String(contentsOf: pods, encoding: .utf8), file: pods.path, log: log)
    let nodeList = TraceReader.readOpenbNodes(
      try String(contentsOf: nodes, encoding: .utf8), file: nodes.path, log: log)
    #expect(log.diagnostics.isEmpty)
    #expect(jobs.count == 8152 && nodeList.count == 1213 && nodeList.reduce(0) { $0 + $1.gpus } == 6212)
    let result = TraceReplay.run(
      items: TraceImport.items(jobs), nodes: TraceImport.nodes(nodeList),
      configuration: ReplayConfiguration(trace: "openb_pod_list_default"))
    let raw = try Self.rawOpenb(pods)
    // Arrivals per day, exactly the trace's.
    func perDay(_ seconds: [Int64]) -> [Int64: Int] { Dictionary(grouping: seconds) { $0 / 86_400 }.mapValues(\.count) }
    #expect(
      perDay(result.outcomes.map { ($0.submitted - SimTime.zero).microseconds / 1_000_000 })
        == perDay(raw.map(\.created)))
    // Every pod the trace ran ran here, for exactly its recorded time; never-scheduled pods never ran.
    #expect(result.outcomes.map(\.name) == raw.map(\.name))
    var mismatches = 0
    for (outcome, pod) in zip(result.outcomes, raw) {
      if let run = pod.run {
        let replayed = outcome.finished.flatMap { end in outcome.started.map { (end - $0).microseconds } }
        if replayed != run * 1_000_000 { mismatches += 1 }
      } else if outcome.started != nil || outcome.status != .withdrawn {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
    #expect(result.outcomes.filter { $0.status == .withdrawn }.count == 897)
    let waits = result.outcomes.compactMap { $0.wait?.seconds }.sorted()
    let median = waits[waits.count / 2]
    print("openb replay: \(waits.count) pods ran; wait median \(median) s, p90 \(waits[waits.count * 9 / 10]) s")
  }
}
