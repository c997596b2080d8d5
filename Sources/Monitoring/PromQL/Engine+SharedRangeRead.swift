/// The per-series values of the last selection a fold read in storage order, kept so
/// that a fold over a subset of that selection with the same range function and window
/// copies its values instead of reading the store again.
///
/// Why: an error-ratio rule, `sum by (service) (rate(requests{code=~"5.."}[5m])) / sum
/// by (service) (rate(requests[5m]))`, read every 5xx series' window twice per
/// evaluation, once per side: at organisation scale a third of the ratio's reads (a
/// scrape group visited per series, as a target has one 5xx series).
///
/// A value depends on its series' samples in the window, the window and the function
/// only, so a copy is the value a read would give: the read is kept only while no scrape
/// group has gained a row (``SeriesStore/rowsEpoch``), and only when every series it
/// read is a scrape-group member (a series with its own buffer gains samples without
/// changing that epoch).
struct SharedRangeRead {
  /// The selection read (label order: `values` and `present` are by its positions), and
  /// its positions in storage order.
  var ids: [SeriesID] = []
  var order: [Int32] = []
  var fromMs: Int64 = 0
  var toMs: Int64 = 0
  var isCounter = false
  var isRate = false
  /// ``SeriesStore/rowsEpoch`` at the read; −1 when nothing is kept.
  var rowsEpoch = -1
  var values: [Double] = []
  var present: [Bool] = []

  func matches(fromMs: Int64, toMs: Int64, isCounter: Bool, isRate: Bool, rowsEpoch: Int) -> Bool {
    self.rowsEpoch == rowsEpoch && self.fromMs == fromMs && self.toMs == toMs && self.isCounter == isCounter
      && self.isRate == isRate
  }
}

/// Where the series of an aggregation's selection sit in the selection of a
/// ``SharedRangeRead``, cached on the aggregation's ``SeriesGrouping`` for one pair of
/// selections (both arrays of IDs are the store's cached selections, so recognising the
/// pair again compares no elements).
struct SubsetPositions {
  var ids: [SeriesID] = []
  var sharedIDs: [SeriesID] = []
  /// Per position of `ids`: its position in `sharedIDs`; nil when some series is not there.
  var positions: [Int32]?
}

extension PromQLEngine {
  /// The positions of `ids` (the selection of `selector`, grouped by `grouping`) in the
  /// kept ``SharedRangeRead``, when it read all of them with this function and window and
  /// still stands; nil otherwise.
  func sharedReadPositions(
    _ grouping: SeriesGrouping, _ selector: VectorSelector, _ ids: [SeriesID], fromMs: Int64, toMs: Int64,
    isCounter: Bool, isRate: Bool
  ) -> [Int32]? {
    guard
      scratch.sharedRead.matches(
        fromMs: fromMs, toMs: toMs, isCounter: isCounter, isRate: isRate, rowsEpoch: store.rowsEpoch),
      ids.count <= scratch.sharedRead.ids.count
    else { return nil }
    if grouping.subsetPositions.ids != ids || grouping.subsetPositions.sharedIDs != scratch.sharedRead.ids {
      grouping.subsetPositions = SubsetPositions(
        ids: ids, sharedIDs: scratch.sharedRead.ids,
        positions: Self.positions(
          of: ids, selector.storageOrder(in: store), in: scratch.sharedRead.ids, scratch.sharedRead.order))
    }
    return grouping.subsetPositions.positions
  }

  /// Each position's place in `sharedIDs`, or nil when some series of `ids` is not there;
  /// both are walked in storage order (ascending ID), once.
  private static func positions(
    of ids: [SeriesID], _ order: [Int32], in sharedIDs: [SeriesID], _ sharedOrder: [Int32]
  ) -> [Int32]? {
    var positions = [Int32](repeating: -1, count: ids.count)
    var cursor = 0
    for position in order {
      let id = ids[Int(position)].rawValue
      while cursor < sharedOrder.count && sharedIDs[Int(sharedOrder[cursor])].rawValue < id { cursor += 1 }
      guard cursor < sharedOrder.count, sharedIDs[Int(sharedOrder[cursor])].rawValue == id else { return nil }
      positions[Int(position)] = sharedOrder[cursor]
    }
    return positions
  }

  /// Copies the kept read's values of the series at `positions` into a fold's buffers
  /// (by the fold's positions; `present` is all false on entry).
  func copySharedValues(
    _ positions: [Int32], into values: UnsafeMutableBufferPointer<Double>, _ present: UnsafeMutableBufferPointer<Bool>
  ) {
    positions.withUnsafeBufferPointer { positions in
      scratch.sharedRead.values.withUnsafeBufferPointer { sharedValues in
        scratch.sharedRead.present.withUnsafeBufferPointer { sharedPresent in
          for position in positions.indices {
            let shared = Int(positions[position])
            if sharedPresent[shared] {
              values[position] = sharedValues[shared]
              present[position] = true
            }
          }
        }
      }
    }
  }

  /// Keeps the values the last fold read (left in `scratch.foldValues` and
  /// `scratch.foldPresent`) as the ``SharedRangeRead`` of selection `ids`.
  func keepSharedRead(
    _ ids: [SeriesID], _ order: [Int32], fromMs: Int64, toMs: Int64, isCounter: Bool, isRate: Bool
  ) {
    // Swapped, not copied: the fold takes the buffers the kept read gives up.
    swap(&scratch.foldValues, &scratch.sharedRead.values)
    swap(&scratch.foldPresent, &scratch.sharedRead.present)
    scratch.sharedRead.ids = ids
    scratch.sharedRead.order = order
    scratch.sharedRead.fromMs = fromMs
    scratch.sharedRead.toMs = toMs
    scratch.sharedRead.isCounter = isCounter
    scratch.sharedRead.isRate = isRate
    scratch.sharedRead.rowsEpoch = store.rowsEpoch
  }
}
