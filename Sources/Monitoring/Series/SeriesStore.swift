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
/// a simulated month, and rules read short windows at the end, so the hot paths are
/// "append one sample" and "read the last few minutes" for tens of thousands of series
/// a minute. Each series keeps two parallel buffers (timestamps in ms, values), held in
/// one flat table of plain structs (no reference counting on the hot paths). A window
/// that ends at or after a series' newest sample — every rule evaluation — is found by
/// stepping back from the end; others by binary search. A postings index per label
/// pair narrows selector matching, selections are extended as series are registered
/// rather than recomputed, and ``generation`` lets query nodes cache what they derive.
///
/// Retention: a read sees only samples no older than the series' newest sample minus
/// the retention window, exactly as if older ones were dropped on each append; they
/// are removed physically in batches (amortised O(1)).
///
/// - Complexity: `append` is amortised O(1); a read of the last k samples is O(k).
public final class SeriesStore {
  /// One series' samples in two parallel manually managed buffers.
  @usableFromInline struct SampleBuffer {
    @usableFromInline var timestamps: UnsafeMutablePointer<Int64>
    @usableFromInline var values: UnsafeMutablePointer<Double>
    /// Physically held samples are `start..<count`.
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int
    @usableFromInline var start = 0
    /// Newest timestamp (``noSample`` when empty): idle series are skipped without
    /// touching their buffers.
    @usableFromInline var newestMs = SampleBuffer.noSample
    /// Far below any simulated time, yet safe to subtract a retention from.
    @usableFromInline static let noSample: Int64 = -(1 << 62)
    /// Staleness markers among the held samples; zero allows zero-copy range reads.
    @usableFromInline var staleMarkerCount = 0
    /// The timestamp of the oldest held sample (`timestamps[start]`), kept here so that
    /// an append decides whether to discard samples without loading that line (as
    /// ``ScrapeGroupBuffer/oldestMs``): at organisation scale the recording rules append
    /// to thousands of series a minute, and that load missed the cache on most of them
    /// (80 % of the append's samples at 4×).
    @usableFromInline var oldestMs = SampleBuffer.noSample

    /// Whether the series is a member of a scrape group (its samples live in the
    /// group's rows; its own buffer is empty).
    ///
    /// Read from the header every path loads anyway, so series with their own buffers pay no extra memory access.
    @inlinable var isGroupMember: Bool { capacity == 0 }

    init(capacity: Int) {
      self.capacity = capacity
      timestamps = .allocate(capacity: capacity)
      values = .allocate(capacity: capacity)
    }

    mutating func grow() {
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

    /// Drops the samples before `newStart` physically.
    mutating func discard(before newStart: Int) {
      for position in start..<newStart where isStaleMarker(values[position]) { staleMarkerCount -= 1 }
      start = newStart
      oldestMs = timestamps[newStart]
      // Move the tail down once the dead prefix is the larger part (amortised O(1)).
      if start > 64 && start * 2 > count {
        // Raw copyMemory is memmove: the regions overlap.
        UnsafeMutableRawPointer(timestamps).copyMemory(
          from: timestamps + start, byteCount: (count - start) * MemoryLayout<Int64>.stride)
        UnsafeMutableRawPointer(values).copyMemory(
          from: values + start, byteCount: (count - start) * MemoryLayout<Double>.stride)
        count -= start
        start = 0
      }
    }

    func release() {
      timestamps.deallocate()
      values.deallocate()
    }
  }

  /// The sample buffers, indexed by `SeriesID.rawValue` (empty for members of a scrape group).
  @usableFromInline @exclusivity(unchecked) var buffers: UnsafeMutablePointer<SampleBuffer>
  /// Where each series' samples live: its own buffer, or a column of a scrape group.
  @usableFromInline @exclusivity(unchecked) var placements: UnsafeMutablePointer<Placement>
  @exclusivity(unchecked) private var buffersCapacity = 64
  /// The scrape groups' row buffers, indexed by ``Placement/group``.
  @usableFromInline @exclusivity(unchecked) var groups: UnsafeMutablePointer<ScrapeGroupBuffer>
  @usableFromInline @exclusivity(unchecked) var groupCount = 0
  /// Where the scrape groups' rows live (see ``RowArena``).
  let rowArena = RowArena()
  @exclusivity(unchecked) var groupsCapacity = 8
  /// Per scrape group (parallel to ``groups``): the window rows a fold found last.
  @usableFromInline @exclusivity(unchecked) var cachedWindows: UnsafeMutablePointer<CachedWindowRows>
  /// Per scrape group (parallel to ``groups``): its newest row's timestamp
  /// (``SampleBuffer/noSample`` before the first row), 8 bytes a group.
  ///
  /// Why: a target that is gone (a canary between rollouts) stays registered, as a
  /// series stays in Prometheus's head, so every selection of its metrics keeps it; at
  /// organisation scale, after a few days, half the groups a storage-order read visits
  /// have no row in its window. This array tells so without loading the group's header
  /// and window rows (a cache miss or two each).
  @usableFromInline @exclusivity(unchecked) var groupNewestMs: UnsafeMutablePointer<Int64>
  /// Bumped by every row append: window rows cached before it are no longer trusted.
  @usableFromInline @exclusivity(unchecked) var rowsEpoch = 0
  /// Number of registered series.
  public private(set) var seriesCount = 0
  private var labelsTable: [Labels] = []
  /// The labels without `__name__`, precomputed: most functions drop the name.
  private var labelsWithoutNameTable: [Labels] = []
  private var kinds: [MetricKind] = []
  private var idsByLabels: [Labels: SeriesID] = [:]
  /// Postings: the series holding each label pair, in registration order.
  private var idsByLabel: [Label: [SeriesID]] = [:]
  /// Selections by matcher set, extended with the series registered since (series are
  /// never removed, so the series count versions the cache).
  ///
  /// Rule groups and canary analyses select the same series every evaluation; this spares the regex matching and
  /// sorting each time.
  private var selectionCache: [String: (seriesCount: Int, ids: [SeriesID])] = [:]
  /// Incremented whenever a series is registered; selectors cache against it.
  public private(set) var generation = 0
  /// Samples older than (newest timestamp of their series − retention) are invisible.
  public let retentionMs: Int64
  /// Dead samples are removed once the oldest held one is this much past retention.
  let trimSlackMs: Int64
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
    trimSlackMs = max(1, retentionMs / 4)
    self.scrapeIntervals = scrapeIntervals
    buffers = .allocate(capacity: buffersCapacity)
    placements = .allocate(capacity: buffersCapacity)
    groups = Self.allocateGroups(capacity: groupsCapacity)
    cachedWindows = .allocate(capacity: groupsCapacity)
    groupNewestMs = .allocate(capacity: groupsCapacity)
  }

  deinit {
    for index in 0..<seriesCount { buffers[index].release() }
    buffers.deinitialize(count: seriesCount)
    buffers.deallocate()
    placements.deallocate()
    for index in 0..<groupCount { groups[index].release(to: rowArena) }
    groups.deinitialize(count: groupCount)
    Self.deallocateGroups(groups)
    cachedWindows.deallocate()
    groupNewestMs.deallocate()
  }

  /// Registers a series by its labels (including `__name__`) and returns its ID.
  ///
  /// Idempotent: the same labels give the same ID.
  @discardableResult
  public func register(_ labels: Labels, kind: MetricKind = .untyped) -> SeriesID {
    if let existing = idsByLabels[labels] { return existing }
    return add(labels, kind: kind, placement: .standalone, capacity: 16)
  }

  /// Adds a new series with its storage placement.
  func add(_ labels: Labels, kind: MetricKind, placement: Placement, capacity: Int) -> SeriesID {
    let id = SeriesID(rawValue: Int32(seriesCount))
    if seriesCount == buffersCapacity {
      let larger = UnsafeMutablePointer<SampleBuffer>.allocate(capacity: buffersCapacity * 2)
      larger.moveInitialize(from: buffers, count: seriesCount)
      buffers.deallocate()
      buffers = larger
      let largerPlacements = UnsafeMutablePointer<Placement>.allocate(capacity: buffersCapacity * 2)
      largerPlacements.moveInitialize(from: placements, count: seriesCount)
      placements.deallocate()
      placements = largerPlacements
      buffersCapacity *= 2
    }
    (buffers + seriesCount).initialize(to: SampleBuffer(capacity: capacity))
    (placements + seriesCount).initialize(to: placement)
    seriesCount += 1
    labelsTable.append(labels)
    labelsWithoutNameTable.append(labels.removing([Labels.metricName]))
    kinds.append(kind)
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
  public func labels(of id: SeriesID) -> Labels { labelsTable[Int(id.rawValue)] }

  /// The labels of a series without `__name__` (precomputed at registration).
  public func labelsWithoutName(of id: SeriesID) -> Labels {
    labelsWithoutNameTable[Int(id.rawValue)]
  }

  /// What a series measures, as registered (Prometheus metric metadata).
  public func kind(of id: SeriesID) -> MetricKind { kinds[Int(id.rawValue)] }

  /// Appends a sample.
  ///
  /// Samples must arrive in increasing timestamp order per series.
  ///
  /// - Returns: `false` (and stores nothing) when `timestampMs` is not after the newest
  ///   sample, as Prometheus rejects out-of-order and duplicate samples.
  ///
  /// A member of a scrape group takes samples only in rows (``appendRow(_:timestampMs:values:)``):
  /// appending to it alone returns `false`, as for a rejected sample.
  @discardableResult
  public func append(_ id: SeriesID, timestampMs: Int64, value: Double) -> Bool {
    let entry = buffers + Int(id.rawValue)
    if entry.pointee.isGroupMember { return false }
    if timestampMs <= entry.pointee.newestMs { return false }
    if entry.pointee.count == entry.pointee.capacity { entry.pointee.grow() }
    let count = entry.pointee.count
    if count == entry.pointee.start { entry.pointee.oldestMs = timestampMs }
    (entry.pointee.timestamps + count).initialize(to: timestampMs)
    (entry.pointee.values + count).initialize(to: value)
    entry.pointee.count = count + 1
    entry.pointee.newestMs = timestampMs
    if isStaleMarker(value) { entry.pointee.staleMarkerCount += 1 }
    let cutoff = timestampMs - retentionMs
    if entry.pointee.oldestMs < cutoff - trimSlackMs {
      let newStart = lowerBound(
        entry.pointee.timestamps, from: entry.pointee.start, to: entry.pointee.count, cutoff)
      entry.pointee.discard(before: newStart)
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
    let entry = buffers[Int(id.rawValue)]
    if entry.isGroupMember {
      return groups[Int(placements[Int(id.rawValue)].group)].rowCount(retentionMs: retentionMs)
    }
    guard entry.count > entry.start else { return 0 }
    let first = lowerBound(entry.timestamps, from: entry.start, to: entry.count, entry.newestMs - retentionMs)
    return entry.count - first
  }

  /// The newest sample at or before `timestampMs` and no older than `lookbackMs`,
  /// or nil when none or when it is a staleness marker.
  ///
  /// Mirrors `vectorSelectorSingle` in Prometheus 2.42 promql/engine.go: the window is
  /// closed at both ends, `[t − lookback, t]`.
  @inlinable
  public func instantSample(_ id: SeriesID, atMs timestampMs: Int64, lookbackMs: Int64) -> Double? {
    // The placement first: a group member's own buffer header (56 bytes, empty) is
    // then never loaded (see ``counterWindow(_:fromMs:toMs:isCounter:)``).
    let placement = placements[Int(id.rawValue)]
    if placement.group >= 0 {
      return groups[Int(placement.group)].instantSample(
        column: Int(placement.column), atMs: timestampMs, lookbackMs: lookbackMs, retentionMs: retentionMs)
    }
    let entry = buffers[Int(id.rawValue)]
    let oldest = max(timestampMs - lookbackMs, entry.newestMs - retentionMs)
    // Nothing in the lookback window (idle or never written): no buffer access.
    if entry.newestMs < oldest || entry.count == entry.start { return nil }
    let end =
      timestampMs >= entry.newestMs
      ? entry.count : upperBound(entry.timestamps, from: entry.start, to: entry.count, timestampMs)
    guard end > entry.start, entry.timestamps[end - 1] >= oldest else { return nil }
    let value = entry.values[end - 1]
    return isStaleMarker(value) ? nil : value
  }

  /// Calls `body` with the samples of a series in `[fromMs, toMs]`, staleness markers removed.
  ///
  /// Mirrors `matrixIterSlice` in Prometheus 2.42 (range selection is closed at both
  /// ends in 2.x). The buffers are borrowed from storage unless the window holds a
  /// staleness marker.
  @inlinable
  public func withRange<R>(
    _ id: SeriesID, fromMs: Int64, toMs: Int64,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    let entry = buffers[Int(id.rawValue)]
    if entry.isGroupMember {
      let placement = placements[Int(id.rawValue)]
      return groups[Int(placement.group)].withColumn(
        Int(placement.column), fromMs: fromMs, toMs: toMs, retentionMs: retentionMs, body)
    }
    let (lower, upper) = windowBounds(
      entry.timestamps, start: entry.start, count: entry.count, newestMs: entry.newestMs, fromMs: fromMs, toMs: toMs,
      retentionMs: retentionMs)
    if lower == upper {
      return body(UnsafeBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0))
    }
    return Self.deliver(entry, lower, upper, body)
  }

  /// Hands `lower..<upper` of `entry` to `body`, copying only when the window holds
  /// staleness markers (which range reads skip).
  @usableFromInline @inline(__always)
  static func deliver<R>(
    _ entry: SampleBuffer, _ lower: Int, _ upper: Int,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    if entry.staleMarkerCount != 0 {
      var hasMarker = false
      for position in lower..<upper where isStaleMarker(entry.values[position]) {
        hasMarker = true
        break
      }
      if hasMarker {
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
    }
    return body(
      UnsafeBufferPointer(start: entry.timestamps + lower, count: upper - lower),
      UnsafeBufferPointer(start: entry.values + lower, count: upper - lower))
  }

  /// A remembered window position for repeated range reads of one series at
  /// increasing times (rule evaluation): bounds move a few samples per call instead of
  /// being searched again.
  public struct RangeCursor: Sendable {
    @usableFromInline var lower = 0
    @usableFromInline var upper = 0
    public init() {}
  }

  /// Moves `cursor` to the window `[fromMs, toMs]` of `entry` (retention applied) by
  /// stepping from where it was, and returns the window's bounds.
  @inlinable @inline(__always)
  func moveCursor(_ cursor: inout RangeCursor, over entry: SampleBuffer, fromMs: Int64, toMs: Int64)
    -> (lower: Int, upper: Int)
  {
    let from = max(fromMs, entry.newestMs - retentionMs)
    let times = entry.timestamps
    let first = entry.start
    let count = entry.count
    var lower = min(max(cursor.lower, first), count)
    while lower < count && times[lower] < from { lower += 1 }
    while lower > first && times[lower - 1] >= from { lower -= 1 }
    var upper = min(max(cursor.upper, lower), count)
    while upper < count && times[upper] <= toMs { upper += 1 }
    while upper > lower && times[upper - 1] > toMs { upper -= 1 }
    cursor.lower = lower
    cursor.upper = upper
    return (lower, upper)
  }

  /// The window `[fromMs, toMs]` of a series as borrowed buffers, starting from `cursor`
  /// and updating it; nil when the window holds a staleness marker (use
  /// ``withRange(_:fromMs:toMs:_:)``, which filters them out).
  ///
  /// Why: the single-series rule plans read two windows per rule every evaluation;
  /// without a closure to call, they run without reference counting. Also nil for a
  /// member of a scrape group, whose values are not contiguous.
  @inlinable @inline(__always)
  public func window(_ id: SeriesID, fromMs: Int64, toMs: Int64, cursor: inout RangeCursor)
    -> (times: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>)?
  {
    let entry = buffers[Int(id.rawValue)]
    if entry.isGroupMember { return nil }
    let (lower, upper) = moveCursor(&cursor, over: entry, fromMs: fromMs, toMs: toMs)
    let times = entry.timestamps
    if entry.staleMarkerCount != 0 {
      for position in lower..<upper where isStaleMarker(entry.values[position]) { return nil }
    }
    return (
      UnsafeBufferPointer(start: times + lower, count: upper - lower),
      UnsafeBufferPointer(start: entry.values + lower, count: upper - lower)
    )
  }

  /// IDs of series whose labels satisfy all `matchers`, sorted by labels.
  public func select(_ matchers: [LabelMatcher]) -> [SeriesID] {
    select(matchers, key: Self.selectionKey(matchers))
  }

  /// The key under which a matcher set's selection is cached.
  static func selectionKey(_ matchers: [LabelMatcher]) -> String {
    var key = ""
    for matcher in matchers {
      key += matcher.name + "\u{1}" + matcher.kind.rawValue + "\u{1}" + matcher.value + "\u{2}"
    }
    return key
  }

  /// ``select(_:)`` with the cache key already built (selectors keep theirs).
  func select(_ matchers: [LabelMatcher], key: String) -> [SeriesID] {
    let selected: [SeriesID]
    if let cached = selectionCache[key] {
      if cached.seriesCount == seriesCount { return cached.ids }
      selected = extend(cached.ids, matchers, registeredFrom: cached.seriesCount)
    } else {
      selected = uncachedSelect(matchers)
    }
    selectionCache[key] = (seriesCount, selected)
    return selected
  }

  private func matchesAll(_ matchers: [LabelMatcher], _ id: SeriesID) -> Bool {
    let labels = labelsTable[Int(id.rawValue)]
    return matchers.allSatisfy { $0.matches(labels[$0.name]) }
  }

  private func uncachedSelect(_ matchers: [LabelMatcher]) -> [SeriesID] {
    // Start from the shortest postings list of an equality matcher with a non-empty value.
    var candidates: [SeriesID]?
    for matcher in matchers where matcher.kind == .equal && !matcher.value.isEmpty {
      let postings = idsByLabel[Label(matcher.name, matcher.value)] ?? []
      if candidates == nil || postings.count < (candidates?.count ?? 0) { candidates = postings }
    }
    var selected = candidates ?? (0..<seriesCount).map { SeriesID(rawValue: Int32($0)) }
    selected = selected.filter { matchesAll(matchers, $0) }
    return selected.sorted { labelsTable[Int($0.rawValue)] < labelsTable[Int($1.rawValue)] }
  }

  /// `selection` (sorted by labels, over the first `registeredFrom` series) plus the
  /// matching series registered since, each inserted at its place in label order.
  ///
  /// Only the new series in the shortest postings list of an equality matcher are
  /// tested: a canary analysis selects one service's series, and scanning every series
  /// registered since its last measurement (every deployment registers some) cost more
  /// than the query.
  private func extend(_ selection: [SeriesID], _ matchers: [LabelMatcher], registeredFrom: Int) -> [SeriesID] {
    var postings: [SeriesID]?
    for matcher in matchers where matcher.kind == .equal && !matcher.value.isEmpty {
      let list = idsByLabel[Label(matcher.name, matcher.value)] ?? []
      if postings == nil || list.count < (postings?.count ?? 0) { postings = list }
    }
    let newIDs: ArraySlice<SeriesID>
    if let postings {
      // Postings are in registration order: the new series are a suffix.
      var low = 0
      var high = postings.count
      while low < high {
        let mid = (low + high) >> 1
        if Int(postings[mid].rawValue) < registeredFrom { low = mid + 1 } else { high = mid }
      }
      newIDs = postings[low...]
    } else {
      newIDs = ArraySlice((registeredFrom..<seriesCount).map { SeriesID(rawValue: Int32($0)) })
    }
    var result = selection
    for id in newIDs where matchesAll(matchers, id) {
      let labels = labelsTable[Int(id.rawValue)]
      var low = 0
      var high = result.count
      while low < high {
        let mid = (low + high) >> 1
        if labelsTable[Int(result[mid].rawValue)] < labels { low = mid + 1 } else { high = mid }
      }
      result.insert(id, at: low)
    }
    return result
  }
}

/// The positions `lower..<upper` of the window `[fromMs, toMs]` among the samples
/// `start..<count` of `times` (newest at `newestMs`), samples older than `newestMs −
/// retentionMs` excluded; empty (`lower == upper`) when nothing is in it.
///
/// A window ending at or after the newest sample — every rule evaluation — is found by
/// stepping back from the end (a few samples); others by binary search.
@usableFromInline @inline(__always)
func windowBounds(
  _ times: UnsafeMutablePointer<Int64>, start: Int, count: Int, newestMs: Int64, fromMs: Int64, toMs: Int64,
  retentionMs: Int64
) -> (lower: Int, upper: Int) {
  let from = max(fromMs, newestMs - retentionMs)
  if newestMs < from || count == start || toMs < from { return (start, start) }
  if toMs >= newestMs {
    var lower = count
    let floor = max(start, count - 32)
    while lower > floor && times[lower - 1] >= from { lower -= 1 }
    if lower == floor && lower > start && times[lower - 1] >= from {
      lower = lowerBound(times, from: start, to: lower, from)
    }
    return (lower, count)
  }
  let lower = lowerBound(times, from: start, to: count, from)
  return (lower, max(lower, upperBound(times, from: lower, to: count, toMs)))
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
