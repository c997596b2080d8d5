/// The per-series grouping of an aggregation over one selector, cached on the
/// ``Aggregation`` node and extended as the store registers new series.
final class SeriesGrouping {
  let store: ObjectIdentifier
  /// Whether series keep `__name__` when grouped (instant selectors) or not (range functions).
  let keepName: Bool
  /// The label set of each group, numbered as first met (the fold renumbers groups in
  /// selection order, so this numbering is free to be historical).
  var keys: [Labels] = []
  /// The group of each series already met, by `SeriesID.rawValue` (−1: not yet met),
  /// for selections that cover a good part of the store.
  var groupByRawID: [Int32] = []
  /// The same for small selections (a canary analysis selects a few series of
  /// thousands): a table as large as the store would cost more than the lookups save.
  var groupByID: [SeriesID: Int32] = [:]
  let isSparse: Bool
  var grouper: ProjectionGrouper
  /// For `histogram_quantile` over this aggregation: each key's bucket group.
  var histogramBuckets: HistogramBuckets?
  /// The group of each position of the selection `positionIDs` (−1: not yet met).
  ///
  /// Why: looking groups up by series ID read a table as large as the store in label
  /// order, a cache line per series at organisation scale; by position, the fold reads
  /// it front to back.
  var keyOfPosition: [Int32] = []
  var positionIDs: [SeriesID] = []
  /// Where this selection's series sit in a kept read of a larger one (``SharedRangeRead``).
  var subsetPositions = SubsetPositions()

  init(store: ObjectIdentifier, keepName: Bool, grouper: ProjectionGrouper, isSparse: Bool) {
    self.store = store
    self.keepName = keepName
    self.grouper = grouper
    self.isSparse = isSparse
  }

  /// The group of series `id`, projecting its labels the first time it is met.
  @inline(__always) func group(of id: SeriesID, in store: SeriesStore) -> Int {
    if isSparse {
      if let known = groupByID[id] { return Int(known) }
      return project(id, store)
    }
    let raw = Int(id.rawValue)
    if raw < groupByRawID.count {
      let known = groupByRawID[raw]
      if known >= 0 { return Int(known) }
    }
    return project(id, store)
  }

  private func project(_ id: SeriesID, _ store: SeriesStore) -> Int {
    let labels = keepName ? store.labels(of: id) : store.labelsWithoutName(of: id)
    let group = grouper.group(of: labels, keys: &keys).index
    if isSparse {
      groupByID[id] = Int32(group)
      return group
    }
    let raw = Int(id.rawValue)
    if groupByRawID.count <= raw {
      groupByRawID.append(contentsOf: repeatElement(-1, count: max(raw + 1, store.seriesCount) - groupByRawID.count))
    }
    groupByRawID[raw] = Int32(group)
    return group
  }
}

/// The classic-histogram view of an aggregation's groups: which quantile group and
/// upper bound each group key is (grouped by all labels but `le`, as
/// `funcHistogramQuantile` does), and each quantile group's keys in ascending order.
final class HistogramBuckets {
  /// Per aggregation key: its quantile group, or −1 when its `le` does not parse.
  var groupOfKey: [Int32] = []
  var upperBoundOfKey: [Double] = []
  var keys: [Labels] = []
  /// Per quantile group: its aggregation keys by ascending upper bound.
  ///
  /// Selections are sorted by label text, so buckets arrive in `le` string order ("+Inf" < "0.05" < "10"); this order
  /// depends on labels only and spares a sort per evaluation.
  var membersOfGroup: [[Int32]] = []
  /// Per quantile group: whether two of its keys share an upper bound (or one is NaN).
  ///
  /// Prometheus coalesces such buckets in its sort's order, so these groups keep the
  /// generic path.
  var hasTiedBounds: [Bool] = []
  /// Per quantile group: the output labels, its key without `__name__`.
  var outputLabelsOfGroup: [Labels] = []
  var grouper = ProjectionGrouper(allBut: ["le"])
  /// Output label sets seen so far; two groups differing only in `__name__` collide
  /// once it is dropped, which is an evaluation error the caller must then check for.
  var distinctOutputs = Set<Labels>()
  var outputsMayCollide = false
  /// `membersOfGroup` in one array: group `g`'s members are
  /// `flatMembers[memberStart[g]..<memberStart[g + 1]]`; rebuilt when keys are added.
  ///
  /// Why: reading a group's members out of the nested array retained and released
  /// that member array once per group and evaluation.
  var flatMembers: [Int32] = []
  var memberStart: [Int32] = [0]
  /// The most members of any group: the size of the gather scratch.
  var mostMembers = 0
  /// Where each output group's buckets sit in the fold, for the fold order it was made for.
  var gatherPlan = HistogramGatherPlan()

  /// Classifies the aggregation keys not seen yet (keys are only ever appended).
  func extend(toCover aggregationKeys: [Labels]) {
    if groupOfKey.count == aggregationKeys.count { return }
    defer { flattenMembers() }
    while groupOfKey.count < aggregationKeys.count {
      let key = Int32(groupOfKey.count)
      let labels = aggregationKeys[groupOfKey.count]
      guard let upperBound = parseGoFloat(labels["le"]) else {
        groupOfKey.append(-1)
        upperBoundOfKey.append(0)
        continue
      }
      let (group, isNew) = grouper.group(of: labels, keys: &keys)
      groupOfKey.append(Int32(group))
      upperBoundOfKey.append(upperBound)
      if isNew {
        let output = keys[group].droppingMetricName()
        if !distinctOutputs.insert(output).inserted { outputsMayCollide = true }
        outputLabelsOfGroup.append(output)
        membersOfGroup.append([key])
        hasTiedBounds.append(upperBound.isNaN)
        continue
      }
      if upperBound.isNaN { hasTiedBounds[group] = true }
      if hasTiedBounds[group] {
        membersOfGroup[group].append(key)
        continue
      }
      let members = membersOfGroup[group]
      var low = 0
      var high = members.count
      while low < high {
        let mid = (low + high) >> 1
        if upperBoundOfKey[Int(members[mid])] < upperBound { low = mid + 1 } else { high = mid }
      }
      if low < members.count && upperBoundOfKey[Int(members[low])] == upperBound { hasTiedBounds[group] = true }
      membersOfGroup[group].insert(key, at: low)
    }
  }

  private func flattenMembers() {
    flatMembers.removeAll(keepingCapacity: true)
    memberStart.removeAll(keepingCapacity: true)
    memberStart.append(0)
    mostMembers = 0
    for members in membersOfGroup {
      flatMembers.append(contentsOf: members)
      memberStart.append(Int32(flatMembers.count))
      mostMembers = max(mostMembers, members.count)
    }
  }
}

/// Per-evaluation work arrays of ``PromQLEngine/histogramQuantileOverAggregation(_:_:_:)``,
/// kept between evaluations so that they are allocated once; reset after each use.
struct HistogramScratch {
  /// Per aggregation key: its position in the fold, or −1 when it has no value now.
  var positionOfKey: [Int32] = []
  var isGroupMet: [Bool] = []
  /// Quantile groups in output order (that of their first bucket).
  var outputGroups: [Int32] = []
  var positions: [Int32] = []
  var buckets: [(upperBound: Double, count: Double)] = []
  /// The counts of a group without tied bounds, `ensureMonotonic` applied.
  var monotonicCounts: [Double] = []

  mutating func prepare(keyCount: Int, groupCount: Int) {
    if positionOfKey.count < keyCount {
      positionOfKey.append(contentsOf: repeatElement(-1, count: keyCount - positionOfKey.count))
    }
    if isGroupMet.count < groupCount {
      isGroupMet.append(contentsOf: repeatElement(false, count: groupCount - isGroupMet.count))
    }
  }

  /// Clears what one evaluation set: the positions of `keys` and the groups met.
  mutating func reset(keys: [Int]) {
    positionOfKey.withUnsafeMutableBufferPointer { positionOfKey in
      for key in keys { positionOfKey[key] = -1 }
    }
    isGroupMet.withUnsafeMutableBufferPointer { isGroupMet in
      for group in outputGroups { isGroupMet[Int(group)] = false }
    }
    outputGroups.removeAll(keepingCapacity: true)
  }
}

extension PromQLEngine {
  /// `sum`/`avg`/`min`/`max`/`count` directly over an instant selector or over
  /// `rate`/`increase`/`delta` of a named range selector, or nil for any other shape.
  ///
  /// Why: these are the shapes of nearly all recording and alerting rules, and the
  /// generic path built one `Sample` (labels retained, a result array grown) per input
  /// series and regrouped every series at every evaluation. Series never change labels,
  /// so the group of each series is computed once per store generation and an
  /// evaluation only computes values and folds them.
  ///
  /// Semantics are unchanged: the inner values and labels are those the generic path
  /// produces (`selectInstant` keeps `__name__`; range functions drop it, and a named
  /// selector cannot produce the duplicate label sets `checkedUnique` rejects), groups
  /// appear in the order their first contributing series does, and the fold applies the
  /// same arithmetic in the same order.
  func perSeriesAggregation(_ aggregation: Aggregation, _ t: Int64) -> [Sample]? {
    guard let folded = perSeriesFold(aggregation, t) else { return nil }
    return folded.fold.samples(folded.groups.map { folded.grouping.keys[$0] })
  }

  /// The per-series path's result before labels are attached: `groups[i]` is the
  /// grouping key (index into `grouping.keys`) of the fold's i-th group, in output order.
  func perSeriesFold(_ aggregation: Aggregation, _ t: Int64)
    -> (grouping: SeriesGrouping, groups: [Int], fold: GroupFold)?
  {
    switch Self.perSeriesOperand(aggregation) {
    case .instant(let selector):
      let grouping = seriesGrouping(aggregation, selector, keepName: true)
      let reference = t - selector.offsetMs
      return foldPerSeries(aggregation, selector, grouping) { id in
        store.instantSample(id, atMs: reference, lookbackMs: lookbackMs)
      }
    case .range(let function, let selector, let rangeMs):
      let grouping = seriesGrouping(aggregation, selector, keepName: false)
      let end = t - selector.offsetMs
      let isCounter = function != .delta
      let isRate = function == .rate
      // A local copy: capturing the scratch object retained it for every series.
      var boundaries = scratch.rateBoundaries
      // One window for every series, and nothing appended while folding. Only selections
      // read in storage order share a group's rows: in label order a small selection
      // changes group at nearly every series, and keeping the rows then cost more than
      // it saved.
      let result: (grouping: SeriesGrouping, groups: [Int], fold: GroupFold)
      if Self.readsInStorageOrder(selector.countAndFirst(in: store).0) {
        let ids = selector.seriesIDs(in: store)
        if let positions = sharedReadPositions(
          grouping, selector, ids, fromMs: end - rangeMs, toMs: end, isCounter: isCounter, isRate: isRate)
        {
          // A larger selection's read at this instant holds every value (see ``SharedRangeRead``).
          result = foldPerSeries(
            aggregation, selector, grouping,
            readingAll: { _, _, values, present in copySharedValues(positions, into: values, present) }
          ) { _ in nil }
        } else {
          // The whole selection at once, scrape group by scrape group (see
          // ``readRangeValues(_:_:fromMs:toMs:rangeMs:isCounter:isRate:boundaries:into:_:)``).
          var readsGroupsOnly = true
          let runs = selector.storageRuns(in: store)
          result = foldPerSeries(
            aggregation, selector, grouping,
            readingAll: { ids, _, values, present in
              readsGroupsOnly = readRangeValues(
                ids, runs, fromMs: end - rangeMs, toMs: end, rangeMs: rangeMs, isCounter: isCounter, isRate: isRate,
                boundaries: &boundaries, into: values, present)
            }
          ) { _ in nil }
          if readsGroupsOnly {
            keepSharedRead(
              ids, selector.storageOrder(in: store), fromMs: end - rangeMs, toMs: end, isCounter: isCounter,
              isRate: isRate)
          }
        }
      } else {
        result = foldPerSeries(aggregation, selector, grouping) { id -> Double? in
          guard let window = store.counterWindow(id, fromMs: end - rangeMs, toMs: end, isCounter: isCounter) else {
            return nil
          }
          return extrapolatedRate(
            window, rangeStartMs: end - rangeMs, rangeEndMs: end, rangeMs: rangeMs,
            isCounter: isCounter, isRate: isRate, boundaries: &boundaries)
        }
      }
      scratch.rateBoundaries = boundaries
      return result
    case nil:
      return nil
    }
  }

  /// `rate`/`increase`/`delta` over `[fromMs, toMs]` of the series of `runs` (a
  /// selection's ``StorageOrderRuns``; positions index `ids`), written into `values`
  /// and `present` by position.
  ///
  /// Why: a selection read in storage order meets each scrape group's members one
  /// after another. Per group, this finds the window's rows (or takes them from
  /// another fold of this evaluation, ``CachedWindowRows``), loads the header, learns
  /// whether any row holds a staleness marker or any column a counter drop inside the
  /// window, and settles the extrapolation's boundaries (the members share their
  /// timestamps) once; per member it then reads the window's first and last values.
  /// Called per series, all of that was done again for each (about 200 instructions a
  /// series at organisation scale, a call and an optional window returned through
  /// memory included). The arithmetic per series is ``summariseCounterWindow`` and
  /// ``RateBoundaries/rate(increase:first:isCounter:)``, as on the per-series path, so
  /// values are bit-identical; series with their own buffer take that path.
  ///
  /// A group whose newest row is older than the window (``SeriesStore/groupNewestMs``)
  /// has no row in it, so none of its members has a value: it is passed over without
  /// loading its header, and the prefetch looks past it. At organisation scale those
  /// are the idle canary targets: 40 % of the groups a read visits over a week.
  ///
  /// - Returns: whether every series read is a scrape-group member.
  private func readRangeValues(
    _ ids: UnsafeBufferPointer<SeriesID>, _ runs: StorageOrderRuns, fromMs: Int64, toMs: Int64,
    rangeMs: Int64, isCounter: Bool, isRate: Bool, boundaries: inout RateBoundaries?,
    into values: UnsafeMutableBufferPointer<Double>, _ present: UnsafeMutableBufferPointer<Bool>
  ) -> Bool {
    let store = self.store
    let rowsEpoch = store.rowsEpoch
    let groupNewestMs = store.groupNewestMs
    // The boundaries of the current group's window, valid when `readsEnds`: no marker
    // and at least two rows, so every member's window has its first and last row.
    var groupBoundaries = RateBoundaries(0, 1, 2, 0, 1, 1, false)  // a placeholder until `readsEnds`
    // Whether `groupBoundaries` was made in this call: the range is then this call's,
    // and only the window's first and last times and its row count need comparing.
    // Why: the groups of a selection nearly always share them, and comparing all seven
    // inputs and copying the result per group cost some 40 instructions a group.
    var hasGroupBoundaries = false
    var readsGroupsOnly = true
    runs.group.withUnsafeBufferPointer { runGroups in
      runs.start.withUnsafeBufferPointer { runStarts in
        runs.column.withUnsafeBufferPointer { columns in
          runs.position.withUnsafeBufferPointer { positions in
            // Whether run `run` is a group with a row since the window's start.
            @inline(__always) func hasRowsInWindow(_ run: Int) -> Bool {
              let group = runGroups[run]
              return group >= 0 && groupNewestMs[Int(group)] >= fromMs
            }
            // The next such run after `run` (the run count when there is none).
            @inline(__always) func nextWithRows(after run: Int) -> Int {
              var next = run + 1
              while next < runGroups.count && !hasRowsInWindow(next) { next += 1 }
              return next
            }
            // Prefetch cursors over the groups with rows in the window: `rowsAhead` is
            // `prefetchDistance` such groups ahead of the one read, `headerAhead` as many
            // again (a group's header is hinted first, its rows when `rowsAhead` reaches it).
            var rowsAhead = nextWithRows(after: -1)
            for _ in 0..<SeriesStore.prefetchDistance { rowsAhead = nextWithRows(after: rowsAhead) }
            var headerAhead = rowsAhead
            for _ in 0..<SeriesStore.prefetchDistance { headerAhead = nextWithRows(after: headerAhead) }
            for run in 0..<runGroups.count {
              let members = Int(runStarts[run])..<Int(runStarts[run + 1])
              let groupIndex = Int(runGroups[run])
              if groupIndex < 0 {
                readsGroupsOnly = false
                let position = Int(positions[members.lowerBound])
                if let window = store.standaloneCounterWindow(
                  ids[position], fromMs: fromMs, toMs: toMs, isCounter: isCounter)
                {
                  values[position] = extrapolatedRate(
                    window, rangeStartMs: fromMs, rangeEndMs: toMs, rangeMs: rangeMs, isCounter: isCounter,
                    isRate: isRate, boundaries: &boundaries)
                  present[position] = true
                }
                continue
              }
              // No row since the window's start: no member has a value (the window is empty).
              if !hasRowsInWindow(run) { continue }
              let group = store.groups + groupIndex
              let cached = store.cachedWindows + groupIndex
              let lower: Int
              let upper: Int
              if cached.pointee.epoch == rowsEpoch && cached.pointee.fromMs == fromMs && cached.pointee.toMs == toMs {
                lower = Int(cached.pointee.lower)
                upper = Int(cached.pointee.upper)
              } else {
                (lower, upper) = group.pointee.rows(fromMs: fromMs, toMs: toMs, retentionMs: store.retentionMs)
                cached.pointee = CachedWindowRows(
                  epoch: rowsEpoch, fromMs: fromMs, toMs: toMs, lower: Int32(lower), upper: Int32(upper))
              }
              // Later groups' window rows and headers, while this one is read (the same
              // span: one scrape interval for all, as a storage-order selection is one
              // metric's targets).
              store.prefetchWindowRows(
                rowsOf: rowsAhead < runGroups.count ? Int(runGroups[rowsAhead]) : -1,
                headerOf: headerAhead < runGroups.count ? Int(runGroups[headerAhead]) : -1, rowSpan: upper - lower)
              rowsAhead = nextWithRows(after: rowsAhead)
              headerAhead = nextWithRows(after: headerAhead)
              // The group's header fields, read once into locals (writes to `values`
              // could alias them, so they would be loaded again per member).
              let width = group.pointee.width
              let groupValues = group.pointee.values
              let lastDropRow = group.pointee.lastDropRow
              let mayHoldMarkers = group.pointee.markerRowCount != 0
              let groupResetFree = group.pointee.newestDropRow <= lower
              let readsEnds = !mayHoldMarkers && upper - lower >= 2
              if readsEnds {
                let times = group.pointee.timestamps
                let firstMs = times[lower]
                let lastMs = times[upper - 1]
                let count = upper - lower
                if !hasGroupBoundaries || groupBoundaries.firstMs != firstMs || groupBoundaries.lastMs != lastMs
                  || groupBoundaries.count != count
                {
                  // A `RateBoundaries` depends on its seven inputs only: any with these is the same.
                  if boundaries?.matches(firstMs, lastMs, count, fromMs, toMs, rangeMs, isRate) != true {
                    boundaries = RateBoundaries(firstMs, lastMs, count, fromMs, toMs, rangeMs, isRate)
                  }
                  groupBoundaries = boundaries.unsafelyUnwrapped
                  hasGroupBoundaries = true
                }
                for member in members {
                  let column = Int(columns[member])
                  let position = Int(positions[member])
                  let columnValues = groupValues + column
                  let first = columnValues[lower * width]
                  var increase = columnValues[(upper - 1) * width] - first
                  if isCounter && !groupResetFree && lastDropRow[column] > lower {
                    // Prometheus adds the value before each drop, in sample order.
                    var previous = first
                    for row in (lower + 1)..<upper {
                      let value = columnValues[row * width]
                      if value < previous { increase += previous }
                      previous = value
                    }
                  }
                  values[position] = groupBoundaries.rate(increase: increase, first: first, isCounter: isCounter)
                  present[position] = true
                }
              } else if mayHoldMarkers {
                for member in members {
                  let column = Int(columns[member])
                  let position = Int(positions[member])
                  if let window = summariseCounterWindow(
                    times: group.pointee.timestamps, values: groupValues + column, stride: width, lower: lower,
                    upper: upper, mayHoldMarkers: true, isCounter: isCounter,
                    resetFree: groupResetFree || lastDropRow[column] <= lower)
                  {
                    values[position] = extrapolatedRate(
                      window, rangeStartMs: fromMs, rangeEndMs: toMs, rangeMs: rangeMs, isCounter: isCounter,
                      isRate: isRate, boundaries: &boundaries)
                    present[position] = true
                  }
                }
              }
              // Otherwise fewer than two rows: no member has a rate.
            }
          }
        }
      }
    }
    return readsGroupsOnly
  }

  /// Whether a fold over `count` series reads them in storage order (see ``foldPerSeries``).
  static func readsInStorageOrder(_ count: Int) -> Bool { count >= 64 }

  /// What the per-series path folds: an instant selector, or `rate`/`increase`/`delta`
  /// of a named range selector.
  enum PerSeriesOperand {
    case instant(VectorSelector)
    case range(PromQLFunction, VectorSelector, rangeMs: Int64)
  }

  /// The operand of `aggregation` when its operator and operand suit the per-series path.
  static func perSeriesOperand(_ aggregation: Aggregation) -> PerSeriesOperand? {
    guard aggregation.parameter == nil, [.sum, .avg, .min, .max, .count].contains(aggregation.op) else { return nil }
    var operand = aggregation.expr
    while case .paren(let wrapped) = operand { operand = wrapped }
    switch operand {
    case .vector(let selector):
      // `@` selectors stay on the generic evaluator.
      return selector.hasAtModifier ? nil : .instant(selector)
    case .call(let function, let arguments, _):
      guard function == .rate || function == .increase || function == .delta, arguments.count == 1,
        case .matrix(let selector, let rangeMs) = arguments[0], !selector.name.isEmpty, !selector.hasAtModifier
      else { return nil }
      return .range(function, selector, rangeMs: rangeMs)
    default:
      return nil
    }
  }

  /// Folds the value of each series (nil: no sample) into its group; groups are numbered
  /// in the order of their first contributing series, as the generic path does.
  ///
  /// `readingAll`, when given, reads a selection read in storage order in one call
  /// (positions in `order`, into the buffers indexed by position; a position it does
  /// not mark present has no sample) instead of calling `value` per series.
  private func foldPerSeries(
    _ aggregation: Aggregation, _ selector: VectorSelector, _ grouping: SeriesGrouping,
    readingAll: (
      (
        _ ids: UnsafeBufferPointer<SeriesID>, _ order: UnsafeBufferPointer<Int32>,
        _ values: UnsafeMutableBufferPointer<Double>, _ present: UnsafeMutableBufferPointer<Bool>
      ) -> Void
    )? = nil,
    _ value: (SeriesID) -> Double?
  ) -> (grouping: SeriesGrouping, groups: [Int], fold: GroupFold) {
    let ids = selector.seriesIDs(in: store)
    // Large selections are read in storage order, then folded in label order. Why:
    // label order interleaves scrape targets (`le` sorts before `service`), so reading
    // in it visits each target's rows once per member; in storage order a target's
    // members are consecutive and share the cache lines just read. Each value depends
    // on its series only, so the order of reading changes nothing.
    let readsInStorageOrder = Self.readsInStorageOrder(ids.count)
    var values: [Double] = []
    var present: [Bool] = []
    if readsInStorageOrder {
      swap(&values, &scratch.foldValues)
      swap(&present, &scratch.foldPresent)
      // Only values marked present are read, so those left from the last fold need no
      // clearing (that was a memset per series and evaluation).
      if values.count < ids.count { values.append(contentsOf: repeatElement(0, count: ids.count - values.count)) }
      present.removeAll(keepingCapacity: true)
      present.append(contentsOf: repeatElement(false, count: ids.count))
      let order = selector.storageOrder(in: store)
      // Through buffers: with a closure called in the loop, every array write paid a
      // runtime uniqueness check.
      values.withUnsafeMutableBufferPointer { allValues in
        let valueBuffer = UnsafeMutableBufferPointer(rebasing: allValues[0..<ids.count])
        present.withUnsafeMutableBufferPointer { presentBuffer in
          if let readingAll {
            ids.withUnsafeBufferPointer { ids in
              order.withUnsafeBufferPointer { order in readingAll(ids, order, valueBuffer, presentBuffer) }
            }
            return
          }
          let ahead = SeriesStore.instantPrefetchDistance
          for (index, position) in order.enumerated() {
            if index + ahead < order.count { store.prefetchNewestSample(ids[Int(order[index + ahead])]) }
            if let sampleValue = value(ids[Int(position)]) {
              valueBuffer[Int(position)] = sampleValue
              presentBuffer[Int(position)] = true
            }
          }
        }
      }
    }
    defer {
      if readsInStorageOrder {
        swap(&values, &scratch.foldValues)
        swap(&present, &scratch.foldPresent)
      }
    }
    // Slots and running values through buffers, for the same reason. At most one group
    // per series. The result arrays are written in place (copying them out of scratch
    // buffers was a memcpy of every group's value, count and key per evaluation).
    let op = aggregation.op
    let capacity = max(ids.count, 1)
    // Each group key's slot in this fold: kept by the scratch object, all −1 between
    // folds (cleared group by group afterwards, not key by key before).
    var slotCapacity = scratch.foldSlotCapacity
    var slotOfGroup = scratch.foldSlotOfGroup
    if slotCapacity < grouping.keys.count {
      (slotOfGroup, slotCapacity) = Self.grownSlots(slotOfGroup, slotCapacity, toCover: grouping.keys.count)
    }
    var used = 0
    // Each position's group, taken out of the grouping (uniquely referenced while in
    // use); valid while the selection is the same array of IDs.
    var keyOfPosition: [Int32] = []
    swap(&keyOfPosition, &grouping.keyOfPosition)
    if grouping.positionIDs != ids {
      keyOfPosition = [Int32](repeating: -1, count: ids.count)
      grouping.positionIDs = ids
    }
    defer { swap(&keyOfPosition, &grouping.keyOfPosition) }
    var totalsArray: [Double] = []
    var countsArray: [Double] = []
    let groupsArray = [Int](unsafeUninitializedCapacity: capacity) { groupBuffer, groupCount in
      totalsArray = [Double](unsafeUninitializedCapacity: capacity) { totalBuffer, totalCount in
        countsArray = [Double](unsafeUninitializedCapacity: capacity) { countBuffer, countCount in
          let groupOfSlot = groupBuffer.baseAddress.unsafelyUnwrapped
          let totals = totalBuffer.baseAddress.unsafelyUnwrapped
          let counts = countBuffer.baseAddress.unsafelyUnwrapped
          keyOfPosition.withUnsafeMutableBufferPointer { keys in
            ids.withUnsafeBufferPointer { ids in
              // Folds the value of the series at `position`, in label order.
              @inline(__always) func fold(_ position: Int, _ sampleValue: Double) {
                var group = Int(keys[position])
                if group < 0 {
                  group = grouping.group(of: ids[position], in: store)
                  keys[position] = Int32(group)
                }
                if group >= slotCapacity {
                  (slotOfGroup, slotCapacity) = Self.grownSlots(slotOfGroup, slotCapacity, toCover: group + 1)
                }
                let slot = slotOfGroup[group]
                if slot < 0 {
                  slotOfGroup[group] = used
                  groupOfSlot[used] = group
                  totals[used] = sampleValue
                  counts[used] = 1
                  used &+= 1
                } else {
                  GroupFold.accumulate(op, sampleValue, into: &totals[slot], count: &counts[slot])
                }
              }
              // Two loops, so that neither tests the reading mode (or bounds) per series.
              if readsInStorageOrder {
                present.withUnsafeBufferPointer { present in
                  values.withUnsafeBufferPointer { values in
                    for position in 0..<ids.count where present[position] { fold(position, values[position]) }
                  }
                }
              } else {
                for position in 0..<ids.count {
                  if let read = value(ids[position]) { fold(position, read) }
                }
              }
            }
          }
          for slot in 0..<used { slotOfGroup[groupOfSlot[slot]] = -1 }
          countCount = used
        }
        totalCount = used
      }
      groupCount = used
    }
    scratch.foldSlotOfGroup = slotOfGroup
    scratch.foldSlotCapacity = slotCapacity
    return (grouping, groupsArray, GroupFold(op, values: totalsArray, counts: countsArray))
  }

  /// A slot table at least `count` (and twice `capacity`) long holding `slots`' entries,
  /// the rest −1; `slots` is deallocated.
  private static func grownSlots(_ slots: UnsafeMutablePointer<Int>, _ capacity: Int, toCover count: Int)
    -> (UnsafeMutablePointer<Int>, Int)
  {
    let larger = max(count, capacity * 2)
    let grown = UnsafeMutablePointer<Int>.allocate(capacity: larger)
    grown.moveInitialize(from: slots, count: capacity)
    (grown + capacity).initialize(repeating: -1, count: larger - capacity)
    slots.deallocate()
    return (grown, larger)
  }

  /// The grouping of `selector`'s series, cached on the aggregation: a series' group
  /// depends on its labels only, so each series is projected once, when first met.
  private func seriesGrouping(
    _ aggregation: Aggregation, _ selector: VectorSelector, keepName: Bool
  ) -> SeriesGrouping {
    let identity = ObjectIdentifier(store)
    if let cached = aggregation.seriesGrouping, cached.store == identity { return cached }
    let grouping = SeriesGrouping(
      store: identity, keepName: keepName, grouper: ProjectionGrouper(aggregation),
      isSparse: selector.seriesIDs(in: store).count * 16 < store.seriesCount)
    aggregation.seriesGrouping = grouping
    return grouping
  }

}
