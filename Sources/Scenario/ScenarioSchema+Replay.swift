import InputReading
import PlatformModel

/// Scenario keys of `spec.replay`: a real job or pod trace replayed on its own cluster
/// (docs/TRACES.md).
extension ScenarioSchema {
  final class ReplayPool: ObjectKeys {
    static let schema = ObjectSchema<ReplayPool>(
      "ReplayPool",
      "The node pool of one GPU model of the trace's cluster: the catalogue instance type it stands for and the price "
        + "of one of its GPU-hours, for `cost_allocations` (docs/TRACES.md lists the default mapping).")
    let model = Field(
      "model", .string(), required: true, "The GPU model as the node list names it (`T4`, `V100M32`, …).")
    let instanceType = Field(
      "instanceType", .string(), default: "the default mapping's", "The instance type the pool stands for.")
    let pricePerGPUHour = Field(
      "pricePerGPUHour", .number(minimum: 0, maximum: 10_000), default: "the default mapping's; none: costs are NULL",
      "USD per GPU-hour.")
  }

  final class Replay: ObjectKeys {
    static let schema = ObjectSchema<Replay>(
      "Replay",
      "A job or pod trace replayed on a cluster of its own nodes, with GPU sharing and GPU-type constraints; writes "
        + "`trace_items`, `trace_allocation` and `cost_allocations` (docs/TRACES.md).")
    let trace = Field(
      "trace", .existingFile, required: true, "The trace file (pods or jobs), relative to this file.")
    let format = Field(
      "format", .choice(TraceFormat.replayable.map(\.rawValue)), default: "recognised from the header",
      "The trace's format.")
    let nodes = Field(
      "nodes", .existingFile, required: true,
      "The cluster's node list (openb_node_list shape: sn,cpu_milli,memory_mib,gpu,model).")
    let mode = Field(
      "mode", .choice(["exact", "time-scaled", "bootstrap-days", "bootstrap-jobs", "fill"]), default: "exact",
      "Every item at its time; arrivals × `rateFactor`; days or items resampled with replacement from the run's "
        + "seed (streams `trace/bootstrap-days`, `trace/bootstrap-jobs`); or the FGD paper's workload: shuffled and "
        + "resampled to `fillRatio` × the cluster's GPUs, all at time 0, none leaving (stream `trace/fill`).")
    let rateFactor = Field(
      "rateFactor", .number(minimum: 0, maximum: 1_000, exclusiveMinimum: true), default: "1",
      "Arrival-rate multiplier of `time-scaled`.")
    let fillRatio = Field(
      "fillRatio", .number(minimum: 0, maximum: 10, exclusiveMinimum: true), default: "1.3",
      "GPU requests of `fill`'s workload as a multiple of the cluster's GPUs (the FGD paper's 1.3).")
    let scoring = Field(
      "scoring", .choice(GPUNodeScoring.allCases.map(\.rawValue)), default: "kube-default",
      "How a node is chosen among those that fit: kube-scheduler's default scoring, best fit, FGD or first fit.")
    let teamMap = Field(
      "teamMap", .existingFile, "A team mapping (CSV or JSON lines: trace_team,team) from trace users to teams.")
    let sampleInterval = Field(
      "sampleInterval", .duration(.positive), default: "1h", "Between `trace_allocation` rows.")
    let pools = Field(
      "pools", .list(.object(ReplayPool.self)), default: "the default mapping for each GPU model of the node list",
      "Overrides of the GPU-model → instance type and price mapping; every GPU model of the node list needs one.")
  }
}

extension TraceFormat {
  /// Formats with submission times and requests, that can be replayed.
  public static let replayable: [TraceFormat] = allCases.filter { $0 != .phillyRuntimes }
}
