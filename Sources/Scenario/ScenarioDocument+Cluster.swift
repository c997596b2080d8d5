import Foundation
import InputReading
import PlatformModel
import SimKernel

/// Decoding of `spec.cluster`, `spec.teams` and `spec.governance`, with located
/// errors for what the schema alone cannot catch: unknown instance types, `min`
/// above `max`, unparseable schedules, and workloads no pool can host.
extension ScenarioLoader {
  /// Reads one instance type, on top of `base` when overriding a catalogue entry.
  static func readInstanceType(name: String, _ reader: ObjectReader<ScenarioSchema.InstanceType>, base: InstanceType?)
    -> InstanceType?
  {
    let vcpus = reader[\.vcpus] ?? base?.vcpuCount
    let memory = reader[\.memoryGiB] ?? base?.memoryGiB
    let gpus = reader[\.gpus] ?? base?.gpuCount ?? 0
    let gpuModel = reader[\.gpuModel] ?? base?.gpuModel
    let onDemand = reader[\.onDemandUSDPerHour] ?? base?.onDemandPriceUSDPerHour
    let spotPrice = reader[\.spotUSDPerHour]
    let discount = reader[\.spotDiscount]
    let band = reader[\.spotInterruption]
    let meanTime = reader[\.meanTimeBetweenInterruptions]
    var missing: [String] = []
    if vcpus == nil { missing.append("vcpus") }
    if memory == nil { missing.append("memoryGiB") }
    if onDemand == nil { missing.append("onDemandUSDPerHour") }
    guard let vcpus, let memory, let onDemand, missing.isEmpty else {
      reader.value.error(
        "instance type `\(name)` is not in the catalogue, so it needs "
          + missing.map { "`\($0)`" }.joined(separator: ", "),
        hint: "to override a catalogue entry, check the name's spelling")
      return nil
    }
    if spotPrice != nil && discount != nil {
      reader.value(of: \.spotDiscount)?.error("give `spotUSDPerHour` or `spotDiscount`, not both")
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
      log.add(Diagnostic(file: url.path, message: "cannot read the instance catalogue"))
      return nil
    }
    let context = ReadContext(file: url.path, log: log, conventions: InputFormat.instanceCatalogue.conventions)
    guard let root = parseYAML(text, file: url.path, log: log) else { return nil }
    return readCatalogue(YAMLValue(node: root, path: .root, context: context))
  }

  /// Reads the parsed YAML of a catalogue (`kind: InstanceCatalogue`).
  static func readCatalogue(_ root: YAMLValue) -> InstanceCatalogue? {
    guard let top = root.readObject(ScenarioSchema.InstanceCatalogue.self) else { return nil }
    _ = top[\.apiVersion]
    _ = top[\.kind]
    _ = top[\.metadata]?.read()
    let types = top[\.instanceTypes]?.map { name, reader in readInstanceType(name: name, reader, base: nil) }
    return types.map { InstanceCatalogue(types: $0) }
  }

  static func readCluster(_ reader: ObjectReader<ScenarioSchema.Cluster>, place: (InstantText) -> SimTime?)
    -> ClusterConfiguration?
  {
    let name = reader[\.name]
    var catalogue = InstanceCatalogue.awsUSEast1
    var ok = true
    if reader.has(\.catalogue) {
      if let url = reader[\.catalogue], let loaded = readCatalogueFile(at: url, log: reader.context.log) {
        catalogue = loaded
      } else {
        ok = false
      }
    }
    reader[\.instanceTypes]?.forEach { typeName, typeReader, _ in
      guard let typeReader,
        let type = readInstanceType(name: typeName, typeReader, base: catalogue.type(named: typeName))
      else {
        ok = false
        return
      }
      catalogue.upsert(type)
    }
    var pools: [NodePoolConfiguration] = []
    var poolNames: Set<String> = []
    if let values = reader[\.nodePools] {
      values.forEach { poolReader, _ in
        guard let poolReader, let pool = readNodePool(poolReader, catalogue: catalogue) else {
          ok = false
          return
        }
        if !poolNames.insert(pool.name).inserted {
          poolReader.value(of: \.name)?.error(
            "a node pool named `\(pool.name)` is already declared", hint: "pool names must be unique")
          ok = false
        }
        pools.append(pool)
      }
    } else {
      ok = false
    }
    let market = reader[\.spotMarket].flatMap { readSpotMarket($0, place: place) }
    if reader.has(\.spotMarket) && market == nil { ok = false }
    var autoscaler: ClusterAutoscalerConfiguration?
    var karpenter: KarpenterConfiguration?
    if let scaler = reader[\.autoscaler] {
      var settings = ClusterAutoscalerConfiguration()
      if let interval = scaler[\.scanInterval] { settings.scanInterval = interval }
      if let time = scaler[\.scaleDownUnneededTime] { settings.scaleDownUnneededTime = time }
      if let delay = scaler[\.scaleDownDelayAfterAdd] { settings.scaleDownDelayAfterAdd = delay }
      if let threshold = scaler[\.scaleDownUtilizationThreshold] { settings.scaleDownUtilisationThreshold = threshold }
      if let time = scaler[\.maxNodeProvisionTime] { settings.maxNodeProvisionTime = time }
      if let backoff = scaler[\.nodeGroupBackoff] { settings.nodeGroupBackoff = backoff }
      if let parallelism = scaler[\.maxScaleDownParallelism] { settings.maxScaleDownParallelism = parallelism }
      if let expander = scaler[\.expander] { settings.expander = expander }
      if let evicts = scaler[\.evictTrainingPods] { settings.evictsTrainingPods = evicts }
      var karpenterSettings = KarpenterConfiguration()
      if let policy = scaler[\.consolidationPolicy] { karpenterSettings.consolidationPolicy = policy }
      if let after = scaler[\.consolidateAfter] { karpenterSettings.consolidateAfter = after }
      if let budget = scaler[\.disruptionBudget], let percent = Double(budget.dropLast()) {
        karpenterSettings.budgetShare = percent / 100
      }
      if let idle = scaler[\.batchIdleDuration] { karpenterSettings.batchIdleDuration = idle }
      if let ttl = scaler[\.unavailableOfferingTTL] { karpenterSettings.unavailableOfferingTTL = ttl }
      switch scaler[\.kind] ?? "cluster-autoscaler" {
      case "none": autoscaler = nil
      case "karpenter": karpenter = karpenterSettings
      default: autoscaler = settings
      }
    }
    let recordRows = reader[\.recordRows] ?? true
    let percentageOfNodesToScore = reader[\.percentageOfNodesToScore]
    guard ok, let name else { return nil }
    return ClusterConfiguration(
      name: name, catalogue: catalogue, nodePools: pools, spotMarket: market ?? SpotMarketConfiguration(),
      autoscaler: autoscaler, karpenter: karpenter, recordsRows: recordRows,
      percentageOfNodesToScore: percentageOfNodesToScore)
  }

  static func readNodePool(_ reader: ObjectReader<ScenarioSchema.NodePool>, catalogue: InstanceCatalogue)
    -> NodePoolConfiguration?
  {
    var ok = true
    let name = reader[\.name]
    let capacityType = reader[\.capacityType] ?? .onDemand
    var typeNames: [String] = []
    if let values = reader[\.instanceTypes] {
      values.forEach { typeName, value in
        guard let typeName else {
          ok = false
          return
        }
        guard let type = catalogue.type(named: typeName) else {
          value.error(
            "unknown instance type `\(typeName)`",
            hint: nearestMatch(to: typeName, in: catalogue.names).map { "did you mean `\($0)`?" }
              ?? "known types: " + catalogue.names.joined(separator: ", ") + "; add it under `cluster.instanceTypes`")
          ok = false
          return
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
    let minimum = reader[\.min] ?? 0
    let maximum = reader[\.max]
    let desired = reader[\.desired] ?? minimum
    if let maximum {
      if minimum > maximum {
        reader.value(of: \.min)?.error(
          "`min` (\(minimum)) is greater than `max` (\(maximum))", hint: "a pool needs min ≤ desired ≤ max")
        ok = false
      } else if desired < minimum || desired > maximum {
        reader.value(of: \.desired)?.error(
          "`desired` (\(desired)) is outside `min`…`max` (\(minimum)…\(maximum))",
          hint: "a pool needs min ≤ desired ≤ max")
        ok = false
      }
    }
    let delay = reader[\.provisioningDelay]
    if reader.has(\.provisioningDelay) && delay == nil { ok = false }
    var labels: [(key: String, value: String)] = []
    reader[\.labels]?.forEach { key, text, _ in
      if let text { labels.append((key, text)) } else { ok = false }
    }
    let taints = reader[\.taints]?.map { taint -> Taint? in
      guard let key = taint[\.key] else { return nil }
      return Taint(key: key, value: taint[\.value], effect: taint[\.effect] ?? "NoSchedule")
    }
    if reader.has(\.taints) && taints == nil { ok = false }
    var schedule: WeeklySchedule?
    if let values = reader[\.schedule] {
      var windows: [String] = []
      values.forEach { text, value in
        guard let text else {
          ok = false
          return
        }
        do throws(WeeklySchedule.ParseError) {
          _ = try WeeklySchedule(windows: [text])
          windows.append(text)
        } catch {
          value.error(
            "cannot read the schedule window `\(text)`: \(error.reason)",
            hint: "write windows like `Mon-Fri 07:00-20:00`")
          ok = false
        }
      }
      schedule = try? WeeklySchedule(windows: windows)
    } else if reader.has(\.schedule) {
      ok = false
    }
    let priority = reader[\.expanderPriority] ?? 0
    guard ok, let name, let maximum else { return nil }
    return NodePoolConfiguration(
      name: name, capacityType: capacityType, instanceTypes: typeNames, minNodes: minimum, maxNodes: maximum,
      desiredNodes: desired, provisioningDelay: delay ?? .constant(180), labels: labels, taints: taints ?? [],
      activeSchedule: schedule, expanderPriority: priority)
  }

  static func readSpotMarket(_ reader: ObjectReader<ScenarioSchema.SpotMarket>, place: (InstantText) -> SimTime?)
    -> SpotMarketConfiguration?
  {
    var market = SpotMarketConfiguration()
    var ok = true
    if let window = reader[\.noticeWindow] { market.noticeWindow = window }
    if reader.has(\.correlatedReclaims) {
      if let reclaims = reader[\.correlatedReclaims].flatMap({ r -> (SimDuration, Double)? in
        guard let interval = r[\.meanInterval] else { return nil }
        return (interval, r[\.fraction] ?? 0.5)
      }) {
        market.correlatedReclaimMeanInterval = reclaims.0
        market.correlatedReclaimFraction = reclaims.1
      } else {
        ok = false
      }
    }
    if reader.has(\.shortageWindows) {
      let windows = reader[\.shortageWindows]?.map { window -> Range<SimTime>? in
        let start = window[\.start]
        let duration = window[\.duration]
        guard let start, let duration, let time = place(start) else { return nil }
        return time..<(time + duration)
      }
      if let windows { market.shortageWindows = windows } else { ok = false }
    }
    if reader.has(\.randomShortages) {
      if let random = reader[\.randomShortages].flatMap({ r -> (SimDuration, Distribution)? in
        guard let interval = r[\.meanInterval], let duration = r[\.duration] else { return nil }
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
  static func readTeams(_ values: InputList<ObjectReader<ScenarioSchema.Team>>)
    -> (teams: [TeamConfiguration], streamValues: [[YAMLValue]], deliveryTeams: [DeliveryTeam])?
  {
    var teams: [TeamConfiguration] = []
    var deliveryTeams: [DeliveryTeam] = []
    var streamValues: [[YAMLValue]] = []
    // A set, not a scan of `teams`: validation stays linear in the number of teams.
    var declaredNames: Set<String> = []
    var ok = true
    values.forEach { reader, _ in
      guard let reader else {
        ok = false
        return
      }
      let name = reader[\.name]
      var tags: [(key: String, value: String)] = []
      reader[\.tags]?.forEach { key, text, _ in
        if let text { tags.append((key, text)) } else { ok = false }
      }
      var streams: [TrainingJobStream] = []
      var locations: [YAMLValue] = []
      if let training = reader[\.training] {
        training.forEach { streamReader, streamValue in
          guard let streamReader, let stream = readTrainingJobs(streamReader) else {
            ok = false
            return
          }
          streams.append(stream)
          locations.append(streamReader.value(of: \.resources) ?? streamValue)
        }
      } else if reader.has(\.training) {
        ok = false
      }
      guard let name else {
        ok = false
        return
      }
      if !declaredNames.insert(name).inserted {
        reader.value(of: \.name)?.error("a team named `\(name)` is already declared", hint: "team names must be unique")
        ok = false
      }
      teams.append(TeamConfiguration(name: name, tags: tags, jobStreams: streams))
      streamValues.append(locations)
      if let deliveryTeam = readDeliveryTeam(reader, name: name) {
        deliveryTeams.append(deliveryTeam)
      } else {
        ok = false
      }
    }
    return ok ? (teams, streamValues, deliveryTeams) : nil
  }

  static func readTrainingJobs(_ reader: ObjectReader<ScenarioSchema.TrainingJobs>) -> TrainingJobStream? {
    guard let template = reader[\.template] else { return nil }
    var stream = template.defaults
    var ok = true
    if let arrivals = reader[\.arrivals].flatMap({ readArrivalProcess($0) }) {
      stream.arrivals = arrivals
    } else {
      ok = false
    }
    if reader.has(\.duration) {
      if let duration = reader[\.duration] { stream.duration = duration } else { ok = false }
    }
    if let workers = reader[\.workers] { stream.workerCount = workers }
    if reader.has(\.resources) {
      if let resources = reader[\.resources].flatMap({ r -> Resources? in
        var request = stream.perWorker
        if let cpu = r[\.cpu] { request.cpuMillis = Int64((cpu * 1_000).rounded()) }
        if let memory = r[\.memoryGiB] { request.memoryMiB = Int64((memory * 1_024).rounded()) }
        if let gpus = r[\.gpus] { request.gpuCount = Int64(gpus) }
        return request
      }) {
        stream.perWorker = resources
      } else {
        ok = false
      }
    }
    if let priority = reader[\.priority] { stream.priority = priority }
    if let capacity = reader[\.capacity] { stream.capacity = capacity }
    var selector: [(key: String, value: String)] = []
    reader[\.nodeSelector]?.forEach { key, text, _ in
      if let text { selector.append((key, text)) } else { ok = false }
    }
    let tolerations = reader[\.tolerations]?.map { toleration -> Toleration? in
      guard let key = toleration[\.key] else { return nil }
      return Toleration(key: key, value: toleration[\.value])
    }
    if reader.has(\.tolerations) && tolerations == nil { ok = false }
    if reader.has(\.checkpoint) {
      if let policy = reader[\.checkpoint].flatMap({ readCheckpoint($0) }) {
        stream.checkpoint = policy
      } else {
        ok = false
      }
    }
    if let utilisation = reader[\.utilisation] { stream.utilisation = utilisation }
    guard ok else { return nil }
    return TrainingJobStream(
      template: stream.template, arrivals: stream.arrivals, duration: stream.duration, workerCount: stream.workerCount,
      perWorker: stream.perWorker, priority: stream.priority, capacity: stream.capacity, checkpoint: stream.checkpoint,
      nodeSelector: selector, tolerations: tolerations ?? [], utilisation: stream.utilisation)
  }

  static func readCheckpoint(_ reader: ObjectReader<ScenarioSchema.Checkpoint>) -> CheckpointPolicy? {
    var interval = CheckpointInterval.youngDaly
    if reader.has(\.interval) {
      guard let value = reader[\.interval] else { return nil }
      interval = value
    }
    return CheckpointPolicy(
      interval: interval, cost: reader[\.cost] ?? .minutes(1), restartCost: reader[\.restartCost] ?? .minutes(5),
      checkpointOnNotice: reader[\.onNotice] ?? true)
  }

  static func readGovernance(_ reader: ObjectReader<ScenarioSchema.Governance>) -> GovernanceConfiguration? {
    let tags = reader[\.requiredTags]?.read()
    if reader.has(\.requiredTags) && tags == nil { return nil }
    return GovernanceConfiguration(
      requiredTags: tags ?? ["Owner", "CostCenter"], admission: reader[\.admission] ?? .audit,
      costCenterTag: reader[\.costCenterTag] ?? "CostCenter")
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
          "`\(pool.name)` ("
            + pool.instanceTypes.compactMap { cluster.catalogue.type(named: $0) }.map {
              "\($0.name): \($0.vcpuCount) vCPU, \(formatNumber($0.memoryGiB)) GiB, \($0.gpuCount) GPU"
            }.joined(separator: "; ") + ", \(pool.capacityType.rawValue))"
        }
        streamValues[teamIndex][streamIndex].error(
          "no node pool can host a worker of team `\(team.name)`'s \(stream.template.rawValue) jobs: each needs "
            + "\(formatNumber(Double(request.cpuMillis) / 1_000)) vCPU, \(formatNumber(Double(request.memoryMiB) / 1_024)) GiB, "
            + "\(request.gpuCount) GPU on \(stream.capacity.rawValue) capacity"
            + (stream.nodeSelector.isEmpty
              ? ""
              : " with node selector " + stream.nodeSelector.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            + "; pools: " + largest.joined(separator: ", "),
          hint:
            "lower the request, split it over more workers, add a pool with larger instances, or match the pool's labels and taints"
        )
        ok = false
      }
    }
    return ok
  }
}
