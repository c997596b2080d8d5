import CPrefetch

/// Where a series' samples live.
@usableFromInline struct Placement: Sendable {
  /// Index into ``SeriesStore/groups``, or −1 for a series with its own buffer.
  @usableFromInline var group: Int32
  /// The series' column in its group's rows.
  @usableFromInline var column: Int32

  static let standalone = Placement(group: -1, column: 0)
}

/// The series of one scrape target, registered together and appended one row per scrape.
public struct ScrapeGroup: Sendable {
  /// Index of the group in its store.
  public let index: Int32
  /// The member series, in column order.
  public let series: [SeriesID]
}

/// The samples of a scrape group: one shared timestamp column and one row of values per
/// scrape, each row holding every member's value.
///
/// Why: a simulated service publishes a score of series at the same instants, and rules
/// read them all right after. In separate buffers every series costs its own timestamp
/// and value cache lines on each append and each read — at organisation scale the run
/// waited on those misses more than it computed. In rows, one scrape is two or three
/// cache lines, timestamps are searched once per target, and (with the counter-reset
/// bookkeeping below) a rate reads only the window's first and last rows.
@usableFromInline struct ScrapeGroupBuffer {
  // The header is 64 bytes (counts as `Int32`, read through the `Int` properties below)
  // and the store keeps headers 64-byte aligned: one cache line per group. Every scrape
  // and every fold over a group's members loads it, and at organisation scale each
  // group's lines are cold again by its next visit, so a header across two lines cost a
  // miss more per visit (issue 19).
  @usableFromInline var timestamps: UnsafeMutablePointer<Int64>
  /// Row-major: the value of column `c` at row `r` is at `r * width + c`.
  @usableFromInline var values: UnsafeMutablePointer<Double>
  /// Per column: the newest row whose value is below the row before (a counter reset
  /// inside any window that also holds the row before), or 0.
  @usableFromInline var lastDropRow: UnsafeMutablePointer<Int32>
  @usableFromInline var newestMs = SeriesStore.SampleBuffer.noSample
  /// The timestamp of the oldest held row (`timestamps[start]`), kept here so that an
  /// append decides whether to discard rows without loading that line.
  @usableFromInline var oldestMs = SeriesStore.SampleBuffer.noSample
  @usableFromInline var storedWidth: Int32
  @usableFromInline var storedCount: Int32 = 0
  @usableFromInline var storedCapacity: Int32
  @usableFromInline var storedStart: Int32 = 0
  @usableFromInline var storedMarkerRowCount: Int32 = 0
  @usableFromInline var storedNewestDropRow: Int32 = 0

  @usableFromInline var width: Int { Int(storedWidth) }
  /// Physically held rows are `start..<count`.
  @usableFromInline var count: Int {
    get { Int(storedCount) }
    set { storedCount = Int32(newValue) }
  }
  @usableFromInline var capacity: Int {
    get { Int(storedCapacity) }
    set { storedCapacity = Int32(newValue) }
  }
  @usableFromInline var start: Int {
    get { Int(storedStart) }
    set { storedStart = Int32(newValue) }
  }
  /// Held rows with a staleness marker; zero allows reading just a window's ends.
  @usableFromInline var markerRowCount: Int {
    get { Int(storedMarkerRowCount) }
    set { storedMarkerRowCount = Int32(newValue) }
  }
  /// The largest of `lastDropRow`: when it is at or before a window's first row, no
  /// column has a drop inside the window and `lastDropRow` need not be loaded.
  @usableFromInline var newestDropRow: Int {
    get { Int(storedNewestDropRow) }
    set { storedNewestDropRow = Int32(newValue) }
  }

  /// Buffers from `arena` (see ``RowArena``), which must outlive them.
  init(width: Int, capacity: Int, arena: RowArena) {
    storedWidth = Int32(width)
    storedCapacity = Int32(capacity)
    timestamps = arena.allocate(Int64.self, count: capacity)
    values = arena.allocate(Double.self, count: capacity * width)
    lastDropRow = arena.allocate(Int32.self, count: width)
    lastDropRow.initialize(repeating: 0, count: width)
  }

  func release(to arena: RowArena) {
    arena.deallocate(timestamps, count: capacity)
    arena.deallocate(values, count: capacity * width)
    arena.deallocate(lastDropRow, count: width)
  }

  /// Makes the buffer larger: twice the size, or at once the size the rows held within
  /// retention (plus the trim slack) need at the interval of the rows so far.
  ///
  /// Why: doubling from 16 rows, every group of a run outgrew 16, 32, 64 and 128 rows
  /// in the same minute, and ``RowArena`` (which reuses a buffer only at its own size)
  /// kept all of those unused: a 4× run's peak memory grew by a third. Sized from the
  /// interval at the first growth, a group scraped every minute with a 2 h retention
  /// (at most 152 rows held, so up to some 250 before a trim moves them down) takes 256
  /// rows at once and grows no more. Irregular rows only make the guess wrong, and
  /// doubling then goes on as before.
  mutating func grow(arena: RowArena, retentionMs: Int64, trimSlackMs: Int64) {
    var newCapacity = capacity * 2
    let held = count - start
    if held >= 2 && newestMs > oldestMs {
      let intervalMs = (newestMs - oldestMs) / Int64(held - 1)
      if intervalMs > 0 {
        let rowsWithinRetention = (retentionMs + trimSlackMs) / intervalMs + 2
        if rowsWithinRetention < 1 << 16 {
          while newCapacity < Int(rowsWithinRetention) { newCapacity *= 2 }
        }
      }
    }
    let newTimes = arena.allocate(Int64.self, count: newCapacity)
    let newValues = arena.allocate(Double.self, count: newCapacity * width)
    newTimes.moveInitialize(from: timestamps, count: count)
    newValues.moveInitialize(from: values, count: count * width)
    arena.deallocate(timestamps, count: capacity)
    arena.deallocate(values, count: capacity * width)
    timestamps = newTimes
    values = newValues
    capacity = newCapacity
  }

  /// Appends one row; `false` (nothing stored) unless `timestampMs` is after the newest row.
  mutating func append(
    timestampMs: Int64, row: UnsafeBufferPointer<Double>, retentionMs: Int64, trimSlackMs: Int64, arena: RowArena
  ) -> Bool {
    precondition(row.count == width, "a scrape group row needs one value per member (\(width)), got \(row.count)")
    if timestampMs <= newestMs { return false }
    if count == capacity { grow(arena: arena, retentionMs: retentionMs, trimSlackMs: trimSlackMs) }
    let count = self.count
    let width = self.width
    let base = values + count * width
    var hasMarker = false
    if count > start {
      let previous = base - width
      for column in 0..<width {
        let value = row[column]
        if value < previous[column] {
          lastDropRow[column] = Int32(count)
          newestDropRow = count
        }
        if isStaleMarker(value) { hasMarker = true }
        (base + column).initialize(to: value)
      }
    } else {
      oldestMs = timestampMs
      for column in 0..<width {
        if isStaleMarker(row[column]) { hasMarker = true }
        (base + column).initialize(to: row[column])
      }
    }
    (timestamps + count).initialize(to: timestampMs)
    if hasMarker { markerRowCount += 1 }
    self.count = count + 1
    newestMs = timestampMs
    let cutoff = timestampMs - retentionMs
    if oldestMs < cutoff - trimSlackMs {
      discard(before: lowerBound(timestamps, from: start, to: count + 1, cutoff))
    }
    return true
  }

  /// Whether held row `row` holds a staleness marker.
  func rowHasMarker(_ row: Int) -> Bool {
    let base = values + row * width
    for column in 0..<width where isStaleMarker(base[column]) { return true }
    return false
  }

  /// Drops the rows before `newStart` physically (amortised O(1), as for single series).
  mutating func discard(before newStart: Int) {
    // Rows are scanned for markers only when some held row has one.
    if markerRowCount != 0 {
      for row in start..<newStart where rowHasMarker(row) { markerRowCount -= 1 }
    }
    start = newStart
    oldestMs = timestamps[newStart]
    guard start > 64 && start * 2 > count else { return }
    let kept = count - start
    UnsafeMutableRawPointer(timestamps).copyMemory(
      from: timestamps + start, byteCount: kept * MemoryLayout<Int64>.stride)
    UnsafeMutableRawPointer(values).copyMemory(
      from: values + start * width, byteCount: kept * width * MemoryLayout<Double>.stride)
    for column in 0..<width { lastDropRow[column] = max(0, lastDropRow[column] - Int32(start)) }
    newestDropRow = max(0, newestDropRow - start)
    count = kept
    start = 0
  }

  /// Rows held within retention (staleness-marker rows included, as for single series).
  func rowCount(retentionMs: Int64) -> Int {
    guard count > start else { return 0 }
    return count - lowerBound(timestamps, from: start, to: count, newestMs - retentionMs)
  }

  /// The rows of the window `[fromMs, toMs]`, retention applied.
  @inlinable @inline(__always)
  func rows(fromMs: Int64, toMs: Int64, retentionMs: Int64) -> (lower: Int, upper: Int) {
    windowBounds(
      timestamps, start: start, count: count, newestMs: newestMs, fromMs: fromMs, toMs: toMs, retentionMs: retentionMs)
  }

  /// ``SeriesStore/instantSample(_:atMs:lookbackMs:)`` for one column.
  @inlinable
  func instantSample(column: Int, atMs timestampMs: Int64, lookbackMs: Int64, retentionMs: Int64) -> Double? {
    let oldest = max(timestampMs - lookbackMs, newestMs - retentionMs)
    if newestMs < oldest || count == start { return nil }
    let end = timestampMs >= newestMs ? count : upperBound(timestamps, from: start, to: count, timestampMs)
    guard end > start, timestamps[end - 1] >= oldest else { return nil }
    let value = values[(end - 1) * width + column]
    return isStaleMarker(value) ? nil : value
  }

  /// ``SeriesStore/withRange(_:fromMs:toMs:_:)`` for one column: its values gathered
  /// into contiguous temporary storage, staleness markers removed.
  @inlinable
  func withColumn<R>(
    _ column: Int, fromMs: Int64, toMs: Int64, retentionMs: Int64,
    _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) -> R
  ) -> R {
    let (lower, upper) = rows(fromMs: fromMs, toMs: toMs, retentionMs: retentionMs)
    let rowCount = upper - lower
    return withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(1, rowCount)) { times in
      withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, rowCount)) { gathered in
        var kept = 0
        for row in lower..<upper {
          let value = values[row * width + column]
          if isStaleMarker(value) { continue }
          times[kept] = timestamps[row]
          gathered[kept] = value
          kept += 1
        }
        return body(
          UnsafeBufferPointer(start: times.baseAddress, count: kept),
          UnsafeBufferPointer(start: gathered.baseAddress, count: kept))
      }
    }
  }
}

/// What `rate`, `increase` and `delta` need of a window: its first and last sample times,
/// its sample count, its first value and `last − first` with Prometheus's counter-reset
/// corrections added (in its order).
public struct CounterWindow {
  public var firstMs: Int64
  public var lastMs: Int64
  public var count: Int
  public var first: Double
  public var increase: Double

  @inlinable
  init(firstMs: Int64, lastMs: Int64, count: Int, first: Double, increase: Double) {
    self.firstMs = firstMs
    self.lastMs = lastMs
    self.count = count
    self.first = first
    self.increase = increase
  }
}

/// Summarises samples `lower..<upper` (values `stride` apart) as ``CounterWindow``, skipping
/// staleness markers when `mayHoldMarkers`; nil with fewer than two samples.
///
/// The arithmetic is `extrapolatedRate`'s in Prometheus 2.42 (promql/functions.go):
/// `last − first`, then `+= previous` at each drop, in sample order. `resetFree` (no drop
/// inside the window, known from bookkeeping) skips that loop, which would add nothing.
@inlinable @inline(__always)
func summariseCounterWindow(
  times: UnsafePointer<Int64>, values: UnsafePointer<Double>, stride: Int, lower: Int, upper: Int,
  mayHoldMarkers: Bool, isCounter: Bool, resetFree: Bool
) -> CounterWindow? {
  if !mayHoldMarkers {
    if upper - lower < 2 { return nil }
    let first = values[lower * stride]
    var increase = values[(upper - 1) * stride] - first
    if isCounter && !resetFree {
      var previous = first
      for row in (lower + 1)..<upper {
        let value = values[row * stride]
        if value < previous { increase += previous }
        previous = value
      }
    }
    return CounterWindow(
      firstMs: times[lower], lastMs: times[upper - 1], count: upper - lower, first: first, increase: increase)
  }
  var firstRow = -1
  var lastRow = -1
  var count = 0
  for row in lower..<upper where !isStaleMarker(values[row * stride]) {
    if firstRow < 0 { firstRow = row }
    lastRow = row
    count += 1
  }
  if count < 2 { return nil }
  let first = values[firstRow * stride]
  var increase = values[lastRow * stride] - first
  if isCounter {
    var previous = first
    for row in (firstRow + 1)...lastRow {
      let value = values[row * stride]
      if isStaleMarker(value) { continue }
      if value < previous { increase += previous }
      previous = value
    }
  }
  return CounterWindow(firstMs: times[firstRow], lastMs: times[lastRow], count: count, first: first, increase: increase)
}

extension SeriesStore {
  /// Room for `capacity` group headers, 64-byte aligned: with the 64-byte header, each
  /// group's header is one cache line (see ``ScrapeGroupBuffer``).
  static func allocateGroups(capacity: Int) -> UnsafeMutablePointer<ScrapeGroupBuffer> {
    UnsafeMutableRawPointer.allocate(
      byteCount: capacity * MemoryLayout<ScrapeGroupBuffer>.stride, alignment: 64
    ).bindMemory(to: ScrapeGroupBuffer.self, capacity: capacity)
  }

  static func deallocateGroups(_ groups: UnsafeMutablePointer<ScrapeGroupBuffer>) {
    UnsafeMutableRawPointer(groups).deallocate()
  }

  /// Registers the series of one scrape target, to be appended together with
  /// ``appendRow(_:timestampMs:values:)``; see ``ScrapeGroupBuffer`` for why.
  ///
  /// Every member must be new: a labelset already registered cannot join a group.
  public func registerScrapeGroup(_ members: [(labels: Labels, kind: MetricKind)]) -> ScrapeGroup {
    precondition(!members.isEmpty, "a scrape group needs at least one series")
    for member in members {
      precondition(id(of: member.labels) == nil, "series \(member.labels) is already registered")
    }
    if groupCount == groupsCapacity {
      let larger = Self.allocateGroups(capacity: groupsCapacity * 2)
      larger.moveInitialize(from: groups, count: groupCount)
      Self.deallocateGroups(groups)
      let largerCache = UnsafeMutablePointer<CachedWindowRows>.allocate(capacity: groupsCapacity * 2)
      largerCache.moveInitialize(from: cachedWindows, count: groupCount)
      cachedWindows.deallocate()
      cachedWindows = largerCache
      let largerNewest = UnsafeMutablePointer<Int64>.allocate(capacity: groupsCapacity * 2)
      largerNewest.moveInitialize(from: groupNewestMs, count: groupCount)
      groupNewestMs.deallocate()
      groupNewestMs = largerNewest
      groups = larger
      groupsCapacity *= 2
    }
    let index = Int32(groupCount)
    (groups + groupCount).initialize(to: ScrapeGroupBuffer(width: members.count, capacity: 16, arena: rowArena))
    (cachedWindows + groupCount).initialize(to: CachedWindowRows())
    (groupNewestMs + groupCount).initialize(to: SampleBuffer.noSample)
    groupCount += 1
    let series = members.enumerated().map { column, member in
      add(member.labels, kind: member.kind, placement: Placement(group: index, column: Int32(column)), capacity: 0)
    }
    return ScrapeGroup(index: index, series: series)
  }

  /// Appends one scrape of a group: `values[i]` for `group.series[i]`.
  ///
  /// - Returns: `false` (and stores nothing) when `timestampMs` is not after the
  ///   group's newest row, as Prometheus rejects out-of-order and duplicate samples.
  @discardableResult
  public func appendRow(_ group: ScrapeGroup, timestampMs: Int64, values: UnsafeBufferPointer<Double>) -> Bool {
    appendRow(groupIndex: group.index, timestampMs: timestampMs, values: values)
  }

  /// ``appendRow(_:timestampMs:values:)`` by the group's ``ScrapeGroup/index``.
  ///
  /// Why: a caller holding its ``ScrapeGroup`` in an object copied the group's member
  /// array (a retain and a release of a heap block of its own, a cache miss each per
  /// scrape at organisation scale) only to pass the index.
  @discardableResult
  public func appendRow(groupIndex: Int32, timestampMs: Int64, values: UnsafeBufferPointer<Double>) -> Bool {
    rowsEpoch &+= 1
    if groupCount >= Self.fewestGroupsToHint { prefetchAppend(group: Int(groupIndex) + Self.appendPrefetchDistance) }
    let index = Int(groupIndex)
    let appended = groups[index].append(
      timestampMs: timestampMs, row: values, retentionMs: retentionMs, trimSlackMs: trimSlackMs, arena: rowArena)
    groupNewestMs[index] = groups[index].newestMs
    return appended
  }

  /// Marks every series of a group stale, as Prometheus does when a target disappears.
  @discardableResult
  public func appendStaleRow(_ group: ScrapeGroup, timestampMs: Int64) -> Bool {
    let markers = [Double](repeating: Double(bitPattern: staleNaNBitPattern), count: group.series.count)
    return markers.withUnsafeBufferPointer { appendRow(group, timestampMs: timestampMs, values: $0) }
  }

  /// The ``CounterWindow`` of series `id` over `[fromMs, toMs]` (retention applied,
  /// staleness markers skipped), or nil with fewer than two samples: the per-series
  /// input of `rate`, `increase` and `delta`.
  ///
  /// Why: for a scrape-group member without a marker or counter reset in the window,
  /// this reads two values; ``withRange(_:fromMs:toMs:_:)`` would gather the column.
  @inlinable
  public func counterWindow(_ id: SeriesID, fromMs: Int64, toMs: Int64, isCounter: Bool) -> CounterWindow? {
    // The body of the variant below without its rows: written out, as delegating (with
    // rows to fill and throw away) cost small selections 4 % more instructions here.
    let placement = placements[Int(id.rawValue)]
    if placement.group >= 0 {
      let group = groups + Int(placement.group)
      let (lower, upper) = group.pointee.rows(fromMs: fromMs, toMs: toMs, retentionMs: retentionMs)
      let column = Int(placement.column)
      return summariseCounterWindow(
        times: group.pointee.timestamps, values: group.pointee.values + column, stride: group.pointee.width,
        lower: lower, upper: upper, mayHoldMarkers: group.pointee.markerRowCount != 0, isCounter: isCounter,
        resetFree: group.pointee.newestDropRow <= lower || group.pointee.lastDropRow[column] <= lower)
    }
    return standaloneCounterWindow(id, fromMs: fromMs, toMs: toMs, isCounter: isCounter)
  }

  /// ``counterWindow(_:fromMs:toMs:isCounter:)`` reusing the window's rows of the scrape
  /// group read last: `rows` must serve one window (`fromMs`, `toMs`) of one store, with
  /// no append in between.
  ///
  /// Why: a fold reads a target's members one after the other (storage order), and
  /// each found the same rows again by walking its group's timestamps back.
  @inlinable
  public func counterWindow(
    _ id: SeriesID, fromMs: Int64, toMs: Int64, isCounter: Bool, rows: inout GroupWindowRows
  ) -> CounterWindow? {
    // The placement (8 bytes a series) decides, not the buffer header (56): a fold over
    // a scrape group's members then loads two or three lines of placements instead of
    // a dozen lines of empty headers. At organisation scale these loads miss the cache
    // (every group is visited once per evaluation), so lines, not instructions, cost.
    let placement = placements[Int(id.rawValue)]
    if placement.group >= 0 {
      let group = groups + Int(placement.group)
      if rows.group != placement.group {
        // Another fold of this evaluation (the rules read each group three times) may
        // have found this window already: its rows stand until the next append.
        let cached = cachedWindows + Int(placement.group)
        if cached.pointee.epoch == rowsEpoch && cached.pointee.fromMs == fromMs && cached.pointee.toMs == toMs {
          rows.lower = Int(cached.pointee.lower)
          rows.upper = Int(cached.pointee.upper)
        } else {
          (rows.lower, rows.upper) = group.pointee.rows(fromMs: fromMs, toMs: toMs, retentionMs: retentionMs)
          cached.pointee = CachedWindowRows(
            epoch: rowsEpoch, fromMs: fromMs, toMs: toMs, lower: Int32(rows.lower), upper: Int32(rows.upper))
        }
        rows.group = placement.group
      }
      let lower = rows.lower
      let column = Int(placement.column)
      return summariseCounterWindow(
        times: group.pointee.timestamps, values: group.pointee.values + column, stride: group.pointee.width,
        lower: lower, upper: rows.upper, mayHoldMarkers: group.pointee.markerRowCount != 0, isCounter: isCounter,
        resetFree: group.pointee.newestDropRow <= lower || group.pointee.lastDropRow[column] <= lower)
    }
    return standaloneCounterWindow(id, fromMs: fromMs, toMs: toMs, isCounter: isCounter)
  }

  /// ``counterWindow(_:fromMs:toMs:isCounter:)`` of a series with its own buffer.
  @inlinable
  func standaloneCounterWindow(_ id: SeriesID, fromMs: Int64, toMs: Int64, isCounter: Bool) -> CounterWindow? {
    let entry = buffers[Int(id.rawValue)]
    let (lower, upper) = windowBounds(
      entry.timestamps, start: entry.start, count: entry.count, newestMs: entry.newestMs, fromMs: fromMs, toMs: toMs,
      retentionMs: retentionMs)
    return summariseCounterWindow(
      times: entry.timestamps, values: entry.values, stride: 1, lower: lower, upper: upper,
      mayHoldMarkers: entry.staleMarkerCount != 0, isCounter: isCounter, resetFree: false)
  }
}

extension SeriesStore {
  /// How many groups with rows in the window ahead of the one being read a
  /// storage-order read prefetches (``prefetchWindowRows(rowsOf:headerOf:rowSpan:)``).
  ///
  /// Why this many: a fold spends some 50–300 cycles on a group (one to a dozen
  /// members), and a line from memory takes several hundred; eight groups ahead covers
  /// the latency of the sparsest fold (the error ratio's 5xx sum, one member a group).
  @usableFromInline static let prefetchDistance = 8

  /// Hints the cache lines a read of group `index`'s newest rows will load.
  ///
  /// Those are the timestamps and values of the newest row, and those of the row
  /// `rowSpan` rows before it (a window of `rowSpan` rows ending now, as every rule
  /// evaluation reads); and, a step ahead, the header of group `ahead`, whose rows a
  /// later call hints. A negative index hints nothing.
  ///
  /// Why: a storage-order fold (``PromQLEngine``'s `readRangeValues`) visits every scrape
  /// group once per evaluation, and at organisation scale a group's window rows are
  /// cold by then: the first row of a 5-minute window was written five scrapes ago,
  /// and at 2,000 services the run touches several megabytes in between, more than L2
  /// holds. Loaded on demand, the fold waited on each group's lines in turn (the load
  /// of the window's first value was 40 % of the fold's samples at 4×); hinted a few
  /// groups ahead, they arrive while the fold works on the groups before. A hint
  /// changes no value and never faults (an index past the last group hints nothing).
  @inlinable @inline(__always)
  func prefetchWindowRows(rowsOf index: Int, headerOf ahead: Int, rowSpan: Int) {
    if ahead >= 0 && ahead < groupCount { platformsim_prefetch_read(groups + ahead) }
    guard index >= 0 && index < groupCount else { return }
    let group = groups + index
    let count = group.pointee.count
    let start = group.pointee.start
    guard count > start else { return }
    let width = group.pointee.width
    let values = group.pointee.values
    let timestamps = group.pointee.timestamps
    let newest = count - 1
    let first = max(start, count - max(rowSpan, 1))
    platformsim_prefetch_read(timestamps + newest)
    platformsim_prefetch_read(values + newest * width)
    platformsim_prefetch_read(values + newest * width + (width - 1))
    // The window search also reads the row before the window's first (where it stops).
    platformsim_prefetch_read(timestamps + max(start, first - 1))
    platformsim_prefetch_read(values + first * width)
    platformsim_prefetch_read(values + first * width + (width - 1))
  }
}

extension SeriesStore {
  /// How many groups ahead of the one appended to ``appendRow(groupIndex:timestampMs:values:)``
  /// prefetches (``prefetchAppend(group:)``): the traffic loop spends well over a
  /// thousand cycles per service between appends (its draws), so a few suffice.
  @usableFromInline static let appendPrefetchDistance = 4

  /// Below this many groups, appends give no hints: the groups' newest rows (two or
  /// three lines each) stay in the core's cache between scrapes, and the hints only
  /// cost instructions (they were most of the golden path's 0.07 % more).
  static let fewestGroupsToHint = 128

  /// Hints the lines an append to group `index` will touch: the newest row (compared
  /// with the new one for counter drops), the slot of the next row and its timestamp;
  /// and the header of the group `appendPrefetchDistance` further on.
  ///
  /// Why: the traffic loop appends each service's row once a scrape, in service order,
  /// and a service's stable target was registered at its first scrape, in that order:
  /// the groups a few indices ahead are the next appended. At organisation scale the
  /// newest row is cold by the next scrape (the load of its first value for the drop
  /// check was 80 % of the append's samples at 4×), and the next slot's lines are cold
  /// too (written to, so read in first). Groups appended out of that order (canary
  /// targets, registered later) only make some hints useless; a hint changes no value
  /// and never faults.
  @inlinable @inline(__always)
  func prefetchAppend(group index: Int) {
    let ahead = index + Self.appendPrefetchDistance
    if ahead < groupCount { platformsim_prefetch_read(groups + ahead) }
    guard index < groupCount else { return }
    let group = groups + index
    let count = group.pointee.count
    guard count < group.pointee.capacity else { return }
    let width = group.pointee.width
    let next = group.pointee.values + count * width
    platformsim_prefetch_write(group.pointee.timestamps + count)
    platformsim_prefetch_write(next)
    platformsim_prefetch_write(next + (width - 1))
    if count > group.pointee.start {
      platformsim_prefetch_read(next - width)
      platformsim_prefetch_read(next - 1)
    }
  }
}

extension SeriesStore {
  /// How many series ahead a loop of ``instantSample(_:atMs:lookbackMs:)`` calls hints
  /// with ``prefetchNewestSample(_:)``.
  public static let instantPrefetchDistance = 8

  /// Hints the lines ``instantSample(_:atMs:lookbackMs:)`` of `id` at the newest
  /// instant will load: the newest timestamp and value, in the series' own buffer or
  /// its group's newest row.
  ///
  /// Why: an alerting rule reads one recorded series per service each evaluation (and
  /// `min by (service) (model_quality_score)` one column per target), each in buffers
  /// of its own; at organisation scale their newest lines are cold by then, and a loop
  /// over the selection hinting a few series ahead overlaps those misses. A hint
  /// changes no value and never faults.
  @inlinable @inline(__always)
  public func prefetchNewestSample(_ id: SeriesID) {
    let placement = placements[Int(id.rawValue)]
    if placement.group >= 0 {
      let group = groups + Int(placement.group)
      let count = group.pointee.count
      guard count > group.pointee.start else { return }
      platformsim_prefetch_read(group.pointee.timestamps + (count - 1))
      platformsim_prefetch_read(group.pointee.values + ((count - 1) * group.pointee.width + Int(placement.column)))
      return
    }
    let entry = buffers + Int(id.rawValue)
    let count = entry.pointee.count
    guard count > entry.pointee.start else { return }
    platformsim_prefetch_read(entry.pointee.timestamps + (count - 1))
    platformsim_prefetch_read(entry.pointee.values + (count - 1))
  }
}

/// The rows of a scrape group's window found last, and when (``SeriesStore/rowsEpoch``):
/// valid while no row was appended to any group since.
///
/// Why: the rules of an organisation-scale evaluation fold every group three times over
/// the same window (the error ratio's two sums, the latency buckets); each fold walked
/// the group's timestamps back again, a cache line per group that is cold by then at
/// thousands of services.
@usableFromInline struct CachedWindowRows {
  @usableFromInline var epoch = -1
  @usableFromInline var fromMs: Int64 = 0
  @usableFromInline var toMs: Int64 = 0
  @usableFromInline var lower: Int32 = 0
  @usableFromInline var upper: Int32 = 0

  init() {}

  @usableFromInline init(epoch: Int, fromMs: Int64, toMs: Int64, lower: Int32, upper: Int32) {
    self.epoch = epoch
    self.fromMs = fromMs
    self.toMs = toMs
    self.lower = lower
    self.upper = upper
  }
}

/// The rows of one window in the scrape group read last
/// (``SeriesStore/counterWindow(_:fromMs:toMs:isCounter:rows:)``).
public struct GroupWindowRows {
  @usableFromInline var group: Int32 = -1
  @usableFromInline var lower = 0
  @usableFromInline var upper = 0

  @inlinable public init() {}
}

extension SeriesStore {
  /// Bytes held by sample buffers and scrape-group rows (allocated capacity, not only
  /// samples in the retention window): the store's share of a run's memory accounting.
  ///
  /// O(series + groups); read by the run's memory guard every few thousand events.
  public var retainedBytes: Int {
    var bytes = 0
    for index in 0..<seriesCount { bytes += buffers[index].capacity * 16 }
    for index in 0..<groupCount {
      let group = groups[index]
      // Nine bytes a row besides the values, as when each row had a marker flag: the
      // memory guard's figure (and so when a run stops) is unchanged.
      bytes += group.capacity * (9 + 8 * group.width)
    }
    return bytes
  }
}
