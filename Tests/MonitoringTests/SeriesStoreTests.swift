import Monitoring
import SimKernel
import Testing

@Suite("Series store")
struct SeriesStoreTests {
  @Test("registration is idempotent and labels are kept sorted")
  func registration() {
    let store = SeriesStore()
    let first = store.register(
      name: "http_requests_total", labels: [("service", "a"), ("code", "500")], kind: .counter)
    let again = store.register(
      Labels([("code", "500"), ("__name__", "http_requests_total"), ("service", "a")]))
    #expect(first == again)
    #expect(store.seriesCount == 1)
    #expect(
      store.labels(of: first).description == "http_requests_total{code=\"500\", service=\"a\"}")
    #expect(store.labelsWithoutName(of: first).description == "{code=\"500\", service=\"a\"}")
  }

  @Test("out-of-order and duplicate samples are rejected")
  func ordering() {
    let store = SeriesStore()
    let id = store.register(name: "x")
    #expect(store.append(id, timestampMs: 1_000, value: 1))
    #expect(!store.append(id, timestampMs: 1_000, value: 2))
    #expect(!store.append(id, timestampMs: 500, value: 3))
    #expect(store.sampleCount(id) == 1)
  }

  @Test("instant lookups use a closed 5m lookback and hide staleness markers")
  func instantLookup() {
    let store = SeriesStore()
    let id = store.register(name: "x")
    store.append(id, timestampMs: 0, value: 1)
    store.append(id, timestampMs: 60_000, value: 2)
    store.appendStaleMarker(id, timestampMs: 120_000)
    #expect(store.instantSample(id, atMs: 60_000, lookbackMs: 300_000) == 2)
    #expect(store.instantSample(id, atMs: 119_999, lookbackMs: 300_000) == 2)
    #expect(store.instantSample(id, atMs: 120_000, lookbackMs: 300_000) == nil)
    #expect(store.instantSample(id, atMs: 360_000, lookbackMs: 300_000) == nil)
    let other = store.register(name: "y")
    store.append(other, timestampMs: 0, value: 7)
    #expect(store.instantSample(other, atMs: 300_000, lookbackMs: 300_000) == 7)
    #expect(store.instantSample(other, atMs: 300_001, lookbackMs: 300_000) == nil)
  }

  @Test("range reads are closed at both ends and skip staleness markers")
  func rangeRead() {
    let store = SeriesStore()
    let id = store.register(name: "x")
    for minute in 0..<10 {
      if minute == 4 {
        store.appendStaleMarker(id, timestampMs: Int64(minute) * 60_000)
      } else {
        store.append(id, timestampMs: Int64(minute) * 60_000, value: Double(minute))
      }
    }
    let values = store.withRange(id, fromMs: 120_000, toMs: 360_000) { _, values in Array(values) }
    #expect(values == [2, 3, 5, 6])
  }

  @Test("retention bounds memory per series")
  func retention() {
    let store = SeriesStore(retention: .minutes(10))
    let id = store.register(name: "x")
    for second in 0..<100_000 {
      store.append(id, timestampMs: Int64(second) * 1_000, value: Double(second))
    }
    #expect(store.sampleCount(id) == 601)
    let oldest: Int64 = store.withRange(id, fromMs: 0, toMs: .max) { times, _ in times.first ?? -1 }
    #expect(oldest == 99_399_000)
  }

  @Test("a classic histogram registers _bucket{le}, _sum and _count")
  func histogram() throws {
    let store = SeriesStore()
    let histogram = store.registerHistogram(
      name: "latency_seconds", labels: [("service", "a")], upperBounds: [0.5, 0.1, 1])
    store.append(histogram, timestampMs: 0, cumulativeCounts: [5, 8, 9, 10], sum: 3.2)
    #expect(histogram.buckets.map { store.labels(of: $0)["le"] } == ["0.1", "0.5", "1", "+Inf"])
    let engine = PromQLEngine(store: store)
    guard
      case .vector(let samples) = try engine.query(
        "histogram_quantile(0.5, latency_seconds_bucket)", atMs: 0)
    else {
      Issue.record("expected a vector")
      return
    }
    #expect(samples == [Sample(labels: Labels(["service": "a"]), value: 0.1)])
    #expect(store.instantSample(histogram.count, atMs: 0, lookbackMs: 1) == 10)
  }

  @Test(
    "a cached selection extended with new series equals a fresh selection",
    arguments: [
      #"x{service="a"}"#, #"{service="a", track="canary", code=~"5.."}"#, #"{code=~"5.."}"#, #"x{track=""}"#,
      #"{service="none"}"#,
    ])
  func extendedSelection(_ selector: String) throws {
    guard case .vector(let parsed) = try PromQLParser.parse(selector) else {
      Issue.record("expected a selector")
      return
    }
    let store = SeriesStore()
    var registered: [Labels] = []
    for round in 0..<6 {
      // Each round registers series of several services, interleaved, as deployments do.
      for service in ["b", "a", "c"] {
        for code in ["200", "500"] {
          var labels: [(String, String)] = [("service", service), ("code", code), ("version", "v\(round)")]
          if round % 2 == 1 { labels.append(("track", "canary")) }
          let name = code == "500" && round == 3 ? "y" : "x"
          store.register(name: name, labels: labels)
          registered.append(Labels([(Labels.metricName, name)] + labels))
        }
      }
      let fresh = SeriesStore()
      for labels in registered { fresh.register(labels) }
      #expect(store.select(parsed.matchers) == fresh.select(parsed.matchers), "round \(round)")
    }
  }

  @Test("scrape intervals default to 1m and can be overridden per job")
  func scrapeIntervals() {
    let intervals = ScrapeIntervals(perJob: [(job: "kserve", interval: .seconds(15))])
    #expect(intervals.interval(forJob: "api") == .minutes(1))
    #expect(intervals.interval(forJob: "kserve") == .seconds(15))
    #expect(intervals.isScrapeDue(job: "kserve", at: SimTime(microseconds: 45_000_000)))
    #expect(!intervals.isScrapeDue(job: "api", at: SimTime(microseconds: 45_000_000)))
  }
}
