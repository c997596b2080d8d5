import Policies
import SimKernel

/// Events of the Cluster Autoscaler.
public enum ClusterAutoscalerEvent: Sendable {
  /// Every `scan-interval`: scale up for pending pods, then scale down unneeded nodes.
  case scan
}

/// Node autoscaling after Kubernetes Cluster Autoscaler (`kubernetes/autoscaler`
/// FAQ; defaults in ``ClusterAutoscalerConfiguration``).
///
/// Every `scan-interval`:
/// - **Scale-up** (``Cluster/scaleUp(expander:scheduler:)``, shared with Karpenter):
///   pending gangs that will not fit on nodes already launching grow a pool the
///   expander picks.
/// - **Scale-down.** A Ready node whose utilisation (GPU share on GPU nodes, else the
///   larger of CPU and memory) is below the threshold is *unneeded*; after
///   `scale-down-unneeded-time` unneeded, and no sooner than `scale-down-delay-after-add`
///   after a scale-up, it is removed, at most `max-scale-down-parallelism` per scan,
///   never below the pool's `min`. By default running training pods are not evicted
///   (as with `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`), so only
///   empty nodes go; with `evictsTrainingPods` a node whose jobs (each wholly on it)
///   fit elsewhere is drained, one per scan, and its jobs resume from checkpoints.
struct ClusterAutoscaler {
  let configuration: ClusterAutoscalerConfiguration
  /// Nodes removed by scale-down.
  private(set) var scaleDowns = 0

  init(configuration: ClusterAutoscalerConfiguration) { self.configuration = configuration }

  mutating func recordScaleDown() { scaleDowns += 1 }
}

/// The autoscaler's scans across components.
extension Cluster {
  mutating func handle(_ event: ClusterAutoscalerEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .scan: autoscalerScan(scheduler: &scheduler)
    }
  }

  mutating func autoscalerScan(scheduler: inout Scheduler<WorldEvent>) {
    guard let settings = autoscaler?.configuration else { return }
    scaleUp(expander: settings.expander, scheduler: &scheduler)
    scaleDown(settings, scheduler: &scheduler)
    scheduler.schedule(.cluster(.clusterAutoscaler(.scan)), after: settings.scanInterval)
  }

  mutating func scaleDown(_ autoscaler: ClusterAutoscalerConfiguration, scheduler: inout Scheduler<WorldEvent>) {
    if policies.nodeScaleDown.answersInBatches {
      scaleDownInBatches(autoscaler, scheduler: &scheduler)
      return
    }
    let now = scheduler.now
    let coolingDown = now - nodePools.lastScaleUpAt < autoscaler.scaleDownDelayAfterAdd
    var removed = 0
    var drainedThisScan = false
    // Only nodes below the utilisation threshold, in ID order, from the node table's
    // set of them: a node above it has no unneeded clock to reset (every bind and
    // release resets it), so visiting it would change nothing. The next node is looked
    // up after each step, as a drain may bring later nodes below the threshold.
    var cursor = 0
    while let id = nodeTable.firstUnderutilised(from: cursor) {
      cursor = id.position + 1
      let pool = nodeTable[id].pool
      let utilisation = nodeTable[id].utilisation
      let isEmpty = nodeTable[id].isEmpty
      let movable = isEmpty ? [] : drainPlan(on: id, evictsTrainingPods: autoscaler.evictsTrainingPods)
      guard let movable else {
        nodeTable.setUnneeded(since: nil, of: id)
        continue
      }
      if nodeTable[id].unneededSince == nil { nodeTable.setUnneeded(since: now, of: id) }
      let since = nodeTable[id].unneededSince ?? now
      let poolConfiguration = nodePools.configurations[pool]
      let observation = NodeScaleDownObservation(
        node: id.description, pool: poolConfiguration.name,
        instanceType: configuration.catalogue.types[nodeTable[id].instanceType].name,
        capacityType: nodeTable[id].capacityType.rawValue, utilisation: utilisation, empty: isEmpty,
        unneededSeconds: (now - since).seconds, unneededTimeSeconds: autoscaler.scaleDownUnneededTime.seconds,
        coolingDown: coolingDown, removedThisScan: removed, maxScaleDownParallelism: autoscaler.maxScaleDownParallelism,
        drainedThisScan: drainedThisScan, poolDesiredNodes: nodePools.desired(pool),
        poolMinNodes: poolConfiguration.minNodes)
      guard policies.nodeScaleDown.decide(observation, at: PolicyTime(microseconds: now.microseconds)).remove,
        nodePools.desired(pool) > poolConfiguration.minNodes
      else { continue }
      if !isEmpty {
        // Non-empty nodes are drained one per scan, as CA does; serving replicas are
        // evicted with the node (terminateNode) and replaced elsewhere.
        drainedThisScan = true
        for job in movable { interrupt(job, cause: .drain, scheduler: &scheduler) }
      }
      nodePools.setDesired(pool, nodePools.desired(pool) - 1)
      removed += 1
      self.autoscaler?.recordScaleDown()
      terminateNode(id, reason: .scaleDown, scheduler: &scheduler)
    }
  }

  /// A scale-down candidate read without changing anything: its observation, the pods a
  /// drain would move, and the unneeded clock the one-by-one scan would store for it.
  private struct ScaleDownCandidate {
    var id: NodeID
    var movable: [JobID]
    var unneededSince: SimTime
    var observation: NodeScaleDownObservation
  }

  /// ``scaleDown(_:scheduler:)`` for a policy that answers in batches (protocol v2): the
  /// scan's questions go in one `decide-batch`, with the same decisions and results as
  /// asking node by node.
  ///
  /// The one-by-one scan changes what later nodes see only when it removes a node (the
  /// pool's size, `removedThisScan`, `drainedThisScan`, the nodes a drain frees). So the
  /// candidates from the cursor on are read without side effects and asked in one batch;
  /// the answers are carried out in order up to the first removal, and the rest of the
  /// scan is read and asked again from there. A scan costs 1 + (nodes removed) round
  /// trips, and every answer acted on was given for exactly the observation the
  /// one-by-one scan would have sent (a deterministic policy decides the same).
  mutating func scaleDownInBatches(
    _ autoscaler: ClusterAutoscalerConfiguration, scheduler: inout Scheduler<WorldEvent>
  ) {
    let now = scheduler.now
    let coolingDown = now - nodePools.lastScaleUpAt < autoscaler.scaleDownDelayAfterAdd
    var removed = 0
    var drainedThisScan = false
    var cursor = 0
    while true {
      // Reads the rest of the scan as it stands; clocks of nodes that cannot be drained
      // are reset only when the answers are carried out, in order.
      var candidates: [ScaleDownCandidate] = []
      var blocked: [NodeID] = []
      var readCursor = cursor
      while let id = nodeTable.firstUnderutilised(from: readCursor) {
        readCursor = id.position + 1
        let isEmpty = nodeTable[id].isEmpty
        guard let movable = isEmpty ? [] : drainPlan(on: id, evictsTrainingPods: autoscaler.evictsTrainingPods) else {
          blocked.append(id)
          continue
        }
        let pool = nodeTable[id].pool
        let since = nodeTable[id].unneededSince ?? now
        let poolConfiguration = nodePools.configurations[pool]
        candidates.append(
          ScaleDownCandidate(
            id: id, movable: movable, unneededSince: since,
            observation: NodeScaleDownObservation(
              node: id.description, pool: poolConfiguration.name,
              instanceType: configuration.catalogue.types[nodeTable[id].instanceType].name,
              capacityType: nodeTable[id].capacityType.rawValue, utilisation: nodeTable[id].utilisation,
              empty: isEmpty, unneededSeconds: (now - since).seconds,
              unneededTimeSeconds: autoscaler.scaleDownUnneededTime.seconds, coolingDown: coolingDown,
              removedThisScan: removed, maxScaleDownParallelism: autoscaler.maxScaleDownParallelism,
              drainedThisScan: drainedThisScan, poolDesiredNodes: nodePools.desired(pool),
              poolMinNodes: poolConfiguration.minNodes)))
      }
      let actions = policies.nodeScaleDown.decide(
        batch: candidates.map(\.observation), at: PolicyTime(microseconds: now.microseconds))
      var removedNode: NodeID?
      var blockedIndex = 0
      for (candidate, action) in zip(candidates, actions) {
        // Blocked nodes before this candidate lose their unneeded clock, as in the scan.
        while blockedIndex < blocked.count && blocked[blockedIndex] < candidate.id {
          nodeTable.setUnneeded(since: nil, of: blocked[blockedIndex])
          blockedIndex += 1
        }
        let id = candidate.id
        nodeTable.setUnneeded(since: candidate.unneededSince, of: id)
        let pool = nodeTable[id].pool
        guard action.remove, nodePools.desired(pool) > nodePools.configurations[pool].minNodes else { continue }
        if !candidate.observation.empty {
          drainedThisScan = true
          for job in candidate.movable { interrupt(job, cause: .drain, scheduler: &scheduler) }
        }
        nodePools.setDesired(pool, nodePools.desired(pool) - 1)
        removed += 1
        self.autoscaler?.recordScaleDown()
        terminateNode(id, reason: .scaleDown, scheduler: &scheduler)
        removedNode = id
        break
      }
      guard let removedNode else {
        // No removal: the batch was the rest of the scan.
        for id in blocked[blockedIndex...] { nodeTable.setUnneeded(since: nil, of: id) }
        return
      }
      cursor = removedNode.position + 1
    }
  }
}
