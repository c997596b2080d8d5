import Foundation
import InputReading
import Monitoring
import PlatformModel

/// Warns, before anything runs, when a canary analysis or a rule selects a metric the
/// simulation never publishes, or reads a range holding fewer than two scrapes (issue 14):
/// such an analysis cannot judge — its AnalysisRuns end in Error ("metric result is nil
/// or empty") or its checks find no value — and the run degenerates; such a rule never
/// fires (or, under `absent()`, always does).
enum PublishedMetricsCheck {
  /// Checks every service's analysis queries against what `monitoring` publishes
  /// (its metric profile, its recording rules, `ALERTS`), warning at `value`.
  static func warn(delivery: DeliveryConfiguration, monitoring: MonitoringConfiguration?, at value: YAMLValue) {
    let scenarioProfile = monitoring?.metricProfile ?? .platformSim
    var others = ["ALERTS", "ALERTS_FOR_STATE"]
    for group in monitoring?.ruleGroups ?? [] {
      for rule in group.rules {
        if case .recording(let record) = rule.kind { others.append(record) }
      }
    }
    var warned: Set<String> = []
    var carriedLabels = CarriedLabels(profiles: servicesProfiles(delivery, scenarioProfile: scenarioProfile))
    // A service may publish under its own profile; every service's series are in the
    // one Prometheus, so any analysis may read any of them.
    var published = others
    for service in delivery.services {
      for name in (service.metricProfile ?? scenarioProfile).publishedNames where !published.contains(name) {
        published.append(name)
      }
    }
    // Whether each rollout (with its profile) fills names only into equality matchers'
    // values, asked when its first service with an inert name is checked. Then another
    // such service selects the same metrics, labels and ranges, so it would warn about
    // nothing new. (Where the names stand depends on the rollout's templates, not on the name.)
    var namesOnlyInEqualityMatchers = LatestFirstMemo<RolloutProfile, Bool>()
    for service in delivery.services {
      let profile = service.metricProfile ?? scenarioProfile
      if isInertMatcherValue(service.name) {
        let (namesOnly, isFirst) = namesOnlyInEqualityMatchers.answer(
          for: RolloutProfile(rollout: service.rollout, profile: profile)
        ) { service.rollout.fillsNamesOnlyInEqualityMatchers(profile: profile) }
        if namesOnly && !isFirst { continue }
      }
      let queries = service.rollout.prometheusQueries(service: service.name, profile: profile)
      for query in queries {
        guard let expression = try? PromQLParser.parse(query) else { continue }
        for (name, matchers, rangeMs) in selectors(expression) {
          if !name.isEmpty && !published.contains(name) && warned.insert("name:" + name).inserted {
            let other = MetricProfile.allCases.first { $0 != profile && $0.publishedNames.contains(name) }
            value.warning(
              "service `\(service.name)`'s canary analysis selects `\(name)`, which the simulation never publishes "
                + "with metric profile `\(profile.rawValue)` (it publishes "
                + profile.publishedNames.map { "`\($0)`" }.joined(separator: ", ")
                + "): its analyses cannot judge and every canary will abort",
              hint: other.map {
                "set `spec.monitoring.metricProfile: \($0.rawValue)` (or the service's `metricProfile`)"
              }
                ?? nearestMatch(to: name, in: published).map { "did you mean `\($0)`?" })
          }
          warnAboutLabels(
            of: name, matchers, who: "service `\(service.name)`'s canary analysis", carriedLabels: &carriedLabels,
            warned: &warned, at: value)
          let scrapeMs = delivery.trafficInterval.microseconds / 1_000
          if let rangeMs, rangeMs < 2 * scrapeMs, warned.insert("range:\(rangeMs)").inserted {
            value.warning(
              "service `\(service.name)`'s canary analysis reads a \(rangeMs / 1_000) s range of `\(name)`, which "
                + "holds fewer than two scrapes (every \(scrapeMs / 1_000) s): rate() finds no value there",
              hint: "use a range of at least \(2 * scrapeMs / 1_000) s")
          }
        }
      }
    }
    if let monitoring { warnAboutRules(delivery: delivery, monitoring: monitoring, published: published, at: value) }
  }

  /// Whether `name`, filled into a matcher's quoted value, changes only that value: it
  /// is not empty (an empty value would match an absent label), and holds no `\`,
  /// quote or line break, so every token of the query stays as it is.
  ///
  /// Then an equality matcher's outcome for the check is the same for any such name:
  /// `=` never matches the empty string, `!=` always does (``LabelMatcher/matchesEmpty``).
  static func isInertMatcherValue(_ name: String) -> Bool {
    !name.isEmpty
      && !name.utf8.contains {
        $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\n")
      }
  }

  /// A rollout and the metric profile its service publishes under, which picks Flagger's built-in queries.
  struct RolloutProfile: Hashable {
    let rollout: RolloutStrategy
    let profile: MetricProfile
  }

  /// How many unknown metric names of rules get a warning of their own; the rest are
  /// counted in one (a collection written for node-exporter or kube-state-metrics would
  /// otherwise bury the typo that matters).
  static let unknownRuleNamesWarnedSeparately = 5

  /// Checks the alerting and recording rules' selectors as the analyses' are.
  ///
  /// Issue 14, point 4 ("an analysis or rule query"): a name the simulation never
  /// publishes, a label its series never carry, a range holding fewer than two samples. Rules read
  /// the one simulated Prometheus, so every service's profile counts, and every rule's
  /// recorded output (recorded every group interval) and `ALERTS`.
  static func warnAboutRules(
    delivery: DeliveryConfiguration, monitoring: MonitoringConfiguration, published: [String], at value: YAMLValue
  ) {
    let scenarioProfile = monitoring.metricProfile
    let evaluationMs = monitoring.evaluationInterval.microseconds / 1_000
    let scrapeMs = delivery.trafficInterval.microseconds / 1_000
    var recordedEveryMs: [String: Int64] = [:]
    for group in monitoring.ruleGroups {
      for rule in group.rules {
        if case .recording(let record) = rule.kind { recordedEveryMs[record] = group.intervalMs ?? evaluationMs }
      }
    }
    var carriedLabels = CarriedLabels(profiles: servicesProfiles(delivery, scenarioProfile: scenarioProfile))
    let profileRawValues = Set(carriedLabels.profiles.map(\.rawValue))
    let profileNames = profileRawValues.sorted().map { "`\($0)`" }.joined(separator: ", ")
    // Unknown names in order of first use, with the rules selecting them.
    var unknownNames: [String] = []
    var rulesSelecting: [String: [String]] = [:]
    var warned: Set<String> = []
    for group in monitoring.ruleGroups {
      let file = URL(fileURLWithPath: group.source).lastPathComponent
      for rule in group.rules {
        let who = "rule `\(rule.name)` (group `\(group.name)`, \(file))"
        for (name, matchers, rangeMs) in selectors(rule.expression) where !name.isEmpty {
          guard published.contains(name) else {
            if rulesSelecting[name] == nil { unknownNames.append(name) }
            if rulesSelecting[name]?.contains(who) != true { rulesSelecting[name, default: []].append(who) }
            continue
          }
          warnAboutLabels(
            of: name, matchers, who: who, carriedLabels: &carriedLabels, warned: &warned, at: value)
          // A recorded series has a sample every evaluation of its group; a scraped one
          // every scrape. `ALERTS` changes only with alert states.
          let everyMs = recordedEveryMs[name] ?? (name.hasPrefix("ALERTS") ? nil : scrapeMs)
          if let rangeMs, let everyMs, rangeMs < 2 * everyMs, warned.insert("range:\(name):\(rangeMs)").inserted {
            value.warning(
              "\(who) reads a \(rangeMs / 1_000) s range of `\(name)`, which holds fewer than two samples (one every "
                + "\(everyMs / 1_000) s): rate() and the other range functions find no value there",
              hint: "use a range of at least \(2 * everyMs / 1_000) s")
          }
        }
      }
    }
    // A name another profile publishes, or a near miss of a published one, is the likely
    // mistake: those are warned first, with their fix.
    func hint(for name: String) -> String? {
      if let other = MetricProfile.allCases.first(where: {
        !profileRawValues.contains($0.rawValue) && $0.publishedNames.contains(name)
      }) {
        return "set `spec.monitoring.metricProfile: \(other.rawValue)` (or the services' `metricProfile`)"
      }
      return nearestMatch(to: name, in: published).map { "did you mean `\($0)`?" }
    }
    let hints = unknownNames.map(hint)
    let ordered = unknownNames.indices.filter { hints[$0] != nil } + unknownNames.indices.filter { hints[$0] == nil }
    for index in ordered.prefix(unknownRuleNamesWarnedSeparately) {
      let name = unknownNames[index]
      let rules = rulesSelecting[name] ?? []
      value.warning(
        "\(rules[0])" + (rules.count > 1 ? " and \(rules.count - 1) other rule(s) select" : " selects") + " `\(name)`, "
          + "which the simulation never publishes with metric profile \(profileNames) (it publishes "
          + published.map { "`\($0)`" }.joined(separator: ", ") + "): the selector is always empty",
        hint: hints[index])
    }
    let rest = ordered.dropFirst(unknownRuleNamesWarnedSeparately).map { unknownNames[$0] }
    if !rest.isEmpty {
      let ruleCount = Set(rest.flatMap { rulesSelecting[$0] ?? [] }).count
      value.warning(
        "\(rest.count) more metric names selected by \(ruleCount) rule(s) are never published by the simulation: "
          + rest.prefix(10).map { "`\($0)`" }.joined(separator: ", ") + (rest.count > 10 ? ", …" : "")
          + "; those selectors are always empty",
        hint: "rules written for other exporters (node-exporter, kube-state-metrics) watch series PlatformSim "
          + "does not simulate")
    }
  }

  /// Warns once per metric and label when a selector of published metric `name` matches
  /// on a label its series never carry; `who` names the query (an analysis, a rule).
  ///
  /// Only raw published series are checked: recording rules' and `ALERTS`' labels are
  /// not modelled. `__name__` and a matcher accepting "" also select series without the
  /// label (PromQL), so an unknown label there is meant, unless it is a typo of a carried one.
  static func warnAboutLabels(
    of name: String, _ matchers: [LabelMatcher], who: String, carriedLabels: inout CarriedLabels,
    warned: inout Set<String>, at value: YAMLValue
  ) {
    let carried = carriedLabels.of(name)
    for matcher in matchers where !carried.isEmpty && matcher.name != Labels.metricName {
      guard !carried.contains(matcher.name), warned.insert("label:\(name):\(matcher.name)").inserted else {
        continue
      }
      let near = nearestMatch(to: matcher.name, in: carried)
      if matcher.matchesEmpty && near == nil { continue }
      value.warning(
        "\(who) selects `\(name)` by label `\(matcher.name)`, which its published series never carry (they carry "
          + carried.map { "`\($0)`" }.joined(separator: ", ")
          + (matcher.matchesEmpty
            ? "): the matcher keeps every series (an absent label matches as \"\")"
            : "): the selector matches nothing"),
        hint: near.map { "did you mean `\($0)`?" })
    }
  }

  /// The label names the services' published series of each metric carry, worked out
  /// once per metric name.
  struct CarriedLabels {
    /// The services' distinct metric profiles (``servicesProfiles(_:scenarioProfile:)``).
    let profiles: [MetricProfile]
    private var byName: [String: [String]] = [:]

    init(profiles: [MetricProfile]) { self.profiles = profiles }

    /// The label names series of metric `name` carry under any of ``profiles``, sorted.
    mutating func of(_ name: String) -> [String] {
      if let known = byName[name] { return known }
      let carried = Set(profiles.flatMap { $0.publishedLabelNames(of: name) }).sorted()
      byName[name] = carried
      return carried
    }
  }

  /// The distinct metric profiles the services publish under, in order of first use.
  ///
  /// Services share a few profiles, so label checks ask each distinct profile, not each
  /// service: asking every service for every selector was services² label-set builds,
  /// 20 s before an organisation-scale run (500 services) began.
  static func servicesProfiles(_ delivery: DeliveryConfiguration, scenarioProfile: MetricProfile) -> [MetricProfile] {
    var profiles: [MetricProfile] = []
    for service in delivery.services {
      let profile = service.metricProfile ?? scenarioProfile
      if !profiles.contains(profile) { profiles.append(profile) }
    }
    return profiles
  }

  /// The metric name, label matchers and range (nil for an instant selector) of every selector.
  static func selectors(_ expression: Expr) -> [(String, [LabelMatcher], Int64?)] {
    switch expression {
    case .number, .string: return []
    case .vector(let selector): return [(selector.name, selector.matchers, nil)]
    case .matrix(let selector, let rangeMs): return [(selector.name, selector.matchers, rangeMs)]
    case .call(_, let arguments, _): return arguments.flatMap(selectors)
    case .aggregate(let aggregation):
      return selectors(aggregation.expr) + (aggregation.parameter.map(selectors) ?? [])
    case .binary(let binary): return selectors(binary.lhs) + selectors(binary.rhs)
    case .negate(let inner), .paren(let inner): return selectors(inner)
    // A subquery evaluates its inner expression at instants: its own selectors count.
    case .subquery(let subquery): return selectors(subquery.expr)
    }
  }
}
