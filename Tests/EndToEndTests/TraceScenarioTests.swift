import Foundation
import ResultStore
import Testing

/// `init --from-trace` then `run`: a trace replayed inside a scenario run, its rows in the
/// results database (docs/TRACES.md, "Replay in a scenario").
@Suite("Trace replay scenarios", .serialized)
struct TraceScenarioTests {
  static let openbPods = """
    name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
    pod-a,4000,16384,1,1000,,LS,Succeeded,0,3600,5
    pod-b,2000,8192,1,500,,LS,Running,10,7210,12
    pod-c,2000,8192,1,500,T4,BE,Failed,20,1820,20
    pod-d,8000,32768,2,1000,G2,LS,Succeeded,30,630,40
    pod-e,1000,1024,0,0,,BE,Succeeded,40,100,40
    pod-f,4000,8192,1,1000,,LS,Pending,50,900,

    """
  static let openbNodes = "sn,cpu_milli,memory_mib,gpu,model\nn-t4,16000,65536,2,T4\nn-g2,32000,131072,4,G2\n"

  static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// `(name, run seconds, outcome, node model, team, cost)` of every `trace_items` row, in trace order.
  static func items(_ database: String) throws -> [(String, Double?, String, String?, String?, Double?)] {
    try SQLiteDatabase(path: database).query(
      "SELECT name, run_seconds, outcome, gpu_model, team, cost_usd FROM trace_items ORDER BY rowid"
    ).map {
      (
        $0[0].stringValue ?? "", $0[1].doubleValue, $0[2].stringValue ?? "", $0[3].stringValue,
        $0[4].stringValue, $0[5].doubleValue
      )
    }
  }

  @Test("init --from-trace writes a scenario that run replays: each pod keeps its name and run time")
  func openbInitThenRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let pods = try Self.write(Self.openbPods, "openb_pod_list_tiny.csv", in: directory)
    let nodes = try Self.write(Self.openbNodes, "openb_node_list_tiny.csv", in: directory)
    let output = directory.appendingPathComponent("scenario")
    let initialised = try PlatformSimProcess.run([
      "init", "--from-trace", pods, "--trace-format", "alibaba-gpu-2023", "--nodes", nodes, "--output", output.path,
      "--name", "tiny",
    ])
    #expect(initialised.status == 0, "\(initialised.standardError)")
    let scenario = output.appendingPathComponent("tiny.yaml").path
    let text = try String(contentsOfFile: scenario, encoding: .utf8)
    // T4 has a default pool; the anonymised G2 is written unmapped, for the user to price.
    #expect(text.contains("{model: T4, instanceType: g4dn.xlarge, pricePerGPUHour: 0.526}"), "\(text)")
    #expect(text.contains("{model: G2, instanceType: unmapped-G2}"), "\(text)")
    let validated = try PlatformSimProcess.run(["validate", scenario])
    #expect(validated.status == 0, "\(validated.standardError)")
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardError)")
    let rows = try Self.items(database)
    // Names in trace order; run times are deletion − scheduled; the never-scheduled pod is withdrawn.
    #expect(rows.map(\.0) == ["pod-a", "pod-b", "pod-c", "pod-d", "pod-e", "pod-f"])
    #expect(rows.map(\.1) == [3595, 7198, 1800, 590, 60, nil])
    #expect(rows.map(\.2) == ["completed", "completed", "completed", "completed", "completed", "withdrawn"])
    #expect(rows[3].3 == "G2" && rows[2].3 == "T4")
    // Costs: GPU-hours × the pool's price; the unpriced G2 pool's are NULL.
    #expect(rows[2].5.map { abs($0 - 0.5 * 0.5 * 0.526) < 1e-9 } == true, "\(rows[2])")
    #expect(rows[3].5 == nil)
    let database2 = try SQLiteDatabase(path: database)
    #expect(try database2.scalar("SELECT status FROM runs")?.stringValue == "completed")
    #expect(try database2.scalar("SELECT COUNT(*) FROM trace_allocation")?.intValue ?? 0 > 0)
    // The T4 pool's cost is split into workloads (no team in openb: `unknown`) and idle.
    let costs = try database2.query(
      "SELECT allocation, pool, instance_type, total_cost_usd FROM cost_allocations ORDER BY rowid")
    #expect(costs.map { $0[0].stringValue ?? "" } == ["workload", "__idle__"], "\(costs)")
    #expect(costs.allSatisfy { $0[1].stringValue == "gpu-T4" && $0[2].stringValue == "g4dn.xlarge" })
  }

  @Test("A generic trace without a node list gets a synthesized cluster; teams and cost centres attribute cost")
  func genericSynthesizedCluster() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let jobs = try Self.write(
      """
      job_id,submit_time,duration,cpu_milli,memory_mib,gpus,gpu_milli,gpu_type,team,gang_size
      j1,0,3600,8000,32768,4,1000,V100M16,u1,2
      j2,60,1800,2000,4096,1,250,,u2,1
      j3,120,600,2000,4096,1,1000,,u2,1

      """, "jobs.csv", in: directory)
    let initialised = try PlatformSimProcess.run(["init", "--from-trace", jobs, "--output", directory.path])
    #expect(initialised.status == 0, "\(initialised.standardError)")
    let nodeList = try String(
      contentsOf: directory.appendingPathComponent("trace-replay-nodes.csv"), encoding: .utf8)
    // j1's gang holds 8 V100M16 at its peak: one 8-GPU node; j2 and j3 fit one default node.
    #expect(
      nodeList
        == "sn,cpu_milli,memory_mib,gpu,model\nsynth-V100M16-0,96000,786432,8,V100M16\n"
        + "synth-V100M32-0,96000,786432,8,V100M32\n")
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run([
      "run", directory.appendingPathComponent("trace-replay.yaml").path, "--db", database, "--quiet",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let rows = try Self.items(database)
    #expect(rows.map(\.0) == ["j1", "j2", "j3"])
    #expect(rows.map(\.1) == [3600, 1800, 600])
    #expect(rows.map(\.4) == ["u1", "u2", "u2"])
    let costs = try SQLiteDatabase(path: database).query(
      "SELECT team, pool, total_cost_usd FROM cost_allocations WHERE allocation = 'workload' ORDER BY rowid")
    // u1: 2 workers × 4 GPUs × 1 h × 3.06; u2: (0.25 × 0.5 h + 1 × 1/6 h) × 3.9015.
    #expect(costs.count == 2)
    #expect(costs[0][0].stringValue == "u1" && abs((costs[0][2].doubleValue ?? 0) - 8 * 3.06) < 1e-4)
    #expect(
      costs[1][0].stringValue == "u2" && abs((costs[1][2].doubleValue ?? 0) - (0.125 + 1.0 / 6) * 3.9015) < 1e-4)
  }

  @Test("PAI 2020 task tables init and run on a synthesized cluster")
  func paiInitThenRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let tasks = try Self.write(
      """
      job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type
      j1,worker,2,Terminated,1583000000,1583003600,600,29.296875,50,T4
      j2,worker,1,Terminated,1583000100,1583000700,600,29.0,100,V100

      """, "pai_task_table.csv", in: directory)
    let initialised = try PlatformSimProcess.run([
      "init", "--from-trace", tasks, "--trace-format", "pai-2020", "--output", directory.path, "--name", "pai",
    ])
    #expect(initialised.status == 0, "\(initialised.standardError)")
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run([
      "run", directory.appendingPathComponent("pai.yaml").path, "--db", database, "--quiet",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let rows = try Self.items(database)
    #expect(rows.count == 2 && rows.allSatisfy { $0.2 == "completed" }, "\(rows)")
    #expect(rows.map(\.1) == [3600, 600])
  }

  @Test("A Philly job log (recognised by its shape) inits and runs on a synthesized cluster")
  func phillyInitThenRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let log = PlatformSimProcess.repositoryRoot.appendingPathComponent(
      "Tests/InputReadingTests/Fixtures/traces/philly_cluster_job_log.json")
    let initialised = try PlatformSimProcess.run([
      "init", "--from-trace", log.path, "--output", directory.path, "--name", "philly",
    ])
    #expect(initialised.status == 0, "\(initialised.standardError)")
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run([
      "run", directory.appendingPathComponent("philly.yaml").path, "--db", database, "--quiet",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    let rows = try Self.items(database)
    #expect(rows.map(\.0) == ["application_1_0001", "application_1_0002", "application_1_0003"])
    #expect(rows.map(\.1) == [3600, 1800, nil])
    #expect(rows.map(\.2) == ["completed", "completed", "withdrawn"])
  }

  @Test("Bad replay sections: located errors, unknown GPU models name the key, too-large traces are refused, exit 2")
  func badReplaySections() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    _ = try Self.write(Self.openbPods, "pods.csv", in: directory)
    _ = try Self.write(Self.openbNodes, "nodes.csv", in: directory)
    func scenario(_ replay: String, limits: String = "") throws -> String {
      try Self.write(
        """
        apiVersion: platformsim.dev/v1alpha1
        kind: Scenario
        metadata: {name: bad}
        spec:
          simulation: {start: 2026-01-05T00:00:00Z, duration: 2d}
        \(limits)
          replay:
        \(replay)

        """, "bad.yaml", in: directory)
    }
    // G2 has no default pool.
    let unmapped = try PlatformSimProcess.run([
      "validate", try scenario("    trace: pods.csv\n    nodes: nodes.csv"),
    ])
    #expect(unmapped.status == 2)
    #expect(unmapped.standardError.contains("GPU model `G2` of the node list has no pool"), "\(unmapped.standardError)")
    #expect(unmapped.standardError.contains("spec.replay.pools"), "\(unmapped.standardError)")
    // A missing trace file.
    let missing = try PlatformSimProcess.run([
      "validate", try scenario("    trace: nowhere.csv\n    nodes: nodes.csv"),
    ])
    #expect(missing.status == 2)
    #expect(missing.standardError.contains("the file `nowhere.csv` does not exist"), "\(missing.standardError)")
    // Larger than the memory limit: refused before reading, naming the limit.
    let large = try PlatformSimProcess.run([
      "run",
      try scenario(
        "    trace: pods.csv\n    nodes: nodes.csv\n    pools: [{model: G2, instanceType: x}]",
        limits: "  limits: {maxMemoryGiB: 0.000001}"),
      "--db", directory.appendingPathComponent("never.sqlite").path,
    ])
    #expect(large.status == 2)
    #expect(large.standardError.contains("above the run's memory limit"), "\(large.standardError)")
    #expect(large.standardError.contains("spec.limits.maxMemoryGiB"), "\(large.standardError)")
    // A bad row of the trace is located in the trace file.
    _ = try Self.write(Self.openbPods + "pod-z,1,1,1,xyz,,LS,Running,1,2,1\n", "pods.csv", in: directory)
    let badRow = try PlatformSimProcess.run([
      "validate", try scenario("    trace: pods.csv\n    nodes: nodes.csv\n    pools: [{model: G2, instanceType: x}]"),
    ])
    #expect(badRow.status == 2)
    #expect(badRow.standardError.contains("pods.csv:8:"), "\(badRow.standardError)")
  }

  /// The openb pod lists present: the default and its published variants (multi-GPU,
  /// GPU-sharing, GPU-type samples) in the same format.
  static var openbPodLists: [URL] {
    guard let folder = SharedTraces.file("alibaba-gpu-2023"),
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
    else { return [] }
    return names.filter { $0.hasPrefix("openb_pod_list_") && $0.hasSuffix(".csv") }.sorted()
      .map { folder.appendingPathComponent($0) }
  }

  @Test(
    "openb default trace and variants: init --from-trace and run keep every pod's name and run time",
    .enabled(if: SharedTraces.hasOpenb, "../shared/traces/alibaba-gpu-2023 is absent: skipped"))
  func openbPublishedLists() throws {
    guard let nodes = SharedTraces.file("alibaba-gpu-2023/openb_node_list_gpu_node.csv") else { return }
    for pods in Self.openbPodLists {
      let name = pods.deletingPathExtension().lastPathComponent.replacingOccurrences(of: "_", with: "-")
      let directory = PlatformSimProcess.scratchDirectory(name)
      let initialised = try PlatformSimProcess.run([
        "init", "--from-trace", pods.path, "--trace-format", "alibaba-gpu-2023", "--nodes", nodes.path, "--output",
        directory.path, "--name", name,
      ])
      #expect(initialised.status == 0, "\(name): \(initialised.standardError)")
      // The anonymised G2 and G3 models need a pool: price them as T4s here.
      let scenario = directory.appendingPathComponent("\(name).yaml").path
      var text = try String(contentsOfFile: scenario, encoding: .utf8)
      for model in ["G2", "G3"] {
        text = text.replacingOccurrences(
          of: "{model: \(model), instanceType: unmapped-\(model)}",
          with: "{model: \(model), instanceType: g4dn.xlarge, pricePerGPUHour: 0.526}")
      }
      try text.write(toFile: scenario, atomically: true, encoding: .utf8)
      let database = directory.appendingPathComponent("runs.sqlite").path
      let run = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
      #expect(run.status == 0, "\(name): \(run.standardError)")
      let rows = try Self.items(database)
      let podList = try String(contentsOf: pods, encoding: .utf8)
      if !podList.prefix(while: { $0 != "\n" }).contains("creation_time") {
        // A workload list (the multigpu samples): every pod at time 0 in file order,
        // placed while there is room and held to the end, as the FGD paper's simulator runs it.
        let names = podList.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
        #expect(rows.map(\.0) == names, "\(name)")
        #expect(rows.allSatisfy { $0.2 == "running" || $0.2 == "pending" }, "\(name)")
        #expect(rows.contains { $0.2 == "running" }, "\(name)")
        continue
      }
      let raw = try TraceReplayCommandTests.rawOpenb(pods)
      // Rows in submission order: the file's, stably sorted by creation time (the
      // published cpu and gpushare samples are not sorted).
      let submissionOrder = raw.indices.sorted { (raw[$0].created, $0) < (raw[$1].created, $1) }
      #expect(rows.map(\.0) == submissionOrder.map { raw[$0].name }, "\(name)")
      // Every pod that completed here ran for exactly its recorded time; pods the trace
      // never scheduled never ran.
      let recorded = Dictionary(raw.map { ($0.name, $0.run) }, uniquingKeysWith: { first, _ in first })
      let completed = rows.filter { $0.2 == "completed" }
      #expect(completed.filter { row in row.1.map { Int64($0) } != recorded[row.0] ?? nil }.isEmpty, "\(name)")
      #expect(rows.filter { recorded[$0.0] ?? nil == nil }.allSatisfy { $0.1 == nil && $0.2 == "withdrawn" }, "\(name)")
      // Every pod the trace ran ran here too, except where the gpuspec samples' GPU-type
      // constraints (drawn by the publishers) name a model no node of which can hold the
      // pod (1–2 pods per file: 8 GPUs and 120 CPUs on G2 nodes of 96; docs/VALIDATION.md):
      // those are `unschedulable`, never left waiting.
      let notRun = rows.filter { recorded[$0.0] ?? nil != nil && $0.2 != "completed" }
      if name.contains("gpuspec") {
        #expect(notRun.allSatisfy { $0.2 == "unschedulable" } && notRun.count <= 2, "\(name): \(notRun)")
      } else {
        #expect(notRun.isEmpty, "\(name): \(notRun)")
      }
    }
  }
}
