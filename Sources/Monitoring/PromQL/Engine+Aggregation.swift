extension PromQLEngine {
  /// Aggregation operators; mirrors `evaluator.aggregation` in Prometheus 2.42
  /// promql/engine.go (plain summation, incremental mean for `avg`, NaN-replacing
  /// `min`/`max`, heap-like `topk`/`bottomk` keeping the earlier of equal values).
  func evaluateAggregation(_ aggregation: Aggregation, _ t: Int64) throws(PromQLError) -> [Sample] {
    var parameter = 0.0
    if let parameterExpr = aggregation.parameter { parameter = try scalarValue(parameterExpr, t) }
    let samples = try vectorValue(aggregation.expr, t)
    var groupIndex: [Labels: Int] = [:]
    var keys: [Labels] = []
    var members: [[Sample]] = []
    for sample in samples {
      let key: Labels
      if aggregation.without {
        key = sample.labels.removing(aggregation.grouping + [Labels.metricName])
      } else {
        key = sample.labels.keeping(aggregation.grouping)
      }
      if let index = groupIndex[key] {
        members[index].append(sample)
      } else {
        groupIndex[key] = keys.count
        keys.append(key)
        members.append([sample])
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

  static func aggregate(_ op: AggregationOperator, _ parameter: Double, _ group: [Sample]) -> Double
  {
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
    case .topk, .bottomk:
      return .nan
    }
  }
}
