import SimKernel

/// Identifies one series in a ``SeriesStore``; obtained from ``SeriesStore/register(_:kind:)``.
public struct SeriesID: Hashable, Comparable, Sendable {
  /// Index into the store's series table.
  public let rawValue: Int32

  public static func < (lhs: SeriesID, rhs: SeriesID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a series measures; informational, as in Prometheus metric metadata.
public enum MetricKind: String, Sendable {
  case counter, gauge, histogram, untyped
}

/// Scrape intervals per job: 1m by default, overridable per `job` label.
///
/// Mirrors `scrape_interval` in prometheus.yml (`config.DefaultGlobalConfig`). Simulated
/// workloads ask ``interval(forJob:)`` how often to publish their counters.
public struct ScrapeIntervals: Sendable {
  /// The global default (Prometheus: 1m).
  public var defaultInterval: SimDuration
  /// Overrides, as (job, interval) pairs; the first match wins.
  public var perJob: [(job: String, interval: SimDuration)]

  public init(
    defaultInterval: SimDuration = .minutes(1), perJob: [(job: String, interval: SimDuration)] = []
  ) {
    self.defaultInterval = defaultInterval
    self.perJob = perJob
  }

  /// The scrape interval of `job`.
  public func interval(forJob job: String) -> SimDuration {
    perJob.first(where: { $0.job == job })?.interval ?? defaultInterval
  }

  /// Whether a scrape of `job` happens at `time` (times aligned to multiples of the interval).
  public func isScrapeDue(job: String, at time: SimTime) -> Bool {
    let step = interval(forJob: job).microseconds
    return step > 0 && time.microseconds % step == 0
  }
}

/// The bit pattern Prometheus uses for a staleness marker (`value.StaleNaN`).
public let staleNaNBitPattern: UInt64 = 0x7ff0_0000_0000_0002

/// Whether `value` is a staleness marker (not just any NaN).
@inlinable public func isStaleMarker(_ value: Double) -> Bool {
  value.bitPattern == 0x7ff0_0000_0000_0002
}

/// In-memory time-series storage for simulated Prometheus metrics.
///
/// Why this shape: the simulator publishes every series once per scrape interval for
/// a simulated month, and rules read short windows at the end. Each series keeps two
/// parallel buffers (timestamps in ms, values) so that window bounds are found by binary
/// search and rate computations read contiguous memory; samples older than the
/// retention window are dropped in amortised O(1). A postings index per label pair narrows
/// selector matching, and ``generation`` lets query nodes cache the series a selector matches.
///
/// - Complexity: `append` is amortised O(1); a lookup at time t is O(log n) per series.
public final class SeriesStore {
  /// One series' samples in two parallel manually managed buffers.
  ///
  /// A class so a read retains one object; raw buffers (freed in `deinit`) so that
  /// range reads hand out pointers without retaining array storage.
  @usableFromInline final class Series {
    let labels: Labels
    /// The labels without `__name__`, precomputed: most functions drop the name.
    let labelsWithoutName: Labels
    let kind: MetricKind
    // Unchecked exclusivity: the store is single-threaded and these are hot.
    @usableFromInline @exclusivity(unchecked) var timestamps: UnsafeMutablePointer<Int64>
    @usableFromInline @exclusivity(unchecked) var values: UnsafeMutablePointer<Double>
    @usableFromInline @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) var capacity = 16
    /// Index of the first retained sample (older ones are logically dropped).
    @usableFromInline @exclusivity(unchecked) var start = 0
    /// Number of retained staleness markers; zero allows zero-copy range reads.
    @usableFromInline @exclusivity(unchecked) var staleMarkerCount = 0

    init(labels: Labels, kind: MetricKind) {
      self.labels = labels
      labelsWithoutName = labels.removing([Labels.metricName])
      self.kind = kind
      timestamps = .allocate(capacity: 16)
      values = .allocate(capacity: 16)
    }

    deinit {
      timestamps.deinitialize(count: count)
      timestamps.deallocate()
      values.deinitialize(count: count)
      values.deallocate()
    }

    func append(_ time: Int64, _ value: Double) {
      if count == capacity {
        let newCapacity = capacity * 2
        let newTimes = UnsafeMutablePointer<Int64>.allocate(capacity: newCapacity)
        let newValues = UnsafeMutablePointer<Double>.allocate(capacity: newCapacity)
        newTimes.moveInitialize(from: timestamps, count: count)
        newValues.moveInitialize(from: values, count: count)
        timestamps.deallocate()
        values.deallocate()
        timestamps = newTimes
        values = newValues
        capacity = newCapacity
      }
      (timestamps + count).initialize(to: time)
      (values + count).initialize(to: value)
      count += 1
    }

    /// Drops the first `n` samples physically.
    func removeFirst(_ n: Int) {
      // Raw copyMemory is memmove: the regions overlap.
      UnsafeMutableRawPointer(timestamps).copyMemory(
        from: timestamps + n, byteCount: (count - n) * MemoryLayout<Int64>.stride)
      UnsafeMutableRawPointer(values).copyMemory(
        from: values + n, byteCount: (count - n) * MemoryLayout<Double>.stride)
      count -= n
    }
  }

  @usableFromInline @exclusivity(unchecked) private(set) var series: [Series] = []
  private var idsByLabels: [Labels: SeriesID] = [:]
  /// Postings: the series holding each label pair, in registration order.
  private var idsByLabel: [Label: [SeriesID]] = [:]
  /// Incremented whenever a series is registered; selectors cache against it.
  public private(set) var generation = 0
  /// Samples older than (newest appended timestamp − retention) are dropped.
  public let retentionMs: Int64
  /// Scrape intervals for publishers.
  public var scrapeIntervals: ScrapeIntervals

  /// Creates an empty store.
  /// - Parameters:
  ///   - retention: how long samples are kept behind the newest sample of each series.
  ///     Must cover the longest range or lookback a rule reads (default 1 day).
  ///   - scrapeIntervals: per-job scrape intervals (default 1m).
  public init(
    retention: SimDuration = .days(1), scrapeIntervals: ScrapeIntervals = ScrapeIntervals()
  ) {
    retentionMs = max(1, retention.microseconds / 1_000)
    self.scrapeIntervals = scrapeIntervals
  }

  /// Number of registered series.
  public var seriesCount: Int { series.count }

  /// Registers a series by its labels (including `__name__`) and returns its ID.
  ///
  /// Idempotent: the same labels give the same ID.
  @discardableResult
  public func register(_ labels: Labels, kind: MetricKind = .untyped) -> SeriesID {
    if let existing = idsByLabels[labels] { return existing }
    let id = SeriesID(rawValue: Int32(series.count))
    series.append(Series(labels: labels, kind: kind))
    idsByLabels[labels] = id
    for label in labels.items { idsByLabel[label, default: []].append(id) }
    generation += 1
    return id
  }

  /// Registers a series named `name` with extra labels.
  @discardableResult
  public func register(name: String, labels: [(String, String)] = [], kind: MetricKind = .untyped)
    -> SeriesID
  {
    register(Labels([(Labels.metricName, name)] + labels), kind: kind)
  }

  /// The ID of a registered series, if any.
  public func id(of labels: Labels) -> SeriesID? { idsByLabels[labels] }

  /// The labels of a series.
  public func labels(of id: SeriesID) -> Labels { series[Int(id.rawValue)].labels }

  /// The labels of a series without `__name__` (precomputed at registration).
  public func labelsWithoutName(of id: SeriesID) -> Labels {
    series[Int(id.rawValue)].labelsWithoutName
  }

  /// Appends a sample. Samples must arrive in increasing timestamp order per series.
  ///
  /// - Returns: `false` (and stores nothing) when `timestampMs` is not after the newest
  ///   sample, as Prometheus rejects out-of-order and duplicate samples.
  @discardableResult
  public func append(_ id: SeriesID, timestampMs: Int64, value: Double) -> Bool {
    let entry = series[Int(id.rawValue)]
    if entry.count > 0 && timestampMs <= entry.timestamps[entry.count - 1] { return false }
    entry.append(timestampMs, value)
    if isStaleMarker(value) { entry.staleMarkerCount += 1 }
    if entry.timestamps[entry.start] < timestampMs - retentionMs {
      trim(entry, newestMs: timestampMs)
    }
    return true
  }

  /// Marks a series stale at `timestampMs`, as Prometheus does when a target stops exposing it.
  @discardableResult
  public func appendStaleMarker(_ id: SeriesID, timestampMs: Int64) -> Bool {
    append(id, timestampMs: timestampMs, value: Double(bitPattern: staleNaNBitPattern))
  }

  /// Number of retained samples of a series.
  public func sampleCount(_ id: SeriesID) -> Int {
    let entry = series[Int(id.rawValue)]
    return entry.count - entry.start
  }

  /// The newest sample at or before `timestampMs` and no older than `lookbackMs`,
  /// or nil when none or when it is a staleness marker.
  ///
  /// Mirrors `vectorSelectorSingle` in Prometheus 2.42 promql/engine.go: the window is
  /// closed at both ends, `[t − lookback, t]`.
  @inlinable
  public func instantSample(_ id: SeriesID, atMs timestampMs: Int64, lookbackMs: Int64) -> Double? {
    instantSampleImpl(Int(id.rawValue), timestampMs, lookbackMs)
  }

  @usableFromInline
  func instantSampleImpl(_ index: Int, _ timestampMs: Int64, _ lookbackMs: Int64) -> Double? {
    let entry = series[index]
    let end = upperBound(entry.timestamps, from: entry.start, to: entry.count, timestampMs)
    guard end > entry.start else { return nil }
    let time = entry.timestamps[end - 1]
    guard time >= timestampMs - lookbackMs else { return nil }
    let value = entry.values[end - 1]
    return isStaleMarker(value) ? nil : value
  }

  /// Calls `body` with the samples of a series in `[fromMs, toMs]`, staleness markers removed.
  ///
  /// Mirrors `matrixIterSlice` in Prometheus 2.42 (range selection is left-closed in 2.x).
  /// The buffers are borrowed from storage when the series has no staleness markers.
  @inlinable
  public func withRange<R>(
    _ id: SeriesID, fromMs: Int64, toMs: Int64,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    withRangeImpl(Int(id.rawValue), fromMs, toMs, body)
  }

  @usableFromInline
  func withRangeImpl<R>(
    _ index: Int, _ fromMs: Int64, _ toMs: Int64,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    let entry = series[index]
    let lower = lowerBound(entry.timestamps, from: entry.start, to: entry.count, fromMs)
    let upper = max(lower, upperBound(entry.timestamps, from: entry.start, to: entry.count, toMs))
    if entry.staleMarkerCount == 0 {
      return body(
        UnsafeBufferPointer(start: entry.timestamps + lower, count: upper - lower),
        UnsafeBufferPointer(start: entry.values + lower, count: upper - lower))
    }
    var times: [Int64] = []
    var values: [Double] = []
    for position in lower..<upper where !isStaleMarker(entry.values[position]) {
      times.append(entry.timestamps[position])
      values.append(entry.values[position])
    }
    return times.withUnsafeBufferPointer { timeBuffer in
      values.withUnsafeBufferPointer { valueBuffer in body(timeBuffer, valueBuffer) }
    }
  }

  /// A remembered window position for repeated range reads of one series at
  /// increasing times (rule evaluation): bounds move a few samples per call instead of
  /// being searched again.
  public struct RangeCursor: Sendable {
    @usableFromInline var lower = 0
    @usableFromInline var upper = 0
    public init() {}
  }

  /// ``withRange(_:fromMs:toMs:_:)`` that starts from `cursor` and updates it.
  ///
  /// - Complexity: O(samples the window moved by), any time order is still correct.
  @inlinable
  public func withRange<R>(
    _ id: SeriesID, fromMs: Int64, toMs: Int64, cursor: inout RangeCursor,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    let entry = series[Int(id.rawValue)]
    if entry.staleMarkerCount != 0 { return withRangeImpl(Int(id.rawValue), fromMs, toMs, body) }
    let times = entry.timestamps
    let first = entry.start
    let count = entry.count
    var lower = min(max(cursor.lower, first), count)
    while lower < count && times[lower] < fromMs { lower += 1 }
    while lower > first && times[lower - 1] >= fromMs { lower -= 1 }
    var upper = min(max(cursor.upper, lower), count)
    while upper < count && times[upper] <= toMs { upper += 1 }
    while upper > lower && times[upper - 1] > toMs { upper -= 1 }
    cursor.lower = lower
    cursor.upper = upper
    return body(
      UnsafeBufferPointer(start: times + lower, count: upper - lower),
      UnsafeBufferPointer(start: entry.values + lower, count: upper - lower))
  }

  /// IDs of series whose labels satisfy all `matchers`, sorted by labels.
  public func select(_ matchers: [LabelMatcher]) -> [SeriesID] {
    // Start from the shortest postings list of an equality matcher with a non-empty value.
    var candidates: [SeriesID]?
    for matcher in matchers where matcher.kind == .equal && !matcher.value.isEmpty {
      let postings = idsByLabel[Label(matcher.name, matcher.value)] ?? []
      if candidates == nil || postings.count < (candidates?.count ?? 0) { candidates = postings }
    }
    var selected = candidates ?? (0..<series.count).map { SeriesID(rawValue: Int32($0)) }
    selected = selected.filter { id in
      let labels = series[Int(id.rawValue)].labels
      return matchers.allSatisfy { $0.matches(labels[$0.name]) }
    }
    return selected.sorted { series[Int($0.rawValue)].labels < series[Int($1.rawValue)].labels }
  }

  private func trim(_ entry: Series, newestMs: Int64) {
    let cutoff = newestMs - retentionMs
    let newStart = lowerBound(entry.timestamps, from: entry.start, to: entry.count, cutoff)
    for position in entry.start..<newStart where isStaleMarker(entry.values[position]) {
      entry.staleMarkerCount -= 1
    }
    entry.start = newStart
    if newStart > 64 && newStart * 2 > entry.count {
      entry.removeFirst(newStart)
      entry.start = 0
    }
  }
}

/// First index in `from..<to` whose timestamp is ≥ `value` (`to` when none).
@usableFromInline @inline(__always)
func lowerBound(_ array: UnsafeMutablePointer<Int64>, from: Int, to: Int, _ value: Int64) -> Int {
  var low = from
  var high = to
  while low < high {
    let mid = (low + high) >> 1
    if array[mid] < value { low = mid + 1 } else { high = mid }
  }
  return low
}

/// First index in `from..<to` whose timestamp is > `value` (`to` when none).
@usableFromInline @inline(__always)
func upperBound(_ array: UnsafeMutablePointer<Int64>, from: Int, to: Int, _ value: Int64) -> Int {
  var low = from
  var high = to
  while low < high {
    let mid = (low + high) >> 1
    if array[mid] <= value { low = mid + 1 } else { high = mid }
  }
  return low
}
