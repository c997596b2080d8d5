import Monitoring
import Testing

@testable import PlatformModel

/// Placeholders filled as Argo Rollouts and Flagger fill them, with free-text names
/// escaped as PromQL string literals (and regex matchers) require.
@Suite("Query templates: placeholders and escaping")
struct QueryTemplateTests {
  static let awkwardNames = [#"fraud "scorer""#, #"back\slash"#, #"a.b*c (v2) [x]"#, #"it's"#, "plain-name"]

  /// The matchers of the only selector in `query`, parsed by PlatformSim's PromQL parser.
  func matchers(_ query: String) throws -> [LabelMatcher] {
    guard case .vector(let selector) = try PromQLParser.parse(query) else {
      Issue.record("not a selector: \(query)")
      return []
    }
    return selector.matchers
  }

  @Test("a name in an equality matcher reads back as itself", arguments: awkwardNames)
  func equalityMatcher(name: String) throws {
    for template in [#"up{service="{{args.service}}"}"#, "up{service='{{ args.service }}'}"] {
      let query = QueryTemplate.fill(template) { $0 == "args.service" ? .name(name) : nil }
      let matcher = try #require(try matchers(query).first { $0.name == "service" })
      #expect(matcher.value == name, "\(query)")
    }
  }

  @Test("a name in a regex matcher matches itself only", arguments: awkwardNames)
  func regexMatcher(name: String) throws {
    let query = QueryTemplate.fill(#"up{workload=~"{{ target }}", namespace="{{ namespace }}"}"#) { key in
      key == "target" ? .name(name) : key == "namespace" ? .name("default") : nil
    }
    let matcher = try #require(try matchers(query).first { $0.name == "workload" })
    #expect(matcher.matches(name), "\(query)")
    #expect(!matcher.matches(name + "x"))
    #expect(!matcher.matches("x" + name))
  }

  @Test("user-written values go in verbatim; text outside strings and unknown placeholders stay")
  func verbatim() {
    let filled = QueryTemplate.fill(#"rate(up{pod=~"{{ args.pattern }}"}[{{ interval }}]) > {{ other }}"#) { key in
      key == "args.pattern" ? .verbatim("fraud-.*") : key == "interval" ? .verbatim("5m") : nil
    }
    #expect(filled == #"rate(up{pod=~"fraud-.*"}[5m]) > {{ other }}"#)
    // An escaped quote inside a string does not end it.
    let escaped = QueryTemplate.fill(#"up{a="x\"y", b="{{ n }}"}"#) { _ in .name(#"q""#) }
    #expect(escaped == #"up{a="x\"y", b="q\""}"#)
  }

  @Test(
    "a name counts as an equality matcher's value only inside `label=\"…\"` or `label!='…'`",
    arguments: [
      (#"up{service="{{ target }}"}"#, true), (#"up{a="x", service != '{{ target }}-canary'}"#, true),
      ("up{service=\n  \"{{ target }}\"}", true), (#"up{service=~"{{ target }}"}"#, false),
      (#"up{service!~"{{ target }}"}"#, false), ("up{service=`{{ target }}`}", false),
      (#"up{__name__="{{ target }}"}"#, false), (#"{{ target }}_total{a="b"}"#, false),
      (#"x == "{{ target }}""#, false), (#"f("{{ target }}")"#, false), (#"up{9a="{{ target }}"}"#, false),
      ("# {a='\nup{b='{{ target }}'}", false), (#"up{a="{{ other }}"} + {{ target }}"#, false),
      (#"up{a="{{ other }}"}"#, true), ("up{a=\"{{ target }}\", b=\"é\"}", false),
    ])
  func equalityMatcherValues(template: String, expected: Bool) throws {
    func value(_ name: String) -> (String) -> QueryTemplate.Value? {
      { $0 == "target" ? .name(name) : $0 == "other" ? .verbatim("v") : nil }
    }
    #expect(QueryTemplate.fillsNamesOnlyInEqualityMatchers(template, value("svc-1")) == expected)
    guard expected else { return }
    // Then any name without `\`, quotes or line breaks changes only the matcher's value.
    let stand = try matchers(QueryTemplate.fill(template, value("svc-1")))
    for name in ["a.b*c (v2) [x]", "naïve 日本", "x y", "{{ target }}", "}"] {
      let other = try matchers(QueryTemplate.fill(template, value(name)))
      #expect(other.map(\.name) == stand.map(\.name), "\(name)")
      #expect(other.map(\.kind) == stand.map(\.kind))
      #expect(other.map(\.matchesEmpty) == stand.map(\.matchesEmpty))
    }
  }

  @Test("a rollout fills names only into equality matchers' values when every query of it does")
  func rolloutFillsNamesOnlyInEqualityMatchers() {
    let flagger = RolloutStrategy.flagger(
      FlaggerCanary(
        interval: .seconds(60), threshold: 5, stepWeights: [10], maxWeight: 50,
        checks: ["request-success-rate", "request-duration"].map {
          FlaggerCanary.Check(name: $0, minimum: nil, maximum: nil, window: .seconds(60))
        }))
    #expect(flagger.fillsNamesOnlyInEqualityMatchers(profile: .platformSim))  // service="{{ target }}"
    #expect(flagger.fillsNamesOnlyInEqualityMatchers(profile: .nginx))
    #expect(!flagger.fillsNamesOnlyInEqualityMatchers(profile: .istio))  // destination_workload=~"{{ target }}"
    #expect(RolloutStrategy.bigBang.fillsNamesOnlyInEqualityMatchers(profile: .istio))
  }

  @Test("equal rollouts hash alike: thresholds 0 and -0, fixed arguments, custom profiles")
  func equalRolloutsHashAlike() {
    func flagger(minimum: Double) -> RolloutStrategy {
      .flagger(
        FlaggerCanary(
          interval: .seconds(60), threshold: 5, stepWeights: [10], maxWeight: 50,
          checks: [
            FlaggerCanary.Check(name: "request-success-rate", minimum: minimum, maximum: nil, window: .seconds(60))
          ]
        ))
    }
    #expect(flagger(minimum: 0.0) == flagger(minimum: -0.0))
    #expect(Set([flagger(minimum: 0.0), flagger(minimum: -0.0), flagger(minimum: 1)]).count == 2)
    func spec(_ value: String) -> AnalysisSpec {
      AnalysisSpec(metrics: [], serviceArguments: ["service-name"], fixedArguments: [(name: "window", value: value)])
    }
    #expect(Set([spec("5m"), spec("5m"), spec("1m")]).count == 2)
    func mapping() -> MetricMapping {
      MetricMapping(
        requests: "req", latency: "lat", latencyScale: 1, statusLabel: "code", success: "200", failure: "500",
        labels: [(name: "app", value: "{{ service }}")])
    }
    #expect(Set([MetricProfile.custom(mapping()), .custom(mapping()), .platformSim]).count == 2)
  }

  @Test("Flagger's built-in queries read the canary of every profile, whatever the service's name")
  func flaggerBuiltIns() throws {
    for profile in MetricProfile.allCases {
      for check in ["request-success-rate", "request-duration"] {
        let query = FlaggerQueries.render(
          FlaggerQueries.builtIn(check, profile: profile), service: #"a "b" \c"#, interval: "1m", variables: [:])
        #expect(throws: Never.self, "\(profile) \(check): \(query)") { _ = try PromQLParser.parse(query) }
      }
    }
    #expect(
      FlaggerQueries.unfilledPlaceholders(in: "x{a=\"{{ variables.r }}\", b=\"{{ tagret }}\"}", variables: [:]) == [
        "variables.r", "tagret",
      ])
  }
}
