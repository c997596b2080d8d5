import InputReading
import PlatformModel
import SimKernel

/// Decoding of where a service's replicas run: off the cluster (a replica count and a
/// price), or as pods on `spec.cluster` with requests, a pool, selectors, tolerations,
/// priority and eviction rules, checked against the pools that could host them.
extension ScenarioLoader {
  /// How a service's replicas are placed, as read.
  enum PlacementRead {
    case offCluster
    case placed(ServingPlacement)
    /// Errors were reported.
    case invalid
  }

  /// `resources`, `nodePool`, `nodeSelector`, `tolerations`, `safeToEvict`, `priority` of a service's replicas,
  /// checked against the cluster: the pool exists, and some allowed pool has an
  /// instance type that holds a replica.
  static func readServingPlacement(
    _ reader: ObjectReader<ScenarioSchema.Serving>, service: String, cluster: ClusterForServing
  ) -> PlacementRead {
    // In declaration order: the first of them present is reported.
    let placementKeys: [(name: String, value: YAMLValue?)] = [
      (reader.name(of: \.nodePool), reader.value(of: \.nodePool)),
      (reader.name(of: \.nodeSelector), reader.value(of: \.nodeSelector)),
      (reader.name(of: \.tolerations), reader.value(of: \.tolerations)),
      (reader.name(of: \.safeToEvict), reader.value(of: \.safeToEvict)),
      (reader.name(of: \.priority), reader.value(of: \.priority)),
    ]
    guard let resourcesValue = reader.value(of: \.resources) else {
      if let (key, value) = placementKeys.first(where: { $0.value != nil }), let value {
        value.error(
          "`\(key)` is about replicas placed on the cluster, which needs their requests",
          hint: "add `resources: {cpu: …, memoryGiB: …}`")
        return .invalid
      }
      return .offCluster
    }
    guard let resources = reader[\.resources] else { return .invalid }
    var request = Resources.zero
    var ok = true
    // Each read reports its own error (a negative or non-numeric value) and gives nil.
    if resources.has(\.cpu) {
      if let cpu = resources[\.cpu] { request.cpuMillis = Int64((cpu * 1_000).rounded()) } else { ok = false }
    }
    if resources.has(\.memoryGiB) {
      if let memory = resources[\.memoryGiB] {
        request.memoryMiB = Int64((memory * 1_024).rounded())
      } else {
        ok = false
      }
    }
    if resources.has(\.gpus) {
      if let gpus = resources[\.gpus] { request.gpuCount = Int64(gpus) } else { ok = false }
    }
    if ok && request == .zero {
      resourcesValue.error("a replica pod requests nothing", hint: "give `cpu`, `memoryGiB` or `gpus`")
      ok = false
    }
    var selector: [NodeLabel] = []
    if reader.has(\.nodeSelector) {
      if let entries = reader[\.nodeSelector] {
        entries.forEach { key, text, _ in
          if let text { selector.append(NodeLabel(key: key, value: text)) } else { ok = false }
        }
      } else {
        ok = false
      }
    }
    let tolerations = reader[\.tolerations]?.map { toleration -> Toleration? in
      guard let key = toleration[\.key] else { return nil }
      return Toleration(key: key, value: toleration[\.value])
    }
    if reader.has(\.tolerations) && tolerations == nil { ok = false }
    let poolName = reader[\.nodePool]
    if reader.has(\.nodePool) && poolName == nil { ok = false }
    if reader.has(\.replicaCostPerHour) {
      reader.value(of: \.replicaCostPerHour)?.warning(
        "ignored: replicas with `resources` are pods on the cluster and cost their share of their nodes")
    }
    let safeToEvict = reader[\.safeToEvict]
    if reader.has(\.safeToEvict) && safeToEvict == nil { ok = false }
    let priority = reader[\.priority]
    if reader.has(\.priority) && priority == nil { ok = false }
    guard ok else { return .invalid }
    let placement = ServingPlacement(
      perReplica: request, nodePool: poolName, nodeSelector: selector, tolerations: tolerations ?? [],
      safeToEvict: safeToEvict ?? true, priority: priority ?? 0)
    switch cluster {
    case .absent:
      resourcesValue.error(
        "service `\(service)` places its replicas on the cluster, but there is no `spec.cluster`",
        hint: "add `spec.cluster`, or drop `resources` to keep the replicas off the cluster")
      return .invalid
    case .declared(nil):
      return .invalid  // the cluster's own errors are reported
    case .declared(let configuration?):
      return checkPlacement(placement, of: service, reader: reader, cluster: configuration)
        ? .placed(placement) : .invalid
    }
  }

  /// Errors when no pool of `cluster` can ever hold a replica of `placement`.
  static func checkPlacement(
    _ placement: ServingPlacement, of service: String, reader: ObjectReader<ScenarioSchema.Serving>,
    cluster: ClusterConfiguration
  ) -> Bool {
    let poolNames = cluster.nodePools.map(\.name)
    if let name = placement.nodePool, !poolNames.contains(name) {
      reader.value(of: \.nodePool)?.error(
        "unknown node pool `\(name)`",
        hint: nearestMatch(to: name, in: poolNames).map { "did you mean `\($0)`?" } ?? "pools: "
          + poolNames.joined(separator: ", "))
      return false
    }
    guard !cluster.nodePools.contains(where: { placement.canRun(on: $0, catalogue: cluster.catalogue) }) else {
      return true
    }
    let request = placement.perReplica
    let needs =
      "\(formatNumber(Double(request.cpuMillis) / 1_000)) vCPU, \(formatNumber(Double(request.memoryMiB) / 1_024)) GiB, "
      + "\(request.gpuCount) GPU"
    let candidates = cluster.nodePools.filter { pool in
      (placement.nodePool.map { $0 == pool.name } ?? true)
        && placement.nodeSelector.allSatisfy { pool.label($0.key) == $0.value }
    }
    guard !candidates.isEmpty else {
      let selector = placement.nodeSelector.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
      (reader.value(of: \.nodeSelector) ?? reader.value(of: \.resources))?.error(
        "no node pool has the labels \(selector) that service `\(service)`'s replicas select",
        hint: "match a pool's `labels`")
      return false
    }
    func describe(_ pool: NodePoolConfiguration) -> String {
      "`\(pool.name)` ("
        + pool.instanceTypes.compactMap { cluster.catalogue.type(named: $0) }.map {
          "\($0.name): \($0.vcpuCount) vCPU, \(formatNumber($0.memoryGiB)) GiB, \($0.gpuCount) GPU"
        }.joined(separator: "; ") + ")"
    }
    let untolerated = candidates.flatMap { pool in
      pool.taints.filter { taint in !placement.tolerations.contains { $0.tolerates(taint) } }.map {
        "`\($0.key)` on `\(pool.name)`"
      }
    }
    if !untolerated.isEmpty
      && candidates.contains(where: { pool in
        pool.instanceTypes.contains { cluster.catalogue.type(named: $0).map { request.fits(in: $0.capacity) } ?? false }
      })
    {
      (reader.value(of: \.tolerations) ?? reader.value(of: \.resources))?.error(
        "service `\(service)`'s replicas do not tolerate the taint " + untolerated.joined(separator: ", "),
        hint: "add `tolerations: [{key: …}]`")
      return false
    }
    reader.value(of: \.resources)?.error(
      "no instance type can hold a replica of service `\(service)`: each needs \(needs); pools: "
        + candidates.map(describe).joined(separator: ", "),
      hint: "lower the requests, or use a pool with larger instances")
    return false
  }

}
