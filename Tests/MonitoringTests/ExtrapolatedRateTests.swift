import Testing

@testable import Monitoring

/// `rate`, `increase` and `delta` against Prometheus's `extrapolatedRate`, bit for bit.
///
/// The reference is written out plainly from promql/functions.go as of Prometheus 3
/// (resets counted from the first sample, one `factor` on the increase). The engine
/// shares the timestamp arithmetic between the series of a window (``RateBoundaries``),
/// which may change no result, least of all near the point where a counter's zero
/// crossing starts to shorten the extrapolation to the range start.
@Suite("Extrapolated rate")
struct ExtrapolatedRateTests {
  /// Prometheus's arithmetic, operation for operation.
  static func reference(
    _ times: [Int64], _ values: [Double], rangeStartMs: Int64, rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool,
    isRate: Bool
  ) -> Double? {
    guard times.count >= 2 else { return nil }
    var result = values[values.count - 1] - values[0]
    if isCounter {
      var previous = values[0]
      for value in values.dropFirst() {
        if value < previous { result += previous }
        previous = value
      }
    }
    return extrapolate(
      result, first: values[0], firstMs: times[0], lastMs: times[times.count - 1], count: times.count,
      rangeStartMs: rangeStartMs, rangeEndMs: rangeEndMs, rangeMs: rangeMs, isCounter: isCounter, isRate: isRate)
  }

  /// The rest of it, from the window's increase (resets corrected) and first value.
  static func extrapolate(
    _ increase: Double, first: Double, firstMs: Int64, lastMs: Int64, count: Int, rangeStartMs: Int64,
    rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool, isRate: Bool
  ) -> Double {
    var durationToStart = Double(firstMs - rangeStartMs) / 1000
    let durationToEnd = Double(rangeEndMs - lastMs) / 1000
    let sampledInterval = Double(lastMs - firstMs) / 1000
    let averageDurationBetweenSamples = sampledInterval / Double(count - 1)
    if isCounter && increase > 0 && first >= 0 {
      let durationToZero = sampledInterval * (first / increase)
      if durationToZero < durationToStart { durationToStart = durationToZero }
    }
    let extrapolationThreshold = averageDurationBetweenSamples * 1.1
    var extrapolateToInterval = sampledInterval
    extrapolateToInterval +=
      durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2
    extrapolateToInterval += durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2
    var factor = extrapolateToInterval / sampledInterval
    if isRate {
      let nanoseconds = rangeMs * 1_000_000
      factor /= Double(nanoseconds / 1_000_000_000) + Double(nanoseconds % 1_000_000_000) / 1e9
    }
    return increase * factor
  }

  @Test("agrees with Prometheus's arithmetic, near the zero-crossing limit and far from it")
  func agreesWithReference() {
    var random = SystemRandomNumberGeneratorFree(seed: 19)
    var checked = 0
    var nearLimit = 0
    var shortened = 0
    for _ in 0..<200_000 {
      let rangeMs = Int64([60_000, 120_000, 300_000, 3_600_000, 1_500][random.below(5)])
      let endMs = Int64(10_000_000 + random.below(1_000_000))
      let startMs = endMs - rangeMs
      let count = 2 + random.below(9)
      var times: [Int64] = []
      var t = startMs + Int64(random.below(Int(rangeMs / Int64(count))))
      for _ in 0..<count {
        times.append(t)
        t += 1 + Int64(random.below(Int(rangeMs / Int64(count))))
      }
      guard let last = times.last, last <= endMs else { continue }
      var values: [Double] = [0]
      for _ in 1..<count {
        let steps = [random.unit() * 100, Double(random.below(5)), 1e-300 * random.unit(), random.unit() * 1e15]
        let step = steps[random.below(4)]
        // Now and then a drop (a counter reset) or a negative step for `delta`.
        let previous = values[values.count - 1]
        values.append(random.below(20) == 0 ? previous * random.unit() : previous + step)
      }
      let increase = values[count - 1] - values[0]
      let durationToStart = Double(times[0] - startMs) / 1000
      let sampledInterval = Double(times[count - 1] - times[0]) / 1000
      // The first value: at the limit where the zero crossing meets the start gap
      // (nudged by a few units in the last place either way), or anywhere.
      var first: Double
      switch random.below(6) {
      case 0, 1:
        first = increase * (durationToStart / sampledInterval)
        for _ in 0..<random.below(4) { first = random.below(2) == 0 ? first.nextUp : first.nextDown }
        nearLimit += 1
      case 2: first = increase * (durationToStart / sampledInterval) * 2
      case 3: first = [0, -1, 5e-324, .infinity, 1e308][random.below(5)]
      default: first = random.unit() * [1, 1e3, 1e9, 1e-3][random.below(4)] * max(increase, 1)
      }
      let shifted = values.map { $0 + first }
      for isCounter in [true, false] {
        for isRate in [true, false] {
          let expected = Self.reference(
            times, shifted, rangeStartMs: startMs, rangeEndMs: endMs, rangeMs: rangeMs, isCounter: isCounter,
            isRate: isRate)
          let actual = times.withUnsafeBufferPointer { times in
            shifted.withUnsafeBufferPointer { values in
              extrapolatedRate(
                times, values, rangeStartMs: startMs, rangeEndMs: endMs, rangeMs: rangeMs, isCounter: isCounter,
                isRate: isRate)
            }
          }
          if actual?.bitPattern != expected?.bitPattern {
            Issue.record(
              """
              times \(times) values \(shifted) counter \(isCounter) rate \(isRate): \
              \(String(describing: actual)) ≠ \(String(describing: expected))
              """)
            return
          }
          checked += 1
        }
      }
      if shifted[0] >= 0 && increase > 0 && sampledInterval * (shifted[0] / increase) < durationToStart {
        shortened += 1
      }
    }
    #expect(checked > 500_000)
    #expect(nearLimit > 50_000)
    // Both outcomes of the zero-crossing test occur many times.
    #expect(shortened > 10_000)
  }

  @Test("the zero-crossing limit is decided as Prometheus decides it, to the last place")
  func zeroCrossingLimit() {
    var random = SystemRandomNumberGeneratorFree(seed: 7)
    var shortened = 0
    var kept = 0
    for _ in 0..<300_000 {
      let rangeMs = Int64([60_000, 300_000, 3_600_000, 1_500][random.below(4)])
      let endMs = Int64(10_000_000 + random.below(1_000_000))
      let startMs = endMs - rangeMs
      let firstMs = startMs + Int64(random.below(Int(rangeMs / 2)))
      let lastMs = firstMs + 1 + Int64(random.below(Int(endMs - firstMs)))
      let count = 2 + random.below(30)
      let isRate = random.below(2) == 0
      let boundaries = RateBoundaries(firstMs, lastMs, count, startMs, endMs, rangeMs, isRate)
      let increases = [random.unit() * 1e3, Double(1 + random.below(1_000)), random.unit() * 1e-310, 1e300]
      let increase = increases[random.below(4)]
      let durationToStart = Double(firstMs - startMs) / 1000
      let sampledInterval = Double(lastMs - firstMs) / 1000
      // First values around the limit, computed in several orders and nudged by up to
      // four units in the last place: where the decision flips.
      var first = [
        increase * (durationToStart / sampledInterval), increase * durationToStart / sampledInterval,
        durationToStart / sampledInterval * increase, 2 * increase * (durationToStart / sampledInterval),
      ][random.below(4)]
      for _ in 0..<random.below(5) { first = random.below(2) == 0 ? first.nextUp : first.nextDown }
      let expected = Self.extrapolate(
        increase, first: first, firstMs: firstMs, lastMs: lastMs, count: count, rangeStartMs: startMs,
        rangeEndMs: endMs, rangeMs: rangeMs, isCounter: true, isRate: isRate)
      let actual = boundaries.rate(increase: increase, first: first, isCounter: true)
      if actual.bitPattern != expected.bitPattern {
        Issue.record(
          """
          increase \(increase) first \(first) window \(firstMs)…\(lastMs) of \(startMs)…\(endMs): \
          \(actual) ≠ \(expected)
          """)
        return
      }
      if sampledInterval * (first / increase) < durationToStart { shortened += 1 } else { kept += 1 }
    }
    #expect(shortened > 50_000)
    #expect(kept > 50_000)
  }
}

/// The cases' draws, from the module's SplitMix64 (a fixed sequence, independent of the
/// simulator's streams).
extension SystemRandomNumberGeneratorFree {
  mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
