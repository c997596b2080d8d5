import Monitoring
import Testing

/// `histogram_quantile` over a per-series sum hands each group's buckets to
/// `bucketQuantile` in an ascending order cached per group; it must return exactly what
/// the generic path (`… * 1`) returns, bit for bit, while the bucket sets change:
/// buckets that stop and resume, a bucket registered between two others, a group that
/// vanishes and comes back, upper bounds written three ways ("1", "1.0", "1e0") whose
/// coalescing order matters, a group that gains a tie mid-run, a missing `+Inf`, `NaN`
/// and unparseable `le`, and counts that are not monotonic in `le`.
@Suite("histogram_quantile over a per-series sum")
struct PromQLHistogramPlanTests {
  static let pairs: [(String, String)] = [
    (
      "histogram_quantile(Q, sum by (service, le) (rate(h_bucket[5m])))",
      "histogram_quantile(Q, sum by (service, le) (rate(h_bucket[5m]) * 1))"
    ),
    (
      "histogram_quantile(Q, sum by (le) (increase(h_bucket[3m])))",
      "histogram_quantile(Q, sum by (le) (increase(h_bucket[3m]) * 1))"
    ),
    (
      "histogram_quantile(Q, max by (service, le) (h_bucket))",
      "histogram_quantile(Q, max by (service, le) (h_bucket * 1))"
    ),
    // `count` folds read their counts, not their values, into the bucket gather.
    (
      "histogram_quantile(Q, count by (service, le) (h_bucket))",
      "histogram_quantile(Q, count by (service, le) (h_bucket * 1))"
    ),
    // A threshold over the quantiles keeps only the services past it, without building
    // the others' samples.
    (
      "histogram_quantile(Q, sum by (service, le) (rate(h_bucket[5m]))) > 0.6",
      "histogram_quantile(Q, sum by (service, le) (rate(h_bucket[5m]) * 1)) > 0.6"
    ),
    (
      "histogram_quantile((Q), (sum by (service, le) (rate(h_bucket[5m])))) <= 0.6",
      "histogram_quantile(Q, sum by (service, le) (rate(h_bucket[5m]) * 1)) <= 0.6"
    ),
  ]

  @Test("agrees with the generic path as buckets come and go", arguments: [0, 0.25, 0.5, 0.9, 0.99, 1])
  func agrees(_ q: Double) throws {
    let store = SeriesStore()
    var series: [(id: SeriesID, rank: Int, service: String)] = []
    func register(_ service: String, _ le: String, rank: Int) {
      series.append((store.register(name: "h_bucket", labels: [("service", service), ("le", le)]), rank, service))
    }
    // Registered out of `le` order; `rank` orders the cumulative counts.
    for (le, rank) in [("1", 3), ("+Inf", 5), ("0.1", 1), ("0.5", 2)] { register("a", le, rank: rank) }
    for (le, rank) in [("0.5", 1), ("1", 2), ("1.0", 3), ("+Inf", 5), ("1e0", 4)] { register("b", le, rank: rank) }
    for (le, rank) in [("0.1", 1), ("0.5", 2), ("1", 3)] { register("c", le, rank: rank) }
    for (le, rank) in [("0.05", 1), ("0.5", 2), ("2.5", 3), ("10", 4), ("+Inf", 5)] { register("d", le, rank: rank) }
    for (le, rank) in [("0.5", 1), ("NaN", 2), ("foo", 3), ("+Inf", 5)] { register("e", le, rank: rank) }
    // Each evaluation runs every expression on one engine, so the scratch arrays are
    // reused across aggregations of different sizes.
    let engine = PromQLEngine(store: store)
    let expressions = try Self.pairs.map { pair in
      (
        try PromQLParser.parse(pair.0.replacingOccurrences(of: "Q", with: "\(q)")),
        try PromQLParser.parse(pair.1.replacingOccurrences(of: "Q", with: "\(q)"))
      )
    }
    var compared = 0
    for minute in 0..<80 {
      let t = Int64(minute) * 60_000
      switch minute {
      case 15: register("a", "0.25", rank: 2)  // between two known bounds
      case 35: register("aa", "+Inf", rank: 5)  // a new group between "a" and "b"
      case 40: register("a", "5e-1", rank: 2)  // "a" gains a tie
      default: break
      }
      for (position, entry) in series.enumerated() {
        if entry.service == "d" && entry.rank == 2 && (20..<32).contains(minute) { continue }
        if entry.service == "d" && (45..<55).contains(minute) { continue }
        if entry.service == "c" && minute % 7 == 3 { continue }
        // Inexact increments, so that the order of additions shows in the sums; "b"
        // is not monotonic in `le` half of the time.
        var perMinute = 0.1 * Double(entry.rank) + 0.07 * Double((minute + position) % 3)
        if entry.service == "b" && entry.rank == 3 && minute % 2 == 0 { perMinute = 0.01 }
        store.append(entry.id, timestampMs: t, value: Double(minute) * perMinute + 0.3)
      }
      for (fast, generic) in expressions {
        for offset in [Int64(0), 30_000] {
          let a = try engine.evaluate(fast, atMs: t + offset).asVector ?? []
          let b = try engine.evaluate(generic, atMs: t + offset).asVector ?? []
          #expect(a.map(\.labels) == b.map(\.labels), "labels at \(t + offset)")
          #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "values at \(t + offset): \(a) vs \(b)")
          compared += a.count
        }
      }
    }
    #expect(compared > 1_000)
  }
}
