import Testing

@testable import Scenario

/// Which service names let the published-metrics check take one service's analysis
/// for all services of the same rollout (issue 19).
@Suite("Published-metrics check: names that change only a matcher's value")
struct PublishedMetricsCheckTests {
  @Test(
    "a name without backslash, quote or line break, and not empty, changes only the value it fills",
    arguments: [
      ("svc-00-0", true), ("fraud.scorer_v2", true), ("naïve 日本", true), ("", false), (#"fraud "scorer""#, false),
      ("it's", false), (#"back\slash"#, false), ("two\nlines", false),
    ])
  func inertNames(name: String, expected: Bool) {
    #expect(PublishedMetricsCheck.isInertMatcherValue(name) == expected)
  }
}
