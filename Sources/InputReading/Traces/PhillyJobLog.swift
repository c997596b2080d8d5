import Foundation

extension TraceReader {
  /// Reads a Philly `cluster_job_log` (msr-fiddle/philly-traces): a JSON array of jobs
  /// with `jobid`, `user`, `vc`, `status` (`Pass`, `Killed`, `Failed`), `submitted_time`
  /// and `attempts`, each with `start_time`, `end_time` (`%Y-%m-%d %H:%M:%S`, `None` when
  /// missing) and `detail` (per machine: `ip` and its `gpus`).
  ///
  /// As the trace's own analysis notebook defines them: the run time is from the first
  /// attempt's start to the last attempt's end; the queueing delay from submission to
  /// the first start. The job's shape is its last attempt's: one worker per machine,
  /// each with the most GPUs any machine held (the log has no CPU or memory requests:
  /// they are 0). The user is the team (map it with a team mapping). Times are seconds
  /// from midnight of the first submission's day. A job with no started attempt never
  /// ran: it is `pending` and withdrawn at submission. Errors are located at the line of
  /// the job's `jobid` key, naming the field.
  public static func readPhillyJobLog(_ text: String, file: String, log: DiagnosticLog) -> [TraceJob] {
    guard let data = text.data(using: .utf8),
      let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
      let entries = parsed as? [Any]
    else {
      log.add(
        Diagnostic(
          file: file, line: 1, column: 1, message: "a Philly job log is a JSON array of jobs, and this is not one",
          hint: "the file is cluster_job_log of msr-fiddle/philly-traces"))
      return []
    }
    let lines = jobLines(text)
    var records:
      [(
        name: String, line: Int, user: String?, submitted: Date, starts: [Date?], ends: [Date?],
        status: String, workers: Int, gpus: Int
      )] = []
    for (index, entry) in entries.enumerated() {
      let line = index < lines.count ? lines[index] : 1
      func fail(_ field: String, _ problem: String) {
        log.add(Diagnostic(file: file, line: line, column: 1, message: "job \(index + 1): \(field): \(problem)"))
      }
      guard let job = entry as? [String: Any] else {
        fail("job", "expected an object")
        continue
      }
      guard let jobID = job["jobid"] as? String, !jobID.isEmpty else {
        fail("jobid", "missing or not a string")
        continue
      }
      guard let submittedText = job["submitted_time"] as? String, let submitted = philly(submittedText) else {
        fail("submitted_time", "expected `YYYY-MM-DD HH:MM:SS`, found `\(job["submitted_time"] ?? "nothing")`")
        continue
      }
      guard let status = job["status"] as? String else {
        fail("status", "missing or not a string")
        continue
      }
      guard let attempts = job["attempts"] as? [[String: Any]] else {
        fail("attempts", "expected a list of attempts")
        continue
      }
      var starts: [Date?] = []
      var ends: [Date?] = []
      var ok = true
      for attempt in attempts {
        for (key, list) in [("start_time", 0), ("end_time", 1)] {
          let value = attempt[key] as? String
          let date = value.flatMap { $0 == "None" ? nil : philly($0) }
          if let value, value != "None", date == nil {
            fail("attempts.\(key)", "expected `YYYY-MM-DD HH:MM:SS` or `None`, found `\(value)`")
            ok = false
          }
          if list == 0 { starts.append(date) } else { ends.append(date) }
        }
      }
      let machines = (attempts.last?["detail"] as? [[String: Any]]) ?? []
      let gpusPerMachine = machines.map { ($0["gpus"] as? [Any])?.count ?? 0 }
      guard ok else { continue }
      records.append(
        (
          jobID, line, job["user"] as? String, submitted, starts, ends, status, max(1, machines.count),
          gpusPerMachine.max() ?? 0
        ))
    }
    guard let origin = records.map(\.submitted).min() else { return [] }
    let midnight = Double(Int(origin.timeIntervalSince1970 / 86_400)) * 86_400
    return records.map { record in
      let submit = record.submitted.timeIntervalSince1970 - midnight
      let firstStart = record.starts.compactMap { $0 }.first
      let lastEnd = record.ends.compactMap { $0 }.last
      let phase: TracePhase =
        firstStart == nil ? .pending : record.status == "Pass" ? .succeeded : lastEnd == nil ? .running : .failed
      var job = TraceJob(
        name: record.name, line: record.line, submitSeconds: submit,
        durationSeconds: firstStart.map { start in max(0, (lastEnd ?? start).timeIntervalSince(start)) },
        gpuCount: record.gpus, team: record.user, gangSize: record.workers, phase: phase)
      job.recordedWaitSeconds = firstStart.map { max(0, $0.timeIntervalSince(record.submitted)) }
      if firstStart == nil { job.withdrawnSeconds = submit }
      return job
    }
  }

  /// The line of each job's `"jobid"` key, in order (jobs are located by it).
  static func jobLines(_ text: String) -> [Int] {
    var lines: [Int] = []
    var line = 1
    let key = Array("\"jobid\"".utf8)
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "\n") {
        line += 1
      } else if bytes[index] == key[0], index + key.count <= bytes.count, Array(bytes[index..<index + key.count]) == key
      {
        lines.append(line)
        index += key.count
        continue
      }
      index += 1
    }
    return lines
  }

  /// A Philly time (`2017-10-07 07:24:52`, UTC as published).
  static func philly(_ text: String) -> Date? {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
    guard parts.count == 6, (1...12).contains(parts[1]), (1...31).contains(parts[2]), (0...23).contains(parts[3]),
      (0...59).contains(parts[4]), (0...60).contains(parts[5])
    else { return nil }
    var components = DateComponents()
    (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
    (components.hour, components.minute, components.second) = (parts[3], parts[4], parts[5])
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    return calendar.date(from: components)
  }
}
