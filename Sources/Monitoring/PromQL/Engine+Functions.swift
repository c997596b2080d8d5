import Foundation

extension PromQLEngine {
  func evaluateCall(_ function: PromQLFunction, _ arguments: [Expr], _ t: Int64) throws(PromQLError)
    -> QueryValue
  {
    switch function {
    case .time:
      return .scalar(Double(t) / 1000)
    case .vector:
      return .vector([Sample(labels: .empty, value: try scalarValue(arguments[0], t))])
    case .scalar:
      let samples = try vectorValue(arguments[0], t)
      return .scalar(samples.count == 1 ? samples[0].value : .nan)
    case .absent:
      let samples = try vectorValue(arguments[0], t)
      if !samples.isEmpty { return .vector([]) }
      return .vector([Sample(labels: absentLabels(arguments[0]), value: 1)])
    case .abs, .ceil, .floor, .sqrt, .exp, .ln, .log2, .log10, .sgn:
      let samples = try vectorValue(arguments[0], t)
      return .vector(
        try checkedUnique(
          samples.map { sample in
            Sample(
              labels: sample.labels.droppingMetricName(),
              value: Self.mathFunction(function, sample.value))
          }))
    case .round:
      let samples = try vectorValue(arguments[0], t)
      let toNearest = arguments.count > 1 ? try scalarValue(arguments[1], t) : 1
      // funcRound: round half up to the nearest multiple of toNearest.
      let inverse = 1.0 / toNearest
      return .vector(
        try checkedUnique(
          samples.map { sample in
            Sample(
              labels: sample.labels.droppingMetricName(),
              value: Foundation.floor(sample.value * inverse + 0.5) / inverse)
          }))
    case .clampMin, .clampMax, .clamp:
      let samples = try vectorValue(arguments[0], t)
      let first = try scalarValue(arguments[1], t)
      let second = arguments.count > 2 ? try scalarValue(arguments[2], t) : 0
      if function == .clamp && second < first { return .vector([]) }
      return .vector(
        try checkedUnique(
          samples.map { sample in
            let value: Double
            switch function {
            case .clampMin: value = goMax(first, sample.value)
            case .clampMax: value = goMin(first, sample.value)
            default: value = goMax(first, goMin(second, sample.value))
            }
            return Sample(labels: sample.labels.droppingMetricName(), value: value)
          }))
    case .histogramQuantile:
      let quantile = try scalarValue(arguments[0], t)
      var input = arguments[1]
      while case .paren(let inner) = input { input = inner }
      if case .aggregate(let aggregation) = input,
        let result = histogramQuantileOverAggregation(quantile, aggregation, t)
      {
        return .vector(result.mayCollide ? try checkedUnique(result.samples) : result.samples)
      }
      return .vector(
        try checkedUnique(histogramQuantile(quantile, try vectorValue(arguments[1], t))))
    case .absentOverTime:
      if case .subquery(let subquery) = arguments[0] {
        let any = try subquerySeries(subquery, t).contains { !$0.times.isEmpty }
        return .vector(any ? [] : [Sample(labels: .empty, value: 1)])
      }
      guard case .matrix(let selector, let rangeMs) = arguments[0] else {
        throw .evaluation(message: "expected a range")
      }
      var any = false
      forEachRange(selector, rangeMs, t) { _, times, _ in
        if times.count > 0 { any = true }
      }
      return .vector(any ? [] : [Sample(labels: absentLabels(arguments[0]), value: 1)])
    case .quantileOverTime:
      let quantile = try scalarValue(arguments[0], t)
      return .vector(
        try rangeFunction(arguments[1], t) { _, values in
          values.isEmpty ? nil : quantileOf(quantile, Array(values))
        })
    case .rate, .increase, .delta:
      let (rangeMs, endMs): (Int64, Int64)
      switch arguments[0] {
      case .matrix(let selector, let range): (rangeMs, endMs) = (range, referenceMs(selector, t))
      case .subquery(let subquery):
        let base = subquery.atMs ?? (subquery.atQueryTime ? scratch.queryTimeMs ?? t : t)
        (rangeMs, endMs) = (subquery.rangeMs, base - subquery.offsetMs)
      default: throw .evaluation(message: "expected a range")
      }
      return .vector(
        try rangeFunction(arguments[0], t) { times, values in
          extrapolatedRate(
            times, values, rangeStartMs: endMs - rangeMs,
            rangeEndMs: endMs,
            rangeMs: rangeMs, isCounter: function != .delta, isRate: function == .rate)
        })
    case .irate, .idelta:
      return .vector(
        try rangeFunction(arguments[0], t) { times, values in
          instantValue(times, values, isRate: function == .irate)
        })
    case .changes, .resets:
      return .vector(
        try rangeFunction(arguments[0], t) { _, values in
          values.isEmpty ? nil : Self.changesOrResets(function, values)
        })
    case .avgOverTime, .sumOverTime, .countOverTime, .maxOverTime, .minOverTime, .lastOverTime:
      return .vector(
        try rangeFunction(arguments[0], t, keepName: function == .lastOverTime) { _, values in
          values.isEmpty ? nil : Self.overTime(function, values)
        })
    default:
      return try evaluateMoreFunctions(function, arguments, t)
    }
  }

  /// `changes` and `resets` over a non-empty range.
  static func changesOrResets(_ function: PromQLFunction, _ values: UnsafeBufferPointer<Double>)
    -> Double
  {
    var count = 0.0
    var previous = values[0]
    for value in values.dropFirst() {
      if function == .changes {
        if value != previous && !(value.isNaN && previous.isNaN) { count += 1 }
      } else if value < previous {
        count += 1
      }
      previous = value
    }
    return count
  }

  static func mathFunction(_ function: PromQLFunction, _ value: Double) -> Double {
    switch function {
    case .abs: return Swift.abs(value)
    case .ceil: return Foundation.ceil(value)
    case .floor: return Foundation.floor(value)
    case .sqrt: return value.squareRoot()
    case .exp: return GoMath.exp(value)
    case .ln: return GoMath.log(value)
    case .log2: return GoMath.log2(value)
    case .log10: return GoMath.log10(value)

    case .sgn: return value < 0 ? -1 : (value > 0 ? 1 : value)
    default: return value
    }
  }

  /// Mirrors the `*_over_time` functions of Prometheus 2.42 promql/functions.go
  /// (Kahan–Neumaier summation in `sum_over_time` and in the incremental mean of
  /// `avg_over_time`).
  static func overTime(_ function: PromQLFunction, _ values: UnsafeBufferPointer<Double>) -> Double {
    switch function {
    case .sumOverTime:
      var sum = 0.0
      var compensation = 0.0
      for value in values { (sum, compensation) = kahanSumIncrement(value, sum, compensation) }
      return sum + compensation
    case .countOverTime:
      return Double(values.count)
    case .lastOverTime:
      return values[values.count - 1]
    case .maxOverTime:
      var result = values[0]
      for value in values where value > result || result.isNaN { result = value }
      return result
    case .minOverTime:
      var result = values[0]
      for value in values where value < result || result.isNaN { result = value }
      return result
    default:
      var mean = 0.0
      var count = 0.0
      var compensation = 0.0
      for value in values {
        count += 1
        if mean.isInfinite {
          if value.isInfinite && (mean > 0) == (value > 0) { continue }
          if !value.isInfinite && !value.isNaN { continue }
        }
        (mean, compensation) = kahanSumIncrement(value / count - mean / count, mean, compensation)
      }
      return mean.isInfinite ? mean : mean + compensation
    }
  }

  /// Labels of `absent()`'s output: the equality matchers of a selector argument
  /// (createLabelsForAbsentFunction), minus names matched more than once or otherwise.
  func absentLabels(_ argument: Expr) -> Labels {
    let selector: VectorSelector
    switch argument {
    case .vector(let inner), .matrix(let inner, _): selector = inner
    default: return .empty
    }
    var pairs: [(String, String)] = []
    var removed: [String] = []
    for matcher in selector.matchers where matcher.name != Labels.metricName {
      if matcher.kind == .equal && !pairs.contains(where: { $0.0 == matcher.name }) {
        pairs.append((matcher.name, matcher.value))
      } else {
        removed.append(matcher.name)
      }
    }
    return Labels(pairs).removing(removed)
  }

  func forEachRange(
    _ selector: VectorSelector, _ rangeMs: Int64, _ t: Int64,
    _ body: (SeriesID, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> Void
  ) {
    let end = referenceMs(selector, t)
    for id in selector.seriesIDs(in: store) {
      store.withRange(id, fromMs: end - rangeMs, toMs: end) { times, values in
        body(id, times, values)
      }
    }
  }

  /// Applies a per-series function to a range selector, dropping `__name__` (except
  /// for `last_over_time`, as in 2.42) and series for which the function returns nil.
  func rangeFunction(
    _ argument: Expr, _ t: Int64, keepName: Bool = false,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> Double?
  ) throws(PromQLError) -> [Sample] {
    if case .subquery(let subquery) = argument {
      var out: [Sample] = []
      for series in try subquerySeries(subquery, t) {
        let value = series.times.withUnsafeBufferPointer { times in
          series.values.withUnsafeBufferPointer { values in body(times, values) }
        }
        if let value {
          out.append(Sample(labels: keepName ? series.labels : series.labels.droppingMetricName(), value: value))
        }
      }
      return try checkedUnique(out)
    }
    guard case .matrix(let selector, let rangeMs) = argument else {
      throw .evaluation(message: "expected a range")
    }
    var out: [Sample] = []
    forEachRange(selector, rangeMs, t) { id, times, values in
      if let value = body(times, values) {
        out.append(
          Sample(
            labels: keepName ? store.labels(of: id) : store.labelsWithoutName(of: id), value: value)
        )
      }
    }
    // Registered series have distinct label sets, so the outputs can only collide once
    // `__name__` is dropped and the selector spans several names
    // (`{__name__=~"a|b"}`); with a fixed name the check cannot fail and is skipped.
    if keepName || !selector.name.isEmpty { return out }
    return try checkedUnique(out)
  }
}

/// `rate`, `increase` and `delta` for float samples.
///
/// Mirrors `extrapolatedRate` in Prometheus 2.42 promql/functions.go: fewer than two
/// samples give no result; counter resets add the value before the drop; the result is
/// extrapolated to a range boundary when the gap to it is below 1.1 × the average
/// sample spacing, otherwise by half a spacing; for counters the start is first
/// limited to the zero crossing (this 2.42 order differs from 3.x).
func extrapolatedRate(
  _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>,
  rangeStartMs: Int64, rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool, isRate: Bool
) -> Double? {
  var boundaries: RateBoundaries?
  return extrapolatedRate(
    times, values, rangeStartMs: rangeStartMs, rangeEndMs: rangeEndMs, rangeMs: rangeMs, isCounter: isCounter,
    isRate: isRate, boundaries: &boundaries)
}

/// ``extrapolatedRate(_:_:rangeStartMs:rangeEndMs:rangeMs:isCounter:isRate:)`` reusing
/// `boundaries` when the window has the same timestamps as the last one.
///
/// Why: series scraped together have the same timestamps, so at one evaluation instant
/// every window of a rule group has the same first and last sample times, and most of
/// Prometheus's extrapolation arithmetic (six divisions) depends on nothing else.
/// Only the counter increase and the zero-crossing limit differ per series. The
/// operations are Prometheus's, in its order, so results are bit-identical.
@inline(__always)
func extrapolatedRate(
  _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>,
  rangeStartMs: Int64, rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool, isRate: Bool,
  boundaries: inout RateBoundaries?
) -> Double? {
  guard let timesBase = times.baseAddress, let valuesBase = values.baseAddress,
    let window = summariseCounterWindow(
      times: timesBase, values: valuesBase, stride: 1, lower: 0, upper: times.count, mayHoldMarkers: false,
      isCounter: isCounter, resetFree: false)
  else { return nil }
  return extrapolatedRate(
    window, rangeStartMs: rangeStartMs, rangeEndMs: rangeEndMs, rangeMs: rangeMs, isCounter: isCounter, isRate: isRate,
    boundaries: &boundaries)
}

/// The extrapolation half of Prometheus 2.42's `extrapolatedRate`, on a window's
/// first/last samples and counter increase (``CounterWindow``).
@inline(__always)
func extrapolatedRate(
  _ window: CounterWindow, rangeStartMs: Int64, rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool, isRate: Bool,
  boundaries: inout RateBoundaries?
) -> Double {
  let result = window.increase
  let first = window.first
  let firstMs = window.firstMs
  let lastMs = window.lastMs
  let count = window.count
  if boundaries?.matches(firstMs, lastMs, count, rangeStartMs, rangeEndMs, rangeMs, isRate) != true {
    boundaries = RateBoundaries(firstMs, lastMs, count, rangeStartMs, rangeEndMs, rangeMs, isRate)
  }
  return boundaries.unsafelyUnwrapped.rate(increase: result, first: first, isCounter: isCounter)
}

/// The timestamp-only part of Prometheus 2.42's `extrapolatedRate` for one window.
struct RateBoundaries {
  let firstMs: Int64
  let lastMs: Int64
  let count: Int
  let rangeStartMs: Int64
  let rangeEndMs: Int64
  let rangeMs: Int64
  let isRate: Bool
  let durationToStart: Double
  let durationToEnd: Double
  let sampledInterval: Double
  let averageDurationBetweenSamples: Double
  /// The factor when the zero crossing does not shorten the start gap.
  private(set) var factor = 0.0

  init(
    _ firstMs: Int64, _ lastMs: Int64, _ count: Int, _ rangeStartMs: Int64, _ rangeEndMs: Int64, _ rangeMs: Int64,
    _ isRate: Bool
  ) {
    self.firstMs = firstMs
    self.lastMs = lastMs
    self.count = count
    self.rangeStartMs = rangeStartMs
    self.rangeEndMs = rangeEndMs
    self.rangeMs = rangeMs
    self.isRate = isRate
    durationToStart = Double(firstMs - rangeStartMs) / 1000
    durationToEnd = Double(rangeEndMs - lastMs) / 1000
    sampledInterval = Double(lastMs - firstMs) / 1000
    averageDurationBetweenSamples = sampledInterval / Double(count - 1)
    factor = self.factor(durationToStart: durationToStart)
  }

  @inline(__always)
  func matches(
    _ firstMs: Int64, _ lastMs: Int64, _ count: Int, _ rangeStartMs: Int64, _ rangeEndMs: Int64, _ rangeMs: Int64,
    _ isRate: Bool
  ) -> Bool {
    self.firstMs == firstMs && self.lastMs == lastMs && self.count == count && self.rangeStartMs == rangeStartMs
      && self.rangeEndMs == rangeEndMs && self.rangeMs == rangeMs && self.isRate == isRate
  }

  /// The result for a window with these boundaries, its counter increase (resets
  /// corrected) and its first value: the end of Prometheus's `extrapolatedRate`, where a
  /// counter's extrapolation to the range start stops where it would go below zero.
  @inline(__always)
  func rate(increase result: Double, first: Double, isCounter: Bool) -> Double {
    if isCounter && result > 0 && first >= 0 {
      let durationToZero = sampledInterval * (first / result)
      if durationToZero < durationToStart {
        return result * factor(durationToStart: durationToZero)
      }
    }
    return result * factor
  }

  /// Extrapolation to the range boundaries, as a factor on the increase.
  func factor(durationToStart: Double) -> Double {
    let extrapolationThreshold = averageDurationBetweenSamples * 1.1
    var extrapolateToInterval = sampledInterval
    extrapolateToInterval +=
      durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2
    extrapolateToInterval +=
      durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2
    var factor = extrapolateToInterval / sampledInterval
    if isRate { factor /= goDurationSeconds(milliseconds: rangeMs) }
    return factor
  }
}

@inline(__always) func goDurationSeconds(milliseconds: Int64) -> Double {
  let nanoseconds = milliseconds * 1_000_000
  return Double(nanoseconds / 1_000_000_000) + Double(nanoseconds % 1_000_000_000) / 1e9
}

/// `irate` and `idelta`: mirrors `instantValue` in Prometheus 2.42 promql/functions.go.
func instantValue(
  _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>, isRate: Bool
) -> Double? {
  let count = times.count
  if count < 2 { return nil }
  let last = values[count - 1]
  let previous = values[count - 2]
  var result = isRate && last < previous ? last : last - previous
  let sampledInterval = times[count - 1] - times[count - 2]
  if sampledInterval == 0 { return nil }
  if isRate { result /= Double(sampledInterval) / 1000 }
  return result
}

/// φ-quantile of values; mirrors `quantile` in Prometheus promql/quantile.go.
func quantileOf(_ q: Double, _ input: [Double]) -> Double {
  if input.isEmpty || q.isNaN { return .nan }
  if q < 0 { return -.infinity }
  if q > 1 { return .infinity }
  // Go sorts by `Less(i, j) = a < b || isNaN(a)`, so NaNs come first.
  let values = input.sorted { $0 < $1 || ($0.isNaN && !$1.isNaN) }
  let n = Double(values.count)
  let rank = q * (n - 1)
  let lowerIndex = max(0, rank.rounded(.down))
  let upperIndex = min(n - 1, lowerIndex + 1)
  let weight = rank - rank.rounded(.down)
  return values[Int(lowerIndex)] * (1 - weight) + values[Int(upperIndex)] * weight
}

/// One step of Kahan–Neumaier summation; mirrors `kahanSumInc` in promql/functions.go.
@inline(__always) func kahanSumIncrement(_ increment: Double, _ sum: Double, _ compensation: Double)
  -> (Double, Double)
{
  let total = sum + increment
  var c = compensation
  if Swift.abs(sum) >= Swift.abs(increment) {
    c += (sum - total) + increment
  } else {
    c += (increment - total) + sum
  }
  return (total, c)
}
