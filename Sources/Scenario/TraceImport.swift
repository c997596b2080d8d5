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
      return ReplayItem(
        name: job.name, team: job.team.map { team in teams.first { $0.0 == team }?.1 ?? team }, submit: submit,
        duration: job.durationSeconds.map { SimDuration(seconds: $0) },
        withdrawal: job.withdrawnSeconds.map { SimTime.zero + SimDuration(seconds: $0) },
        request: GPUPodRequest(
          cpuMilli: job.cpuMilli, memoryMiB: job.memoryMiB, gpuCount: job.gpuCount, gpuMilli: job.gpuMilli,
          gpuModels: job.gpuTypes),
        priority: job.priority, gangSize: job.gangSize, recordedPhase: recordedPhase(job),
        recordedWait: job.recordedWaitSeconds.map { SimDuration(seconds: $0) })
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
