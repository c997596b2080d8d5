import Foundation
import InputReading
import Testing

/// The delivery-record readers of `platformsim fit`: Four Keys-shaped exports (CSV and
/// JSON lines) and CI runs, with every bad cell located by line, column and name.
@Suite("Delivery record readers")
struct DeliveryRecordReaderTests {
  @Test("Times: epoch seconds, ISO 8601 with offset, fraction or BigQuery's ` UTC`")
  func times() {
    #expect(DeliveryRecordTime.parse("2026-01-05T00:00:00Z") == 1_767_571_200)
    #expect(DeliveryRecordTime.parse("2026-01-05 00:00:00.250 UTC") == 1_767_571_200.25)
    #expect(DeliveryRecordTime.parse("2026-01-05T01:00:00+01:00") == 1_767_571_200)
    #expect(DeliveryRecordTime.parse("2026-01-05T00:00:00") == 1_767_571_200)
    #expect(DeliveryRecordTime.parse("2026-13-05T00:00:00Z") == nil)
  }

  @Test("Four Keys changes, deployments and incidents in CSV and JSON lines")
  func fourKeys() {
    let log = DiagnosticLog()
    let changes = DeliveryRecordReader.readChanges(
      """
      change_id,time_created,team,fixes_incident_id,promotes_model_version
      a1,2026-01-05T08:00:00Z,search,,
      b2,1767574800.5,search,,3
      c3,1767578400,fraud,1,
      """, file: "changes.csv", log: log)
    #expect(changes.map(\.id) == ["a1", "b2", "c3"])
    #expect(changes.map(\.committedAt) == [1_767_600_000, 1_767_574_800.5, 1_767_578_400])
    #expect(changes.map(\.isTeamChange) == [true, false, false])
    #expect(changes.map(\.isFixForward) == [false, false, true])
    let deployments = DeliveryRecordReader.readDeployments(
      """
      {"deploy_id": "d1", "time_created": "2026-01-05T09:00:00Z", "changes": ["a1", "b2"]}
      {"deploy_id": "d2", "time_created": null, "changes": []}
      """, file: "deployments.jsonl", log: log)
    #expect(deployments.map(\.changes) == [["a1", "b2"], []])
    #expect(deployments.map(\.productionAt) == [1_767_603_600, nil])
    let incidents = DeliveryRecordReader.readIncidents(
      """
      incident_id,time_created,time_resolved,changes
      i1,2026-01-05T10:00:00Z,2026-01-05T11:30:00Z,a1;b2
      i2,2026-01-05T12:00:00Z,,
      """, file: "incidents.csv", log: log)
    #expect(incidents.map(\.changes) == [["a1", "b2"], []])
    #expect(incidents.map { $0.resolvedAt.map { $0 - 1_767_607_200 } } == [5400, nil])
    let links = DeliveryRecordReader.readLinks(
      "run_id,deploy_id,change_id\n1,d1,a1\n", file: "deployment_changes.csv", ownerColumn: "deploy_id", log: log)
    #expect(links.map(\.owner) == ["d1"] && links.map(\.change) == ["a1"])
    #expect(log.diagnostics.isEmpty, "\(log.diagnostics.map(\.rendered))")
  }

  @Test("Bad cells are located by file, line, column and column name")
  func badRows() {
    let log = DiagnosticLog()
    _ = DeliveryRecordReader.readChanges(
      "change_id,time_created\na1,yesterday\n,2026-01-05T00:00:00Z\n", file: "changes.csv", log: log)
    _ = DeliveryRecordReader.readChanges(
      "run_id,change_id,time_created\n1,a,10\n2,a,20\n", file: "runs.csv", log: log)
    _ = DeliveryRecordReader.readIncidents(
      "incident_id,time_created,time_resolved,detected_at\ni1,2026-01-05T10:00:00Z,2026-01-05T09:00:00Z,\n"
        + "i2,100,200,50\n",
      file: "incidents.csv", log: log)
    _ = DeliveryRecordReader.readCIRuns(
      "stage,started_at,finished_at,status\nbuild,100,50,success\ntest,,,failed\nlint,,,skipped\n",
      file: "ci.csv", log: log)
    #expect(
      log.diagnostics.map(\.rendered) == [
        "changes.csv:2:4: error: time_created: found `yesterday`, expected Unix epoch seconds or an ISO 8601 "
          + "date-time such as `2026-01-05T08:00:00Z`",
        "changes.csv:3:1: error: change_id: missing required key `change_id`, expected a string; "
          + "`change_id`: Change id (Four Keys: the commit SHA).",
        "runs.csv:3:1: error: run_id: found run `2` after run `1`; the export holds several runs; export one run "
          + "(`SELECT … WHERE run_id = 1`)",
        "incidents.csv:2:25: error: time_resolved: resolved before it was created (`time_created`)",
        "incidents.csv:3:12: error: detected_at: detected before it was created (`time_created`)",
        "ci.csv:2:11: error: finished_at: the run ends before it starts",
        "ci.csv:3:1: error: missing `duration`, or a start (`started_at`) and an end (`finished_at` or "
          + "`completed_at`); give the run time in seconds, or both times",
      ])
  }

  @Test("CI runs: PlatformSim stages, GitHub Actions and GitLab spellings; unfinished runs left out")
  func ciRuns() {
    let log = DiagnosticLog()
    let platformsim = DeliveryRecordReader.readCIRuns(
      """
      run_id,change_id,stage,attempt,queued_at,started_at,finished_at,outcome
      1,1,unit-tests,1,10,20,200,passed
      1,1,unit-tests,2,200,210,300.5,flaked
      """, file: "pipeline_stages.csv", log: log)
    #expect(
      platformsim.runs.map(\.seconds) == [180, 90.5] && platformsim.runs.map(\.stage) == ["unit-tests", "unit-tests"])
    let github = DeliveryRecordReader.readCIRuns(
      """
      {"id": 7, "name": "build", "status": "completed", "conclusion": "success", "started_at": "2026-01-05T08:00:00Z", "completed_at": "2026-01-05T08:05:00Z"}
      {"id": 8, "name": "build", "status": "completed", "conclusion": "cancelled", "started_at": "2026-01-05T08:00:00Z", "completed_at": "2026-01-05T08:01:00Z"}
      """, file: "jobs.jsonl", log: log)
    #expect(github.runs.map(\.seconds) == [300] && github.runs.map(\.outcome) == ["success"] && github.skipped == 1)
    let gitlab = DeliveryRecordReader.readCIRuns(
      "id,stage,name,status,duration\n1,test,rspec,failed,61.5\n", file: "gitlab.csv", log: log)
    #expect(gitlab.runs.map(\.stage) == ["test"] && gitlab.runs.map(\.seconds) == [61.5])
    #expect(log.diagnostics.isEmpty, "\(log.diagnostics.map(\.rendered))")
  }
}
