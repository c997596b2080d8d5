/// What a one-to-one binary operation between two per-series aggregations has learnt
/// about their groups, cached on the ``BinaryExpression``: which right-hand group each
/// left-hand group matches and the result's labels.
///
/// Group keys are numbered once and never change labels, so this is extended as new groups appear, never rebuilt.
final class AggregationMatch {
  let lhsGrouping: SeriesGrouping
  let rhsGrouping: SeriesGrouping
  /// Per left key: the matching right key, or −1 when none is known.
  var rhsKeyOfLhsKey: [Int32] = []
  /// Per left key: the labels of a result built from it.
  var resultLabels: [Labels] = []
  /// Right keys by matching signature, and how many right keys were indexed.
  var rhsKeyBySignature: [Labels: Int32] = [:]
  var indexedRhsKeys = 0
  var lhsKeyBySignature: [Labels: Int32] = [:]
  var resultKeys = Set<Labels>()
  /// Set when two keys of one side share a signature, or two results share labels:
  /// the generic path must then decide (and raise Prometheus's errors) every time.
  var mustUseGenericPath = false
  /// Work array of an evaluation: each right key's slot in its fold (−1 between evaluations).
  var rhsSlotOfKey: [Int] = []

  init(lhs: SeriesGrouping, rhs: SeriesGrouping) {
    lhsGrouping = lhs
    rhsGrouping = rhs
  }
}

/// An instant vector as keys and values: sample `i` has the labels of key `keys[i]` and
/// the value `values[i]` (see ``PromQLEngine/keyedVector(_:_:into:labels:)``).
struct KeyedVector {
  var keys: [Int32] = []
  var values: [Double] = []
  /// The object whose label table the keys index; nil before the first use.
  ///
  /// Held (not identified by address), so that a successor can never be mistaken for it.
  var source: AnyObject?
}

extension PromQLEngine {
  /// `aggregation op aggregation` (arithmetic or comparison, one-to-one) when both
  /// sides take the per-series path, or nil for any other shape.
  ///
  /// Why: error-ratio recording rules (`sum by (service) (rate(errors[5m])) / sum by
  /// (service) (rate(requests[5m]))`) matched hundreds of groups by hashing their
  /// label signatures at every evaluation. Here each left group's partner and result
  /// labels are found once. Semantics are those of `vectorVector`: output in left-hand
  /// order, unmatched groups dropped, values from ``elementOperation(_:_:_:)``, and any
  /// key set that could raise a matching error goes to the generic path.
  func perSeriesBinary(_ binary: BinaryExpression, _ t: Int64) -> [Sample]? {
    var keyed = KeyedVector()
    guard let match = keyedBinary(binary, t, into: &keyed) else { return nil }
    var out: [Sample] = []
    out.reserveCapacity(keyed.keys.count)
    match.resultLabels.withUnsafeBufferPointer { resultLabels in
      for index in keyed.keys.indices {
        out.append(Sample(labels: resultLabels[Int(keyed.keys[index])], value: keyed.values[index]))
      }
    }
    return out
  }

  /// ``perSeriesBinary(_:_:)`` before labels are attached: each result's left-hand key
  /// (its labels are `match.resultLabels[key]`) and value, in output order, written into
  /// `out` (emptied first); nil, with `out` untouched, when the binary does not take the
  /// per-series path.
  private func keyedBinary(_ binary: BinaryExpression, _ t: Int64, into out: inout KeyedVector)
    -> AggregationMatch?
  {
    guard let matching = binary.matching, matching.cardinality == .oneToOne, matching.include.isEmpty,
      !binary.op.isSetOperator, !(binary.cachedAggregationMatch?.mustUseGenericPath ?? false),
      let lhsAggregation = Self.plannedAggregation(binary.lhs),
      let rhsAggregation = Self.plannedAggregation(binary.rhs),
      // The right side first: in a ratio it is the larger selection, whose read the left
      // side's fold can then copy (``SharedRangeRead``). Folds are independent.
      let right = perSeriesFold(rhsAggregation, t), let left = perSeriesFold(lhsAggregation, t)
    else { return nil }
    let match: AggregationMatch
    if let cached = binary.cachedAggregationMatch, cached.lhsGrouping === left.grouping,
      cached.rhsGrouping === right.grouping
    {
      match = cached
    } else {
      match = AggregationMatch(lhs: left.grouping, rhs: right.grouping)
      binary.cachedAggregationMatch = match
    }
    extend(match, binary, matching)
    if match.mustUseGenericPath { return nil }
    out.keys.removeAll(keepingCapacity: true)
    out.values.removeAll(keepingCapacity: true)
    out.source = match
    // Each right key's slot in this evaluation's fold, in an array kept on the match
    // (all −1 between evaluations).
    var rhsSlotOfKey: [Int] = []
    swap(&rhsSlotOfKey, &match.rhsSlotOfKey)
    if rhsSlotOfKey.count < right.grouping.keys.count {
      rhsSlotOfKey.append(contentsOf: repeatElement(-1, count: right.grouping.keys.count - rhsSlotOfKey.count))
    }
    let op = binary.op
    let returnBool = binary.returnBool
    let leftResults = left.fold.results
    let rightResults = right.fold.results
    // At most one result per left group, written in place and then trimmed (an append
    // per result paid two uniqueness checks).
    out.keys.append(contentsOf: repeatElement(0, count: left.groups.count))
    out.values.append(contentsOf: repeatElement(0, count: left.groups.count))
    var count = 0
    out.keys.withUnsafeMutableBufferPointer { outKeys in
      out.values.withUnsafeMutableBufferPointer { outValues in
        rhsSlotOfKey.withUnsafeMutableBufferPointer { rhsSlotOfKey in
          for (slot, key) in right.groups.enumerated() { rhsSlotOfKey[key] = slot }
          match.rhsKeyOfLhsKey.withUnsafeBufferPointer { rhsKeyOfLhsKey in
            for (slot, key) in left.groups.enumerated() {
              let rhsKey = Int(rhsKeyOfLhsKey[key])
              guard rhsKey >= 0 else { continue }
              let rhsSlot = rhsSlotOfKey[rhsKey]
              guard rhsSlot >= 0 else { continue }
              var (value, keep) = elementOperation(op, leftResults[slot], rightResults[rhsSlot])
              if returnBool {
                value = keep ? 1 : 0
              } else if !keep {
                continue
              }
              outKeys[count] = Int32(key)
              outValues[count] = value
              count += 1
            }
          }
          for key in right.groups { rhsSlotOfKey[key] = -1 }
        }
      }
    }
    out.keys.removeLast(out.keys.count - count)
    out.values.removeLast(out.values.count - count)
    swap(&rhsSlotOfKey, &match.rhsSlotOfKey)
    return match
  }

  /// The instant vector `expr` evaluates to at `t` as keys and values (see
  /// ``KeyedVector``), when `expr` is an aggregation or a one-to-one binary operation
  /// between aggregations on the per-series path; false, with `out` untouched, for any
  /// other expression (the caller then evaluates it).
  ///
  /// The keys, values and order are those of the samples ``evaluate(_:atMs:)`` returns
  /// (the same folds and element operations). Each key's labels are `labels[key]`,
  /// where `labels` belongs to the object `out.source`: a key keeps its labels for as
  /// long as the source stays the same object.
  ///
  /// Why: a recording rule writes the same few hundred series every minute; with keys it
  /// finds each output series once and then appends values without building, comparing
  /// or releasing a label set per sample.
  func keyedVector(_ expr: Expr, _ t: Int64, into out: inout KeyedVector, labels: inout [Labels]) -> Bool {
    var inner = expr
    while case .paren(let wrapped) = inner { inner = wrapped }
    switch inner {
    case .binary(let binary):
      // `evaluateBinary` tries `filteredComparison` first; it takes only binaries
      // without vector matching, which `keyedBinary` never takes.
      guard let match = keyedBinary(binary, t, into: &out) else { return false }
      labels = match.resultLabels
      return true
    case .aggregate(let aggregation):
      // `evaluateAggregation` takes the per-series path for exactly these operators
      // (`perSeriesOperand` rejects parameters).
      guard [.sum, .avg, .min, .max, .count].contains(aggregation.op), let folded = perSeriesFold(aggregation, t)
      else { return false }
      out.keys.removeAll(keepingCapacity: true)
      out.values.removeAll(keepingCapacity: true)
      out.source = folded.grouping
      for group in folded.groups { out.keys.append(Int32(group)) }
      out.values.append(contentsOf: folded.fold.results)
      labels = folded.grouping.keys
      return true
    default:
      return false
    }
  }

  /// The aggregation `expr` is, when its operator and operand suit the per-series path.
  static func plannedAggregation(_ expr: Expr) -> Aggregation? {
    var inner = expr
    while case .paren(let wrapped) = inner { inner = wrapped }
    guard case .aggregate(let aggregation) = inner, perSeriesOperand(aggregation) != nil else { return nil }
    return aggregation
  }

  /// Indexes the keys both groupings gained since the last evaluation.
  private func extend(_ match: AggregationMatch, _ binary: BinaryExpression, _ matching: VectorMatching) {
    func signature(_ labels: Labels) -> Labels {
      matching.on
        ? labels.keeping(matching.matchingLabels)
        : labels.removing(matching.matchingLabels + [Labels.metricName])
    }
    let rhsKeys = match.rhsGrouping.keys
    var newRhsKeys = false
    while match.indexedRhsKeys < rhsKeys.count {
      let key = match.indexedRhsKeys
      if match.rhsKeyBySignature.updateValue(Int32(key), forKey: signature(rhsKeys[key])) != nil {
        match.mustUseGenericPath = true
      }
      match.indexedRhsKeys += 1
      newRhsKeys = true
    }
    let lhsKeys = match.lhsGrouping.keys
    if newRhsKeys {
      // A left key without a partner may have gained one.
      for key in match.rhsKeyOfLhsKey.indices where match.rhsKeyOfLhsKey[key] < 0 {
        match.rhsKeyOfLhsKey[key] = match.rhsKeyBySignature[signature(lhsKeys[key])] ?? -1
      }
    }
    while match.rhsKeyOfLhsKey.count < lhsKeys.count {
      let key = match.rhsKeyOfLhsKey.count
      let lhsSignature = signature(lhsKeys[key])
      if match.lhsKeyBySignature.updateValue(Int32(key), forKey: lhsSignature) != nil {
        match.mustUseGenericPath = true
      }
      match.rhsKeyOfLhsKey.append(match.rhsKeyBySignature[lhsSignature] ?? -1)
      var result = lhsKeys[key]
      if binary.op.dropsMetricName || binary.returnBool { result = result.droppingMetricName() }
      result =
        matching.on ? result.keeping(matching.matchingLabels) : result.removing(matching.matchingLabels)
      match.resultLabels.append(result)
      if !match.resultKeys.insert(result).inserted { match.mustUseGenericPath = true }
    }
  }
}

extension PromQLEngine {
  /// `selector CMP number` or `aggregation CMP number` (no `bool`): the filter builds a
  /// sample only for each element it keeps, or nil for any other shape.
  ///
  /// Why: alerting rules compare hundreds of recorded or aggregated series with a
  /// threshold every minute and keep almost none; the generic path first built a sample
  /// (labels retained) for each. Values, labels (a comparison keeps them, `__name__`
  /// included) and order are those of `vectorScalar` over the generic operand.
  func filteredComparison(_ binary: BinaryExpression, _ t: Int64) -> [Sample]? {
    guard binary.matching == nil, binary.op.isComparison, !binary.returnBool,
      case .number(let threshold) = binary.rhs
    else { return nil }
    var operand = binary.lhs
    while case .paren(let wrapped) = operand { operand = wrapped }
    var out: [Sample] = []
    if case .vector(let selector) = operand {
      let reference = referenceMs(selector, t)
      let ids = selector.seriesIDs(in: store)
      // Hints only for selections large enough to read in storage order elsewhere: small
      // ones stay in cache between evaluations.
      let ahead = Self.readsInStorageOrder(ids.count) ? SeriesStore.instantPrefetchDistance : ids.count
      for (index, id) in ids.enumerated() {
        if index + ahead < ids.count { store.prefetchNewestSample(ids[index + ahead]) }
        if let value = store.instantSample(id, atMs: reference, lookbackMs: lookbackMs),
          elementOperation(binary.op, value, threshold).1
        {
          out.append(Sample(labels: store.labels(of: id), value: value))
        }
      }
      return out
    }
    if case .call(.histogramQuantile, let arguments, _) = operand {
      return filteredHistogramQuantile(arguments, binary.op, threshold, t)
    }
    guard let aggregation = Self.plannedAggregation(operand), let folded = perSeriesFold(aggregation, t) else {
      return nil
    }
    for (slot, key) in folded.groups.enumerated() {
      let value = folded.fold.value(at: slot)
      if elementOperation(binary.op, value, threshold).1 {
        out.append(Sample(labels: folded.grouping.keys[key], value: value))
      }
    }
    return out
  }

  /// `histogram_quantile(NUMBER, aggregation) CMP threshold` when the aggregation takes
  /// the per-series path and no two of its quantile groups can share output labels, or
  /// nil (the generic path then evaluates it).
  ///
  /// Why: a latency alert compares every service's quantile with its threshold every
  /// minute and keeps almost none; building a sample per service first retained and
  /// released a label set each. Values, labels and order are those of `vectorScalar`
  /// over ``histogramQuantileOverAggregation(_:_:_:)``, whose output then has no
  /// duplicate label sets (so neither `checkedUnique` raises).
  private func filteredHistogramQuantile(
    _ arguments: [Expr], _ op: BinaryOperator, _ threshold: Double, _ t: Int64
  ) -> [Sample]? {
    guard arguments.count == 2 else { return nil }
    var quantileExpr = arguments[0]
    while case .paren(let wrapped) = quantileExpr { quantileExpr = wrapped }
    var input = arguments[1]
    while case .paren(let wrapped) = input { input = wrapped }
    guard case .number(let q) = quantileExpr, case .aggregate(let aggregation) = input,
      !(aggregation.seriesGrouping?.histogramBuckets?.outputsMayCollide ?? false)
    else { return nil }
    var values: [Double] = []
    guard let buckets = histogramQuantileValues(q, aggregation, t, into: &values), !buckets.outputsMayCollide else {
      return nil
    }
    var out: [Sample] = []
    buckets.outputLabelsOfGroup.withUnsafeBufferPointer { outputLabelsOfGroup in
      for (index, group) in buckets.gatherPlan.outputGroups.enumerated()
      where elementOperation(op, values[index], threshold).1 {
        out.append(Sample(labels: outputLabelsOfGroup[Int(group)], value: values[index]))
      }
    }
    return out
  }
}
