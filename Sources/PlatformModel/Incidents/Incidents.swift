import Policies
import SimKernel

/// Events of the incidents.
public enum IncidentEvent: Sendable {
  /// Someone notices an incident without an alert (users, dashboards, a colleague).
  case noticed(IncidentID)
}

/// Production incidents with their ground truth (the Four Keys `incidents` table).
///
/// An incident opens when a defective version starts failing requests — it went live,
/// or its canary got traffic — or when a rollout stalls on pods that crash on start.
/// It is detected by people after a delay drawn per defect kind, by an alert routed
/// to the platform, by a canary analysis, or by the progress deadline; the on-call
/// then responds (``OnCall``). It resolves when none of its root causes is live or
/// still on main. Failed requests are attributed to the incidents whose root causes
/// the failing version runs. Alerts with nothing wrong behind them are false alarms.
struct Incidents {
  private(set) var records = IDArray<IncidentID, IncidentRecord>()
  /// Each service's open incidents, oldest first.
  private(set) var open: IDArray<ServiceID, [IncidentID]>
  /// Alerts that reached the platform while nothing was wrong with the service.
  private(set) var falseAlarms = 0

  init(serviceCount: Int) { open = IDArray(repeating: [], count: serviceCount) }

  mutating func add(_ record: IncidentRecord) {
    records.append(record)
    open[record.service].append(record.id)
  }

  /// The incident is detected now by `source`, unless it already was.
  mutating func detected(_ incident: IncidentID, at time: SimTime, by source: DetectionSource) {
    guard records[incident].detectedAt == nil else { return }
    records[incident].detectedAt = time
    records[incident].detection = source
  }

  mutating func alerted(_ incident: IncidentID, at time: SimTime) {
    if records[incident].alertedAt == nil { records[incident].alertedAt = time }
  }

  mutating func responded(_ incident: IncidentID, at time: SimTime) { records[incident].respondedAt = time }
  mutating func setResolution(_ resolution: Resolution, of incident: IncidentID) {
    records[incident].resolution = resolution
  }

  mutating func countFalseAlarm() { falseAlarms += 1 }

  /// Closes the service's open incidents none of whose root causes is live or on main.
  mutating func resolve(of service: ServiceID, liveDefects: [ChangeID], mainDefects: [ChangeID], at time: SimTime) {
    var stillOpen: [IncidentID] = []
    for incident in open[service] {
      if records[incident].rootCauses.contains(where: { liveDefects.contains($0) || mainDefects.contains($0) }) {
        stillOpen.append(incident)
        continue
      }
      records[incident].resolvedAt = time
      if records[incident].resolution == nil { records[incident].resolution = .fixForward }
    }
    open[service] = stillOpen
  }

  /// The service's open incidents caused by any of `defects`.
  func affected(of service: ServiceID, by defects: [ChangeID]) -> [IncidentID] {
    open[service].filter { incident in records[incident].rootCauses.contains { defects.contains($0) } }
  }

  /// Splits `failures` evenly among the service's open incidents caused by `defects`;
  /// the remainder goes to the oldest.
  mutating func attribute(_ failures: Int64, of service: ServiceID, defects: [ChangeID]) {
    let affected = affected(of: service, by: defects)
    guard !affected.isEmpty else { return }
    let share = failures / Int64(affected.count)
    for incident in affected { records[incident].failedRequests += share }
    records[affected[0]].failedRequests += failures - share * Int64(affected.count)
  }
}

/// Incidents across components: opened by rollouts, detected, resolved by deployments.
extension Delivery {
  mutating func handle(_ event: IncidentEvent, scheduler: inout Scheduler<WorldEvent>) {
    switch event {
    case .noticed(let incident): detect(incident, source: .humanNotice, scheduler: &scheduler)
    }
  }

  /// Opens an incident of `service` caused by `cause` with `rootCauses` (the defective
  /// changes it introduced); someone notices it after the on-call's notice delay, or
  /// now (`detectedNow`, a stalled rollout).
  mutating func openIncident(
    service: ServiceID, cause: DeploymentID, rootCauses: [ChangeID], openedAt: SimTime,
    scheduler: inout Scheduler<WorldEvent>, detectedNow: Bool = false
  ) {
    let id = incidents.records.nextID
    let kind = commits.changes[rootCauses[0]].defect?.kind ?? .errorRate
    incidents.add(
      IncidentRecord(id: id, service: service, cause: cause, rootCauses: rootCauses, kind: kind, openedAt: openedAt))
    if detectedNow {
      detect(id, source: .progressDeadline, scheduler: &scheduler)
    } else {
      scheduler.schedule(.delivery(.incidents(.noticed(id))), after: onCall.drawNoticeDelay(kind))
    }
  }

  /// The incident is detected: the on-call is paged and acts after the response time.
  mutating func detect(_ incident: IncidentID, source: DetectionSource, scheduler: inout Scheduler<WorldEvent>) {
    let record = incidents.records[incident]
    guard record.detectedAt == nil, record.resolvedAt == nil else { return }
    incidents.detected(incident, at: scheduler.now, by: source)
    scheduler.schedule(.delivery(.onCall(.responderActs(incident))), after: onCall.drawResponseTime())
  }

  /// Closes the incidents of `service` none of whose root causes is live or on main.
  mutating func resolveIncidents(of service: ServiceID, at time: SimTime) {
    let application = argoCD.applications[service]
    incidents.resolve(
      of: service, liveDefects: application.liveDefects, mainDefects: application.mainDefects, at: time)
  }

  /// Requests failed by `defects` of `service`, attributed to the incidents they caused.
  mutating func attribute(_ failures: Int64, toIncidentsOf service: ServiceID, defects: [ChangeID]) {
    incidents.attribute(failures, of: service, defects: defects)
  }

  /// Acts on an Alertmanager notification as the alert-routing policy decides.
  ///
  /// By default the receiver decides: `sim://rollback` rolls the service back at once
  /// (the automation the platform runs), `sim://page` pages the on-call. An alert with
  /// nothing wrong behind it is a false alarm and changes nothing.
  mutating func handleAlert(_ request: PlatformRequest, scheduler: inout Scheduler<WorldEvent>) {
    guard let position = configuration.services.firstIndex(where: { $0.name == request.service }) else { return }
    let service = ServiceID(position: position)
    let observation = AlertRoutingObservation(
      alertName: request.alertName, labels: request.labels.map { NameValue(name: $0.name, value: $0.value) },
      service: request.service, receiver: request.receiver,
      receiverAction: request.kind == .rollback ? "rollback" : "page",
      firingSeconds: request.firingSince.map { (scheduler.now - $0).seconds } ?? 0)
    let kind: PlatformRequest.Kind
    switch policies.alertRouting.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds)).action {
    case .rollback: kind = .rollback
    case .page: kind = .page
    case .scaleUp, .none:
      monitoring?.annotateLastNotification(service: request.service, outcome: "ignored-by-policy")
      return
    }
    let affected = incidents.affected(of: service, by: argoCD.applications[service].liveDefects)
    guard let incident = affected.first else {
      incidents.countFalseAlarm()
      monitoring?.annotateLastNotification(service: request.service, outcome: "false-alarm")
      return
    }
    for open in affected { incidents.alerted(open, at: scheduler.now) }
    switch kind {
    case .rollback:
      incidents.detected(incident, at: scheduler.now, by: .alert)
      if incidents.records[incident].resolution == nil {
        incidents.responded(incident, at: scheduler.now)
        rollBack(incident, scheduler: &scheduler)
      }
    case .page:
      detect(incident, source: .alert, scheduler: &scheduler)
    }
  }
}
