import Policies
import ResultRows
import SimKernel

/// The node pool of one GPU model in a replay: the catalogue instance type it stands for
/// and the price of one of its GPU-hours, for cost attribution (docs/TRACES.md).
public struct ReplayPool: Sendable, Equatable {
  /// The trace's GPU model (`T4`, `V100M32`, …); `nil`: the CPU-only nodes.
  public var model: String?
  public var instanceType: String
  /// USD per GPU-hour (per node-hour for the CPU-only pool); `nil`: not priced.
  public var pricePerGPUHour: Double?

  public init(model: String?, instanceType: String, pricePerGPUHour: Double?) {
    self.model = model
    self.instanceType = instanceType
    self.pricePerGPUHour = pricePerGPUHour
  }

  /// The pool's name in `cost_allocations`.
  public var name: String { model.map { "gpu-\($0)" } ?? "cpu" }
}

/// A trace replayed inside a scenario run (`spec.replay`).
///
/// The items and nodes are read at load, with how to replay them. The run's seed drives the bootstrap modes, so
/// replications resample and common random numbers hold.
public struct TraceReplayPlan: Sendable {
  public var trace: String
  public var items: [ReplayItem]
  public var nodes: [ReplayNodeSpec]
  public var mode: ReplayMode
  public var scoring: GPUNodeScoring
  public var sampleInterval: SimDuration
  public var pools: [ReplayPool]

  public init(
    trace: String, items: [ReplayItem], nodes: [ReplayNodeSpec], mode: ReplayMode, scoring: GPUNodeScoring,
    sampleInterval: SimDuration, pools: [ReplayPool]
  ) {
    self.trace = trace
    self.items = items
    self.nodes = nodes
    self.mode = mode
    self.scoring = scoring
    self.sampleInterval = sampleInterval
    self.pools = pools
  }

  /// Replays the trace until `end` (the run's window); `nodeOrder`: an external
  /// `gpuNodeOrder` policy choosing each pod's node.
  public func run(seed: RandomSeed, end: SimTime, nodeOrder: (any GPUNodeOrderPolicy)? = nil) -> TraceReplayResult {
    TraceReplay.run(
      items: items, nodes: nodes,
      configuration: ReplayConfiguration(
        trace: trace, mode: mode, scoring: scoring, sampleInterval: sampleInterval, end: end, seed: seed),
      nodeOrder: nodeOrder)
  }

  /// The pool of nodes of GPU model `model`.
  public func pool(of model: String?) -> ReplayPool? { pools.first { $0.model == model } }
}

extension RunRows {
  /// Writes a replay's `trace_items`, `trace_allocation` and `cost_allocations` rows.
  ///
  /// Costs are GPU-hours held × the pool's price per GPU-hour, per team (its cost
  /// centre from `costCenters`, else the team itself); each GPU pool's capacity not
  /// held by any item over the window is its `__idle__` row, as OpenCost splits a
  /// node's cost into allocations and idle.
  public func emitReplay(
    _ result: TraceReplayResult, plan: TraceReplayPlan, calendar: SimCalendar, costCenters: [String: String]
  ) {
    let end = result.end
    let epoch = { (time: SimTime) in calendar.epochSeconds(at: time) }
    let itemRows = table(TraceItemRow.self)
    var heldByTeamAndModel: [String: [String?: Double]] = [:]
    var teamOrder: [String] = []
    for outcome in result.outcomes {
      let hours = Self.gpuHours(outcome, end: end)
      let price = plan.pool(of: outcome.gpuModel)?.pricePerGPUHour
      let cost: Double? = outcome.started == nil || outcome.request.gpuCount == 0 ? 0 : price.map { hours * $0 }
      let run = outcome.started.map { ((outcome.finished ?? end) - $0).seconds }
      itemRows.append(
        TraceItemRow(
          trace: outcome.trace, name: outcome.name, team: outcome.team, submittedAt: epoch(outcome.submitted),
          startedAt: outcome.started.map(epoch), endedAt: outcome.finished.map(epoch),
          waitSeconds: outcome.wait?.seconds, recordedWaitSeconds: outcome.recordedWait?.seconds, runSeconds: run,
          node: outcome.node, gpuModel: outcome.gpuModel, workers: outcome.gangSize, cpuMilli: outcome.request.cpuMilli,
          memoryMiB: outcome.request.memoryMiB, gpus: outcome.request.gpuCount,
          gpuMilli: outcome.request.gpuCount == 0 ? 0 : outcome.request.gpuMilli, recordedPhase: outcome.recordedPhase,
          outcome: outcome.status.rawValue, gpuHours: hours, costUSD: cost))
      guard hours > 0 else { continue }
      let team = outcome.team ?? "unknown"
      if heldByTeamAndModel[team] == nil { teamOrder.append(team) }
      heldByTeamAndModel[team, default: [:]][outcome.gpuModel, default: 0] += hours
    }
    itemRows.flush()
    let allocationRows = table(TraceAllocationRow.self)
    for sample in result.samples {
      allocationRows.append(
        TraceAllocationRow(
          sampledAt: epoch(sample.time), gpuMilliTotal: sample.totalGPUMilli,
          gpuMilliAllocated: sample.allocatedGPUMilli, gpuAllocation: sample.gpuAllocation,
          gpuMilliFragmented: sample.fragmentedGPUMilli, cpuMilliAllocated: sample.allocatedCPUMilli,
          running: sample.runningItems, pending: sample.pendingItems))
    }
    allocationRows.flush()
    let costRows = table(CostAllocationRow.self)
    let windowHours = (end - SimTime.zero).seconds / 3600
    for pool in plan.pools {
      guard let price = pool.pricePerGPUHour, let model = pool.model else { continue }
      var held = 0.0
      for team in teamOrder {
        guard let hours = heldByTeamAndModel[team]?[model], hours > 0 else { continue }
        held += hours
        costRows.append(
          Self.costRow(
            allocation: "workload", team: team, costCenter: costCenters[team] ?? team, pool: pool, usd: hours * price))
      }
      let capacity = Double(plan.nodes.filter { $0.model == model }.reduce(0) { $0 + $1.gpus }) * windowHours
      costRows.append(
        Self.costRow(
          allocation: "__idle__", team: "__idle__", costCenter: "__idle__", pool: pool,
          usd: max(0, capacity - held) * price))
    }
    costRows.flush()
  }

  static func costRow(allocation: String, team: String, costCenter: String, pool: ReplayPool, usd: Double)
    -> CostAllocationRow
  {
    let micro = Int64((usd * 1_000_000).rounded())
    return CostAllocationRow(
      allocation: allocation, team: team, costCenter: costCenter, pool: pool.name, instanceType: pool.instanceType,
      capacityType: "on-demand", cpuCostMicroUSD: 0, ramCostMicroUSD: 0, gpuCostMicroUSD: micro,
      totalCostMicroUSD: micro, totalCostUSD: Double(micro) / 1_000_000)
  }

  /// GPU-hours an outcome held until `end` (items still running are held to the end).
  static func gpuHours(_ outcome: ReplayOutcome, end: SimTime) -> Double {
    guard let started = outcome.started else { return 0 }
    let held = ((outcome.finished ?? end) - started).seconds / 3600
    return Double(outcome.request.gpuMilliTotal * outcome.gangSize) / 1000 * held
  }
}

extension WorldConfiguration {
  /// Each configured team's cost centre (its `governance.costCenterTag` tag), for the
  /// replay's cost rows; trace teams not configured are their own cost centre.
  public var replayCostCenters: [String: String] {
    var centers: [String: String] = [:]
    for team in teams {
      if let center = team.tags.first(where: { $0.key == governance.costCenterTag })?.value {
        centers[team.name] = center
      }
    }
    return centers
  }
}
