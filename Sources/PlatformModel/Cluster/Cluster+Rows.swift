import ResultRows
import SimKernel

/// Rows of the cluster (docs/SCHEMA.md): nodes when they go, pods when they
/// leave a node, jobs when they end, cost allocations at the end of the run.
extension Cluster {
  /// The cost-centre name a team's spend is reported under; `__unallocated__` when
  /// the team carries no cost-centre tag (OpenCost's bucket for missing labels).
  func costCenter(team: TeamID) -> String {
    teams[team].tag(governance.costCenterTag).flatMap { $0.isEmpty ? nil : $0 } ?? "__unallocated__"
  }

  func recordNode(_ id: NodeID, billed: SimDuration, cost: CostParts, onDemandEquivalent: MicroUSD) {
    guard let rows else { return }
    let node = nodeTable[id]
    let type = configuration.catalogue.types[node.instanceType]
    rows.nodes.append(
      ClusterNodeRow(
        id: node.id, pool: nodePools.configurations[node.pool].name, instanceType: type.name,
        capacityType: node.capacityType, requestedAt: node.requestedAt, readyAt: node.readyAt,
        terminatedAt: node.terminatedAt, endReason: node.endReason,
        priceUSDPerHour: type.priceUSDPerHour(node.capacityType), billed: billed, cost: cost.total,
        allocated: costBook.allocated(on: id).total, onDemandEquivalent: onDemandEquivalent,
        spotLoss: costBook.spotLoss(on: id), calendar: calendar))
  }

  /// One `cluster_pods` row per worker of the job's current attempt.
  func recordPods(_ id: JobID, endedAt: SimTime?, outcome: PodOutcome) {
    guard let rows else { return }
    let job = training.jobs[id]
    for (worker, node) in job.nodes.enumerated() {
      rows.pods.append(
        ClusterPodRow(
          job: job.id, attempt: job.attempts, worker: worker, node: node,
          pool: nodePools.configurations[nodeTable[node].pool].name, team: teams[job.team].name,
          request: job.perWorker, scheduledAt: job.attemptStartedAt, endedAt: endedAt, outcome: outcome.rawValue,
          calendar: calendar))
    }
  }

  /// One `serving_pods` row for the current attempt of a bound replica pod.
  func recordServingPod(_ id: ServingPodID, endedAt: SimTime?, outcome: String, cost: CostParts) {
    guard let rows, let workload = servingPods.workloads[id.service] else { return }
    let pod = servingPods[id]
    guard let node = pod.node else { return }
    let nodeRecord = nodeTable[node]
    rows.servingPods.append(
      ServingPodRow(
        service: workload.service, team: teams[workload.team].name, costCenter: costCenter(team: workload.team),
        replica: id.replica, attempt: pod.attempt, node: node, pool: nodePools.configurations[nodeRecord.pool].name,
        instanceType: configuration.catalogue.types[nodeRecord.instanceType].name,
        capacityType: nodeRecord.capacityType,
        request: workload.placement.perReplica, createdAt: pod.createdAt, scheduledAt: pod.boundAt, endedAt: endedAt,
        outcome: outcome, cost: cost.total, calendar: calendar))
  }

  func outcome(of job: TrainingJob) -> String {
    switch job.phase {
    case .finished: return "succeeded"
    case .rejected: return "rejected"
    case .pending:
      return podScheduler.canEverPlace[job.stream] ? "pending" : "unschedulable"
    case .restarting, .computing, .checkpointing: return "running"
    }
  }

  func recordJob(_ id: JobID) {
    guard let rows else { return }
    let job = training.jobs[id]
    let stream = training.streams[job.stream].configuration
    let useful = Double(job.gpuCount) * job.solveTime.seconds
    rows.trainingJobs.append(
      TrainingJobRow(
        id: id, team: teams[job.team].name, costCenter: costCenter(team: job.team), template: stream.template.rawValue,
        workers: job.workerCount, perWorker: job.perWorker, priority: job.priority,
        capacityPreference: stream.capacity.rawValue, submittedAt: job.submittedAt, firstStartedAt: job.firstStartedAt,
        finishedAt: job.phase == .finished ? job.finishedAt : nil, outcome: outcome(of: job),
        reason: job.rejectionReason ?? job.pendingReason
          ?? (job.policyViolations.isEmpty
            ? nil : "admitted in audit mode without " + job.policyViolations.joined(separator: ", ")),
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
    for job in training.jobs where job.phase != .finished && job.phase != .rejected { recordJob(job.id) }
    guard let costAllocationRows else { return }
    let ledger = costBook.ledger
    for bucket in teams.indices.map(CostLedger.Bucket.team) + [.idle] {
      for pool in nodePools.ids {
        for type in nodePools.instanceTypes[pool] {
          let parts = ledger.cell(bucket, pool: pool, type: type)
          guard parts.total != 0 || bucket == .idle else { continue }
          if bucket == .idle && ledger.nodeCost(pool: pool, type: type) == 0 { continue }
          let names: (team: String, costCenter: String)
          switch bucket {
          case .team(let team): names = (teams[team].name, costCenter(team: team))
          case .idle: names = ("__idle__", "__idle__")
          }
          costAllocationRows.append(
            CostAllocationRow(
              allocation: bucket == .idle ? "__idle__" : "workload", team: names.team, costCenter: names.costCenter,
              pool: nodePools.configurations[pool].name, instanceType: configuration.catalogue.types[type].name,
              capacityType: nodePools.configurations[pool].capacityType, parts: parts))
        }
      }
    }
  }
}
