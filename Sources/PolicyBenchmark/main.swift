import Foundation
import Policies

// Per-decision overhead of an external policy: round trips to a Python rollback bot
// (scenarios/policies/rollback_bot.py) after start-up, against the built-in; then
// batched decisions: scale-down scans of `--batch` candidates answered by a Python
// Cluster Autoscaler rule (Tests/Fixtures/policies/cluster_autoscaler_policy.py), per
// question, as protocol v3 `decide-batch` (columns, answered column-wise), v2
// `decide-batch` (one object per question) and v1 (one line per question).
//
//   swift build -c release --product policy-bench
//   .build/release/policy-bench [--decisions 20000] [--repetitions 7] [--policy PATH]
//                               [--batch 100] [--batches 2000]
//
// Prints the median over repetitions of the mean time per decision, the median and
// 90th percentile of single round trips, and the load average; figures are recorded
// in docs/PERFORMANCE.md ("External policy round trip").

func option(_ name: String, default value: String) -> String {
  let arguments = CommandLine.arguments
  guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
  return arguments[index + 1]
}

let decisions = Int(option("--decisions", default: "20000")) ?? 20_000
let batchSize = Int(option("--batch", default: "100")) ?? 100
let batches = Int(option("--batches", default: "2000")) ?? 2_000
let repetitions = Int(option("--repetitions", default: "7")) ?? 7
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()
let script = option("--policy", default: root.appendingPathComponent("scenarios/policies/rollback_bot.py").path)

let observation = IncidentResponseObservation(
  incident: 17, service: "fraud-scorer", team: "fraud-detection", defectKind: "error-rate", detection: "human-notice",
  openedSeconds: 86_400, detectedSeconds: 88_000, failedRequests: 12_345, rootCauseChanges: [101, 102],
  rollbackProbability: 0.7, randomUnit: 0.42, rollbackDelaySeconds: 300, fixForwardDelaySeconds: 5_400)

/// Rollbacks seen, printed at the end so no decision can be optimised away.
nonisolated(unsafe) var rollbacks = 0

/// Single round trips, µs, over every repetition (for the median and the tail).
nonisolated(unsafe) var singles: [Double] = []

func measure(_ policy: any IncidentResponsePolicy, keepSingles: Bool = false) -> [Double] {
  var perDecision: [Double] = []
  var time: Int64 = 0
  // Warm-up: the first requests pay for Python's and the encoder's first-use costs.
  for _ in 0..<500 {
    time += 1_000_000
    _ = policy.decide(observation, at: PolicyTime(microseconds: time))
  }
  for _ in 0..<repetitions {
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<decisions {
      time += 1_000_000
      let before = keepSingles ? clock.now : start
      if policy.decide(observation, at: PolicyTime(microseconds: time)).decision == .rollback { rollbacks += 1 }
      if keepSingles {
        let single = clock.now - before
        singles.append(Double(single.components.attoseconds) * 1e-12 + Double(single.components.seconds) * 1e6)
      }
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    perDecision.append(seconds / Double(decisions) * 1e6)
  }
  return perDecision
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let builtIn = measure(RollbackBotResponse())
let configuration = PolicyConfiguration(selections: [
  .incidentResponse: PolicySelection(
    builtIn: "rollback-bot",
    external: ExternalPolicyCommand(arguments: ["python3", script], workingDirectory: root.path))
])
let started = ContinuousClock().now
let (policies, runtime) = PolicyRuntime.start(
  configuration, context: PolicyRunContext(scenarioName: "bench", runID: 1, seed: 1, startEpochSeconds: 1_767_571_200))
let startup = ContinuousClock().now - started
if let fault = runtime.faults.first {
  FileHandle.standardError.write(Data("policy-bench: \(fault)\n".utf8))
  exit(1)
}
let external = measure(policies.incidentResponse, keepSingles: true)
let logs = runtime.finish()
if let fault = runtime.faults.first {
  FileHandle.standardError.write(Data("policy-bench: \(fault)\n".utf8))
  exit(1)
}
let format = { (value: Double) in String(format: "%.2f", value) }
print(
  "external policy round trip (python3 \(URL(fileURLWithPath: script).lastPathComponent)), \(decisions) decisions × \(repetitions)"
)
print(
  "  start-up + hello      \(format(Double(startup.components.attoseconds) * 1e-15 + Double(startup.components.seconds) * 1e3)) ms"
)
print("  per decision, median  \(format(median(external))) µs  (runs: \(external.map(format).joined(separator: ", ")))")
let sortedSingles = singles.sorted()
print(
  "  single round trip     median \(format(median(singles))) µs, p90 \(format(sortedSingles[sortedSingles.count * 9 / 10])) µs"
)
print("  built-in, median      \(format(median(builtIn) * 1_000)) ns")
print("  decisions answered    \(logs.first?.decisions ?? 0) by the process, \(rollbacks) rollbacks in all")

// Batched: one `decide-batch` of `batchSize` scale-down candidates per scan.
let scaleDownScript = option(
  "--batch-policy", default: root.appendingPathComponent("Tests/Fixtures/policies/cluster_autoscaler_policy.py").path)
func candidate(_ index: Int) -> NodeScaleDownObservation {
  let utilisation = Double(index % 50) / 100
  let unneeded = Double(index * 10)
  return NodeScaleDownObservation(
    node: "node-\(index)", pool: "gpu", instanceType: "g5.12xlarge", capacityType: "spot",
    utilisation: utilisation, empty: index % 3 != 0, unneededSeconds: unneeded,
    unneededTimeSeconds: 600, coolingDown: false, removedThisScan: 0, maxScaleDownParallelism: 10,
    drainedThisScan: false, poolDesiredNodes: 40, poolMinNodes: 0)
}
let candidates = (0..<batchSize).map(candidate)
/// Removals seen, printed at the end so no decision can be optimised away.
nonisolated(unsafe) var removals = 0
for (label, arguments) in [
  ("v3 decide-batch (columns)", ["--protocol", "v3"]), ("v2 decide-batch", ["--protocol", "v2"]),
  ("v1 one per question", ["--protocol", "v1"]),
] {
  let (scaleDown, scaleDownRuntime) = PolicyRuntime.start(
    PolicyConfiguration(selections: [
      .nodeScaleDown: PolicySelection(
        builtIn: "cluster-autoscaler",
        external: ExternalPolicyCommand(
          arguments: ["python3", scaleDownScript] + arguments, workingDirectory: root.path))
    ]),
    context: PolicyRunContext(scenarioName: "bench", runID: 1, seed: 1, startEpochSeconds: 1_767_571_200))
  let policy = scaleDown.nodeScaleDown
  var time: Int64 = 0
  let scans = label.hasPrefix("v1") ? max(1, batches / 10) : batches
  for _ in 0..<max(1, scans / 10) {
    time += 10_000_000
    removals += policy.decide(batch: candidates, at: PolicyTime(microseconds: time)).filter(\.remove).count
  }
  var perQuestion: [Double] = []
  for _ in 0..<repetitions {
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<scans {
      time += 10_000_000
      removals += policy.decide(batch: candidates, at: PolicyTime(microseconds: time)).filter(\.remove).count
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    perQuestion.append(seconds / Double(scans * batchSize) * 1e6)
  }
  scaleDownRuntime.finish()
  if let fault = scaleDownRuntime.faults.first {
    FileHandle.standardError.write(Data("policy-bench: \(fault)\n".utf8))
    exit(1)
  }
  print(
    "  \(label), \(batchSize) questions per scan: per question, median \(format(median(perQuestion))) µs  (runs: \(perQuestion.map(format).joined(separator: ", ")))"
  )
}
var loads = [Double](repeating: 0, count: 3)
_ = getloadavg(&loads, 3)
print(
  "  load average          \(loads.map { String(format: "%.2f", $0) }.joined(separator: " ")), \(removals) removals")
