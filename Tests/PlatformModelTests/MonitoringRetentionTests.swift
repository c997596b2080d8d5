import Monitoring
import Testing

@testable import PlatformModel
@testable import SimKernel

/// The simulated Prometheus must keep samples as far back as the rules and analysis
/// queries read: a store that dropped them early would make a `[6h]` burn-rate rule
/// silently see two hours.
@Suite("Monitoring retention")
struct MonitoringRetentionTests {
  static let calendar = SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(3))!

  func monitoring(rules expression: String, otherQueries: [String] = []) throws -> PlatformMonitoring {
    let yaml = """
      groups:
        - name: slo
          rules:
            - alert: Burn
              expr: \(expression)
      """
    let groups = try RuleFileLoader.load(yaml: yaml, file: "slo.yml")
    return PlatformMonitoring(
      configuration: MonitoringConfiguration(ruleGroups: groups, alertmanager: nil), calendar: Self.calendar,
      horizon: .days(3), otherQueries: otherQueries)
  }

  @Test("the store keeps the longest range a rule reads, with its offset")
  func longestRange() throws {
    let store = try monitoring(rules: "sum(rate(errors[6h] offset 1h)) / sum(rate(requests[5m])) > 0.01").store
    #expect(store.retentionMs >= 7 * 3_600_000)
    #expect(store.retentionMs <= 7 * 3_600_000 + 60_000)
  }

  @Test("analysis queries count too, and short rules keep the 2 h floor")
  func analysisQueriesAndFloor() throws {
    #expect(try monitoring(rules: "up == 0").store.retentionMs == 2 * 3_600_000)
    let store = try monitoring(rules: "up == 0", otherQueries: ["avg_over_time(latency[3d])"]).store
    #expect(store.retentionMs >= 3 * 86_400_000)
  }

  @Test("a six-hour window sees six hours of samples")
  func windowSeesItsRange() throws {
    let store = try monitoring(rules: "increase(errors[6h]) > 0").store
    let id = store.register(name: "errors", kind: .counter)
    for minute in 0...(8 * 60) { store.append(id, timestampMs: Int64(minute) * 60_000, value: Double(minute)) }
    let engine = PromQLEngine(store: store)
    let value = try engine.query("count_over_time(errors[6h])", atMs: 8 * 3_600_000).asVector?.first?.value
    #expect(value == 361)
  }
}
