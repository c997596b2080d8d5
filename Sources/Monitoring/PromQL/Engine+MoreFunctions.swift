import Foundation

/// The rest of Prometheus 2.42's functions (promql/functions.go), on the generic evaluator.
extension PromQLEngine {
  func evaluateMoreFunctions(_ function: PromQLFunction, _ arguments: [Expr], _ t: Int64) throws(PromQLError)
    -> QueryValue
  {
    switch function {
    case .pi:
      return .scalar(Double.pi)
    case .sin, .cos, .tan, .asin, .acos, .atan, .sinh, .cosh, .tanh, .asinh, .acosh, .atanh, .deg, .rad:
      return .vector(
        try checkedUnique(
          try vectorValue(arguments[0], t).map {
            Sample(labels: $0.labels.droppingMetricName(), value: Self.trigonometric(function, $0.value))
          }))
    case .sort, .sortDesc:
      // funcSort/funcSortDesc: NaN last either way. Go's sort is not stable; ties keep input order here.
      let samples = try vectorValue(arguments[0], t)
      let ascending = function == .sort
      return .vector(
        samples.enumerated().sorted { lhs, rhs in
          let (a, b) = (lhs.element.value, rhs.element.value)
          if a.isNaN != b.isNaN { return b.isNaN }
          if a != b && !a.isNaN { return ascending ? a < b : a > b }
          return lhs.offset < rhs.offset
        }.map(\.element))
    case .timestamp:
      return .vector(try checkedUnique(try timestamps(arguments[0], t)))
    case .labelReplace, .labelJoin:
      return .vector(try checkedUnique(try relabel(function, arguments, t)))
    case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
      if arguments.isEmpty {
        return .vector([Sample(labels: .empty, value: Self.datePart(function, unixSeconds: t / 1000))])
      }
      return .vector(
        try checkedUnique(
          try vectorValue(arguments[0], t).map {
            Sample(
              labels: $0.labels.droppingMetricName(),
              value: Self.datePart(function, unixSeconds: Self.goInt64($0.value)))
          }))
    case .deriv:
      return .vector(
        try rangeFunction(arguments[0], t) { times, values in
          times.count < 2 ? nil : linearRegression(times, values, interceptMs: times[0]).slope
        })
    case .predictLinear:
      let seconds = try scalarValue(arguments[1], t)
      return .vector(
        try rangeFunction(arguments[0], t) { times, values in
          guard times.count >= 2 else { return nil }
          let (slope, intercept) = linearRegression(times, values, interceptMs: t)
          return slope * seconds + intercept
        })
    case .holtWinters:
      let smoothing = try scalarValue(arguments[1], t)
      let trend = try scalarValue(arguments[2], t)
      if smoothing <= 0 || smoothing >= 1 {
        throw .evaluation(
          message: "invalid smoothing factor. Expected: 0 < sf < 1, got: \(String(format: "%f", smoothing))")
      }
      if trend <= 0 || trend >= 1 {
        throw .evaluation(message: "invalid trend factor. Expected: 0 < tf < 1, got: \(String(format: "%f", trend))")
      }
      return .vector(
        try rangeFunction(arguments[0], t) { _, values in
          holtWinters(values, smoothing: smoothing, trend: trend)
        })
    case .presentOverTime, .stddevOverTime, .stdvarOverTime:
      return .vector(
        try rangeFunction(arguments[0], t) { _, values in
          if values.isEmpty { return nil }
          if function == .presentOverTime { return 1 }
          let variance = varianceOverTime(values)
          return function == .stddevOverTime ? variance.squareRoot() : variance
        })
    default:
      throw .evaluation(message: "function \(function.rawValue) is not evaluated here")
    }
  }

  /// Go's `int64(f)` for the date functions (truncation; out of range saturates here).
  static func goInt64(_ value: Double) -> Int64 {
    if value.isNaN { return Int64.min }
    if value >= 9.223372036854775807e18 { return Int64.max }
    if value <= -9.223372036854775808e18 { return Int64.min }
    return Int64(value)
  }

  /// Go's `math` functions behind Prometheus's `sin` … `atanh`, `deg` and `rad`: `sin`,
  /// `cos` and `tan` ported (``GoTrigonometry``); the others are libm's, which agreed
  /// with promtool on the cross-check corpus.
  static func trigonometric(_ function: PromQLFunction, _ value: Double) -> Double {
    switch function {
    case .sin: return GoTrigonometry.sin(value)
    case .cos: return GoTrigonometry.cos(value)
    case .tan: return GoTrigonometry.tan(value)
    case .asin: return GoMath.asin(value)
    case .acos: return GoMath.acos(value)
    case .atan: return GoMath.atan(value)
    case .sinh: return GoMath.sinh(value)
    case .cosh: return GoMath.cosh(value)
    case .tanh: return GoMath.tanh(value)
    case .asinh: return GoMath.asinh(value)
    case .acosh: return GoMath.acosh(value)
    case .atanh: return GoMath.atanh(value)
    case .deg: return value * 180 / Double.pi
    default: return value * Double.pi / 180
    }
  }

  /// The date functions (`dateWrapper`): fields of the UTC time at `unixSeconds`.
  static func datePart(_ function: PromQLFunction, unixSeconds: Int64) -> Double {
    // Days since 1970-01-01 and the civil date (Howard Hinnant's days_from_civil inverse).
    let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
    let secondOfDay = unixSeconds - days * 86_400
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYearMarch = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYearMarch + 2) / 153
    let day = dayOfYearMarch - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    switch function {
    case .dayOfMonth: return Double(day)
    case .dayOfWeek:
      let weekday = (days + 4) % 7
      return Double(weekday < 0 ? weekday + 7 : weekday)
    case .dayOfYear:
      let before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][Int(month) - 1]
      return Double(before + Int(day) + (isLeap && month > 2 ? 1 : 0))
    case .daysInMonth:
      let lengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
      return Double(lengths[Int(month) - 1])
    case .hour: return Double(secondOfDay / 3_600)
    case .minute: return Double(secondOfDay % 3_600 / 60)
    case .month: return Double(month)
    default: return Double(year)
    }
  }

  /// `timestamp()`: a selector's samples keep their own time (engine.go special-cases
  /// it); any other argument is stamped with the evaluation time.
  func timestamps(_ argument: Expr, _ t: Int64) throws(PromQLError) -> [Sample] {
    var inner = argument
    while case .paren(let wrapped) = inner { inner = wrapped }
    guard case .vector(let selector) = inner else {
      return try vectorValue(argument, t).map {
        Sample(labels: $0.labels.droppingMetricName(), value: Double(t) / 1000)
      }
    }
    let reference = referenceMs(selector, t)
    var out: [Sample] = []
    for id in selector.seriesIDs(in: store) {
      guard store.instantSample(id, atMs: reference, lookbackMs: lookbackMs) != nil else { continue }
      let sampleMs = store.withRange(id, fromMs: reference - lookbackMs, toMs: reference) { times, _ in times.last }
      if let sampleMs { out.append(Sample(labels: store.labelsWithoutName(of: id), value: Double(sampleMs) / 1000)) }
    }
    return out
  }

  /// `label_replace` and `label_join` (funcLabelReplace, funcLabelJoin).
  func relabel(_ function: PromQLFunction, _ arguments: [Expr], _ t: Int64) throws(PromQLError) -> [Sample] {
    var strings: [String] = []
    for argument in arguments.dropFirst() {
      guard case .string(let text) = try evaluate(argument, atMs: t) else {
        throw .evaluation(message: "expected a string argument")
      }
      strings.append(text)
    }
    let samples = try vectorValue(arguments[0], t)
    let destination = strings[0]
    if function == .labelJoin {
      let separator = strings[1]
      let sources = Array(strings.dropFirst(2))
      return samples.map { sample in
        let joined = sources.map { sample.labels[$0] }.joined(separator: separator)
        let labels = joined.isEmpty ? sample.labels.removing([destination]) : sample.labels.setting(destination, joined)
        return Sample(labels: labels, value: sample.value)
      }
    }
    let (replacement, source, pattern) = (strings[1], strings[2], strings[3])
    guard let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") else {
      throw .evaluation(message: "invalid regular expression in label_replace(): \(pattern)")
    }
    return samples.map { sample in
      let value = sample.labels[source]
      let range = NSRange(value.startIndex..<value.endIndex, in: value)
      guard regex.firstMatch(in: value, options: [.anchored], range: range) != nil else { return sample }
      let result = goReplaceAll(regex, value, template: replacement)
      let base = sample.labels.removing([destination])
      return Sample(labels: result.isEmpty ? base : base.setting(destination, result), value: sample.value)
    }
  }
}

/// Least-squares slope and intercept at `interceptMs`; mirrors `linearRegression` in
/// Prometheus 2.42 (Kahan sums, a constant series gives slope 0).
func linearRegression(
  _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>, interceptMs: Int64
) -> (slope: Double, intercept: Double) {
  var n = 0.0
  var (sumX, cX, sumY, cY, sumXY, cXY, sumX2, cX2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
  let initial = values[0]
  var constant = true
  for index in 0..<times.count {
    let value = values[index]
    if constant && index > 0 && value != initial { constant = false }
    n += 1
    let x = Double(times[index] - interceptMs) / 1e3
    (sumX, cX) = kahanSumIncrement(x, sumX, cX)
    (sumY, cY) = kahanSumIncrement(value, sumY, cY)
    (sumXY, cXY) = kahanSumIncrement(x * value, sumXY, cXY)
    (sumX2, cX2) = kahanSumIncrement(x * x, sumX2, cX2)
  }
  if constant { return initial.isInfinite ? (.nan, .nan) : (0, initial) }
  sumX += cX
  sumY += cY
  sumXY += cXY
  sumX2 += cX2
  let covXY = sumXY - sumX * sumY / n
  let varX = sumX2 - sumX * sumX / n
  let slope = covXY / varX
  return (slope, sumY / n - slope * sumX / n)
}

/// `holt_winters` (double exponential smoothing), as funcHoltWinters computes it.
func holtWinters(_ values: UnsafeBufferPointer<Double>, smoothing sf: Double, trend tf: Double) -> Double? {
  let count = values.count
  if count < 2 { return nil }
  var s0 = 0.0
  var s1 = values[0]
  var b = values[1] - values[0]
  for index in 1..<count {
    let x = sf * values[index]
    if index - 1 != 0 { b = tf * (s1 - s0) + (1 - tf) * b }
    let y = (1 - sf) * (s1 + b)
    (s0, s1) = (s1, x + y)
  }
  return s1
}

/// Population variance with Kahan-compensated running mean (funcStdvarOverTime).
func varianceOverTime(_ values: UnsafeBufferPointer<Double>) -> Double {
  var count = 0.0
  var (mean, cMean, aux, cAux) = (0.0, 0.0, 0.0, 0.0)
  for value in values {
    count += 1
    let delta = value - (mean + cMean)
    (mean, cMean) = kahanSumIncrement(delta / count, mean, cMean)
    (aux, cAux) = kahanSumIncrement(delta * (value - (mean + cMean)), aux, cAux)
  }
  return (aux + cAux) / count
}
