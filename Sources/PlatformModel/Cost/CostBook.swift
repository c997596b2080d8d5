import SimKernel

/// The cluster's cost books with OpenCost semantics (``CostMath``): what each pod was
/// charged on each node, the ledger by team, pool and instance type, and each
/// service's serving cost.
///
/// Pods are charged when they leave a node (or when the run ends); a node is billed
/// when it goes, and what its pods were not charged is booked to `__idle__`, so
/// allocated + idle = node cost, exactly.
struct CostBook {
  private(set) var ledger: CostLedger
  /// Cost charged to the pods of each node so far.
  private var allocatedByNode = IDArray<NodeID, CostParts>()
  /// Node cost allocated to each service's replica pods.
  private(set) var servingCost: IDArray<ServiceID, CostParts>

  init(teamCount: Int, poolCount: Int, instanceTypeCount: Int, serviceCount: Int) {
    ledger = CostLedger(teamCount: teamCount, poolCount: poolCount, instanceTypeCount: instanceTypeCount)
    servingCost = IDArray(repeating: CostParts(), count: serviceCount)
  }

  /// Cost charged to the pods of `node` so far.
  func allocated(on node: NodeID) -> CostParts {
    node.position < allocatedByNode.count ? allocatedByNode[node] : CostParts()
  }

  /// Charges a pod of `request` on `node` for `duration` to `team`, and returns the charge.
  mutating func charge(request: Resources, on node: Node, duration: SimDuration, team: TeamID) -> CostParts {
    let parts = CostMath.allocation(request: request, capacity: node.capacity, split: node.split, duration: duration)
    while allocatedByNode.count <= node.id.position { allocatedByNode.append(CostParts()) }
    allocatedByNode[node.id] = allocatedByNode[node.id] + parts
    ledger.charge(parts, to: team, pool: node.pool, type: node.instanceType)
    return parts
  }

  mutating func addServingCost(_ parts: CostParts, to service: ServiceID) {
    servingCost[service] = servingCost[service] + parts
  }

  /// Bills a node that left (or is still up at `time`, the end of the run) and books
  /// its idle.
  mutating func closeNode(_ node: Node, at time: SimTime)
    -> (billed: SimDuration, cost: CostParts, onDemandEquivalent: MicroUSD)
  {
    let billed = CostMath.billedDuration(lifetime: time - node.requestedAt)
    let cost = CostMath.nodeCost(split: node.split, billed: billed)
    let onDemand = CostMath.cost(microUSDPerHour: node.onDemandMicroUSDPerHour, duration: billed)
    ledger.closeNode(
      cost: cost, allocated: allocated(on: node.id), onDemandEquivalent: onDemand, billed: billed,
      pool: node.pool, type: node.instanceType)
    return (billed, cost, onDemand)
  }
}

/// Charging node time across components: pods of training jobs and of services.
extension Cluster {
  /// Charges one worker's allocation on `node` for `duration` to the job's team.
  mutating func chargeAllocation(job: JobID, node: NodeID, duration: SimDuration) {
    let parts = costBook.charge(
      request: training.jobs[job].perWorker, on: nodeTable[node], duration: duration, team: training.jobs[job].team)
    training.addCost(parts, to: job)
  }

  /// Bills a node that left (or is still up at `time`, the end of the run) and writes its row.
  mutating func closeNodeCost(_ node: NodeID, at time: SimTime) {
    let bill = costBook.closeNode(nodeTable[node], at: time)
    recordNode(node, billed: bill.billed, cost: bill.cost, onDemandEquivalent: bill.onDemandEquivalent)
  }

  /// Closes the books at the end of the run: running jobs and bound replica pods are
  /// charged up to `time` and every live node is billed, so allocated + idle == node cost.
  mutating func closeBooks(at time: SimTime) {
    for id in training.jobs.indices where training.jobs[id].isPlaced {
      recordPods(id, endedAt: nil, outcome: .running)
      let duration = time - training.jobs[id].attemptStartedAt
      // The attempt is accounted for; further charges would double count.
      training.closeAttempt(id, at: time)
      for node in training.jobs[id].nodes { chargeAllocation(job: id, node: node, duration: duration) }
    }
    closeServingBooks(at: time)
    for id in nodeTable.active { closeNodeCost(id, at: time) }
    for pool in nodePools.ids where !poolSchedules.isActive(pool) {
      accrueScheduleSavings(pool: pool, until: time)
    }
  }
}
