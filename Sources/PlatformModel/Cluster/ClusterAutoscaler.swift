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
}
