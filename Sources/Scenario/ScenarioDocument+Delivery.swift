import InputReading
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
    spec: ObjectReader<ScenarioSchema.ScenarioSpec>, delivery deliveryReader: ObjectReader<ScenarioSchema.Delivery>?,
    runnerPool: RunnerPoolConfiguration?, teams: [DeliveryTeam]?, cluster: ClusterForServing = .absent
  ) -> DeliveryConfiguration? {
    // Names as written, even of teams that failed to decode, so one bad team does not
    // make every service that names it report an unknown team as well.
    let teamNames = DeclaredNames(rawNames(spec.value(of: \.teams)))
    let defaultRollout = deliveryReader?[\.rollout].flatMap { readRolloutPolicy($0) }
    if deliveryReader?.has(\.rollout) == true && defaultRollout == nil { return nil }
    let serviceList = spec[\.services]
    let services = serviceList?.map { reader in
      readService(reader, teamNames: teamNames, defaultRollout: defaultRollout ?? .bigBang, cluster: cluster)
    }
    checkUnique(services?.map(\.name) ?? [], in: serviceList?.elements ?? [], what: "service")
    let pipeline =
      deliveryReader?[\.pipeline].flatMap { readPipeline($0) }
      ?? (deliveryReader?.has(\.pipeline) == true ? nil : defaultPipeline)
    let onCall =
      deliveryReader?[\.onCall].flatMap { readOnCall($0) }
      ?? (deliveryReader?.has(\.onCall) == true ? nil : readOnCallDefaults())
    var targets = DeliveryTargets()
    if let reader = deliveryReader?[\.targets] {
      if let value = reader[\.deploymentsPerDay] { targets.deploymentsPerDay = value }
      if let value = reader[\.changeFailureRate] { targets.changeFailureRate = value }
      if let value = reader[\.recoveryTime] { targets.recoveryTime = value }
      if let value = reader[\.leadTime] { targets.leadTime = value }
      if let value = reader[\.ideaToProduction] { targets.ideaToProduction = value }
      if let value = reader[\.doraTierYear] { targets.doraTierYear = value }
    }
    let trafficInterval = deliveryReader?[\.trafficInterval] ?? .minutes(1)
    let pushesChanges = teams?.contains { $0.changeArrivals != nil || $0.modelPromotion != nil } ?? false
    guard let teams, !teams.isEmpty, pushesChanges || spec.has(\.services) else {
      if !spec.has(\.teams), let services, !services.isEmpty {
        spec.value(of: \.services)?.error("services need teams: add `spec.teams`")
      }
      return nil
    }
    if runnerPool == nil && pushesChanges {
      (spec.value(of: \.delivery) ?? spec.value(of: \.teams))?.error(
        "teams push changes through CI, which runs on runners, but there is no runner pool",
        hint: "add `spec.delivery.runnerPool: {runners: 4}`")
    }
    if let services, let teamValues = spec.value(of: \.teams)?.readArray() {
      let teamsWithServices = Set(services.map(\.team.position))
      for (index, team) in teams.enumerated()
      where team.changeArrivals != nil && !teamsWithServices.contains(index) {
        teamValues[index].warning("team `\(team.name)` owns no service, so its changes go nowhere")
      }
    }
    if services == nil && !spec.has(\.services) {
      spec.value(of: \.teams)?.error(
        "teams push changes, but there are no services to deploy them to",
        hint: "add `spec.services` (each with a `team`), or remove the teams' `changes`")
    }
    guard let services, let pipeline, let onCall, runnerPool != nil || !pushesChanges else { return nil }
    return DeliveryConfiguration(
      teams: teams, services: services, pipeline: pipeline, onCall: onCall, targets: targets,
      trafficInterval: trafficInterval)
  }

  static func rawNames(_ list: YAMLValue?) -> [String] {
    guard case .sequence(let elements)? = list?.node else { return [] }
    return elements.map { element in
      guard case .mapping(let mapping) = element else { return "" }
      for (key, value) in mapping where key.string == "name" { return value.string ?? "" }
      return ""
    }
  }

  static func checkUnique(_ names: [String], in elements: [YAMLValue], what: String) {
    var seen: Set<String> = []
    for (index, name) in names.enumerated() where !seen.insert(name).inserted && index < elements.count {
      elements[index].error("duplicate \(what) name `\(name)`")
    }
  }

  /// The delivery side of a `spec.teams[]` entry (read by ``readTeams(_:)``).
  static func readDeliveryTeam(_ reader: ObjectReader<ScenarioSchema.Team>, name: String) -> DeliveryTeam? {
    let engineers = reader[\.engineers] ?? 1
    let changes = reader[\.changes].flatMap { readArrivalProcess($0) }
    let defects = reader.has(\.defects) ? reader[\.defects].flatMap { readDefects($0) } : DefectModel.none
    if reader.has(\.changes) && changes == nil { return nil }
    let promotion = reader[\.modelPromotion].flatMap { promotion -> ModelPromotion? in
      guard let probability = promotion[\.probability] else { return nil }
      let delay = promotion.has(\.delay) ? promotion[\.delay] : .lognormal(median: 600, p90: 3_600)
      return delay.map { ModelPromotion(probability: probability, delay: $0) }
    }
    if reader.has(\.modelPromotion) && promotion == nil { return nil }
    guard let defects else { return nil }
    return DeliveryTeam(
      name: name, engineerCount: engineers, changeArrivals: changes, defects: defects, modelPromotion: promotion)
  }

  static func readDefects(_ reader: ObjectReader<ScenarioSchema.Defects>) -> DefectModel? {
    let probability = reader[\.probability]
    var weights: [(kind: DefectKind, weight: Double)] = [
      (.errorRate, 0.5), (.latency, 0.2), (.crashOnStart, 0.15), (.quality, 0.15),
    ]
    var kindsValid = true
    if let kinds = reader[\.kinds] {
      var parsed: [(kind: DefectKind, weight: Double)] = []
      for entry in kinds.entries {
        let (key, value) = (entry.key, entry.value)
        guard let kind = DefectKind(rawValue: key) else {
          let options = DefectKind.allCases.map(\.rawValue)
          value.error(
            "unknown defect kind `\(key)`",
            hint: nearestMatch(to: key, in: options).map { "did you mean `\($0)`?" }
              ?? "kinds: " + options.joined(separator: ", "))
          kindsValid = false
          continue
        }
        if let weight = kinds.read(entry) { parsed.append((kind, weight)) } else { kindsValid = false }
      }
      if kindsValid && parsed.reduce(0, { $0 + $1.weight }) <= 0 {
        reader.value(of: \.kinds)?.error("the defect kind weights must not all be zero")
        kindsValid = false
      }
      weights = parsed
    }
    let errorRate = reader.has(\.errorRateIncrease) ? reader[\.errorRateIncrease] : .uniform(low: 0.02, high: 0.3)
    let latency = reader.has(\.latencyIncrease) ? reader[\.latencyIncrease] : .lognormal(median: 0.5, p90: 3)
    let quality = reader.has(\.qualityDrop) ? reader[\.qualityDrop] : .uniform(low: 0.01, high: 0.1)
    guard let probability, kindsValid, let errorRate, let latency, let quality else { return nil }
    return DefectModel(
      probability: probability, kindWeights: weights, errorRateIncrease: errorRate, latencyIncreaseSeconds: latency,
      qualityDrop: quality)
  }

  static func readService(
    _ reader: ObjectReader<ScenarioSchema.Service>, teamNames: DeclaredNames, defaultRollout: RolloutStrategy,
    cluster: ClusterForServing = .absent
  ) -> ServiceConfiguration? {
    let name = reader[\.name]
    let teamName = reader[\.team]
    var team: TeamID?
    if let teamName {
      if let index = teamNames.index(of: teamName) {
        team = TeamID(Int32(index))
      } else {
        let names = teamNames.names
        reader.value(of: \.team)?.error(
          "unknown team `\(teamName)`",
          hint: nearestMatch(to: teamName, in: names).map { "did you mean `\($0)`?" }
            ?? (names.isEmpty ? "define it under `spec.teams`" : "teams: " + names.joined(separator: ", ")))
      }
    }
    let rate = reader[\.requestsPerSecond]
    let hourly = reader[\.hourOfDay]?.read()
    let daily = reader[\.dayOfWeek]?.read()
    let errorRatio = reader[\.errorRatio] ?? 0.001
    let latency = reader[\.latency] ?? .milliseconds(100)
    let timeout = reader[\.timeout] ?? .seconds(5)
    if latency >= timeout {
      reader.value(of: \.latency)?.error("the median latency \(latency) is not below the timeout \(timeout)")
    }
    let rollout = reader.has(\.rollout) ? reader[\.rollout].flatMap { readRolloutPolicy($0) } : defaultRollout
    let serving = reader[\.serving].flatMap { readServing($0, service: name ?? "?", cluster: cluster) }
    if reader.has(\.serving) && serving == nil { return nil }
    guard let name, let team, let rate, latency < timeout, let rollout else { return nil }
    if (reader.has(\.hourOfDay) && hourly == nil) || (reader.has(\.dayOfWeek) && daily == nil) { return nil }
    let profile = RateProfile(
      hourOfDay: hourly ?? Array(repeating: 1, count: 24), dayOfWeek: daily ?? Array(repeating: 1, count: 7))
    let peak = rate * profile.maximumFactor
    if peak > maximumPeakRequestsPerSecond {
      reader.value(of: \.requestsPerSecond)?.error(
        "the peak request rate requestsPerSecond × max(hourOfDay) × max(dayOfWeek) is \(peak) per second, above the "
          + "bound of \(maximumPeakRequestsPerSecond) per second",
        hint: "lower `requestsPerSecond` or the profile's largest factors")
      return nil
    }
    var service = ServiceConfiguration(
      name: name, team: team, requestsPerSecond: rate,
      loadProfile: profile,
      baselineErrorRatio: errorRatio, baselineLatencySeconds: latency.seconds, timeoutSeconds: timeout.seconds)
    service.rollout = rollout
    service.serving = serving
    // `custom` takes `spec.monitoring.metricMapping`, resolved once monitoring is read.
    service.metricProfile =
      reader[\.metricProfile] == "custom"
      ? .custom(.fromMonitoring) : reader[\.metricProfile].flatMap(MetricProfile.init(rawValue:))
    return service
  }

  static func readServing(
    _ reader: ObjectReader<ScenarioSchema.Serving>, service: String = "?", cluster: ClusterForServing = .absent
  ) -> ServingConfiguration? {
    let capacity = reader[\.replicaCapacity]
    let minimum = reader[\.minReplicas] ?? 1
    let maximum = reader[\.maxReplicas] ?? 10
    let initial = reader[\.initialReplicas] ?? minimum
    if minimum > maximum {
      reader.value(of: \.minReplicas)?.error("`minReplicas` \(minimum) is above `maxReplicas` \(maximum)")
      return nil
    }
    let coldStart = reader.has(\.coldStart) ? reader[\.coldStart] : .lognormal(median: 30, p90: 120)
    var autoscaler = ReplicaAutoscaler.fixed
    if let scaler = reader[\.autoscaler] {
      switch scaler[\.kind] {
      case "hpa":
        autoscaler = .hpa(
          targetUtilization: scaler[\.targetUtilization] ?? 0.8, tolerance: scaler[\.tolerance] ?? 0.1,
          scaleDownStabilization: scaler[\.scaleDownStabilization] ?? .seconds(300))
      case "kpa":
        autoscaler = .kpa(
          targetUtilization: scaler[\.targetUtilization] ?? 0.7, stableWindow: scaler[\.stableWindow] ?? .seconds(60),
          panicThreshold: scaler[\.panicThreshold] ?? 2, scaleToZeroGrace: scaler[\.scaleToZeroGrace] ?? .seconds(30))
      case "fixed": autoscaler = .fixed
      default: return nil
      }
      if case .fixed = autoscaler {
      } else if minimum == 0, case .hpa = autoscaler {
        reader.value(of: \.minReplicas)?.error(
          "the HPA cannot scale to zero (minReplicas 0)", hint: "use `kind: kpa` for scale to zero")
        return nil
      }
    } else if reader.has(\.autoscaler) {
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
      replicaCapacity: capacity, minReplicas: minimum, maxReplicas: maximum, initialReplicas: initial,
      autoscaler: autoscaler, coldStart: coldStart, replicaCostPerHour: reader[\.replicaCostPerHour] ?? 0,
      placement: placement)
  }

  static let defaultPipeline = PipelineConfiguration(
    ciStages: [
      CIStage(
        name: "unit-tests", duration: .lognormal(median: 180, p90: 480), failureProbability: 0.05,
        flakeProbability: 0.03, maximumRetries: 2),
      CIStage(
        name: "docker-build", duration: .lognormal(median: 240, p90: 600), failureProbability: 0, flakeProbability: 0,
        maximumRetries: 2),
    ],
    registryPush: .lognormal(median: 30, p90: 90), trigger: .polling(interval: .seconds(120), jitter: .seconds(60)),
    syncDuration: .lognormal(median: 15, p90: 45), rolloutDuration: .lognormal(median: 120, p90: 300),
    fixDelay: .lognormal(median: 1_800, p90: 7_200))

  static func readPipeline(_ reader: ObjectReader<ScenarioSchema.Pipeline>) -> PipelineConfiguration? {
    var pipeline = defaultPipeline
    var valid = true
    if reader.has(\.ciStages) {
      if let stages = reader[\.ciStages]?.map({ stage -> CIStage? in
        let name = stage[\.name]
        let duration = stage[\.duration]
        guard let name, let duration else { return nil }
        return CIStage(
          name: name, duration: duration, failureProbability: stage[\.failureProbability] ?? 0,
          flakeProbability: stage[\.flakeProbability] ?? 0, maximumRetries: stage[\.retries] ?? 2)
      }) {
        pipeline.ciStages = stages
      } else {
        valid = false
      }
    }
    let distributions:
      [(FieldSelector<ScenarioSchema.Pipeline, Distribution>, WritableKeyPath<PipelineConfiguration, Distribution>)] =
        [
          (\.registryPush, \.registryPush), (\.syncDuration, \.syncDuration), (\.rolloutDuration, \.rolloutDuration),
          (\.fixDelay, \.fixDelay),
        ]
    for (field, setting) in distributions where reader.has(field) {
      if let value = reader[field] { pipeline[keyPath: setting] = value } else { valid = false }
    }
    let trigger = reader[\.trigger] ?? "polling"
    if trigger == "webhook" {
      let delay = reader.has(\.webhookDelay) ? reader[\.webhookDelay] : .uniform(low: 1, high: 5)
      if let delay { pipeline.trigger = .webhook(delay: delay) } else { valid = false }
    } else {
      pipeline.trigger = .polling(
        interval: reader[\.pollInterval] ?? .seconds(120), jitter: reader[\.pollJitter] ?? .seconds(60))
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

  static func readOnCall(_ reader: ObjectReader<ScenarioSchema.OnCall>) -> OnCallConfiguration? {
    var onCall = readOnCallDefaults()
    var valid = true
    if let notice = reader[\.noticeDelay] {
      let kinds: [(FieldSelector<ScenarioSchema.NoticeDelay, Distribution>, DefectKind)] = [
        (\.errorRate, .errorRate), (\.latency, .latency), (\.quality, .quality),
      ]
      for (field, kind) in kinds where notice.has(field) {
        if let value = notice[field] { onCall.noticeDelay[kind] = value } else { valid = false }
      }
    } else if reader.has(\.noticeDelay) {
      valid = false
    }
    let durations:
      [(FieldSelector<ScenarioSchema.OnCall, Distribution>, WritableKeyPath<OnCallConfiguration, Distribution>)] = [
        (\.responseTime, \.responseTime), (\.rollbackDuration, \.rollbackDuration),
        (\.fixForwardDuration, \.fixForwardDuration),
      ]
    for (field, setting) in durations where reader.has(field) {
      if let value = reader[field] { onCall[keyPath: setting] = value } else { valid = false }
    }
    if let probability = reader[\.rollbackProbability] { onCall.rollbackProbability = probability }
    if let deadline = reader[\.progressDeadline] { onCall.progressDeadline = deadline }
    return valid ? onCall : nil
  }
}

extension MetricMapping {
  /// Stands for `spec.monitoring.metricMapping` until the monitoring section is read.
  static let fromMonitoring = MetricMapping(
    requests: "", latency: "", latencyScale: 1, statusLabel: "", success: "", failure: "", labels: [])
}

/// The names of a list's entries, with where each is first declared: a lookup by name
/// takes constant time, so checking every reference keeps validation linear in the
/// length of the lists.
struct DeclaredNames {
  /// Every name, in file order.
  let names: [String]
  private let firstIndexByName: [String: Int]

  init(_ names: [String]) {
    self.names = names
    firstIndexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The position of the first entry named `name`.
  func index(of name: String) -> Int? { firstIndexByName[name] }
}
