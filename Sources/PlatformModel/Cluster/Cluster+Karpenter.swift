import Policies
import SimKernel

/// Node provisioning and consolidation after Karpenter (`kubernetes-sigs/karpenter`,
/// `designs/` and `disruption.md`; defaults in ``KarpenterConfiguration``).
///
/// - **Provisioning.** Pending pods are batched (`batch-idle-duration`, 1 s) and
///   nodes launched for them at once, cheapest offering first — spot before
///   on-demand for `spot-with-fallback`. An offering that fails to launch (spot
///   shortage) is skipped for `unavailableOfferingTTL` and provisioning retries at
///   once, which falls back to on-demand.
/// - **Consolidation** every polling period (10 s), per pool within the disruption
///   budget `roundup(nodes × 10 %) − deleting − not ready`: empty nodes first; with
///   `WhenEmptyOrUnderutilized`, then one node per round whose pods fit on the other
///   nodes (jobs wholly on that node; serving replicas unless `do-not-disrupt`) —
///   jobs are evicted and resume from their checkpoints elsewhere, replicas are
///   replaced elsewhere after a cold start: the churn Karpenter users report
///   (anchors §3.1).
///   A node qualifies after `consolidateAfter` without pods arriving or leaving.
///
/// Which candidates go, and in what order, is the `nodeConsolidation` decision
/// point's; the model keeps the budget, the pools' `min` and the scheduling
/// simulation. The default built-in `karpenter` orders as above, so runs are unchanged.
extension Cluster {
  mutating func requestProvisioning(scheduler: inout Scheduler<WorldEvent>) {
    guard let karpenter = configuration.karpenter, !provisionScheduled else { return }
    provisionScheduled = true
    scheduler.schedule(.cluster(.karpenterProvision), after: karpenter.batchIdleDuration)
  }

  mutating func karpenterProvision(scheduler: inout Scheduler<WorldEvent>) {
    provisionScheduled = false
    scaleUp(expander: .price, scheduler: &scheduler)
  }

  mutating func karpenterDisruption(scheduler: inout Scheduler<WorldEvent>) {
    guard let karpenter = configuration.karpenter else { return }
    defer { scheduler.schedule(.cluster(.karpenterDisruption), after: karpenter.pollingPeriod) }
    let now = scheduler.now
    // Budgets per pool.
    var allowed: [Int] = []
    for pool in pools.indices {
      var total = 0
      var disrupting = 0
      for id in activeNodes where nodes[Int(id.rawValue)].pool == pool {
        total += 1
        if nodes[Int(id.rawValue)].phase != .ready { disrupting += 1 }
      }
      allowed.append(Int((Double(total) * karpenter.budgetShare).rounded(.up)) - disrupting)
    }
    var candidates: [Int] = []
    for id in schedulableNodes {
      let index = Int(id.rawValue)
      if nodes[index].unneededSince == nil { nodes[index].unneededSince = now }
      if let since = nodes[index].unneededSince, now - since >= karpenter.consolidateAfter { candidates.append(index) }
    }
    guard !candidates.isEmpty else { return }
    var candidatePools: [Int] = []
    for index in candidates where !candidatePools.contains(nodes[index].pool) { candidatePools.append(nodes[index].pool) }
    candidatePools.sort()
    let observation = NodeConsolidationObservation(
      consolidationPolicy: karpenter.consolidationPolicy.rawValue,
      candidates: candidates.map { index in
        NodeConsolidationObservation.Candidate(
          node: nodes[index].id.description, pool: configuration.nodePools[nodes[index].pool].name,
          ready: nodes[index].phase == .ready, pods: nodes[index].pods.count + nodes[index].servingPods.count,
          unneededSeconds: (now - (nodes[index].unneededSince ?? now)).seconds)
      },
      pools: candidatePools.map { pool in
        NodeConsolidationObservation.Pool(
          pool: configuration.nodePools[pool].name, disruptionsAllowed: allowed[pool], desiredNodes: pools[pool].desired,
          minNodes: configuration.nodePools[pool].minNodes)
      })
    let action = policies.nodeConsolidation.decide(observation, at: PolicyTime(microseconds: now.microseconds))
    // Names back to candidates (a lookup, never iterated); each node goes at most once.
    var byName: [String: Int] = [:]
    for (position, candidate) in observation.candidates.enumerated() { byName[candidate.node] = candidates[position] }
    var removed: [Int] = []
    // Empty nodes first.
    for name in action.empty {
      guard let index = byName[name], nodes[index].pods.isEmpty, nodes[index].servingPods.isEmpty, !removed.contains(index)
      else { continue }
      let pool = nodes[index].pool
      guard allowed[pool] > 0, pools[pool].desired > configuration.nodePools[pool].minNodes else { continue }
      allowed[pool] -= 1
      removed.append(index)
      removeForConsolidation(index, scheduler: &scheduler)
    }
    // Then at most one underutilised node, the first in the policy's order that can go.
    for name in action.underutilized {
      guard let index = byName[name], !removed.contains(index), nodes[index].phase == .ready,
        !nodes[index].pods.isEmpty || !nodes[index].servingPods.isEmpty
      else { continue }
      let pool = nodes[index].pool
      guard allowed[pool] > 0, pools[pool].desired > configuration.nodePools[pool].minNodes,
        let jobsOnNode = drainPlan(on: index, evictsTrainingPods: true)
      else { continue }
      allowed[pool] -= 1
      for job in jobsOnNode { interrupt(job, cause: .consolidation, scheduler: &scheduler) }
      removeForConsolidation(index, scheduler: &scheduler)
      return
    }
  }

  /// The training jobs to evict so that node `index` can go, if every pod on it fits
  /// on the other Ready nodes' free capacity (the autoscalers' scheduling simulation);
  /// `nil` if one does not, or may not move.
  ///
  /// Serving replicas are placed first, as the scheduler places them first, each on a
  /// node of a pool its placement allows; they must be `safeToEvict` (ReplicaSet pods
  /// are, by default, for both Cluster Autoscaler and Karpenter). Training jobs must lie
  /// wholly on the node, and move only when `evictsTrainingPods`. PodDisruptionBudgets
  /// are not modelled: every replica on the node is evicted at once.
  func drainPlan(on index: Int, evictsTrainingPods: Bool) -> [JobID]? {
    var jobsOnNode: [JobID] = []
    for job in nodes[index].pods where !jobsOnNode.contains(job) { jobsOnNode.append(job) }
    if !jobsOnNode.isEmpty && !evictsTrainingPods { return nil }
    for job in jobsOnNode where jobs[Int(job.rawValue)].nodes.contains(where: { $0 != nodes[index].id }) { return nil }
    var free: [(index: Int, free: Resources)] = []
    for id in schedulableNodes where Int(id.rawValue) != index {
      free.append((Int(id.rawValue), nodes[Int(id.rawValue)].capacity - nodes[Int(id.rawValue)].allocated))
    }
    for pod in nodes[index].servingPods {
      let service = Int(pod.service)
      guard let workload = servingWorkloads[service], workload.placement.safeToEvict else { return nil }
      let request = workload.placement.perReplica
      let allowed = servingPools[service]
      guard let slot = free.indices.first(where: { allowed[nodes[free[$0].index].pool] && request.fits(in: free[$0].free) })
      else { return nil }
      free[slot].free = free[slot].free - request
    }
    for job in jobsOnNode {
      let entry = jobs[Int(job.rawValue)]
      var remaining = entry.workerCount
      for slot in free.indices where remaining > 0 && nodeAccepts(free[slot].index, stream: entry.stream) {
        while remaining > 0 && entry.perWorker.fits(in: free[slot].free) {
          free[slot].free = free[slot].free - entry.perWorker
          remaining -= 1
        }
      }
      if remaining > 0 { return nil }
    }
    return jobsOnNode
  }

  mutating func removeForConsolidation(_ index: Int, scheduler: inout Scheduler<WorldEvent>) {
    pools[nodes[index].pool].desired -= 1
    statistics.consolidations += 1
    terminateNode(nodes[index].id, reason: .consolidation, scheduler: &scheduler)
  }
}
