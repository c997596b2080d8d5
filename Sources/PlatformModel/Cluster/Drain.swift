/// The scheduling simulation both autoscalers run before removing a node that still
/// holds pods (Cluster Autoscaler's scale-down, Karpenter's consolidation).
extension Cluster {
  /// The training jobs to evict so that `node` can go, if every pod on it fits on the
  /// other Ready nodes' free capacity; `nil` if one does not, or may not move.
  ///
  /// Serving replicas are placed first, as the scheduler places them first, each on a
  /// node of a pool its placement allows; they must be `safeToEvict` (ReplicaSet pods
  /// are, by default, for both Cluster Autoscaler and Karpenter). Training jobs must lie
  /// wholly on the node, and move only when `evictsTrainingPods`. PodDisruptionBudgets
  /// are not modelled: every replica on the node is evicted at once.
  func drainPlan(on node: NodeID, evictsTrainingPods: Bool) -> [JobID]? {
    let jobsOnNode = nodeTable.jobs(on: node)
    if !jobsOnNode.isEmpty && !evictsTrainingPods { return nil }
    for job in jobsOnNode where training.jobs[job].nodes.contains(where: { $0 != node }) { return nil }
    // A local copy (one retain): the loops below are the autoscalers' hot path.
    let nodes = nodeTable.nodes
    var free: [(node: NodeID, free: Resources)] = []
    for id in nodeTable.schedulable where id != node { free.append((id, nodes[id].free)) }
    for pod in nodes[node].servingPods {
      guard let workload = servingPods.workloads[pod.service], workload.placement.safeToEvict else { return nil }
      let request = workload.placement.perReplica
      let allowed = servingPods.allowedPools[pod.service]
      guard
        let slot = free.indices.first(where: { allowed[nodes[free[$0].node].pool] && request.fits(in: free[$0].free) })
      else { return nil }
      free[slot].free = free[slot].free - request
    }
    for job in jobsOnNode {
      let entry = training.jobs[job]
      var remaining = entry.workerCount
      for slot in free.indices
      where remaining > 0 && podScheduler.nodeAccepts(nodes[free[slot].node], stream: entry.stream) {
        while remaining > 0 && entry.perWorker.fits(in: free[slot].free) {
          free[slot].free = free[slot].free - entry.perWorker
          remaining -= 1
        }
      }
      if remaining > 0 { return nil }
    }
    return jobsOnNode
  }
}
