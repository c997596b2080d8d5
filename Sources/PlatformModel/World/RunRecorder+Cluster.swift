import ResultStore
import SimKernel

/// Writers for the cluster's tables (docs/SCHEMA.md, "Cluster, training and cost").
struct ClusterTables {
  let nodes: TableWriter
  let workloads: TableWriter
  let costAllocations: TableWriter
  let pods: TableWriter
  let servingPods: TableWriter

  init(store: ResultStore) {
    servingPods = store.tableWriter(
      "serving_pods",
      columns: [
        "run_id", "service", "team", "cost_center", "replica", "attempt", "node_id", "pool", "instance_type",
        "capacity_type", "cpu_millis", "memory_mib", "gpus", "created_at", "scheduled_at", "pending_seconds", "ended_at",
        "outcome", "cost_micro_usd", "cost_usd",
      ])
    pods = store.tableWriter(
      "cluster_pods",
      columns: [
        "run_id", "job_id", "attempt", "worker", "node_id", "pool", "team", "cpu_millis", "memory_mib", "gpus",
        "scheduled_at", "ended_at", "outcome",
      ])
    nodes = store.tableWriter(
      "cluster_nodes",
      columns: [
        "run_id", "node_id", "pool", "instance_type", "capacity_type", "requested_at", "ready_at", "terminated_at",
        "end_reason", "price_usd_per_hour", "billed_seconds", "cost_usd", "cost_micro_usd", "allocated_micro_usd",
        "idle_micro_usd", "on_demand_cost_usd",
      ])
    workloads = store.tableWriter(
      "training_jobs",
      columns: [
        "run_id", "job_id", "team", "cost_center", "template", "workers", "cpu_millis_per_worker",
        "memory_mib_per_worker", "gpus_per_worker", "priority", "capacity_preference", "submitted_at",
        "first_started_at", "finished_at", "outcome", "reason", "queue_wait_seconds", "makespan_seconds",
        "solve_seconds", "checkpoint_interval_seconds", "interruptions", "preemptions", "checkpoints",
        "notice_checkpoints", "lost_gpu_seconds", "allocated_gpu_seconds", "goodput", "cost_usd", "cost_micro_usd",
      ])
    costAllocations = store.tableWriter(
      "cost_allocations",
      columns: [
        "run_id", "allocation", "team", "cost_center", "pool", "instance_type", "capacity_type", "cpu_cost_micro_usd",
        "ram_cost_micro_usd", "gpu_cost_micro_usd", "total_cost_micro_usd", "total_cost_usd",
      ])
  }

  func flush() throws(StoreError) {
    try nodes.flush()
    try workloads.flush()
    try costAllocations.flush()
    try pods.flush()
    try servingPods.flush()
  }
}

extension RunRecorder {
  func recordClusterNode(
    id: NodeID, pool: String, instanceType: String, capacityType: CapacityType, requestedAt: SimTime, readyAt: SimTime?,
    terminatedAt: SimTime?, endReason: NodeEndReason?, priceUSDPerHour: Double, billed: SimDuration, cost: MicroUSD,
    allocated: MicroUSD, onDemandEquivalent: MicroUSD, calendar: SimCalendar
  ) {
    guard failure == nil else { return }
    let writer = clusterTables.nodes
    writer.append(runID.rawValue)
    writer.append(Int64(id.rawValue))
    writer.append(pool)
    writer.append(instanceType)
    writer.append(capacityType.rawValue)
    writer.append(calendar.epochSeconds(at: requestedAt))
    writer.append(readyAt.map { calendar.epochSeconds(at: $0) })
    writer.append(terminatedAt.map { calendar.epochSeconds(at: $0) })
    writer.append(endReason?.rawValue)
    writer.append(priceUSDPerHour)
    writer.append(billed.seconds)
    writer.append(cost.usd)
    writer.append(cost)
    writer.append(allocated)
    writer.append(cost - allocated)
    writer.append(onDemandEquivalent.usd)
    endRow(writer)
  }

  struct TrainingJobRow {
    var id: JobID
    var team: String
    var costCenter: String
    var template: String
    var workers: Int
    var perWorker: Resources
    var priority: Int
    var capacityPreference: String
    var submittedAt: SimTime
    var firstStartedAt: SimTime?
    var finishedAt: SimTime?
    var outcome: String
    var reason: String?
    var solveSeconds: Double
    var checkpointIntervalSeconds: Double?
    var interruptions: Int
    var preemptions: Int
    var checkpoints: Int
    var noticeCheckpoints: Int
    var lostGPUSeconds: Double
    var allocatedGPUSeconds: Double
    var goodput: Double?
    var cost: MicroUSD
  }

  func recordTrainingJob(_ row: TrainingJobRow, calendar: SimCalendar) {
    guard failure == nil else { return }
    let writer = clusterTables.workloads
    writer.append(runID.rawValue)
    writer.append(Int64(row.id.rawValue))
    writer.append(row.team)
    writer.append(row.costCenter)
    writer.append(row.template)
    writer.append(row.workers)
    writer.append(row.perWorker.cpuMillis)
    writer.append(row.perWorker.memoryMiB)
    writer.append(row.perWorker.gpuCount)
    writer.append(row.priority)
    writer.append(row.capacityPreference)
    writer.append(calendar.epochSeconds(at: row.submittedAt))
    writer.append(row.firstStartedAt.map { calendar.epochSeconds(at: $0) })
    writer.append(row.finishedAt.map { calendar.epochSeconds(at: $0) })
    writer.append(row.outcome)
    writer.append(row.reason)
    writer.append(row.firstStartedAt.map { ($0 - row.submittedAt).seconds })
    writer.append(row.finishedAt.flatMap { finished in row.firstStartedAt.map { (finished - $0).seconds } })
    writer.append(row.solveSeconds)
    writer.append(row.checkpointIntervalSeconds)
    writer.append(row.interruptions)
    writer.append(row.preemptions)
    writer.append(row.checkpoints)
    writer.append(row.noticeCheckpoints)
    writer.append(row.lostGPUSeconds)
    writer.append(row.allocatedGPUSeconds)
    writer.append(row.goodput)
    writer.append(row.cost.usd)
    writer.append(row.cost)
    endRow(writer)
  }

  func recordClusterPod(
    job: JobID, attempt: Int, worker: Int, node: NodeID, pool: String, team: String, request: Resources,
    scheduledAt: SimTime, endedAt: SimTime?, outcome: String, calendar: SimCalendar
  ) {
    guard failure == nil else { return }
    let writer = clusterTables.pods
    writer.append(runID.rawValue)
    writer.append(Int64(job.rawValue))
    writer.append(attempt)
    writer.append(worker)
    writer.append(Int64(node.rawValue))
    writer.append(pool)
    writer.append(team)
    writer.append(request.cpuMillis)
    writer.append(request.memoryMiB)
    writer.append(request.gpuCount)
    writer.append(calendar.epochSeconds(at: scheduledAt))
    writer.append(endedAt.map { calendar.epochSeconds(at: $0) })
    writer.append(outcome)
    endRow(writer)
  }

  /// One `serving_pods` row: one attempt of a serving replica pod on its node.
  struct ServingPodRow {
    var service: String
    var team: String
    var costCenter: String
    var replica: Int32
    var attempt: Int
    var node: NodeID
    var pool: String
    var instanceType: String
    var capacityType: CapacityType
    var request: Resources
    var createdAt: SimTime
    var scheduledAt: SimTime
    var endedAt: SimTime?
    var outcome: String
    var cost: MicroUSD
  }

  func recordServingPod(_ row: ServingPodRow, calendar: SimCalendar) {
    guard failure == nil else { return }
    let writer = clusterTables.servingPods
    writer.append(runID.rawValue)
    writer.append(row.service)
    writer.append(row.team)
    writer.append(row.costCenter)
    writer.append(Int64(row.replica))
    writer.append(row.attempt)
    writer.append(Int64(row.node.rawValue))
    writer.append(row.pool)
    writer.append(row.instanceType)
    writer.append(row.capacityType.rawValue)
    writer.append(row.request.cpuMillis)
    writer.append(row.request.memoryMiB)
    writer.append(row.request.gpuCount)
    writer.append(calendar.epochSeconds(at: row.createdAt))
    writer.append(calendar.epochSeconds(at: row.scheduledAt))
    writer.append((row.scheduledAt - row.createdAt).seconds)
    writer.append(row.endedAt.map { calendar.epochSeconds(at: $0) })
    writer.append(row.outcome)
    writer.append(row.cost)
    writer.append(row.cost.usd)
    endRow(writer)
  }

  func recordCostAllocation(
    allocation: String, team: String, costCenter: String, pool: String, instanceType: String, capacityType: CapacityType,
    parts: CostParts
  ) {
    guard failure == nil else { return }
    let writer = clusterTables.costAllocations
    writer.append(runID.rawValue)
    writer.append(allocation)
    writer.append(team)
    writer.append(costCenter)
    writer.append(pool)
    writer.append(instanceType)
    writer.append(capacityType.rawValue)
    writer.append(parts.cpu)
    writer.append(parts.ram)
    writer.append(parts.gpu)
    writer.append(parts.total)
    writer.append(parts.total.usd)
    endRow(writer)
  }
}
