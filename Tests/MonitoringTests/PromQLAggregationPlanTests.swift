import Monitoring
import Testing

/// The per-series aggregation path must return exactly what the generic path returns.
///
/// For an instant selector or `rate`/`increase`/`delta` of a named selector: same
/// groups, same order, bit-identical values. `… * 1` forces the generic path without changing values,
/// and so does a parenthesised threshold (`> (1)`) for the fused comparison filters.
/// The same holds for what is built on that path: one-to-one operations between two
/// such aggregations, comparisons with a number, and `histogram_quantile` over a sum.
@Suite("Per-series aggregation plan")
struct PromQLAggregationPlanTests {
  static let pairs: [(String, String)] = [
    ("sum by (service) (rate(x_total[5m]))", "sum by (service) (rate(x_total[5m]) * 1)"),
    ("avg by (code) (rate(x_total[3m]))", "avg by (code) (rate(x_total[3m]) * 1)"),
    ("max without (code) (increase(x_total[4m]))", "max without (code) (increase(x_total[4m]) * 1)"),
    ("min by (service, code) (delta(x_total[2m]))", "min by (service, code) (delta(x_total[2m]) * 1)"),
    (
      "count by (service) (rate(x_total{code=~\"5..\"}[5m]))",
      "count by (service) (rate(x_total{code=~\"5..\"}[5m]) * 1)"
    ),
    ("sum(rate(x_total[5m]))", "sum(rate(x_total[5m]) * 1)"),
    ("min by (service) (gauge)", "min by (service) (gauge * 1)"),
    ("max by (code) (gauge)", "max by (code) (gauge * 1)"),
    ("avg without (service) (gauge)", "avg without (service) (gauge * 1)"),
    ("sum by (service) ((gauge))", "sum by (service) (gauge * 1)"),
    ("count(gauge offset 2m)", "count(gauge offset 2m * 1)"),
    (
      "sum by (service) (rate(x_total{code=~\"5..\"}[5m])) / sum by (service) (rate(x_total[5m]))",
      "sum by (service) (rate(x_total{code=~\"5..\"}[5m]) * 1) / sum by (service) (rate(x_total[5m]) * 1)"
    ),
    (
      "sum by (service) (rate(x_total[5m])) > bool on(service) max by (service) (increase(x_total[3m]))",
      "sum by (service) (rate(x_total[5m]) * 1) > bool on(service) max by (service) (increase(x_total[3m]) * 1)"
    ),
    // Two right-hand groups per match group: both paths must raise Prometheus's error.
    (
      "sum by (service) (rate(x_total[5m])) > bool on(service) max by (service, code) (increase(x_total[3m]))",
      "sum by (service) (rate(x_total[5m]) * 1) > bool on(service) max by (service, code) (increase(x_total[3m]) * 1)"
    ),
    ("min by (service) (gauge) < 2", "min by (service) (gauge) < (2)"),
    ("gauge > 1", "gauge > (1)"),
    ("x_total offset 1m >= 10", "x_total offset 1m >= (10)"),
    (
      "histogram_quantile(0.9, sum by (service, le) (rate(h_bucket[5m])))",
      "histogram_quantile(0.9, sum by (service, le) (rate(h_bucket[5m]) * 1))"
    ),
    (
      "histogram_quantile(0.5, sum by (le) (increase(h_bucket[3m]))) > 0.2",
      "histogram_quantile(0.5, sum by (le) (increase(h_bucket[3m]) * 1)) > (0.2)"
    ),
  ]

  @Test("agrees with the generic path at every half minute", arguments: pairs.indices)
  func agrees(_ index: Int) throws {
    let (fast, generic) = Self.pairs[index]
    let store = SeriesStore()
    var counters: [SeriesID] = []
    var gauges: [SeriesID] = []
    // Interleaved services so that group order differs from registration order.
    for (service, code) in [("b", "500"), ("a", "200"), ("b", "200"), ("c", "503"), ("a", "500")] {
      counters.append(
        store.register(name: "x_total", labels: [("service", service), ("code", code)]))
      gauges.append(store.register(name: "gauge", labels: [("service", service), ("code", code)]))
    }
    // Classic histogram buckets (cumulative in `le`), registered out of `le` order.
    var buckets: [(id: SeriesID, bound: Double)] = []
    for service in ["b", "a"] {
      for (le, bound) in [("1", 1.0), ("+Inf", Double.infinity), ("0.1", 0.1), ("0.5", 0.5)] {
        buckets.append((store.register(name: "h_bucket", labels: [("service", service), ("le", le)]), bound))
      }
    }
    let fastExpr = try PromQLParser.parse(fast)
    let genericExpr = try PromQLParser.parse(generic)
    let engine = PromQLEngine(store: store)
    var nonEmpty = 0
    for minute in 0..<60 {
      let t = Int64(minute) * 60_000
      if minute == 20 {
        // A new series mid-run invalidates the cached grouping.
        counters.append(store.register(name: "x_total", labels: [("service", "d"), ("code", "500")]))
        gauges.append(store.register(name: "gauge", labels: [("service", "d"), ("code", "500")]))
      }
      for (position, id) in counters.enumerated() where (minute + position) % 5 != 0 {
        let value = Double((minute * (position + 3)) % 23) + (minute > 30 ? 0 : 100)
        store.append(id, timestampMs: t, value: value)
      }
      for (position, bucket) in buckets.enumerated() where minute % 9 != 4 {
        // Observations spread so the cumulative counts grow with `le`.
        let observed = Double(minute * (position % 4 + 1))
        let share = bucket.bound.isInfinite ? 1 : min(1, bucket.bound * 1.5)
        store.append(bucket.id, timestampMs: t, value: (observed * share).rounded(.down) + (position < 4 ? 0 : 3))
      }
      for (position, id) in gauges.enumerated() {
        if minute == 40 && position == 1 {
          store.appendStaleMarker(id, timestampMs: t)
          continue
        }
        var value = Double((minute * 7 + position * 5) % 13) - 6
        if minute == 25 && position == 2 { value = .nan }
        if minute == 33 && position == 0 { value = .infinity }
        store.append(id, timestampMs: t, value: value)
      }
      for offset in [Int64(0), 30_000] {
        let fastResult = Result { try engine.evaluate(fastExpr, atMs: t + offset).asVector ?? [] }
        let genericResult = Result { try engine.evaluate(genericExpr, atMs: t + offset).asVector ?? [] }
        guard case .success(let a) = fastResult, case .success(let b) = genericResult else {
          #expect("\(fastResult)" == "\(genericResult)", "errors at \(t + offset)")
          if case .failure = fastResult { nonEmpty += 1 }
          continue
        }
        #expect(a.map(\.labels) == b.map(\.labels), "labels at \(t + offset)")
        #expect(
          a.map(\.value.bitPattern) == b.map(\.value.bitPattern),
          "values at \(t + offset): \(a) vs \(b)")
        if !a.isEmpty { nonEmpty += 1 }
      }
    }
    #expect(nonEmpty > 50)
  }

  static let largePairs: [(String, String)] = [
    ("sum by (service) (rate(x_total[5m]))", "sum by (service) (rate(x_total[5m]) * 1)"),
    ("max by (code) (increase(x_total[3m]))", "max by (code) (increase(x_total[3m]) * 1)"),
    ("min by (service) (gauge)", "min by (service) (gauge * 1)"),
    ("count(gauge)", "count(gauge * 1)"),
    (
      "histogram_quantile(0.9, sum by (service, le) (rate(h_bucket[5m])))",
      "histogram_quantile(0.9, sum by (service, le) (rate(h_bucket[5m]) * 1))"
    ),
  ]

  /// Selections of 64 series or more are read in storage order and folded in label
  /// order; with targets registered out of label order, half of them as scrape groups,
  /// the result must still be the generic path's, bit for bit.
  @Test("large selections agree with the generic path", arguments: largePairs.indices)
  func largeSelectionsAgree(_ index: Int) throws {
    let (fast, generic) = Self.largePairs[index]
    let store = SeriesStore()
    var standalone: [(id: SeriesID, seed: Int)] = []
    var groups: [(group: ScrapeGroup, seed: Int)] = []
    for (order, number) in (0..<40).map({ ($0 * 17) % 40 }).enumerated() {
      let service = "s\(number < 10 ? "0" : "")\(number)"
      var members: [(labels: Labels, kind: MetricKind)] = ["200", "500"].map {
        (Labels([(Labels.metricName, "x_total"), ("service", service), ("code", $0)]), .counter)
      }
      members.append((Labels([(Labels.metricName, "gauge"), ("service", service)]), .gauge))
      for le in ["0.1", "+Inf", "1", "0.5"] {
        members.append((Labels([(Labels.metricName, "h_bucket"), ("service", service), ("le", le)]), .counter))
      }
      if order % 2 == 0 {
        groups.append((store.registerScrapeGroup(members), number))
      } else {
        for member in members { standalone.append((store.register(member.labels, kind: member.kind), number)) }
      }
    }
    /// Member values: counters grow (with a reset at minute 30), buckets cumulative in
    /// `le` order of registration above (0.1, +Inf, 1, 0.5), a gauge that varies.
    func row(_ seed: Int, _ minute: Int) -> [Double] {
      let base = Double((minute * (seed % 7 + 1)) % 50) + (minute > 30 ? 0 : 1_000)
      let observed = Double(minute * (seed % 5 + 2))
      return [
        base, base / 10, Double((minute + seed) % 9) - 4, observed * 0.2, observed, observed * 0.7, observed * 0.5,
      ]
    }
    let fastExpr = try PromQLParser.parse(fast)
    let genericExpr = try PromQLParser.parse(generic)
    let engine = PromQLEngine(store: store)
    var nonEmpty = 0
    for minute in 0..<45 {
      let t = Int64(minute) * 60_000
      for (group, seed) in groups {
        _ = row(seed, minute).withUnsafeBufferPointer { store.appendRow(group, timestampMs: t, values: $0) }
      }
      for start in stride(from: 0, to: standalone.count, by: 7) {
        for (id, value) in zip(standalone[start..<start + 7].map(\.id), row(standalone[start].seed, minute)) {
          store.append(id, timestampMs: t, value: value)
        }
      }
      let a = try engine.evaluate(fastExpr, atMs: t).asVector ?? []
      let b = try engine.evaluate(genericExpr, atMs: t).asVector ?? []
      #expect(a.map(\.labels) == b.map(\.labels), "labels at \(t)")
      #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "values at \(t)")
      if !a.isEmpty { nonEmpty += 1 }
    }
    #expect(nonEmpty > 30)
  }
  /// A subset's fold copies the last read at the same instant.
  ///
  /// A fold over a subset of the selection the last fold read (an error ratio's 5xx sum,
  /// after its denominator) copies that read's values instead of reading again: the
  /// ratio must still be the generic path's, bit for bit, and a row appended between
  /// the two folds (inside the window) must be seen. With some series in buffers of
  /// their own, the read is not kept.
  @Test("a subset's fold sees what a read would, rows appended in between included", arguments: [false, true])
  func subsetOfAKeptReadAgrees(withStandaloneSeries: Bool) throws {
    let store = SeriesStore()
    var groups: [(group: ScrapeGroup, seed: Int)] = []
    var standalone: [(ids: [SeriesID], seed: Int)] = []
    for (order, number) in (0..<90).map({ ($0 * 37) % 90 }).enumerated() {
      let service = "s\(number < 10 ? "0" : "")\(number)"
      let members: [(labels: Labels, kind: MetricKind)] = ["200", "500"].map {
        (Labels([(Labels.metricName, "x_total"), ("service", service), ("code", $0)]), .counter)
      }
      if withStandaloneSeries && order % 9 == 4 {
        standalone.append((members.map { store.register($0.labels, kind: $0.kind) }, number))
      } else {
        groups.append((store.registerScrapeGroup(members), number))
      }
    }
    /// Counters that grow, with a reset at minute 20.
    func row(_ seed: Int, _ minute: Int) -> [Double] {
      let base = Double((minute * (seed % 7 + 1)) % 50) + (minute > 20 ? 0 : 1_000)
      return [base, base / (Double(seed % 4) + 2)]
    }
    func append(_ minute: Int, atMs t: Int64) {
      for (group, seed) in groups {
        _ = row(seed, minute).withUnsafeBufferPointer { store.appendRow(group, timestampMs: t, values: $0) }
      }
      for (ids, seed) in standalone {
        for (id, value) in zip(ids, row(seed, minute)) { store.append(id, timestampMs: t, value: value) }
      }
    }
    let numerator = "sum by (service) (rate(x_total{code=\"500\"}[5m]))"
    let denominator = "sum by (service) (rate(x_total[5m]))"
    let ratio = try PromQLParser.parse("\(numerator) / \(denominator)")
    let genericRatio = try PromQLParser.parse(
      "sum by (service) (rate(x_total{code=\"500\"}[5m]) * 1) / sum by (service) (rate(x_total[5m]) * 1)")
    let fastNumerator = try PromQLParser.parse(numerator)
    let fastDenominator = try PromQLParser.parse(denominator)
    let genericNumerator = try PromQLParser.parse("sum by (service) (rate(x_total{code=\"500\"}[5m]) * 1)")
    let engine = PromQLEngine(store: store)
    func expectSame(_ fast: Expr, _ generic: Expr, atMs t: Int64) throws -> Bool {
      let a = try engine.evaluate(fast, atMs: t).asVector ?? []
      let b = try engine.evaluate(generic, atMs: t).asVector ?? []
      #expect(a.map(\.labels) == b.map(\.labels), "labels at \(t)")
      #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "values at \(t)")
      return !a.isEmpty
    }
    var nonEmpty = 0
    for minute in 0..<40 {
      let t = Int64(minute) * 60_000
      append(minute, atMs: t - 30_000)
      if try expectSame(ratio, genericRatio, atMs: t) { nonEmpty += 1 }
      // The denominator's read is kept; a row then lands inside the numerator's window.
      _ = try engine.evaluate(fastDenominator, atMs: t + 15_000)
      append(minute + 100, atMs: t + 10_000)
      if try expectSame(fastNumerator, genericNumerator, atMs: t + 15_000) { nonEmpty += 1 }
    }
    #expect(nonEmpty > 60)
  }
}

/// Range reads pass over scrape groups with no row in their window.
///
/// Such a group is a canary between rollouts (`SeriesStore.groupNewestMs`). Results
/// must stay, bit for bit, the generic path's over the same samples held as separate
/// series (whose buffers do not share that code), for range and instant reads alike:
/// while groups stop (with and without a staleness marker), come back, are registered
/// late, sit beside series with buffers of their own, and for windows in the past
/// (`offset`, earlier instants) where a stopped group still has rows.
@Suite("Range reads past groups with no row in the window")
struct QuietScrapeGroupTests {
  static let pairs: [(String, String)] = [
    ("sum by (service) (rate(x_total[5m]))", "sum by (service) (rate(x_total[5m]) * 1)"),
    ("count by (track) (increase(x_total[3m]))", "count by (track) (increase(x_total[3m]) * 1)"),
    ("max by (service) (delta(x_total[2m]))", "max by (service) (delta(x_total[2m]) * 1)"),
    (
      "sum by (service) (rate(x_total{code=\"500\"}[5m])) / sum by (service) (rate(x_total[5m]))",
      "sum by (service) (rate(x_total{code=\"500\"}[5m]) * 1) / sum by (service) (rate(x_total[5m]) * 1)"
    ),
    ("sum(rate(x_total[5m] offset 15m))", "sum(rate(x_total[5m] offset 15m) * 1)"),
    ("min by (service) (gauge)", "min by (service) (gauge * 1)"),
    ("count(gauge offset 25m)", "count(gauge offset 25m * 1)"),
    ("gauge > 0", "gauge > (0)"),
  ]

  @Test("reads that pass over quiet groups agree with the generic path", arguments: pairs.indices)
  func agrees(_ index: Int) throws {
    let (fast, generic) = Self.pairs[index]
    let store = SeriesStore(retention: .hours(1))
    // The same samples, every member a series of its own.
    let separate = SeriesStore(retention: .hours(1))
    var separateIDs: [Int32: [SeriesID]] = [:]
    func registerGroup(_ members: [(labels: Labels, kind: MetricKind)]) -> ScrapeGroup {
      let group = store.registerScrapeGroup(members)
      separateIDs[group.index] = members.map { separate.register($0.labels, kind: $0.kind) }
      return group
    }
    func appendRow(_ group: ScrapeGroup, _ t: Int64, _ row: [Double]) {
      _ = row.withUnsafeBufferPointer { store.appendRow(group, timestampMs: t, values: $0) }
      for (id, value) in zip(separateIDs[group.index] ?? [], row) { separate.append(id, timestampMs: t, value: value) }
    }
    func members(_ service: String, _ track: String) -> [(labels: Labels, kind: MetricKind)] {
      var members: [(labels: Labels, kind: MetricKind)] = ["200", "500"].map {
        (Labels([(Labels.metricName, "x_total"), ("service", service), ("track", track), ("code", $0)]), .counter)
      }
      members.append((Labels([(Labels.metricName, "gauge"), ("service", service), ("track", track)]), .gauge))
      return members
    }
    let services = (0..<40).map { "s\($0 < 10 ? "0" : "")\(($0 * 17) % 40)" }
    let stable = services.map { registerGroup(members($0, "stable")) }
    // Series with buffers of their own in the same selection (as a recording rule's
    // output under the same name would be), between the groups in storage order.
    let solo = (0..<3).map {
      let labels = Labels([
        (Labels.metricName, "x_total"), ("service", "solo\($0)"), ("track", "solo"), ("code", "200"),
      ])
      return (store.register(labels, kind: .counter), separate.register(labels, kind: .counter))
    }
    // A canary group is registered at its service's first rollout, as the traffic loop does.
    var canary = [ScrapeGroup?](repeating: nil, count: services.count)
    /// Service `i` runs a canary for 6 minutes every 40, starting at minute `(i * 7) % 40`.
    func canaryRuns(_ i: Int, _ minute: Int) -> Bool { (minute - (i * 7) % 40 + 400) % 40 < 6 }
    func row(_ seed: Int, _ minute: Int) -> [Double] {
      // A counter reset at minute 70 for every target.
      let base = Double((minute * (seed % 7 + 1)) % 50) + (minute > 70 ? 0 : 1_000) + Double(minute * 3)
      return [base, base / 10, Double((minute + seed) % 9) - 4]
    }
    let fastExpr = try PromQLParser.parse(fast)
    let genericExpr = try PromQLParser.parse(generic)
    let engine = PromQLEngine(store: store)
    let separateEngine = PromQLEngine(store: separate)
    var sawQuiet = false
    var sawComeback = false
    var nonEmpty = 0
    for minute in 0..<130 {
      let t = Int64(minute) * 60_000
      for (i, group) in stable.enumerated() { appendRow(group, t, row(i, minute)) }
      for (i, ids) in solo.enumerated() where minute % (i + 1) == 0 {
        store.append(ids.0, timestampMs: t, value: Double(minute * (i + 2)))
        separate.append(ids.1, timestampMs: t, value: Double(minute * (i + 2)))
      }
      for i in services.indices {
        if canaryRuns(i, minute) {
          if canary[i] == nil { canary[i] = registerGroup(members(services[i], "canary")) }
          if let group = canary[i] {
            // Back after more than a 5-minute window without a row.
            if minute >= 40 && !canaryRuns(i, minute - 1) { sawComeback = true }
            appendRow(group, t, row(i + 100, minute))
          }
        } else if let group = canary[i] {
          // Half the stopped canaries get a staleness marker; the others' last rows stay
          // visible through the lookback.
          if canaryRuns(i, minute - 1) && i % 2 == 0 {
            store.appendStaleRow(group, timestampMs: t)
            for id in separateIDs[group.index] ?? [] { separate.appendStaleMarker(id, timestampMs: t) }
          }
          if !(1...6).contains(where: { canaryRuns(i, minute - $0) }) { sawQuiet = true }
        }
      }
      // Now, half a minute on, and instants whose windows hold rows of groups now quiet.
      for atMs in [t, t + 30_000, t - 12 * 60_000, t - 30 * 60_000] where atMs >= 0 {
        let a = try engine.evaluate(fastExpr, atMs: atMs).asVector ?? []
        let b = try separateEngine.evaluate(genericExpr, atMs: atMs).asVector ?? []
        let c = try engine.evaluate(genericExpr, atMs: atMs).asVector ?? []
        #expect(a.map(\.labels) == b.map(\.labels), "labels at \(atMs)")
        #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "values at \(atMs)")
        #expect(c.map(\.value.bitPattern) == b.map(\.value.bitPattern), "generic path's values at \(atMs)")
        if !a.isEmpty { nonEmpty += 1 }
      }
    }
    #expect(sawQuiet, "no canary group went without a row for a whole window")
    #expect(sawComeback, "no quiet canary group was appended to again")
    #expect(nonEmpty > 200)
  }
}
