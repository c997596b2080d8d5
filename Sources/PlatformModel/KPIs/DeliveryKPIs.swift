import ResultRows
import SimKernel

/// Whose definition a KPI follows (`kpis.definition_source`, docs/KPIS.md).
public enum KPIDefinitionSource: String, Sendable {
  /// DORA's metric guide (dora.dev) and State of DevOps reports.
  case dora
  /// The dora-team/fourkeys queries and dashboard, as they compute it.
  case fourKeys = "fourkeys"
  /// The platform's brief, with its own targets.
  case platformBrief = "platform-brief"
  /// PlatformSim's own measure (counts, ground truth no dashboard has).
  case platformsim
}

/// One KPI of a run, against its target where the platform has one (`kpis` table).
public struct KPIValue: Sendable, Equatable {
  public enum Comparison: String, Sendable {
    case atLeast = ">="
    case above = ">"
    case below = "<"
  }

  public var name: String
  public var value: Double?
  /// Text instead of a number, for categorical KPIs (such as the Four Keys bucket).
  public var text: String?
  public var unit: String
  public var target: Double?
  public var comparison: Comparison?
  public var source: KPIDefinitionSource

  public init(
    name: String, value: Double?, text: String? = nil, unit: String, target: Double? = nil,
    comparison: Comparison? = nil, source: KPIDefinitionSource = .platformsim
  ) {
    self.name = name
    self.value = value
    self.text = text
    self.unit = unit
    self.target = target
    self.comparison = comparison
    self.source = source
  }

  /// Met, missed, or `nil` when there is no target or no value.
  public var met: Bool? {
    guard let value, let target, let comparison else { return nil }
    switch comparison {
    case .atLeast: return value >= target
    case .above: return value > target
    case .below: return value < target
    }
  }
}

/// Linear-interpolation percentile, the same as SQL's `PERCENTILE_CONT` (and the SQLite
/// form in docs/KPIS.md), so the documented queries reproduce these numbers.
public func percentileContinuous(_ values: [Double], _ fraction: Double) -> Double? {
  guard !values.isEmpty else { return nil }
  let sorted = values.sorted()
  let position = fraction * Double(sorted.count - 1)
  let lower = Int(position.rounded(.down))
  let upper = Int(position.rounded(.up))
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
}

/// DORA's four keys and the platform's own delivery KPIs, computed from the run's
/// records with the definitions in docs/KPIS.md.
public enum DeliveryKPIs {
  /// Lead-time stages, in order; their means add up to the mean lead time.
  public static let stages = ["ci_wait", "ci_run", "registry_push", "sync_wait", "deploy"]

  /// - Parameter lateAfter: with monitoring, how long after an incident starts an alert
  ///   counts as late; `nil` without monitoring (no alert-quality KPIs).
  /// - Parameter placedServingCost: node cost allocated to each service's replica pods
  ///   (by service position), when some service's replicas are placed on the cluster.
  public static func compute(
    _ delivery: Delivery, serving: Serving, window: SimDuration, calendar: SimCalendar, lateAfter: SimDuration? = nil,
    placedServingCost: [MicroUSD]? = nil
  ) -> [KPIValue] {
    let targets = delivery.configuration.targets
    let deployments = delivery.argoCD.deployments
    let changes = delivery.commits.changes
    let modelVersions = delivery.registry.versions
    let days = window.seconds / 86_400
    let finished = deployments.filter { $0.status == .succeeded || $0.status == .stalled }
    // DORA's production deployments: those that reached all users and carried changes.
    // Rollbacks (no change of their own) are counted apart; aborted canaries and stalled
    // rollouts never reached production.
    let production = deployments.filter { $0.status == .succeeded && !$0.changes.isEmpty }
    let aborted = deployments.filter { $0.status == .aborted }
    // The brief's "deployments causing rollback" counts canary aborts too.
    let attempted = deployments.filter { $0.status == .succeeded || $0.status == .stalled || $0.status == .aborted }
    let deployed = changes.filter { $0.deployedAt != nil }
    let leadTimes = deployed.compactMap { change in change.deployedAt.map { ($0 - change.committedAt).seconds } }
    let incidents = delivery.incidents.records
    // Failed-deployment recovery: incidents a production deployment caused, from when
    // the failure started hurting to restored service. Canary aborts and stalled
    // rollouts never reached production.
    let productionFailures = incidents.filter { deployments[$0.cause].status == .succeeded }
    let recoveries = productionFailures.compactMap { incident in
      incident.resolvedAt.map { ($0 - incident.openedAt).seconds }
    }
    let detections = incidents.compactMap { incident in incident.detectedAt.map { ($0 - incident.openedAt).seconds } }
    let abortIncidents = incidents.filter { $0.resolution == .canaryAbort }
    let timesToAbort = aborted.compactMap { deployment in
      deployment.finishedAt.map { ($0 - deployment.startedAt).seconds }
    }
    func ratio(_ count: Int, _ total: Int) -> Double? { total > 0 ? Double(count) / Double(total) : nil }

    var values: [KPIValue] =
      [
        KPIValue(
          name: "deployment_frequency_per_day", value: days > 0 ? Double(production.count) / days : nil,
          unit: "deployments/day", target: targets.deploymentsPerDay, comparison: .above, source: .dora),
        KPIValue(
          name: "lead_time_median_seconds", value: percentileContinuous(leadTimes, 0.5), unit: "s",
          target: targets.leadTime.seconds, comparison: .below, source: .dora),
        KPIValue(name: "lead_time_p90_seconds", value: percentileContinuous(leadTimes, 0.9), unit: "s", source: .dora),
        KPIValue(
          name: "change_failure_rate", value: ratio(production.filter(\.neededRemediation).count, production.count),
          unit: "ratio", source: .dora),
        // The brief's own change failure, "% of deployments causing rollback", with its target.
        KPIValue(
          name: "rollback_rate", value: ratio(attempted.filter(\.rolledBack).count, attempted.count), unit: "ratio",
          target: targets.changeFailureRate, comparison: .below, source: .platformBrief),
        KPIValue(name: "canary_aborts", value: Double(aborted.count), unit: "deployments"),
        KPIValue(
          name: "canary_abort_failed_requests", value: Double(abortIncidents.reduce(0) { $0 + $1.failedRequests }),
          unit: "requests"),
        KPIValue(
          name: "canary_time_to_abort_median_seconds", value: percentileContinuous(timesToAbort, 0.5), unit: "s"),
        // Argo marks a rollout Degraded when it makes no progress for progressDeadlineSeconds;
        // without progressDeadlineAbort it keeps waiting, so no other KPI shows it.
        KPIValue(name: "rollouts_degraded", value: Double(deployments.filter(\.degraded).count), unit: "deployments"),
      ] + DeliveryLoopHealth(deployments: deployments).kpis + [
        KPIValue(
          name: "recovery_time_median_seconds", value: percentileContinuous(recoveries, 0.5), unit: "s",
          target: targets.recoveryTime.seconds, comparison: .below, source: .dora),
        KPIValue(
          name: "recovery_time_p90_seconds", value: percentileContinuous(recoveries, 0.9), unit: "s", source: .dora),
        KPIValue(
          name: "rework_rate", value: ratio(finished.filter { $0.kind != .planned }.count, finished.count),
          unit: "ratio",
          source: .dora),
        KPIValue(name: "time_to_detect_median_seconds", value: percentileContinuous(detections, 0.5), unit: "s"),
        KPIValue(
          name: "failed_requests_per_incident",
          value: incidents.isEmpty
            ? nil : Double(incidents.reduce(0) { $0 + $1.failedRequests }) / Double(incidents.count),
          unit: "requests"),
        KPIValue(name: "deployments", value: Double(production.count), unit: "deployments", source: .dora),
        KPIValue(
          name: "rollback_deployments",
          value: Double(deployments.filter { $0.status == .succeeded && $0.kind == .rollback }.count),
          unit: "deployments"),
        KPIValue(name: "changes_deployed", value: Double(deployed.count), unit: "changes"),
        KPIValue(name: "incidents", value: Double(incidents.count), unit: "incidents"),
        KPIValue(
          name: "incidents_unresolved", value: Double(incidents.filter { $0.resolvedAt == nil }.count),
          unit: "incidents"),
      ]
    values += DORATierKPIs.compute(values, thresholds: DORATierThresholds.of(year: targets.doraTierYear) ?? .current)
    values += FourKeysKPIs.compute(delivery, window: window, calendar: calendar)
    let totals = serving.trafficTotals()
    let requests = totals.reduce(Int64(0)) { $0 + $1.requests }
    let errors = totals.reduce(Int64(0)) { $0 + $1.errors }
    values.append(KPIValue(name: "requests", value: Double(requests), unit: "requests"))
    values.append(KPIValue(name: "failed_requests", value: Double(errors), unit: "requests"))
    values.append(
      KPIValue(
        name: "failed_requests_from_incidents", value: Double(incidents.reduce(0) { $0 + $1.failedRequests }),
        unit: "requests"))
    if let lateAfter {
      // What no real dashboard can know: alerts judged against the ground truth.
      let alerted = incidents.filter { $0.alertedAt != nil }
      let toAlert = alerted.compactMap { incident in incident.alertedAt.map { ($0 - incident.openedAt).seconds } }
      values.append(KPIValue(name: "alerts_missed", value: Double(incidents.count - alerted.count), unit: "incidents"))
      values.append(
        KPIValue(
          name: "alerts_late",
          value: Double(
            alerted.filter { incident in incident.alertedAt.map { $0 - incident.openedAt > lateAfter } ?? false }.count),
          unit: "incidents"))
      values.append(
        KPIValue(name: "alerts_false", value: Double(delivery.incidents.falseAlarms), unit: "notifications"))
      values.append(
        KPIValue(name: "time_to_alert_median_seconds", value: percentileContinuous(toAlert, 0.5), unit: "s"))
      values.append(
        KPIValue(
          name: "incidents_detected_by_alert", value: Double(incidents.filter { $0.detection == .alert }.count),
          unit: "incidents"))
    }
    // Serving capacity: replicas, cold starts, and requests lost for lack of capacity.
    let replicas = serving.replicas.states.compactMap { $0 }
    if !replicas.isEmpty {
      values.append(
        KPIValue(name: "serving_replica_hours", value: replicas.reduce(0) { $0 + $1.replicaSeconds } / 3_600, unit: "h")
      )
      values.append(
        KPIValue(
          name: "serving_cold_starts", value: Double(replicas.reduce(0) { $0 + $1.coldStarts }), unit: "replicas"))
      values.append(
        KPIValue(
          name: "serving_overload_failed_requests", value: Double(replicas.reduce(0) { $0 + $1.capacityFailures }),
          unit: "requests"))
      values.append(
        KPIValue(
          name: "serving_cold_start_failed_requests", value: Double(replicas.reduce(0) { $0 + $1.coldStartFailures }),
          unit: "requests"))
      // Off the cluster a replica-hour has a price; placed, the replicas' pods are
      // charged their share of their nodes (the cluster's OpenCost allocation).
      var cost = 0.0
      for service in serving.replicas.states.indices {
        guard let state = serving.replicas.states[service],
          let configuration = delivery.configuration[service: service].serving
        else { continue }
        if configuration.placement != nil, let placedServingCost {
          cost += placedServingCost[service.position].usd
        } else {
          cost += state.replicaSeconds / 3_600 * configuration.replicaCostPerHour
        }
      }
      values.append(KPIValue(name: "serving_cost_usd", value: cost, unit: "USD"))
      if placedServingCost != nil {
        values.append(
          KPIValue(
            name: "serving_replica_evictions", value: Double(replicas.reduce(0) { $0 + $1.evictions }), unit: "replicas"
          ))
      }
    }
    // "Idea to production" per golden-path template: training submitted → model serving.
    let templates = Array(Set(modelVersions.map(\.template))).sorted()
    for template in templates {
      let durations = modelVersions.filter { $0.template == template && $0.deployedAt != nil }
        .compactMap { version in version.deployedAt.map { ($0 - version.trainingSubmittedAt).seconds } }
      values.append(
        KPIValue(
          name: "idea_to_production_median_seconds.\(template)", value: percentileContinuous(durations, 0.5), unit: "s",
          target: targets.ideaToProduction.seconds, comparison: .below, source: .platformBrief))
    }
    if !modelVersions.isEmpty {
      values.append(KPIValue(name: "model_versions_registered", value: Double(modelVersions.count), unit: "versions"))
      values.append(
        KPIValue(
          name: "model_versions_in_production", value: Double(modelVersions.filter { $0.deployedAt != nil }.count),
          unit: "versions"))
    }
    for (stage, mean) in zip(stages, meanStageSeconds(delivery)) {
      values.append(KPIValue(name: "lead_time_stage_\(stage)_mean_seconds", value: mean, unit: "s"))
    }
    values.append(
      KPIValue(
        name: "lead_time_mean_seconds",
        value: leadTimes.isEmpty ? nil : leadTimes.reduce(0, +) / Double(leadTimes.count), unit: "s"))
    return values
  }

  /// Mean seconds each deployed change spent in each stage of ``stages``.
  ///
  /// CI wait and run sum over every attempt of every CI stage; the registry push runs
  /// from the last CI job to the image being ready; sync wait from then to the start
  /// of the deployment that carried it (Argo CD polling, batching behind a rollout);
  /// deploy from there to production. The stages tile each change's lead time exactly.
  public static func meanStageSeconds(_ delivery: Delivery) -> [Double?] {
    let deployed = delivery.commits.changes.filter { $0.deployedAt != nil }
    guard !deployed.isEmpty else { return stages.map { _ in nil } }
    var ciWait: [Int64: Double] = [:]
    var ciRun: [Int64: Double] = [:]
    var ciEnd: [Int64: SimTime] = [:]
    for attempt in delivery.pipeline.stageAttempts {
      ciWait[attempt.change.rawValue, default: 0] += (attempt.startedAt - attempt.queuedAt).seconds
      ciRun[attempt.change.rawValue, default: 0] += (attempt.finishedAt - attempt.startedAt).seconds
      ciEnd[attempt.change.rawValue] = max(ciEnd[attempt.change.rawValue] ?? attempt.finishedAt, attempt.finishedAt)
    }
    var sums = [Double](repeating: 0, count: stages.count)
    for change in deployed {
      guard let deployedAt = change.deployedAt else { continue }
      let id = change.id.rawValue
      let ready = change.artifactReadyAt ?? change.committedAt
      let started = change.deployment.map { delivery.argoCD.deployments[$0].startedAt } ?? ready
      sums[0] += ciWait[id] ?? 0
      sums[1] += ciRun[id] ?? 0
      sums[2] += (ready - (ciEnd[id] ?? change.committedAt)).seconds
      sums[3] += (started - ready).seconds
      sums[4] += (deployedAt - started).seconds
    }
    return sums.map { $0 / Double(deployed.count) }
  }

  /// Four Keys' deployment-frequency bucket: `Daily`, `Weekly`, `Monthly` or `Yearly`.
  ///
  /// With its dashboard's rules (validation-data.md §1.3): UTC days, Sunday-start weeks
  /// (partial weeks at the edges count), medians by linear interpolation. The dashboard's
  /// calendar keeps only days after the day of the first event (`day > DATE(MIN(
  /// events_raw.time_created))`): pass `firstEventAt` to drop that day.
  public static func fourKeysFrequencyBucket(
    _ deploymentTimes: [SimTime], window: SimDuration, calendar: SimCalendar, firstEventAt: SimTime? = nil
  ) -> String {
    var startDay = Int(floorDivision(calendar.startEpochSeconds, 86_400))
    if let firstEventAt {
      startDay = max(startDay, Int(floorDivision(Int64(calendar.epochSeconds(at: firstEventAt)), 86_400)) + 1)
    }
    let endDay = Int(floorDivision(calendar.startEpochSeconds + window.microseconds / 1_000_000 - 1, 86_400))
    guard endDay >= startDay else { return "Yearly" }
    let deployedDays = Set(deploymentTimes.map { Int(floorDivision(Int64(calendar.epochSeconds(at: $0)), 86_400)) })
    // Week start (Sunday) of each calendar day; 1970-01-01 was a Thursday.
    func weekStart(_ day: Int) -> Int { day - ((day + 4) % 7 + 7) % 7 }
    var weeks: [(start: Int, days: Int)] = []
    for day in startDay...endDay {
      let start = weekStart(day)
      if weeks.last?.start != start { weeks.append((start, 0)) }
      if deployedDays.contains(day) { weeks[weeks.count - 1].days += 1 }
    }
    func month(_ day: Int) -> Int {
      let (year, month, _) = civilFromDays(day)
      return year * 12 + month
    }
    let weekDeployed = weeks.map { $0.days > 0 ? 1.0 : 0.0 }
    let monthly = weeks.map { week in
      Double(weeks.filter { month($0.start) == month(week.start) && $0.days > 0 }.count)
    }
    if (percentileContinuous(weeks.map { Double($0.days) }, 0.5) ?? 0) >= 3 { return "Daily" }
    if (percentileContinuous(weekDeployed, 0.5) ?? 0) >= 1 { return "Weekly" }
    if (percentileContinuous(monthly, 0.5) ?? 0) >= 1 { return "Monthly" }
    return "Yearly"
  }

  static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
    value >= 0 ? value / divisor : (value - divisor + 1) / divisor
  }
}
