import InputDiagnostics
import Foundation
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
  /// matchers, undefined time intervals. Every problem is reported, not only the first.
  ///
  /// - Parameters:
  ///   - yaml: the file's contents.
  ///   - file: the name used in messages, e.g. `scenarios/monitoring/alertmanager.yml`.
  /// - Throws: ``AlertmanagerConfigError`` listing every problem with its location.
  public static func parse(yaml: String, file: String = "alertmanager.yml") throws(AlertmanagerConfigError)
    -> AlertmanagerConfig
  {
    let reader = AlertmanagerConfigReader(file: file)
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      throw AlertmanagerConfigError([reader.syntaxDiagnostic(error)])
    } catch {
      throw AlertmanagerConfigError([
        AlertmanagerDiagnostic(file: file, line: 0, column: 0, keyPath: .root, kind: .syntax("\(error)"))
      ])
    }
    guard let root else {
      throw AlertmanagerConfigError([
        AlertmanagerDiagnostic(
          file: file, line: 0, column: 0, keyPath: .root,
          kind: .invalid("the file is empty", hint: "a configuration needs at least `route` and `receivers`"))
      ])
    }
    let config = reader.readDocument(root)
    if let config, reader.diagnostics.isEmpty { return config }
    // In file order, as a compiler lists them, whatever order the checks ran in.
    let ordered = reader.diagnostics.enumerated().sorted {
      ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
    }
    throw AlertmanagerConfigError(ordered.map(\.element))
  }

  /// Reads and validates the alertmanager.yml at `path`; messages name the path as given.
  public static func load(path: String) throws(AlertmanagerConfigError) -> AlertmanagerConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw AlertmanagerConfigError([
        AlertmanagerDiagnostic(
          file: path, line: 0, column: 0, keyPath: .root, kind: .invalid("cannot read the file", hint: "check the path")
        )
      ])
    }
    return try parse(yaml: String(decoding: data, as: UTF8.self), file: path)
  }
}

/// Walks the YAML node tree of one alertmanager.yml, collecting diagnostics.
///
/// Readers return `nil` after reporting, so reading goes on and every problem in the
/// file is reported in one pass.
final class AlertmanagerConfigReader {
  let file: String
  private(set) var diagnostics: [AlertmanagerDiagnostic] = []
  /// `global` keys set to something, for integrations that fall back on them.
  var globalKeysSet: Set<String> = []

  init(file: String) { self.file = file }

  static let topLevelKeys = [
    "global", "route", "inhibit_rules", "receivers", "templates", "time_intervals", "mute_time_intervals", "tracing",
  ]
  static let globalKeys = [
    "resolve_timeout", "http_config", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username",
    "smtp_auth_password", "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_secret_file", "smtp_auth_identity",
    "smtp_require_tls", "smtp_tls_config", "smtp_force_implicit_tls", "slack_api_url", "slack_api_url_file",
    "slack_app_token", "slack_app_token_file", "slack_app_url", "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key",
    "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret", "wechat_api_corp_id", "victorops_api_url",
    "victorops_api_key", "victorops_api_key_file", "telegram_api_url", "telegram_bot_token",
    "telegram_bot_token_file", "webex_api_url", "rocketchat_api_url", "rocketchat_token", "rocketchat_token_file",
    "rocketchat_token_id", "rocketchat_token_id_file", "jira_api_url", "incidentio_url",
  ]
  static let routeKeys = [
    "receiver", "group_by", "continue", "match", "match_re", "matchers", "group_wait", "group_interval",
    "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes",
  ]
  static let inhibitKeys = [
    "name", "source_match", "source_match_re", "source_matchers", "target_match", "target_match_re", "target_matchers",
    "equal",
  ]
  static let webhookKeys = ["send_resolved", "http_config", "url", "url_file", "max_alerts", "timeout"]
  static let timeIntervalPeriodKeys = ["times", "weekdays", "days_of_month", "months", "years", "location"]

  // MARK: - Reporting

  func report(_ node: Node?, _ path: DocumentKeyPath, _ kind: AlertmanagerDiagnostic.Kind) {
    diagnostics.append(
      AlertmanagerDiagnostic(
        file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, keyPath: path, kind: kind))
  }

  func syntaxDiagnostic(_ error: YamlError) -> AlertmanagerDiagnostic {
    var mark: Mark?
    var problem = "\(error)"
    switch error {
    case .scanner(_, let text, let at, _), .parser(_, let text, let at, _), .composer(_, let text, let at, _):
      mark = at
      problem = text
    case .duplicatedKeysInMapping(let duplicates, let context):
      mark = context.mark
      problem = "duplicate key \(duplicates.map(AlertmanagerText.quoted).joined(separator: ", ")) in a mapping"
    default:
      break
    }
    return AlertmanagerDiagnostic(
      file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, keyPath: .root, kind: .syntax(problem))
  }

  func foundDescription(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
      if isNull(node) { return "nothing (null)" }
      let text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
      return "`\(text)`"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  func isNull(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  // MARK: - Shapes

  /// A mapping's entries in file order, with unknown keys reported.
  ///
  /// `known == nil` accepts any key. Returns `nil` when the node is not a mapping.
  func mapping(_ node: Node, _ path: DocumentKeyPath, known: [String]?) -> [(
    key: String, keyNode: Node, value: Node
  )]? {
    guard case .mapping(let mapping) = node else {
      report(node, path, .typeMismatch(found: foundDescription(node), expected: "a mapping"))
      return nil
    }
    var entries: [(key: String, keyNode: Node, value: Node)] = []
    var merged: [(key: String, keyNode: Node, value: Node)] = []
    for (keyNode, value) in mapping {
      guard case .scalar(let keyScalar) = keyNode else {
        report(keyNode, path, .typeMismatch(found: foundDescription(keyNode), expected: "a string key"))
        continue
      }
      let key = keyScalar.string
      // YAML merge keys (`<<: *defaults`), which Go's yaml.v2 honours: the merged
      // mapping's entries count unless the mapping sets them itself.
      if key == "<<" && keyScalar.style == .plain {
        let sources: [Node]
        if case .sequence(let list) = value { sources = Array(list) } else { sources = [value] }
        for source in sources {
          merged += self.mapping(source, path, known: known) ?? []
        }
        continue
      }
      if let known, !known.contains(key) {
        report(
          keyNode, path.appending(key),
          .unknownKey(key, suggestion: nearestMatch(to: key, in: known, acceptingPrefixes: true)))
        continue
      }
      entries.append((key, keyNode, value))
    }
    // A key set explicitly replaces the merged one, except the matcher lists, whose
    // decoder (`config.Matchers.UnmarshalYAML`) appends to what the merge put there.
    let appending: Set<String> = ["matchers", "source_matchers", "target_matchers"]
    var combined: [(key: String, keyNode: Node, value: Node)] = []
    for entry in merged where appending.contains(entry.key) || !entries.contains(where: { $0.key == entry.key }) {
      combined.append(entry)
    }
    return combined + entries
  }

  func sequence(_ node: Node, _ path: DocumentKeyPath) -> [Node]? {
    if isNull(node) { return [] }
    guard case .sequence(let sequence) = node else {
      report(node, path, .typeMismatch(found: foundDescription(node), expected: "a list"))
      return nil
    }
    return Array(sequence)
  }

  func string(_ node: Node, _ path: DocumentKeyPath) -> String? {
    guard case .scalar(let scalar) = node, !isNull(node) else {
      report(node, path, .typeMismatch(found: foundDescription(node), expected: "a string"))
      return nil
    }
    return scalar.string
  }

  func boolean(_ node: Node, _ path: DocumentKeyPath) -> Bool? {
    if case .scalar(let scalar) = node, scalar.style == .plain {
      switch scalar.string {
      case "true", "True", "TRUE": return true
      case "false", "False", "FALSE": return false
      default: break
      }
    }
    report(node, path, .typeMismatch(found: foundDescription(node), expected: "true or false"))
    return nil
  }

  func integer(_ node: Node, _ path: DocumentKeyPath, minimum: Int) -> Int? {
    if case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string), value >= minimum {
      return value
    }
    report(node, path, .typeMismatch(found: foundDescription(node), expected: "an integer ≥ \(minimum)"))
    return nil
  }

  func duration(_ node: Node, _ path: DocumentKeyPath) -> SimDuration? {
    guard let text = string(node, path) else { return nil }
    guard let duration = PrometheusDuration.parse(text) else {
      report(node, path, .invalidDuration(text))
      return nil
    }
    return duration
  }

  func stringList(_ node: Node, _ path: DocumentKeyPath) -> [(text: String, node: Node)]? {
    guard let items = sequence(node, path) else { return nil }
    var result: [(text: String, node: Node)] = []
    for (index, item) in items.enumerated() {
      if let text = string(item, path.appending(index: index)) { result.append((text, item)) }
    }
    return result
  }

  // MARK: - Matchers

  /// `match` (equality) or `match_re` (regex) maps: label name → value.
  func matchMap(_ node: Node, _ path: DocumentKeyPath, regex: Bool) -> [AlertmanagerMatcher] {
    if isNull(node) { return [] }
    guard let entries = mapping(node, path, known: nil) else { return [] }
    var matchers: [AlertmanagerMatcher] = []
    for entry in entries {
      let entryPath = path.appending(entry.key)
      guard AlertmanagerText.isValidLabelName(entry.key) else {
        report(entry.keyNode, entryPath, .invalidLabelName(entry.key))
        continue
      }
      guard let value = string(entry.value, entryPath) else { continue }
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
        report(entry.value, entryPath, .invalidRegex(value, reason: error.reason))
      }
    }
    return matchers
  }

  /// A `matchers` list: each entry one or more matchers in alertmanager's syntax.
  func matcherList(_ node: Node, _ path: DocumentKeyPath) -> [AlertmanagerMatcher] {
    guard let items = stringList(node, path) else { return [] }
    var matchers: [AlertmanagerMatcher] = []
    for (index, item) in items.enumerated() {
      do {
        matchers += try AlertmanagerMatcher.parseList(item.text)
      } catch {
        if error.isRegexError {
          report(item.node, path.appending(index: index), .invalidRegex(error.text, reason: error.reason))
        } else {
          report(item.node, path.appending(index: index), .invalidMatcher(item.text, reason: error.reason))
        }
      }
    }
    return matchers
  }

  // MARK: - Document

  func readDocument(_ node: Node) -> AlertmanagerConfig? {
    guard let entries = mapping(node, .root, known: Self.topLevelKeys) else { return nil }
    if let global = entries.first(where: { $0.key == "global" })?.value, case .mapping(let mapping) = global {
      for (key, value) in mapping where !isNull(value) {
        if case .scalar(let scalar) = key { globalKeysSet.insert(scalar.string) }
      }
    }
    var routeNode: Node?
    var resolveTimeout = SimDuration.minutes(5)
    var rawInhibitRules: [InhibitRule] = []
    var receivers: [Receiver] = []
    var receiverLines: [ReceiverName: Int] = [:]
    var timeIntervals: [NamedTimeInterval] = []
    var timeIntervalLines: [String: Int] = [:]
    for entry in entries {
      let path = DocumentKeyPath.root.appending(entry.key)
      switch entry.key {
      case "global":
        if isNull(entry.value) { continue }
        guard let global = mapping(entry.value, path, known: Self.globalKeys) else { continue }
        for item in global where item.key == "resolve_timeout" {
          if let value = duration(item.value, path.appending(item.key)) { resolveTimeout = value }
        }
      case "route":
        routeNode = entry.value
      case "inhibit_rules":
        guard let items = sequence(entry.value, path) else { continue }
        for (index, item) in items.enumerated() {
          if let rule = readInhibitRule(item, path.appending(index: index)) { rawInhibitRules.append(rule) }
        }
      case "receivers":
        guard let items = sequence(entry.value, path) else { continue }
        for (index, item) in items.enumerated() {
          let itemPath = path.appending(index: index)
          guard let (receiver, nameNode) = readReceiver(item, itemPath) else { continue }
          if let firstLine = receiverLines[receiver.name] {
            report(
              nameNode, itemPath.appending("name"), .duplicateReceiver(receiver.name.rawValue, firstLine: firstLine))
            continue
          }
          receiverLines[receiver.name] = nameNode.mark?.line ?? 0
          receivers.append(receiver)
        }
      case "time_intervals", "mute_time_intervals":
        guard let items = sequence(entry.value, path) else { continue }
        for (index, item) in items.enumerated() {
          let itemPath = path.appending(index: index)
          guard let (interval, nameNode) = readTimeInterval(item, itemPath) else { continue }
          if let firstLine = timeIntervalLines[interval.name] {
            report(nameNode, itemPath.appending("name"), .duplicateTimeInterval(interval.name, firstLine: firstLine))
            continue
          }
          timeIntervalLines[interval.name] = nameNode.mark?.line ?? 0
          timeIntervals.append(interval)
        }
      case "templates":
        _ = stringList(entry.value, path)
      default:
        // `tracing`: accepted and ignored; it has no effect on notifications.
        break
      }
    }
    guard let routeNode else {
      report(node, .root, .missingKey("route"))
      return nil
    }
    let receiverNames = receivers.map(\.name.rawValue)
    let timeIntervalNames = timeIntervals.map(\.name)
    guard let rawRoot = readRoute(routeNode, DocumentKeyPath.root.appending("route")) else { return nil }
    let routes = buildRoutes(rawRoot, receiverNames: receiverNames, timeIntervalNames: timeIntervalNames)
    guard !routes.isEmpty else { return nil }
    return AlertmanagerConfig(
      file: file, resolveTimeout: resolveTimeout, routes: routes, inhibitRules: rawInhibitRules, receivers: receivers,
      timeIntervals: timeIntervals)
  }

  // MARK: - Routes

  /// A route as written, before inheritance.
  struct RawRoute {
    var path: DocumentKeyPath
    var node: Node
    var receiver: (name: String, node: Node)?
    var groupBy: [String]?
    var groupByAll = false
    var continueMatching = false
    var continueNode: Node?
    var matchers: [AlertmanagerMatcher] = []
    var matcherNode: Node?
    var groupWait: SimDuration?
    var groupInterval: SimDuration?
    var repeatInterval: SimDuration?
    var muteTimeIntervals: [(text: String, node: Node)] = []
    var activeTimeIntervals: [(text: String, node: Node)] = []
    var muteNode: Node?
    var activeNode: Node?
    var routes: [RawRoute] = []
  }

  func readRoute(_ node: Node, _ path: DocumentKeyPath) -> RawRoute? {
    guard let entries = mapping(node, path, known: Self.routeKeys) else { return nil }
    var route = RawRoute(path: path, node: node)
    for entry in entries {
      let keyPath = path.appending(entry.key)
      if isNull(entry.value) { continue }
      switch entry.key {
      case "receiver":
        // An empty name inherits, as in NewRoute (`if cr.Receiver != ""`).
        if let name = string(entry.value, keyPath), !name.isEmpty { route.receiver = (name, entry.value) }
      case "group_by":
        guard let labels = stringList(entry.value, keyPath) else { continue }
        var names: [String] = []
        for (index, label) in labels.enumerated() {
          if label.text == "..." {
            route.groupByAll = true
          } else if !AlertmanagerText.isValidLabelName(label.text) {
            report(label.node, keyPath.appending(index: index), .invalidLabelName(label.text))
          } else if names.contains(label.text) {
            report(
              label.node, keyPath.appending(index: index),
              .invalid(
                "duplicated label \(AlertmanagerText.quoted(label.text)) in group_by", hint: "list each label once"))
          } else {
            names.append(label.text)
          }
        }
        if route.groupByAll && !names.isEmpty {
          report(
            entry.value, keyPath,
            .invalid(
              "cannot have wildcard group_by (`...`) and other labels at the same time",
              hint: "use either `['...']` or a list of label names"))
        }
        // As in NewRoute: only a list with label names replaces the parent's.
        if !names.isEmpty { route.groupBy = names }
      case "continue":
        if let value = boolean(entry.value, keyPath) {
          route.continueMatching = value
          route.continueNode = entry.value
        }
      case "match":
        route.matchers += matchMap(entry.value, keyPath, regex: false)
        route.matcherNode = route.matcherNode ?? entry.keyNode
      case "match_re":
        route.matchers += matchMap(entry.value, keyPath, regex: true)
        route.matcherNode = route.matcherNode ?? entry.keyNode
      case "matchers":
        route.matchers += matcherList(entry.value, keyPath)
        route.matcherNode = route.matcherNode ?? entry.keyNode
      case "group_wait":
        route.groupWait = duration(entry.value, keyPath)
      case "group_interval":
        if let value = duration(entry.value, keyPath) {
          if value == .zero {
            report(entry.value, keyPath, .invalid("group_interval cannot be zero", hint: "the default is 5m"))
          } else {
            route.groupInterval = value
          }
        }
      case "repeat_interval":
        if let value = duration(entry.value, keyPath) {
          if value == .zero {
            report(entry.value, keyPath, .invalid("repeat_interval cannot be zero", hint: "the default is 4h"))
          } else {
            route.repeatInterval = value
          }
        }
      case "mute_time_intervals":
        route.muteTimeIntervals = stringList(entry.value, keyPath) ?? []
        route.muteNode = entry.keyNode
      case "active_time_intervals":
        route.activeTimeIntervals = stringList(entry.value, keyPath) ?? []
        route.activeNode = entry.keyNode
      case "routes":
        guard let items = sequence(entry.value, keyPath) else { continue }
        for (index, item) in items.enumerated() {
          if let child = readRoute(item, keyPath.appending(index: index)) { route.routes.append(child) }
        }
      default:
        break
      }
    }
    return route
  }

  /// Flattens the tree depth-first, applies inheritance and checks references.
  func buildRoutes(_ root: RawRoute, receiverNames: [String], timeIntervalNames: [String]) -> [AlertRoute] {
    if root.receiver == nil {
      report(
        root.node, root.path,
        .invalid("root route must specify a default receiver", hint: "add `receiver: <name>` to `route`"))
    }
    if !root.matchers.isEmpty || root.matcherNode != nil {
      report(
        root.matcherNode ?? root.node, root.path,
        .invalid(
          "root route must not have any matchers",
          hint: "the root route receives every alert; put matchers on child routes"))
    }
    if root.continueMatching {
      report(
        root.continueNode ?? root.node, root.path.appending("continue"),
        .invalid("cannot have continue in root route", hint: "remove `continue`"))
    }
    if !root.muteTimeIntervals.isEmpty {
      report(
        root.muteNode ?? root.node, root.path.appending("mute_time_intervals"),
        .invalid("root route must not have any mute time intervals", hint: "put them on child routes"))
    }
    if !root.activeTimeIntervals.isEmpty {
      report(
        root.activeNode ?? root.node, root.path.appending("active_time_intervals"),
        .invalid("root route must not have any active time intervals", hint: "put them on child routes"))
    }

    // Pre-order flattening: (raw route, parent index).
    var flat: [(raw: RawRoute, parent: Int?)] = []
    func flatten(_ raw: RawRoute, parent: Int?) {
      let index = flat.count
      flat.append((raw, parent))
      for child in raw.routes { flatten(child, parent: index) }
    }
    flatten(root, parent: nil)
    var children = Array(repeating: [RouteID](), count: flat.count)
    for (index, item) in flat.enumerated() {
      if let parent = item.parent { children[parent].append(RouteID(index)) }
    }

    var routes: [AlertRoute] = []
    for (index, item) in flat.enumerated() {
      let raw = item.raw
      let parent = item.parent.map { routes[$0] }
      if let receiver = raw.receiver, !receiverNames.contains(receiver.name) {
        report(
          receiver.node, raw.path.appending("receiver"),
          .unknownReceiver(
            receiver.name, suggestion: nearestMatch(to: receiver.name, in: receiverNames, acceptingPrefixes: true)))
      }
      for (offset, name) in raw.muteTimeIntervals.enumerated() where !timeIntervalNames.contains(name.text) {
        report(
          name.node, raw.path.appending("mute_time_intervals").appending(index: offset),
          .unknownTimeInterval(
            name.text, suggestion: nearestMatch(to: name.text, in: timeIntervalNames, acceptingPrefixes: true)))
      }
      for (offset, name) in raw.activeTimeIntervals.enumerated() where !timeIntervalNames.contains(name.text) {
        report(
          name.node, raw.path.appending("active_time_intervals").appending(index: offset),
          .unknownTimeInterval(
            name.text, suggestion: nearestMatch(to: name.text, in: timeIntervalNames, acceptingPrefixes: true)))
      }
      let matchers = raw.matchers.sorted(by: AlertmanagerMatcher.sortsBefore)
      let groupBy: [String]
      let groupByAll: Bool
      if let own = raw.groupBy {
        groupBy = own.sorted(by: AlertmanagerText.byteLess)
        groupByAll = false
      } else {
        groupBy = parent?.groupBy ?? []
        groupByAll = raw.groupByAll || (parent?.groupByAll ?? false)
      }
      let key = (parent.map { $0.key + "/" } ?? "") + matchers.keyText
      routes.append(
        AlertRoute(
          id: RouteID(index), parent: item.parent.map(RouteID.init), children: children[index], keyPath: raw.path,
          matchers: matchers, continueMatching: raw.continueMatching,
          receiver: ReceiverName(raw.receiver?.name ?? parent?.receiver.rawValue ?? ""),
          groupBy: groupBy, groupByAll: groupByAll,
          groupWait: raw.groupWait ?? parent?.groupWait ?? .seconds(30),
          groupInterval: raw.groupInterval ?? parent?.groupInterval ?? .minutes(5),
          repeatInterval: raw.repeatInterval ?? parent?.repeatInterval ?? .hours(4),
          muteTimeIntervals: raw.muteTimeIntervals.map(\.text),
          activeTimeIntervals: raw.activeTimeIntervals.map(\.text),
          key: key))
    }
    return routes
  }

  // MARK: - Inhibition rules

  func readInhibitRule(_ node: Node, _ path: DocumentKeyPath) -> InhibitRule? {
    guard let entries = mapping(node, path, known: Self.inhibitKeys) else { return nil }
    var source: [AlertmanagerMatcher] = []
    var target: [AlertmanagerMatcher] = []
    var equal: [String] = []
    for entry in entries {
      let keyPath = path.appending(entry.key)
      if isNull(entry.value) { continue }
      switch entry.key {
      case "source_match": source += matchMap(entry.value, keyPath, regex: false)
      case "source_match_re": source += matchMap(entry.value, keyPath, regex: true)
      case "source_matchers": source += matcherList(entry.value, keyPath)
      case "target_match": target += matchMap(entry.value, keyPath, regex: false)
      case "target_match_re": target += matchMap(entry.value, keyPath, regex: true)
      case "target_matchers": target += matcherList(entry.value, keyPath)
      case "equal":
        for (index, label) in (stringList(entry.value, keyPath) ?? []).enumerated() {
          if AlertmanagerText.isValidLabelName(label.text) {
            equal.append(label.text)
          } else {
            report(label.node, keyPath.appending(index: index), .invalidLabelName(label.text))
          }
        }
      default: break
      }
    }
    return InhibitRule(keyPath: path, sourceMatchers: source, targetMatchers: target, equal: equal)
  }

  // MARK: - Receivers

  func readReceiver(_ node: Node, _ path: DocumentKeyPath) -> (Receiver, Node)? {
    let known = ["name"] + ReceiverIntegration.kinds.map(\.key)
    guard let entries = mapping(node, path, known: known) else { return nil }
    guard let nameEntry = entries.first(where: { $0.key == "name" }) else {
      report(node, path, .missingKey("name"))
      return nil
    }
    guard let name = string(nameEntry.value, path.appending("name")), !name.isEmpty else {
      if case .scalar(let scalar) = nameEntry.value, scalar.string.isEmpty, !isNull(nameEntry.value) {
        report(
          nameEntry.value, path.appending("name"),
          .invalid("missing name in receiver", hint: "give the receiver a name"))
      }
      return nil
    }
    var integrations: [ReceiverIntegration] = []
    for entry in entries where entry.key != "name" {
      let keyPath = path.appending(entry.key)
      guard let kind = ReceiverIntegration.kinds.first(where: { $0.key == entry.key }) else { continue }
      guard let items = sequence(entry.value, keyPath) else { continue }
      for (index, item) in items.enumerated() {
        if let integration = readIntegration(item, keyPath.appending(index: index), kind: kind, index: index) {
          integrations.append(integration)
        }
      }
    }
    return (Receiver(name: ReceiverName(name), keyPath: path, integrations: integrations), nameEntry.value)
  }

  func readIntegration(
    _ node: Node, _ path: DocumentKeyPath, kind: (key: String, sendResolvedDefault: Bool), index: Int
  ) -> ReceiverIntegration? {
    let isWebhook = kind.key == "webhook_configs"
    guard let entries = mapping(node, path, known: isWebhook ? Self.webhookKeys : nil) else { return nil }
    var sendResolved = kind.sendResolvedDefault
    var url: String?
    var urlFile: String?
    var maxAlerts = 0
    var action: PlatformAction?
    for entry in entries {
      let keyPath = path.appending(entry.key)
      if isNull(entry.value) { continue }
      switch entry.key {
      case "send_resolved":
        if let value = boolean(entry.value, keyPath) { sendResolved = value }
      case "url" where isWebhook:
        guard let text = string(entry.value, keyPath) else { continue }
        url = text
        let lowered = text.lowercased()
        if lowered.hasPrefix("sim://") {
          action = PlatformAction(url: text)
          if action?.kind == .other("") {
            report(
              entry.value, keyPath,
              .invalid("the sim:// URL names no action", hint: "use sim://rollback, sim://page or sim://scale"))
          }
        } else if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) {
          let scheme = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
          report(
            entry.value, keyPath,
            .invalid(
              "unsupported scheme \(AlertmanagerText.quoted(scheme)) for URL",
              hint: "use http://, https://, or sim://rollback, sim://page, sim://scale for platform actions"))
        } else if text.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first?.isEmpty ?? true {
          report(entry.value, keyPath, .invalid("missing host for URL", hint: "write the URL as http://host/path"))
        }
      case "url_file" where isWebhook:
        urlFile = string(entry.value, keyPath)
      case "max_alerts" where isWebhook:
        if let value = integer(entry.value, keyPath, minimum: 0) { maxAlerts = value }
      case "timeout" where isWebhook:
        _ = duration(entry.value, keyPath)
      default:
        break
      }
    }
    checkRequiredFields(node, path, kind: kind.key, keys: Set(entries.map(\.key)))
    if isWebhook {
      if url == nil && urlFile == nil {
        report(
          node, path,
          .invalid("one of url or url_file must be configured", hint: "add `url: sim://rollback` or an http(s) URL"))
      } else if url != nil && urlFile != nil {
        report(node, path, .invalid("at most one of url & url_file must be configured", hint: "remove one of them"))
      }
    }
    let name = String(kind.key.dropLast("_configs".count))
    return ReceiverIntegration(
      kind: name, index: index, sendResolved: sendResolved, url: url, action: action, maxAlerts: maxAlerts)
  }

  /// The required settings `config.Load` checks for the common integrations
  /// (config/config.go): each may come from the integration or from `global`.
  func checkRequiredFields(_ node: Node, _ path: DocumentKeyPath, kind: String, keys: Set<String>) {
    func has(_ own: [String], global: [String] = []) -> Bool {
      own.contains(where: keys.contains) || global.contains(where: globalKeysSet.contains)
    }
    var missing: [(message: String, hint: String)] = []
    switch kind {
    case "email_configs":
      if !has(["to"]) { missing.append(("missing to address in email config", "add `to: team@example.com`")) }
      if !has(["smarthost"], global: ["smtp_smarthost"]) {
        missing.append(("no global SMTP smarthost set", "set `smarthost` here or `global.smtp_smarthost`"))
      }
      if !has(["from"], global: ["smtp_from"]) {
        missing.append(("no global SMTP from set", "set `from` here or `global.smtp_from`"))
      }
    case "slack_configs":
      if !has(
        ["api_url", "api_url_file", "app_token", "app_token_file"],
        global: ["slack_api_url", "slack_api_url_file", "slack_app_token", "slack_app_token_file"])
      {
        missing.append(
          ("no global Slack API URL set either inline or in a file", "set `api_url` here or `global.slack_api_url`"))
      }
    case "pagerduty_configs":
      if !has(["routing_key", "routing_key_file", "service_key", "service_key_file"]) {
        missing.append(("missing service or routing key in PagerDuty config", "add `routing_key`"))
      }
    case "opsgenie_configs":
      if !has(["api_key", "api_key_file"], global: ["opsgenie_api_key", "opsgenie_api_key_file"]) {
        missing.append(
          (
            "no global OpsGenie API Key set either inline or in a file",
            "set `api_key` here or `global.opsgenie_api_key`"
          ))
      }
    case "victorops_configs":
      if !has(["api_key", "api_key_file"], global: ["victorops_api_key", "victorops_api_key_file"]) {
        missing.append(("no global VictorOps API Key set", "set `api_key` here or `global.victorops_api_key`"))
      }
    case "wechat_configs":
      if !has(["api_secret"], global: ["wechat_api_secret"]) {
        missing.append(("no global Wechat ApiSecret set", "set `api_secret` here or `global.wechat_api_secret`"))
      }
      if !has(["corp_id"], global: ["wechat_api_corp_id"]) {
        missing.append(("no global Wechat CorpID set", "set `corp_id` here or `global.wechat_api_corp_id`"))
      }
    case "rocketchat_configs":
      if !has(["token_id", "token_id_file"], global: ["rocketchat_token_id", "rocketchat_token_id_file"]) {
        missing.append(("no global Rocketchat TokenID set either inline or in a file", "set `token_id`"))
      }
      if !has(["token", "token_file"], global: ["rocketchat_token", "rocketchat_token_file"]) {
        missing.append(("no global Rocketchat Token set either inline or in a file", "set `token`"))
      }
    case "discord_configs", "msteams_configs", "msteamsv2_configs":
      if !has(["webhook_url", "webhook_url_file"]) {
        let name = kind == "discord_configs" ? "discord" : kind == "msteams_configs" ? "msteams" : "msteamsv2"
        missing.append(("no \(name) webhook URL or URLFile provided", "set `webhook_url`"))
      }
    default:
      break
    }
    for item in missing { report(node, path, .invalid(item.message, hint: item.hint)) }
  }

  // MARK: - Time intervals

  static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
  static let monthNames = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
  ]

  func readTimeInterval(_ node: Node, _ path: DocumentKeyPath) -> (NamedTimeInterval, Node)? {
    guard let entries = mapping(node, path, known: ["name", "time_intervals"]) else { return nil }
    guard let nameEntry = entries.first(where: { $0.key == "name" }),
      let name = string(nameEntry.value, path.appending("name"))
    else {
      if !entries.contains(where: { $0.key == "name" }) { report(node, path, .missingKey("name")) }
      return nil
    }
    var periods: [TimeIntervalPeriod] = []
    if let periodsEntry = entries.first(where: { $0.key == "time_intervals" }) {
      let periodsPath = path.appending("time_intervals")
      for (index, item) in (sequence(periodsEntry.value, periodsPath) ?? []).enumerated() {
        if let period = readPeriod(item, periodsPath.appending(index: index)) { periods.append(period) }
      }
    }
    return (NamedTimeInterval(name: name, keyPath: path, periods: periods), nameEntry.value)
  }

  func readPeriod(_ node: Node, _ path: DocumentKeyPath) -> TimeIntervalPeriod? {
    if isNull(node) { return TimeIntervalPeriod() }
    guard let entries = mapping(node, path, known: Self.timeIntervalPeriodKeys) else { return nil }
    var period = TimeIntervalPeriod()
    for entry in entries {
      let keyPath = path.appending(entry.key)
      if isNull(entry.value) { continue }
      switch entry.key {
      case "times":
        for (index, item) in (sequence(entry.value, keyPath) ?? []).enumerated() {
          let itemPath = keyPath.appending(index: index)
          guard let fields = mapping(item, itemPath, known: ["start_time", "end_time"]) else { continue }
          var start: Int?
          var end: Int?
          var failed = false
          for field in fields {
            guard let text = string(field.value, itemPath.appending(field.key)) else {
              failed = true
              continue
            }
            guard let minute = Self.clockMinute(text) else {
              failed = true
              report(
                field.value, itemPath.appending(field.key),
                .invalid(
                  "couldn't parse timestamp \(AlertmanagerText.quoted(text)), invalid format",
                  hint: "use HH:MM, 00:00 to 24:00"))
              continue
            }
            if field.key == "start_time" { start = minute } else { end = minute }
          }
          guard let start, let end else {
            if failed { continue }
            report(
              item, itemPath, .invalid("both start and end times must be provided", hint: "add start_time and end_time")
            )
            continue
          }
          guard start < end else {
            report(
              item, itemPath,
              .invalid(
                "start time cannot be equal or greater than end time",
                hint: "a range cannot cross midnight; split it in two"))
            continue
          }
          period.times.append(start..<end)
        }
      case "weekdays":
        period.weekdays = readRanges(entry.value, keyPath, what: "weekday") {
          Self.weekdayNames.firstIndex(of: $0.lowercased())
        }
      case "months":
        period.months = readRanges(entry.value, keyPath, what: "month") { text in
          if let index = Self.monthNames.firstIndex(of: text.lowercased()) { return index + 1 }
          if let number = Int(text), (1...12).contains(number) { return number }
          return nil
        }
      case "years":
        period.years = readRanges(entry.value, keyPath, what: "year") { text in Int(text).flatMap { $0 > 0 ? $0 : nil }
        }
      case "days_of_month":
        for (index, item) in (stringList(entry.value, keyPath) ?? []).enumerated() {
          let parts = item.text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
          let numbers = parts.compactMap { Int($0) }
          guard (1...2).contains(parts.count), numbers.count == parts.count,
            numbers.allSatisfy({ $0 != 0 && (-31...31).contains($0) })
          else {
            report(
              item.node, keyPath.appending(index: index),
              .invalid(
                "invalid day of month range \(AlertmanagerText.quoted(item.text))",
                hint: "use days 1 to 31 or -31 to -1, e.g. `1:7` or `-1`"))
            continue
          }
          let begin = numbers[0]
          let end = numbers.count == 2 ? numbers[1] : numbers[0]
          if (begin > 0) == (end > 0), begin > end {
            report(
              item.node, keyPath.appending(index: index),
              .invalid("start day cannot be after end day in \(AlertmanagerText.quoted(item.text))", hint: nil))
            continue
          }
          period.daysOfMonth.append((begin, end))
        }
      case "location":
        guard let text = string(entry.value, keyPath) else { continue }
        let zone = text == "Local" ? "UTC" : text
        if SimCalendar.isKnownTimeZone(zone) {
          period.location = zone
        } else {
          report(
            entry.value, keyPath,
            .invalid(
              "unknown time zone \(AlertmanagerText.quoted(text))",
              hint: "use an IANA name such as Europe/Berlin or UTC"))
        }
      default:
        break
      }
    }
    return period
  }

  /// Reads `a` or `a:b` items, ascending, through `value`.
  func readRanges(
    _ node: Node, _ path: DocumentKeyPath, what: String, value: (String) -> Int?
  ) -> [ClosedRange<Int>] {
    var ranges: [ClosedRange<Int>] = []
    for (index, item) in (stringList(node, path) ?? []).enumerated() {
      let parts = item.text.split(separator: ":", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      let values = parts.compactMap(value)
      guard (1...2).contains(parts.count), values.count == parts.count else {
        report(
          item.node, path.appending(index: index),
          .invalid(
            "invalid \(what) \(AlertmanagerText.quoted(item.text))",
            hint: what == "weekday" ? "use names such as monday or ranges such as monday:friday" : nil))
        continue
      }
      let begin = values[0]
      let end = values.count == 2 ? values[1] : values[0]
      guard begin <= end else {
        // alertmanager's wording, kept so searches for it find this.
        let message =
          what == "weekday" ? "start day cannot be before end day" : "start \(what) cannot be after end \(what)"
        let hint =
          what == "weekday"
          ? "weeks run from sunday to saturday; list the days instead, e.g. ['saturday', 'sunday']" : nil
        report(
          item.node, path.appending(index: index),
          .invalid("\(message) in \(AlertmanagerText.quoted(item.text))", hint: hint))
        continue
      }
      ranges.append(begin...end)
    }
    return ranges
  }

  /// `HH:MM` from 00:00 to 24:00, as minutes of the day.
  static func clockMinute(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
      let minute = Int(parts[1]),
      (0...24).contains(hour), (0..<60).contains(minute), hour < 24 || minute == 0
    else { return nil }
    return hour * 60 + minute
  }
}
