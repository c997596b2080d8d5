import InputReading
import Monitoring
import PlatformModel

/// Warns, before anything runs, when a canary analysis selects a metric the simulation
/// never publishes, or reads a range holding fewer than two scrapes (issue 14): such an
/// analysis cannot judge — its AnalysisRuns end in Error ("metric result is nil or
/// empty") or its checks find no value — and the run degenerates.
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
    // A service may publish under its own profile; every service's series are in the
    // one Prometheus, so any analysis may read any of them.
    var published = others
    for service in delivery.services {
      for name in (service.metricProfile ?? scenarioProfile).publishedNames where !published.contains(name) {
        published.append(name)
      }
    }
    for service in delivery.services {
      let profile = service.metricProfile ?? scenarioProfile
      for query in service.rollout.prometheusQueries(service: service.name, profile: profile) {
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
          // Only raw published series: recording rules' and `ALERTS`' labels are not modelled.
          let carried = Set(
            delivery.services.flatMap { ($0.metricProfile ?? scenarioProfile).publishedLabelNames(of: name) }
          ).sorted()
          // `__name__` and a matcher accepting "" also select series without the label
          // (PromQL), so an unknown label there is meant, unless it is a typo of a carried one.
          for matcher in matchers where !carried.isEmpty && matcher.name != Labels.metricName {
            guard !carried.contains(matcher.name), warned.insert("label:\(name):\(matcher.name)").inserted else {
              continue
            }
            let near = nearestMatch(to: matcher.name, in: carried)
            if matcher.matchesEmpty && near == nil { continue }
            value.warning(
              "service `\(service.name)`'s canary analysis selects `\(name)` by label `\(matcher.name)`, which its "
                + "published series never carry (they carry " + carried.map { "`\($0)`" }.joined(separator: ", ")
                + (matcher.matchesEmpty
                  ? "): the matcher keeps every series (an absent label matches as \"\")"
                  : "): the selector matches nothing"),
              hint: near.map { "did you mean `\($0)`?" })
          }
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
