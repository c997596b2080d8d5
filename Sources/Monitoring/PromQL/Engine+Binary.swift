import Foundation

extension PromQLEngine {
  /// Binary operators; mirrors `VectorBinop`, `VectorscalarBinop`, `scalarBinop`,
  /// `resultMetric` and the set operators of Prometheus 2.42 promql/engine.go.
  func evaluateBinary(_ binary: BinaryExpression, _ t: Int64) throws(PromQLError) -> QueryValue {
    if let samples = filteredComparison(binary, t) ?? perSeriesBinary(binary, t) { return .vector(samples) }
    let left = try evaluate(binary.lhs, atMs: t)
    let right = try evaluate(binary.rhs, atMs: t)
    switch (left, right) {
    case (.scalar(let l), .scalar(let r)):
      let (value, keep) = elementOperation(binary.op, l, r)
      if binary.op.isComparison { return .scalar(keep ? 1 : 0) }
      return .scalar(value)
    case (.vector(let vector), .scalar(let scalar)):
      return .vector(try vectorScalar(binary, vector, scalar, swapped: false))
    case (.scalar(let scalar), .vector(let vector)):
      return .vector(try vectorScalar(binary, vector, scalar, swapped: true))
    case (.vector(let l), .vector(let r)):
      guard let matching = binary.matching else {
        throw .evaluation(message: "missing vector matching")
      }
      switch binary.op {
      case .and: return .vector(setAnd(l, r, matching))
      case .or: return .vector(setOr(l, r, matching))
      case .unless: return .vector(setUnless(l, r, matching))
      default: return .vector(try vectorVector(binary, l, r, matching))
      }
    default:
      throw .evaluation(message: "binary operation on a string")
    }
  }

  /// `vectorElemBinop`: the value and, for comparisons, whether to keep the element.
  @inline(__always)
  func elementOperation(_ op: BinaryOperator, _ l: Double, _ r: Double) -> (Double, Bool) {
    switch op {
    case .add: return (l + r, true)
    case .subtract: return (l - r, true)
    case .multiply: return (l * r, true)
    case .divide: return (l / r, true)
    case .power: return (GoMath.pow(l, r), true)
    case .modulo: return (Foundation.fmod(l, r), true)
    case .atan2: return (GoMath.atan2(l, r), true)
    case .equal: return (l, l == r)
    case .notEqual: return (l, l != r)
    case .greater: return (l, l > r)
    case .less: return (l, l < r)
    case .greaterOrEqual: return (l, l >= r)
    case .lessOrEqual: return (l, l <= r)
    case .and, .or, .unless: return (l, false)
    }
  }

  private func dropsMetricName(_ op: BinaryOperator) -> Bool { op.dropsMetricName }

  private func vectorScalar(
    _ binary: BinaryExpression, _ vector: [Sample], _ scalar: Double, swapped: Bool
  ) throws(PromQLError) -> [Sample] {
    let keepsLabels = !(dropsMetricName(binary.op) || binary.returnBool)
    if keepsLabels && binary.op.isComparison && !swapped {
      // A filter: return the input untouched when nothing is dropped.
      if vector.allSatisfy({ elementOperation(binary.op, $0.value, scalar).1 }) { return vector }
    }
    var out: [Sample] = []
    for sample in vector {
      let (l, r) = swapped ? (scalar, sample.value) : (sample.value, scalar)
      var (value, keep) = elementOperation(binary.op, l, r)
      // A comparison keeps the vector element's value even when the scalar is on the left.
      if binary.op.isComparison && swapped { value = r }
      if binary.returnBool {
        value = keep ? 1 : 0
        keep = true
      }
      guard keep else { continue }
      let labels =
        dropsMetricName(binary.op) || binary.returnBool
        ? sample.labels.droppingMetricName() : sample.labels
      out.append(Sample(labels: labels, value: value))
    }
    return try checkedUnique(out)
  }

  private func signature(_ labels: Labels, _ matching: VectorMatching) -> Labels {
    matching.on
      ? labels.keeping(matching.matchingLabels)
      : labels.removing(matching.matchingLabels + [Labels.metricName])
  }

  private func vectorVector(
    _ binary: BinaryExpression, _ left: [Sample], _ right: [Sample], _ matching: VectorMatching
  ) throws(PromQLError) -> [Sample] {
    var (lhs, rhs) = (left, right)
    if matching.cardinality == .oneToMany { (lhs, rhs) = (rhs, lhs) }
    if lhs.count == 1 && rhs.count == 1 {
      // Fast path for per-service rules: one sample a side, compared in place.
      guard signaturesMatch(lhs[0].labels, rhs[0].labels, matching) else { return [] }
      var (l, r) = (lhs[0].value, rhs[0].value)
      if matching.cardinality == .oneToMany { (l, r) = (r, l) }
      var (value, keep) = elementOperation(binary.op, l, r)
      if binary.returnBool {
        value = keep ? 1 : 0
      } else if !keep {
        return []
      }
      return [Sample(labels: oneToOneResultMetric(binary, lhs[0].labels, rhs[0].labels, matching), value: value)]
    }
    if lhs.isEmpty || rhs.isEmpty { return [] }
    var rightBySignature: [Labels: Sample] = [:]
    for sample in rhs {
      let key = signature(sample.labels, matching)
      if let existing = rightBySignature[key] {
        let side = matching.cardinality == .oneToMany ? "left" : "right"
        throw .evaluation(
          message:
            "found duplicate series for the match group \(key) on the \(side) hand-side of the operation: [\(existing.labels), \(sample.labels)];many-to-many matching not allowed: matching labels must be unique on one side"
        )
      }
      rightBySignature[key] = sample
    }
    var matchedSignatures: [Labels: Set<Labels>] = [:]
    var out: [Sample] = []
    for sample in lhs {
      let key = signature(sample.labels, matching)
      guard let other = rightBySignature[key] else { continue }
      var (l, r) = (sample.value, other.value)
      if matching.cardinality == .oneToMany { (l, r) = (r, l) }
      var (value, keep) = elementOperation(binary.op, l, r)
      if binary.returnBool {
        value = keep ? 1 : 0
      } else if !keep {
        continue
      }
      var metric = resultMetric(sample.labels, other.labels, binary.op, matching)
      if binary.returnBool { metric = metric.droppingMetricName() }
      if matching.cardinality == .oneToOne {
        if matchedSignatures[key] != nil {
          throw .evaluation(
            message:
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
          )
        }
        matchedSignatures[key] = []
      } else {
        if matchedSignatures[key, default: []].contains(metric) {
          throw .evaluation(
            message: "multiple matches for labels: grouping labels must ensure unique matches")
        }
        matchedSignatures[key, default: []].insert(metric)
      }
      out.append(Sample(labels: metric, value: value))
    }
    return try checkedUnique(out)
  }

  /// The labels of the result of matching `lhs` with `rhs` (already known to match),
  /// cached on the expression: per-service rules match the same two series each time.
  func oneToOneResultMetric(
    _ binary: BinaryExpression, _ lhs: Labels, _ rhs: Labels, _ matching: VectorMatching
  ) -> Labels {
    if let cached = binary.cachedResultMetric, cached.lhs == lhs, cached.rhs == rhs { return cached.result }
    var metric = resultMetric(lhs, rhs, binary.op, matching)
    if binary.returnBool { metric = metric.droppingMetricName() }
    binary.cachedResultMetric = (lhs, rhs, metric)
    return metric
  }

  /// Whether two label sets have the same matching signature, without building it.
  func signaturesMatch(_ a: Labels, _ b: Labels, _ matching: VectorMatching) -> Bool {
    if matching.on {
      return matching.matchingLabels.allSatisfy { a[$0] == b[$0] }
    }
    let excluded = matching.matchingLabels
    let left = a.items
    let right = b.items
    var i = 0
    var j = 0
    while true {
      while i < left.count && (left[i].name == Labels.metricName || excluded.contains(left[i].name)) { i += 1 }
      while j < right.count
        && (right[j].name == Labels.metricName || excluded.contains(right[j].name))
      { j += 1 }
      if i == left.count || j == right.count { return i == left.count && j == right.count }
      if left[i] != right[j] { return false }
      i += 1
      j += 1
    }
  }

  private func resultMetric(
    _ lhs: Labels, _ rhs: Labels, _ op: BinaryOperator, _ matching: VectorMatching
  ) -> Labels {
    var labels = lhs
    if dropsMetricName(op) { labels = labels.droppingMetricName() }
    if matching.cardinality == .oneToOne {
      labels =
        matching.on
        ? labels.keeping(matching.matchingLabels) : labels.removing(matching.matchingLabels)
    }
    for name in matching.include {
      labels = labels.setting(name, rhs[name])
    }
    return labels
  }

  private func setAnd(_ lhs: [Sample], _ rhs: [Sample], _ matching: VectorMatching) -> [Sample] {
    let keys = Set(rhs.map { signature($0.labels, matching) })
    return lhs.filter { keys.contains(signature($0.labels, matching)) }
  }

  private func setOr(_ lhs: [Sample], _ rhs: [Sample], _ matching: VectorMatching) -> [Sample] {
    let keys = Set(lhs.map { signature($0.labels, matching) })
    return lhs + rhs.filter { !keys.contains(signature($0.labels, matching)) }
  }

  private func setUnless(_ lhs: [Sample], _ rhs: [Sample], _ matching: VectorMatching) -> [Sample] {
    let keys = Set(rhs.map { signature($0.labels, matching) })
    return lhs.filter { !keys.contains(signature($0.labels, matching)) }
  }
}
