import SimKernel

/// Charging node time to workloads and to `__idle__` (OpenCost semantics, ``CostMath``).
extension Cluster {
  /// Charges one worker's allocation on `node` for `duration` to the job's team.
  mutating func chargeAllocation(job: Int, node: Int, duration: SimDuration) {
    let parts = CostMath.allocation(
      request: jobs[job].perWorker, capacity: nodes[node].capacity, split: nodes[node].split, duration: duration)
    nodes[node].allocatedCost = nodes[node].allocatedCost + parts
    jobs[job].cost = jobs[job].cost + parts
    ledger.charge(parts, bucket: jobs[job].team, pool: nodes[node].pool, type: nodes[node].instanceType)
  }

  /// Bills a node that left (or is still up at `time`, the end of the run) and books its idle.
  mutating func closeNodeCost(_ index: Int, at time: SimTime) {
    let billed = CostMath.billedDuration(lifetime: time - nodes[index].requestedAt)
    let cost = CostMath.nodeCost(split: nodes[index].split, billed: billed)
    let onDemand = CostMath.cost(microUSDPerHour: nodes[index].onDemandMicroUSDPerHour, duration: billed)
    ledger.closeNode(
      cost: cost, allocated: nodes[index].allocatedCost, onDemandEquivalent: onDemand, billed: billed,
      pool: nodes[index].pool, type: nodes[index].instanceType)
    recordNode(index, billed: billed, cost: cost, onDemandEquivalent: onDemand)
  }

  /// Closes the books at the end of the run: running jobs are charged up to `time`
  /// and every live node is billed, so allocated + idle == node cost.
  mutating func closeBooks(at time: SimTime) {
    for index in jobs.indices where !jobs[index].nodes.isEmpty {
      recordPods(index, endedAt: nil, outcome: .running)
      let duration = time - jobs[index].attemptStartedAt
      jobs[index].allocatedGPUSeconds += Double(jobs[index].gpuCount) * duration.seconds
      jobs[index].allocatedCPUSeconds +=
        Double(jobs[index].perWorker.cpuMillis * Int64(jobs[index].workerCount)) / 1_000 * duration.seconds
      for node in jobs[index].nodes { chargeAllocation(job: index, node: Int(node.rawValue), duration: duration) }
      // The attempt is accounted for; further charges would double count.
      jobs[index].attemptStartedAt = time
    }
    closeServingBooks(at: time)
    for id in activeNodes { closeNodeCost(Int(id.rawValue), at: time) }
    for pool in pools.indices where !pools[pool].scheduleActive {
      accrueScheduleSavings(pool: pool, until: time)
    }
  }

  /// Node-time a schedule kept switched off: the nodes the pool had at switch-off
  /// (at least its minimum) × the time off, priced at the pool's first type.
  mutating func accrueScheduleSavings(pool: Int, until time: SimTime) {
    guard let since = pools[pool].scheduleOffSince, let type = poolTypes[pool].first else { return }
    let off = time - since
    let count = pools[pool].nodesAtScheduleOff
    let price = configuration.catalogue.types[type].priceUSDPerHour(configuration.nodePools[pool].capacityType)
    pools[pool].scheduleSavedNodeSeconds += Double(count) * off.seconds
    pools[pool].scheduleSavedMicroUSD +=
      CostMath.cost(microUSDPerHour: MicroUSD((price * 1_000_000).rounded()), duration: off) * MicroUSD(count)
    pools[pool].scheduleOffSince = time
  }
}
