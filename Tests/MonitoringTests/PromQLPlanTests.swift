import Monitoring
import Testing

/// The single-series plan must say "empty" exactly when the generic engine returns nothing,
/// and when it says "present" and names the sample, that sample must be the engine's
/// (same labels, same value bit for bit): rule groups use it instead of the engine.
@Suite("Single-series plan")
struct PromQLPlanTests {
  static let expressions = [
    "rate(errors_total{service=\"a\"}[5m]) / ignoring(code) rate(requests_total{service=\"a\"}[5m]) > 0.05",
    "rate(errors_total{service=\"a\"}[5m]) / on(service) rate(requests_total{service=\"a\"}[5m]) > bool 0.05",
    "sum(rate(errors_total{service=\"a\"}[2m])) / sum(rate(requests_total{service=\"a\"}[2m])) >= 0.1",
    "sum by (service) (increase(errors_total{service=\"a\"}[3m])) > 10",
    "0.5 < irate(errors_total{service=\"a\"}[3m])",
    "abs(delta(gauge{service=\"a\"}[4m])) > 3",
    "max_over_time(gauge{service=\"a\"}[2m]) - min_over_time(gauge{service=\"a\"}[2m]) > 4",
    "gauge{service=\"a\"} offset 2m > 5",
    "count(gauge{service=\"a\"}) > 0",
    "rate(errors_total{service=\"b\"}[5m]) > 0",
    "gauge{service=\"a\"} * on(code) requests_total{service=\"a\"} > 1",
    "rate(errors_total[5m]) > 0",
  ]

  @Test("empty outcomes agree with the generic engine at every minute", arguments: expressions)
  func agrees(_ expression: String) throws {
    let store = SeriesStore()
    let errors = store.register(name: "errors_total", labels: [("service", "a"), ("code", "500")])
    let requests = store.register(
      name: "requests_total", labels: [("service", "a"), ("code", "200")])
    let gauge = store.register(name: "gauge", labels: [("service", "a")])
    let otherErrors = store.register(
      name: "errors_total", labels: [("service", "c"), ("code", "500")])
    var errorCount = 0.0
    for minute in 0..<60 {
      let t = Int64(minute) * 60_000
      if minute % 7 != 3 {
        errorCount += Double((minute * 37) % 11)
        if minute == 30 { errorCount = 2 }
        store.append(errors, timestampMs: t, value: errorCount)
        store.append(otherErrors, timestampMs: t, value: errorCount)
      }
      if minute == 45 {
        store.appendStaleMarker(requests, timestampMs: t)
      } else if minute < 45 || minute > 50 {
        store.append(requests, timestampMs: t, value: Double(minute * 100))
      }
      store.append(gauge, timestampMs: t, value: Double((minute * 13) % 17) - 4)
    }
    let expr = try PromQLParser.parse(expression)
    let plan = try #require(SingleSeriesPlan(expr))
    let engine = PromQLEngine(store: store)
    var decided = 0
    var named = 0
    var present = 0
    for t in stride(from: Int64(0), through: 3_600_000, by: 30_000) {
      let generic = try engine.evaluate(expr, atMs: t).asVector ?? []
      switch plan.outcome(atMs: t, engine: engine) {
      case .empty:
        decided += 1
        #expect(generic.isEmpty, "plan said empty at \(t) but the engine returned \(generic)")
      case .present:
        decided += 1
        present += 1
        #expect(!generic.isEmpty, "plan said present at \(t) but the engine returned nothing")
        if let sample = plan.presentSample(engine: engine) {
          named += 1
          #expect(generic.count == 1)
          #expect(generic.first?.labels == sample.labels, "labels at \(t): \(sample.labels) vs \(generic)")
          #expect(generic.first?.value.bitPattern == sample.value.bitPattern, "value at \(t)")
        }
      case .unknown:
        break
      }
    }
    if expression != "rate(errors_total[5m]) > 0" { #expect(decided > 0) }
    // Every shape here can name the sample it found present.
    #expect(named == present, "named \(named) of \(present) present samples")
  }

  @Test(
    "shapes outside the subset do not compile",
    arguments: [
      "topk(1, rate(x[5m]))", "x and y", "histogram_quantile(0.9, rate(x_bucket[5m]))",
      "x * on(a) group_left y", "vector(1)",
      "(a / b) / c",
    ])
  func rejects(_ expression: String) throws {
    #expect(SingleSeriesPlan(try PromQLParser.parse(expression)) == nil)
  }
}
