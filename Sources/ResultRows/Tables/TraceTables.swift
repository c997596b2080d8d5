/// One `trace_items` row: a replayed trace item (pod or job), under its trace name, and
/// what became of it (docs/TRACES.md, "Replay in a scenario").
public struct TraceItemRow: ResultRow, Equatable {
  public static let table = ResultTable<TraceItemRow>(
    "trace_items", perRun: true,
    columns: [
      .column("trace", \.trace),
      .column("name", \.name),
      .column("team", \.team),
      .column("submitted_at", \.submittedAt),
      .column("started_at", \.startedAt),
      .column("ended_at", \.endedAt),
      .column("wait_seconds", \.waitSeconds),
      .column("recorded_wait_seconds", \.recordedWaitSeconds),
      .column("run_seconds", \.runSeconds),
      .column("node", \.node),
      .column("gpu_model", \.gpuModel),
      .column("workers", \.workers),
      .column("cpu_milli", \.cpuMilli),
      .column("memory_mib", \.memoryMiB),
      .column("gpus", \.gpus),
      .column("gpu_milli", \.gpuMilli),
      .column("recorded_phase", \.recordedPhase),
      .column("outcome", \.outcome),
      .column("gpu_hours", \.gpuHours),
      .column("cost_usd", \.costUSD),
    ])

  public var trace: String
  /// The trace's own name for the item.
  public var name: String
  /// The team after the scenario's team mapping; `NULL` when the trace has none.
  public var team: String?
  /// UTC epoch seconds, as every `*_at` column.
  public var submittedAt: Double
  public var startedAt: Double?
  public var endedAt: Double?
  public var waitSeconds: Double?
  public var recordedWaitSeconds: Double?
  /// Seconds it held its resources (its recorded run time when it completed).
  public var runSeconds: Double?
  public var node: String?
  public var gpuModel: String?
  public var workers: Int
  public var cpuMilli: Int64
  public var memoryMiB: Int64
  public var gpus: Int
  /// Thousandths of each GPU a worker takes (0 without GPUs).
  public var gpuMilli: Int
  public var recordedPhase: String
  /// `completed`, `running`, `pending`, `withdrawn` or `unschedulable`.
  public var outcome: String
  public var gpuHours: Double
  /// GPU-hours × the pool's price per GPU-hour; `NULL` on a model without a price.
  public var costUSD: Double?

  @inlinable public init(
    trace: String, name: String, team: String?, submittedAt: Double, startedAt: Double?, endedAt: Double?,
    waitSeconds: Double?, recordedWaitSeconds: Double?, runSeconds: Double?, node: String?, gpuModel: String?,
    workers: Int, cpuMilli: Int64, memoryMiB: Int64, gpus: Int, gpuMilli: Int, recordedPhase: String,
    outcome: String, gpuHours: Double, costUSD: Double?
  ) {
    self.trace = trace
    self.name = name
    self.team = team
    self.submittedAt = submittedAt
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.waitSeconds = waitSeconds
    self.recordedWaitSeconds = recordedWaitSeconds
    self.runSeconds = runSeconds
    self.node = node
    self.gpuModel = gpuModel
    self.workers = workers
    self.cpuMilli = cpuMilli
    self.memoryMiB = memoryMiB
    self.gpus = gpus
    self.gpuMilli = gpuMilli
    self.recordedPhase = recordedPhase
    self.outcome = outcome
    self.gpuHours = gpuHours
    self.costUSD = costUSD
  }

  public init(from row: RowReader<TraceItemRow>) throws(RowDecodingError) {
    self.init(
      trace: try row[\.trace], name: try row[\.name], team: try row[\.team], submittedAt: try row[\.submittedAt],
      startedAt: try row[\.startedAt], endedAt: try row[\.endedAt], waitSeconds: try row[\.waitSeconds],
      recordedWaitSeconds: try row[\.recordedWaitSeconds], runSeconds: try row[\.runSeconds], node: try row[\.node],
      gpuModel: try row[\.gpuModel], workers: try row[\.workers], cpuMilli: try row[\.cpuMilli],
      memoryMiB: try row[\.memoryMiB], gpus: try row[\.gpus], gpuMilli: try row[\.gpuMilli],
      recordedPhase: try row[\.recordedPhase], outcome: try row[\.outcome], gpuHours: try row[\.gpuHours],
      costUSD: try row[\.costUSD])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(trace)
    row.append(name)
    row.append(team)
    row.append(submittedAt)
    row.append(startedAt)
    row.append(endedAt)
    row.append(waitSeconds)
    row.append(recordedWaitSeconds)
    row.append(runSeconds)
    row.append(node)
    row.append(gpuModel)
    row.append(workers)
    row.append(cpuMilli)
    row.append(memoryMiB)
    row.append(gpus)
    row.append(gpuMilli)
    row.append(recordedPhase)
    row.append(outcome)
    row.append(gpuHours)
    row.append(costUSD)
  }
}

/// One `trace_allocation` row: GPU allocation, fragmentation and queue of a replay at
/// one sample instant.
public struct TraceAllocationRow: ResultRow, Equatable {
  public static let table = ResultTable<TraceAllocationRow>(
    "trace_allocation", perRun: true,
    columns: [
      .column("sampled_at", \.sampledAt),
      .column("gpu_milli_total", \.gpuMilliTotal),
      .column("gpu_milli_allocated", \.gpuMilliAllocated),
      .column("gpu_allocation", \.gpuAllocation),
      .column("gpu_milli_fragmented", \.gpuMilliFragmented),
      .column("cpu_milli_allocated", \.cpuMilliAllocated),
      .column("running", \.running),
      .column("pending", \.pending),
    ])

  /// UTC epoch seconds.
  public var sampledAt: Double
  public var gpuMilliTotal: Int
  public var gpuMilliAllocated: Int
  /// Allocated share of all GPU capacity (also the utilisation a request trace can state).
  public var gpuAllocation: Double
  /// Expected GPU thousandths unusable by the workload's pod shapes (the FGD paper's measure).
  public var gpuMilliFragmented: Double
  public var cpuMilliAllocated: Int64
  public var running: Int
  public var pending: Int

  @inlinable public init(
    sampledAt: Double, gpuMilliTotal: Int, gpuMilliAllocated: Int, gpuAllocation: Double,
    gpuMilliFragmented: Double, cpuMilliAllocated: Int64, running: Int, pending: Int
  ) {
    self.sampledAt = sampledAt
    self.gpuMilliTotal = gpuMilliTotal
    self.gpuMilliAllocated = gpuMilliAllocated
    self.gpuAllocation = gpuAllocation
    self.gpuMilliFragmented = gpuMilliFragmented
    self.cpuMilliAllocated = cpuMilliAllocated
    self.running = running
    self.pending = pending
  }

  public init(from row: RowReader<TraceAllocationRow>) throws(RowDecodingError) {
    self.init(
      sampledAt: try row[\.sampledAt], gpuMilliTotal: try row[\.gpuMilliTotal],
      gpuMilliAllocated: try row[\.gpuMilliAllocated], gpuAllocation: try row[\.gpuAllocation],
      gpuMilliFragmented: try row[\.gpuMilliFragmented], cpuMilliAllocated: try row[\.cpuMilliAllocated],
      running: try row[\.running], pending: try row[\.pending])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(sampledAt)
    row.append(gpuMilliTotal)
    row.append(gpuMilliAllocated)
    row.append(gpuAllocation)
    row.append(gpuMilliFragmented)
    row.append(cpuMilliAllocated)
    row.append(running)
    row.append(pending)
  }
}
