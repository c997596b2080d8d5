import ArgumentParser
import Experiments
import Foundation
import InputReading

/// `platformsim fit`: calibrates a scenario's distributions from a team's own records.
struct FitCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract:
      "Fit a scenario's distributions to a job trace, a Four Keys export or CI runs (docs/TRACES.md).",
    discussion: HelpText.reflowed(
      """
      Reads a job trace (alibaba-gpu-2023, pai-2020, generic, or a Philly run-time list),
      fits exponential, lognormal, gamma and Weibull run-time distributions by maximum
      likelihood plus an empirical one, and writes a scenario fragment: the arrival
      profile (rate, hour of day × day of week, taking the trace's time 0 as Monday 00:00),
      the best-fitting duration distribution the scenario format can express, and the
      GPU shapes, with every candidate's Kolmogorov–Smirnov distance and sample size.

      From a Four Keys-shaped export (--changes, --deployments, --incidents; CSV or
      JSON lines) it fits each team's change arrivals (ratePerHour × hourOfDay ×
      dayOfWeek in --time-zone) and defect probability, and reports lead time and its
      stages, recovery times and the failed-deployment share; from CI runs (--ci-runs)
      each stage's duration.

      Examples:
        platformsim fit openb_pod_list_default.csv
        platformsim fit philly_runtime.csv --output philly-fit.yaml
        platformsim fit --changes changes.csv --deployments deployments.csv \\
          --incidents incidents.csv --deployment-changes deployment_changes.csv \\
          --incident-changes incident_changes.csv --time-zone Europe/Berlin
        platformsim fit --ci-runs pipeline_stages.csv
      """))

  @Argument(help: "The job trace file (not with the delivery-record options).")
  var trace: String?

  @Option(help: "Four Keys `changes` export (change_id, time_created, team, …).")
  var changes: String?

  @Option(help: "Four Keys `deployments` export (deploy_id, time_created, changes, …).")
  var deployments: String?

  @Option(help: "Four Keys `incidents` export (incident_id, time_created, time_resolved, changes).")
  var incidents: String?

  @Option(help: "Link table deploy_id,change_id (PlatformSim's form of `deployments.changes`).")
  var deploymentChanges: String?

  @Option(help: "Link table incident_id,change_id (PlatformSim's form of `incidents.changes`).")
  var incidentChanges: String?

  @Option(help: "CI runs (stage or name; started_at and finished_at, or duration; status).")
  var ciRuns: String?

  @Option(help: "IANA time zone of the hour-of-day and day-of-week profile of delivery records.")
  var timeZone: String = "UTC"

  @Option(help: "alibaba-gpu-2023, pai-2020, generic or philly-runtimes (default: recognised from the header).")
  var traceFormat: String?

  @Option(help: "Write the fragment to this file instead of standard output.")
  var output: String?

  mutating func execute() throws(CLIError) -> ExitStatus {
    let delivery = [changes, deployments, incidents, deploymentChanges, incidentChanges, ciRuns].contains { $0 != nil }
    if delivery {
      if trace != nil {
        throw .conflictingOptions(
          "a job trace", changes != nil ? "--changes" : ciRuns != nil ? "--ci-runs" : "--deployments")
      }
      return try fitDelivery()
    }
    guard let trace else {
      throw .missingOption(flag: "TRACE, --changes or --ci-runs", purpose: "to have records to fit")
    }
    let log = DiagnosticLog()
    guard let text = TraceReader.load(trace, log: log) else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    let format: TraceFormat
    if let traceFormat {
      guard let known = TraceFormat(rawValue: traceFormat) else {
        throw .invalidOption(
          flag: "--trace-format", found: traceFormat,
          expected: TraceFormat.allCases.map(\.rawValue).joined(separator: ", "))
      }
      format = known
    } else {
      guard let recognised = TraceFormat.recognising(header: String(text.prefix { $0 != "\n" && $0 != "\r" })) else {
        throw .invalidInput(
          "\(trace):1:1: error: the header is not one of a known trace format; name it with --trace-format")
      }
      format = recognised
    }
    let jobs = TraceReader.readJobs(text, file: trace, format: format, log: log)
    guard !log.hasErrors else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    let durations = jobs.compactMap(\.durationSeconds)
    guard let fits = DistributionFit.fitAll(durations) else {
      throw .invalidInput("\(trace): error: fewer than two distinct positive run times to fit")
    }
    let fragment = FitFragment.render(
      file: trace, format: format, jobs: jobs, fits: fits, zeros: durations.filter { $0 <= 0 }.count,
      arrivals: format != .phillyRuntimes)
    try write(fragment, summary: "\(fits[0].family.rawValue) fits best, KS \(FitFragment.number(fits[0].ksDistance))")
    return .success
  }

  func write(_ fragment: String, summary: String) throws(CLIError) {
    if let output {
      do {
        try fragment.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        throw .cannotWrite(path: output, reason: error.localizedDescription)
      }
      print("platformsim: wrote \(output) (\(summary))")
    } else {
      print(fragment, terminator: "")
    }
  }

  /// Fits a Four Keys-shaped export and CI runs (docs/TRACES.md).
  ///
  /// Every file is read and every bad row reported before anything
  /// is written.
  func fitDelivery() throws(CLIError) -> ExitStatus {
    guard let zone = timeZone == "UTC" ? TimeZone(secondsFromGMT: 0) : TimeZone(identifier: timeZone) else {
      throw .invalidOption(flag: "--time-zone", found: timeZone, expected: "an IANA time zone such as `Europe/Berlin`")
    }
    let fourKeysFiles = [changes, deployments, incidents, deploymentChanges, incidentChanges]
    if fourKeysFiles.contains(where: { $0 != nil }) {
      for (flag, file) in [("--changes", changes), ("--deployments", deployments), ("--incidents", incidents)]
      where file == nil {
        throw .missingOption(flag: flag, purpose: "to fit a Four Keys export (changes, deployments and incidents)")
      }
    }
    let log = DiagnosticLog()
    func load(_ path: String?) -> String? { path.flatMap { TraceReader.load($0, log: log) } }
    var fourKeys: DeliveryFitFragment.FourKeys?
    var ci: DeliveryFitFragment.CIRuns?
    if let changes, let deployments, let incidents {
      let changeRows = load(changes).map { DeliveryRecordReader.readChanges($0, file: changes, log: log) } ?? []
      var deploymentRows =
        load(deployments).map { DeliveryRecordReader.readDeployments($0, file: deployments, log: log) } ?? []
      var incidentRows = load(incidents).map { DeliveryRecordReader.readIncidents($0, file: incidents, log: log) } ?? []
      if let deploymentChanges, let text = load(deploymentChanges) {
        let links = DeliveryRecordReader.readLinks(text, file: deploymentChanges, ownerColumn: "deploy_id", log: log)
        let index = Dictionary(deploymentRows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        for link in links { if let row = index[link.owner] { deploymentRows[row].changes.append(link.change) } }
      }
      if let incidentChanges, let text = load(incidentChanges) {
        let links = DeliveryRecordReader.readLinks(text, file: incidentChanges, ownerColumn: "incident_id", log: log)
        let index = Dictionary(incidentRows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        for link in links { if let row = index[link.owner] { incidentRows[row].changes.append(link.change) } }
      }
      let files = [changes, deployments, incidents, deploymentChanges, incidentChanges].compactMap { $0 }
        .map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
      fourKeys = .init(changes: changeRows, deployments: deploymentRows, incidents: incidentRows, files: files)
    }
    if let ciRuns, let text = load(ciRuns) {
      let read = DeliveryRecordReader.readCIRuns(text, file: ciRuns, log: log)
      ci = .init(runs: read.runs, skipped: read.skipped, file: ciRuns)
    }
    guard !log.hasErrors else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    if let fourKeys, fourKeys.changes.isEmpty {
      throw .invalidInput("\(changes ?? ""): error: no changes to fit")
    }
    if let ci, ci.runs.isEmpty {
      throw .invalidInput("\(ciRuns ?? ""): error: no finished CI runs to fit")
    }
    let fragment = DeliveryFitFragment.render(fourKeys: fourKeys, ci: ci, zone: zone, zoneName: timeZone)
    var summary: [String] = []
    if let fourKeys { summary.append("\(fourKeys.changes.count) changes, \(fourKeys.incidents.count) incidents") }
    if let ci { summary.append("\(ci.runs.count) CI runs") }
    try write(fragment, summary: summary.joined(separator: ", "))
    return .success
  }
}

/// The scenario fragment `platformsim fit` writes.
enum FitFragment {
  static func number(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e12 { return String(Int64(value)) }
    return String(format: "%.6g", value)
  }

  /// The fragment: goodness of fit of every family as comments, then the keys.
  static func render(
    file: String, format: TraceFormat, jobs: [TraceJob], fits: [FittedDistribution], zeros: Int, arrivals: Bool
  ) -> String {
    let sampleSize = fits[0].sampleSize
    var lines = [
      "# platformsim fit: \(URL(fileURLWithPath: file).lastPathComponent) (\(format.rawValue)), \(jobs.count) records",
      "# run times: n = \(sampleSize) positive values (\(zeros) zero values left out)",
      "# Kolmogorov–Smirnov distance D of each maximum-likelihood fit (5 % critical value for a fully",
      "# specified distribution: 1.358/sqrt(n) = \(number(1.358 / Double(sampleSize).squareRoot())); "
        + "parameters estimated from the data make it conservative)",
    ]
    for fit in fits {
      let parameters = fit.parameters.map { "\($0.name) \(number($0.value))" }.joined(separator: ", ")
      lines.append(
        "#   \(fit.family.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) D = \(number(fit.ksDistance))"
          + (parameters.isEmpty ? " (percentiles 0…100)" : "  \(parameters)"))
    }
    // The scenario's families: gamma is reported but not written (the format has none).
    let written = fits.first { $0.family != .gamma } ?? fits[0]
    lines.append("# written: \(written.family.rawValue) (the best fit the scenario format expresses)")
    if arrivals, let profile = arrivalProfile(jobs) {
      lines += [
        "arrivals:", "  ratePerHour: \(number(profile.rate))",
        "  hourOfDay: [" + profile.hours.map(number).joined(separator: ", ") + "]",
        "  dayOfWeek: [" + profile.days.map(number).joined(separator: ", ") + "]",
      ]
    }
    lines.append("duration: " + distribution(written))
    if arrivals {
      lines.append("# GPU shapes, share of records by (GPUs per worker, thousandths of each GPU), for `resources`:")
      var shapes: [(gpus: Int, milli: Int, count: Int)] = []
      for job in jobs {
        let milli = job.gpuCount == 0 ? 0 : job.gpuMilli
        if let index = shapes.firstIndex(where: { $0.gpus == job.gpuCount && $0.milli == milli }) {
          shapes[index].count += 1
        } else {
          shapes.append((job.gpuCount, milli, 1))
        }
      }
      for shape in shapes.sorted(by: { ($1.count, $0.gpus, $0.milli) < ($0.count, $1.gpus, $1.milli) }) {
        lines.append(
          "#   - {gpus: \(shape.gpus), gpuMilli: \(shape.milli), share: "
            + "\(number(Double(shape.count) / Double(jobs.count)))}")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func distribution(_ fit: FittedDistribution) -> String {
    func seconds(_ value: Double) -> String { "\(Int64((value * 1000).rounded()))ms" }
    switch fit.family {
    case .exponential: return "{exponential: {mean: \(seconds(fit.parameter("mean") ?? 0))}}"
    case .lognormal:
      return "{lognormal: {mu: \(number(fit.parameter("mu") ?? 0)), sigma: \(number(fit.parameter("sigma") ?? 0))}}"
    case .weibull:
      return
        "{weibull: {shape: \(number(fit.parameter("shape") ?? 0)), scale: \(seconds(fit.parameter("scale") ?? 0))}}"
    case .gamma, .empirical:
      return "{empirical: {values: [" + fit.values.map(seconds).joined(separator: ", ") + "]}}"
    }
  }

  /// Arrivals per hour over the trace's span, and hour-of-day and day-of-week weights
  /// (the busiest hour and day 1), with the trace's time 0 taken as Monday 00:00.
  static func arrivalProfile(_ jobs: [TraceJob]) -> (rate: Double, hours: [Double], days: [Double])? {
    guard let first = jobs.map(\.submitSeconds).min(), let last = jobs.map(\.submitSeconds).max(), last > first
    else { return nil }
    var hours = Array(repeating: 0.0, count: 24)
    var days = Array(repeating: 0.0, count: 7)
    for job in jobs {
      let hour = Int(job.submitSeconds / 3600)
      hours[hour % 24] += 1
      days[(hour / 24) % 7] += 1
    }
    let hourTop = hours.max() ?? 1
    let dayTop = days.max() ?? 1
    return (
      Double(jobs.count) / ((last - first) / 3600), hours.map { ($0 / hourTop * 1000).rounded() / 1000 },
      days.map { ($0 / dayTop * 1000).rounded() / 1000 }
    )
  }
}
