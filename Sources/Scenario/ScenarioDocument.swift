import Foundation
import InputDiagnostics
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

  /// The calendar of the simulated window (always constructible after validation).
  public func calendar(duration runDuration: SimDuration? = nil) -> SimCalendar {
    guard
      let calendar = SimCalendar(
        startEpochSeconds: startEpochSeconds, timeZoneIdentifier: timeZone, horizon: runDuration ?? duration)
    else { preconditionFailure("time zone \(timeZone) was validated but is unknown") }
    return calendar
  }

  /// The world configuration for one replication.
  public func worldConfiguration(seed runSeed: UInt64? = nil, replication: UInt32 = 0, duration runDuration: SimDuration? = nil)
    -> WorldConfiguration
  {
    WorldConfiguration(
      calendar: calendar(duration: runDuration), seed: RandomSeed(root: runSeed ?? seed, replication: replication),
      runnerPool: runnerPool, delivery: delivery, monitoring: monitoring, cluster: cluster, teams: teams, governance: governance,
      horizon: runDuration ?? duration, policies: policies)
  }
}

/// Reads scenario files: YAML syntax, then every section against ``ScenarioSchema``,
/// collecting every problem with its file, line, column and key path.
public enum ScenarioLoader {
  /// Loads and validates the scenario at `path`.
  ///
  /// - Returns: the document and any warnings.
  /// - Throws: ``DiagnosticsError`` listing every error found.
  public static func load(path: String) throws(DiagnosticsError) -> (document: ScenarioDocument, warnings: [Diagnostic]) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      var isDirectory: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      let message = !exists ? "no such file" : isDirectory.boolValue ? "is a directory, not a scenario file" : "cannot be read"
      throw DiagnosticsError([Diagnostic(file: path, line: 0, column: 0, keyPath: .root, message: message)])
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw DiagnosticsError([
        Diagnostic(file: path, line: 0, column: 0, keyPath: .root, message: "the file is not UTF-8 text")
      ])
    }
    let log = DiagnosticLog()
    guard let root = parseYAML(text, file: path, log: log) else { throw DiagnosticsError(log.diagnostics) }
    var hasher = SHA256()
    hasher.update(Array(data))
    return try load(root: root, path: path, digest: hasher.finalizeHex(), log: log)
  }

  /// Loads the parsed YAML of a scenario file at `path`, e.g. after a sweep has
  /// edited values in its node tree.
  ///
  /// - Parameter digest: the digest recorded for the scenario (of the file, or of
  ///   the edited tree's YAML).
  public static func load(root: Node, path: String, digest: String, log: DiagnosticLog = DiagnosticLog())
    throws(DiagnosticsError) -> (document: ScenarioDocument, warnings: [Diagnostic])
  {
    let context = ReadContext(file: path, log: log)
    let document = decode(YAMLValue(node: root, path: .root, context: context), path: path, digest: digest)
    guard let document, !log.hasErrors else { throw DiagnosticsError(log.diagnostics) }
    return (document, log.diagnostics)
  }

  /// Reads and parses a YAML file into its node tree, with located syntax errors.
  public static func parseFile(path: String) throws(DiagnosticsError) -> Node {
    let text: String
    do {
      text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    } catch {
      let exists = FileManager.default.fileExists(atPath: path)
      throw DiagnosticsError([
        Diagnostic(file: path, line: 0, column: 0, keyPath: .root, message: exists ? "cannot be read as UTF-8 text" : "no such file")
      ])
    }
    let log = DiagnosticLog()
    guard let root = parseYAML(text, file: path, log: log) else { throw DiagnosticsError(log.diagnostics) }
    return root
  }

  /// Parses YAML text, turning syntax errors into located diagnostics.
  public static func parseYAML(_ text: String, file: String, log: DiagnosticLog) -> Node? {
    do {
      guard let node = try Yams.compose(yaml: text) else {
        log.add(Diagnostic(file: file, line: 1, column: 1, keyPath: .root, message: "the file is empty", hint: "a scenario starts with `apiVersion: \(ScenarioSchema.apiVersion)`"))
        return nil
      }
      return node
    } catch let error as YamlError {
      log.add(diagnostic(for: error, file: file))
      return nil
    } catch {
      log.add(Diagnostic(file: file, line: 0, column: 0, keyPath: .root, message: "cannot parse YAML: \(error)"))
      return nil
    }
  }

  static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let contextText = context.map { " (\($0.text))" } ?? ""
      return Diagnostic(
        file: file, line: mark.line, column: mark.column, keyPath: .root,
        message: "invalid YAML: \(problem)\(contextText)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      return Diagnostic(
        file: file, line: context.mark.line, column: context.mark.column, keyPath: .root,
        message: "duplicate key " + duplicates.map { "`\($0)`" }.joined(separator: ", ") + " in a mapping",
        hint: "each key may appear once; the later value would silently win elsewhere")
    case .reader(let problem, _, _, _):
      return Diagnostic(file: file, line: 0, column: 0, keyPath: .root, message: "invalid YAML: \(problem)")
    default:
      return Diagnostic(file: file, line: 0, column: 0, keyPath: .root, message: "invalid YAML: \(error)")
    }
  }

  static func decode(_ root: YAMLValue, path: String, digest: String) -> ScenarioDocument? {
    guard let top = root.readObject(ScenarioSchema.document) else { return nil }
    _ = top.string("apiVersion")
    _ = top.string("kind")
    let metadata = top.object("metadata") { reader -> (name: String, description: String?)? in
      _ = reader["labels"]?.readDictionary()?.compactMap { $0.value.readString() }
      guard let name = reader.string("name") else { return nil }
      if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
        reader["name"]?.mismatch(expected: "a name of letters, digits, `.`, `_` and `-`")
        return nil
      }
      return (name, reader.string("description"))
    }
    guard let spec = top.object("spec", { $0 }) else { return nil }
    let simulation = spec.object("simulation") { readSimulation($0) }
    let limits = spec.object("limits") { reader in
      RunLimits(maxEvents: reader.integer("maxEvents"), maxWallSeconds: reader.number("maxWallSeconds"))
    } ?? RunLimits()
    let databasePath = spec.object("outputs") { reader in reader["database"]?.readPath()?.path }
    let deliveryReader = spec["delivery"]?.readObject(ScenarioSchema.delivery)
    let runnerPool = deliveryReader?.object("runnerPool") { readRunnerPool($0) }
    // Instants in the cluster section are placed on the scenario's calendar.
    let placeCalendar = simulation.flatMap {
      SimCalendar(startEpochSeconds: $0.startEpochSeconds, timeZoneIdentifier: $0.timeZone, horizon: $0.duration + .days(7))
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
    let cluster = spec.object("cluster") { readCluster($0, place: place) }
    let teamsRead = spec["teams"]?.readArray().flatMap { readTeams($0) }
    let governance = spec.object("governance") { readGovernance($0) } ?? GovernanceConfiguration()
    let policies = spec.object("policies") { readPolicies($0) }
    let policiesOK = !spec.has("policies") || policies != nil
    let delivery = readDelivery(
      spec: spec, delivery: deliveryReader, runnerPool: runnerPool, teams: teamsRead?.deliveryTeams,
      cluster: spec.has("cluster") ? .declared(cluster) : .absent)
    let monitoring = spec.object("monitoring") { readMonitoring($0) }
    if monitoring != nil && delivery == nil {
      spec["monitoring"]?.warning("monitoring watches services' series, but no services are defined (`spec.services`)")
    }
    let monitoringOK = !spec.has("monitoring") || monitoring != nil
    let deliveryOK = !(spec.has("services") || teamsRead?.deliveryTeams.contains { $0.changeArrivals != nil } == true) || delivery != nil
    var clusterSectionsOK = !(spec.has("cluster") && cluster == nil) && !(spec.has("teams") && teamsRead == nil)
    if let teamsRead, !teamsRead.teams.allSatisfy({ $0.jobStreams.isEmpty }) {
      if let cluster {
        clusterSectionsOK = checkWorkloadsFit(teams: teamsRead.teams, streamValues: teamsRead.streamValues, cluster: cluster)
          && clusterSectionsOK
      } else if !spec.has("cluster") {
        spec["teams"]?.error("teams have training workloads but there is no `cluster` to run them on", hint: "add `spec.cluster`")
        clusterSectionsOK = false
      }
    }
    guard let metadata, let simulation, clusterSectionsOK, deliveryOK, monitoringOK, policiesOK else { return nil }
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
    return document
  }

  static func readSimulation(_ reader: ObjectReader)
    -> (startEpochSeconds: Int64, timeZone: String, duration: SimDuration, seed: UInt64)?
  {
    let timeZone = reader.string("timeZone") ?? "UTC"
    var zoneIsValid = true
    if reader.has("timeZone"), !SimCalendar.isKnownTimeZone(timeZone) {
      zoneIsValid = false
      reader["timeZone"]?.mismatch(
        expected: "an IANA time zone such as `UTC`, `Europe/Berlin` or `America/New_York`",
        hint: nearestMatch(to: timeZone, in: knownTimeZones).map { "did you mean `\($0)`?" })
    }
    let start = reader["start"]?.readInstant()
    let duration = reader.duration("duration")
    let seed = reader.integer("seed").map { UInt64($0) } ?? 1
    guard let start, let duration, zoneIsValid else { return nil }
    let startEpochSeconds: Int64
    switch start {
    case .absolute(let epochSeconds):
      startEpochSeconds = epochSeconds
    case .local(let local):
      guard let calendar = SimCalendar(startEpochSeconds: local.microsecondsSinceEpoch / 1_000_000 - 86_400 * 2,
                                       timeZoneIdentifier: timeZone, horizon: .days(4))
      else { return nil }
      let placed = calendar.simTime(atLocal: local)
      startEpochSeconds = Int64(calendar.epochSeconds(at: placed))
    }
    return (startEpochSeconds, timeZone, duration, seed)
  }

  static func readRunnerPool(_ reader: ObjectReader) -> RunnerPoolConfiguration? {
    let runners = reader.integer("runners")
    let background = reader.object("backgroundJobs") { jobs -> JobStream? in
      let arrivals = jobs.object("arrivals") { readArrivalProcess($0) }
      let duration = jobs.durationDistribution("duration")
      guard let arrivals, let duration else { return nil }
      return JobStream(arrivals: arrivals, duration: duration)
    }
    let recordJobs = reader.boolean("recordJobs") ?? true
    guard let runners else { return nil }
    if reader.has("backgroundJobs") && background == nil { return nil }
    return RunnerPoolConfiguration(runnerCount: runners, backgroundJobs: background, recordsJobRows: recordJobs)
  }

  static func readArrivalProcess(_ reader: ObjectReader) -> ArrivalProcess? {
    let rate = reader.number("ratePerHour")
    let hourly = reader.array("hourOfDay") { $0.readNumber(minimum: 0) }
    let daily = reader.array("dayOfWeek") { $0.readNumber(minimum: 0) }
    if reader.has("hourOfDay") && hourly == nil { return nil }
    if reader.has("dayOfWeek") && daily == nil { return nil }
    guard let rate else { return nil }
    let profile = RateProfile(
      hourOfDay: hourly ?? Array(repeating: 1, count: 24), dayOfWeek: daily ?? Array(repeating: 1, count: 7))
    if rate > 0 && profile.maximumFactor == 0 {
      reader.value.error("the arrival profile is zero at every hour, so no job would ever arrive", hint: "set `ratePerHour: 0` to mean no arrivals")
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
