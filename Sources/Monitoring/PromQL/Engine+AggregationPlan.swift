/// The per-series grouping of an aggregation over one selector, cached on the
/// ``Aggregation`` node until the store registers a new series.
final class SeriesGrouping {
  let generation: Int
  let store: ObjectIdentifier
  /// The group of the selector's n-th series (in `seriesIDs(in:)` order).
  let groupOfSeries: [Int]
  /// The label set of each group.
  let keys: [Labels]

  init(generation: Int, store: ObjectIdentifier, groupOfSeries: [Int], keys: [Labels]) {
    self.generation = generation
    self.store = store
    self.groupOfSeries = groupOfSeries
    self.keys = keys
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
    var inner = aggregation.expr
    while case .paren(let wrapped) = inner { inner = wrapped }
    switch inner {
    case .vector(let selector):
      let grouping = seriesGrouping(aggregation, selector, keepName: true)
      let reference = t - selector.offsetMs
      return foldPerSeries(aggregation, selector, grouping) { id in
        store.instantSample(id, atMs: reference, lookbackMs: lookbackMs)
      }
    case .call(let function, let arguments, _):
      guard function == .rate || function == .increase || function == .delta,
        arguments.count == 1, case .matrix(let selector, let rangeMs) = arguments[0],
        !selector.name.isEmpty
      else { return nil }
      let grouping = seriesGrouping(aggregation, selector, keepName: false)
      let end = t - selector.offsetMs
      let isCounter = function != .delta
      let isRate = function == .rate
      return foldPerSeries(aggregation, selector, grouping) { id in
        store.withRange(id, fromMs: end - rangeMs, toMs: end) { times, values in
          extrapolatedRate(
            times, values, rangeStartMs: end - rangeMs, rangeEndMs: end, rangeMs: rangeMs,
            isCounter: isCounter, isRate: isRate)
        }
      }
    default:
      return nil
    }
  }

  /// Folds the value of each series (nil: no sample) into its group; groups are numbered
  /// in the order of their first contributing series, as the generic path does.
  private func foldPerSeries(
    _ aggregation: Aggregation, _ selector: VectorSelector, _ grouping: SeriesGrouping,
    _ value: (SeriesID) -> Double?
  ) -> [Sample] {
    let ids = selector.seriesIDs(in: store)
    var slotOfGroup = [Int](repeating: -1, count: grouping.keys.count)
    var keys: [Labels] = []
    var fold = GroupFold(aggregation.op)
    for position in ids.indices {
      guard let sampleValue = value(ids[position]) else { continue }
      let group = grouping.groupOfSeries[position]
      let slot = slotOfGroup[group]
      if slot < 0 {
        slotOfGroup[group] = keys.count
        fold.add(sampleValue, to: keys.count, isNew: true)
        keys.append(grouping.keys[group])
      } else {
        fold.add(sampleValue, to: slot, isNew: false)
      }
    }
    return fold.samples(keys)
  }

  /// The cached grouping of `selector`'s series, rebuilt when the store has changed.
  private func seriesGrouping(
    _ aggregation: Aggregation, _ selector: VectorSelector, keepName: Bool
  ) -> SeriesGrouping {
    let ids = selector.seriesIDs(in: store)
    let identity = ObjectIdentifier(store)
    if let cached = aggregation.seriesGrouping, cached.generation == store.generation,
      cached.store == identity, cached.groupOfSeries.count == ids.count
    {
      return cached
    }
    var grouper = ProjectionGrouper(aggregation)
    var keys: [Labels] = []
    var groupOfSeries: [Int] = []
    groupOfSeries.reserveCapacity(ids.count)
    for id in ids {
      let labels = keepName ? store.labels(of: id) : store.labelsWithoutName(of: id)
      groupOfSeries.append(grouper.group(of: labels, keys: &keys).index)
    }
    let grouping = SeriesGrouping(
      generation: store.generation, store: identity, groupOfSeries: groupOfSeries, keys: keys)
    aggregation.seriesGrouping = grouping
    return grouping
  }
}
