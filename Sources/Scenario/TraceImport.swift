import InputReading
import PlatformModel
import SimKernel

/// Turns the input layer's trace records into replay items and nodes (docs/TRACES.md).
public enum TraceImport {
  /// Replay items for `jobs`.
  ///
  /// Their teams are mapped through `teams` (unmapped teams kept as
  /// they are). Times are rounded to the nearest microsecond.
  public static func items(_ jobs: [TraceJob], teams: [(String, String)] = []) -> [ReplayItem] {
    jobs.map { job in
      let submit = SimTime.zero + SimDuration(seconds: job.submitSeconds)
      var item = ReplayItem(
        name: job.name, team: job.team.map { team in teams.first { $0.0 == team }?.1 ?? team }, submit: submit,
        duration: job.durationSeconds.map { SimDuration(seconds: $0) },
        withdrawal: job.withdrawnSeconds.map { SimTime.zero + SimDuration(seconds: $0) },
        request: GPUPodRequest(
          cpuMilli: job.cpuMilli, memoryMiB: job.memoryMiB, gpuCount: job.gpuCount, gpuMilli: job.gpuMilli,
          gpuModels: job.gpuTypes),
        priority: job.priority, gangSize: job.gangSize, recordedPhase: recordedPhase(job),
        recordedWait: job.recordedWaitSeconds.map { SimDuration(seconds: $0) })
      item.holdsUntilEnd = job.holdsUntilEnd
      return item
    }
  }

  /// The trace's own phase word where it has one (openb's `Running`, …), else ours.
  static func recordedPhase(_ job: TraceJob) -> String {
    switch job.phase {
    case .succeeded: "Succeeded"
    case .failed: "Failed"
    case .running: "Running"
    case .pending: "Pending"
    }
  }

  /// Replay nodes for a node list.
  public static func nodes(_ nodes: [TraceNode]) -> [ReplayNodeSpec] {
    nodes.map {
      ReplayNodeSpec(name: $0.name, cpuMilli: $0.cpuMilli, memoryMiB: $0.memoryMiB, gpus: $0.gpus, model: $0.model)
    }
  }
}

/// The default mapping from a trace's GPU models to catalogue instance types and prices
/// (docs/TRACES.md, "GPU models and prices"); `spec.replay.pools` overrides it.
public enum TraceGPUMapping {
  /// Per GPU model: the instance type with that GPU, and USD per GPU-hour.
  ///
  /// Prices are on-demand Linux us-east-1 list prices ÷ GPUs. A10 is the built-in catalogue's g5.xlarge (A10G);
  /// the others are AWS's public list prices of the instance named, not in the built-in
  /// catalogue (T4: g4dn.xlarge 0.526 $/h; V100 16 GB: p3.2xlarge 3.06 $/h; V100 32 GB:
  /// p3dn.24xlarge 31.212 $/h over 8 GPUs). P100 has no AWS instance: GCP's list price
  /// of an attached P100 (1.46 $/GPU-h). The openb trace's `G2` and `G3` are anonymised
  /// models and have no default: a scenario names their pool itself.
  public static let defaults: [ReplayPool] = [
    ReplayPool(model: "A10", instanceType: "g5.xlarge", pricePerGPUHour: 1.006),
    ReplayPool(model: "T4", instanceType: "g4dn.xlarge", pricePerGPUHour: 0.526),
    ReplayPool(model: "V100M16", instanceType: "p3.2xlarge", pricePerGPUHour: 3.06),
    ReplayPool(model: "V100M32", instanceType: "p3dn.24xlarge", pricePerGPUHour: 3.9015),
    ReplayPool(model: "P100", instanceType: "gcp-nvidia-tesla-p100", pricePerGPUHour: 1.46),
  ]

  /// The default pool of `model`, if it has one.
  public static func pool(of model: String) -> ReplayPool? { defaults.first { $0.model == model } }
}

extension TraceImport {
  /// `jobs` moved earlier by whole days so that the first submission falls on day 0, for
  /// formats whose times are timestamps rather than offsets from the trace's start (PAI
  /// 2020); whole days keep each item's hour of day and day boundaries.
  public static func startingOnDayZero(_ jobs: [TraceJob], format: TraceFormat) -> [TraceJob] {
    guard format == .pai2020, let first = jobs.map(\.submitSeconds).min(), first >= 86_400 else { return jobs }
    let shift = (first / 86_400).rounded(.down) * 86_400
    return jobs.map { job in
      var moved = job
      moved.submitSeconds -= shift
      moved.withdrawnSeconds = job.withdrawnSeconds.map { $0 - shift }
      return moved
    }
  }
}
