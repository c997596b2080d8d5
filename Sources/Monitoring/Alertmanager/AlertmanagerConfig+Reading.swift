import Foundation
import InputReading
import SimKernel
import Yams

extension AlertmanagerConfig {
  /// Reads and validates an alertmanager.yml.
  ///
  /// Refuses what alertmanager's `config.Load` refuses (config/config.go): unknown
  /// keys (it decodes strictly), a root route without a receiver or with matchers or
  /// `continue`, receivers that are referenced but not defined or defined twice,
  /// durations that are not Prometheus durations, zero `group_interval` or
  /// `repeat_interval`, regexes that do not compile, invalid label names and
  /// matchers, undefined time intervals. Every problem is reported, not only the
  /// first, in file order.
  ///
  /// - Parameters:
  ///   - yaml: the file's contents.
  ///   - file: the name used in messages, e.g. `scenarios/monitoring/alertmanager.yml`.
  /// - Throws: ``DiagnosticsError`` listing every problem with its location.
  public static func parse(yaml: String, file: String = "alertmanager.yml") throws(DiagnosticsError)
    -> AlertmanagerConfig
  {
    let log = DiagnosticLog()
    let conventions = InputFormat.alertmanager.conventions
    guard
      let root = InputFile.parseDocument(
        yaml, file: file, log: log, conventions: conventions,
        emptyHint: "a configuration needs at least `route` and `receivers`")
    else { throw DiagnosticsError(log.diagnostics) }
    let context = ReadContext(file: file, log: log, conventions: conventions)
    let config = AlertmanagerConfigReader(file: file).readDocument(YAMLValue(node: root, path: .root, context: context))
    if let config, !log.hasErrors { return config }
    throw DiagnosticsError(log.diagnosticsInFileOrder)
  }

  /// Reads and validates the alertmanager.yml at `path`; messages name the path as given.
  public static func load(path: String) throws(DiagnosticsError) -> AlertmanagerConfig {
    switch InputFile.read(path, kind: InputFormat.alertmanager.fileDescription) {
    case .success(let contents): return try parse(yaml: contents.text, file: path)
    case .failure(let diagnostic): throw DiagnosticsError([diagnostic])
    }
  }
}

/// Walks one alertmanager.yml against ``AlertmanagerSchema``, logging every problem.
///
/// Readers return `nil` after reporting, so reading goes on and every problem in the
/// file is reported in one pass.
final class AlertmanagerConfigReader {
  let file: String
  /// `global` keys set to something, for integrations that fall back on them.
  var globalKeysSet: Set<String> = []

  init(file: String) { self.file = file }

  // MARK: - Matchers

  /// `match` (equality) or `match_re` (regex) maps: label name → value.
  func matchMap(_ entries: InputDictionary<String>?, regex: Bool) -> [AlertmanagerMatcher] {
    var matchers: [AlertmanagerMatcher] = []
    for entry in entries?.entries ?? [] {
      guard AlertmanagerText.isValidLabelName(entry.key) else {
        entry.keyValue.report(.invalidLabelName(entry.key), at: entry.value.path)
        continue
      }
      guard let value = Shape<String>.goText.read(entry.value) else { continue }
      do {
        if regex {
          // config.Regexp keeps the compiled, anchored source, and NewRoute builds the
          // matcher from its String(): route and group keys show `^(?:ml|data)$`.
          _ = try AnchoredRegex(value)
          matchers.append(try AlertmanagerMatcher(name: entry.key, op: .regexMatch, value: "^(?:" + value + ")$"))
        } else {
          matchers.append(try AlertmanagerMatcher(name: entry.key, op: .equal, value: value))
        }
      } catch {
        entry.value.report(.invalidRegex(value, reason: error.reason))
      }
    }
    return matchers
  }

  /// A `matchers` list: each entry one or more matchers in alertmanager's syntax.
  func matcherList(_ items: InputList<String>?) -> [AlertmanagerMatcher] {
    var matchers: [AlertmanagerMatcher] = []
    for (text, value) in strings(items) {
      do {
        matchers += try AlertmanagerMatcher.parseList(text)
      } catch {
        if error.isRegexError {
          value.report(.invalidRegex(error.text, reason: error.reason))
        } else {
          value.report(.invalidMatcher(text, reason: error.reason))
        }
      }
    }
    return matchers
  }

  /// The strings of a list, each with where it is written; items that are not
  /// strings are reported and left out.
  func strings(_ items: InputList<String>?) -> [(text: String, value: YAMLValue)] {
    var result: [(text: String, value: YAMLValue)] = []
    items?.forEach { text, value in
      if let text { result.append((text, value)) }
    }
    return result
  }

  // MARK: - Document

  func readDocument(_ root: YAMLValue) -> AlertmanagerConfig? {
    guard let reader = root.readObject(AlertmanagerSchema.Config.self) else { return nil }
    var resolveTimeout = SimDuration.minutes(5)
    if let global = reader[\.global] {
      globalKeysSet = Set(global.presentEntries.filter { !$0.value.isNull }.map(\.key))
      if let timeout = global[\.resolveTimeout] { resolveTimeout = timeout }
      // GlobalConfig.UnmarshalYAML (Alertmanager 0.25): a secret inline and in a file.
      for (inline, file) in [
        ("slack_api_url", "slack_api_url_file"), ("opsgenie_api_key", "opsgenie_api_key_file"),
        ("victorops_api_key", "victorops_api_key_file"), ("smtp_auth_password", "smtp_auth_password_file"),
      ] where globalKeysSet.contains(inline) && globalKeysSet.contains(file) {
        global.value.report(
          .invalid("at most one of \(inline) & \(file) must be configured", hint: "remove one of them"))
      }
    }
    var inhibitRules: [InhibitRule] = []
    reader[\.inhibitRules]?.forEach { rule, _ in
      if let rule { inhibitRules.append(readInhibitRule(rule)) }
    }
    var receivers: [Receiver] = []
    var receiverLines: [ReceiverName: Int] = [:]
    reader[\.receivers]?.forEach { item, _ in
      guard let item, let (receiver, nameValue) = readReceiver(item) else { return }
      if let firstLine = receiverLines[receiver.name] {
        nameValue.report(.duplicateReceiver(receiver.name.rawValue, firstLine: firstLine))
        return
      }
      receiverLines[receiver.name] = nameValue.line
      receivers.append(receiver)
    }
    // `time_intervals` and the older `mute_time_intervals` in the order they are written.
    var timeIntervals: [NamedTimeInterval] = []
    var timeIntervalLines: [String: Int] = [:]
    for entry in reader.presentEntries {
      let list: InputList<ObjectReader<AlertmanagerSchema.TimeInterval>>?
      switch entry.key {
      case reader.name(of: \.timeIntervals): list = reader[\.timeIntervals]
      case reader.name(of: \.muteTimeIntervals): list = reader[\.muteTimeIntervals]
      default: continue
      }
      list?.forEach { item, _ in
        guard let item, let (interval, nameValue) = readTimeInterval(item) else { return }
        if let firstLine = timeIntervalLines[interval.name] {
          nameValue.report(.duplicateTimeInterval(interval.name, firstLine: firstLine))
          return
        }
        timeIntervalLines[interval.name] = nameValue.line
        timeIntervals.append(interval)
      }
    }
    _ = reader[\.templates]?.read()
    // `tracing`: accepted and ignored; it has no effect on notifications.
    guard let routeReader = reader[\.route] else { return nil }
    let rawRoot = readRoute(routeReader)
    let routes = buildRoutes(
      rawRoot, receiverNames: receivers.map(\.name.rawValue), timeIntervalNames: timeIntervals.map(\.name))
    guard !routes.isEmpty else { return nil }
    return AlertmanagerConfig(
      file: file, resolveTimeout: resolveTimeout, routes: routes, inhibitRules: inhibitRules, receivers: receivers,
      timeIntervals: timeIntervals)
  }

  // MARK: - Inhibition rules

  func readInhibitRule(_ reader: ObjectReader<AlertmanagerSchema.InhibitRule>) -> InhibitRule {
    var source: [AlertmanagerMatcher] = []
    var target: [AlertmanagerMatcher] = []
    var equal: [String] = []
    // In file order, as config.go decodes them.
    for entry in reader.presentEntries {
      switch entry.key {
      case reader.name(of: \.sourceMatch): source += matchMap(reader.read(\.sourceMatch, at: entry), regex: false)
      case reader.name(of: \.sourceMatchRE): source += matchMap(reader.read(\.sourceMatchRE, at: entry), regex: true)
      case reader.name(of: \.sourceMatchers): source += matcherList(reader.read(\.sourceMatchers, at: entry))
      case reader.name(of: \.targetMatch): target += matchMap(reader.read(\.targetMatch, at: entry), regex: false)
      case reader.name(of: \.targetMatchRE): target += matchMap(reader.read(\.targetMatchRE, at: entry), regex: true)
      case reader.name(of: \.targetMatchers): target += matcherList(reader.read(\.targetMatchers, at: entry))
      case reader.name(of: \.equal):
        for label in strings(reader.read(\.equal, at: entry)) {
          if AlertmanagerText.isValidLabelName(label.text) {
            equal.append(label.text)
          } else {
            label.value.report(.invalidLabelName(label.text))
          }
        }
      default: break
      }
    }
    return InhibitRule(keyPath: reader.path, sourceMatchers: source, targetMatchers: target, equal: equal)
  }
}
