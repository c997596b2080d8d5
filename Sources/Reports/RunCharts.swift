import Foundation
import ResultRows
import ResultStore

/// The charts of one run, read from the results database: the deployment timeline,
/// lead-time, recovery and queue-wait distributions, nodes per pool, cost over time and
/// the training queue. `platformsim report` and `platformsim serve` draw these same charts.
public struct RunCharts {
  public let store: ResultStore
  public let run: RunRow
  public let runID: RunID
  /// The simulated window: start and the instant reached.
  public let start: Double
  public let end: Double
  public let axis: TimeAxis

  public init(store: ResultStore, run: RunRow) {
    self.store = store
    self.run = run
    runID = RunID(run.id ?? 0)
    start = run.simulatedStartAt
    end = max(run.simulatedReachedAt ?? run.simulatedEndAt, run.simulatedStartAt + 1)
    axis = TimeAxis(start: start, end: end, timeZone: run.timeZone)
  }

  /// Which services a timeline shows, and where its marks link.
  public struct TimelineOptions: Sendable {
    /// Only these services (all when empty).
    public var services: [String] = []
    /// At most this many rows; the busiest services first when there are more.
    public var maximumRows = 40
    /// Link marks to `<prefix>/deployments/<id>` and `<prefix>/incidents/<id>`; `nil`: no links.
    public var linkPrefix: String?

    public init(services: [String] = [], maximumRows: Int = 40, linkPrefix: String? = nil) {
      self.services = services
      self.maximumRows = maximumRows
      self.linkPrefix = linkPrefix
    }
  }

  /// What the timeline shows, for the text beside it.
  public struct TimelineSummary: Sendable, Codable {
    public var deployments: Int
    public var services: Int
    public var servicesShown: Int
    public var rollbacks: Int
    public var canariesAborted: Int
    public var incidents: Int
    public var alertsFired: Int
  }

  /// The timeline's marks for this run, on rows `services` (lane `lane`), with a summary.
  public func timelineEvents(
    services rowsWanted: [String]? = nil, options: TimelineOptions, lane: Int = 0, timeOffset: Double = 0
  ) throws(StoreError) -> (rows: [String], events: [TimelineEvent], summary: TimelineSummary) {
    let deployments = try store.rows(DeploymentRow.self, run: runID, orderBy: "started_at, deploy_id")
    let incidents = try store.rows(IncidentRow.self, run: runID, orderBy: "time_created, incident_id")
    let alerts = try store.rows(
      AlertRow.self, run: runID, where: "state = 'firing' AND service IS NOT NULL", orderBy: "time, service")
    var counts: [String: Int] = [:]
    for row in deployments { counts[row.service, default: 0] += 1 }
    for row in incidents { counts[row.service, default: 0] += 0 }
    for row in alerts { if let service = row.service { counts[service, default: 0] += 0 } }
    var rows: [String]
    if let rowsWanted {
      rows = rowsWanted
    } else {
      var all = counts.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      if !options.services.isEmpty { all = all.filter { options.services.contains($0) } }
      if all.count > options.maximumRows {
        let busiest = all.sorted { (counts[$0] ?? 0, $1) > (counts[$1] ?? 0, $0) }.prefix(options.maximumRows)
        all = all.filter { busiest.contains($0) }
      }
      rows = all
    }
    var rowIndex: [String: Int] = [:]
    for (index, row) in rows.enumerated() { rowIndex[row] = index }
    let zone = TimeZone(identifier: run.timeZone) ?? TimeZone(identifier: "UTC") ?? .current
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "EEE d MMM HH:mm"
    func when(_ time: Double) -> String { formatter.string(from: Date(timeIntervalSince1970: time)) }
    var events: [TimelineEvent] = []
    for row in deployments {
      guard let index = rowIndex[row.service] else { continue }
      let kind: TimelineEventKind
      switch (row.kind, row.status) {
      case (_, "aborted"): kind = .aborted
      case (_, "stalled"): kind = .stalled
      case ("rollback", _): kind = .rollback
      case ("fix", _): kind = .fix
      default: kind = .planned
      }
      var detail = "deployment \(row.deploymentID) (\(row.kind), \(row.strategy)) \(row.status), started \(when(row.startedAt))"
      if let weight = row.maximumCanaryWeight { detail += ", canary reached \(weight) %" }
      if let reason = row.abortReason { detail += ": \(reason)" }
      if row.rolledBack && kind != .aborted { detail += "; later rolled back" }
      events.append(
        TimelineEvent(
          row: index, lane: lane, kind: kind, time: row.startedAt + timeOffset, detail: detail,
          link: options.linkPrefix.map { "\($0)/deployments/\(row.deploymentID)" }))
    }
    for row in incidents {
      guard let index = rowIndex[row.service] else { continue }
      let resolved = row.timeResolved.map { "resolved \(when($0)) by \(row.resolution ?? "?")" } ?? "unresolved"
      events.append(
        TimelineEvent(
          row: index, lane: lane, kind: .incident, time: row.timeCreated + timeOffset,
          end: row.timeResolved.map { $0 + timeOffset },
          detail: "incident \(row.incidentID) (\(row.kind)) from \(when(row.timeCreated)), \(resolved)",
          link: options.linkPrefix.map { "\($0)/incidents/\(row.incidentID)" }))
    }
    for row in alerts {
      guard let service = row.service, let index = rowIndex[service] else { continue }
      events.append(
        TimelineEvent(
          row: index, lane: lane, kind: .alert, time: row.time + timeOffset,
          detail: "\(row.alertName) firing at \(when(row.time))"))
    }
    let summary = TimelineSummary(
      deployments: deployments.count, services: counts.count, servicesShown: rows.count,
      rollbacks: deployments.filter { $0.kind == "rollback" }.count,
      canariesAborted: deployments.filter { $0.status == "aborted" }.count, incidents: incidents.count,
      alertsFired: alerts.count)
    return (rows, events, summary)
  }

  /// The deployment timeline: deployments, incidents as spans, alerts and aborts.
  public func timeline(_ options: TimelineOptions = TimelineOptions()) throws(StoreError) -> (
    svg: String, summary: TimelineSummary
  ) {
    let (rows, events, summary) = try timelineEvents(options: options)
    let svg = Charts.timeline(
      rows: rows, events: events, axis: axis, title: "Deployments, incidents and alerts by service")
    return (svg, summary)
  }

  /// Lead time (commit to production) per deployed change.
  public func leadTimes() throws(StoreError) -> [Double] {
    try store.rows(ChangeRow.self, run: runID, where: "deployed_at IS NOT NULL", orderBy: "change_id")
      .compactMap { change in change.deployedAt.map { $0 - change.timeCreated } }
  }

  /// Recovery time (start to resolution) per resolved incident.
  public func recoveryTimes() throws(StoreError) -> [Double] {
    try store.rows(IncidentRow.self, run: runID, where: "time_resolved IS NOT NULL", orderBy: "incident_id")
      .compactMap { incident in incident.timeResolved.map { $0 - incident.timeCreated } }
  }

  public func leadTimeHistogram() throws(StoreError) -> String {
    Charts.histogram(
      try leadTimes(), quantity: .seconds, title: "Lead time for changes", xLabel: "commit to production",
      countNoun: "changes")
  }

  public func recoveryHistogram() throws(StoreError) -> String {
    Charts.histogram(
      try recoveryTimes(), quantity: .seconds, title: "Failed-deployment recovery time",
      xLabel: "failure start to recovery", countNoun: "incidents")
  }

  /// Ready nodes per pool over time; `nil` without a cluster.
  public func nodesChart() throws(StoreError) -> String? {
    let nodes = try store.rows(ClusterNodeRow.self, run: runID, where: "ready_at IS NOT NULL", orderBy: "node_id")
    guard !nodes.isEmpty else { return nil }
    return Charts.stepLines(
      RunSeries.nodesPerPool(nodes, start: start), axis: axis, quantity: .count("nodes"), title: "Ready nodes per pool",
      yLabel: "ready nodes")
  }

  /// Cost per day by team or cost centre, idle included; `nil` without cost rows.
  public func costOverTime(byCostCenter: Bool) throws(StoreError) -> String? {
    let nodes = try store.rows(ClusterNodeRow.self, run: runID, orderBy: "node_id")
    let servingPods = try store.rows(ServingPodRow.self, run: runID)
    guard !nodes.isEmpty || !servingPods.isEmpty else { return nil }
    let jobs = try store.rows(TrainingJobRow.self, run: runID, orderBy: "job_id")
    let pods = try store.rows(ClusterPodRow.self, run: runID)
    let buckets = RunSeries.dayStarts(start: start, end: end, timeZone: run.timeZone)
    let series = RunSeries.costPerDay(
      buckets: buckets, end: end, nodes: nodes, jobs: jobs, pods: pods, servingPods: servingPods,
      groupByCostCenter: byCostCenter)
    let what = byCostCenter ? "cost centre" : "team"
    return Charts.stackedTimeBars(
      bucketStarts: buckets, bucketSeconds: 86_400, series: series, axis: axis, quantity: .usd,
      title: "Cost per day by \(what), idle included", yLabel: "cost per day")
  }

  /// Training jobs waiting over time and the queue-wait distribution; `nil` without training.
  public func trainingCharts() throws(StoreError) -> (queue: String, wait: String)? {
    let jobs = try store.rows(TrainingJobRow.self, run: runID, orderBy: "job_id")
    guard !jobs.isEmpty else { return nil }
    let queue = Charts.stepLines(
      [RunSeries.trainingQueue(jobs, start: start)], axis: axis, quantity: .count("jobs"),
      title: "Training jobs waiting for their first start", yLabel: "jobs waiting")
    let wait = Charts.histogram(
      jobs.compactMap(\.queueWaitSeconds), quantity: .seconds, title: "Training queue wait",
      xLabel: "submission to first start", countNoun: "jobs")
    return (queue, wait)
  }

  /// Mean goodput per GPU template (CPU templates have none); `nil` without GPU jobs.
  public func goodputChart() throws(StoreError) -> String? {
    let jobs = try store.rows(TrainingJobRow.self, run: runID, where: "goodput IS NOT NULL", orderBy: "job_id")
    guard !jobs.isEmpty else { return nil }
    var templates: [String] = []
    for job in jobs where !templates.contains(job.template) { templates.append(job.template) }
    templates.sort()
    let means = templates.map { template -> Double in
      let values = jobs.filter { $0.template == template }.compactMap(\.goodput)
      return values.reduce(0, +) / Double(max(values.count, 1))
    }
    return Charts.bars(
      categories: templates, series: [("goodput", means)], quantity: .ratio,
      title: "Mean goodput per GPU template (useful GPU time ÷ allocated)", xLabel: "training template",
      yLabel: "goodput")
  }
}
