import Foundation
import Hashing
import InputReading
import Monitoring
import PlatformModel
import Policies
import SimKernel
import Yams

/// A validated scenario, ready to run.
public struct ScenarioDocument: Sendable {
  public var name: String
  public var description: String?
  /// The file it was read from.
  public var path: String
  /// SHA-256 of the file's bytes, written into each run row.
  public var digest: String
  public var startEpochSeconds: Int64
  public var timeZone: String
  public var duration: SimDuration
  public var seed: UInt64
  public var limits: RunLimits
  /// The database named in the file, resolved against it; `nil` for the default.
  public var databasePath: String?
  public var runnerPool: RunnerPoolConfiguration?
  public var delivery: DeliveryConfiguration?
  public var monitoring: MonitoringConfiguration?
  public var cluster: ClusterConfiguration?
  public var teams: [TeamConfiguration] = []
  public var governance = GovernanceConfiguration()
  /// Which implementation answers each decision point (`spec.policies`).
  public var policies = PolicyConfiguration()
  /// A trace replayed in each run (`spec.replay`).
  public var replay: TraceReplayPlan?

  /// The calendar of the simulated window (always constructible after validation).
  public func calendar(duration runDuration: SimDuration? = nil) -> SimCalendar {
    guard
      let calendar = SimCalendar(
        startEpochSeconds: startEpochSeconds, timeZoneIdentifier: timeZone, horizon: runDuration ?? duration)
    else { preconditionFailure("time zone \(timeZone) was validated but is unknown") }
    return calendar
  }

  /// The world configuration for one replication.
  public func worldConfiguration(
    seed runSeed: UInt64? = nil, replication: UInt32 = 0, duration runDuration: SimDuration? = nil
  )
    -> WorldConfiguration
  {
    var configuration = WorldConfiguration(
      calendar: calendar(duration: runDuration), seed: RandomSeed(root: runSeed ?? seed, replication: replication),
      runnerPool: runnerPool, delivery: delivery, monitoring: monitoring, cluster: cluster, teams: teams,
      governance: governance,
      horizon: runDuration ?? duration, policies: policies)
    configuration.replay = replay
    return configuration
  }
}

/// Reads scenario files: YAML syntax, then every section against ``ScenarioSchema``,
/// collecting every problem with its file, line, column and key path.
public enum ScenarioLoader {
  /// Loads and validates the scenario at `path`.
  ///
  /// - Parameter unsupportedRules: what to do with a rule of the users' rule files that
  ///   PlatformSim does not evaluate (`run --skip-unsupported` skips it with a warning).
  /// - Returns: the document and any warnings.
  /// - Throws: ``DiagnosticsError`` listing every error found.
  public static func load(path: String, unsupportedRules: RuleFileLoader.UnsupportedRules = .refuse)
    throws(DiagnosticsError) -> (document: ScenarioDocument, warnings: [Diagnostic])
  {
    let (data, text): (Data, String)
    switch InputFile.read(path, kind: InputFormat.scenario.fileDescription) {
    case .success(let contents): (data, text) = contents
    case .failure(let diagnostic): throw DiagnosticsError([diagnostic])
    }
    let log = DiagnosticLog()
    guard let root = parseYAML(text, file: path, log: log) else { throw DiagnosticsError(log.diagnostics) }
    var hasher = ContentHash()
    hasher.update(Array(data))
    return try load(
      root: root, path: path, digest: hasher.finalizeHex(), log: log, unsupportedRules: unsupportedRules)
  }

  /// Loads the parsed YAML of a scenario file at `path`.
  ///
  /// Used after a sweep has edited values in its node tree.
  ///
  /// - Parameter digest: the digest recorded for the scenario (of the file, or of
  ///   the edited tree's YAML).
  public static func load(
    root: Node, path: String, digest: String, log: DiagnosticLog = DiagnosticLog(),
    unsupportedRules: RuleFileLoader.UnsupportedRules = .refuse
  ) throws(DiagnosticsError) -> (document: ScenarioDocument, warnings: [Diagnostic]) {
    let context = ReadContext(file: path, log: log, conventions: InputFormat.scenario.conventions)
    let value = YAMLValue(node: root, path: .root, context: context)
    let document = decode(value, path: path, digest: digest, unsupportedRules: unsupportedRules)
    // Every refusal must say why: a reader that gave up without a message is a bug,
    // reported rather than shown as "0 errors found".
    if document == nil && !log.hasErrors {
      value.error("the scenario could not be read and no reason was given; this is a PlatformSim bug, please report it")
    }
    guard let document, !log.hasErrors else { throw DiagnosticsError(log.diagnostics) }
    return (document, log.diagnostics)
  }

  /// Reads and parses a YAML file into its node tree, with located syntax errors.
  public static func parseFile(path: String) throws(DiagnosticsError) -> Node {
    let text: String
    switch InputFile.read(path, kind: InputFormat.scenario.fileDescription) {
    case .success(let contents): text = contents.text
    case .failure(let diagnostic): throw DiagnosticsError([diagnostic])
    }
    let log = DiagnosticLog()
    guard let root = parseYAML(text, file: path, log: log) else { throw DiagnosticsError(log.diagnostics) }
    return root
  }

  /// Parses YAML text, turning syntax errors into located diagnostics.
  public static func parseYAML(_ text: String, file: String, log: DiagnosticLog) -> Node? {
    InputFile.parseDocument(
      text, file: file, log: log, emptyHint: "a scenario starts with `apiVersion: \(ScenarioSchema.apiVersion)`")
  }

  static func decode(
    _ root: YAMLValue, path: String, digest: String, unsupportedRules: RuleFileLoader.UnsupportedRules = .refuse
  ) -> ScenarioDocument? {
    guard let top = root.readObject(ScenarioSchema.Scenario.self) else { return nil }
    _ = top[\.apiVersion]
    _ = top[\.kind]
    let metadata = top[\.metadata].flatMap { reader -> (name: String, description: String?)? in
      _ = reader[\.labels]?.read()
      guard let name = reader[\.name] else { return nil }
      if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
        reader.value(of: \.name)?.mismatch(expected: "a name of letters, digits, `.`, `_` and `-`")
        return nil
      }
      return (name, reader[\.description])
    }
    guard let spec = top[\.spec] else { return nil }
    let simulation = spec[\.simulation].flatMap { readSimulation($0) }
    let limitsReader = spec[\.limits]
    let limits = RunLimits(
      maxEvents: limitsReader?[\.maxEvents], maxWallSeconds: limitsReader?[\.maxWallSeconds],
      maxMemoryBytes: Int((limitsReader?[\.maxMemoryGiB] ?? defaultMaxMemoryGiB) * 1_073_741_824))
    let databasePath = spec[\.outputs].flatMap { reader in reader[\.database]?.path }
    let deliveryReader = spec[\.delivery]
    let runnerPool = deliveryReader?[\.runnerPool].flatMap { readRunnerPool($0) }
    // Instants in the cluster section are placed on the scenario's calendar.
    let placeCalendar = simulation.flatMap {
      SimCalendar(
        startEpochSeconds: $0.startEpochSeconds, timeZoneIdentifier: $0.timeZone, horizon: $0.duration + .days(7))
    }
    let place: (InstantText) -> SimTime? = { instant in
      guard let calendar = placeCalendar, let simulation else { return nil }
      switch instant {
      case .absolute(let epochSeconds):
        return SimTime(microseconds: (epochSeconds - simulation.startEpochSeconds) * 1_000_000)
      case .local(let local):
        return calendar.simTime(atLocal: local)
      }
    }
    let cluster = spec[\.cluster].flatMap { readCluster($0, place: place) }
    let teamsRead = spec[\.teams].flatMap { readTeams($0) }
    let governance = spec[\.governance].flatMap { readGovernance($0) } ?? GovernanceConfiguration()
    let policies = spec[\.policies].flatMap { readPolicies($0) }
    let policiesOK = !spec.has(\.policies) || policies != nil
    let replay = spec[\.replay].flatMap { readReplay($0, maxMemoryBytes: limits.maxMemoryBytes ?? Int.max) }
    let replayOK = !spec.has(\.replay) || replay != nil
    var delivery = readDelivery(
      spec: spec, delivery: deliveryReader, runnerPool: runnerPool, teams: teamsRead?.deliveryTeams,
      cluster: spec.has(\.cluster) ? .declared(cluster) : .absent)
    let monitoring = spec[\.monitoring].flatMap { readMonitoring($0, unsupportedRules: unsupportedRules) }
    var customProfilesOK = true
    for index in delivery?.services.indices ?? 0..<0
    where delivery?.services[index].metricProfile == .custom(MetricMapping.fromMonitoring) {
      guard let mapping = monitoring?.metricMapping else {
        spec.value(of: \.services)?.error(
          "service `\(delivery?.services[index].name ?? "")` has `metricProfile: custom`, which needs "
            + "`spec.monitoring.metricMapping`")
        customProfilesOK = false
        break
      }
      delivery?.services[index].metricProfile = .custom(mapping)
    }
    if monitoring != nil && delivery == nil {
      spec.value(of: \.monitoring)?.warning(
        "monitoring watches services' series, but no services are defined (`spec.services`)")
    }
    let monitoringOK = !spec.has(\.monitoring) || monitoring != nil
    if let delivery, monitoringOK {
      PublishedMetricsCheck.warn(
        delivery: delivery, monitoring: monitoring, at: spec.value(of: \.monitoring) ?? spec.value)
    }
    let deliveryOK =
      !(spec.has(\.services) || teamsRead?.deliveryTeams.contains { $0.changeArrivals != nil } == true)
      || delivery != nil
    var clusterSectionsOK = !(spec.has(\.cluster) && cluster == nil) && !(spec.has(\.teams) && teamsRead == nil)
    if let teamsRead, !teamsRead.teams.allSatisfy({ $0.jobStreams.isEmpty }) {
      if let cluster {
        clusterSectionsOK =
          checkWorkloadsFit(teams: teamsRead.teams, streamValues: teamsRead.streamValues, cluster: cluster)
          && clusterSectionsOK
      } else if !spec.has(\.cluster) {
        spec.value(of: \.teams)?.error(
          "teams have training workloads but there is no `cluster` to run them on", hint: "add `spec.cluster`")
        clusterSectionsOK = false
      }
    }
    guard let metadata, let simulation, clusterSectionsOK, deliveryOK, monitoringOK, policiesOK, customProfilesOK,
      replayOK
    else { return nil }
    var document = ScenarioDocument(
      name: metadata.name, description: metadata.description, path: path, digest: digest,
      startEpochSeconds: simulation.startEpochSeconds, timeZone: simulation.timeZone, duration: simulation.duration,
      seed: simulation.seed, limits: limits, databasePath: databasePath, runnerPool: runnerPool)
    document.cluster = cluster
    document.teams = teamsRead?.teams ?? []
    document.governance = governance
    document.policies = policies ?? PolicyConfiguration()
    document.delivery = delivery
    document.monitoring = monitoring
    document.replay = replay
    return document
  }

  static func readSimulation(_ reader: ObjectReader<ScenarioSchema.Simulation>)
    -> (startEpochSeconds: Int64, timeZone: String, duration: SimDuration, seed: UInt64)?
  {
    let timeZone = reader[\.timeZone] ?? "UTC"
    var zoneIsValid = true
    if reader.has(\.timeZone), !SimCalendar.isKnownTimeZone(timeZone) {
      zoneIsValid = false
      reader.value(of: \.timeZone)?.mismatch(
        expected: "an IANA time zone such as `UTC`, `Europe/Berlin` or `America/New_York`",
        hint: nearestMatch(to: timeZone, in: knownTimeZones).map { "did you mean `\($0)`?" })
    }
    let start = reader[\.start]
    let duration = reader[\.duration]
    let seed = reader[\.seed].map { UInt64($0) } ?? 1
    guard let start, let duration, zoneIsValid else { return nil }
    let startEpochSeconds: Int64
    switch start {
    case .absolute(let epochSeconds):
      startEpochSeconds = epochSeconds
    case .local(let local):
      guard
        let calendar = SimCalendar(
          startEpochSeconds: local.microsecondsSinceEpoch / 1_000_000 - 86_400 * 2,
          timeZoneIdentifier: timeZone, horizon: .days(4))
      else { return nil }
      let placed = calendar.simTime(atLocal: local)
      startEpochSeconds = Int64(calendar.epochSeconds(at: placed))
    }
    return (startEpochSeconds, timeZone, duration, seed)
  }

  static func readRunnerPool(_ reader: ObjectReader<ScenarioSchema.RunnerPool>) -> RunnerPoolConfiguration? {
    let runners = reader[\.runners]
    let background = reader[\.backgroundJobs].flatMap { jobs -> JobStream? in
      let arrivals = jobs[\.arrivals].flatMap { readArrivalProcess($0) }
      let duration = jobs[\.duration]
      guard let arrivals, let duration else { return nil }
      return JobStream(arrivals: arrivals, duration: duration)
    }
    let recordJobs = reader[\.recordJobs] ?? true
    guard let runners else { return nil }
    if reader.has(\.backgroundJobs) && background == nil { return nil }
    return RunnerPoolConfiguration(runnerCount: runners, backgroundJobs: background, recordsJobRows: recordJobs)
  }

  /// The memory limit of a run whose scenario sets none, GiB (safe on the documented
  /// 24 GiB machine with a few runs in parallel).
  public static let defaultMaxMemoryGiB = 8.0

  /// The highest peak rate an arrival process may have: one arrival per microsecond.
  static let maximumArrivalsPerHour = 3_600_000_000.0

  /// The highest peak request rate a service may have, requests per second.
  static let maximumPeakRequestsPerSecond = 1_000_000_000.0

  static func readArrivalProcess(_ reader: ObjectReader<ScenarioSchema.ArrivalProcess>) -> ArrivalProcess? {
    let rate = reader[\.ratePerHour]
    let hourly = reader[\.hourOfDay]?.read()
    let daily = reader[\.dayOfWeek]?.read()
    if reader.has(\.hourOfDay) && hourly == nil { return nil }
    if reader.has(\.dayOfWeek) && daily == nil { return nil }
    guard let rate else { return nil }
    let profile = RateProfile(
      hourOfDay: hourly ?? Array(repeating: 1, count: 24), dayOfWeek: daily ?? Array(repeating: 1, count: 7))
    if rate > 0 && profile.maximumFactor == 0 {
      reader.value.error(
        "the arrival profile is zero at every hour, so no job would ever arrive",
        hint: "set `ratePerHour: 0` to mean no arrivals")
      return nil
    }
    // Checked at load so that sampling never works below the clock's resolution: a peak
    // above one arrival per microsecond would draw zero gaps (docs/SCENARIOS.md, "Bounds").
    let peak = rate * profile.maximumFactor
    if peak > maximumArrivalsPerHour {
      reader.value(of: \.ratePerHour)?.error(
        "the peak arrival rate ratePerHour × max(hourOfDay) × max(dayOfWeek) is \(peak) per hour, above the bound of "
          + "\(maximumArrivalsPerHour) per hour (one arrival per microsecond, the clock's resolution)",
        hint: "lower `ratePerHour` or the profile's largest factors")
      return nil
    }
    return ArrivalProcess(ratePerHour: rate, profile: profile)
  }

  /// A short list of common zones for typo suggestions (the full tz database is large).
  static let knownTimeZones = [
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome",
    "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata", "Asia/Shanghai",
    "Australia/Sydney",
  ]
}
