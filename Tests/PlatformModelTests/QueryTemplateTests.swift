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
  func equalityMatcherValues(template: String, expected: Bool) {
    var namesInEqualityMatchers = true
    _ = QueryTemplate.fill(
      template, { $0 == "target" ? .name("svc-1") : $0 == "other" ? .verbatim("v") : nil },
      namesInEqualityMatchers: &namesInEqualityMatchers)
    #expect(namesInEqualityMatchers == expected)
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
