extension PromQLEngine {
  /// Aggregation operators; mirrors `evaluator.aggregation` in Prometheus 2.42
  /// promql/engine.go (plain summation, incremental mean for `avg`, NaN-replacing
  /// `min`/`max`, heap-like `topk`/`bottomk` keeping the earlier of equal values).
  func evaluateAggregation(_ aggregation: Aggregation, _ t: Int64) throws(PromQLError) -> [Sample] {
    var parameter = 0.0
    if let parameterExpr = aggregation.parameter, aggregation.op != .countValues {
      parameter = try scalarValue(parameterExpr, t)
    }
    switch aggregation.op {
    case .sum, .avg, .min, .max, .count:
      if let result = perSeriesAggregation(aggregation, t) { return result }
      let samples = try vectorValue(aggregation.expr, t)
      return Self.foldedAggregation(aggregation, samples)
    default:
      break
    }
    var samples = try vectorValue(aggregation.expr, t)
    var keys: [Labels] = []
    var members: [[Sample]] = []
    var grouper = ProjectionGrouper(aggregation)
    if aggregation.op == .countValues {
      // count_values: the value (Go's FormatFloat 'f', -1) becomes a label, grouped by too.
      guard let parameterExpr = aggregation.parameter, case .string(let label) = try evaluate(parameterExpr, atMs: t)
      else { throw .evaluation(message: "count_values needs a label name") }
      samples = samples.map { Sample(labels: $0.labels.setting(label, formatGoFloatFixed($0.value)), value: $0.value) }
      if !aggregation.without && !aggregation.grouping.contains(label) {
        grouper = ProjectionGrouper(grouping: aggregation.grouping + [label], without: false)
      }
    }
    for sample in samples {
      let (index, isNew) = grouper.group(of: sample.labels, keys: &keys)
      if isNew {
        members.append([sample])
      } else {
        members[index].append(sample)
      }
    }
    var out: [Sample] = []
    switch aggregation.op {
    case .topk, .bottomk:
      // Go converts with int(param); a k below 1 yields nothing.
      guard parameter >= 1 else { return [] }
      let k = parameter >= Double(Int.max) ? Int.max : Int(parameter)
      let top = aggregation.op == .topk
      for group in members {
        let ordered = group.enumerated().sorted { left, right in
          let (a, b) = (left.element.value, right.element.value)
          let before = top ? (a > b || (b.isNaN && !a.isNaN)) : (a < b || (b.isNaN && !a.isNaN))
          let after = top ? (b > a || (a.isNaN && !b.isNaN)) : (b < a || (a.isNaN && !b.isNaN))
          if before != after { return before }
          return left.offset < right.offset
        }
        out.append(contentsOf: ordered.prefix(k).map(\.element))
      }
      return out
    default:
      for (index, group) in members.enumerated() {
        out.append(
          Sample(labels: keys[index], value: Self.aggregate(aggregation.op, parameter, group)))
      }
      return out
    }
  }

  /// `sum`, `avg`, `min`, `max` and `count` folded into one running value per group, in
  /// input order, with the same arithmetic as ``aggregate(_:_:_:)`` (which Prometheus
  /// 2.42 also applies incrementally): no per-group sample arrays.
  static func foldedAggregation(_ aggregation: Aggregation, _ samples: [Sample]) -> [Sample] {
    var keys: [Labels] = []
    var fold = GroupFold(aggregation.op)
    var grouper = ProjectionGrouper(aggregation)
    for sample in samples {
      let (index, isNew) = grouper.group(of: sample.labels, keys: &keys)
      fold.add(sample.value, to: index, isNew: isNew)
    }
    return fold.samples(keys)
  }

  static func aggregate(_ op: AggregationOperator, _ parameter: Double, _ group: [Sample]) -> Double {
    switch op {
    case .sum:
      var sum = group[0].value
      for sample in group.dropFirst() { sum += sample.value }
      return sum
    case .count:
      return Double(group.count)
    case .avg:
      var mean = group[0].value
      var count = 1.0
      for sample in group.dropFirst() {
        count += 1
        let value = sample.value
        if mean.isInfinite {
          if value.isInfinite && (mean > 0) == (value > 0) { continue }
          if !value.isInfinite && !value.isNaN { continue }
        }
        mean += value / count - mean / count
      }
      return mean
    case .min:
      var result = group[0].value
      for sample in group.dropFirst() where result > sample.value || result.isNaN {
        result = sample.value
      }
      return result
    case .max:
      var result = group[0].value
      for sample in group.dropFirst() where result < sample.value || result.isNaN {
        result = sample.value
      }
      return result
    case .quantile:
      return quantileOf(parameter, group.map(\.value))
    case .group:
      return 1
    case .countValues:
      return Double(group.count)
    case .stddev, .stdvar:
      // Welford's running mean and sum of squares, as engine.go's aggregation.
      var mean = group[0].value
      var count = 1.0
      var total = 0.0
      for sample in group.dropFirst() {
        count += 1
        let delta = sample.value - mean
        mean += delta / count
        total += delta * (sample.value - mean)
      }
      return op == .stdvar ? total / count : (total / count).squareRoot()
    case .topk, .bottomk:
      return .nan
    }
  }
}

/// Assigns samples to aggregation groups by the fingerprint of their projected labels
/// (`by`/`without`), building a group's label set only when the group is first seen.
///
/// Keying a dictionary by materialised `Labels` cost one array, one hash pass and
/// several retains per sample; here a sample costs one pass over its labels. Groups
/// keep first-seen order (as Prometheus's output does for an instant query), and
/// fingerprint collisions are resolved by comparing the projections label by label.
struct ProjectionGrouper {
  private let grouping: [String]
  private let without: Bool
  /// Whether a `without` projection also drops `__name__` (aggregation does;
  /// `histogram_quantile`'s grouping by all labels but `le` does not).
  private let withoutDropsName: Bool
  /// First group index per fingerprint; further groups with the same fingerprint
  /// are chained through `nextWithSameFingerprint`.
  private var firstGroup: [UInt64: Int] = [:]
  private var nextWithSameFingerprint: [Int] = []

  init(_ aggregation: Aggregation) {
    grouping = aggregation.grouping
    without = aggregation.without
    withoutDropsName = true
  }

  /// Groups by `grouping` (`by`) or by all labels but it and `__name__` (`without`).
  init(grouping: [String], without: Bool) {
    self.grouping = grouping
    self.without = without
    withoutDropsName = true
  }

  /// Groups by every label except `excluded` (keeping `__name__`).
  init(allBut excluded: [String]) {
    grouping = excluded
    without = true
    withoutDropsName = false
  }

  /// Whether `label` survives the projection (`keeping(grouping)` for `by`,
  /// `removing(grouping + [__name__])` for `without`).
  @inline(__always) private func keeps(_ label: Label) -> Bool {
    if without {
      return !(withoutDropsName && label.name == Labels.metricName)
        && !grouping.contains(label.name)
    }
    return grouping.contains(label.name)
  }

  /// Whether the projection of `labels` equals `key` (an already projected set).
  private func projection(of labels: Labels, equals key: Labels) -> Bool {
    let keyItems = key.items
    var position = 0
    for label in labels.items where keeps(label) {
      if position == keyItems.count || keyItems[position] != label { return false }
      position += 1
    }
    return position == keyItems.count
  }

  /// The group index of `labels`, appending a new key to `keys` when it is new.
  mutating func group(of labels: Labels, keys: inout [Labels]) -> (index: Int, isNew: Bool) {
    var hash = Labels.fingerprintSeed
    for label in labels.items where keeps(label) { Labels.mixFingerprint(&hash, label) }
    var last = -1
    if let first = firstGroup[hash] {
      var candidate = first
      while candidate >= 0 {
        if projection(of: labels, equals: keys[candidate]) { return (candidate, false) }
        last = candidate
        candidate = nextWithSameFingerprint[candidate]
      }
    }
    let index = keys.count
    keys.append(Labels(sortedItems: labels.items.filter { keeps($0) }, fingerprint: hash))
    nextWithSameFingerprint.append(-1)
    if last >= 0 {
      nextWithSameFingerprint[last] = index
    } else {
      firstGroup[hash] = index
    }
    return (index, true)
  }
}

/// Running `sum`/`avg`/`min`/`max`/`count` values per group, with the arithmetic of
/// ``PromQLEngine/aggregate(_:_:_:)`` applied one sample at a time in input order.
struct GroupFold {
  let op: AggregationOperator
  var values: [Double] = []
  var counts: [Double] = []

  init(_ op: AggregationOperator) { self.op = op }

  /// A fold already computed: `values[i]` and `counts[i]` of group `i`.
  init(_ op: AggregationOperator, values: [Double], counts: [Double]) {
    self.op = op
    self.values = values
    self.counts = counts
  }

  /// Adds `value` to group `index`; a new group must be the next index.
  @inline(__always) mutating func add(_ value: Double, to index: Int, isNew: Bool) {
    if isNew {
      values.append(value)
      counts.append(1)
      return
    }
    Self.accumulate(op, value, into: &values[index], count: &counts[index])
  }

  /// Adds `value` to an existing group's running value and count (a new group starts
  /// at the value itself and a count of 1).
  @inline(__always) static func accumulate(
    _ op: AggregationOperator, _ value: Double, into total: inout Double, count: inout Double
  ) {
    switch op {
    case .sum:
      total += value
    case .count:
      count += 1
    case .avg:
      count += 1
      let mean = total
      if mean.isInfinite {
        if value.isInfinite && (mean > 0) == (value > 0) { return }
        if !value.isInfinite && !value.isNaN { return }
      }
      total = mean + (value / count - mean / count)
    case .min:
      if total > value || total.isNaN { total = value }
    case .max:
      if total < value || total.isNaN { total = value }
    default:
      break
    }
  }

  /// Each group's folded value, by group index: the counts for `count`, the folded
  /// values otherwise.
  var results: [Double] { op == .count ? counts : values }

  /// The folded value of group `index` (`results[index]`).
  func value(at index: Int) -> Double { op == .count ? counts[index] : values[index] }

  /// One sample per group, labelled by `keys` (same indices).
  func samples(_ keys: [Labels]) -> [Sample] {
    var out: [Sample] = []
    out.reserveCapacity(keys.count)
    let results = results
    for index in keys.indices { out.append(Sample(labels: keys[index], value: results[index])) }
    return out
  }
}
