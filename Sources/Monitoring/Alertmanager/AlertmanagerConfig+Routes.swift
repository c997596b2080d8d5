import InputReading
import SimKernel

/// The routing tree of alertmanager.yml: each route as written, then the tree with
/// inheritance applied and its references checked, as alertmanager's `NewRoute`
/// builds it (dispatch/route.go) after `config.Load` validated it.
extension AlertmanagerConfigReader {
  /// A route as written, before inheritance.
  struct RawRoute {
    var path: DocumentKeyPath
    var value: YAMLValue
    var receiver: (name: String, value: YAMLValue)?
    var groupBy: [String]?
    var groupByAll = false
    var continueMatching = false
    var continueValue: YAMLValue?
    var matchers: [AlertmanagerMatcher] = []
    /// The first matcher key (`match`, `match_re`, `matchers`), where a root route's is reported.
    var matcherKey: YAMLValue?
    var groupWait: SimDuration?
    var groupInterval: SimDuration?
    var repeatInterval: SimDuration?
    var muteTimeIntervals: [(text: String, value: YAMLValue)] = []
    var activeTimeIntervals: [(text: String, value: YAMLValue)] = []
    var muteKey: YAMLValue?
    var activeKey: YAMLValue?
    var routes: [RawRoute] = []
  }

  func readRoute(_ reader: ObjectReader<AlertmanagerSchema.Route>) -> RawRoute {
    var route = RawRoute(path: reader.path, value: reader.value)
    // In file order, as config.go decodes them.
    for entry in reader.presentEntries where !entry.value.isNull {
      switch entry.key {
      case reader.name(of: \.receiver):
        // An empty name inherits, as in NewRoute (`if cr.Receiver != ""`).
        if let name = reader.read(\.receiver, at: entry), !name.isEmpty { route.receiver = (name, entry.value) }
      case reader.name(of: \.groupBy):
        readGroupBy(strings(reader.read(\.groupBy, at: entry)), entry.value, into: &route)
      case reader.name(of: \.continue):
        if let value = reader.read(\.continue, at: entry) {
          route.continueMatching = value
          route.continueValue = entry.value
        }
      case reader.name(of: \.match):
        route.matchers += matchMap(reader.read(\.match, at: entry), regex: false)
        route.matcherKey = route.matcherKey ?? entry.keyValue
      case reader.name(of: \.matchRE):
        route.matchers += matchMap(reader.read(\.matchRE, at: entry), regex: true)
        route.matcherKey = route.matcherKey ?? entry.keyValue
      case reader.name(of: \.matchers):
        route.matchers += matcherList(reader.read(\.matchers, at: entry))
        route.matcherKey = route.matcherKey ?? entry.keyValue
      case reader.name(of: \.groupWait):
        route.groupWait = reader.read(\.groupWait, at: entry)
      case reader.name(of: \.groupInterval):
        route.groupInterval = nonZero(reader.read(\.groupInterval, at: entry), entry.value, "group_interval", "5m")
      case reader.name(of: \.repeatInterval):
        route.repeatInterval = nonZero(reader.read(\.repeatInterval, at: entry), entry.value, "repeat_interval", "4h")
      case reader.name(of: \.muteTimeIntervals):
        route.muteTimeIntervals = strings(reader.read(\.muteTimeIntervals, at: entry))
        route.muteKey = entry.keyValue
      case reader.name(of: \.activeTimeIntervals):
        route.activeTimeIntervals = strings(reader.read(\.activeTimeIntervals, at: entry))
        route.activeKey = entry.keyValue
      case reader.name(of: \.routes):
        reader.read(\.routes, at: entry)?.forEach { child, _ in
          if let child { route.routes.append(readRoute(child)) }
        }
      default:
        break
      }
    }
    return route
  }

  /// `group_by`: label names, or `...` for all labels, not both.
  func readGroupBy(_ labels: [(text: String, value: YAMLValue)], _ list: YAMLValue, into route: inout RawRoute) {
    var names: [String] = []
    for label in labels {
      if label.text == "..." {
        route.groupByAll = true
      } else if !AlertmanagerText.isValidLabelName(label.text) {
        label.value.report(.invalidLabelName(label.text))
      } else if names.contains(label.text) {
        label.value.report(
          .invalid("duplicated label \(AlertmanagerText.quoted(label.text)) in group_by", hint: "list each label once"))
      } else {
        names.append(label.text)
      }
    }
    if route.groupByAll && !names.isEmpty {
      list.report(
        .invalid(
          "cannot have wildcard group_by (`...`) and other labels at the same time",
          hint: "use either `['...']` or a list of label names"))
    }
    // As in NewRoute: only a list with label names replaces the parent's.
    if !names.isEmpty { route.groupBy = names }
  }

  /// `group_interval` and `repeat_interval` may not be zero (config.go).
  func nonZero(_ duration: SimDuration?, _ value: YAMLValue, _ key: String, _ fallback: String) -> SimDuration? {
    guard let duration else { return nil }
    guard duration != .zero else {
      value.report(.invalid("\(key) cannot be zero", hint: "the default is \(fallback)"))
      return nil
    }
    return duration
  }

  /// Flattens the tree depth-first, applies inheritance and checks references.
  func buildRoutes(_ root: RawRoute, receiverNames: [String], timeIntervalNames: [String]) -> [AlertRoute] {
    if root.receiver == nil {
      root.value.report(
        .invalid("root route must specify a default receiver", hint: "add `receiver: <name>` to `route`"))
    }
    if !root.matchers.isEmpty || root.matcherKey != nil {
      (root.matcherKey ?? root.value).report(
        .invalid(
          "root route must not have any matchers",
          hint: "the root route receives every alert; put matchers on child routes"),
        at: root.path)
    }
    if root.continueMatching {
      (root.continueValue ?? root.value).report(
        .invalid("cannot have continue in root route", hint: "remove `continue`"), at: root.path.appending("continue"))
    }
    if !root.muteTimeIntervals.isEmpty {
      (root.muteKey ?? root.value).report(
        .invalid("root route must not have any mute time intervals", hint: "put them on child routes"),
        at: root.path.appending("mute_time_intervals"))
    }
    if !root.activeTimeIntervals.isEmpty {
      (root.activeKey ?? root.value).report(
        .invalid("root route must not have any active time intervals", hint: "put them on child routes"),
        at: root.path.appending("active_time_intervals"))
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
        receiver.value.report(
          .unknownReceiver(
            receiver.name, suggestion: nearestMatch(to: receiver.name, in: receiverNames, acceptingPrefixes: true)),
          at: raw.path.appending("receiver"))
      }
      for name in raw.muteTimeIntervals + raw.activeTimeIntervals where !timeIntervalNames.contains(name.text) {
        name.value.report(
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

}
