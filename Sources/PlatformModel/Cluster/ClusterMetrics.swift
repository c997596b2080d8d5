import ResultRows
import SimKernel

/// Whole-run capacity, training and cost metrics of the cluster (`run_metrics`).
extension Cluster {
  /// Nearest-rank percentile of sorted values.
  static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
  }

  /// Capacity KPIs for `run_metrics` (call after ``finish(at:)``).
  /// - Parameter servingUsedGPUSeconds: GPU-seconds serving replicas spent on requests
  ///   (the serving model knows their load), counted as used like training's.
  func metrics(endTime: SimTime, servingUsedGPUSeconds: Double = 0) -> [RunMetric] {
    var metrics: [RunMetric] = []
    let jobs = training.jobs
    let finished = jobs.filter { $0.phase == .finished }
    let waits = jobs.compactMap { job in job.firstStartedAt.map { ($0 - job.submittedAt).seconds } }.sorted()
    let completions = finished.compactMap { job in job.finishedAt.map { ($0 - job.submittedAt).seconds } }.sorted()
    // GPUs held by training workers and by serving replica pods.
    let allocatedGPUSeconds = jobs.reduce(0.0) { $0 + $1.allocatedGPUSeconds } + servingPods.allocatedGPUSeconds
    let usefulGPUSeconds = finished.reduce(0.0) { $0 + Double($1.gpuCount) * $1.solveTime.seconds }
    let finishedAllocatedGPUSeconds = finished.reduce(0.0) { $0 + $1.allocatedGPUSeconds }
    let lostGPUSeconds = jobs.reduce(0.0) { $0 + $1.lostGPUSeconds }
    var gpuNodeSeconds = 0.0
    var usedGPUSeconds = 0.0
    for node in nodeTable.nodes {
      guard node.capacity.gpuCount > 0, let ready = node.readyAt else { continue }
      let end = node.terminatedAt ?? endTime
      gpuNodeSeconds += Double(node.capacity.gpuCount) * (end - ready).seconds
    }
    for job in jobs {
      usedGPUSeconds += job.allocatedGPUSeconds * training.streams[job.stream].configuration.utilisation
    }
    usedGPUSeconds += servingUsedGPUSeconds
    let statistics = self.statistics
    let ledger = costBook.ledger
    func add(_ name: String, _ value: Double?, _ unit: String) {
      metrics.append(RunMetric(name: name, value: value, unit: unit))
    }
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
    add(
      "training.jobs_unschedulable",
      Double(jobs.filter { $0.phase == .pending && !podScheduler.canEverPlace[$0.stream] }.count), "jobs")
    add("training.jobs_pending_at_end", Double(jobs.filter { $0.phase == .pending }.count), "jobs")
    add("training.preemptions", Double(statistics.preemptions), "jobs")
    add("training.interruptions", Double(jobs.reduce(0) { $0 + $1.interruptions }), "interruptions")
    add("training.queue_wait_p50_seconds", Cluster.percentile(waits, 0.5), "s")
    add("training.queue_wait_p95_seconds", Cluster.percentile(waits, 0.95), "s")
    add("training.completion_p50_seconds", Cluster.percentile(completions, 0.5), "s")
    add("training.completion_p95_seconds", Cluster.percentile(completions, 0.95), "s")
    add(
      "training.goodput", finishedAllocatedGPUSeconds > 0 ? usefulGPUSeconds / finishedAllocatedGPUSeconds : nil,
      "ratio")
    add("training.lost_gpu_hours", lostGPUSeconds / 3_600, "h")
    add("cost.total_usd", ledger.nodeCost.usd, "USD")
    add("cost.idle_usd", ledger.idleTotal.usd, "USD")
    var spotCost: MicroUSD = 0
    var spotOnDemand: MicroUSD = 0
    for pool in nodePools.ids where nodePools.configurations[pool].capacityType == .spot {
      for type in nodePools.instanceTypes[pool] {
        spotCost += ledger.nodeCost(pool: pool, type: type)
        spotOnDemand += ledger.onDemandEquivalent(pool: pool, type: type)
      }
    }
    // The counterfactual (docs/KPIS.md): on demand, the spot pools' node time would have
    // cost `spotOnDemand`, less the node time spot itself made necessary (``SpotLoss``).
    add("cost.spot_discount_usd", (spotOnDemand - spotCost).usd, "USD")
    add("cost.spot_loss_usd", ledger.spotLossOnDemand.usd, "USD")
    add("cost.spot_savings_usd", (spotOnDemand - spotCost - ledger.spotLossOnDemand).usd, "USD")
    add("cost.schedule_saved_node_hours", poolSchedules.savedNodeSeconds / 3_600, "h")
    add("cost.schedule_savings_usd", poolSchedules.savedMicroUSD.usd, "USD")
    for pool in nodePools.ids {
      var total: MicroUSD = 0
      for type in nodePools.instanceTypes[pool] { total += ledger.nodeCost(pool: pool, type: type) }
      add("cost.by_pool.\(nodePools.configurations[pool].name)", total.usd, "USD")
    }
    for capacityType in CapacityType.allCases {
      var total: MicroUSD = 0
      for pool in nodePools.ids where nodePools.configurations[pool].capacityType == capacityType {
        for type in nodePools.instanceTypes[pool] { total += ledger.nodeCost(pool: pool, type: type) }
      }
      add("cost.by_capacity_type.\(capacityType.rawValue)", total.usd, "USD")
    }
    for team in teams.indices { add("cost.by_team.\(teams[team].name)", ledger.teamTotal(team).usd, "USD") }
    if servingPods.placesAny {
      // The serving part of each team's cost, and the replicas that lost their node.
      for team in teams.indices {
        var total: MicroUSD = 0
        for service in servingPods.workloads.indices where servingPods.workloads[service]?.team == team {
          total += costBook.servingCost[service].total
        }
        add("cost.serving_by_team.\(teams[team].name)", total.usd, "USD")
      }
      add("serving.pods_evicted", Double(statistics.servingEvictions), "pods")
      add("serving.pods_preempted", Double(statistics.servingPreemptions), "pods")
      add("serving.pods_pending_at_end", Double(servingPods.pending.count), "pods")
    }
    var centers: [String] = []
    for team in teams.indices where !centers.contains(costCenter(team: team)) { centers.append(costCenter(team: team)) }
    for center in centers {
      var total: MicroUSD = 0
      for team in teams.indices where costCenter(team: team) == center { total += ledger.teamTotal(team) }
      add("cost.by_cost_center.\(center)", total.usd, "USD")
    }
    return metrics
  }
}
