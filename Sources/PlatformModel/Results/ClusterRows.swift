import ResultRows
import SimKernel

/// The streams of the cluster's per-entity tables (docs/SCHEMA.md), taken once when
/// the cluster is built with `recordRows` on.
struct ClusterRows {
  let nodes: TableRows<ClusterNodeRow>
  let trainingJobs: TableRows<TrainingJobRow>
  let pods: TableRows<ClusterPodRow>
  let servingPods: TableRows<ServingPodRow>

  init(_ rows: RunRows) {
    servingPods = rows.table(ServingPodRow.self)
    pods = rows.table(ClusterPodRow.self)
    nodes = rows.table(ClusterNodeRow.self)
    trainingJobs = rows.table(TrainingJobRow.self)
  }
}

extension ClusterNodeRow {
  /// A node's row: times as epoch seconds, costs in USD and micro-USD.
  init(
    id: NodeID, pool: String, instanceType: String, capacityType: CapacityType, requestedAt: SimTime, readyAt: SimTime?,
    terminatedAt: SimTime?, endReason: NodeEndReason?, priceUSDPerHour: Double, billed: SimDuration, cost: MicroUSD,
    allocated: MicroUSD, onDemandEquivalent: MicroUSD, spotLoss: SpotLoss, calendar: SimCalendar
  ) {
    self.init(
      nodeID: Int64(id.rawValue), pool: pool, instanceType: instanceType, capacityType: capacityType.rawValue,
      requestedAt: calendar.epochSeconds(at: requestedAt), readyAt: readyAt.map { calendar.epochSeconds(at: $0) },
      terminatedAt: terminatedAt.map { calendar.epochSeconds(at: $0) }, endReason: endReason?.rawValue,
      priceUSDPerHour: priceUSDPerHour, billedSeconds: billed.seconds, costUSD: cost.usd, costMicroUSD: cost,
      allocatedMicroUSD: allocated, idleMicroUSD: cost - allocated, onDemandCostUSD: onDemandEquivalent.usd,
      spotLostWorkSeconds: spotLoss.lostWork.seconds, spotRerunSeconds: spotLoss.rerun.seconds)
  }
}

extension TrainingJobRow {
  /// A training job's row: times as epoch seconds, waits and makespan derived from them.
  init(
    id: JobID, team: String, costCenter: String, template: String, workers: Int, perWorker: Resources, priority: Int,
    capacityPreference: String, submittedAt: SimTime, firstStartedAt: SimTime?, finishedAt: SimTime?, outcome: String,
    reason: String?, solveSeconds: Double, checkpointIntervalSeconds: Double?, interruptions: Int, preemptions: Int,
    checkpoints: Int, noticeCheckpoints: Int, lostGPUSeconds: Double, allocatedGPUSeconds: Double, goodput: Double?,
    cost: MicroUSD, calendar: SimCalendar
  ) {
    self.init(
      jobID: Int64(id.rawValue), team: team, costCenter: costCenter, template: template, workers: workers,
      cpuMillisPerWorker: perWorker.cpuMillis, memoryMiBPerWorker: perWorker.memoryMiB,
      gpusPerWorker: perWorker.gpuCount, priority: priority, capacityPreference: capacityPreference,
      submittedAt: calendar.epochSeconds(at: submittedAt),
      firstStartedAt: firstStartedAt.map { calendar.epochSeconds(at: $0) },
      finishedAt: finishedAt.map { calendar.epochSeconds(at: $0) }, outcome: outcome, reason: reason,
      queueWaitSeconds: firstStartedAt.map { ($0 - submittedAt).seconds },
      makespanSeconds: finishedAt.flatMap { finished in firstStartedAt.map { (finished - $0).seconds } },
      solveSeconds: solveSeconds, checkpointIntervalSeconds: checkpointIntervalSeconds, interruptions: interruptions,
      preemptions: preemptions, checkpoints: checkpoints, noticeCheckpoints: noticeCheckpoints,
      lostGPUSeconds: lostGPUSeconds, allocatedGPUSeconds: allocatedGPUSeconds, goodput: goodput, costUSD: cost.usd,
      costMicroUSD: cost)
  }
}

extension ClusterPodRow {
  /// A worker pod's row: times as epoch seconds.
  init(
    job: JobID, attempt: Int, worker: Int, node: NodeID, pool: String, team: String, request: Resources,
    scheduledAt: SimTime, endedAt: SimTime?, outcome: String, calendar: SimCalendar
  ) {
    self.init(
      jobID: Int64(job.rawValue), attempt: attempt, worker: worker, nodeID: Int64(node.rawValue), pool: pool,
      team: team,
      cpuMillis: request.cpuMillis, memoryMiB: request.memoryMiB, gpus: request.gpuCount,
      scheduledAt: calendar.epochSeconds(at: scheduledAt), endedAt: endedAt.map { calendar.epochSeconds(at: $0) },
      outcome: outcome)
  }
}

extension ServingPodRow {
  /// A serving replica pod's row: times as epoch seconds, the pending time between
  /// creation and binding.
  init(
    service: String, team: String, costCenter: String, replica: Int32, attempt: Int, node: NodeID, pool: String,
    instanceType: String, capacityType: CapacityType, request: Resources, createdAt: SimTime, scheduledAt: SimTime,
    endedAt: SimTime?, outcome: String, cost: MicroUSD, calendar: SimCalendar
  ) {
    self.init(
      service: service, team: team, costCenter: costCenter, replica: Int64(replica), attempt: attempt,
      nodeID: Int64(node.rawValue), pool: pool, instanceType: instanceType, capacityType: capacityType.rawValue,
      cpuMillis: request.cpuMillis, memoryMiB: request.memoryMiB, gpus: request.gpuCount,
      createdAt: calendar.epochSeconds(at: createdAt), scheduledAt: calendar.epochSeconds(at: scheduledAt),
      pendingSeconds: (scheduledAt - createdAt).seconds, endedAt: endedAt.map { calendar.epochSeconds(at: $0) },
      outcome: outcome, costMicroUSD: cost, costUSD: cost.usd)
  }
}

extension CostAllocationRow {
  /// A cost allocation's row: OpenCost's CPU, RAM and GPU parts and their total.
  init(
    allocation: String, team: String, costCenter: String, pool: String, instanceType: String,
    capacityType: CapacityType,
    parts: CostParts
  ) {
    self.init(
      allocation: allocation, team: team, costCenter: costCenter, pool: pool, instanceType: instanceType,
      capacityType: capacityType.rawValue, cpuCostMicroUSD: parts.cpu, ramCostMicroUSD: parts.ram,
      gpuCostMicroUSD: parts.gpu, totalCostMicroUSD: parts.total, totalCostUSD: parts.total.usd)
  }
}
