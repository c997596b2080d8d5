import Monitoring
import SimKernel

/// The platform's Prometheus and Alertmanager, as configured in a scenario.
///
/// Rule files are kept as text and parsed again for every run: parsed expressions
/// cache their series selections, so runs on parallel threads must not share them.
public struct MonitoringConfiguration: @unchecked Sendable {
  /// Rule groups as loaded (validated) from the scenario's files.
  public var ruleGroups: [RuleGroupDefinition]
  /// The rule files' text and names, parsed anew by each run.
  public var ruleSources: [(text: String, file: String)] = []
  public var alertmanager: AlertmanagerConfig?
  /// Global `evaluation_interval` for groups without their own.
  public var evaluationInterval: SimDuration
  /// Prometheus `--rules.alert.resend-delay`.
  public var resendDelay: SimDuration
  /// An alert later than this after an incident started counts as late.
  public var lateAfter: SimDuration
  /// Upper bounds of the request-latency histogram buckets, seconds (`+Inf` is added).
  public var latencyBuckets: [Double]
  /// Which published samples to keep in the results database (`series_samples`).
  public var seriesOutput: SeriesOutput = .off
  /// The metric names and labels the services' traffic is published under.
  public var metricProfile: MetricProfile = .platformSim
  /// The `custom` profile's names and labels, for services that choose it.
  public var metricMapping: MetricMapping?

  /// How much of the services' series to write into SQLite, for plots.
  public enum SeriesOutput: Equatable, Sendable {
    case off
    /// One sample per series every `interval` (aligned to multiples of it).
    case downsampled(interval: SimDuration)
    case full
  }

  public init(
    ruleGroups: [RuleGroupDefinition], alertmanager: AlertmanagerConfig?, evaluationInterval: SimDuration = .minutes(1),
    resendDelay: SimDuration = .minutes(1), lateAfter: SimDuration = .minutes(10),
    latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  ) {
    self.ruleGroups = ruleGroups
    self.alertmanager = alertmanager
    self.evaluationInterval = evaluationInterval
    self.resendDelay = resendDelay
    self.lateAfter = lateAfter
    self.latencyBuckets = latencyBuckets
  }
}

/// Events of the monitoring loop.
public enum MonitoringEvent: Sendable {
  /// A rule group's evaluation instant.
  case evaluateGroup(Int32)
  /// An Alertmanager timer (group_wait, group_interval, repeat_interval) is due.
  case alertmanagerWakeUp
}

/// A recorded alert state change (`alerts` table).
public struct AlertRecord: Sendable {
  public var time: SimTime
  public var group: String
  public var rule: String
  public var state: String
  public var labels: String
  public var service: String?
  public var value: Double
}

/// A recorded Alertmanager notification (`alert_notifications` table).
public struct NotificationRecord: Sendable {
  public var time: SimTime
  public var receiver: String
  public var groupKey: String
  public var status: String
  public var alertCount: Int
  public var action: String?
  public var service: String?
  /// What the platform did about it: `rollback`, `page`, `false-alarm`, `none`.
  public var outcome: String
}

/// What Alertmanager asked the platform to do.
struct PlatformRequest {
  enum Kind { case rollback, page }
  var kind: Kind
  var service: String
  /// The receiver Alertmanager routed to and what it saw, for the alert-routing policy.
  var receiver: String = ""
  var alertName: String = ""
  /// Labels shared by the notification's alerts, sorted by name.
  var labels: [(name: String, value: String)] = []
  /// When the earliest firing alert of the notification started.
  var firingSince: SimTime?
}

/// Simulated Prometheus (series store, PromQL, rule groups) and Alertmanager wired to
/// the platform: services publish their traffic as series every scrape interval, rule
/// groups evaluate on their own intervals, firing alerts are sent with Prometheus's
/// resend rules (prometheus rules/alerting.go `needsSending`: never sent, resolved
/// since, or `lastSent + resendDelay < now`), and Alertmanager's notifications to
/// `sim://rollback` and `sim://page` become platform actions.
///
/// A class: it owns long-lived stateful engines (series store, rule groups).
public final class PlatformMonitoring {
  let configuration: MonitoringConfiguration
  public let store: SeriesStore
  let engine: PromQLEngine
  let groups: [RuleGroup]
  let alertmanager: Alertmanager?
  var wakeUp: (time: SimTime, handle: EventHandle)?
  /// Per alert instance (labels text): when it was last sent to Alertmanager.
  var lastSent: [String: SimTime] = [:]
  public private(set) var alertRecords: [AlertRecord] = []
  public private(set) var notificationRecords: [NotificationRecord] = []
  public private(set) var ruleErrors: [String] = []
  /// Samples kept for `series_samples`, in publication order.
  public private(set) var keptSamples: [(series: SeriesID, timestampMs: Int64, value: Double)] = []

  /// Parsed analysis queries by text: canaries of the same service ask the same query
  /// many times, and a parsed expression also keeps its selectors' series cached.
  private var parsedQueries: [String: Expr] = [:]

  /// Evaluates an analysis query at `timestampMs`, parsing each distinct text once.
  func query(_ text: String, atMs timestampMs: Int64) throws(PromQLError) -> QueryValue {
    let expression: Expr
    if let parsed = parsedQueries[text] {
      expression = parsed
    } else {
      expression = try PromQLParser.parse(text)
      parsedQueries[text] = expression
    }
    return try engine.evaluate(expression, atMs: timestampMs)
  }

  /// Appends a published sample to the store, keeping it for the results database when
  /// the scenario asks for series output.
  func append(_ id: SeriesID, timestampMs: Int64, value: Double) {
    store.append(id, timestampMs: timestampMs, value: value)
    if keepsSample(atMs: timestampMs) { keptSamples.append((id, timestampMs, value)) }
  }

  /// Appends one scrape of a target's series (`values[i]` for `group.series[i]`), kept
  /// for the results database as ``append(_:timestampMs:value:)`` keeps single samples.
  func appendRow(_ group: ScrapeGroup, timestampMs: Int64, values: UnsafeBufferPointer<Double>) {
    store.appendRow(group, timestampMs: timestampMs, values: values)
    guard keepsSample(atMs: timestampMs) else { return }
    for (id, value) in zip(group.series, values) { keptSamples.append((id, timestampMs, value)) }
  }

  /// ``appendRow(_:timestampMs:values:)`` of a service's row, by its group's index
  /// (``PublishedState/groupIndex``): the series object and its group's member array are
  /// read only when samples are kept (the traffic loop's per-scrape path).
  func appendRow(
    of published: Unmanaged<ServiceSeries>, groupIndex: Int32, timestampMs: Int64, values: UnsafeBufferPointer<Double>
  ) {
    store.appendRow(groupIndex: groupIndex, timestampMs: timestampMs, values: values)
    guard keepsSample(atMs: timestampMs) else { return }
    published._withUnsafeGuaranteedRef { published in
      for (id, value) in zip(published.group.series, values) { keptSamples.append((id, timestampMs, value)) }
    }
  }

  /// Whether the scenario's series output keeps samples taken at `timestampMs`.
  private func keepsSample(atMs timestampMs: Int64) -> Bool {
    switch configuration.seriesOutput {
    case .off: false
    case .full: true
    case .downsampled(let interval): timestampMs % max(1, interval.microseconds / 1_000) == 0
    }
  }

  /// - Parameter otherQueries: PromQL the platform runs besides the rules (canary
  ///   analyses), so that the store keeps samples as far back as any query reads.
  /// - Parameter otherQueriesRunBeforeMs: how far before the present those queries may
  ///   also be evaluated (an analysis' `rangeQuery` start).
  public init(
    configuration: MonitoringConfiguration, calendar: SimCalendar, horizon: SimDuration, otherQueries: [String] = [],
    otherQueriesRunBeforeMs: Int64 = 0
  ) {
    self.configuration = configuration
    // Fresh definitions per run (see ``MonitoringConfiguration``); the sources were
    // validated when the scenario was loaded, so parsing them again cannot fail. A rule
    // left out then (`--skip-unsupported`) is left out again; had it not been, loading
    // would have refused the scenario.
    var definitions = configuration.ruleGroups
    if !configuration.ruleSources.isEmpty {
      definitions = configuration.ruleSources.flatMap { source in
        (try? RuleFileLoader.load(yaml: source.text, file: source.file, unsupported: .skipWithWarning)) ?? []
      }
    }
    let lookbackMs: Int64 = 300_000
    var lookbehindMs =
      definitions.flatMap(\.rules).map { $0.expression.lookbehindMs(lookbackMs: lookbackMs) }.max() ?? 0
    for query in otherQueries {
      if let expression = try? PromQLParser.parse(query) {
        lookbehindMs = max(lookbehindMs, expression.lookbehindMs(lookbackMs: lookbackMs) + otherQueriesRunBeforeMs)
      }
    }
    store = SeriesStore(retention: Self.retention(lookbehindMs: lookbehindMs))
    // Prometheus's default subquery step is the global evaluation_interval.
    engine = PromQLEngine(
      store: store, lookbackMs: lookbackMs, subqueryStepMs: configuration.evaluationInterval.microseconds / 1_000)
    groups = definitions.map {
      RuleGroup($0, defaultIntervalMs: configuration.evaluationInterval.microseconds / 1_000)
    }
    alertmanager = configuration.alertmanager.map {
      Alertmanager(
        config: $0, startTime: .zero, calendarStartEpochSeconds: calendar.startEpochSeconds, horizon: horizon)
    }
  }

  /// How long the store keeps samples: at least 2 h, and as far back as the longest
  /// query reads plus one scrape of slack.
  static func retention(lookbehindMs: Int64) -> SimDuration {
    max(.hours(2), SimDuration(microseconds: (lookbehindMs + 60_000) * 1_000))
  }

  func start(scheduler: inout Scheduler<WorldEvent>) {
    for index in groups.indices {
      scheduler.schedule(
        .monitoring(.evaluateGroup(Int32(index))),
        at: .zero + SimDuration(microseconds: groups[index].intervalMs * 1_000),
        priority: 1)
    }
  }

  /// Evaluates one rule group (after the traffic of the same instant: priority 1) and
  /// forwards alerts; returns what Alertmanager asked the platform to do.
  func evaluateGroup(_ index: Int, scheduler: inout Scheduler<WorldEvent>) -> [PlatformRequest] {
    let group = groups[index]
    let nowMs = scheduler.now.microseconds / 1_000
    let evaluation = group.evaluate(atMs: nowMs, engine: engine)
    for error in evaluation.errors.prefix(10) where ruleErrors.count < 100 { ruleErrors.append(error.description) }
    for transition in evaluation.transitions {
      alertRecords.append(
        AlertRecord(
          time: scheduler.now, group: transition.group, rule: transition.rule, state: transition.kind.rawValue,
          labels: transition.labels.description,
          service: transition.labels["service"].isEmpty ? nil : transition.labels["service"], value: transition.value))
    }
    scheduler.schedule(
      .monitoring(.evaluateGroup(Int32(index))), after: SimDuration(microseconds: group.intervalMs * 1_000), priority: 1
    )
    guard let alertmanager else { return [] }
    var outgoing: [AlertInput] = []
    let validFor = SimDuration(microseconds: 4 * max(group.intervalMs * 1_000, configuration.resendDelay.microseconds))
    for transition in evaluation.transitions where transition.kind == .resolved {
      let key = transition.labels.description
      outgoing.append(
        input(labels: transition.labels, annotations: transition.annotations, startsAt: nil, endsAt: scheduler.now))
      lastSent[key] = nil
    }
    for alert in group.firingAlerts {
      let key = alert.labels.description
      if let sent = lastSent[key], sent + configuration.resendDelay >= scheduler.now { continue }
      lastSent[key] = scheduler.now
      let firedAt = SimTime(microseconds: (alert.firedAtMs ?? nowMs) * 1_000)
      outgoing.append(
        input(labels: alert.labels, annotations: alert.annotations, startsAt: firedAt, endsAt: scheduler.now + validFor)
      )
    }
    if !outgoing.isEmpty { alertmanager.receive(alerts: outgoing, at: scheduler.now) }
    return wake(scheduler: &scheduler)
  }

  func input(labels: Labels, annotations: Labels, startsAt: SimTime?, endsAt: SimTime) -> AlertInput {
    AlertInput(
      labels: Dictionary(uniqueKeysWithValues: labels.items.map { ($0.name, $0.value) }),
      annotations: Dictionary(uniqueKeysWithValues: annotations.items.map { ($0.name, $0.value) }),
      startsAt: startsAt, endsAt: endsAt)
  }

  /// Runs Alertmanager's due timers and reschedules its next wake-up.
  func wake(scheduler: inout Scheduler<WorldEvent>) -> [PlatformRequest] {
    guard let alertmanager else { return [] }
    var requests: [PlatformRequest] = []
    for notification in alertmanager.advance(to: scheduler.now) {
      let service = notification.groupLabels["service"] ?? notification.commonLabels["service"]
      var outcome = "notified"
      if notification.status == .firing, let action = notification.action, let service {
        let common = notification.commonLabels
        func request(_ kind: PlatformRequest.Kind) -> PlatformRequest {
          PlatformRequest(
            kind: kind, service: service, receiver: notification.receiver.description,
            alertName: common["alertname"] ?? notification.groupLabels["alertname"] ?? "",
            labels: common.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            firingSince: notification.firingAlerts.map(\.startsAt).min())
        }
        switch action.kind {
        case .rollback:
          requests.append(request(.rollback))
          outcome = "rollback"
        case .page:
          requests.append(request(.page))
          outcome = "page"
        case .scale, .other:
          outcome = "not-modelled"
        }
      }
      notificationRecords.append(
        NotificationRecord(
          time: notification.time, receiver: notification.receiver.description,
          groupKey: notification.groupKey.rawValue,
          status: notification.status.rawValue, alertCount: notification.alerts.count, action: notification.action?.url,
          service: service, outcome: outcome))
    }
    if let next = alertmanager.nextWakeUp {
      if wakeUp?.time != next {
        if let pending = wakeUp { scheduler.cancel(pending.handle) }
        let at = max(next, scheduler.now)
        wakeUp = (at, scheduler.schedule(.monitoring(.alertmanagerWakeUp), at: at, priority: 2))
      }
    } else if let pending = wakeUp {
      scheduler.cancel(pending.handle)
      wakeUp = nil
    }
    return requests
  }

  func alertmanagerWokeUp(scheduler: inout Scheduler<WorldEvent>) -> [PlatformRequest] {
    wakeUp = nil
    return wake(scheduler: &scheduler)
  }

  /// Marks what the platform made of the last notifications for `service`.
  func annotateLastNotification(service: String, outcome: String) {
    if let index = notificationRecords.lastIndex(where: { $0.service == service && $0.outcome != "notified" }) {
      notificationRecords[index].outcome = outcome
    }
  }
}
