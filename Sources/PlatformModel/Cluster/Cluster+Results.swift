import ResultRows
import SimKernel

/// Rows and run metrics of the cluster (docs/SCHEMA-cluster.md).
extension Cluster {
  /// The cost-centre name a team's spend is reported under; `__unallocated__` when
  /// the team carries no cost-centre tag (OpenCost's bucket for missing labels).
  func costCenter(team: Int) -> String {
    teams[team].tag(governance.costCenterTag).flatMap { $0.isEmpty ? nil : $0 } ?? "__unallocated__"
  }

  func recordNode(_ index: Int, billed: SimDuration, cost: CostParts, onDemandEquivalent: MicroUSD) {
    guard let rows else { return }
    let node = nodes[index]
    let type = configuration.catalogue.types[node.instanceType]
    rows.nodes.append(
      ClusterNodeRow(
        id: node.id, pool: configuration.nodePools[node.pool].name, instanceType: type.name,
        capacityType: node.capacityType, requestedAt: node.requestedAt, readyAt: node.readyAt,
        terminatedAt: node.terminatedAt, endReason: node.endReason,
        priceUSDPerHour: type.priceUSDPerHour(node.capacityType), billed: billed, cost: cost.total,
        allocated: node.allocatedCost.total, onDemandEquivalent: onDemandEquivalent, calendar: calendar))
  }

  /// One `cluster_pods` row per worker of the job's current attempt.
  func recordPods(_ index: Int, endedAt: SimTime?, outcome: PodOutcome) {
    guard let rows else { return }
    let job = jobs[index]
    for (worker, node) in job.nodes.enumerated() {
      let nodeIndex = Int(node.rawValue)
      rows.pods.append(
        ClusterPodRow(
          job: job.id, attempt: job.attempts, worker: worker, node: node,
          pool: configuration.nodePools[nodes[nodeIndex].pool].name, team: teams[job.team].name, request: job.perWorker,
          scheduledAt: job.attemptStartedAt, endedAt: endedAt, outcome: outcome.rawValue, calendar: calendar))
    }
  }

  /// One `serving_pods` row for the current attempt of a bound replica pod.
  func recordServingPod(_ id: ServingPodID, endedAt: SimTime?, outcome: String, cost: CostParts) {
    guard let rows, let workload = servingWorkloads[Int(id.service)] else { return }
    let pod = servingPods[Int(id.service)][Int(id.replica)]
    guard let node = pod.node else { return }
    let nodeRecord = nodes[Int(node.rawValue)]
    rows.servingPods.append(
      ServingPodRow(
        service: workload.service, team: teams[workload.team].name, costCenter: costCenter(team: workload.team),
        replica: id.replica, attempt: pod.attempt, node: node, pool: configuration.nodePools[nodeRecord.pool].name,
        instanceType: configuration.catalogue.types[nodeRecord.instanceType].name, capacityType: nodeRecord.capacityType,
        request: workload.placement.perReplica, createdAt: pod.createdAt, scheduledAt: pod.boundAt, endedAt: endedAt,
        outcome: outcome, cost: cost.total, calendar: calendar))
  }

  func outcome(of job: TrainingJob) -> String {
    switch job.phase {
    case .finished: return "succeeded"
    case .rejected: return "rejected"
    case .pending:
      return compatible[job.stream].contains(true) ? "pending" : "unschedulable"
    case .restarting, .computing, .checkpointing: return "running"
    }
  }

  func recordJob(_ id: JobID) {
    guard let rows else { return }
    let job = jobs[Int(id.rawValue)]
    let stream = streams[job.stream].stream
    let useful = Double(job.gpuCount) * job.solveTime.seconds
    rows.trainingJobs.append(
      TrainingJobRow(
        id: id, team: teams[job.team].name, costCenter: costCenter(team: job.team), template: stream.template.rawValue,
        workers: job.workerCount, perWorker: job.perWorker, priority: job.priority,
        capacityPreference: stream.capacity.rawValue, submittedAt: job.submittedAt, firstStartedAt: job.firstStartedAt,
        finishedAt: job.phase == .finished ? job.finishedAt : nil, outcome: outcome(of: job),
        reason: job.rejectionReason ?? job.pendingReason
          ?? (job.policyViolations.isEmpty ? nil : "admitted in audit mode without " + job.policyViolations.joined(separator: ", ")),
        solveSeconds: job.solveTime.seconds, checkpointIntervalSeconds: job.checkpointInterval?.seconds,
        interruptions: job.interruptions, preemptions: job.preemptions, checkpoints: job.checkpoints,
        noticeCheckpoints: job.noticeCheckpoints, lostGPUSeconds: job.lostGPUSeconds,
        allocatedGPUSeconds: job.allocatedGPUSeconds,
        goodput: job.phase == .finished && job.allocatedGPUSeconds > 0 ? useful / job.allocatedGPUSeconds : nil,
        cost: job.cost.total, calendar: calendar))
  }

  /// Ends the run: charges running work, bills live nodes, writes the rows of
  /// unfinished jobs and the cost allocations.
  mutating func finish(at time: SimTime) {
    closeBooks(at: time)
    for job in jobs where job.phase != .finished && job.phase != .rejected { recordJob(job.id) }
    guard let costAllocationRows else { return }
    for bucket in 0...teams.count {
      for pool in configuration.nodePools.indices {
        for type in poolTypes[pool] {
          let parts = ledger.cell(bucket: bucket, pool: pool, type: type)
          guard parts.total != 0 || bucket == teams.count else { continue }
          if bucket == teams.count && ledger.nodeCostByPoolType[pool * ledger.instanceTypeCount + type] == 0 { continue }
          let isIdle = bucket == teams.count
          costAllocationRows.append(
            CostAllocationRow(
              allocation: isIdle ? "__idle__" : "workload", team: isIdle ? "__idle__" : teams[bucket].name,
              costCenter: isIdle ? "__idle__" : costCenter(team: bucket), pool: configuration.nodePools[pool].name,
              instanceType: configuration.catalogue.types[type].name,
              capacityType: configuration.nodePools[pool].capacityType, parts: parts))
        }
      }
    }
  }

  /// Nearest-rank percentile of sorted values.
  static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
  }

  /// Capacity KPIs for `run_metrics` (call after ``finish(at:)``).
  /// - Parameter servingUsedGPUSeconds: GPU-seconds serving replicas spent on requests
  ///   (the delivery model knows their load), counted as used like training's.
  func metrics(endTime: SimTime, servingUsedGPUSeconds: Double = 0) -> [RunMetric] {
    var metrics: [RunMetric] = []
    let finished = jobs.filter { $0.phase == .finished }
    let waits = jobs.compactMap { job in job.firstStartedAt.map { ($0 - job.submittedAt).seconds } }.sorted()
    let completions = finished.compactMap { job in job.finishedAt.map { ($0 - job.submittedAt).seconds } }.sorted()
    // GPUs held by training workers and by serving replica pods.
    let allocatedGPUSeconds = jobs.reduce(0.0) { $0 + $1.allocatedGPUSeconds } + servingAllocatedGPUSeconds
    let usefulGPUSeconds = finished.reduce(0.0) { $0 + Double($1.gpuCount) * $1.solveTime.seconds }
    let finishedAllocatedGPUSeconds = finished.reduce(0.0) { $0 + $1.allocatedGPUSeconds }
    let lostGPUSeconds = jobs.reduce(0.0) { $0 + $1.lostGPUSeconds }
    var gpuNodeSeconds = 0.0
    var usedGPUSeconds = 0.0
    for node in nodes {
      guard node.capacity.gpuCount > 0, let ready = node.readyAt else { continue }
      let end = node.terminatedAt ?? endTime
      gpuNodeSeconds += Double(node.capacity.gpuCount) * (end - ready).seconds
    }
    for job in jobs { usedGPUSeconds += job.allocatedGPUSeconds * streams[job.stream].stream.utilisation }
    usedGPUSeconds += servingUsedGPUSeconds
    func add(_ name: String, _ value: Double?, _ unit: String) { metrics.append(RunMetric(name: name, value: value, unit: unit)) }
    add("cluster.nodes_launched", Double(statistics.nodesLaunched), "nodes")
    add("cluster.spot_notices", Double(statistics.spotNotices), "nodes")
    add("cluster.spot_launch_failures", Double(statistics.spotLaunchFailures), "launches")
    add("cluster.scale_ups", Double(statistics.scaleUps), "decisions")
    add("cluster.scale_downs", Double(statistics.scaleDowns), "nodes")
    add("cluster.consolidations", Double(statistics.consolidations), "nodes")
    add("cluster.gpu_allocation", gpuNodeSeconds > 0 ? allocatedGPUSeconds / gpuNodeSeconds : nil, "ratio")
    add("cluster.gpu_utilisation", gpuNodeSeconds > 0 ? usedGPUSeconds / gpuNodeSeconds : nil, "ratio")
    add("training.jobs_submitted", Double(statistics.jobsSubmitted), "jobs")
    add("training.jobs_finished", Double(statistics.jobsFinished), "jobs")
    add("training.jobs_rejected", Double(statistics.jobsRejected), "jobs")
    add("training.jobs_admitted_with_violations", Double(statistics.jobsAdmittedWithViolations), "jobs")
    add("training.jobs_unschedulable", Double(jobs.filter { $0.phase == .pending && !compatible[$0.stream].contains(true) }.count), "jobs")
    add("training.jobs_pending_at_end", Double(jobs.filter { $0.phase == .pending }.count), "jobs")
    add("training.preemptions", Double(statistics.preemptions), "jobs")
    add("training.interruptions", Double(jobs.reduce(0) { $0 + $1.interruptions }), "interruptions")
    add("training.queue_wait_p50_seconds", Cluster.percentile(waits, 0.5), "s")
    add("training.queue_wait_p95_seconds", Cluster.percentile(waits, 0.95), "s")
    add("training.completion_p50_seconds", Cluster.percentile(completions, 0.5), "s")
    add("training.completion_p95_seconds", Cluster.percentile(completions, 0.95), "s")
    add("training.goodput", finishedAllocatedGPUSeconds > 0 ? usefulGPUSeconds / finishedAllocatedGPUSeconds : nil, "ratio")
    add("training.lost_gpu_hours", lostGPUSeconds / 3_600, "h")
    add("cost.total_usd", ledger.nodeCost.usd, "USD")
    add("cost.idle_usd", ledger.idleTotal.usd, "USD")
    var spotCost: MicroUSD = 0
    var spotOnDemand: MicroUSD = 0
    for pool in configuration.nodePools.indices where configuration.nodePools[pool].capacityType == .spot {
      for type in poolTypes[pool] {
        spotCost += ledger.nodeCostByPoolType[pool * ledger.instanceTypeCount + type]
        spotOnDemand += ledger.onDemandEquivalentByPoolType[pool * ledger.instanceTypeCount + type]
      }
    }
    add("cost.spot_savings_usd", (spotOnDemand - spotCost).usd, "USD")
    add("cost.schedule_saved_node_hours", pools.reduce(0.0) { $0 + $1.scheduleSavedNodeSeconds } / 3_600, "h")
    add("cost.schedule_savings_usd", pools.reduce(0 as MicroUSD) { $0 + $1.scheduleSavedMicroUSD }.usd, "USD")
    for (pool, config) in configuration.nodePools.enumerated() {
      var total: MicroUSD = 0
      for type in poolTypes[pool] { total += ledger.nodeCostByPoolType[pool * ledger.instanceTypeCount + type] }
      add("cost.by_pool.\(config.name)", total.usd, "USD")
    }
    for capacityType in CapacityType.allCases {
      var total: MicroUSD = 0
      for pool in configuration.nodePools.indices where configuration.nodePools[pool].capacityType == capacityType {
        for type in poolTypes[pool] { total += ledger.nodeCostByPoolType[pool * ledger.instanceTypeCount + type] }
      }
      add("cost.by_capacity_type.\(capacityType.rawValue)", total.usd, "USD")
    }
    for (index, team) in teams.enumerated() { add("cost.by_team.\(team.name)", ledger.teamTotal(index).usd, "USD") }
    if hasServingPods {
      // The serving part of each team's cost, and the replicas that lost their node.
      for (index, team) in teams.enumerated() {
        var total: MicroUSD = 0
        for (service, workload) in servingWorkloads.enumerated() where workload?.team == index { total += servingCost[service].total }
        add("cost.serving_by_team.\(team.name)", total.usd, "USD")
      }
      add("serving.pods_evicted", Double(statistics.servingEvictions), "pods")
      add("serving.pods_preempted", Double(statistics.servingPreemptions), "pods")
      add("serving.pods_pending_at_end", Double(pendingServingPods.count), "pods")
    }
    var centers: [String] = []
    for index in teams.indices where !centers.contains(costCenter(team: index)) { centers.append(costCenter(team: index)) }
    for center in centers {
      var total: MicroUSD = 0
      for index in teams.indices where costCenter(team: index) == center { total += ledger.teamTotal(index) }
      add("cost.by_cost_center.\(center)", total.usd, "USD")
    }
    return metrics
  }
}
