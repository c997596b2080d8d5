/// The series of one classic Prometheus histogram: `_bucket{le}`, `_sum` and `_count`.
public struct HistogramSeriesIDs: Sendable {
  /// Upper bounds of the finite buckets, ascending; `+Inf` is implicit and last.
  public let upperBounds: [Double]
  /// One ID per bucket, the `+Inf` bucket last.
  public let buckets: [SeriesID]
  public let sum: SeriesID
  public let count: SeriesID
}

extension SeriesStore {
  /// Registers a classic histogram named `name` (without suffix) with the given bucket bounds.
  ///
  /// `le` values are formatted as Prometheus client libraries do (`0.5`, `1`, `+Inf`),
  /// so `histogram_quantile` and users' `le="0.5"` matchers see the usual labels.
  public func registerHistogram(
    name: String, labels: [(String, String)] = [], upperBounds: [Double]
  ) -> HistogramSeriesIDs {
    let bounds = upperBounds.filter { $0.isFinite }.sorted()
    var bucketIDs: [SeriesID] = []
    for bound in bounds + [Double.infinity] {
      let le = bound.isInfinite ? "+Inf" : formatGoFloat(bound)
      bucketIDs.append(
        register(name: name + "_bucket", labels: labels + [("le", le)], kind: .histogram))
    }
    return HistogramSeriesIDs(
      upperBounds: bounds,
      buckets: bucketIDs,
      sum: register(name: name + "_sum", labels: labels, kind: .histogram),
      count: register(name: name + "_count", labels: labels, kind: .histogram))
  }

  /// Appends one scrape of a histogram.
  /// - Parameters:
  ///   - cumulativeCounts: cumulative count per bucket including `+Inf` (same order as `buckets`).
  ///   - sum: sum of all observations.
  public func append(
    _ histogram: HistogramSeriesIDs, timestampMs: Int64, cumulativeCounts: [Double], sum: Double
  ) {
    precondition(
      cumulativeCounts.count == histogram.buckets.count,
      "one cumulative count per bucket, +Inf included")
    for (id, count) in zip(histogram.buckets, cumulativeCounts) {
      append(id, timestampMs: timestampMs, value: count)
    }
    append(histogram.sum, timestampMs: timestampMs, value: sum)
    append(histogram.count, timestampMs: timestampMs, value: cumulativeCounts.last ?? 0)
  }
}
