import Foundation
import InputReading

/// `platformsim validate` for trace tables (docs/TRACES.md): a `.csv`, `.jsonl` or
/// `.ndjson` file is recognised by its header (or first record) and read with its
/// format's reader, every bad row reported.
enum TraceValidation {
  static func isTable(_ path: String) -> Bool {
    let lowered = path.lowercased()
    return [".csv", ".jsonl", ".ndjson"].contains { lowered.hasSuffix($0) }
  }

  static func check(_ path: String) -> FileValidation.Outcome {
    var outcome = FileValidation.Outcome(file: path)
    let log = DiagnosticLog()
    read(path, log: log, into: &outcome)
    outcome.diagnostics = log.diagnostics
    return outcome
  }

  static func read(_ path: String, log: DiagnosticLog, into outcome: inout FileValidation.Outcome) {
    guard let text = TraceReader.load(path, log: log) else { return }
    let header = String(text.prefix { $0 != "\n" && $0 != "\r" })
    let names = Set(header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    if names.isSuperset(of: ["sn", "gpu", "model"]) {
      let nodes = TraceReader.readOpenbNodes(text, file: path, log: log)
      outcome.found.append("node list (\(nodes.count) nodes)")
    } else if names.isSuperset(of: ["trace_team", "team"]) {
      let mapping = TraceReader.readTeamMapping(text, file: path, log: log)
      outcome.found.append("team mapping (\(mapping.count) rows)")
    } else if let format = TraceFormat.recognising(header: header)
      ?? (header.hasPrefix("{") && header.contains("\"job_id\"") ? .generic : nil)
    {
      let jobs = TraceReader.readJobs(text, file: path, format: format, log: log)
      outcome.found.append("\(format.rawValue) trace (\(jobs.count) records)")
    } else {
      log.add(
        Diagnostic(
          file: path, line: 1, column: 1, message: "not a trace PlatformSim reads",
          hint: "trace headers: openb pod or node list, PAI 2020 tables, generic (`job_id`, `submit_time`, …), "
            + "`runtime`, `trace_team,team`"))
    }
  }
}
