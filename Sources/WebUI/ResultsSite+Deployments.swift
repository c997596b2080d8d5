import Foundation
import Reports
import ResultRows
import ResultStore

/// Drill-down: deployments, one deployment with its analysis, alerts, notifications and
/// incidents, and one incident.
extension ResultsSite {
  struct DeploymentList: Codable {
    var run: Int64
    var deployments: [DeploymentRowJSON]
    var total: Int
    var page: Int
    var pageSize: Int
  }

  /// A deployment row with its times in the run's zone.
  struct DeploymentRowJSON: Codable {
    var id: Int64
    var service: String
    var kind: String
    var strategy: String
    var status: String
    var started: String
    var reachedProduction: String?
    var neededRemediation: Bool
    var rolledBack: Bool
    var maxCanaryWeight: Int64?
    var abortReason: String?
    var degraded: Bool

    init(_ row: DeploymentRow, zone: String) {
      id = row.deploymentID
      service = row.service
      kind = row.kind
      strategy = row.strategy
      status = row.status
      started = isoTime(row.startedAt, zone: zone)
      reachedProduction = row.timeCreated.map { isoTime($0, zone: zone) }
      neededRemediation = row.neededRemediation
      rolledBack = row.rolledBack
      maxCanaryWeight = row.maximumCanaryWeight
      abortReason = row.abortReason
      degraded = row.degraded
    }
  }

  /// Deployments of a run, filtered by `service`, `kind`, `status`, 100 a page.
  func deploymentList(_ request: PageRequest) throws(SiteError) -> DeploymentList {
    let store = try store()
    let run = try loadRun(request, store: store)
    var conditions: [String] = []
    var arguments: [SQLValue] = []
    for (name, column) in [("service", "service"), ("kind", "kind"), ("status", "status")] {
      if let value = request.first(name), !value.isEmpty {
        conditions.append("\(column) = ?")
        arguments.append(.text(value))
      }
    }
    if request.first("attention") == "1" {
      conditions.append(
        "(kind != 'planned' OR status NOT IN ('succeeded') OR needed_remediation = 1 OR rolled_back = 1)")
    }
    let page = Int(try request.optionalInteger("page") ?? 1)
    guard page >= 1 else { throw .badRequest("page starts at 1") }
    let runID = RunID(run.id ?? 0)
    do {
      let condition = conditions.isEmpty ? nil : conditions.joined(separator: " AND ")
      let total = Int(
        try store.database.scalar(
          "SELECT COUNT(*) FROM deployments WHERE run_id = ?" + (condition.map { " AND \($0)" } ?? ""),
          [.integer(runID.rawValue)] + arguments)?.intValue ?? 0)
      let rows = try store.rows(
        DeploymentRow.self, run: runID,
        where: condition ?? "1", arguments,
        orderBy: "started_at, deploy_id LIMIT \(Self.pageSize) OFFSET \((page - 1) * Self.pageSize)")
      return DeploymentList(
        run: runID.rawValue, deployments: rows.map { DeploymentRowJSON($0, zone: run.timeZone) }, total: total,
        page: page, pageSize: Self.pageSize)
    } catch {
      throw .store(error)
    }
  }

  func deploymentsPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let list = try deploymentList(request)
    let id = list.run
    var page = HTMLPage(title: "Run \(id): deployments")
    page.add("<p>\(PageParts.link("/runs/\(id)", "← run \(id)"))</p>")
    var form = "<form method=\"get\" action=\"/runs/\(id)/deployments\">"
    for name in ["service", "kind", "status"] {
      form +=
        "<label>\(name) <input name=\"\(name)\" size=\"14\" value=\"\(escapeHTML(request.first(name) ?? ""))\"></label>"
    }
    form +=
      "<label><input type=\"checkbox\" name=\"attention\" value=\"1\"\(request.first("attention") == "1" ? " checked" : "")> only rollbacks, fixes, aborts and failures</label>"
    form += "<button type=\"submit\">Filter</button></form>"
    page.add(form)
    let first = (list.page - 1) * list.pageSize
    page.paragraph(
      list.total == 0
        ? "No deployments match." : "Deployments \(first + 1)–\(first + list.deployments.count) of \(list.total).",
      className: "note")
    page.table(
      header: ["deployment", "service", "kind", "strategy", "status", "started", "canary reached", "remediation"],
      rows: list.deployments.map { row in
        [
          PageParts.link("/runs/\(id)/deployments/\(row.id)", String(row.id)), escapeHTML(row.service),
          escapeHTML(row.kind), escapeHTML(row.strategy), escapeHTML(row.status), escapeHTML(row.started),
          row.maxCanaryWeight.map { "\($0) %" } ?? "",
          row.neededRemediation ? "needed" : (row.rolledBack ? "rolled back" : ""),
        ]
      })
    var pager: [String] = []
    var query = request.query.filter { $0.name != "page" }
    if list.page > 1 {
      query.append(("page", String(list.page - 1)))
      pager.append(PageParts.link("/runs/\(id)/deployments?" + encodeQuery(query), "← earlier"))
      query.removeLast()
    }
    if first + list.deployments.count < list.total {
      query.append(("page", String(list.page + 1)))
      pager.append(PageParts.link("/runs/\(id)/deployments?" + encodeQuery(query), "later →"))
    }
    if !pager.isEmpty { page.add("<p>" + pager.joined(separator: " · ") + "</p>") }
    return .html(page.render())
  }

  // MARK: - One deployment

  struct DeploymentDetail: Codable {
    var run: Int64
    var deployment: DeploymentRowJSON
    var changes: [ChangeJSON]
    var analysis: Analysis
    var incidentsCaused: [Int64]
    var incidentsFixed: [Int64]
    var alerts: [AlertJSON]
    var notifications: [NotificationJSON]

    /// What the canary's analysis decided, and the measurements kept for it.
    struct Analysis: Codable {
      var strategy: String
      var maxCanaryWeight: Int64?
      var outcome: String
      var abortReason: String?
      /// Error ratio per track from the run's stored series over the rollout, one
      /// point per stored sample interval (only with `spec.monitoring.seriesOutput`).
      var errorRatio: [ErrorRatioPoint]
      var measurementsNote: String
    }

    struct ErrorRatioPoint: Codable {
      var time: String
      var track: String
      var errorRatio: Double
    }
  }

  struct ChangeJSON: Codable {
    var id: Int64
    var team: String
    var author: String
    var committed: String
    var defectKind: String?
    var defectSize: Double?
    var fixesIncident: Int64?
    var leadTimeSeconds: Double?
  }

  struct AlertJSON: Codable {
    var time: String
    var alertname: String
    var state: String
    var labels: String
    var value: Double?
  }

  struct NotificationJSON: Codable {
    var time: String
    var receiver: String
    var status: String
    var alerts: Int
    var action: String?
    var outcome: String
  }

  func deploymentDetail(_ request: PageRequest) throws(SiteError) -> DeploymentDetail {
    let store = try store()
    let run = try loadRun(request, store: store)
    let deploymentID = try request.integer("deployment")
    let runID = RunID(run.id ?? 0)
    let zone = run.timeZone
    do {
      guard
        let deployment = try store.rows(
          DeploymentRow.self, run: runID, where: "deploy_id = ?", [.integer(deploymentID)]
        )
        .first
      else { throw SiteError.notFound(what: "Deployment \(deploymentID) of run \(runID)") }
      let carried = try store.rows(
        DeploymentChangeRow.self, run: runID, where: "deploy_id = ?", [.integer(deploymentID)])
      var changes: [ChangeJSON] = []
      for link in carried {
        for change in try store.rows(ChangeRow.self, run: runID, where: "change_id = ?", [.integer(link.changeID)]) {
          changes.append(
            ChangeJSON(
              id: change.changeID, team: change.team, author: change.author,
              committed: isoTime(change.timeCreated, zone: zone),
              defectKind: change.defectKind, defectSize: change.defectSize, fixesIncident: change.fixesIncidentID,
              leadTimeSeconds: change.deployedAt.map { $0 - change.timeCreated }))
        }
      }
      let caused = try store.rows(
        IncidentRow.self, run: runID, where: "cause_deploy_id = ?", [.integer(deploymentID)], orderBy: "incident_id")
      let fixed = changes.compactMap(\.fixesIncident)
      // The window the deployment's consequences fall in: from its start to the end of
      // what it caused (or an hour after it reached production, or started).
      let end = max(
        caused.map { $0.timeResolved ?? ($0.timeCreated + 3_600) }.max() ?? 0,
        (deployment.timeCreated ?? deployment.startedAt) + 3_600)
      let window: [SQLValue] = [.text(deployment.service), .real(deployment.startedAt), .real(end)]
      let alerts = try store.rows(
        AlertRow.self, run: runID, where: "service = ? AND time >= ? AND time <= ?", window, orderBy: "time")
      let notifications = try store.rows(
        AlertNotificationRow.self, run: runID, where: "service = ? AND time >= ? AND time <= ?", window, orderBy: "time"
      )
      let ratio = try errorRatio(
        store: store, run: runID, service: deployment.service, from: deployment.startedAt,
        to: deployment.timeCreated ?? min(end, deployment.startedAt + 3_600), zone: zone)
      let outcome: String
      switch deployment.status {
      case "aborted": outcome = "aborted: traffic returned to the stable version"
      case "succeeded": outcome = deployment.strategy == "big-bang" ? "no analysis (big-bang)" : "promoted"
      default: outcome = deployment.status
      }
      let note =
        ratio.isEmpty
        ? "Individual analysis measurements are not stored in the results database, and this run kept no series "
          + "(spec.monitoring.seriesOutput: off); the verdict and abort reason above are what the run recorded."
        : "Individual analysis measurements are not stored; the error ratio per track is recomputed from the run's "
          + "stored series (http_requests_total by code and track), at the stored sample interval."
      return DeploymentDetail(
        run: runID.rawValue, deployment: DeploymentRowJSON(deployment, zone: zone), changes: changes,
        analysis: .init(
          strategy: deployment.strategy, maxCanaryWeight: deployment.maximumCanaryWeight, outcome: outcome,
          abortReason: deployment.abortReason, errorRatio: ratio, measurementsNote: note),
        incidentsCaused: caused.map(\.incidentID), incidentsFixed: fixed,
        alerts: alerts.map {
          AlertJSON(
            time: isoTime($0.time, zone: zone), alertname: $0.alertName, state: $0.state, labels: $0.labels,
            value: $0.value)
        },
        notifications: notifications.map {
          NotificationJSON(
            time: isoTime($0.time, zone: zone), receiver: $0.receiver, status: $0.status, alerts: $0.alertCount,
            action: $0.action, outcome: $0.outcome)
        })
    } catch let error as SiteError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .badRequest("\(error)")
    }
  }

  /// The error ratio per track between stored samples of a service's request counters:
  /// Δ`http_requests_total{code="500"}` ÷ Δ(all codes), as a canary analysis's
  /// `sum(rate(...{code="500"})) / sum(rate(...))` reads it over each interval.
  func errorRatio(store: ResultStore, run: RunID, service: String, from: Double, to: Double, zone: String)
    throws(StoreError) -> [DeploymentDetail.ErrorRatioPoint]
  {
    let series = try store.rows(
      SeriesRow.self, run: run, where: "labels LIKE ? AND labels LIKE ?",
      [.text("http_requests_total{%"), .text("%service=\"\(service)\"%")], orderBy: "series_id")
    guard !series.isEmpty else { return [] }
    var points: [DeploymentDetail.ErrorRatioPoint] = []
    for track in ["stable", "canary"] {
      let mine = series.filter { $0.labels.contains("track=\"\(track)\"") }
      guard !mine.isEmpty else { continue }
      var byTime: [Double: (errors: Double, total: Double)] = [:]
      var times: [Double] = []
      for entry in mine {
        let isError = entry.labels.contains("code=\"500\"")
        let samples = try store.rows(
          SeriesSampleRow.self, run: run, where: "series_id = ? AND time >= ? AND time <= ?",
          [.integer(entry.seriesID), .real(from - 600), .real(to)], orderBy: "time")
        for sample in samples {
          guard let value = sample.value else { continue }
          if byTime[sample.time] == nil { times.append(sample.time) }
          var current = byTime[sample.time] ?? (0, 0)
          current.total += value
          if isError { current.errors += value }
          byTime[sample.time] = current
        }
      }
      times.sort()
      for (previous, next) in zip(times, times.dropFirst()) where next >= from {
        guard let before = byTime[previous], let after = byTime[next] else { continue }
        let total = after.total - before.total
        guard total > 0 else { continue }
        points.append(
          .init(time: isoTime(next, zone: zone), track: track, errorRatio: (after.errors - before.errors) / total))
      }
    }
    return points
  }

  func deploymentPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let detail = try deploymentDetail(request)
    let run = detail.run
    let deployment = detail.deployment
    var page = HTMLPage(title: "Run \(run): deployment \(deployment.id) of \(deployment.service)")
    page.add(
      "<p>\(PageParts.link("/runs/\(run)", "← run \(run)")) · \(PageParts.link("/runs/\(run)/deployments?service=\(deployment.service)", "all deployments of \(deployment.service)")) · \(PageParts.link("/api/runs/\(run)/deployments/\(deployment.id)", "JSON"))</p>"
    )
    page.table(
      header: ["kind", "strategy", "status", "started", "reached production", "needed remediation", "rolled back"],
      rows: [
        [
          deployment.kind, deployment.strategy, deployment.status, deployment.started,
          deployment.reachedProduction ?? "never",
          deployment.neededRemediation ? "yes" : "no", deployment.rolledBack ? "yes" : "no",
        ].map(escapeHTML)
      ])
    page.heading("Analysis")
    var analysis = "Outcome: \(detail.analysis.outcome)"
    if let weight = detail.analysis.maxCanaryWeight { analysis += "; the new version reached \(weight) % of traffic" }
    if let reason = detail.analysis.abortReason { analysis += "; abort reason: \(reason)" }
    page.paragraph(analysis + ".")
    if detail.analysis.errorRatio.isEmpty {
      page.paragraph(detail.analysis.measurementsNote, className: "note")
    } else {
      page.paragraph(detail.analysis.measurementsNote, className: "note")
      page.table(
        header: ["time", "track", "error ratio"],
        rows: detail.analysis.errorRatio.map {
          [escapeHTML($0.time), escapeHTML($0.track), ValueFormat.percent($0.errorRatio)]
        })
    }
    page.heading("Changes carried")
    page.table(
      header: ["change", "team", "author", "committed", "defect (ground truth)", "lead time", "fixes incident"],
      rows: detail.changes.map { change in
        [
          String(change.id), escapeHTML(change.team), escapeHTML(change.author), escapeHTML(change.committed),
          escapeHTML(change.defectKind ?? "none"),
          change.leadTimeSeconds.map { ValueFormat.duration(seconds: $0) } ?? "–",
          change.fixesIncident.map { PageParts.link("/runs/\(run)/incidents/\($0)", "incident \($0)") } ?? "",
        ]
      })
    page.heading("Incidents")
    let caused = detail.incidentsCaused.map { PageParts.link("/runs/\(run)/incidents/\($0)", "incident \($0)") }
    let fixed = detail.incidentsFixed.map { PageParts.link("/runs/\(run)/incidents/\($0)", "incident \($0)") }
    page.add(
      "<p>Caused: \(caused.isEmpty ? "none" : caused.joined(separator: ", ")). Fixed: \(fixed.isEmpty ? "none" : fixed.joined(separator: ", ")).</p>"
    )
    page.heading("Alerts for \(deployment.service) while it mattered")
    page.table(
      header: ["time", "alert", "state", "value", "labels"],
      rows: detail.alerts.map {
        [
          escapeHTML($0.time), escapeHTML($0.alertname), escapeHTML($0.state),
          $0.value.map { ValueFormat.significant($0) } ?? "", "<code>\(escapeHTML($0.labels))</code>",
        ]
      })
    page.heading("Notifications")
    page.table(
      header: ["time", "receiver", "status", "alerts", "action", "outcome"],
      rows: detail.notifications.map {
        [
          escapeHTML($0.time), escapeHTML($0.receiver), escapeHTML($0.status), String($0.alerts),
          escapeHTML($0.action ?? ""), escapeHTML($0.outcome),
        ]
      })
    return .html(page.render())
  }

  // MARK: - One incident

  struct IncidentDetail: Codable {
    var run: Int64
    var id: Int64
    var service: String
    var kind: String
    var causeDeployment: Int64
    var started: String
    var detected: String?
    var detection: String?
    var responded: String?
    var resolved: String?
    var resolution: String?
    var recoverySeconds: Double?
    var failedRequests: Int64
    var alerted: String?
    var rootCauseChanges: [Int64]
    var remediation: [DeploymentRowJSON]
    var alerts: [AlertJSON]
    var notifications: [NotificationJSON]
  }

  func incidentDetail(_ request: PageRequest) throws(SiteError) -> IncidentDetail {
    let store = try store()
    let run = try loadRun(request, store: store)
    let incidentID = try request.integer("incident")
    let runID = RunID(run.id ?? 0)
    let zone = run.timeZone
    do {
      guard
        let incident = try store.rows(IncidentRow.self, run: runID, where: "incident_id = ?", [.integer(incidentID)])
          .first
      else { throw SiteError.notFound(what: "Incident \(incidentID) of run \(runID)") }
      let causes = try store.rows(IncidentChangeRow.self, run: runID, where: "incident_id = ?", [.integer(incidentID)])
      let end = incident.timeResolved ?? (run.simulatedReachedAt ?? run.simulatedEndAt)
      let window: [SQLValue] = [.text(incident.service), .real(incident.timeCreated - 600), .real(end + 600)]
      let remediation = try store.rows(
        DeploymentRow.self, run: runID,
        where: "service = ? AND started_at >= ? AND started_at <= ? AND kind != 'planned'",
        window, orderBy: "started_at")
      let alerts = try store.rows(
        AlertRow.self, run: runID, where: "service = ? AND time >= ? AND time <= ?", window, orderBy: "time")
      let notifications = try store.rows(
        AlertNotificationRow.self, run: runID, where: "service = ? AND time >= ? AND time <= ?", window, orderBy: "time"
      )
      return IncidentDetail(
        run: runID.rawValue, id: incident.incidentID, service: incident.service, kind: incident.kind,
        causeDeployment: incident.causeDeploymentID, started: isoTime(incident.timeCreated, zone: zone),
        detected: incident.detectedAt.map { isoTime($0, zone: zone) }, detection: incident.detection,
        responded: incident.respondedAt.map { isoTime($0, zone: zone) },
        resolved: incident.timeResolved.map { isoTime($0, zone: zone) }, resolution: incident.resolution,
        recoverySeconds: incident.timeResolved.map { $0 - incident.timeCreated },
        failedRequests: incident.failedRequests,
        alerted: incident.alertedAt.map { isoTime($0, zone: zone) }, rootCauseChanges: causes.map(\.changeID),
        remediation: remediation.map { DeploymentRowJSON($0, zone: zone) },
        alerts: alerts.map {
          AlertJSON(
            time: isoTime($0.time, zone: zone), alertname: $0.alertName, state: $0.state, labels: $0.labels,
            value: $0.value)
        },
        notifications: notifications.map {
          NotificationJSON(
            time: isoTime($0.time, zone: zone), receiver: $0.receiver, status: $0.status, alerts: $0.alertCount,
            action: $0.action, outcome: $0.outcome)
        })
    } catch let error as SiteError {
      throw error
    } catch let error as StoreError {
      throw .store(error)
    } catch {
      throw .badRequest("\(error)")
    }
  }

  func incidentPage(_ request: PageRequest) throws(SiteError) -> SiteResponse {
    let detail = try incidentDetail(request)
    let run = detail.run
    var page = HTMLPage(title: "Run \(run): incident \(detail.id) of \(detail.service)")
    page.add(
      "<p>\(PageParts.link("/runs/\(run)", "← run \(run)")) · caused by \(PageParts.link("/runs/\(run)/deployments/\(detail.causeDeployment)", "deployment \(detail.causeDeployment)")) · \(PageParts.link("/api/runs/\(run)/incidents/\(detail.id)", "JSON"))</p>"
    )
    page.table(
      header: [
        "kind", "started", "detected", "by", "alerted", "resolved", "resolution", "recovery", "failed requests",
      ],
      rows: [
        [
          detail.kind, detail.started, detail.detected ?? "never", detail.detection ?? "–",
          detail.alerted ?? "no alert",
          detail.resolved ?? "unresolved", detail.resolution ?? "–",
          detail.recoverySeconds.map { ValueFormat.duration(seconds: $0) } ?? "–",
          ValueFormat.grouped(Double(detail.failedRequests)),
        ].map(escapeHTML)
      ])
    page.paragraph("Root-cause changes: \(detail.rootCauseChanges.map(String.init).joined(separator: ", ")).")
    page.heading("Remediation")
    page.table(
      header: ["deployment", "kind", "status", "started"],
      rows: detail.remediation.map {
        [
          PageParts.link("/runs/\(run)/deployments/\($0.id)", String($0.id)), escapeHTML($0.kind),
          escapeHTML($0.status), escapeHTML($0.started),
        ]
      })
    page.heading("Alerts")
    page.table(
      header: ["time", "alert", "state", "labels"],
      rows: detail.alerts.map {
        [escapeHTML($0.time), escapeHTML($0.alertname), escapeHTML($0.state), "<code>\(escapeHTML($0.labels))</code>"]
      })
    page.heading("Notifications")
    page.table(
      header: ["time", "receiver", "status", "action", "outcome"],
      rows: detail.notifications.map {
        [
          escapeHTML($0.time), escapeHTML($0.receiver), escapeHTML($0.status), escapeHTML($0.action ?? ""),
          escapeHTML($0.outcome),
        ]
      })
    return .html(page.render())
  }
}
