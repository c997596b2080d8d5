/// One `cluster_nodes` row: a node from its launch request to its removal, and its cost
/// (docs/SCHEMA.md).
public struct ClusterNodeRow: ResultRow, Equatable {
  public static let table = ResultTable<ClusterNodeRow>(
    "cluster_nodes", perRun: true,
    columns: [
      .column("node_id", \.nodeID),
      .column("pool", \.pool),
      .column("instance_type", \.instanceType),
      .column("capacity_type", \.capacityType),
      .column("requested_at", \.requestedAt),
      .column("ready_at", \.readyAt),
      .column("terminated_at", \.terminatedAt),
      .column("end_reason", \.endReason),
      .column("price_usd_per_hour", \.priceUSDPerHour),
      .column("billed_seconds", \.billedSeconds),
      .column("cost_usd", \.costUSD),
      .column("cost_micro_usd", \.costMicroUSD),
      .column("allocated_micro_usd", \.allocatedMicroUSD),
      .column("idle_micro_usd", \.idleMicroUSD),
      .column("on_demand_cost_usd", \.onDemandCostUSD),
      .column("spot_lost_work_seconds", \.spotLostWorkSeconds),
      .column("spot_rerun_seconds", \.spotRerunSeconds),
    ])

  public var nodeID: Int64
  public var pool: String
  public var instanceType: String
  /// `on-demand` or `spot`.
  public var capacityType: String
  public var requestedAt: Double
  public var readyAt: Double?
  public var terminatedAt: Double?
  public var endReason: String?
  public var priceUSDPerHour: Double
  public var billedSeconds: Double
  public var costUSD: Double
  public var costMicroUSD: Int64
  /// Charged to workloads.
  public var allocatedMicroUSD: Int64
  /// The remainder (`__idle__`).
  public var idleMicroUSD: Int64
  /// The same time at the on-demand price.
  public var onDemandCostUSD: Double
  /// Node time spent on training work a spot loss threw away (docs/KPIS.md, spot savings).
  public var spotLostWorkSeconds: Double
  /// Node time spent restarting training jobs after a spot loss.
  public var spotRerunSeconds: Double

  @inlinable public init(
    nodeID: Int64, pool: String, instanceType: String, capacityType: String, requestedAt: Double, readyAt: Double?,
    terminatedAt: Double?, endReason: String?, priceUSDPerHour: Double, billedSeconds: Double, costUSD: Double,
    costMicroUSD: Int64, allocatedMicroUSD: Int64, idleMicroUSD: Int64, onDemandCostUSD: Double,
    spotLostWorkSeconds: Double = 0, spotRerunSeconds: Double = 0
  ) {
    self.nodeID = nodeID
    self.pool = pool
    self.instanceType = instanceType
    self.capacityType = capacityType
    self.requestedAt = requestedAt
    self.readyAt = readyAt
    self.terminatedAt = terminatedAt
    self.endReason = endReason
    self.priceUSDPerHour = priceUSDPerHour
    self.billedSeconds = billedSeconds
    self.costUSD = costUSD
    self.costMicroUSD = costMicroUSD
    self.allocatedMicroUSD = allocatedMicroUSD
    self.idleMicroUSD = idleMicroUSD
    self.onDemandCostUSD = onDemandCostUSD
    self.spotLostWorkSeconds = spotLostWorkSeconds
    self.spotRerunSeconds = spotRerunSeconds
  }

  public init(from row: RowReader<ClusterNodeRow>) throws(RowDecodingError) {
    self.init(
      nodeID: try row[\.nodeID], pool: try row[\.pool], instanceType: try row[\.instanceType],
      capacityType: try row[\.capacityType], requestedAt: try row[\.requestedAt], readyAt: try row[\.readyAt],
      terminatedAt: try row[\.terminatedAt], endReason: try row[\.endReason],
      priceUSDPerHour: try row[\.priceUSDPerHour], billedSeconds: try row[\.billedSeconds], costUSD: try row[\.costUSD],
      costMicroUSD: try row[\.costMicroUSD], allocatedMicroUSD: try row[\.allocatedMicroUSD],
      idleMicroUSD: try row[\.idleMicroUSD], onDemandCostUSD: try row[\.onDemandCostUSD],
      spotLostWorkSeconds: try row[\.spotLostWorkSeconds], spotRerunSeconds: try row[\.spotRerunSeconds])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(nodeID)
    row.append(pool)
    row.append(instanceType)
    row.append(capacityType)
    row.append(requestedAt)
    row.append(readyAt)
    row.append(terminatedAt)
    row.append(endReason)
    row.append(priceUSDPerHour)
    row.append(billedSeconds)
    row.append(costUSD)
    row.append(costMicroUSD)
    row.append(allocatedMicroUSD)
    row.append(idleMicroUSD)
    row.append(onDemandCostUSD)
    row.append(spotLostWorkSeconds)
    row.append(spotRerunSeconds)
  }
}

/// One `training_jobs` row: a training job (a gang of workers), what it asked for, how
/// it went and what it cost (docs/SCHEMA.md).
public struct TrainingJobRow: ResultRow, Equatable {
  public static let table = ResultTable<TrainingJobRow>(
    "training_jobs", perRun: true,
    columns: [
      .column("job_id", \.jobID),
      .column("team", \.team),
      .column("cost_center", \.costCenter),
      .column("template", \.template),
      .column("workers", \.workers),
      .column("cpu_millis_per_worker", \.cpuMillisPerWorker),
      .column("memory_mib_per_worker", \.memoryMiBPerWorker),
      .column("gpus_per_worker", \.gpusPerWorker),
      .column("priority", \.priority),
      .column("capacity_preference", \.capacityPreference),
      .column("submitted_at", \.submittedAt),
      .column("first_started_at", \.firstStartedAt),
      .column("finished_at", \.finishedAt),
      .column("outcome", \.outcome),
      .column("reason", \.reason),
      .column("queue_wait_seconds", \.queueWaitSeconds),
      .column("makespan_seconds", \.makespanSeconds),
      .column("solve_seconds", \.solveSeconds),
      .column("checkpoint_interval_seconds", \.checkpointIntervalSeconds),
      .column("interruptions", \.interruptions),
      .column("preemptions", \.preemptions),
      .column("checkpoints", \.checkpoints),
      .column("notice_checkpoints", \.noticeCheckpoints),
      .column("lost_gpu_seconds", \.lostGPUSeconds),
      .column("allocated_gpu_seconds", \.allocatedGPUSeconds),
      .column("goodput", \.goodput),
      .column("cost_usd", \.costUSD),
      .column("cost_micro_usd", \.costMicroUSD),
    ])

  public var jobID: Int64
  public var team: String
  public var costCenter: String
  public var template: String
  public var workers: Int
  public var cpuMillisPerWorker: Int64
  public var memoryMiBPerWorker: Int64
  public var gpusPerWorker: Int64
  public var priority: Int
  public var capacityPreference: String
  public var submittedAt: Double
  public var firstStartedAt: Double?
  public var finishedAt: Double?
  public var outcome: String
  public var reason: String?
  public var queueWaitSeconds: Double?
  public var makespanSeconds: Double?
  /// Failure-free compute time T_s.
  public var solveSeconds: Double
  public var checkpointIntervalSeconds: Double?
  public var interruptions: Int
  public var preemptions: Int
  public var checkpoints: Int
  public var noticeCheckpoints: Int
  public var lostGPUSeconds: Double
  public var allocatedGPUSeconds: Double
  public var goodput: Double?
  public var costUSD: Double
  public var costMicroUSD: Int64

  @inlinable public init(
    jobID: Int64, team: String, costCenter: String, template: String, workers: Int, cpuMillisPerWorker: Int64,
    memoryMiBPerWorker: Int64, gpusPerWorker: Int64, priority: Int, capacityPreference: String, submittedAt: Double,
    firstStartedAt: Double?, finishedAt: Double?, outcome: String, reason: String?, queueWaitSeconds: Double?,
    makespanSeconds: Double?, solveSeconds: Double, checkpointIntervalSeconds: Double?, interruptions: Int,
    preemptions: Int, checkpoints: Int, noticeCheckpoints: Int, lostGPUSeconds: Double, allocatedGPUSeconds: Double,
    goodput: Double?, costUSD: Double, costMicroUSD: Int64
  ) {
    self.jobID = jobID
    self.team = team
    self.costCenter = costCenter
    self.template = template
    self.workers = workers
    self.cpuMillisPerWorker = cpuMillisPerWorker
    self.memoryMiBPerWorker = memoryMiBPerWorker
    self.gpusPerWorker = gpusPerWorker
    self.priority = priority
    self.capacityPreference = capacityPreference
    self.submittedAt = submittedAt
    self.firstStartedAt = firstStartedAt
    self.finishedAt = finishedAt
    self.outcome = outcome
    self.reason = reason
    self.queueWaitSeconds = queueWaitSeconds
    self.makespanSeconds = makespanSeconds
    self.solveSeconds = solveSeconds
    self.checkpointIntervalSeconds = checkpointIntervalSeconds
    self.interruptions = interruptions
    self.preemptions = preemptions
    self.checkpoints = checkpoints
    self.noticeCheckpoints = noticeCheckpoints
    self.lostGPUSeconds = lostGPUSeconds
    self.allocatedGPUSeconds = allocatedGPUSeconds
    self.goodput = goodput
    self.costUSD = costUSD
    self.costMicroUSD = costMicroUSD
  }

  public init(from row: RowReader<TrainingJobRow>) throws(RowDecodingError) {
    self.init(
      jobID: try row[\.jobID], team: try row[\.team], costCenter: try row[\.costCenter], template: try row[\.template],
      workers: try row[\.workers], cpuMillisPerWorker: try row[\.cpuMillisPerWorker],
      memoryMiBPerWorker: try row[\.memoryMiBPerWorker], gpusPerWorker: try row[\.gpusPerWorker],
      priority: try row[\.priority], capacityPreference: try row[\.capacityPreference],
      submittedAt: try row[\.submittedAt], firstStartedAt: try row[\.firstStartedAt], finishedAt: try row[\.finishedAt],
      outcome: try row[\.outcome], reason: try row[\.reason], queueWaitSeconds: try row[\.queueWaitSeconds],
      makespanSeconds: try row[\.makespanSeconds], solveSeconds: try row[\.solveSeconds],
      checkpointIntervalSeconds: try row[\.checkpointIntervalSeconds], interruptions: try row[\.interruptions],
      preemptions: try row[\.preemptions], checkpoints: try row[\.checkpoints],
      noticeCheckpoints: try row[\.noticeCheckpoints], lostGPUSeconds: try row[\.lostGPUSeconds],
      allocatedGPUSeconds: try row[\.allocatedGPUSeconds], goodput: try row[\.goodput], costUSD: try row[\.costUSD],
      costMicroUSD: try row[\.costMicroUSD])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(jobID)
    row.append(team)
    row.append(costCenter)
    row.append(template)
    row.append(workers)
    row.append(cpuMillisPerWorker)
    row.append(memoryMiBPerWorker)
    row.append(gpusPerWorker)
    row.append(priority)
    row.append(capacityPreference)
    row.append(submittedAt)
    row.append(firstStartedAt)
    row.append(finishedAt)
    row.append(outcome)
    row.append(reason)
    row.append(queueWaitSeconds)
    row.append(makespanSeconds)
    row.append(solveSeconds)
    row.append(checkpointIntervalSeconds)
    row.append(interruptions)
    row.append(preemptions)
    row.append(checkpoints)
    row.append(noticeCheckpoints)
    row.append(lostGPUSeconds)
    row.append(allocatedGPUSeconds)
    row.append(goodput)
    row.append(costUSD)
    row.append(costMicroUSD)
  }
}

/// One `cluster_pods` row: one worker pod of one attempt of a training job.
public struct ClusterPodRow: ResultRow, Equatable {
  public static let table = ResultTable<ClusterPodRow>(
    "cluster_pods", perRun: true,
    columns: [
      .column("job_id", \.jobID),
      .column("attempt", \.attempt),
      .column("worker", \.worker),
      .column("node_id", \.nodeID),
      .column("pool", \.pool),
      .column("team", \.team),
      .column("cpu_millis", \.cpuMillis),
      .column("memory_mib", \.memoryMiB),
      .column("gpus", \.gpus),
      .column("scheduled_at", \.scheduledAt),
      .column("ended_at", \.endedAt),
      .column("outcome", \.outcome),
    ])

  public var jobID: Int64
  public var attempt: Int
  public var worker: Int
  public var nodeID: Int64
  public var pool: String
  public var team: String
  public var cpuMillis: Int64
  public var memoryMiB: Int64
  public var gpus: Int64
  public var scheduledAt: Double
  public var endedAt: Double?
  public var outcome: String

  @inlinable public init(
    jobID: Int64, attempt: Int, worker: Int, nodeID: Int64, pool: String, team: String, cpuMillis: Int64,
    memoryMiB: Int64, gpus: Int64, scheduledAt: Double, endedAt: Double?, outcome: String
  ) {
    self.jobID = jobID
    self.attempt = attempt
    self.worker = worker
    self.nodeID = nodeID
    self.pool = pool
    self.team = team
    self.cpuMillis = cpuMillis
    self.memoryMiB = memoryMiB
    self.gpus = gpus
    self.scheduledAt = scheduledAt
    self.endedAt = endedAt
    self.outcome = outcome
  }

  public init(from row: RowReader<ClusterPodRow>) throws(RowDecodingError) {
    self.init(
      jobID: try row[\.jobID], attempt: try row[\.attempt], worker: try row[\.worker], nodeID: try row[\.nodeID],
      pool: try row[\.pool], team: try row[\.team], cpuMillis: try row[\.cpuMillis], memoryMiB: try row[\.memoryMiB],
      gpus: try row[\.gpus], scheduledAt: try row[\.scheduledAt], endedAt: try row[\.endedAt],
      outcome: try row[\.outcome])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(jobID)
    row.append(attempt)
    row.append(worker)
    row.append(nodeID)
    row.append(pool)
    row.append(team)
    row.append(cpuMillis)
    row.append(memoryMiB)
    row.append(gpus)
    row.append(scheduledAt)
    row.append(endedAt)
    row.append(outcome)
  }
}

/// One `serving_pods` row: one attempt of a serving replica pod on its node.
public struct ServingPodRow: ResultRow, Equatable {
  public static let table = ResultTable<ServingPodRow>(
    "serving_pods", perRun: true,
    columns: [
      .column("service", \.service),
      .column("team", \.team),
      .column("cost_center", \.costCenter),
      .column("replica", \.replica),
      .column("attempt", \.attempt),
      .column("node_id", \.nodeID),
      .column("pool", \.pool),
      .column("instance_type", \.instanceType),
      .column("capacity_type", \.capacityType),
      .column("cpu_millis", \.cpuMillis),
      .column("memory_mib", \.memoryMiB),
      .column("gpus", \.gpus),
      .column("created_at", \.createdAt),
      .column("scheduled_at", \.scheduledAt),
      .column("pending_seconds", \.pendingSeconds),
      .column("ended_at", \.endedAt),
      .column("outcome", \.outcome),
      .column("cost_micro_usd", \.costMicroUSD),
      .column("cost_usd", \.costUSD),
    ])

  public var service: String
  public var team: String
  public var costCenter: String
  public var replica: Int64
  public var attempt: Int
  public var nodeID: Int64
  public var pool: String
  public var instanceType: String
  public var capacityType: String
  public var cpuMillis: Int64
  public var memoryMiB: Int64
  public var gpus: Int64
  public var createdAt: Double
  public var scheduledAt: Double
  public var pendingSeconds: Double
  public var endedAt: Double?
  public var outcome: String
  public var costMicroUSD: Int64
  public var costUSD: Double

  @inlinable public init(
    service: String, team: String, costCenter: String, replica: Int64, attempt: Int, nodeID: Int64, pool: String,
    instanceType: String, capacityType: String, cpuMillis: Int64, memoryMiB: Int64, gpus: Int64, createdAt: Double,
    scheduledAt: Double, pendingSeconds: Double, endedAt: Double?, outcome: String, costMicroUSD: Int64, costUSD: Double
  ) {
    self.service = service
    self.team = team
    self.costCenter = costCenter
    self.replica = replica
    self.attempt = attempt
    self.nodeID = nodeID
    self.pool = pool
    self.instanceType = instanceType
    self.capacityType = capacityType
    self.cpuMillis = cpuMillis
    self.memoryMiB = memoryMiB
    self.gpus = gpus
    self.createdAt = createdAt
    self.scheduledAt = scheduledAt
    self.pendingSeconds = pendingSeconds
    self.endedAt = endedAt
    self.outcome = outcome
    self.costMicroUSD = costMicroUSD
    self.costUSD = costUSD
  }

  public init(from row: RowReader<ServingPodRow>) throws(RowDecodingError) {
    self.init(
      service: try row[\.service], team: try row[\.team], costCenter: try row[\.costCenter],
      replica: try row[\.replica], attempt: try row[\.attempt], nodeID: try row[\.nodeID], pool: try row[\.pool],
      instanceType: try row[\.instanceType], capacityType: try row[\.capacityType], cpuMillis: try row[\.cpuMillis],
      memoryMiB: try row[\.memoryMiB], gpus: try row[\.gpus], createdAt: try row[\.createdAt],
      scheduledAt: try row[\.scheduledAt], pendingSeconds: try row[\.pendingSeconds], endedAt: try row[\.endedAt],
      outcome: try row[\.outcome], costMicroUSD: try row[\.costMicroUSD], costUSD: try row[\.costUSD])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(service)
    row.append(team)
    row.append(costCenter)
    row.append(replica)
    row.append(attempt)
    row.append(nodeID)
    row.append(pool)
    row.append(instanceType)
    row.append(capacityType)
    row.append(cpuMillis)
    row.append(memoryMiB)
    row.append(gpus)
    row.append(createdAt)
    row.append(scheduledAt)
    row.append(pendingSeconds)
    row.append(endedAt)
    row.append(outcome)
    row.append(costMicroUSD)
    row.append(costUSD)
  }
}

/// One `cost_allocations` row: node cost charged to a team (or left idle) per pool and
/// instance type, split like OpenCost into CPU, RAM and GPU.
public struct CostAllocationRow: ResultRow, Equatable {
  public static let table = ResultTable<CostAllocationRow>(
    "cost_allocations", perRun: true,
    columns: [
      .column("allocation", \.allocation),
      .column("team", \.team),
      .column("cost_center", \.costCenter),
      .column("pool", \.pool),
      .column("instance_type", \.instanceType),
      .column("capacity_type", \.capacityType),
      .column("cpu_cost_micro_usd", \.cpuCostMicroUSD),
      .column("ram_cost_micro_usd", \.ramCostMicroUSD),
      .column("gpu_cost_micro_usd", \.gpuCostMicroUSD),
      .column("total_cost_micro_usd", \.totalCostMicroUSD),
      .column("total_cost_usd", \.totalCostUSD),
    ])

  /// `workload` or `__idle__`.
  public var allocation: String
  public var team: String
  public var costCenter: String
  public var pool: String
  public var instanceType: String
  public var capacityType: String
  public var cpuCostMicroUSD: Int64
  public var ramCostMicroUSD: Int64
  public var gpuCostMicroUSD: Int64
  public var totalCostMicroUSD: Int64
  public var totalCostUSD: Double

  @inlinable public init(
    allocation: String, team: String, costCenter: String, pool: String, instanceType: String, capacityType: String,
    cpuCostMicroUSD: Int64, ramCostMicroUSD: Int64, gpuCostMicroUSD: Int64, totalCostMicroUSD: Int64,
    totalCostUSD: Double
  ) {
    self.allocation = allocation
    self.team = team
    self.costCenter = costCenter
    self.pool = pool
    self.instanceType = instanceType
    self.capacityType = capacityType
    self.cpuCostMicroUSD = cpuCostMicroUSD
    self.ramCostMicroUSD = ramCostMicroUSD
    self.gpuCostMicroUSD = gpuCostMicroUSD
    self.totalCostMicroUSD = totalCostMicroUSD
    self.totalCostUSD = totalCostUSD
  }

  public init(from row: RowReader<CostAllocationRow>) throws(RowDecodingError) {
    self.init(
      allocation: try row[\.allocation], team: try row[\.team], costCenter: try row[\.costCenter],
      pool: try row[\.pool], instanceType: try row[\.instanceType], capacityType: try row[\.capacityType],
      cpuCostMicroUSD: try row[\.cpuCostMicroUSD], ramCostMicroUSD: try row[\.ramCostMicroUSD],
      gpuCostMicroUSD: try row[\.gpuCostMicroUSD], totalCostMicroUSD: try row[\.totalCostMicroUSD],
      totalCostUSD: try row[\.totalCostUSD])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(allocation)
    row.append(team)
    row.append(costCenter)
    row.append(pool)
    row.append(instanceType)
    row.append(capacityType)
    row.append(cpuCostMicroUSD)
    row.append(ramCostMicroUSD)
    row.append(gpuCostMicroUSD)
    row.append(totalCostMicroUSD)
    row.append(totalCostUSD)
  }
}
