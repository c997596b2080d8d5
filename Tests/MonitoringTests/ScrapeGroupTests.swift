import SimKernel
import Testing

@testable import Monitoring

/// Series registered as a scrape group (stored as rows) must read exactly like the same
/// series stored one by one: every sample, window, counter summary and query result,
/// bit for bit — through counter resets, NaNs, staleness markers, rejected rows, gaps
/// and retention trimming.
@Suite("Scrape groups")
struct ScrapeGroupTests {
  static let members: [(labels: Labels, kind: MetricKind)] = [
    (Labels([(Labels.metricName, "c_total"), ("k", "a")]), .counter),
    (Labels([(Labels.metricName, "c_total"), ("k", "b")]), .counter),
    (Labels([(Labels.metricName, "g"), ("k", "a")]), .gauge),
    (Labels([(Labels.metricName, "h_bucket"), ("le", "0.5")]), .counter),
    (Labels([(Labels.metricName, "h_bucket"), ("le", "+Inf")]), .counter),
    (Labels([(Labels.metricName, "h_bucket"), ("le", "1")]), .counter),
  ]

  /// Both stores after `minutes` of scrapes every 15 s (some skipped, some rejected as
  /// out of order, a stale row now and then until `staleUntilMinute`: afterwards the
  /// group holds no marker and rates read only a window's ends).
  static func stores(minutes: Int, seed: UInt64, staleUntilMinute: Int) -> (
    grouped: SeriesStore, separate: SeriesStore, ids: [SeriesID]
  ) {
    let grouped = SeriesStore(retention: .minutes(30))
    let separate = SeriesStore(retention: .minutes(30))
    // A standalone series registered first, so group members do not start at ID 0.
    grouped.register(name: "other")
    separate.register(name: "other")
    let group = grouped.registerScrapeGroup(members)
    let ids = members.map { separate.register($0.labels, kind: $0.kind) }
    #expect(group.series == ids)
    var random = RandomStream(state: (seed, seed &* 31, 7, 11))
    var totals = [Double](repeating: 0, count: members.count)
    var timestampMs: Int64 = 0
    for scrape in 0..<(minutes * 4) {
      timestampMs += 15_000
      let draw = random.nextUnit()
      if draw < 0.05 { continue }  // a missed scrape: a gap
      var row = [Double](repeating: 0, count: members.count)
      if draw < 0.08 && scrape < staleUntilMinute * 4 {
        row = row.map { _ in Double(bitPattern: staleNaNBitPattern) }
      } else {
        for column in [0, 1] {
          // Counters grow, and restart from a small value now and then.
          totals[column] = random.nextUnit() < 0.03 ? random.nextUnit() : totals[column] + random.nextUnit() * 10
        }
        totals[2] = random.nextUnit() < 0.02 ? .nan : random.nextUnit() * 4 - 1
        totals[3] += Double(random.nextInt(below: 5))
        totals[5] = max(totals[5], totals[3]) + Double(random.nextInt(below: 3))
        totals[4] = totals[5] + Double(random.nextInt(below: 2))
        row = totals
      }
      let accepted = row.withUnsafeBufferPointer { grouped.appendRow(group, timestampMs: timestampMs, values: $0) }
      #expect(accepted)
      for (id, value) in zip(ids, row) { separate.append(id, timestampMs: timestampMs, value: value) }
      if draw > 0.97 {
        // A duplicate timestamp is rejected whole, and nothing changes.
        let again = row.withUnsafeBufferPointer { grouped.appendRow(group, timestampMs: timestampMs, values: $0) }
        #expect(!again)
      }
    }
    return (grouped, separate, ids)
  }

  static let histories: [(seed: UInt64, staleUntilMinute: Int)] = [(1, 240), (2, 240), (3, 150), (4, 150), (5, 0)]

  @Test("reads every series exactly as separate storage does", arguments: histories.indices)
  func readsAgree(history: Int) {
    let (seed, staleUntilMinute) = Self.histories[history]
    let (grouped, separate, ids) = Self.stores(minutes: 240, seed: seed, staleUntilMinute: staleUntilMinute)
    for id in ids {
      #expect(grouped.sampleCount(id) == separate.sampleCount(id))
      #expect(grouped.append(id, timestampMs: 1 << 50, value: 1) == false, "a member takes samples only in rows")
    }
    let newestMs: Int64 = 240 * 60_000
    var compared = 0
    for t in stride(from: newestMs - 40 * 60_000, through: newestMs + 60_000, by: 20_000) {
      for id in ids {
        #expect(
          grouped.instantSample(id, atMs: t, lookbackMs: 300_000)?.bitPattern
            == separate.instantSample(id, atMs: t, lookbackMs: 300_000)?.bitPattern)
        for rangeMs: Int64 in [60_000, 300_000, 900_000] {
          let a = grouped.withRange(id, fromMs: t - rangeMs, toMs: t) { (Array($0), Array($1).map(\.bitPattern)) }
          let b = separate.withRange(id, fromMs: t - rangeMs, toMs: t) { (Array($0), Array($1).map(\.bitPattern)) }
          #expect(a.0 == b.0 && a.1 == b.1, "window of \(rangeMs) ms at \(t)")
          for isCounter in [true, false] {
            let x = grouped.counterWindow(id, fromMs: t - rangeMs, toMs: t, isCounter: isCounter)
            let y = separate.counterWindow(id, fromMs: t - rangeMs, toMs: t, isCounter: isCounter)
            #expect(x?.firstMs == y?.firstMs && x?.lastMs == y?.lastMs && x?.count == y?.count)
            #expect(x?.first.bitPattern == y?.first.bitPattern && x?.increase.bitPattern == y?.increase.bitPattern)
            if x != nil { compared += 1 }
          }
        }
      }
    }
    #expect(compared > 1_000)
  }

  @Test("reading a window's rows once per group gives each member's own window", arguments: histories.indices)
  func sharedWindowRowsAgree(history: Int) {
    let (seed, staleUntilMinute) = Self.histories[history]
    let (grouped, separate, ids) = Self.stores(minutes: 240, seed: seed, staleUntilMinute: staleUntilMinute)
    // Members one after another, as folds read them, then the standalone series and the
    // members again in reverse: the rows are reused and then replaced.
    let other = grouped.register(name: "other")  // registered already: its ID
    #expect(other == separate.register(name: "other"))
    let order = ids + [other] + ids.reversed()
    let newestMs: Int64 = 240 * 60_000
    var compared = 0
    for t in stride(from: newestMs - 40 * 60_000, through: newestMs + 60_000, by: 20_000) {
      for rangeMs: Int64 in [60_000, 300_000, 900_000] {
        for isCounter in [true, false] {
          var rows = GroupWindowRows()
          for id in order {
            let x = grouped.counterWindow(id, fromMs: t - rangeMs, toMs: t, isCounter: isCounter, rows: &rows)
            let y = separate.counterWindow(id, fromMs: t - rangeMs, toMs: t, isCounter: isCounter)
            #expect(x?.firstMs == y?.firstMs && x?.lastMs == y?.lastMs && x?.count == y?.count)
            #expect(x?.first.bitPattern == y?.first.bitPattern && x?.increase.bitPattern == y?.increase.bitPattern)
            if x != nil { compared += 1 }
          }
        }
      }
    }
    #expect(compared > 1_000)
  }

  @Test("query results are bit-identical", arguments: histories.indices)
  func queriesAgree(history: Int) throws {
    let (seed, staleUntilMinute) = Self.histories[history]
    let (grouped, separate, _) = Self.stores(minutes: 180, seed: seed, staleUntilMinute: min(staleUntilMinute, 100))
    let queries = [
      "rate(c_total[5m])", "sum(rate(c_total[5m]))", "sum by (k) (increase(c_total[3m]))",
      "delta(g[4m])", "sum(delta(g[4m]))", "irate(c_total[2m])", "resets(c_total[10m])",
      "max_over_time(g[10m])", "g", "min by (k) (g)", "sum(rate(c_total[5m] offset 7m))",
      "rate(c_total{k=\"a\"}[5m])", "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
      "histogram_quantile(0.5, rate(h_bucket[5m]))",
    ]
    let newestMs: Int64 = 180 * 60_000
    let engines = (PromQLEngine(store: grouped), PromQLEngine(store: separate))
    var nonEmpty = 0
    for query in queries {
      for t in stride(from: newestMs - 30 * 60_000, through: newestMs, by: 30_000) {
        let a = try engines.0.query(query, atMs: t).asVector ?? []
        let b = try engines.1.query(query, atMs: t).asVector ?? []
        #expect(a.map(\.labels) == b.map(\.labels), "\(query) at \(t)")
        #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "\(query) at \(t)")
        if !a.isEmpty { nonEmpty += 1 }
      }
    }
    #expect(nonEmpty > 100)
  }

  @Test("counter resets inside a window are counted; outside it they are not")
  func resets() {
    let store = SeriesStore()
    let group = store.registerScrapeGroup([(Labels([(Labels.metricName, "c_total")]), .counter)])
    for (minute, value) in [10.0, 20, 5, 15, 25, 35].enumerated() {
      _ = [value].withUnsafeBufferPointer { store.appendRow(group, timestampMs: Int64(minute) * 60_000, values: $0) }
    }
    let id = group.series[0]
    // 20 → 5 is a reset: Prometheus adds the 20 back (35 − 10 + 20).
    let acrossReset = store.counterWindow(id, fromMs: 0, toMs: 5 * 60_000, isCounter: true)?.increase
    #expect(acrossReset == 45.0)
    // A window starting just before the reset counts it too (35 − 20 + 20).
    #expect(store.counterWindow(id, fromMs: 60_000, toMs: 5 * 60_000, isCounter: true)?.increase == 35.0)
    // From 5 onwards there is none.
    #expect(store.counterWindow(id, fromMs: 2 * 60_000, toMs: 5 * 60_000, isCounter: true)?.increase == 30)
    // `delta` ignores resets.
    #expect(store.counterWindow(id, fromMs: 0, toMs: 5 * 60_000, isCounter: false)?.increase == 25)
  }
  @Test("a drop in one column does not hide or invent a reset in another")
  func dropsPerColumn() {
    let store = SeriesStore()
    let group = store.registerScrapeGroup([
      (Labels([(Labels.metricName, "a_total")]), .counter), (Labels([(Labels.metricName, "b_total")]), .counter),
    ])
    // `a` drops at minute 1 (10 → 2), `b` at minute 4 (40 → 1): the group's newest drop is
    // b's, later than a's.
    let rows: [[Double]] = [[10, 10], [2, 20], [4, 30], [6, 40], [8, 1], [12, 3]]
    for (minute, row) in rows.enumerated() {
      _ = row.withUnsafeBufferPointer { store.appendRow(group, timestampMs: Int64(minute) * 60_000, values: $0) }
    }
    let (a, b) = (group.series[0], group.series[1])
    // From minute 2: `a` has no reset inside (12 − 4), `b` has one (3 − 30 + 40).
    #expect(store.counterWindow(a, fromMs: 120_000, toMs: 300_000, isCounter: true)?.increase == 8)
    #expect(store.counterWindow(b, fromMs: 120_000, toMs: 300_000, isCounter: true)?.increase == 13)
    var rowsRead = GroupWindowRows()
    #expect(store.counterWindow(a, fromMs: 120_000, toMs: 300_000, isCounter: true, rows: &rowsRead)?.increase == 8)
    #expect(store.counterWindow(b, fromMs: 120_000, toMs: 300_000, isCounter: true, rows: &rowsRead)?.increase == 13)
    // From minute 0: both reset inside (12 − 10 + 10; 3 − 10 + 40).
    #expect(store.counterWindow(a, fromMs: 0, toMs: 300_000, isCounter: true)?.increase == 12)
    #expect(store.counterWindow(b, fromMs: 0, toMs: 300_000, isCounter: true)?.increase == 33)
    // After b's drop: neither.
    #expect(store.counterWindow(b, fromMs: 240_000, toMs: 300_000, isCounter: true)?.increase == 2)
  }

  @Test("a window's rows found by one fold are not reused after an append")
  func cachedWindowRowsFollowAppends() {
    let store = SeriesStore()
    let group = store.registerScrapeGroup([(Labels([(Labels.metricName, "c_total")]), .counter)])
    let id = group.series[0]
    func append(_ minute: Int, _ value: Double) {
      _ = [value].withUnsafeBufferPointer {
        store.appendRow(group, timestampMs: Int64(minute) * 60_000, values: $0)
      }
    }
    func read(toMinute: Int) -> CounterWindow? {
      var rows = GroupWindowRows()  // a fold of its own, as each rule's fold is
      return store.counterWindow(
        id, fromMs: Int64(toMinute - 5) * 60_000, toMs: Int64(toMinute) * 60_000, isCounter: true, rows: &rows)
    }
    for minute in 0..<5 { append(minute, Double(minute * 10)) }
    // The window ends after the newest row, as a rule evaluation's does.
    #expect(read(toMinute: 6)?.lastMs == 240_000)
    #expect(read(toMinute: 6)?.count == 4)  // found again from the cache
    append(5, 50)
    // The same window again: it now holds the new row.
    #expect(read(toMinute: 6)?.lastMs == 300_000)
    #expect(read(toMinute: 6)?.count == 5)
    #expect(read(toMinute: 6)?.increase == 40)
  }

  /// `groupCount` scrape targets of six members (two counters, three buckets, a gauge)
  /// scraped every 15 s at their own offsets (gaps, counter resets, stale rows until
  /// minute 60), each followed by a counter with its own buffer, in a store of groups
  /// and in one of separate series.
  static func manyTargets(groupCount: Int, seed: UInt64) -> (grouped: SeriesStore, separate: SeriesStore) {
    let grouped = SeriesStore(retention: .minutes(60))
    let separate = SeriesStore(retention: .minutes(60))
    var random = RandomStream(state: (seed, seed &* 17, 5, 3))
    var targets: [(group: ScrapeGroup, ids: [SeriesID], solo: (SeriesID, SeriesID), totals: [Double])] = []
    for target in 0..<groupCount {
      let g = ("g", String(target))
      let members: [(labels: Labels, kind: MetricKind)] = [
        (Labels([(Labels.metricName, "c_total"), ("k", "a"), g]), .counter),
        (Labels([(Labels.metricName, "c_total"), ("k", "b"), g]), .counter),
        (Labels([(Labels.metricName, "h_bucket"), g, ("le", "0.5")]), .counter),
        (Labels([(Labels.metricName, "h_bucket"), g, ("le", "1")]), .counter),
        (Labels([(Labels.metricName, "h_bucket"), g, ("le", "+Inf")]), .counter),
        (Labels([(Labels.metricName, "q"), g]), .gauge),
      ]
      let group = grouped.registerScrapeGroup(members)
      let ids = members.map { separate.register($0.labels, kind: $0.kind) }
      let soloLabels = Labels([(Labels.metricName, "c_total"), ("k", "solo"), g])
      let solo = (grouped.register(soloLabels, kind: .counter), separate.register(soloLabels, kind: .counter))
      targets.append((group, ids, solo, [Double](repeating: 0, count: members.count + 1)))
    }
    for scrape in 0..<(120 * 4) {
      for index in targets.indices {
        let timestampMs = Int64(scrape) * 15_000 + Int64(index % 7) * 1_000
        let draw = random.nextUnit()
        if draw < 0.04 { continue }
        var row: [Double]
        if draw < 0.07 && scrape < 60 * 4 {
          row = [Double](repeating: Double(bitPattern: staleNaNBitPattern), count: 6)
        } else {
          var totals = targets[index].totals
          for column in [0, 1, 6] {
            totals[column] = random.nextUnit() < 0.02 ? random.nextUnit() : totals[column] + random.nextUnit() * 5
          }
          totals[2] += Double(random.nextInt(below: 4))
          totals[3] = max(totals[3], totals[2]) + Double(random.nextInt(below: 3))
          totals[4] = totals[3] + Double(random.nextInt(below: 2))
          if random.nextUnit() < 0.01 { totals[2...4] = [0, 0, 0] }  // the buckets restart
          totals[5] = random.nextUnit()
          targets[index].totals = totals
          row = Array(totals[0..<6])
        }
        _ = row.withUnsafeBufferPointer {
          grouped.appendRow(targets[index].group, timestampMs: timestampMs, values: $0)
        }
        for (id, value) in zip(targets[index].ids, row) { separate.append(id, timestampMs: timestampMs, value: value) }
        let solo = targets[index].totals[6]
        grouped.append(targets[index].solo.0, timestampMs: timestampMs, value: solo)
        separate.append(targets[index].solo.1, timestampMs: timestampMs, value: solo)
      }
    }
    return (grouped, separate)
  }

  @Test(
    "folds reading many targets group by group agree with separate series and the generic evaluator",
    arguments: [UInt64(1), 2, 3])
  func manyTargetFoldsAgree(seed: UInt64) throws {
    // 40 targets: 120 `c_total` series (80 in groups, 40 alone) and 120 buckets are read
    // group by group; `c_total{k="a"}` (40) is read series by series.
    let (grouped, separate) = Self.manyTargets(groupCount: 40, seed: seed)
    #expect(PromQLEngine.readsInStorageOrder(120) && !PromQLEngine.readsInStorageOrder(40))
    // Each query with its generic form (`* 1` leaves every value as it is but keeps the
    // aggregation off the per-series path).
    let queries: [(String, String)] = [
      ("sum by (k) (rate(c_total[5m]))", "sum by (k) (rate(c_total[5m]) * 1)"),
      ("sum by (g) (increase(c_total[3m]))", "sum by (g) (increase(c_total[3m]) * 1)"),
      ("max by (g) (delta(c_total[4m]))", "max by (g) (delta(c_total[4m]) * 1)"),
      ("avg(rate(c_total[1m]))", "avg(rate(c_total[1m]) * 1)"),
      ("count by (g) (rate(c_total[10m] offset 7m))", "count by (g) (rate(c_total[10m] offset 7m) * 1)"),
      ("min(rate(c_total{k!=\"solo\"}[5m]))", "min(rate(c_total{k!=\"solo\"}[5m]) * 1)"),
      ("sum by (g) (rate(c_total{k=\"a\"}[5m]))", "sum by (g) (rate(c_total{k=\"a\"}[5m]) * 1)"),
      (
        "sum by (g) (rate(c_total{k=\"b\"}[5m])) / sum by (g) (rate(c_total[5m]))",
        "sum by (g) (rate(c_total{k=\"b\"}[5m]) * 1) / sum by (g) (rate(c_total[5m]) * 1)"
      ),
      (
        "sum by (g) (rate(c_total[5m])) / sum by (g) (rate(c_total[2m]))",
        "sum by (g) (rate(c_total[5m]) * 1) / sum by (g) (rate(c_total[2m]) * 1)"
      ),
      (
        "histogram_quantile(0.9, sum by (g, le) (rate(h_bucket[5m])))",
        "histogram_quantile(0.9, sum by (g, le) (rate(h_bucket[5m]) * 1))"
      ),
      ("sum(rate(h_bucket[5m]))", "sum(rate(h_bucket[5m]) * 1)"),
    ]
    let engines = (PromQLEngine(store: grouped), PromQLEngine(store: separate))
    var nonEmpty = 0
    for t in stride(from: Int64(20 * 60_000), through: 121 * 60_000, by: 50_000) {
      for (planned, generic) in queries {
        let a = try engines.0.query(planned, atMs: t).asVector ?? []
        let b = try engines.1.query(planned, atMs: t).asVector ?? []
        let c = try engines.0.query(generic, atMs: t).asVector ?? []
        #expect(a.map(\.labels) == b.map(\.labels) && a.map(\.labels) == c.map(\.labels), "\(planned) at \(t)")
        #expect(a.map(\.value.bitPattern) == b.map(\.value.bitPattern), "\(planned) at \(t)")
        #expect(a.map(\.value.bitPattern) == c.map(\.value.bitPattern), "\(planned) at \(t), generic")
        if !a.isEmpty { nonEmpty += 1 }
      }
    }
    #expect(nonEmpty > 200)
  }

  @Test("each group's header is one 64-byte aligned cache line")
  func headerLayout() {
    #expect(MemoryLayout<ScrapeGroupBuffer>.size == 64)
    #expect(MemoryLayout<ScrapeGroupBuffer>.stride == 64)
    let store = SeriesStore()
    // Enough groups to grow the header table a few times.
    for index in 0..<100 {
      _ = store.registerScrapeGroup([(Labels([(Labels.metricName, "m"), ("i", "\(index)")]), .counter)])
    }
    #expect(UInt(bitPattern: store.groups) % 64 == 0)
  }
}
