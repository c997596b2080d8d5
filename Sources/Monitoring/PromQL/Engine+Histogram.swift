extension PromQLEngine {
  /// `histogram_quantile` over classic `le` buckets.
  ///
  /// Mirrors `funcHistogramQuantile` and `bucketQuantile` in Prometheus 2.42
  /// (promql/functions.go, promql/quantile.go): buckets are grouped by all labels but
  /// `le`; a sample whose `le` does not parse is skipped; the output drops `le` and
  /// `__name__`.
  func histogramQuantile(_ q: Double, _ samples: [Sample]) -> [Sample] {
    var keys: [Labels] = []
    var grouper = ProjectionGrouper(allBut: ["le"])
    var groups: [(labels: Labels, buckets: [(upperBound: Double, count: Double)])] = []
    for sample in samples {
      guard let upperBound = parseGoFloat(sample.labels["le"]) else { continue }
      let (index, isNew) = grouper.group(of: sample.labels, keys: &keys)
      if isNew {
        groups.append((keys[index].droppingMetricName(), [(upperBound, sample.value)]))
      } else {
        groups[index].buckets.append((upperBound, sample.value))
      }
    }
    return groups.map { Sample(labels: $0.labels, value: bucketQuantile(q, $0.buckets)) }
  }
}

/// Mirrors `bucketQuantile` in Prometheus 2.42 promql/quantile.go.
func bucketQuantile(_ q: Double, _ input: [(upperBound: Double, count: Double)]) -> Double {
  var buckets = input
  return bucketQuantile(q, &buckets)
}

/// ``bucketQuantile(_:_:)`` on a caller's scratch array, which it may reorder and
/// modify (no copy for `ensureMonotonic`'s repairs).
func bucketQuantile(_ q: Double, _ buckets: inout [(upperBound: Double, count: Double)]) -> Double {
  if q.isNaN { return .nan }
  if q < 0 { return -.infinity }
  if q > 1 { return .infinity }
  // Buckets nearly always arrive strictly ascending (then sorting and coalescing
  // change nothing, and are skipped).
  var strictlyAscending = true
  for index in buckets.indices.dropFirst() where !(buckets[index - 1].upperBound < buckets[index].upperBound) {
    strictlyAscending = false
    break
  }
  if !strictlyAscending {
    buckets.sort { $0.upperBound < $1.upperBound }
  }
  guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
  if !strictlyAscending {
    // coalesceBuckets: merge equal upper bounds, in place as Go does.
    var kept = 0
    for index in buckets.indices {
      if kept > 0 && buckets[kept - 1].upperBound == buckets[index].upperBound {
        buckets[kept - 1].count += buckets[index].count
      } else {
        buckets[kept] = buckets[index]
        kept += 1
      }
    }
    buckets.removeLast(buckets.count - kept)
  }
  return buckets.withUnsafeMutableBufferPointer { monotonicBucketQuantile(q, $0) }
}

/// ``bucketQuantile(_:_:)`` on buckets in a caller's buffer (which `ensureMonotonic`'s
/// repairs modify), or nil when they are not strictly ascending: the array version must
/// then sort and coalesce them.
///
/// Why: `histogram_quantile` over a per-series sum gathers each group's buckets already
/// ascending; through a buffer, each bucket costs no uniqueness or capacity check.
@inline(__always)
func bucketQuantile(_ q: Double, ascending buckets: UnsafeMutableBufferPointer<(upperBound: Double, count: Double)>)
  -> Double?
{
  if q.isNaN { return .nan }
  if q < 0 { return -.infinity }
  if q > 1 { return .infinity }
  for index in buckets.indices.dropFirst() where !(buckets[index - 1].upperBound < buckets[index].upperBound) {
    return nil
  }
  guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
  return monotonicBucketQuantile(q, buckets)
}

/// The end of `bucketQuantile` (Prometheus 2.42 promql/quantile.go): `ensureMonotonic`,
/// then the rank's bucket and linear interpolation in it, on buckets ascending with
/// distinct upper bounds, the last `+Inf`.
@inline(__always)
func monotonicBucketQuantile(_ q: Double, _ buckets: UnsafeMutableBufferPointer<(upperBound: Double, count: Double)>)
  -> Double
{
  // ensureMonotonic.
  var maximum = -Double.infinity
  for index in buckets.indices {
    if buckets[index].count > maximum {
      maximum = buckets[index].count
    } else if buckets[index].count < maximum {
      buckets[index].count = maximum
    }
  }
  if buckets.count < 2 { return .nan }
  let observations = buckets[buckets.count - 1].count
  if observations == 0 { return .nan }
  var rank = q * observations
  // sort.Search over all but the last bucket.
  var b = buckets.count - 1
  for index in 0..<(buckets.count - 1) where buckets[index].count >= rank {
    b = index
    break
  }
  if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
  if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
  var bucketStart = 0.0
  let bucketEnd = buckets[b].upperBound
  var count = buckets[b].count
  if b > 0 {
    bucketStart = buckets[b - 1].upperBound
    count -= buckets[b - 1].count
    rank -= buckets[b - 1].count
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count)
}

/// Parses a float as Go's `strconv.ParseFloat` does for label values (`+Inf`, `1e3`, `0.5`).
func parseGoFloat(_ text: String) -> Double? {
  // Fast path for the plain decimals and `+Inf` that `le` labels nearly always are:
  // for these Go's ParseFloat and strtod agree (both round correctly).
  if text == "+Inf" { return .infinity }
  var dots = 0
  var digits = 0
  for byte in text.utf8 {
    if byte == UInt8(ascii: ".") {
      dots += 1
    } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
      digits += 1
    } else {
      dots = 2
      break
    }
  }
  if dots <= 1, digits > 0, let value = Double(text) { return value }
  if text.isEmpty { return nil }
  switch text.lowercased() {
  case "+inf", "inf", "+infinity", "infinity": return .infinity
  case "-inf", "-infinity": return -.infinity
  case "nan": return .nan
  default: break
  }
  guard text.allSatisfy({ $0.isNumber || "+-.eExXpP_abcdefABCDEF".contains($0) }) else {
    return nil
  }
  return Double(text)
}
