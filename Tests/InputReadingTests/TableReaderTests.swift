import Foundation
import InputReading
import Testing

@Suite("Table records")
struct TableReaderTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  /// Reads a fixture; returns the job ids of the records read and every diagnostic.
  static func read(_ name: String, _ encoding: TableEncoding) throws -> (jobs: [String], diagnostics: [String]) {
    let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    let log = DiagnosticLog()
    var records: [(id: String, line: Int)] = []
    TableReader.read(text, file: name, encoding: encoding, columns: JobRecord.self, log: log) { record in
      let id = record[\.jobID]
      _ = (record[\.submitTime], record[\.duration], record[\.gpuMilli], record[\.gpuType], record[\.team])
      _ = record[\.tags]?.read()
      if let id { records.append((id, record.value.line)) }
    }
    // The records without an error of their own.
    let linesWithErrors = Set(log.diagnostics.map(\.line))
    let jobs = records.filter { !linesWithErrors.contains($0.line) }.map(\.id)
    return (jobs, log.diagnostics.map(\.rendered))
  }

  @Test("CSV: typed columns, every bad row located at line, column and column name")
  func csv() throws {
    let (jobs, diagnostics) = try Self.read("jobs.csv", .csv)
    #expect(jobs == ["j1", "j6\r\nmulti"])
    #expect(
      diagnostics == [
        "jobs.csv:3:7: error: duration: found `1,800`, expected a positive number",
        "jobs.csv:4:12: error: gpu_milli: found `abc`, expected an integer from 0 to 1000",
        "jobs.csv:5:8: error: duration: missing required key `duration`, expected a positive number; "
          + "`duration`: Run time, seconds.",
        "jobs.csv:6:1: error: found 3 fields, expected 6 (one per header column); quote a field that holds a comma",
        "jobs.csv:9:11: error: gpu_milli: found `2000`, expected an integer from 0 to 1000",
      ])
  }

  @Test("CSV: an unknown or missing column is reported at the header, with a did-you-mean")
  func csvHeader() {
    let log = DiagnosticLog()
    var records = 0
    TableReader.read(
      "job_id,submit_time,duraton\nj1,0,5\n", file: "h.csv", encoding: .csv, columns: JobRecord.self, log: log
    ) { _ in records += 1 }
    #expect(records == 0)
    #expect(
      log.diagnostics.map(\.rendered) == [
        "h.csv:1:20: error: duraton: unknown column `duraton`; did you mean `duration`?",
        "h.csv:1:1: error: missing required column `duration`, expected a positive number; "
          + "the header has `duraton`; rename it to `duration`",
      ])
  }

  @Test("JSON lines: strings are not numbers, null is absent, nested values, escapes, bad lines skipped")
  func jsonLines() throws {
    let (jobs, diagnostics) = try Self.read("jobs.jsonl", .jsonLines)
    #expect(jobs == ["j1", "j3", "café 🚀"])
    #expect(
      diagnostics == [
        "jobs.jsonl:2:33: error: submit_time: found `60`, expected a non-negative number; "
          + "the value is quoted, so it is a string; remove the quotes",
        "jobs.jsonl:5:37: error: invalid JSON: expected `,` or `}`",
        "jobs.jsonl:6:38: error: gpu_mili: unknown key `gpu_mili`; did you mean `gpu_milli`?",
        "jobs.jsonl:6:1: error: missing required key `job_id`, expected a string; `job_id`: Job name.",
        "jobs.jsonl:7:62: error: tags: found a list, expected a mapping of names to values",
      ])
  }
}
