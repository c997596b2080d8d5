import InputReading
import SimKernel

/// The name of a receiver in alertmanager.yml (`receivers[].name`), kept apart from
/// other strings so a receiver cannot be mixed up with a group key or a label.
public struct ReceiverName: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public static func < (lhs: ReceiverName, rhs: ReceiverName) -> Bool {
    AlertmanagerText.byteLess(lhs.rawValue, rhs.rawValue)
  }
  public var description: String { rawValue }
}

/// The position of a route in the tree, in depth-first order (the root is 0); stable
/// for one configuration and used to order routes whose keys are equal.
public struct RouteID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (lhs: RouteID, rhs: RouteID) -> Bool { lhs.index < rhs.index }
  public var description: String { "route#\(index)" }
}

/// A parsed, validated alertmanager.yml: the routing tree, inhibition rules,
/// receivers and time intervals.
///
/// Mirrors `config.Config` in alertmanager's config/config.go with the defaults of
/// `DefaultGlobalConfig` (resolve_timeout 5m) and `dispatch.DefaultRouteOpts`
/// (group_wait 30s, group_interval 5m, repeat_interval 4h). Build one with
/// ``parse(yaml:file:)``; errors come back as a `DiagnosticsError`.
public struct AlertmanagerConfig: Sendable {
  /// The file name used in messages.
  public var file: String
  /// `global.resolve_timeout`: the `EndsAt` given to alerts received without one.
  public var resolveTimeout: SimDuration
  /// Every route, root first, in depth-first order (``RouteID`` indexes this array).
  public var routes: [AlertRoute]
  public var inhibitRules: [InhibitRule]
  public var receivers: [Receiver]
  /// `time_intervals` and the older `mute_time_intervals`, by name, in file order.
  public var timeIntervals: [NamedTimeInterval]

  /// The root route.
  public var root: AlertRoute { routes[0] }

  /// Every `sim://` action the configuration can trigger, with its receiver, in
  /// file order; lets a scenario check up front that, say, a rollback is wired.
  public var platformActions: [(receiver: ReceiverName, action: PlatformAction)] {
    receivers.flatMap { receiver in
      receiver.integrations.compactMap { integration in integration.action.map { (receiver.name, $0) } }
    }
  }

  /// The receiver with this name.
  public func receiver(named name: ReceiverName) -> Receiver? {
    receivers.first { $0.name == name }
  }

  /// The routes an alert with these labels is handed to, in tree order.
  ///
  /// Mirrors `Route.Match` in dispatch/route.go: depth-first, children in order; a
  /// matching child stops the search among its siblings unless it has `continue:
  /// true`; a route none of whose children match handles the alert itself.
  public func matchingRoutes(for labels: [String: String]) -> [RouteID] {
    match(RouteID(0), labels) ?? []
  }

  /// The routing tree drawn as `amtool config routes show` draws it, one route per
  /// line with its matchers, `continue` and receiver.
  ///
  /// For reviewing a configuration and checking it against amtool; the format is
  /// `getRouteTreeSlug` in alertmanager's cli/routing.go drawn by xlab/treeprint,
  /// whose continuation bar is followed by two no-break spaces.
  public var routingTreeText: String {
    var lines = ["."]
    func draw(_ id: RouteID, prefix: String, isLast: Bool) {
      let route = routes[id.index]
      var slug = route.matchers.isEmpty ? "default-route" : route.matchers.keyText
      if route.continueMatching { slug += "  continue: true" }
      slug += "  receiver: \(route.receiver)"
      lines.append(prefix + (isLast ? "└── " : "├── ") + slug)
      let childPrefix = prefix + (isLast ? "    " : "│\u{00A0}\u{00A0} ")
      for (offset, child) in route.children.enumerated() {
        draw(child, prefix: childPrefix, isLast: offset == route.children.count - 1)
      }
    }
    draw(RouteID(0), prefix: "", isLast: true)
    return lines.joined(separator: "\n")
  }

  private func match(_ id: RouteID, _ labels: [String: String]) -> [RouteID]? {
    let route = routes[id.index]
    guard route.matchers.allMatch(labels) else { return nil }
    var all: [RouteID] = []
    for child in route.children {
      guard let matches = match(child, labels) else { continue }
      all += matches
      if !routes[child.index].continueMatching { break }
    }
    return all.isEmpty ? [id] : all
  }
}

/// One node of the routing tree with its effective (inherited) options.
///
/// Mirrors `dispatch.Route` and `RouteOpts`: unset options come from the parent,
/// the root's from `DefaultRouteOpts`. `group_by` is inherited unless the route
/// lists at least one label (an empty list inherits, as in `NewRoute`).
public struct AlertRoute: Sendable {
  public let id: RouteID
  public let parent: RouteID?
  public let children: [RouteID]
  /// Where the route is in the file, such as `route.routes[1]`.
  public let keyPath: DocumentKeyPath
  /// `match`, `match_re` and `matchers` together, sorted as alertmanager sorts them.
  public let matchers: [AlertmanagerMatcher]
  /// `continue`: keep trying later siblings after this route matched.
  public let continueMatching: Bool
  public let receiver: ReceiverName
  /// Label names to group by, sorted; ignored when ``groupByAll``.
  public let groupBy: [String]
  /// `group_by: ['...']`: every label of the alert is a group label.
  public let groupByAll: Bool
  public let groupWait: SimDuration
  public let groupInterval: SimDuration
  public let repeatInterval: SimDuration
  /// Not inherited, as in `NewRoute`.
  public let muteTimeIntervals: [String]
  /// Not inherited, as in `NewRoute`.
  public let activeTimeIntervals: [String]
  /// The route's key, the prefix of every group key of this route.
  ///
  /// alertmanager's `Route.Key()`: the parent's key, `/`, this route's matchers,
  /// as in `{}/{severity="critical"}`.
  public let key: String
}

/// `inhibit_rules[]`: while a firing alert matches the source side, alerts matching
/// the target side with equal values for every `equal` label are not notified.
///
/// Mirrors `inhibit.InhibitRule`: `source_match`, `source_match_re` and
/// `source_matchers` together form the source side (likewise the target side).
public struct InhibitRule: Sendable {
  public let keyPath: DocumentKeyPath
  public let sourceMatchers: [AlertmanagerMatcher]
  public let targetMatchers: [AlertmanagerMatcher]
  /// Label names whose values must be equal; a missing label equals an empty one.
  public let equal: [String]
}

/// `receivers[]`: a name and the integrations that notify through it.
public struct Receiver: Sendable {
  public let name: ReceiverName
  public let keyPath: DocumentKeyPath
  /// Each entry of each `*_configs` list, in file order.
  ///
  /// A receiver without any is a black hole: alerts routed to it go nowhere.
  public let integrations: [ReceiverIntegration]
}

/// One notifier of a receiver: one entry of a `*_configs` list.
///
/// Each integration keeps its own notification log, so (like alertmanager, where
/// the log is keyed by receiver, integration and index) an email integration that
/// ignores resolved alerts and a webhook integration on the same receiver are
/// de-duplicated separately.
public struct ReceiverIntegration: Sendable {
  /// The kind, named like its config key without `_configs` (`webhook`, `email`).
  public let kind: String
  /// The position within its `*_configs` list.
  public let index: Int
  /// `send_resolved`, or the integration's default (true for webhook, pagerduty,
  /// opsgenie, …; false for email, slack, wechat, rocketchat).
  public let sendResolved: Bool
  /// The URL for webhook integrations.
  public let url: String?
  /// The parsed action when the URL uses the `sim://` scheme.
  public let action: PlatformAction?
  /// Webhook `max_alerts`: at most this many alerts per notification; 0 is unlimited.
  public let maxAlerts: Int

  /// Integrations alertmanager knows, with their `send_resolved` default
  /// (`Default*Config` in config/notifiers.go).
  static let kinds: [(key: String, sendResolvedDefault: Bool)] = [
    ("discord_configs", true), ("email_configs", false), ("incidentio_configs", true), ("jira_configs", true),
    ("mattermost_configs", true), ("msteams_configs", true), ("msteamsv2_configs", true), ("opsgenie_configs", true),
    ("pagerduty_configs", true),
    ("pushover_configs", true), ("rocketchat_configs", false), ("slack_configs", false), ("sns_configs", true),
    ("telegram_configs", true), ("victorops_configs", true), ("webex_configs", true), ("webhook_configs", true),
    ("wechat_configs", false),
  ]
}
