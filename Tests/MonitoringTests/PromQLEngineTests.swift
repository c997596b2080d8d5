import Monitoring
import Testing

/// Spot checks of engine semantics with hand-computed values (promtool checks the rest).
@Suite("PromQL engine")
struct PromQLEngineTests {
  func engine(_ series: [(String, [Double?])], stepMs: Int64 = 60_000) -> PromQLEngine {
    let store = SeriesStore()
    for (name, values) in series {
      let id = store.register(name: name)
      for (index, value) in values.enumerated() {
        if let value { store.append(id, timestampMs: Int64(index) * stepMs, value: value) }
      }
    }
    return PromQLEngine(store: store)
  }

  func scalar(_ engine: PromQLEngine, _ expression: String, _ t: Int64) throws -> Double? {
    guard case .vector(let samples) = try engine.query(expression, atMs: t), samples.count == 1
    else { return nil }
    return samples[0].value
  }

  @Test("rate limits extrapolation to the zero crossing first (Prometheus 2.42 order)")
  func zeroCrossing() throws {
    // Samples 8, 18, 28 at 3m, 4m, 5m; window [0, 5m]: start gap 180 s, zero crossing 48 s
    // (< 1.1 × 60 s), so the increase is 20 × (120 + 48) / 120 = 28.
    let engine = engine([("c", [nil, nil, nil, 8, 18, 28])])
    #expect(try scalar(engine, "increase(c[5m])", 300_000) == 28)
  }

  @Test("the range is closed on the left in 2.x: [t-1m, t] holds two samples at 1m spacing")
  func leftClosedRange() throws {
    let engine = engine([("c", [0, 60, 120])])
    #expect(try scalar(engine, "rate(c[1m])", 120_000) == 1)
  }

  @Test("counter resets add the value before the drop")
  func counterReset() throws {
    let engine = engine([("c", [0, 10, 20, 5, 15])])
    // raw increase 15 - 0 + 20 = 35 over 240 s sampled; [4m] window fully covered.
    #expect(try scalar(engine, "increase(c[4m])", 240_000) == 35)
  }

  @Test("many-to-many matching is an evaluation error")
  func manyToMany() {
    let store = SeriesStore()
    for (code, value) in [("500", 1.0), ("503", 2.0)] {
      store.append(
        store.register(name: "errors", labels: [("code", code), ("job", "a")]), timestampMs: 0,
        value: value)
    }
    store.append(
      store.register(name: "requests", labels: [("job", "a")]), timestampMs: 0, value: 10)
    let engine = PromQLEngine(store: store)
    #expect(throws: PromQLError.self) { try engine.query("requests / on(job) errors", atMs: 0) }
    #expect(throws: Never.self) {
      try engine.query("errors / on(job) group_left requests", atMs: 0)
    }
  }
}
