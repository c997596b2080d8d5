// The columns of the delivery records `platformsim fit` calibrates from (docs/TRACES.md
// "Calibration from delivery records"): a Four Keys-shaped export of a team's changes,
// deployments and incidents, and a list of CI runs. Declared once as ObjectKeys, so
// every bad cell is reported at file:line:column naming its column.
//
// The shapes follow dora-team/fourkeys (`queries/changes.sql`, `deployments.sql`,
// `incidents.sql`: `changes(change_id, time_created, …)`, `deployments(deploy_id,
// time_created, changes ARRAY<STRING>)`, `incidents(incident_id, time_created,
// time_resolved, changes ARRAY<STRING>)`), and PlatformSim's own tables of the same
// names (docs/SCHEMA.md), whose arrays are link tables (`deployment_changes`,
// `incident_changes`), so an export of a results database reads back unchanged.

import Foundation

extension Shape where Value == Double {
  /// A point in time: Unix epoch seconds (PlatformSim's `REAL` columns) or an ISO 8601
  /// date-time (`2026-01-05T08:00:00Z`, with fractional seconds, a `±HH:MM` offset, or
  /// BigQuery's ` UTC` suffix, as Four Keys exports them); without an offset, UTC.
  public static var recordTime: Shape {
    Shape(.oneOf([.number(minimum: 0), .instant])) { value in
      guard let text = value.scalarText, !value.isNull else {
        value.mismatch(expected: "Unix epoch seconds or an ISO 8601 date-time such as `2026-01-05T08:00:00Z`")
        return nil
      }
      if let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds >= 0 {
        return seconds
      }
      guard let seconds = DeliveryRecordTime.parse(text) else {
        value.mismatch(expected: "Unix epoch seconds or an ISO 8601 date-time such as `2026-01-05T08:00:00Z`")
        return nil
      }
      return seconds
    }
  }
}

extension Shape where Value == [String] {
  /// A list of ids: a JSON array (JSON lines, or a CSV cell holding one), or in a CSV
  /// cell ids separated by `;`, `|`, `,` or spaces.
  public static var idList: Shape {
    Shape(.oneOf([.array(of: .string()), .string()])) { value in
      if let text = value.scalarText {
        if value.isNull { return [] }
        return text.split { ";|, \t".contains($0) }.map(String.init)
      }
      guard let elements = value.readArray() else { return nil }
      var ids: [String] = []
      for element in elements {
        guard let id = element.readString() else { return nil }
        ids.append(id)
      }
      return ids
    }
  }
}

/// Parses ISO 8601 date-times as exports write them.
public enum DeliveryRecordTime {
  /// Epoch seconds of `2026-01-05T08:00:00.250Z`, `2026-01-05 08:00:00 UTC`,
  /// `2026-01-05T09:00:00+01:00` or `2026-01-05T08:00:00` (read as UTC); `nil` otherwise.
  public static func parse(_ text: String) -> Double? {
    var text = text.trimmingCharacters(in: .whitespaces)
    if text.hasSuffix(" UTC") { text = String(text.dropLast(4)) + "Z" }
    // Fractional seconds: taken out, parsed, added back.
    var fraction = 0.0
    if text.count > 19, let dot = text.firstIndex(of: "."), text.distance(from: text.startIndex, to: dot) == 19 {
      var end = text.index(after: dot)
      while end < text.endIndex, text[end].isNumber { end = text.index(after: end) }
      guard let value = Double("0" + text[dot..<end]) else { return nil }
      fraction = value
      text = String(text[..<dot]) + String(text[end...])
    }
    switch InstantText(parsing: text) {
    case .absolute(let seconds)?: return Double(seconds) + fraction
    case .local(let local)?: return Double(local.microsecondsSinceEpoch) / 1_000_000 + fraction
    case nil: return nil
    }
  }
}

/// A row of a Four Keys `changes` export (one commit to the main branch).
public final class FourKeysChangeColumns: ObjectKeys {
  public static let schema = ObjectSchema<FourKeysChangeColumns>(
    "Four Keys changes", "A change (commit to main) of a Four Keys-shaped export.", unknownKeys: .accepted)
  public init() {}
  let runID = Field("run_id", .string(), "PlatformSim's run; an export holds one run.")
  let changeID = Field("change_id", .string(), required: true, "Change id (Four Keys: the commit SHA).")
  let timeCreated = Field("time_created", .recordTime, required: true, "Commit time.")
  let team = Field("team", .string(), "Owning team (fits are per team when given).")
  let artifactReadyAt = Field(
    "artifact_ready_at", .recordTime, "When its image was in the registry (PlatformSim); splits the lead time.")
  let fixesIncidentID = Field(
    "fixes_incident_id", .string(), "The incident a fix-forward change fixes (PlatformSim): not a team change.")
  let promotesModelVersion = Field(
    "promotes_model_version", .string(), "The model version it promotes (PlatformSim): not a team change.")
}

/// A row of a Four Keys `deployments` export.
public final class FourKeysDeploymentColumns: ObjectKeys {
  public static let schema = ObjectSchema<FourKeysDeploymentColumns>(
    "Four Keys deployments", "A deployment of a Four Keys-shaped export.", unknownKeys: .accepted)
  public init() {}
  let runID = Field("run_id", .string(), "PlatformSim's run; an export holds one run.")
  let deployID = Field("deploy_id", .string(), required: true, "Deployment id.")
  let timeCreated = Field(
    "time_created", .recordTime, "Reached production; empty: it never did (an aborted canary).")
  let changes = Field(
    "changes", .idList, "Change ids it carried (Four Keys `deployments.changes`); or a `deployment_changes` file.")
  let startedAt = Field("started_at", .recordTime, "Sync started (PlatformSim); gives the deploy stage.")
}

/// A row of a `deployment_changes` or `incident_changes` link table (PlatformSim's form
/// of Four Keys' arrays).
public final class FourKeysLinkColumns: ObjectKeys {
  public static let schema = ObjectSchema<FourKeysLinkColumns>(
    "Four Keys link table", "A (deployment or incident, change) pair.", unknownKeys: .accepted)
  public init() {}
  let runID = Field("run_id", .string(), "PlatformSim's run; an export holds one run.")
  let deployID = Field("deploy_id", .string(), "The deployment (deployment_changes).")
  let incidentID = Field("incident_id", .string(), "The incident (incident_changes).")
  let changeID = Field("change_id", .string(), required: true, "The change.")
}

/// A row of a Four Keys `incidents` export.
public final class FourKeysIncidentColumns: ObjectKeys {
  public static let schema = ObjectSchema<FourKeysIncidentColumns>(
    "Four Keys incidents", "An incident of a Four Keys-shaped export.", unknownKeys: .accepted)
  public init() {}
  let runID = Field("run_id", .string(), "PlatformSim's run; an export holds one run.")
  let incidentID = Field("incident_id", .string(), required: true, "Incident id.")
  let timeCreated = Field("time_created", .recordTime, required: true, "When it started.")
  let timeResolved = Field("time_resolved", .recordTime, "When it was resolved; empty: unresolved.")
  let changes = Field(
    "changes", .idList, "Root-cause change ids (Four Keys `incidents.changes`); or an `incident_changes` file.")
  let kind = Field("kind", .string(), "Defect kind (PlatformSim: `error-rate`, `latency`, …); per-kind notice delays.")
  let detectedAt = Field("detected_at", .recordTime, "When it was noticed (PlatformSim).")
  let detection = Field("detection", .string(), "How (PlatformSim: `human-notice`, `alert`, `canary-analysis`, …).")
  let respondedAt = Field("responded_at", .recordTime, "When the paged engineer acted (PlatformSim).")
  let resolution = Field("resolution", .string(), "How it ended (PlatformSim: `rollback`, `fix-forward`, …).")
}

/// A row of a CI run export: PlatformSim's `pipeline_stages`, a GitHub Actions
/// workflow-jobs listing (`started_at`, `completed_at`, `conclusion`) or GitLab's jobs
/// API (`stage`, `started_at`, `finished_at`, `duration`, `status`).
public final class CIRunColumns: ObjectKeys {
  public static let schema = ObjectSchema<CIRunColumns>(
    "CI runs", "One run of a CI job (an attempt of a pipeline stage).", unknownKeys: .accepted)
  public init() {}
  let runID = Field("run_id", .string(), "PlatformSim's run; an export holds one run.")
  let id = Field("id", .string(), "Run id.")
  let stage = Field("stage", .string(), "Stage name (fits are per stage); else `name`.")
  let name = Field("name", .string(), "Job name, when there is no `stage`.")
  let startedAt = Field("started_at", .recordTime, "Start (a runner took it).")
  let started = Field("started", .recordTime, "Start, another spelling.")
  let finishedAt = Field("finished_at", .recordTime, "End.")
  let completedAt = Field("completed_at", .recordTime, "End (GitHub Actions).")
  let finished = Field("finished", .recordTime, "End, another spelling.")
  let duration = Field("duration", .number(minimum: 0), "Run time, seconds (instead of start and end).")
  let status = Field("status", .string(), "Outcome (`success`, `failed`, `skipped`, `canceled`, …).")
  let conclusion = Field("conclusion", .string(), "Outcome (GitHub Actions), preferred over `status`.")
  let outcome = Field("outcome", .string(), "Outcome (PlatformSim: `passed`, `flaked`, `failed`).")
  let attempt = Field(
    "attempt", .integer(minimum: 1), "Attempt of the stage for one change (PlatformSim: 1, then retries).")
}
