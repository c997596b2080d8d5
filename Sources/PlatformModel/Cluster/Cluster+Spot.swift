import SimKernel

/// The spot market: per-node reclaims, notices, correlated reclaims and shortages.
///
/// Each spot node draws an exponential time to its interruption notice when it
/// becomes Ready, at the hazard of its instance type (``SpotInterruptionRate``); the
/// node goes a notice window later (AWS: 2 min). On the notice the node is cordoned,
/// its pool launches a replacement at once (Karpenter's interruption handling; an ASG
/// with capacity rebalancing), and jobs save a checkpoint if it fits in the window.
/// Capacity-shortage windows make spot launches fail (InsufficientInstanceCapacity).
extension Cluster {
  mutating func receiveSpotNotice(_ id: NodeID, cause: NodeEndReason, scheduler: inout Scheduler<WorldEvent>) {
    let index = Int(id.rawValue)
    guard nodes[index].phase == .ready else { return }
    statistics.spotNotices += 1
    if let handle = nodes[index].pendingEvent { scheduler.cancel(handle) }
    nodes[index].pendingEvent = nil
    let window = configuration.spotMarket.noticeWindow
    guard window.microseconds > 0 else {
      terminateNode(id, reason: cause, scheduler: &scheduler)
      return
    }
    leaveLive(index, to: .draining)
    nodes[index].endReason = cause
    removeSchedulable(id)
    // Serving pods are drained at the notice (Karpenter's interruption handling, the
    // Node Termination Handler), so their replacements start before the node goes.
    evictServingPods(onNode: index, reason: cause, scheduler: &scheduler)
    reconcile(pool: nodes[index].pool, scheduler: &scheduler)
    var seen: [JobID] = []
    for job in nodes[index].pods where !seen.contains(job) { seen.append(job) }
    for job in seen { noticeReceived(job, windowRemaining: window, scheduler: &scheduler) }
    nodes[index].pendingEvent = scheduler.schedule(.cluster(.nodeReclaimed(id)), after: window)
  }

  /// A market event reclaims a share of each spot pool's Ready nodes at once.
  mutating func correlatedReclaim(scheduler: inout Scheduler<WorldEvent>) {
    statistics.correlatedReclaimEvents += 1
    let fraction = configuration.spotMarket.correlatedReclaimFraction
    for pool in configuration.nodePools.indices where configuration.nodePools[pool].capacityType == .spot {
      var ready = schedulableNodes.filter { nodes[Int($0.rawValue)].pool == pool }
      let count = Int((Double(ready.count) * fraction).rounded(.up))
      for _ in 0..<min(count, ready.count) {
        let pick = correlatedStream.nextInt(below: ready.count)
        let node = ready.remove(at: pick)
        receiveSpotNotice(node, cause: .correlatedReclaim, scheduler: &scheduler)
      }
    }
    if let mean = configuration.spotMarket.correlatedReclaimMeanInterval {
      scheduler.schedule(
        .cluster(.correlatedReclaim), after: SimDuration(seconds: correlatedStream.exponential(mean: mean.seconds)))
    }
  }
}
