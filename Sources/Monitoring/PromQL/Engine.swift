import Foundation

/// One element of an instant vector.
public struct Sample: Hashable, Sendable {
  public var labels: Labels
  public var value: Double

  public init(labels: Labels, value: Double) {
    self.labels = labels
    self.value = value
  }
}

/// The result of an instant query.
public enum QueryValue: Sendable {
  case scalar(Double)
  case vector([Sample])
  case string(String)

  /// The result as a vector; a scalar becomes one sample without labels, as the
  /// rule manager's `EngineQueryFunc` and promtool's `query` do.
  public var asVector: [Sample]? {
    switch self {
    case .vector(let samples): return samples
    case .scalar(let value): return [Sample(labels: .empty, value: value)]
    case .string: return nil
    }
  }
}

/// Evaluates PromQL instant queries against a ``SeriesStore`` at a simulated time.
///
/// Mirrors Prometheus 2.42 `promql/engine.go` for instant queries (`evaluator.eval`
/// with start = end): 5m lookback, staleness markers hide a series, range selectors
/// are closed `[t − range, t]`, and results with duplicate label sets are errors.
/// Evaluation is a pure function of the store contents and the time.
public struct PromQLEngine {
  public let store: SeriesStore
  /// `--query.lookback-delta`, default 5m.
  public var lookbackMs: Int64
  /// The step of a subquery that names none: the global evaluation interval (1m by
  /// default; promtool uses the test file's `evaluation_interval`).
  public var subqueryStepMs: Int64 = 60_000
  /// What evaluations at one instant can share (copies of the engine share it too).
  let scratch = EvaluationScratch()

  public init(store: SeriesStore, lookbackMs: Int64 = 300_000, subqueryStepMs: Int64 = 60_000) {
    self.store = store
    self.lookbackMs = lookbackMs
    self.subqueryStepMs = subqueryStepMs
  }

  /// Parses and evaluates `expression` at `timestampMs` (milliseconds of simulated time).
  public func query(_ expression: String, atMs timestampMs: Int64) throws(PromQLError) -> QueryValue {
    try evaluate(PromQLParser.parse(expression), atMs: timestampMs)
  }

  /// Evaluates a parsed expression at `timestampMs`.
  public func evaluate(_ expr: Expr, atMs timestampMs: Int64) throws(PromQLError) -> QueryValue {
    switch expr {
    case .number(let value):
      return .scalar(value)
    case .string(let value):
      return .string(value)
    case .paren(let inner):
      return try evaluate(inner, atMs: timestampMs)
    case .vector(let selector):
      return .vector(selectInstant(selector, timestampMs))
    case .matrix, .subquery:
      throw .evaluation(message: "a range vector can only be a function argument")
    case .negate(let inner):
      switch try evaluate(inner, atMs: timestampMs) {
      case .scalar(let value): return .scalar(-value)
      case .vector(let samples):
        return .vector(
          try checkedUnique(
            samples.map { Sample(labels: $0.labels.droppingMetricName(), value: -$0.value) }))
      case .string: throw .evaluation(message: "unary minus on a string")
      }
    case .call(let function, let arguments, _):
      return try evaluateCall(function, arguments, timestampMs)
    case .aggregate(let aggregation):
      return .vector(try evaluateAggregation(aggregation, timestampMs))
    case .binary(let binary):
      return try evaluateBinary(binary, timestampMs)
    }
  }

  func selectInstant(_ selector: VectorSelector, _ timestampMs: Int64) -> [Sample] {
    let ids = selector.seriesIDs(in: store)
    var out: [Sample] = []
    out.reserveCapacity(ids.count)
    let reference = referenceMs(selector, timestampMs)
    for id in ids {
      if let value = store.instantSample(id, atMs: reference, lookbackMs: lookbackMs) {
        out.append(Sample(labels: store.labels(of: id), value: value))
      }
    }
    return out
  }

  func scalarValue(_ expr: Expr, _ timestampMs: Int64) throws(PromQLError) -> Double {
    guard case .scalar(let value) = try evaluate(expr, atMs: timestampMs) else {
      throw .evaluation(message: "expected a scalar")
    }
    return value
  }

  func vectorValue(_ expr: Expr, _ timestampMs: Int64) throws(PromQLError) -> [Sample] {
    guard case .vector(let samples) = try evaluate(expr, atMs: timestampMs) else {
      throw .evaluation(message: "expected an instant vector")
    }
    return samples
  }

  /// The time a selector reads at `t`: its `@` time (or the query's for `start()`/
  /// `end()`) minus its offset, as engine.go's `setOffsetForAtModifier` arranges.
  @inline(__always) func referenceMs(_ selector: VectorSelector, _ t: Int64) -> Int64 {
    if !selector.hasAtModifier { return t - selector.offsetMs }
    return (selector.atMs ?? scratch.queryTimeMs ?? t) - selector.offsetMs
  }

  /// Rejects a result holding two samples with the same labels
  /// ("vector cannot contain metrics with the same labelset", engine.go rangeEval).
  func checkedUnique(_ samples: [Sample]) throws(PromQLError) -> [Sample] {
    if samples.count < 2 { return samples }
    var seen = Set<Labels>()
    seen.reserveCapacity(samples.count)
    for sample in samples where !seen.insert(sample.labels).inserted {
      throw .evaluation(message: "vector cannot contain metrics with the same labelset")
    }
    return samples
  }
}

/// State that evaluations may reuse, never results: the timestamp-only arithmetic of
/// the last rate window (see ``RateBoundaries``) and work arrays.
///
/// An engine belongs to one run's thread.
final class EvaluationScratch {
  @exclusivity(unchecked) var rateBoundaries: RateBoundaries?
  /// The time of the query being evaluated while a subquery evaluates its steps
  /// (`@ start()`/`@ end()` refer to it); nil at the top level.
  @exclusivity(unchecked) var queryTimeMs: Int64?
  /// Per-series values (and whether each has one) of the aggregation being folded.
  @exclusivity(unchecked) var foldValues: [Double] = []
  @exclusivity(unchecked) var foldPresent: [Bool] = []
  /// Per group key of the fold being made: its slot; −1 between folds.
  @exclusivity(unchecked) var foldSlotOfGroup: UnsafeMutablePointer<Int>
  @exclusivity(unchecked) var foldSlotCapacity = 1
  /// Work arrays of `histogram_quantile` over a per-series sum.
  @exclusivity(unchecked) var histogram = HistogramScratch()
  /// The last storage-order read of a range function's values, for a fold over a subset.
  @exclusivity(unchecked) var sharedRead = SharedRangeRead()

  init() {
    foldSlotOfGroup = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    foldSlotOfGroup.initialize(to: -1)
  }

  deinit { foldSlotOfGroup.deallocate() }
}

/// Go's `math.Max`: NaN wins, +Inf wins.
@inline(__always) func goMax(_ x: Double, _ y: Double) -> Double {
  if x.isInfinite && x > 0 || y.isInfinite && y > 0 { return .infinity }
  if x.isNaN || y.isNaN { return .nan }
  if x == 0 && y == 0 { return x.sign == .minus ? y : x }
  return x > y ? x : y
}

/// Go's `math.Min`: NaN wins, -Inf wins.
@inline(__always) func goMin(_ x: Double, _ y: Double) -> Double {
  if x.isInfinite && x < 0 || y.isInfinite && y < 0 { return -.infinity }
  if x.isNaN || y.isNaN { return .nan }
  if x == 0 && y == 0 { return x.sign == .minus ? x : y }
  return x < y ? x : y
}

extension PromQLEngine {
  /// The series of a subquery at `t`: its inner expression at each step, per label set in
  /// order of first appearance (engine.go's `SubqueryExpr` case and `evalSubquery`).
  func subquerySeries(_ subquery: Subquery, _ t: Int64) throws(PromQLError)
    -> [(labels: Labels, times: [Int64], values: [Double])]
  {
    let step = subquery.stepMs != 0 ? subquery.stepMs : subqueryStepMs
    guard step > 0 else { throw .evaluation(message: "zero subquery step") }
    let base = subquery.atMs ?? (subquery.atQueryTime ? scratch.queryTimeMs ?? t : t)
    let end = base - subquery.offsetMs
    // `@ start()`/`@ end()` inside refer to the outermost query's time.
    let outermost = scratch.queryTimeMs == nil
    if outermost { scratch.queryTimeMs = t }
    defer { if outermost { scratch.queryTimeMs = nil } }
    let earliest = end - subquery.rangeMs
    // The first multiple of the step at or after the range start (Go's truncating division).
    var start = step * (earliest / step)
    if start < earliest { start += step }
    var series: [(labels: Labels, times: [Int64], values: [Double])] = []
    var index: [Labels: Int] = [:]
    var stepTime = start
    while stepTime <= end {
      let samples: [Sample]
      switch try evaluate(subquery.expr, atMs: stepTime) {
      case .vector(let vector): samples = vector
      case .scalar(let value): samples = [Sample(labels: .empty, value: value)]
      case .string: throw .evaluation(message: "subquery of a string")
      }
      for sample in samples {
        if let position = index[sample.labels] {
          series[position].times.append(stepTime)
          series[position].values.append(sample.value)
        } else {
          index[sample.labels] = series.count
          series.append((sample.labels, [stepTime], [sample.value]))
        }
      }
      stepTime += step
    }
    return series
  }
}
