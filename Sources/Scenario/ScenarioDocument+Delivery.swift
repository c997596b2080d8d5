import InputDiagnostics
import PlatformModel
import SimKernel

/// What services placed on the cluster are checked against.
enum ClusterForServing {
  /// No `spec.cluster`: placed replicas have nowhere to run.
  case absent
  /// `spec.cluster` as decoded; `nil` when it had errors (already reported).
  case declared(ClusterConfiguration?)
}

/// Decoding of `spec.teams`, `spec.services` and `spec.delivery` into the delivery model.
extension ScenarioLoader {
  static func readDelivery(
    spec: ObjectReader, delivery deliveryReader: ObjectReader?, runnerPool: RunnerPoolConfiguration?,
    teams: [DeliveryTeam]?, cluster: ClusterForServing = .absent
  ) -> DeliveryConfiguration? {
    // Names as written, even of teams that failed to decode, so one bad team does not
    // make every service that names it report an unknown team as well.
    let teamNames = rawNames(spec["teams"])
    let defaultRollout = deliveryReader?.object("rollout") { readRolloutPolicy($0) }
    if deliveryReader?.has("rollout") == true && defaultRollout == nil { return nil }
    let services = spec.array("services") { value -> ServiceConfiguration? in
      value.readObject(ScenarioSchema.service).flatMap {
        readService($0, teamNames: teamNames, defaultRollout: defaultRollout ?? .bigBang, cluster: cluster)
      }
    }
    checkUnique(services?.map(\.name) ?? [], in: spec["services"], what: "service")
    let pipeline = deliveryReader?.object("pipeline") { readPipeline($0) } ?? (deliveryReader?.has("pipeline") == true ? nil : defaultPipeline)
    let onCall = deliveryReader?.object("onCall") { readOnCall($0) } ?? (deliveryReader?.has("onCall") == true ? nil : readOnCallDefaults())
    var targets = DeliveryTargets()
    if let reader = deliveryReader?["targets"]?.readObject(ScenarioSchema.targets) {
      if let value = reader.number("deploymentsPerDay") { targets.deploymentsPerDay = value }
      if let value = reader.number("changeFailureRate") { targets.changeFailureRate = value }
      if let value = reader.duration("recoveryTime") { targets.recoveryTime = value }
      if let value = reader.duration("leadTime") { targets.leadTime = value }
      if let value = reader.duration("ideaToProduction") { targets.ideaToProduction = value }
    }
    let trafficInterval = deliveryReader?.duration("trafficInterval") ?? .minutes(1)
    let pushesChanges = teams?.contains { $0.changeArrivals != nil || $0.modelPromotion != nil } ?? false
    guard let teams, !teams.isEmpty, pushesChanges || spec.has("services") else {
      if !spec.has("teams"), let services, !services.isEmpty { spec["services"]?.error("services need teams: add `spec.teams`") }
      return nil
    }
    if runnerPool == nil && pushesChanges {
      (spec["delivery"] ?? spec["teams"])?.error(
        "teams push changes through CI, which runs on runners, but there is no runner pool",
        hint: "add `spec.delivery.runnerPool: {runners: 4}`")
    }
    if let services {
      for (index, team) in teams.enumerated()
      where team.changeArrivals != nil && !services.contains(where: { $0.team.rawValue == index }) {
        spec["teams"]?.readArray()?[index].warning("team `\(team.name)` owns no service, so its changes go nowhere")
      }
    }
    guard let services, let pipeline, let onCall, runnerPool != nil || !pushesChanges else { return nil }
    return DeliveryConfiguration(
      teams: teams, services: services, pipeline: pipeline, onCall: onCall, targets: targets, trafficInterval: trafficInterval)
  }

  static func rawNames(_ list: YAMLValue?) -> [String] {
    guard case .sequence(let elements)? = list?.node else { return [] }
    return elements.map { element in
      guard case .mapping(let mapping) = element else { return "" }
      for (key, value) in mapping where key.string == "name" { return value.string ?? "" }
      return ""
    }
  }

  static func checkUnique(_ names: [String], in value: YAMLValue?, what: String) {
    guard let elements = value?.readArray() else { return }
    var seen: [String] = []
    for (index, name) in names.enumerated() {
      if seen.contains(name), index < elements.count { elements[index].error("duplicate \(what) name `\(name)`") }
      seen.append(name)
    }
  }

  /// The delivery side of a `spec.teams[]` entry (read by ``readTeams(_:)``).
  static func readDeliveryTeam(_ reader: ObjectReader, name: String) -> DeliveryTeam? {
    let engineers = reader.integer("engineers") ?? 1
    let changes = reader.object("changes") { readArrivalProcess($0) }
    let defects = reader.has("defects") ? reader.object("defects") { readDefects($0) } : DefectModel.none
    if reader.has("changes") && changes == nil { return nil }
    let promotion = reader.object("modelPromotion") { promotion -> ModelPromotion? in
      guard let probability = promotion.number("probability") else { return nil }
      let delay = promotion.has("delay") ? promotion.durationDistribution("delay") : .lognormal(median: 600, p90: 3_600)
      return delay.map { ModelPromotion(probability: probability, delay: $0) }
    }
    if reader.has("modelPromotion") && promotion == nil { return nil }
    guard let defects else { return nil }
    return DeliveryTeam(name: name, engineerCount: engineers, changeArrivals: changes, defects: defects, modelPromotion: promotion)
  }

  static func readDefects(_ reader: ObjectReader) -> DefectModel? {
    let probability = reader.number("probability")
    var weights: [(kind: DefectKind, weight: Double)] = [
      (.errorRate, 0.5), (.latency, 0.2), (.crashOnStart, 0.15), (.quality, 0.15),
    ]
    var kindsValid = true
    if let entries = reader["kinds"]?.readDictionary() {
      var parsed: [(kind: DefectKind, weight: Double)] = []
      for (key, value) in entries {
        guard let kind = DefectKind(rawValue: key) else {
          let options = DefectKind.allCases.map(\.rawValue)
          YAMLValue(node: value.node, path: value.path, context: value.context).error(
            "unknown defect kind `\(key)`",
            hint: nearestMatch(to: key, in: options).map { "did you mean `\($0)`?" } ?? "kinds: " + options.joined(separator: ", "))
          kindsValid = false
          continue
        }
        if let weight = value.readNumber(minimum: 0) { parsed.append((kind, weight)) } else { kindsValid = false }
      }
      if kindsValid && parsed.reduce(0, { $0 + $1.weight }) <= 0 {
        reader["kinds"]?.error("the defect kind weights must not all be zero")
        kindsValid = false
      }
      weights = parsed
    }
    let errorRate = reader.has("errorRateIncrease") ? reader.numberDistribution("errorRateIncrease") : .uniform(low: 0.02, high: 0.3)
    let latency = reader.has("latencyIncrease") ? reader.durationDistribution("latencyIncrease") : .lognormal(median: 0.5, p90: 3)
    let quality = reader.has("qualityDrop") ? reader.numberDistribution("qualityDrop") : .uniform(low: 0.01, high: 0.1)
    guard let probability, kindsValid, let errorRate, let latency, let quality else { return nil }
    return DefectModel(
      probability: probability, kindWeights: weights, errorRateIncrease: errorRate, latencyIncreaseSeconds: latency,
      qualityDrop: quality)
  }

  static func readService(
    _ reader: ObjectReader, teamNames: [String], defaultRollout: RolloutStrategy, cluster: ClusterForServing = .absent
  ) -> ServiceConfiguration? {
    let name = reader.string("name")
    let teamName = reader.string("team")
    var team: TeamID?
    if let teamName {
      if let index = teamNames.firstIndex(of: teamName) {
        team = TeamID(Int32(index))
      } else {
        reader["team"]?.error(
          "unknown team `\(teamName)`",
          hint: nearestMatch(to: teamName, in: teamNames).map { "did you mean `\($0)`?" }
            ?? (teamNames.isEmpty ? "define it under `spec.teams`" : "teams: " + teamNames.joined(separator: ", ")))
      }
    }
    let rate = reader.number("requestsPerSecond")
    let hourly = reader.array("hourOfDay") { $0.readNumber(minimum: 0) }
    let daily = reader.array("dayOfWeek") { $0.readNumber(minimum: 0) }
    let errorRatio = reader.number("errorRatio") ?? 0.001
    let latency = reader.duration("latency") ?? .milliseconds(100)
    let timeout = reader.duration("timeout") ?? .seconds(5)
    if latency >= timeout { reader["latency"]?.error("the median latency \(latency) is not below the timeout \(timeout)") }
    let rollout = reader.has("rollout") ? reader.object("rollout") { readRolloutPolicy($0) } : defaultRollout
    let serving = reader.object("serving") { readServing($0, service: name ?? "?", cluster: cluster) }
    if reader.has("serving") && serving == nil { return nil }
    guard let name, let team, let rate, latency < timeout, let rollout else { return nil }
    if (reader.has("hourOfDay") && hourly == nil) || (reader.has("dayOfWeek") && daily == nil) { return nil }
    var service = ServiceConfiguration(
      name: name, team: team, requestsPerSecond: rate,
      loadProfile: RateProfile(hourOfDay: hourly ?? Array(repeating: 1, count: 24), dayOfWeek: daily ?? Array(repeating: 1, count: 7)),
      baselineErrorRatio: errorRatio, baselineLatencySeconds: latency.seconds, timeoutSeconds: timeout.seconds)
    service.rollout = rollout
    service.serving = serving
    return service
  }

  static func readServing(_ reader: ObjectReader, service: String = "?", cluster: ClusterForServing = .absent)
    -> ServingConfiguration?
  {
    let capacity = reader.number("replicaCapacity")
    let minimum = reader.integer("minReplicas") ?? 1
    let maximum = reader.integer("maxReplicas") ?? 10
    let initial = reader.integer("initialReplicas") ?? minimum
    if minimum > maximum {
      reader["minReplicas"]?.error("`minReplicas` \(minimum) is above `maxReplicas` \(maximum)")
      return nil
    }
    let coldStart = reader.has("coldStart") ? reader.durationDistribution("coldStart") : .lognormal(median: 30, p90: 120)
    var autoscaler = ReplicaAutoscaler.fixed
    if let scaler = reader["autoscaler"]?.readObject(ScenarioSchema.replicaAutoscaler) {
      switch scaler.string("kind") {
      case "hpa":
        autoscaler = .hpa(
          targetUtilization: scaler.number("targetUtilization") ?? 0.8, tolerance: scaler.number("tolerance") ?? 0.1,
          scaleDownStabilization: scaler.duration("scaleDownStabilization") ?? .seconds(300))
      case "kpa":
        autoscaler = .kpa(
          targetUtilization: scaler.number("targetUtilization") ?? 0.7, stableWindow: scaler.duration("stableWindow") ?? .seconds(60),
          panicThreshold: scaler.number("panicThreshold") ?? 2, scaleToZeroGrace: scaler.duration("scaleToZeroGrace") ?? .seconds(30))
      case "fixed": autoscaler = .fixed
      default: return nil
      }
      if case .fixed = autoscaler {} else if minimum == 0, case .hpa = autoscaler {
        reader["minReplicas"]?.error("the HPA cannot scale to zero (minReplicas 0)", hint: "use `kind: kpa` for scale to zero")
        return nil
      }
    } else if reader.has("autoscaler") {
      return nil
    }
    let placement: ServingPlacement?
    switch readServingPlacement(reader, service: service, cluster: cluster) {
    case .offCluster: placement = nil
    case .placed(let value): placement = value
    case .invalid: return nil
    }
    guard let capacity, let coldStart else { return nil }
    return ServingConfiguration(
      replicaCapacity: capacity, minReplicas: minimum, maxReplicas: maximum, initialReplicas: initial, autoscaler: autoscaler,
      coldStart: coldStart, replicaCostPerHour: reader.number("replicaCostPerHour") ?? 0, placement: placement)
  }

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
  static func readServingPlacement(_ reader: ObjectReader, service: String, cluster: ClusterForServing) -> PlacementRead {
    let placementKeys = ["nodePool", "nodeSelector", "tolerations", "safeToEvict", "priority"].filter(reader.has)
    guard let resourcesValue = reader["resources"] else {
      if let key = placementKeys.first {
        reader[key]?.error(
          "`\(key)` is about replicas placed on the cluster, which needs their requests",
          hint: "add `resources: {cpu: …, memoryGiB: …}`")
        return .invalid
      }
      return .offCluster
    }
    guard let resources = resourcesValue.readObject(ScenarioSchema.replicaResources) else { return .invalid }
    var request = Resources.zero
    var ok = true
    // Each read reports its own error (a negative or non-numeric value) and gives nil.
    if resources.has("cpu") {
      if let cpu = resources.number("cpu") { request.cpuMillis = Int64((cpu * 1_000).rounded()) } else { ok = false }
    }
    if resources.has("memoryGiB") {
      if let memory = resources.number("memoryGiB") { request.memoryMiB = Int64((memory * 1_024).rounded()) } else { ok = false }
    }
    if resources.has("gpus") {
      if let gpus = resources.integer("gpus") { request.gpuCount = Int64(gpus) } else { ok = false }
    }
    if ok && request == .zero {
      resourcesValue.error("a replica pod requests nothing", hint: "give `cpu`, `memoryGiB` or `gpus`")
      ok = false
    }
    var selector: [NodeLabel] = []
    if let value = reader["nodeSelector"] {
      if let entries = value.readDictionary() {
        for (key, value) in entries {
          if let text = value.readString() { selector.append(NodeLabel(key: key, value: text)) } else { ok = false }
        }
      } else {
        ok = false
      }
    }
    let tolerations = reader.array("tolerations") { value -> Toleration? in
      guard let toleration = value.readObject(ScenarioSchema.toleration), let key = toleration.string("key") else { return nil }
      return Toleration(key: key, value: toleration.string("value"))
    }
    if reader.has("tolerations") && tolerations == nil { ok = false }
    let poolName = reader.string("nodePool")
    if reader.has("nodePool") && poolName == nil { ok = false }
    if reader.has("replicaCostPerHour") {
      reader["replicaCostPerHour"]?.warning(
        "ignored: replicas with `resources` are pods on the cluster and cost their share of their nodes")
    }
    let safeToEvict = reader.boolean("safeToEvict")
    if reader.has("safeToEvict") && safeToEvict == nil { ok = false }
    let priority = reader.integer("priority")
    if reader.has("priority") && priority == nil { ok = false }
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
      return checkPlacement(placement, of: service, reader: reader, cluster: configuration) ? .placed(placement) : .invalid
    }
  }

  /// Errors when no pool of `cluster` can ever hold a replica of `placement`.
  static func checkPlacement(_ placement: ServingPlacement, of service: String, reader: ObjectReader, cluster: ClusterConfiguration)
    -> Bool
  {
    let poolNames = cluster.nodePools.map(\.name)
    if let name = placement.nodePool, !poolNames.contains(name) {
      reader["nodePool"]?.error(
        "unknown node pool `\(name)`",
        hint: nearestMatch(to: name, in: poolNames).map { "did you mean `\($0)`?" } ?? "pools: " + poolNames.joined(separator: ", "))
      return false
    }
    guard !cluster.nodePools.contains(where: { placement.canRun(on: $0, catalogue: cluster.catalogue) }) else { return true }
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
      (reader["nodeSelector"] ?? reader["resources"])?.error(
        "no node pool has the labels \(selector) that service `\(service)`'s replicas select",
        hint: "match a pool's `labels`")
      return false
    }
    func describe(_ pool: NodePoolConfiguration) -> String {
      "`\(pool.name)` (" + pool.instanceTypes.compactMap { cluster.catalogue.type(named: $0) }.map {
        "\($0.name): \($0.vcpuCount) vCPU, \(formatNumber($0.memoryGiB)) GiB, \($0.gpuCount) GPU"
      }.joined(separator: "; ") + ")"
    }
    let untolerated = candidates.flatMap { pool in
      pool.taints.filter { taint in !placement.tolerations.contains { $0.tolerates(taint) } }.map { "`\($0.key)` on `\(pool.name)`" }
    }
    if !untolerated.isEmpty && candidates.contains(where: { pool in
      pool.instanceTypes.contains { cluster.catalogue.type(named: $0).map { request.fits(in: $0.capacity) } ?? false }
    }) {
      (reader["tolerations"] ?? reader["resources"])?.error(
        "service `\(service)`'s replicas do not tolerate the taint " + untolerated.joined(separator: ", "),
        hint: "add `tolerations: [{key: …}]`")
      return false
    }
    reader["resources"]?.error(
      "no instance type can hold a replica of service `\(service)`: each needs \(needs); pools: "
        + candidates.map(describe).joined(separator: ", "),
      hint: "lower the requests, or use a pool with larger instances")
    return false
  }

  static let defaultPipeline = PipelineConfiguration(
    ciStages: [
      CIStage(name: "unit-tests", duration: .lognormal(median: 180, p90: 480), failureProbability: 0.05, flakeProbability: 0.03, maximumRetries: 2),
      CIStage(name: "docker-build", duration: .lognormal(median: 240, p90: 600), failureProbability: 0, flakeProbability: 0, maximumRetries: 2),
    ],
    registryPush: .lognormal(median: 30, p90: 90), trigger: .polling(interval: .seconds(120), jitter: .seconds(60)),
    syncDuration: .lognormal(median: 15, p90: 45), rolloutDuration: .lognormal(median: 120, p90: 300),
    fixDelay: .lognormal(median: 1_800, p90: 7_200))

  static func readPipeline(_ reader: ObjectReader) -> PipelineConfiguration? {
    var pipeline = defaultPipeline
    var valid = true
    if reader.has("ciStages") {
      if let stages = reader.array("ciStages", { value -> CIStage? in
        guard let stage = value.readObject(ScenarioSchema.ciStage) else { return nil }
        let name = stage.string("name")
        let duration = stage.durationDistribution("duration")
        guard let name, let duration else { return nil }
        return CIStage(
          name: name, duration: duration, failureProbability: stage.number("failureProbability") ?? 0,
          flakeProbability: stage.number("flakeProbability") ?? 0, maximumRetries: stage.integer("retries") ?? 2)
      }) {
        pipeline.ciStages = stages
      } else {
        valid = false
      }
    }
    func distribution(_ key: String, _ apply: (Distribution) -> Void) {
      guard reader.has(key) else { return }
      if let value = reader.durationDistribution(key) { apply(value) } else { valid = false }
    }
    distribution("registryPush") { pipeline.registryPush = $0 }
    distribution("syncDuration") { pipeline.syncDuration = $0 }
    distribution("rolloutDuration") { pipeline.rolloutDuration = $0 }
    distribution("fixDelay") { pipeline.fixDelay = $0 }
    let trigger = reader.string("trigger") ?? "polling"
    if trigger == "webhook" {
      let delay = reader.has("webhookDelay") ? reader.durationDistribution("webhookDelay") : .uniform(low: 1, high: 5)
      if let delay { pipeline.trigger = .webhook(delay: delay) } else { valid = false }
    } else {
      pipeline.trigger = .polling(
        interval: reader.duration("pollInterval") ?? .seconds(120), jitter: reader.duration("pollJitter") ?? .seconds(60))
    }
    return valid ? pipeline : nil
  }

  static func readOnCallDefaults() -> OnCallConfiguration {
    OnCallConfiguration(
      noticeDelay: [
        .errorRate: .lognormal(median: 1_200, p90: 3_600), .latency: .lognormal(median: 2_700, p90: 10_800),
        .quality: .lognormal(median: 172_800, p90: 604_800), .crashOnStart: .constant(0),
      ],
      responseTime: .lognormal(median: 300, p90: 1_200), rollbackProbability: 0.7,
      rollbackDuration: .lognormal(median: 180, p90: 600), fixForwardDuration: .lognormal(median: 2_700, p90: 10_800),
      progressDeadline: .seconds(600))
  }

  static func readOnCall(_ reader: ObjectReader) -> OnCallConfiguration? {
    var onCall = readOnCallDefaults()
    var valid = true
    if let notice = reader["noticeDelay"]?.readObject(ScenarioSchema.noticeDelay) {
      for (key, kind) in [("error-rate", DefectKind.errorRate), ("latency", .latency), ("quality", .quality)] where notice.has(key) {
        if let value = notice.durationDistribution(key) { onCall.noticeDelay[kind] = value } else { valid = false }
      }
    } else if reader.has("noticeDelay") {
      valid = false
    }
    for key in ["responseTime", "rollbackDuration", "fixForwardDuration"] where reader.has(key) {
      guard let value = reader.durationDistribution(key) else {
        valid = false
        continue
      }
      switch key {
      case "responseTime": onCall.responseTime = value
      case "rollbackDuration": onCall.rollbackDuration = value
      default: onCall.fixForwardDuration = value
      }
    }
    if let probability = reader.number("rollbackProbability") { onCall.rollbackProbability = probability }
    if let deadline = reader.duration("progressDeadline") { onCall.progressDeadline = deadline }
    return valid ? onCall : nil
  }
}
