import Foundation
import InputDiagnostics
import PlatformModel
import SimKernel

/// Decoding of `spec.cluster`, `spec.teams` and `spec.governance`, with located
/// errors for what the schema alone cannot catch: unknown instance types, `min`
/// above `max`, unparseable schedules, and workloads no pool can host.
extension ScenarioLoader {
  /// Reads one instance type, on top of `base` when overriding a catalogue entry.
  static func readInstanceType(name: String, _ reader: ObjectReader, base: InstanceType?) -> InstanceType? {
    let vcpus = reader.integer("vcpus") ?? base?.vcpuCount
    let memory = reader.number("memoryGiB") ?? base?.memoryGiB
    let gpus = reader.integer("gpus") ?? base?.gpuCount ?? 0
    let gpuModel = reader.string("gpuModel") ?? base?.gpuModel
    let onDemand = reader.number("onDemandUSDPerHour") ?? base?.onDemandPriceUSDPerHour
    let spotPrice = reader.number("spotUSDPerHour")
    let discount = reader.number("spotDiscount")
    let band = reader.string("spotInterruption").flatMap(SpotInterruptionBand.init(rawValue:))
    let meanTime = reader.duration("meanTimeBetweenInterruptions")
    var missing: [String] = []
    if vcpus == nil { missing.append("vcpus") }
    if memory == nil { missing.append("memoryGiB") }
    if onDemand == nil { missing.append("onDemandUSDPerHour") }
    guard let vcpus, let memory, let onDemand, missing.isEmpty else {
      reader.value.error(
        "instance type `\(name)` is not in the catalogue, so it needs " + missing.map { "`\($0)`" }.joined(separator: ", "),
        hint: "to override a catalogue entry, check the name's spelling")
      return nil
    }
    if spotPrice != nil && discount != nil {
      reader["spotDiscount"]?.error("give `spotUSDPerHour` or `spotDiscount`, not both")
      return nil
    }
    let spot = spotPrice ?? discount.map { onDemand * (1 - $0) } ?? base?.spotPriceUSDPerHour
    let interruption: SpotInterruptionRate =
      meanTime.map { .meanTimeBetween($0) } ?? band.map { .band($0) } ?? base?.spotInterruption ?? .band(.under5)
    return InstanceType(
      name: name, vcpuCount: vcpus, memoryGiB: memory, gpuCount: gpus, gpuModel: gpuModel,
      onDemandPriceUSDPerHour: onDemand, spotPriceUSDPerHour: spot, spotInterruption: interruption)
  }

  /// Reads a catalogue file (`kind: InstanceCatalogue`).
  static func readCatalogueFile(at url: URL, log: DiagnosticLog) -> InstanceCatalogue? {
    guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8) else {
      log.add(Diagnostic(file: url.path, line: 0, column: 0, keyPath: .root, message: "cannot read the instance catalogue"))
      return nil
    }
    let context = ReadContext(file: url.path, log: log)
    guard let root = parseYAML(text, file: url.path, log: log),
      let top = YAMLValue(node: root, path: .root, context: context).readObject(ScenarioSchema.instanceCatalogueFile)
    else { return nil }
    _ = top.string("apiVersion")
    _ = top.string("kind")
    _ = top["metadata"]?.readDictionary()
    guard let entries = top["instanceTypes"]?.readDictionary() else { return nil }
    var types: [InstanceType] = []
    for (name, value) in entries {
      guard let reader = value.readObject(ScenarioSchema.instanceType),
        let type = readInstanceType(name: name, reader, base: nil)
      else { continue }
      types.append(type)
    }
    return types.count == entries.count ? InstanceCatalogue(types: types) : nil
  }

  static func readCluster(_ reader: ObjectReader, place: (InstantText) -> SimTime?) -> ClusterConfiguration? {
    let name = reader.string("name")
    var catalogue = InstanceCatalogue.awsUSEast1
    var ok = true
    if let value = reader["catalogue"] {
      if let url = value.readExistingFilePath(), let loaded = readCatalogueFile(at: url, log: reader.context.log) {
        catalogue = loaded
      } else {
        ok = false
      }
    }
    if let entries = reader["instanceTypes"]?.readDictionary() {
      for (typeName, value) in entries {
        guard let typeReader = value.readObject(ScenarioSchema.instanceType),
          let type = readInstanceType(name: typeName, typeReader, base: catalogue.type(named: typeName))
        else {
          ok = false
          continue
        }
        catalogue.upsert(type)
      }
    }
    var pools: [NodePoolConfiguration] = []
    if let values = reader["nodePools"]?.readArray(minimumCount: 1) {
      for value in values {
        guard let poolReader = value.readObject(ScenarioSchema.nodePool),
          let pool = readNodePool(poolReader, catalogue: catalogue)
        else {
          ok = false
          continue
        }
        if pools.contains(where: { $0.name == pool.name }) {
          poolReader["name"]?.error("a node pool named `\(pool.name)` is already declared", hint: "pool names must be unique")
          ok = false
        }
        pools.append(pool)
      }
    } else {
      ok = false
    }
    let market = reader.object("spotMarket") { readSpotMarket($0, place: place) }
    if reader.has("spotMarket") && market == nil { ok = false }
    var autoscaler: ClusterAutoscalerConfiguration?
    var karpenter: KarpenterConfiguration?
    if let value = reader["autoscaler"], let scaler = value.readObject(ScenarioSchema.autoscaler) {
      var settings = ClusterAutoscalerConfiguration()
      if let interval = scaler.duration("scanInterval") { settings.scanInterval = interval }
      if let time = scaler.duration("scaleDownUnneededTime") { settings.scaleDownUnneededTime = time }
      if let delay = scaler.duration("scaleDownDelayAfterAdd") { settings.scaleDownDelayAfterAdd = delay }
      if let threshold = scaler.number("scaleDownUtilizationThreshold") { settings.scaleDownUtilisationThreshold = threshold }
      if let time = scaler.duration("maxNodeProvisionTime") { settings.maxNodeProvisionTime = time }
      if let backoff = scaler.duration("nodeGroupBackoff") { settings.nodeGroupBackoff = backoff }
      if let parallelism = scaler.integer("maxScaleDownParallelism") { settings.maxScaleDownParallelism = parallelism }
      if let expander = scaler.string("expander").flatMap(ScaleUpExpander.init(rawValue:)) { settings.expander = expander }
      if let evicts = scaler.boolean("evictTrainingPods") { settings.evictsTrainingPods = evicts }
      var karpenterSettings = KarpenterConfiguration()
      if let policy = scaler.string("consolidationPolicy").flatMap(ConsolidationPolicy.init(rawValue:)) {
        karpenterSettings.consolidationPolicy = policy
      }
      if let after = scaler.duration("consolidateAfter") { karpenterSettings.consolidateAfter = after }
      if let budget = scaler.string("disruptionBudget"), let percent = Double(budget.dropLast()) {
        karpenterSettings.budgetShare = percent / 100
      }
      if let idle = scaler.duration("batchIdleDuration") { karpenterSettings.batchIdleDuration = idle }
      if let ttl = scaler.duration("unavailableOfferingTTL") { karpenterSettings.unavailableOfferingTTL = ttl }
      switch scaler.string("kind") ?? "cluster-autoscaler" {
      case "none": autoscaler = nil
      case "karpenter": karpenter = karpenterSettings
      default: autoscaler = settings
      }
    }
    let recordRows = reader.boolean("recordRows") ?? true
    guard ok, let name else { return nil }
    return ClusterConfiguration(
      name: name, catalogue: catalogue, nodePools: pools, spotMarket: market ?? SpotMarketConfiguration(),
      autoscaler: autoscaler, karpenter: karpenter, recordsRows: recordRows)
  }

  static func readNodePool(_ reader: ObjectReader, catalogue: InstanceCatalogue) -> NodePoolConfiguration? {
    var ok = true
    let name = reader.string("name")
    let capacityType = reader.string("capacityType").flatMap(CapacityType.init(rawValue:)) ?? .onDemand
    var typeNames: [String] = []
    if let values = reader["instanceTypes"]?.readArray(minimumCount: 1) {
      for value in values {
        guard let typeName = value.readString() else {
          ok = false
          continue
        }
        guard let type = catalogue.type(named: typeName) else {
          value.error(
            "unknown instance type `\(typeName)`",
            hint: nearestMatch(to: typeName, in: catalogue.names).map { "did you mean `\($0)`?" }
              ?? "known types: " + catalogue.names.joined(separator: ", ") + "; add it under `cluster.instanceTypes`")
          ok = false
          continue
        }
        if capacityType == .spot && type.spotPriceUSDPerHour == nil {
          value.error(
            "instance type `\(typeName)` has no spot price, but the pool buys spot capacity",
            hint: "set `spotUSDPerHour` or `spotDiscount` for it under `cluster.instanceTypes`")
          ok = false
        }
        typeNames.append(typeName)
      }
    } else {
      ok = false
    }
    let minimum = reader.integer("min") ?? 0
    let maximum = reader.integer("max")
    let desired = reader.integer("desired") ?? minimum
    if let maximum {
      if minimum > maximum {
        reader["min"]?.error("`min` (\(minimum)) is greater than `max` (\(maximum))", hint: "a pool needs min ≤ desired ≤ max")
        ok = false
      } else if desired < minimum || desired > maximum {
        reader["desired"]?.error(
          "`desired` (\(desired)) is outside `min`…`max` (\(minimum)…\(maximum))", hint: "a pool needs min ≤ desired ≤ max")
        ok = false
      }
    }
    let delay = reader.durationDistribution("provisioningDelay")
    if reader.has("provisioningDelay") && delay == nil { ok = false }
    var labels: [(key: String, value: String)] = []
    for (key, value) in reader["labels"]?.readDictionary() ?? [] {
      if let text = value.readString() { labels.append((key, text)) } else { ok = false }
    }
    let taints = reader.array("taints") { value -> Taint? in
      guard let taint = value.readObject(ScenarioSchema.taint), let key = taint.string("key") else { return nil }
      return Taint(key: key, value: taint.string("value"), effect: taint.string("effect") ?? "NoSchedule")
    }
    if reader.has("taints") && taints == nil { ok = false }
    var schedule: WeeklySchedule?
    if let values = reader["schedule"]?.readArray(minimumCount: 1) {
      var windows: [String] = []
      for value in values {
        guard let text = value.readString() else {
          ok = false
          continue
        }
        do {
          _ = try WeeklySchedule(windows: [text])
          windows.append(text)
        } catch {
          value.error("cannot read the schedule window `\(text)`: \(error.reason)", hint: "write windows like `Mon-Fri 07:00-20:00`")
          ok = false
        }
      }
      schedule = try? WeeklySchedule(windows: windows)
    } else if reader.has("schedule") {
      ok = false
    }
    let priority = reader.integer("expanderPriority") ?? 0
    guard ok, let name, let maximum else { return nil }
    return NodePoolConfiguration(
      name: name, capacityType: capacityType, instanceTypes: typeNames, minNodes: minimum, maxNodes: maximum,
      desiredNodes: desired, provisioningDelay: delay ?? .constant(180), labels: labels, taints: taints ?? [],
      activeSchedule: schedule, expanderPriority: priority)
  }

  static func readSpotMarket(_ reader: ObjectReader, place: (InstantText) -> SimTime?) -> SpotMarketConfiguration? {
    var market = SpotMarketConfiguration()
    var ok = true
    if let window = reader.duration("noticeWindow") { market.noticeWindow = window }
    if reader.has("correlatedReclaims") {
      if let reclaims = reader.object("correlatedReclaims", { r -> (SimDuration, Double)? in
        guard let interval = r.duration("meanInterval") else { return nil }
        return (interval, r.number("fraction") ?? 0.5)
      }) {
        market.correlatedReclaimMeanInterval = reclaims.0
        market.correlatedReclaimFraction = reclaims.1
      } else {
        ok = false
      }
    }
    if reader.has("shortageWindows") {
      let windows = reader.array("shortageWindows") { value -> Range<SimTime>? in
        guard let window = value.readObject(ScenarioSchema.shortageWindow) else { return nil }
        let start = window["start"]?.readInstant()
        let duration = window.duration("duration")
        guard let start, let duration, let time = place(start) else { return nil }
        return time..<(time + duration)
      }
      if let windows { market.shortageWindows = windows } else { ok = false }
    }
    if reader.has("randomShortages") {
      if let random = reader.object("randomShortages", { r -> (SimDuration, Distribution)? in
        guard let interval = r.duration("meanInterval"), let duration = r.durationDistribution("duration") else { return nil }
        return (interval, duration)
      }) {
        market.shortageMeanInterval = random.0
        market.shortageDuration = random.1
      } else {
        ok = false
      }
    }
    return ok ? market : nil
  }

  /// Reads the teams; returns them with the YAML value of each job stream, for the
  /// "fits no pool" check.
  static func readTeams(_ values: [YAMLValue])
    -> (teams: [TeamConfiguration], streamValues: [[YAMLValue]], deliveryTeams: [DeliveryTeam])?
  {
    var teams: [TeamConfiguration] = []
    var deliveryTeams: [DeliveryTeam] = []
    var streamValues: [[YAMLValue]] = []
    var ok = true
    for value in values {
      guard let reader = value.readObject(ScenarioSchema.team) else {
        ok = false
        continue
      }
      let name = reader.string("name")
      var tags: [(key: String, value: String)] = []
      for (key, tagValue) in reader["tags"]?.readDictionary() ?? [] {
        if let text = tagValue.readString() { tags.append((key, text)) } else { ok = false }
      }
      var streams: [TrainingJobStream] = []
      var locations: [YAMLValue] = []
      for streamValue in reader["training"]?.readArray() ?? [] {
        guard let streamReader = streamValue.readObject(ScenarioSchema.trainingJobs),
          let stream = readTrainingJobs(streamReader)
        else {
          ok = false
          continue
        }
        streams.append(stream)
        locations.append(streamReader["resources"] ?? streamValue)
      }
      if reader.has("training") && reader["training"]?.readArray() == nil { ok = false }
      guard let name else {
        ok = false
        continue
      }
      if teams.contains(where: { $0.name == name }) {
        reader["name"]?.error("a team named `\(name)` is already declared", hint: "team names must be unique")
        ok = false
      }
      teams.append(TeamConfiguration(name: name, tags: tags, jobStreams: streams))
      streamValues.append(locations)
      if let deliveryTeam = readDeliveryTeam(reader, name: name) { deliveryTeams.append(deliveryTeam) } else { ok = false }
    }
    return ok ? (teams, streamValues, deliveryTeams) : nil
  }

  static func readTrainingJobs(_ reader: ObjectReader) -> TrainingJobStream? {
    guard let template = reader.string("template").flatMap(TrainingTemplate.init(rawValue:)) else { return nil }
    var stream = template.defaults
    var ok = true
    if let arrivals = reader.object("arrivals", { readArrivalProcess($0) }) { stream.arrivals = arrivals } else { ok = false }
    if reader.has("duration") {
      if let duration = reader.durationDistribution("duration") { stream.duration = duration } else { ok = false }
    }
    if let workers = reader.integer("workers") { stream.workerCount = workers }
    if reader.has("resources") {
      if let resources = reader.object("resources", { r -> Resources? in
        var request = stream.perWorker
        if let cpu = r.number("cpu") { request.cpuMillis = Int64((cpu * 1_000).rounded()) }
        if let memory = r.number("memoryGiB") { request.memoryMiB = Int64((memory * 1_024).rounded()) }
        if let gpus = r.integer("gpus") { request.gpuCount = Int64(gpus) }
        return request
      }) {
        stream.perWorker = resources
      } else {
        ok = false
      }
    }
    if let priority = reader.integer("priority") { stream.priority = priority }
    if let capacity = reader.string("capacity").flatMap(CapacityPreference.init(rawValue:)) { stream.capacity = capacity }
    var selector: [(key: String, value: String)] = []
    for (key, value) in reader["nodeSelector"]?.readDictionary() ?? [] {
      if let text = value.readString() { selector.append((key, text)) } else { ok = false }
    }
    let tolerations = reader.array("tolerations") { value -> Toleration? in
      guard let toleration = value.readObject(ScenarioSchema.toleration), let key = toleration.string("key") else { return nil }
      return Toleration(key: key, value: toleration.string("value"))
    }
    if reader.has("tolerations") && tolerations == nil { ok = false }
    if reader.has("checkpoint") {
      if let policy = reader.object("checkpoint", { readCheckpoint($0) }) { stream.checkpoint = policy } else { ok = false }
    }
    if let utilisation = reader.number("utilisation") { stream.utilisation = utilisation }
    guard ok else { return nil }
    return TrainingJobStream(
      template: stream.template, arrivals: stream.arrivals, duration: stream.duration, workerCount: stream.workerCount,
      perWorker: stream.perWorker, priority: stream.priority, capacity: stream.capacity, checkpoint: stream.checkpoint,
      nodeSelector: selector, tolerations: tolerations ?? [], utilisation: stream.utilisation)
  }

  static func readCheckpoint(_ reader: ObjectReader) -> CheckpointPolicy? {
    var interval = CheckpointInterval.youngDaly
    if let value = reader["interval"] {
      if value.scalarText == "youngDaly" {
        interval = .youngDaly
      } else if let duration = value.readDuration(.positive) {
        interval = .fixed(duration)
      } else {
        return nil
      }
    }
    return CheckpointPolicy(
      interval: interval, cost: reader.duration("cost") ?? .minutes(1), restartCost: reader.duration("restartCost") ?? .minutes(5),
      checkpointOnNotice: reader.boolean("onNotice") ?? true)
  }

  static func readGovernance(_ reader: ObjectReader) -> GovernanceConfiguration? {
    let tags = reader.array("requiredTags") { $0.readString() }
    if reader.has("requiredTags") && tags == nil { return nil }
    return GovernanceConfiguration(
      requiredTags: tags ?? ["Owner", "CostCenter"],
      admission: reader.string("admission").flatMap(AdmissionMode.init(rawValue:)) ?? .audit,
      costCenterTag: reader.string("costCenterTag") ?? "CostCenter")
  }

  /// Errors for job streams whose workers no pool can ever host.
  static func checkWorkloadsFit(
    teams: [TeamConfiguration], streamValues: [[YAMLValue]], cluster: ClusterConfiguration
  ) -> Bool {
    var ok = true
    for (teamIndex, team) in teams.enumerated() {
      for (streamIndex, stream) in team.jobStreams.enumerated()
      where !cluster.nodePools.contains(where: { Cluster.canHost(stream, on: $0, catalogue: cluster.catalogue) }) {
        let request = stream.perWorker
        let largest = cluster.nodePools.map { pool in
          "`\(pool.name)` (" + pool.instanceTypes.compactMap { cluster.catalogue.type(named: $0) }.map {
            "\($0.name): \($0.vcpuCount) vCPU, \(formatNumber($0.memoryGiB)) GiB, \($0.gpuCount) GPU"
          }.joined(separator: "; ") + ", \(pool.capacityType.rawValue))"
        }
        streamValues[teamIndex][streamIndex].error(
          "no node pool can host a worker of team `\(team.name)`'s \(stream.template.rawValue) jobs: each needs "
            + "\(formatNumber(Double(request.cpuMillis) / 1_000)) vCPU, \(formatNumber(Double(request.memoryMiB) / 1_024)) GiB, "
            + "\(request.gpuCount) GPU on \(stream.capacity.rawValue) capacity"
            + (stream.nodeSelector.isEmpty ? "" : " with node selector " + stream.nodeSelector.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            + "; pools: " + largest.joined(separator: ", "),
          hint: "lower the request, split it over more workers, add a pool with larger instances, or match the pool's labels and taints")
        ok = false
      }
    }
    return ok
  }
}
