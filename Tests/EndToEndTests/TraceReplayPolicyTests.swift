import Foundation
import ResultRows
import ResultStore
import Testing

/// An external `gpuNodeOrder` policy choosing the nodes of a replayed trace
/// (docs/POLICY-PROTOCOL.md, docs/TRACES.md).
@Suite("Trace replay with an external node policy", .serialized)
struct TraceReplayPolicyTests {
  /// Three 1-GPU pods alive together on three 2-GPU T4 nodes.
  static let pods = """
    name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
    pod-a,1000,1024,1,1000,,LS,Succeeded,0,3600,0
    pod-b,1000,1024,1,1000,,LS,Succeeded,10,3600,10
    pod-c,1000,1024,1,1000,,LS,Succeeded,20,3600,20

    """
  static let nodes =
    "sn,cpu_milli,memory_mib,gpu,model\nn-1,16000,65536,2,T4\nn-2,16000,65536,2,T4\nn-3,16000,65536,2,T4\n"
  static let picker = PlatformSimProcess.repositoryRoot.appendingPathComponent(
    "Tests/Fixtures/policies/gpu_node_picker.py")

  /// A replay scenario of the three pods with `policies` appended under `spec`.
  static func scenario(policies: String, in directory: URL) throws -> String {
    let podsPath = try TraceScenarioTests.write(pods, "openb_pod_list_three.csv", in: directory)
    let nodesPath = try TraceScenarioTests.write(nodes, "openb_node_list_three.csv", in: directory)
    let output = directory.appendingPathComponent("scenario")
    let initialised = try PlatformSimProcess.run([
      "init", "--from-trace", podsPath, "--trace-format", "alibaba-gpu-2023", "--nodes", nodesPath, "--output",
      output.path, "--name", "three",
    ])
    #expect(initialised.status == 0, "\(initialised.standardError)")
    let path = output.appendingPathComponent("three.yaml").path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try (text + "  policies:\n" + policies + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func nodes(_ database: String) throws -> [String] {
    try SQLiteDatabase(path: database).query("SELECT node FROM trace_items ORDER BY rowid").map {
      $0[0].stringValue ?? "-"
    }
  }

  @Test("the policy's node is each pod's node: highest-named feasible node first")
  func externalPolicyChoosesNodes() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try Self.scenario(
      policies: "    gpuNodeOrder: {command: [python3, \(Self.picker.path), highest], timeout: 60s}", in: directory)
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
    // n-3 takes two pods (its two GPUs), then it no longer fits and n-2 is the highest.
    #expect(try Self.nodes(database) == ["n-3", "n-3", "n-2"])
    let store = try ResultStore(path: database)
    #expect(try store.rows(PolicyFaultRow.self, run: RunID(1)).isEmpty)
  }

  @Test("a node that is not a candidate is an invalid action: the run fails (onError: fail)")
  func nonCandidateFailsTheRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try Self.scenario(
      policies: "    gpuNodeOrder: {command: [python3, \(Self.picker.path), outsider], timeout: 60s}", in: directory)
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--db", database])
    let text = run.standardOutput + run.standardError
    #expect(run.status == 1, "\(text)")
    #expect(text.contains("for decision point `gpuNodeOrder`"), "\(text)")
    #expect(text.contains("node \"no-such-node\" is not one of the 3 candidates"), "\(text)")
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .failed)
    let faults = try store.rows(PolicyFaultRow.self, run: RunID(1))
    #expect(faults.map(\.kind) == ["invalid-action"])
    #expect(faults.first?.handling == "failed-run")
  }

  @Test("with onError: fallback the replay's own scoring places every pod, as with no policy")
  func nonCandidateFallsBack() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try Self.scenario(
      policies:
        "    gpuNodeOrder: {command: [python3, \(Self.picker.path), outsider], timeout: 60s, onError: fallback}",
      in: directory)
    let database = directory.appendingPathComponent("runs.sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
    let builtIn = directory.appendingPathComponent("builtin")
    try FileManager.default.createDirectory(at: builtIn, withIntermediateDirectories: true)
    let plain = try Self.scenario(policies: "    gpuNodeOrder: {builtin: replay-scoring}", in: builtIn)
    let builtInDatabase = builtIn.appendingPathComponent("runs.sqlite").path
    #expect(try PlatformSimProcess.run(["run", plain, "--db", builtInDatabase, "--quiet"]).status == 0)
    // kube-default scoring spreads the pods (LeastAllocated): one per node.
    #expect(try Self.nodes(builtInDatabase) == ["n-1", "n-2", "n-3"])
    #expect(try Self.nodes(database) == Self.nodes(builtInDatabase))
    let faults = try ResultStore(path: database).rows(PolicyFaultRow.self, run: RunID(1))
    #expect(faults.map(\.handling) == ["fallback"])
    #expect(faults.first?.fallbackBuiltIn == "replay-scoring")
  }

  /// `platformsim replay --policy …` on the three pods: the nodes column of items.csv.
  static func replay(_ extra: [String], in directory: URL) throws -> (status: Int32, text: String, nodes: [String]?) {
    let podsPath = try TraceScenarioTests.write(pods, "openb_pod_list_three.csv", in: directory)
    let nodesPath = try TraceScenarioTests.write(nodes, "openb_node_list_three.csv", in: directory)
    let output = directory.appendingPathComponent("replay")
    let run = try PlatformSimProcess.run(["replay", podsPath, "--nodes", nodesPath, "--output", output.path] + extra)
    let items = try? String(contentsOf: output.appendingPathComponent("items.csv"), encoding: .utf8)
    let nodes = items.map { text in
      text.split(separator: "\n").dropFirst().map {
        String($0.split(separator: ",", omittingEmptySubsequences: false)[9])
      }
    }
    return (run.status, run.standardOutput + run.standardError, nodes)
  }

  @Test("platformsim replay --policy asks the same process, with the same faults, as a run does")
  func replayCommandPolicy() throws {
    let chosen = try Self.replay(
      ["--policy", "python3 \(Self.picker.path) highest", "--policy-timeout", "60"],
      in: PlatformSimProcess.scratchDirectory())
    #expect(chosen.status == 0, "\(chosen.text)")
    #expect(chosen.nodes == ["n-3", "n-3", "n-2"])
    // An invalid action fails the command (exit 1) and writes nothing.
    let failed = try Self.replay(
      ["--policy", "python3 \(Self.picker.path) outsider", "--policy-timeout", "60"],
      in: PlatformSimProcess.scratchDirectory())
    #expect(failed.status == 1, "\(failed.text)")
    #expect(failed.text.contains("node \"no-such-node\" is not one of the 3 candidates"), "\(failed.text)")
    #expect(failed.nodes == nil)
    // With fallback the replay's scoring places every pod; the fault is reported.
    let fallback = try Self.replay(
      ["--policy", "python3 \(Self.picker.path) outsider", "--policy-on-error", "fallback", "--policy-timeout", "60"],
      in: PlatformSimProcess.scratchDirectory())
    #expect(fallback.status == 0, "\(fallback.text)")
    #expect(fallback.nodes == ["n-1", "n-2", "n-3"])
    #expect(fallback.text.contains("policy fault"), "\(fallback.text)")
    // Bad options are usage errors, before anything runs.
    let badMode = try Self.replay(
      ["--policy", "python3 x.py", "--policy-on-error", "retry"], in: PlatformSimProcess.scratchDirectory())
    #expect(badMode.status == 2 && badMode.text.contains("--policy-on-error"), "\(badMode.text)")
  }
}
