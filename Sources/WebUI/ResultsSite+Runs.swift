import Foundation
import Reports
import ResultRows
import ResultStore

/// The runs list and the run page.
extension ResultsSite {
  /// A run as the API shows it.
  struct RunInfo: Codable {
    var id: Int64
    var scenario: String
    var scenarioPath: String
    var seed: Int64
    var replication: Int
    var status: String
    var stopReason: String?
    var errorMessage: String?
    var timeZone: String
    var simulatedStart: String
    var simulatedEnd: String
    var simulatedReached: String?
    var wallSeconds: Double?
    var eventCount: Int?
    var toolVersion: String
    var experimentID: Int64?
    var variant: String?

    init(_ row: RunRow) {
      id = row.id ?? 0
      scenario = row.scenarioName
      scenarioPath = row.scenarioPath
      seed = row.seed
      replication = row.replication
      status = row.status.rawValue
      stopReason = row.stopReason
      errorMessage = row.errorMessage
      timeZone = row.timeZone
      simulatedStart = isoTime(row.simulatedStartAt, zone: row.timeZone)
      simulatedEnd = isoTime(row.simulatedEndAt, zone: row.timeZone)
      simulatedReached = row.simulatedReachedAt.map { isoTime($0, zone: row.timeZone) }
      wallSeconds = row.wallSeconds
      eventCount = row.eventCount
      toolVersion = row.toolVersion
      experimentID = row.experimentID
      variant = row.variant
    }
  }

  struct RunListItem: Codable {
    var run: RunInfo
    var headline: [KPISummary.Entry]
    var overallTier: DORATier?
  }

  struct RunList: Codable {
    var runs: [RunListItem]
    var total: Int
    var page: Int
    var pageSize: Int
    var scenarios: [String]
  }

  static let pageSize = 100

  /// Runs matching the filters (`scenario`, `status`, `experiment`, `lone`), newest first.
  func runList(_ request: PageRequest) throws(SiteError) -> RunList {
    let store = try store()
    var conditions: [String] = []
    var arguments: [SQLValue] = []
    if let scenario = request.first("scenario"), !scenario.isEmpty {
      conditions.append("scenario_name = ?")
      arguments.append(.text(scenario))
    }
    if let status = request.first("status"), !status.isEmpty {
      guard RunStatus(rawValue: status) != nil else {
        throw .badRequest("status must be running, completed, failed or stopped, found `\(status)`")
      }
      conditions.append("status = ?")
      arguments.append(.text(status))
    }
    if let experiment = try request.optionalInteger("experiment") {
      conditions.append("experiment_id = ?")
      arguments.append(.integer(experiment))
    }
    if request.first("lone") == "1" { conditions.append("experiment_id IS NULL") }
    let page = Int(try request.optionalInteger("page") ?? 1)
    guard page >= 1 else { throw .badRequest("page starts at 1") }
    let condition = conditions.isEmpty ? nil : conditions.joined(separator: " AND ")
    do {
      let total = Int(
        try store.database.scalar(
          "SELECT COUNT(*) FROM runs" + (condition.map { " WHERE \($0)" } ?? ""), arguments)?.intValue ?? 0)
      let rows = try store.database.rows(
        RunRow.self, where: condition, arguments,
        orderBy: "id DESC LIMIT \(Self.pageSize) OFFSET \((page - 1) * Self.pageSize)")
      let ordered = rows
      let headlineList = KPISummary.headlineNames.prefix(4).map { "'\($0)'" }.joined(separator: ", ")
      var items: [RunListItem] = []
      for row in ordered {
        let kpis = try store.rows(
          KPIRow.self, run: RunID(row.id ?? 0), where: "name IN (\(headlineList)) OR name LIKE 'dora_tier.%'")
        let summary = KPISummary(kpis: kpis)
        items.append(RunListItem(run: RunInfo(row), headline: summary.headline, overallTier: summary.overallTier))
      }
      let scenarios = try store.database.query("SELECT DISTINCT scenario_name FROM runs ORDER BY scenario_name")
        .compactMap { $0.first?.stringValue }
      return RunList(runs: items, total: total, page: page, pageSize: Self.pageSize, scenarios: scenarios)
    } catch {
      throw .store(error)
    }
  }

  func runsPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let list = try runList(request)
    var page = HTMLPage(title: "Runs")
    let scenario = request.first("scenario") ?? ""
    let status = request.first("status") ?? ""
    var form =
      "<form method=\"get\" action=\"/\"><label>scenario <select name=\"scenario\"><option value=\"\">all</option>"
    for name in list.scenarios {
      form += "<option\(name == scenario ? " selected" : "")>\(escapeHTML(name))</option>"
    }
    form += "</select></label><label>status <select name=\"status\"><option value=\"\">any</option>"
    for name in ["completed", "stopped", "failed", "running"] {
      form += "<option\(name == status ? " selected" : "")>\(name)</option>"
    }
    form +=
      "</select></label><label><input type=\"checkbox\" name=\"lone\" value=\"1\"\(request.first("lone") == "1" ? " checked" : "")> lone runs only</label>"
    form +=
      "<label>experiment <input name=\"experiment\" size=\"4\" value=\"\(escapeHTML(request.first("experiment") ?? ""))\"></label>"
    form += "<button type=\"submit\">Filter</button></form>"
    page.add(form)
    let first = (list.page - 1) * list.pageSize
    page.paragraph(
      list.total == 0
        ? "No runs match. Write some with `platformsim run SCENARIO --db \(databasePath)`."
        : "Runs \(first + 1)–\(first + list.runs.count) of \(list.total), newest first.", className: "note")
    let headers =
      ["run", "scenario", "seed", "experiment", "status", "simulated", "DORA tier"]
      + KPISummary.headlineNames.prefix(4).map { KPIPresentation(name: $0, unit: nil).label }
    let rows = list.runs.map { item -> [String] in
      let run = item.run
      let experiment =
        run.experimentID.map {
          PageParts.link("/experiments/\($0)", "#\($0)") + " " + escapeHTML(run.variant ?? "") + " r\(run.replication)"
        } ?? ""
      var cells = [
        PageParts.link("/runs/\(run.id)", String(run.id)), escapeHTML(run.scenario), String(run.seed), experiment,
        escapeHTML(run.status),
        escapeHTML(
          String(run.simulatedStart.prefix(10)) + " → " + String((run.simulatedReached ?? run.simulatedEnd).prefix(10))),
        PageParts.tierBadge(item.overallTier),
      ]
      for name in KPISummary.headlineNames.prefix(4) {
        let entry = item.headline.first { $0.name == name }
        cells.append(entry.map { escapeHTML($0.display) + " " + PageParts.tierBadge($0.doraTier) } ?? "–")
      }
      return cells
    }
    page.table(header: headers, rows: rows)
    var pager: [String] = []
    var query = request.query.filter { $0.name != "page" }
    if list.page > 1 {
      query.append(("page", String(list.page - 1)))
      pager.append(PageParts.link("/?" + encodeQuery(query), "← newer"))
      query.removeLast()
    }
    if first + list.runs.count < list.total {
      query.append(("page", String(list.page + 1)))
      pager.append(PageParts.link("/?" + encodeQuery(query), "older →"))
    }
    if !pager.isEmpty { page.add("<p>" + pager.joined(separator: " · ") + "</p>") }
    return .html(page.render())
  }

  // MARK: - Run

  struct RunDetail: Codable {
    var run: RunInfo
    var doraTierYear: Int
    var overallTier: DORATier?
    var overallTierSource: String?
    var kpis: [KPISummary.Entry]
    var metrics: [Metric]
    var timeline: RunCharts.TimelineSummary
    var costByTeamUSD: [String: Double]
    var costByCostCenterUSD: [String: Double]
    var links: [String: String]

    struct Metric: Codable {
      var name: String
      var label: String
      var value: Double?
      var unit: String
      var display: String
    }
  }

  func loadRun(_ request: PageRequest, store: ResultStore) throws(SiteError) -> RunRow {
    let id = try request.integer("run")
    do {
      guard let row = try store.database.rows(RunRow.self, where: "id = ?", [.integer(id)]).first else {
        throw SiteError.notFound(what: "Run \(id)")
      }
      return row
    } catch let error as SiteError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .badRequest("\(error)")
    }
  }

  func runDetail(_ request: PageRequest) throws(SiteError) -> RunDetail {
    let store = try store()
    let row = try loadRun(request, store: store)
    let id = RunID(row.id ?? 0)
    do {
      let kpis = try store.rows(KPIRow.self, run: id)
      let metrics = try store.rows(RunMetric.self, run: id)
      let summary = KPISummary(kpis: kpis, metrics: metrics)
      let charts = RunCharts(store: store, run: row)
      let (_, _, timeline) = try charts.timelineEvents(options: RunCharts.TimelineOptions())
      let allocations = try store.rows(CostAllocationRow.self, run: id)
      var byTeam: [String: Double] = [:]
      var byCentre: [String: Double] = [:]
      for allocation in allocations {
        byTeam[allocation.team, default: 0] += Double(allocation.totalCostMicroUSD) / 1e6
        byCentre[allocation.costCenter, default: 0] += Double(allocation.totalCostMicroUSD) / 1e6
      }
      let base = "/api/runs/\(id)"
      return RunDetail(
        run: RunInfo(row), doraTierYear: summary.tierYear, overallTier: summary.overallTier,
        overallTierSource: summary.overallTierSource, kpis: summary.entries,
        metrics: metrics.map { metric in
          let presentation = KPIPresentation(name: metric.name, unit: metric.unit)
          return RunDetail.Metric(
            name: metric.name, label: presentation.label, value: metric.value, unit: metric.unit,
            display: presentation.quantity.format(metric.value))
        }, timeline: timeline, costByTeamUSD: byTeam, costByCostCenterUSD: byCentre,
        links: ["self": base, "page": "/runs/\(id)", "deployments": base + "/deployments"])
    } catch {
      throw .store(error)
    }
  }

  func runPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let store = try store()
    let row = try loadRun(request, store: store)
    let id = row.id ?? 0
    do {
      let runID = RunID(id)
      let kpis = try store.rows(KPIRow.self, run: runID)
      let metrics = try store.rows(RunMetric.self, run: runID)
      let summary = KPISummary(kpis: kpis, metrics: metrics)
      let charts = RunCharts(store: store, run: row)
      var page = HTMLPage(title: "Run \(id): \(row.scenarioName)")
      var facts =
        "Seed \(row.seed), replication \(row.replication), status \(row.status.rawValue); simulated "
        + "\(localTime(row.simulatedStartAt, zone: row.timeZone)) → \(localTime(charts.end, zone: row.timeZone)) "
        + "(\(row.timeZone))"
      if let wall = row.wallSeconds { facts += " in \(ValueFormat.duration(seconds: wall)) of wall time" }
      if let events = row.eventCount { facts += ", \(ValueFormat.grouped(Double(events))) events" }
      page.paragraph(facts + ".")
      if let reason = row.stopReason, row.status != .completed {
        page.paragraph("Stopped: \(reason)", className: "error")
      }
      if let error = row.errorMessage { page.paragraph("Failed: \(error)", className: "error") }
      var links = [
        PageParts.link("/runs/\(id)/deployments", "all deployments"),
        PageParts.link("/compare/runs?a=\(id)", "compare with another run"),
        PageParts.link("/api/runs/\(id)", "JSON"),
      ]
      if let experiment = row.experimentID {
        links.insert(PageParts.link("/experiments/\(experiment)", "experiment \(experiment)"), at: 0)
      }
      page.add("<p>" + links.joined(separator: " · ") + "</p>")
      page.heading("Key figures")
      if let overall = summary.overallTier {
        page.add(
          "<p>DORA performance tier (\(summary.tierYear) thresholds; the worst of the four keys): "
            + PageParts.tierBadge(overall, source: summary.overallTierSource) + "</p>")
      }
      if summary.headline.isEmpty {
        page.paragraph("This run has no KPIs (no delivery model).", className: "note")
      } else {
        page.add("<div class=\"tiles\">" + summary.headline.map(PageParts.tile).joined() + "</div>")
      }
      page.heading("Deployment timeline", id: "timeline")
      let services = request.all("service")
      var form =
        "<form method=\"get\" action=\"/runs/\(id)#timeline\"><label>services (one per box, empty for the busiest) "
      for index in 0..<3 {
        form +=
          "<input name=\"service\" size=\"16\" value=\"\(escapeHTML(index < services.count ? services[index] : ""))\">"
      }
      form += "</label><button type=\"submit\">Show</button></form>"
      page.add(form)
      let timeline = try charts.timeline(
        RunCharts.TimelineOptions(services: services, maximumRows: 40, linkPrefix: "/runs/\(id)"))
      let shown = timeline.summary
      var text =
        "\(ValueFormat.grouped(Double(shown.deployments))) deployments over \(counted(shown.services, "service")) "
        + "(\(counted(shown.rollbacks, "rollback")), \(counted(shown.canariesAborted, "canary", plural: "canaries")) "
        + "aborted), \(counted(shown.incidents, "incident")), \(counted(shown.alertsFired, "alert")) fired. "
        + "Click a mark for its deployment or incident."
      if shown.servicesShown < shown.services {
        text += " Showing \(shown.servicesShown) of \(shown.services) services: the busiest, or those asked for."
      }
      page.paragraph(text)
      page.chart(timeline.svg, caption: "Dates in \(row.timeZone). Incidents are spans from start to resolution.")
      page.heading("Lead time and recovery")
      page.add(
        "<div class=\"side\"><div>\(try charts.leadTimeHistogram())</div><div>\(try charts.recoveryHistogram())</div></div>"
      )
      page.heading("Cluster")
      if let nodes = try charts.nodesChart() {
        page.chart(nodes, caption: "Ready nodes per pool.")
      } else {
        page.paragraph("This run has no cluster.", className: "note")
      }
      page.heading("Cost")
      if let byTeam = try charts.costOverTime(byCostCenter: false),
        let byCentre = try charts.costOverTime(byCostCenter: true)
      {
        page.chart(byTeam, caption: "Cost per day by team; __idle__ is node capacity nobody requested.")
        page.chart(byCentre, caption: "Cost per day by cost centre (__unallocated__: teams without the tag).")
      } else {
        page.paragraph("This run has no cost rows.", className: "note")
      }
      page.heading("Training")
      if let training = try charts.trainingCharts() {
        page.chart(training.queue, caption: "Jobs submitted and not yet started.")
        page.chart(training.wait, caption: "Submission to first start.")
        if let goodput = try charts.goodputChart() { page.chart(goodput, caption: "Useful GPU time ÷ allocated.") }
      } else {
        page.paragraph("This run has no training jobs.", className: "note")
      }
      page.heading("Incidents")
      let incidents = try store.rows(IncidentRow.self, run: runID, orderBy: "time_created, incident_id")
      if incidents.isEmpty {
        page.paragraph("No incidents.", className: "note")
      } else {
        page.table(
          header: ["incident", "service", "kind", "started", "recovery", "detected by", "resolution", "cause"],
          rows: incidents.prefix(200).map { incident in
            [
              PageParts.link("/runs/\(id)/incidents/\(incident.incidentID)", String(incident.incidentID)),
              escapeHTML(incident.service), escapeHTML(incident.kind),
              escapeHTML(localTime(incident.timeCreated, zone: row.timeZone)),
              incident.timeResolved.map { ValueFormat.duration(seconds: $0 - incident.timeCreated) } ?? "unresolved",
              escapeHTML(incident.detection ?? "–"), escapeHTML(incident.resolution ?? "–"),
              PageParts.link(
                "/runs/\(id)/deployments/\(incident.causeDeploymentID)", "deployment \(incident.causeDeploymentID)"),
            ]
          })
        if incidents.count > 200 { page.paragraph("First 200 of \(incidents.count) incidents.", className: "note") }
      }
      page.heading("All KPIs")
      let table = PageParts.kpiRows(summary.headline + summary.others)
      page.table(
        header: ["KPI", "value", "target", "met", "DORA tier", "name"], rows: table.rows, rowClasses: table.classes)
      return .html(page.render())
    } catch {
      throw .store(error)
    }
  }
}

/// `2026-01-05T00:00:00+01:00` in the run's zone.
func isoTime(_ epochSeconds: Double, zone identifier: String) -> String {
  FormatterCache.iso(zone: identifier).string(from: Date(timeIntervalSince1970: epochSeconds))
}

/// `Mon 5 Jan 2026 14:03` in the run's zone.
func localTime(_ epochSeconds: Double, zone identifier: String) -> String {
  FormatterCache.local(zone: identifier).string(from: Date(timeIntervalSince1970: epochSeconds))
}

/// Date formatters per thread and zone.
///
/// Creating one costs far more than formatting a date, and pages format hundreds. Per
/// thread, because formatters are not thread-safe and the server renders pages on several
/// threads.
enum FormatterCache {
  static func iso(zone identifier: String) -> ISO8601DateFormatter {
    let key = "platformsim.iso." + identifier
    if let cached = Thread.current.threadDictionary[key] as? ISO8601DateFormatter { return cached }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")
    Thread.current.threadDictionary[key] = formatter
    return formatter
  }

  static func local(zone identifier: String) -> DateFormatter {
    let key = "platformsim.local." + identifier
    if let cached = Thread.current.threadDictionary[key] as? DateFormatter { return cached }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")
    formatter.dateFormat = "EEE d MMM yyyy HH:mm"
    Thread.current.threadDictionary[key] = formatter
    return formatter
  }
}

func encodeQuery(_ items: [(name: String, value: String)]) -> String {
  var allowed = CharacterSet.alphanumerics
  allowed.insert(charactersIn: "-._~")
  return items.map { item in
    (item.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.name) + "="
      + (item.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.value)
  }.joined(separator: "&")
}
