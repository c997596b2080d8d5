import Foundation
import PlatformModel
import SimKernel

/// The files and summary `platformsim replay` writes (docs/TRACES.md).
enum ReplayTables {
  static let itemsHeader =
    "trace,name,team,submitted_s,started_s,finished_s,wait_s,recorded_wait_s,run_s,node,gpu_model,workers,"
    + "cpu_milli,memory_mib,gpus,gpu_milli,recorded_phase,status,gpu_hours,cost_usd"

  /// GPU-hours an outcome held until `end` (for items still running).
  static func gpuHours(_ outcome: ReplayOutcome, end: SimTime) -> Double {
    guard let started = outcome.started else { return 0 }
    let held = ((outcome.finished ?? end) - started).seconds / 3600
    return Double(outcome.request.gpuMilliTotal * outcome.gangSize) / 1000 * held
  }

  static func cost(_ outcome: ReplayOutcome, end: SimTime, prices: [(String, Double)]) -> Double? {
    guard let model = outcome.gpuModel, let price = prices.first(where: { $0.0 == model })?.1 else {
      return outcome.started != nil && outcome.request.gpuCount == 0 ? 0 : nil
    }
    return gpuHours(outcome, end: end) * price
  }

  static func seconds(_ time: SimTime?) -> String { time.map { format(($0 - SimTime.zero).seconds) } ?? "" }
  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }

  static func quoted(_ text: String) -> String {
    text.contains(where: { ",\"\n\r".contains($0) })
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }

  static func items(_ result: TraceReplayResult, prices: [(String, Double)]) -> String {
    var lines = [itemsHeader]
    lines.reserveCapacity(result.outcomes.count + 1)
    for outcome in result.outcomes {
      let run = outcome.started.flatMap { start in outcome.finished.map { ($0 - start).seconds } }
      let fields: [String] = [
        quoted(outcome.trace), quoted(outcome.name), quoted(outcome.team ?? ""), seconds(outcome.submitted),
        seconds(outcome.started), seconds(outcome.finished), outcome.wait.map { format($0.seconds) } ?? "",
        outcome.recordedWait.map { format($0.seconds) } ?? "", run.map(format) ?? "", quoted(outcome.node ?? ""),
        quoted(outcome.gpuModel ?? ""), String(outcome.gangSize), String(outcome.request.cpuMilli),
        String(outcome.request.memoryMiB), String(outcome.request.gpuCount),
        String(outcome.request.gpuCount == 0 ? 0 : outcome.request.gpuMilli), quoted(outcome.recordedPhase),
        outcome.status.rawValue, format(gpuHours(outcome, end: result.end)),
        cost(outcome, end: result.end, prices: prices).map(format) ?? "",
      ]
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func allocation(_ result: TraceReplayResult) -> String {
    var lines = [
      "time_s,gpu_milli_total,gpu_milli_allocated,gpu_allocation,gpu_milli_fragmented,cpu_milli_allocated,"
        + "running,pending"
    ]
    for sample in result.samples {
      lines.append(
        [
          seconds(sample.time), String(sample.totalGPUMilli), String(sample.allocatedGPUMilli),
          String(sample.gpuAllocation), String(sample.fragmentedGPUMilli), String(sample.allocatedCPUMilli),
          String(sample.runningItems), String(sample.pendingItems),
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The p-quantile (nearest rank) of sorted values.
  static func quantile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
  }

  static func summary(_ result: TraceReplayResult, prices: [(String, Double)], directory: String) -> String {
    var lines: [String] = []
    let outcomes = result.outcomes
    lines.append(
      "platformsim: replayed \(outcomes.count) items of \(outcomes.first?.trace ?? "the trace") "
        + "to \(format((result.end - SimTime.zero).seconds)) s (\(result.events) events)")
    let statuses = ReplayOutcome.Status.allCasesInOrder.map { status in
      "\(status.rawValue) \(outcomes.filter { $0.status == status }.count)"
    }
    lines.append("  items: " + statuses.joined(separator: ", "))
    let waits = outcomes.compactMap { $0.wait?.seconds }.sorted()
    let recorded = outcomes.compactMap { $0.started == nil ? nil : $0.recordedWait?.seconds }.sorted()
    func percentiles(_ values: [Double]) -> String {
      [0.5, 0.9, 0.99].map { "p\(Int($0 * 100)) \(quantile(values, $0).map(format) ?? "-") s" }
        .joined(separator: ", ")
    }
    lines.append("  wait: " + percentiles(waits) + (recorded.isEmpty ? "" : "  (trace: " + percentiles(recorded) + ")"))
    let allocations = result.samples.map(\.gpuAllocation)
    if !allocations.isEmpty {
      let mean = allocations.reduce(0, +) / Double(allocations.count)
      lines.append(
        "  GPU allocation: mean \(format((mean * 1000).rounded() / 10)) %, "
          + "peak \(format(((allocations.max() ?? 0) * 1000).rounded() / 10)) % over \(allocations.count) samples")
    }
    var teams: [String] = []
    for outcome in outcomes where !teams.contains(outcome.team ?? "") { teams.append(outcome.team ?? "") }
    if teams.count > 1 || !prices.isEmpty {
      for team in teams {
        let mine = outcomes.filter { ($0.team ?? "") == team }
        let hours = mine.reduce(0) { $0 + gpuHours($1, end: result.end) }
        let costs = mine.map { cost($0, end: result.end, prices: prices) }
        let known = costs.compactMap { $0 }.reduce(0, +)
        let unknown = costs.enumerated().filter { $0.element == nil && mine[$0.offset].started != nil }.count
        lines.append(
          "  team \(team.isEmpty ? "(none)" : team): \(format((hours * 10).rounded() / 10)) GPU-hours"
            + (prices.isEmpty ? "" : ", USD \(format((known * 100).rounded() / 100))")
            + (unknown > 0 && !prices.isEmpty ? " (\(unknown) items on models without --gpu-price)" : ""))
      }
    }
    lines.append("  wrote \(directory)/items.csv and \(directory)/allocation.csv")
    return lines.joined(separator: "\n")
  }
}

extension ReplayOutcome.Status {
  static let allCasesInOrder: [ReplayOutcome.Status] = [.completed, .running, .pending, .withdrawn, .unschedulable]
}
