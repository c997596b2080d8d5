import Foundation

/// A change of a Four Keys-shaped export.
public struct DeliveryChange: Sendable, Equatable {
  public var id: String
  public var line: Int
  /// Commit time, epoch seconds.
  public var committedAt: Double
  public var team: String?
  public var artifactReadyAt: Double?
  /// A PlatformSim fix-forward change (`fixes_incident_id`): it carries no defect.
  public var isFixForward: Bool
  /// A PlatformSim model-promotion change (`promotes_model_version`).
  public var isPromotion: Bool
  /// Whether the scenario's `changes` arrivals generate it (not a fix forward or a promotion).
  public var isTeamChange: Bool { !isFixForward && !isPromotion }
}

/// A deployment of a Four Keys-shaped export.
public struct DeliveryDeployment: Sendable, Equatable {
  public var id: String
  public var line: Int
  /// Reached production, epoch seconds; `nil` if it never did.
  public var productionAt: Double?
  public var startedAt: Double?
  /// Change ids it carried (its `changes` cell, then the link table's rows).
  public var changes: [String]
}

/// An incident of a Four Keys-shaped export.
public struct DeliveryIncident: Sendable, Equatable {
  public var id: String
  public var line: Int
  public var createdAt: Double
  public var resolvedAt: Double?
  /// Root-cause change ids.
  public var changes: [String]
  /// PlatformSim's columns: defect kind, detection time and how, response, resolution.
  public var kind: String? = nil
  public var detectedAt: Double? = nil
  public var detection: String? = nil
  public var respondedAt: Double? = nil
  public var resolution: String? = nil
}

/// One finished run of a CI job.
public struct CIRun: Sendable, Equatable {
  public var line: Int
  public var stage: String
  public var seconds: Double
  /// Its outcome as written, lower-cased; `nil` if none was given.
  public var outcome: String?
  /// The attempt for one change (PlatformSim's `attempt`), if given.
  public var attempt: Int? = nil
}

/// Reads the delivery records `platformsim fit` calibrates from (docs/TRACES.md).
///
/// A file with PlatformSim's `run_id` column must hold one run: ids restart in every
/// run, so rows of several runs would be mixed up. The second run id is an error at
/// its cell.
public enum DeliveryRecordReader {
  /// Checks that `run_id` keeps one value through a file.
  final class OneRun {
    var first: String?
    func check(_ value: String?, at cell: YAMLValue?) -> Bool {
      guard let value else { return true }
      if let first, first != value {
        cell?.error(
          "found run `\(value)` after run `\(first)`; the export holds several runs",
          hint: "export one run (`SELECT … WHERE run_id = \(first)`)")
        return false
      }
      first = value
      return true
    }
  }

  public static func readChanges(_ text: String, file: String, log: DiagnosticLog) -> [DeliveryChange] {
    var changes: [DeliveryChange] = []
    let encoding = TraceReader.encoding(ofFile: file)
    let oneRun = OneRun()
    TableReader.read(text, file: file, encoding: encoding, columns: FourKeysChangeColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      guard oneRun.check(row[\.runID], at: row.value(of: \.runID)) else { return }
      let id = row[\.changeID]
      let time = row[\.timeCreated]
      let team = row[\.team]
      let ready = row[\.artifactReadyAt]
      let fixes = row[\.fixesIncidentID]
      let promotes = row[\.promotesModelVersion]
      guard let id, let time, log.diagnostics.count == errors else { return }
      if let ready, ready < time {
        row.value(of: \.artifactReadyAt)?.error("the artifact is ready before the commit (`time_created`)")
        return
      }
      changes.append(
        DeliveryChange(
          id: id, line: row.value.line, committedAt: time, team: team, artifactReadyAt: ready,
          isFixForward: fixes != nil, isPromotion: promotes != nil))
    }
    return changes
  }

  public static func readDeployments(_ text: String, file: String, log: DiagnosticLog) -> [DeliveryDeployment] {
    var deployments: [DeliveryDeployment] = []
    let encoding = TraceReader.encoding(ofFile: file)
    let oneRun = OneRun()
    TableReader.read(text, file: file, encoding: encoding, columns: FourKeysDeploymentColumns.self, log: log) {
      row in
      let errors = log.diagnostics.count
      guard oneRun.check(row[\.runID], at: row.value(of: \.runID)) else { return }
      let id = row[\.deployID]
      let time = row[\.timeCreated]
      let changes = row[\.changes]
      let started = row[\.startedAt]
      guard let id, log.diagnostics.count == errors else { return }
      if let started, let time, time < started {
        row.value(of: \.timeCreated)?.error("reached production before it started (`started_at`)")
        return
      }
      deployments.append(
        DeliveryDeployment(
          id: id, line: row.value.line, productionAt: time, startedAt: started, changes: changes ?? []))
    }
    return deployments
  }

  public static func readIncidents(_ text: String, file: String, log: DiagnosticLog) -> [DeliveryIncident] {
    var incidents: [DeliveryIncident] = []
    let encoding = TraceReader.encoding(ofFile: file)
    let oneRun = OneRun()
    TableReader.read(text, file: file, encoding: encoding, columns: FourKeysIncidentColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      guard oneRun.check(row[\.runID], at: row.value(of: \.runID)) else { return }
      let id = row[\.incidentID]
      let created = row[\.timeCreated]
      let resolved = row[\.timeResolved]
      let changes = row[\.changes]
      let kind = row[\.kind]
      let detected = row[\.detectedAt]
      let detection = row[\.detection]
      let responded = row[\.respondedAt]
      let resolution = row[\.resolution]
      guard let id, let created, log.diagnostics.count == errors else { return }
      if let detected, detected < created {
        row.value(of: \.detectedAt)?.error("detected before it was created (`time_created`)")
        return
      }
      if let responded, let detected, responded < detected {
        row.value(of: \.respondedAt)?.error("responded to before it was detected (`detected_at`)")
        return
      }
      if let resolved, resolved < created {
        row.value(of: \.timeResolved)?.error("resolved before it was created (`time_created`)")
        return
      }
      incidents.append(
        DeliveryIncident(
          id: id, line: row.value.line, createdAt: created, resolvedAt: resolved, changes: changes ?? [], kind: kind,
          detectedAt: detected, detection: detection, respondedAt: responded, resolution: resolution))
    }
    return incidents
  }

  /// The (owner, change) pairs of a `deployment_changes` (`owner` = `deploy_id`) or
  /// `incident_changes` (`incident_id`) link table.
  public static func readLinks(_ text: String, file: String, ownerColumn: String, log: DiagnosticLog)
    -> [(owner: String, change: String)]
  {
    var links: [(owner: String, change: String)] = []
    let encoding = TraceReader.encoding(ofFile: file)
    let oneRun = OneRun()
    TableReader.read(text, file: file, encoding: encoding, columns: FourKeysLinkColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      guard oneRun.check(row[\.runID], at: row.value(of: \.runID)) else { return }
      let owner = ownerColumn == "incident_id" ? row[\.incidentID] : row[\.deployID]
      let change = row[\.changeID]
      guard let change, log.diagnostics.count == errors else { return }
      guard let owner else {
        row.value.error("missing `\(ownerColumn)`", hint: "each row links a `\(ownerColumn)` to a `change_id`")
        return
      }
      links.append((owner, change))
    }
    return links
  }

  /// Outcomes of runs that did not hold a runner for their work (GitLab and GitHub
  /// Actions statuses); such rows are left out of the fit.
  public static let notRunOutcomes: Set<String> = [
    "skipped", "canceled", "cancelled", "manual", "created", "pending", "running", "queued", "in_progress",
    "waiting_for_resource", "preparing", "scheduled", "neutral", "action_required", "stale",
  ]

  /// The finished runs of a CI export; runs whose outcome is one of
  /// ``notRunOutcomes`` are left out and counted in `skipped`.
  public static func readCIRuns(_ text: String, file: String, log: DiagnosticLog) -> (runs: [CIRun], skipped: Int) {
    var runs: [CIRun] = []
    var skipped = 0
    let encoding = TraceReader.encoding(ofFile: file)
    let oneRun = OneRun()
    TableReader.read(text, file: file, encoding: encoding, columns: CIRunColumns.self, log: log) { row in
      let errors = log.diagnostics.count
      guard oneRun.check(row[\.runID], at: row.value(of: \.runID)) else { return }
      let stage = row[\.stage] ?? row[\.name] ?? "ci"
      let start = row[\.startedAt] ?? row[\.started]
      let end = row[\.finishedAt] ?? row[\.completedAt] ?? row[\.finished]
      let duration = row[\.duration]
      let outcome = (row[\.conclusion] ?? row[\.status] ?? row[\.outcome])?.lowercased()
      let attempt = row[\.attempt]
      _ = row[\.id]
      guard log.diagnostics.count == errors else { return }
      if let outcome, notRunOutcomes.contains(outcome) {
        skipped += 1
        return
      }
      let seconds: Double
      if let duration {
        seconds = duration
      } else if let start, let end {
        guard end >= start else {
          (row.value(of: \.finishedAt) ?? row.value(of: \.completedAt) ?? row.value(of: \.finished))?.error(
            "the run ends before it starts")
          return
        }
        seconds = end - start
      } else {
        row.value.error(
          "missing `duration`, or a start (`started_at`) and an end (`finished_at` or `completed_at`)",
          hint: "give the run time in seconds, or both times")
        return
      }
      runs.append(CIRun(line: row.value.line, stage: stage, seconds: seconds, outcome: outcome, attempt: attempt))
    }
    return (runs, skipped)
  }
}
