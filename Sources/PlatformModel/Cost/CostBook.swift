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
  /// Node time each node spent on work a spot loss threw away, and on restarts after one.
  private var spotLossByNode = IDArray<NodeID, SpotLoss>()

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

  /// Node time lost to spot on `node` so far.
  func spotLoss(on node: NodeID) -> SpotLoss {
    node.position < spotLossByNode.count ? spotLossByNode[node] : SpotLoss()
  }

  /// Adds node time of `node` lost to spot: work thrown away, or a restart after a loss.
  mutating func addSpotLoss(_ loss: SpotLoss, on node: NodeID) {
    while spotLossByNode.count <= node.position { spotLossByNode.append(SpotLoss()) }
    spotLossByNode[node] = spotLossByNode[node] + loss
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
    let bill = ledger.billNode(
      split: node.split, onDemandMicroUSDPerHour: node.onDemandMicroUSDPerHour, billed: billed,
      allocated: allocated(on: node.id), pool: node.pool, type: node.instanceType)
    let loss = spotLoss(on: node.id)
    ledger.addSpotLoss(duration: loss.lostWork + loss.rerun, onDemandMicroUSDPerHour: node.onDemandMicroUSDPerHour)
    return (billed, bill.cost, bill.onDemandEquivalent)
  }
}

/// Node time a spot loss cost on one node, beyond what the same work needs on demand.
///
/// - `lostWork`: the time a training job ran on the node since its work was last saved
///   (or since the restart after an earlier spot loss ended), when a spot notice or
///   reclaim stopped it. The work is thrown away and computed again later, so this node
///   time is paid twice; it is counted once, here. All nodes of the gang count: losing
///   one node stops the whole job.
/// - `rerun`: the restart (R: pulling the image and the last checkpoint) a job spends
///   on the node when it starts again after a spot loss.
///
/// Jobs sharing a node each count their own time, so a node shared by several lost
/// jobs may count more than its wall time: the loss is then overstated and the spot
/// savings understated, never flattered.
struct SpotLoss: Equatable {
  var lostWork = SimDuration.zero
  var rerun = SimDuration.zero

  static func + (lhs: SpotLoss, rhs: SpotLoss) -> SpotLoss {
    SpotLoss(lostWork: lhs.lostWork + rhs.lostWork, rerun: lhs.rerun + rhs.rerun)
  }
}

/// Spot losses across components: a training job stopped by a spot notice or reclaim,
/// and its restart afterwards.
extension Cluster {
  /// A spot loss stops `job` now: each of its nodes lost the time since the job's work
  /// was last saved (or its restart after an earlier spot loss ended).
  mutating func bookSpotLoss(of job: JobID, at now: SimTime) {
    let record = training.jobs[job]
    let lostSince = max(record.progressAnchor, record.spotRestartEndedAt ?? record.progressAnchor)
    for node in Self.distinct(record.nodes) { costBook.addSpotLoss(SpotLoss(lostWork: now - lostSince), on: node) }
  }

  /// `job` finished restarting after a spot loss: the restart is re-run time on each of its nodes.
  mutating func bookSpotRestart(of job: JobID, at now: SimTime) {
    let record = training.jobs[job]
    for node in Self.distinct(record.nodes) {
      costBook.addSpotLoss(SpotLoss(rerun: now - record.attemptStartedAt), on: node)
    }
    training.spotRestartEnded(job, at: now)
  }

  /// `nodes` without repeats, in first-seen order (a gang may put several workers on a node).
  static func distinct(_ nodes: [NodeID]) -> [NodeID] {
    var seen: [NodeID] = []
    for node in nodes where !seen.contains(node) { seen.append(node) }
    return seen
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
