import Foundation
import Reports
import ResultRows
import ResultStore

/// Why a run cannot be exported.
public enum ExportError: Error, Sendable {
  case noSuchRun(Int64)
  case store(StoreError)
  case cannotWrite(String)
}

/// `platformsim export openmetrics`: a run's simulated series as OpenMetrics text with
/// simulated timestamps, for `promtool tsdb create-blocks-from openmetrics` and Grafana
/// (docs/grafana/, docs/UI.md).
///
/// Exported as stored, never invented:
/// - the services' own series (`http_requests_total`, the `http_request_duration_seconds`
///   histogram, `model_quality_score`) when the run kept them
///   (`spec.monitoring.seriesOutput`), every stored sample, with staleness markers left
///   out (OpenMetrics has no way to write them);
/// - step series from the tables, sampled every `step` (as a scrape would see them):
///   ready nodes per pool, serving replicas per service (placed replicas), open
///   incidents, and counters of deployments, incidents and cost per team;
/// - `ALERTS` from the alert state changes, 1 every `step` while pending or firing;
/// - the run's KPIs, DORA tiers and targets as gauges with one sample at the run's end.
///
/// Every series carries a `run` label (the run's id), so several runs share one TSDB.
public struct OpenMetricsExport {
  /// What was written.
  public struct Summary: Sendable {
    public var series: Int
    public var samples: Int
    /// Whether the run kept its services' series.
    public var hasStoredSeries: Bool
  }

  public let store: ResultStore
  public let run: RunRow
  /// Sampling interval of the step series, seconds.
  public let stepSeconds: Int64

  public init(store: ResultStore, runID: Int64, stepSeconds: Int64 = 60) throws(ExportError) {
    self.store = store
    self.stepSeconds = max(1, stepSeconds)
    do {
      guard let row = try store.database.rows(RunRow.self, where: "id = ?", [.integer(runID)]).first else {
        throw ExportError.noSuchRun(runID)
      }
      run = row
    } catch let error as ExportError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .cannotWrite("\(error)")
    }
  }

  var runID: RunID { RunID(run.id ?? 0) }
  var runLabel: (name: String, value: String) { ("run", String(run.id ?? 0)) }
  var startMs: Int64 { Int64((run.simulatedStartAt * 1_000).rounded()) }
  var endMs: Int64 { Int64(((run.simulatedReachedAt ?? run.simulatedEndAt) * 1_000).rounded()) }

  /// The sampling instants of step series: the window's start, every step, up to the end.
  var grid: [Int64] {
    Array(stride(from: startMs, through: endMs, by: Int(stepSeconds * 1_000)))
  }

  /// Writes the export through `sink` (chunks of UTF-8).
  public func write(to sink: @escaping ([UInt8]) throws -> Void) throws(ExportError) -> Summary {
    var writer = OpenMetricsWriter(sink: sink)
    do {
      let stored = try writeStoredSeries(&writer)
      try writeNodes(&writer)
      try writeReplicas(&writer)
      try writeDelivery(&writer)
      try writeCost(&writer)
      try writeAlerts(&writer)
      try writeKPIs(&writer)
      try writer.finish()
      return Summary(series: writer.seriesCount, samples: writer.sampleCount, hasStoredSeries: stored)
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .cannotWrite("\(error)")
    }
  }

  // MARK: - The services' stored series

  /// Splits `name{a="x", b="y"}` into its name and labels.
  static func parseSeries(_ text: String) -> (name: String, labels: [(name: String, value: String)]) {
    guard let brace = text.firstIndex(of: "{") else { return (text.trimmingCharacters(in: .whitespaces), []) }
    let name = String(text[..<brace])
    var labels: [(String, String)] = []
    var scalars = Array(text[text.index(after: brace)...].unicodeScalars)
    if scalars.last == "}" { scalars.removeLast() }
    var index = 0
    while index < scalars.count {
      while index < scalars.count && (scalars[index] == " " || scalars[index] == ",") { index += 1 }
      var key = ""
      while index < scalars.count && scalars[index] != "=" {
        key.unicodeScalars.append(scalars[index])
        index += 1
      }
      index += 2  // `="`
      var value = ""
      while index < scalars.count && scalars[index] != "\"" {
        if scalars[index] == "\\" && index + 1 < scalars.count {
          index += 1
          value.unicodeScalars.append(scalars[index] == "n" ? "\n" : scalars[index])
        } else {
          value.unicodeScalars.append(scalars[index])
        }
        index += 1
      }
      index += 1
      if !key.isEmpty { labels.append((key, value)) }
    }
    return (name, labels)
  }

  /// The OpenMetrics family of a stored metric name: (family, type).
  static func family(of name: String) -> (String, String) {
    if name.hasSuffix("_total") { return (String(name.dropLast(6)), "counter") }
    for suffix in ["_bucket", "_count", "_sum"] where name.hasPrefix("http_request_duration_seconds") {
      if name.hasSuffix(suffix) { return (String(name.dropLast(suffix.count)), "histogram") }
    }
    if name == "model_quality_score" { return (name, "gauge") }
    return (name, "unknown")
  }

  func writeStoredSeries(_ writer: inout OpenMetricsWriter) throws -> Bool {
    let series = try store.rows(SeriesRow.self, run: runID, orderBy: "series_id")
    guard !series.isEmpty else { return false }
    let parsed = series.map { Self.parseSeries($0.labels) }
    var families: [String] = []
    for entry in parsed {
      let family = Self.family(of: entry.name).0
      if !families.contains(family) { families.append(family) }
    }
    let statement = try store.database.prepare(
      "SELECT series_id, time, value FROM series_samples WHERE run_id = ? ORDER BY series_id, time")
    statement.bind(runID.rawValue, at: 1)
    var samplesBySeries: [Int64: [(timeMs: Int64, value: Double)]] = [:]
    while try statement.step() {
      // Staleness markers are stored as NULL (SQLite has no NaN); they are left out.
      guard case .integer(let id) = statement.value(at: 0), let time = statement.value(at: 1).doubleValue,
        let value = statement.value(at: 2).doubleValue
      else { continue }
      samplesBySeries[id, default: []].append((Int64((time * 1_000).rounded()), value))
    }
    for family in families {
      let members = series.indices.filter { Self.family(of: parsed[$0].name).0 == family }
      let type = Self.family(of: parsed[members[0]].name).1
      try writer.family(family, type: type, help: "The simulated services' \(family) series, as the run stored them.")
      // Histogram lines in the exposition order: buckets (by le), count, sum per label set.
      let ordered = members.sorted { left, right in
        let l = parsed[left].name
        let r = parsed[right].name
        let suffixes = ["_bucket", "_count", "_sum"]
        let lRank = suffixes.firstIndex { l.hasSuffix($0) } ?? 0
        let rRank = suffixes.firstIndex { r.hasSuffix($0) } ?? 0
        return lRank != rRank ? lRank < rRank : series[left].seriesID < series[right].seriesID
      }
      for index in ordered {
        let labels = [runLabel] + parsed[index].labels.filter { $0.name != "run" }
        try writer.series(
          parsed[index].name, labels: OpenMetricsWriter.labelText(labels),
          samples: samplesBySeries[series[index].seriesID] ?? [])
      }
    }
    return true
  }

  // MARK: - Step series from the tables

  /// A step function (value after every change at or before t) sampled on ``grid``.
  func sampled(_ changes: [(timeMs: Int64, delta: Double)]) -> [(timeMs: Int64, value: Double)] {
    let ordered = changes.sorted { $0.timeMs < $1.timeMs }
    var result: [(timeMs: Int64, value: Double)] = []
    result.reserveCapacity(grid.count)
    var level = 0.0
    var next = 0
    for time in grid {
      while next < ordered.count && ordered[next].timeMs <= time {
        level += ordered[next].delta
        next += 1
      }
      result.append((time, level))
    }
    return result
  }

  func milliseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1_000).rounded()) }

  func writeNodes(_ writer: inout OpenMetricsWriter) throws {
    let nodes = try store.rows(ClusterNodeRow.self, run: runID, where: "ready_at IS NOT NULL", orderBy: "node_id")
    guard !nodes.isEmpty else { return }
    try writer.family("platformsim_nodes_ready", type: "gauge", help: "Ready nodes per pool and capacity type.")
    var keys: [String] = []
    for node in nodes where !keys.contains(node.pool + "\u{0}" + node.capacityType) {
      keys.append(node.pool + "\u{0}" + node.capacityType)
    }
    for key in keys.sorted() {
      let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
      var changes: [(timeMs: Int64, delta: Double)] = []
      for node in nodes where node.pool == parts[0] && node.capacityType == parts[1] {
        guard let ready = node.readyAt else { continue }
        changes.append((milliseconds(ready), 1))
        if let end = node.terminatedAt { changes.append((milliseconds(end), -1)) }
      }
      try writer.series(
        "platformsim_nodes_ready",
        labels: OpenMetricsWriter.labelText([runLabel, ("pool", parts[0]), ("capacity_type", parts[1])]),
        samples: sampled(changes))
    }
  }

  func writeReplicas(_ writer: inout OpenMetricsWriter) throws {
    let pods = try store.rows(ServingPodRow.self, run: runID, orderBy: "service, replica, attempt")
    guard !pods.isEmpty else { return }
    try writer.family(
      "platformsim_serving_replicas", type: "gauge",
      help: "Serving replica pods bound to a node, per service (services whose serving has resources).")
    var services: [String] = []
    for pod in pods where !services.contains(pod.service) { services.append(pod.service) }
    for service in services.sorted() {
      let mine = pods.filter { $0.service == service }
      var changes: [(timeMs: Int64, delta: Double)] = []
      for pod in mine {
        changes.append((milliseconds(pod.scheduledAt), 1))
        if let end = pod.endedAt { changes.append((milliseconds(end), -1)) }
      }
      try writer.series(
        "platformsim_serving_replicas",
        labels: OpenMetricsWriter.labelText([runLabel, ("service", service), ("team", mine[0].team)]),
        samples: sampled(changes))
    }
  }

  func writeDelivery(_ writer: inout OpenMetricsWriter) throws {
    let deployments = try store.rows(DeploymentRow.self, run: runID, orderBy: "started_at, deploy_id")
    let incidents = try store.rows(IncidentRow.self, run: runID, orderBy: "time_created, incident_id")
    if !deployments.isEmpty {
      try writer.family(
        "platformsim_deployments", type: "counter",
        help: "Deployments started, by service, kind (planned, fix, rollback), strategy and final status.")
      var keys: [[String]] = []
      for row in deployments where !keys.contains([row.service, row.kind, row.strategy, row.status]) {
        keys.append([row.service, row.kind, row.strategy, row.status])
      }
      for key in keys.sorted(by: { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }) {
        let changes = deployments.filter { [$0.service, $0.kind, $0.strategy, $0.status] == key }
          .map { (timeMs: milliseconds($0.startedAt), delta: 1.0) }
        try writer.series(
          "platformsim_deployments_total",
          labels: OpenMetricsWriter.labelText([
            runLabel, ("service", key[0]), ("kind", key[1]), ("strategy", key[2]), ("status", key[3]),
          ]), samples: sampled(changes))
      }
    }
    guard !incidents.isEmpty else { return }
    var services: [String] = []
    for row in incidents where !services.contains(row.service) { services.append(row.service) }
    services.sort()
    try writer.family(
      "platformsim_incidents_open", type: "gauge", help: "Incidents started (hurting users) and not yet resolved.")
    for service in services {
      var changes: [(timeMs: Int64, delta: Double)] = []
      for row in incidents where row.service == service {
        changes.append((milliseconds(row.timeCreated), 1))
        if let end = row.timeResolved { changes.append((milliseconds(end), -1)) }
      }
      try writer.series(
        "platformsim_incidents_open", labels: OpenMetricsWriter.labelText([runLabel, ("service", service)]),
        samples: sampled(changes))
    }
    try writer.family("platformsim_incidents", type: "counter", help: "Incidents started, by service.")
    for service in services {
      let changes = incidents.filter { $0.service == service }.map {
        (timeMs: milliseconds($0.timeCreated), delta: 1.0)
      }
      try writer.series(
        "platformsim_incidents_total", labels: OpenMetricsWriter.labelText([runLabel, ("service", service)]),
        samples: sampled(changes))
    }
  }

  /// Cumulative cost per team (and its cost centre), idle as `team="__idle__"`: each
  /// stored amount accrues evenly over the time it was incurred (``RunSeries/costPerDay``).
  func writeCost(_ writer: inout OpenMetricsWriter) throws {
    let nodes = try store.rows(ClusterNodeRow.self, run: runID, orderBy: "node_id")
    let servingPods = try store.rows(ServingPodRow.self, run: runID)
    guard !nodes.isEmpty || !servingPods.isEmpty else { return }
    let jobs = try store.rows(TrainingJobRow.self, run: runID, orderBy: "job_id")
    let pods = try store.rows(ClusterPodRow.self, run: runID)
    let end = Double(endMs) / 1_000
    let buckets = grid.map { Double($0) / 1_000 }
    let perTeam = RunSeries.costPerDay(
      buckets: buckets, end: end, nodes: nodes, jobs: jobs, pods: pods, servingPods: servingPods,
      groupByCostCenter: false)
    var centreOfTeam: [String: String] = [:]
    for job in jobs { centreOfTeam[job.team] = job.costCenter }
    for pod in servingPods { centreOfTeam[pod.team] = pod.costCenter }
    try writer.family(
      "platformsim_cost_usd", type: "counter",
      help:
        "Cost allocated so far, USD, by team and cost centre (OpenCost-style; team __idle__ is unrequested capacity).")
    for (team, amounts) in perTeam {
      // Bucket i accrues from grid[i] to grid[i+1]; the counter at grid[i] holds what came before.
      var total = 0.0
      var samples: [(timeMs: Int64, value: Double)] = []
      samples.reserveCapacity(grid.count)
      for (index, time) in grid.enumerated() {
        samples.append((time, (total * 1e6).rounded() / 1e6))
        total += amounts[index]
      }
      let centre = team == "__idle__" ? "__idle__" : centreOfTeam[team] ?? "__unallocated__"
      try writer.series(
        "platformsim_cost_usd_total",
        labels: OpenMetricsWriter.labelText([runLabel, ("team", team), ("cost_center", centre)]), samples: samples)
    }
  }

  /// `ALERTS{alertname, alertstate, …}`: 1 on every step while an instance is pending
  /// or firing, as Prometheus writes it at each rule evaluation.
  func writeAlerts(_ writer: inout OpenMetricsWriter) throws {
    let alerts = try store.rows(AlertRow.self, run: runID, orderBy: "time, rowid")
    guard !alerts.isEmpty else { return }
    // Per (labels, state): the intervals the instance was in that state.
    var keys: [String] = []
    var intervals: [String: [(from: Int64, to: Int64)]] = [:]
    var open: [String: (state: String, since: Int64)] = [:]
    func close(_ labels: String, at time: Int64) {
      guard let current = open[labels] else { return }
      let key = labels + "\u{0}" + current.state
      if intervals[key] == nil { keys.append(key) }
      intervals[key, default: []].append((current.since, time))
      open[labels] = nil
    }
    for alert in alerts {
      let time = milliseconds(alert.time)
      switch alert.state {
      case "pending", "firing":
        close(alert.labels, at: time)
        open[alert.labels] = (alert.state, time)
      default:
        close(alert.labels, at: time)
      }
    }
    for labels in alerts.map(\.labels) where open[labels] != nil { close(labels, at: endMs + 1) }
    try writer.family("ALERTS", type: "gauge", help: "Alerts pending or firing, as Prometheus records them.")
    for key in keys {
      let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
      let parsed = Self.parseSeries("ALERTS" + parts[0])
      var labels = [runLabel]
      labels += parsed.labels.filter { $0.name != "alertstate" && $0.name != "run" }
      labels.append(("alertstate", parts[1]))
      let spans = intervals[key] ?? []
      let samples = grid.filter { time in spans.contains { time >= $0.from && time < $0.to } }.map {
        (timeMs: $0, value: 1.0)
      }
      try writer.series(
        "ALERTS", labels: OpenMetricsWriter.labelText(labels.sorted { $0.name < $1.name }), samples: samples)
    }
  }

  /// KPIs, targets and DORA tiers at the run's end.
  func writeKPIs(_ writer: inout OpenMetricsWriter) throws {
    let kpis = try store.rows(KPIRow.self, run: runID)
    guard !kpis.isEmpty else { return }
    let summary = KPISummary(kpis: kpis)
    try writer.family(
      "platformsim_kpi", type: "gauge", help: "The run's KPIs (docs/KPIS.md), one sample at the end of the run.")
    for entry in summary.entries {
      guard let value = entry.value else { continue }
      try writer.series(
        "platformsim_kpi", labels: OpenMetricsWriter.labelText([runLabel, ("name", entry.name), ("unit", entry.unit)]),
        samples: [(endMs, value)])
    }
    try writer.family("platformsim_kpi_target", type: "gauge", help: "The platform's target of a KPI.")
    for entry in summary.entries {
      guard let target = entry.target else { continue }
      try writer.series(
        "platformsim_kpi_target",
        labels: OpenMetricsWriter.labelText([runLabel, ("name", entry.name), ("comparison", entry.comparison ?? "")]),
        samples: [(endMs, target)])
    }
    try writer.family(
      "platformsim_dora_tier", type: "gauge",
      help: "DORA \(summary.tierYear) performance tier per key metric and overall: 1 elite, 2 high, 3 medium, 4 low.")
    for entry in summary.entries {
      guard let tier = entry.doraTier, let metric = DORAMetric.allCases.first(where: { $0.kpiName == entry.name })
      else {
        continue
      }
      try writer.series(
        "platformsim_dora_tier",
        labels: OpenMetricsWriter.labelText([runLabel, ("metric", metric.rawValue), ("tier", tier.rawValue)]),
        samples: [(endMs, Double(tier.rank))])
    }
    if let overall = summary.overallTier {
      try writer.series(
        "platformsim_dora_tier",
        labels: OpenMetricsWriter.labelText([runLabel, ("metric", "overall"), ("tier", overall.rawValue)]),
        samples: [(endMs, Double(overall.rank))])
    }
  }
}
