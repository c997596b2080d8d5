import Foundation
import InputReading
import Testing

/// The trace readers on hand-written fixtures in each format (Fixtures/traces/).
@Suite("Trace readers")
struct TraceReaderTests {
  static let fixtures = TableReaderTests.fixtures.appendingPathComponent("traces")

  static func text(_ name: String) throws -> String {
    try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
  }

  @Test("openb pods: run time is deletion − scheduled, phases kept, every bad row located by column")
  func openbPods() throws {
    let log = DiagnosticLog()
    let file = "openb_pod_list_sample.csv"
    let jobs = TraceReader.readOpenbPods(try Self.text(file), file: file, log: log)
    #expect(jobs.map(\.name) == ["pod-a", "pod-b", "pod-c", "pod-d"])
    #expect(jobs.map(\.durationSeconds) == [1000, 598, 60, nil])
    #expect(jobs.map(\.recordedWaitSeconds) == [0, 2, 0, nil])
    #expect(jobs.map(\.phase) == [.running, .succeeded, .failed, .pending])
    #expect(jobs[1].gpuTypes == ["V100M16", "V100M32"])
    #expect(jobs[1].gpuMilli == 460 && jobs[1].gpuCount == 1)
    #expect(jobs[3].withdrawnSeconds == 90 && jobs[3].gpuMilliTotal == 8000)
    #expect(
      log.diagnostics.map(\.rendered) == [
        "openb_pod_list_sample.csv:6:19: error: gpu_milli: found `abc`, expected an integer from 0 to 1000",
        "openb_pod_list_sample.csv:7:19: error: gpu_milli: found `500` with `num_gpu` 2; "
          + "only a single-GPU pod shares its GPU; use 1000",
        "openb_pod_list_sample.csv:8:38: error: deletion_time: deletion at 50 s is before creation at 60 s",
        "openb_pod_list_sample.csv:8:41: error: scheduled_time: scheduled at 60 s, "
          + "outside creation 60 s … deletion 50 s",
        "openb_pod_list_sample.csv:9:27: error: pod_phase: a `Running` pod has no `scheduled_time`; "
          + "only `Pending` pods were never scheduled",
        "openb_pod_list_sample.csv:10:27: error: pod_phase: found `Runing`, expected one of `Running`, `Succeeded`, "
          + "`Failed`, `Pending`; did you mean `Running`?",
      ])
  }

  @Test("openb workload list (no times, as the published multigpu samples): all at 0, held to the end")
  func openbWorkloadList() throws {
    let log = DiagnosticLog()
    let file = "openb_pod_list_workload.csv"
    let text = try Self.text(file)
    #expect(TraceFormat.recognising(header: String(text.prefix { $0 != "\n" })) == .alibabaGPU2023)
    let jobs = TraceReader.readOpenbPods(text, file: file, log: log)
    #expect(jobs.map(\.name) == ["pod-w1", "pod-w2", "pod-w3", "pod-w4"])
    #expect(jobs.allSatisfy { $0.submitSeconds == 0 && $0.durationSeconds == nil && $0.holdsUntilEnd })
    #expect(jobs.map(\.gpuMilliTotal) == [1000, 460, 8000, 0])
    #expect(
      log.diagnostics.map(\.rendered) == [
        "openb_pod_list_workload.csv:6:20: error: gpu_milli: found `300` with `num_gpu` 2; "
          + "only a single-GPU pod shares its GPU; use 1000"
      ])
    // A list with some of the time columns is a timed list missing the others.
    let partial = DiagnosticLog()
    _ = TraceReader.readOpenbPods(
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\np,1000,1024,0,0,5\n", file: "p.csv", log: partial)
    #expect(partial.diagnostics.map(\.message).contains { $0.hasPrefix("missing required column `deletion_time`") })
    #expect(partial.diagnostics.map(\.message).contains { $0.hasPrefix("missing required column `pod_phase`") })
  }

  @Test("openb nodes: a GPU node must name its model; bad capacities located")
  func openbNodes() throws {
    let log = DiagnosticLog()
    let file = "openb_node_list_sample.csv"
    let nodes = TraceReader.readOpenbNodes(try Self.text(file), file: file, log: log)
    #expect(nodes.map(\.name) == ["node-0", "node-1", "node-2"])
    #expect(nodes.map(\.model) == ["P100", "V100M32", nil])
    #expect(nodes.map(\.gpus) == [2, 8, 0])
    #expect(
      log.diagnostics.map(\.rendered) == [
        "openb_node_list_sample.csv:5:1: error: a node with 4 GPUs has no `model`; "
          + "name its GPU model (`T4`, `V100M32`, …)",
        "openb_node_list_sample.csv:6:8: error: cpu_milli: found `-1`, expected a positive integer",
      ])
  }

  @Test("generic CSV: resources, GPU share and types, team, priority, gang, phase")
  func genericCSV() throws {
    let log = DiagnosticLog()
    let file = "generic_jobs.csv"
    let jobs = TraceReader.readGeneric(try Self.text(file), file: file, encoding: .csv, log: log)
    #expect(jobs.map(\.name) == ["train-1", "infer-2", "queued-3"])
    #expect(jobs[0].gangSize == 4 && jobs[0].priority == 10 && jobs[0].team == "search")
    #expect(jobs[1].submitSeconds == 60.5 && jobs[1].gpuMilli == 250 && jobs[1].gpuTypes == ["T4", "A10"])
    #expect(jobs[2].durationSeconds == nil && jobs[2].phase == .pending && jobs[2].withdrawnSeconds == 90)
    #expect(
      log.diagnostics.map(\.rendered) == [
        "generic_jobs.csv:5:1: error: missing `duration` for a job that ran; "
          + "give its run time, or set `phase` to `pending`",
        "generic_jobs.csv:6:26: error: gpu_milli: found `500` with `gpus` 2; "
          + "only a single-GPU worker shares its GPU; use 1000",
      ])
  }

  @Test("generic JSON lines: tags, and a quoted number located")
  func genericJSONLines() throws {
    let log = DiagnosticLog()
    let file = "generic_jobs.jsonl"
    let jobs = TraceReader.readJobs(try Self.text(file), file: file, format: .generic, log: log)
    #expect(jobs.map(\.name) == ["train-1", "infer-3"])
    #expect(jobs[0].tags == [TraceTag(key: "model", value: "llm")] && jobs[0].gpuCount == 8)
    #expect(jobs[1].gpuMilli == 300)
    #expect(log.diagnostics.map(\.line) == [2])
    #expect(log.diagnostics.first?.keyPath.description == "submit_time")
  }

  @Test("PAI 2020: header-less task table read with its published header; users joined; percents converted")
  func pai() throws {
    let log = DiagnosticLog()
    let users = TraceReader.readPAIJobUsers(try Self.text("pai_job_table.csv"), file: "pai_job_table.csv", log: log)
    let jobs = TraceReader.readPAITasks(
      try Self.text("pai_task_table.csv"), file: "pai_task_table.csv", log: log, users: users)
    #expect(jobs.map(\.name) == ["6e2c3f3a/worker", "6e2c3f3a/ps"])
    #expect(jobs[0].gangSize == 2 && jobs[0].gpuCount == 1 && jobs[0].gpuMilli == 500 && jobs[0].cpuMilli == 6000)
    #expect(jobs[0].memoryMiB == 30000 && jobs[0].durationSeconds == 3600 && jobs[0].team == "user-a")
    #expect(jobs[1].gpuCount == 0)
    #expect(
      log.diagnostics.map(\.rendered) == [
        "pai_task_table.csv:3:37: error: end_time: ends at 1583000050.0 s, before its start at 1583000100.0 s"
      ])
  }

  @Test("Philly run times, a negative one located")
  func philly() throws {
    let log = DiagnosticLog()
    let runtimes = TraceReader.readPhillyRuntimes(try Self.text("philly_runtime.csv"), file: "p.csv", log: log)
    #expect(runtimes == [0, 12.5, 3600])
    #expect(
      log.diagnostics.map(\.rendered) == ["p.csv:5:1: error: runtime: found `-1`, expected a non-negative number"])
  }

  @Test(
    "Philly job log: run time from first start to last end, wait, GPUs per machine as a gang, never-started pending")
  func phillyJobLog() throws {
    let log = DiagnosticLog()
    let jobs = TraceReader.readPhillyJobLog(try Self.text("philly_cluster_job_log.json"), file: "log.json", log: log)
    #expect(log.diagnostics.isEmpty)
    #expect(jobs.map(\.name) == ["application_1_0001", "application_1_0002", "application_1_0003"])
    // Seconds from midnight of the first submission's day (2017-10-03).
    #expect(jobs.map(\.submitSeconds) == [32_400, 39_540, 115_200])
    #expect(jobs.map(\.durationSeconds) == [3600, 1800, nil])
    #expect(jobs.map(\.recordedWaitSeconds) == [10, 60, nil])
    #expect(jobs.map(\.gangSize) == [2, 1, 1] && jobs.map(\.gpuCount) == [2, 1, 0])
    #expect(jobs.map(\.phase) == [.succeeded, .failed, .pending] && jobs[2].withdrawnSeconds == 115_200)
    #expect(jobs.map(\.team) == ["alice", "bob", "bob"] && jobs.map(\.line) == [5, 19, 30])
    #expect(TraceFormat.recognising(header: "[") == .phillyJobLog)
    let bad = DiagnosticLog()
    let text = try Self.text("philly_cluster_job_log.json").replacingOccurrences(
      of: "\"2017-10-03 10:59:00\"", with: "\"yesterday\"")
    #expect(TraceReader.readPhillyJobLog(text, file: "log.json", log: bad).count == 2)
    #expect(
      bad.diagnostics.map(\.rendered) == [
        "log.json:19:1: error: job 2: submitted_time: expected `YYYY-MM-DD HH:MM:SS`, found `yesterday`"
      ])
    let notArray = DiagnosticLog()
    #expect(TraceReader.readPhillyJobLog("{}", file: "log.json", log: notArray).isEmpty)
    #expect(notArray.diagnostics.first?.message.contains("JSON array") == true)
  }

  @Test("A missing file, and a file over the size guard, are diagnostics, not crashes")
  func guards() throws {
    let log = DiagnosticLog()
    #expect(TraceReader.load("/nonexistent/pods.csv", log: log) == nil)
    let path = Self.fixtures.appendingPathComponent("openb_pod_list_sample.csv").path
    #expect(TraceReader.load(path, log: log, maximumBytes: 100) == nil)
    #expect(log.diagnostics.map(\.message).first == "no such file")
    #expect(log.diagnostics.last?.message.hasPrefix("the trace is ") == true)
    #expect(log.diagnostics.last?.hint == "split the trace by time and replay the parts, or sample it")
  }

  @Test("Formats are recognised by their header")
  func recognition() {
    #expect(
      TraceFormat.recognising(header: "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time") == .alibabaGPU2023)
    #expect(TraceFormat.recognising(header: "job_id,submit_time,duration") == .generic)
    #expect(TraceFormat.recognising(header: "runtime") == .phillyRuntimes)
    #expect(TraceFormat.recognising(header: "a,b") == nil)
  }
}
