import Policies
import SimKernel

/// Events of Karpenter.
public enum KarpenterEvent: Sendable {
  /// A provisioning batch closes: launch nodes for what is pending.
  case provision
  /// The disruption controller's polling period: consolidate.
  case disruption
}

/// Node provisioning and consolidation after Karpenter (`kubernetes-sigs/karpenter`,
/// `designs/` and `disruption.md`; defaults in ``KarpenterConfiguration``).
///
/// - **Provisioning.** Pending pods are batched (`batch-idle-duration`, 1 s) and
///   nodes launched for them at once, cheapest offering first — spot before
///   on-demand for `spot-with-fallback` (``Cluster/scaleUp(expander:scheduler:)``). An
///   offering that fails to launch (spot shortage) is skipped for
///   `unavailableOfferingTTL` and provisioning retries at once, which falls back to
///   on-demand.
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
struct Karpenter {
  let configuration: KarpenterConfiguration
  private var provisionScheduled = false
  /// Nodes removed by consolidation.
  private(set) var consolidations = 0

  init(configuration: KarpenterConfiguration) { self.configuration = configuration }

  /// Claims the one pending provisioning batch; `false` when one is already open.
  mutating func claimBatch() -> Bool {
    guard !provisionScheduled else { return false }
    provisionScheduled = true
    return true
  }

  mutating func batchClosed() { provisionScheduled = false }
  mutating func recordConsolidation() { consolidations += 1 }
}

/// Karpenter's provisioning and consolidation across components.
extension Cluster {
  mutating func handle(_ event: KarpenterEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .provision:
      karpenter?.batchClosed()
      scaleUp(expander: .price, scheduler: &scheduler)
    case .disruption: karpenterDisruption(scheduler: &scheduler)
    }
  }

  /// Opens a provisioning batch unless one is open.
  mutating func requestProvisioning(scheduler: inout Scheduler<WorldEvent>) {
    guard let batch = karpenter?.configuration.batchIdleDuration, karpenter?.claimBatch() == true else { return }
    scheduler.schedule(.cluster(.karpenter(.provision)), after: batch)
  }

  mutating func karpenterDisruption(scheduler: inout Scheduler<WorldEvent>) {
    guard let settings = karpenter?.configuration else { return }
    defer { scheduler.schedule(.cluster(.karpenter(.disruption)), after: settings.pollingPeriod) }
    let now = scheduler.now
    // Budgets per pool.
    var allowed = IDArray<PoolID, Int>()
    for pool in nodePools.ids {
      var total = 0
      var disrupting = 0
      for id in nodeTable.active where nodeTable[id].pool == pool {
        total += 1
        if nodeTable[id].phase != .ready { disrupting += 1 }
      }
      allowed.append(Int((Double(total) * settings.budgetShare).rounded(.up)) - disrupting)
    }
    var candidates: [NodeID] = []
    for id in nodeTable.schedulable {
      if nodeTable[id].unneededSince == nil { nodeTable.setUnneeded(since: now, of: id) }
      if let since = nodeTable[id].unneededSince, now - since >= settings.consolidateAfter { candidates.append(id) }
    }
    guard !candidates.isEmpty else { return }
    var candidatePools: [PoolID] = []
    for id in candidates where !candidatePools.contains(nodeTable[id].pool) {
      candidatePools.append(nodeTable[id].pool)
    }
    candidatePools.sort()
    let observation = NodeConsolidationObservation(
      consolidationPolicy: settings.consolidationPolicy.rawValue,
      candidates: candidates.map { id in
        let node = nodeTable[id]
        return NodeConsolidationObservation.Candidate(
          node: id.description, pool: nodePools.configurations[node.pool].name, ready: node.phase == .ready,
          pods: node.workers.count + node.servingPods.count,
          unneededSeconds: (now - (node.unneededSince ?? now)).seconds)
      },
      pools: candidatePools.map { pool in
        NodeConsolidationObservation.Pool(
          pool: nodePools.configurations[pool].name, disruptionsAllowed: allowed[pool],
          desiredNodes: nodePools.desired(pool), minNodes: nodePools.configurations[pool].minNodes)
      })
    let action = policies.nodeConsolidation.decide(observation, at: PolicyTime(microseconds: now.microseconds))
    // Names back to candidates (a lookup, never iterated); each node goes at most once.
    var byName: [String: NodeID] = [:]
    for (position, candidate) in observation.candidates.enumerated() { byName[candidate.node] = candidates[position] }
    var removed: [NodeID] = []
    // Empty nodes first.
    for name in action.empty {
      guard let id = byName[name], nodeTable[id].isEmpty, !removed.contains(id) else { continue }
      let pool = nodeTable[id].pool
      guard allowed[pool] > 0, nodePools.desired(pool) > nodePools.configurations[pool].minNodes else { continue }
      allowed[pool] -= 1
      removed.append(id)
      removeForConsolidation(id, scheduler: &scheduler)
    }
    // Then at most one underutilised node, the first in the policy's order that can go.
    for name in action.underutilized {
      guard let id = byName[name], !removed.contains(id), nodeTable[id].phase == .ready, !nodeTable[id].isEmpty
      else { continue }
      let pool = nodeTable[id].pool
      guard allowed[pool] > 0, nodePools.desired(pool) > nodePools.configurations[pool].minNodes,
        let jobsOnNode = drainPlan(on: id, evictsTrainingPods: true)
      else { continue }
      allowed[pool] -= 1
      for job in jobsOnNode { interrupt(job, cause: .consolidation, scheduler: &scheduler) }
      removeForConsolidation(id, scheduler: &scheduler)
      return
    }
  }

  mutating func removeForConsolidation(_ id: NodeID, scheduler: inout Scheduler<WorldEvent>) {
    let pool = nodeTable[id].pool
    nodePools.setDesired(pool, nodePools.desired(pool) - 1)
    karpenter?.recordConsolidation()
    terminateNode(id, reason: .consolidation, scheduler: &scheduler)
  }
}
