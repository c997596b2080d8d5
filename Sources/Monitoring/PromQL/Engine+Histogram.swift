import Foundation

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

/// Where the buckets of each output group of `histogram_quantile` over a per-series sum
/// sit in the sum's fold, for one order of the fold's groups.
///
/// Why: the fold numbers its groups in the order their first series has a sample, and
/// that order is the same at nearly every evaluation (the same series have samples).
/// Which quantile group each fold position feeds, in which order the groups come out,
/// and each group's upper bounds, ascending, depend on that order and on labels only;
/// working them out at every evaluation cost about 300 instructions per group and
/// evaluation at organisation scale (a table entry per bucket written and cleared,
/// each group's members looked up, the bounds checked for order). With the plan an
/// evaluation reads each bucket's count at its fold position.
struct HistogramGatherPlan {
  /// The fold's groups (aggregation keys in fold order) the plan was made for, and how
  /// many aggregation keys had been classified then.
  var foldGroups: [Int] = []
  var keyCount = -1
  /// Quantile groups in output order: that of their first bucket in the fold.
  var outputGroups: [Int32] = []
  /// Output group `i`'s buckets are entries `start[i]..<start[i + 1]` of `positions`
  /// (their fold positions) and `upperBounds`: ascending for a group without tied
  /// bounds, in fold order for one with (they are then sorted and coalesced as
  /// `bucketQuantile` does, at each evaluation).
  var positions: [Int32] = []
  var upperBounds: [Double] = []
  var start: [Int32] = [0]
  var hasTiedBounds: [Bool] = []
  /// The most buckets of any output group: the size of the gather buffer.
  var mostBuckets = 0

  /// Whether the plan was made for a fold with these groups and this many classified keys.
  func isValid(for groups: [Int], keyCount: Int) -> Bool {
    guard keyCount == self.keyCount, groups.count == foldGroups.count else { return false }
    if groups.isEmpty { return true }
    return groups.withUnsafeBytes { current in
      foldGroups.withUnsafeBytes { planned in
        memcmp(current.baseAddress.unsafelyUnwrapped, planned.baseAddress.unsafelyUnwrapped, current.count) == 0
      }
    }
  }
}

extension PromQLEngine {
  /// `histogram_quantile(q, sum by (…, le) (…))` when the sum takes the per-series path.
  ///
  /// Why: the generic path parses every `le` label and regroups every bucket by its
  /// labels at each evaluation, then sorts each group's buckets; here the quantile
  /// group, upper bound and ascending rank of each sum group are computed once (they
  /// depend on labels only), and where each group's buckets sit in the fold once per
  /// order of the fold's groups (``HistogramGatherPlan``). Groups come out in the
  /// generic path's order; a group's buckets reach ``bucketQuantile(_:_:)`` already
  /// ascending — with distinct upper bounds that is the one order its sort produces —
  /// or, when bounds tie, in the generic path's input order. Results are identical.
  func histogramQuantileOverAggregation(_ q: Double, _ aggregation: Aggregation, _ t: Int64)
    -> (samples: [Sample], mayCollide: Bool)?
  {
    var values: [Double] = []
    guard let buckets = histogramQuantileValues(q, aggregation, t, into: &values) else { return nil }
    var out: [Sample] = []
    out.reserveCapacity(values.count)
    buckets.outputLabelsOfGroup.withUnsafeBufferPointer { outputLabelsOfGroup in
      for (index, group) in buckets.gatherPlan.outputGroups.enumerated() {
        out.append(Sample(labels: outputLabelsOfGroup[Int(group)], value: values[index]))
      }
    }
    return (out, buckets.outputsMayCollide)
  }

  /// The quantile of each output group of ``histogramQuantileOverAggregation(_:_:_:)``,
  /// written into `values` (emptied first) in the order of `gatherPlan.outputGroups` of
  /// the returned buckets, whose `outputLabelsOfGroup` label them; nil when the sum does
  /// not take the per-series path.
  func histogramQuantileValues(_ q: Double, _ aggregation: Aggregation, _ t: Int64, into values: inout [Double])
    -> HistogramBuckets?
  {
    guard let folded = perSeriesFold(aggregation, t) else { return nil }
    let grouping = folded.grouping
    let buckets = grouping.histogramBuckets ?? HistogramBuckets()
    grouping.histogramBuckets = buckets
    buckets.extend(toCover: grouping.keys)
    if !buckets.gatherPlan.isValid(for: folded.groups, keyCount: buckets.groupOfKey.count) {
      makeGatherPlan(buckets, folded.groups, keyCount: grouping.keys.count)
    }
    let plan = buckets.gatherPlan
    values.removeAll(keepingCapacity: true)
    values.append(contentsOf: repeatElement(0, count: plan.outputGroups.count))
    // Taken out of the scratch object so that it is uniquely referenced while in use.
    var work = scratch.histogram
    scratch.histogram = HistogramScratch()
    if work.monotonicCounts.count < plan.mostBuckets {
      work.monotonicCounts = Array(repeating: 0, count: plan.mostBuckets)
    }
    let foldValues = folded.fold.results
    // Through buffers: an append per group paid a uniqueness check, and each bounds
    // check a compare.
    values.withUnsafeMutableBufferPointer { values in
      work.monotonicCounts.withUnsafeMutableBufferPointer { monotonicCounts in
        foldValues.withUnsafeBufferPointer { foldValues in
          plan.positions.withUnsafeBufferPointer { positions in
            plan.upperBounds.withUnsafeBufferPointer { upperBounds in
              plan.start.withUnsafeBufferPointer { start in
                plan.hasTiedBounds.withUnsafeBufferPointer { hasTiedBounds in
                  for index in values.indices {
                    let lower = Int(start[index])
                    let upper = Int(start[index + 1])
                    if !hasTiedBounds[index] {
                      values[index] = bucketQuantile(
                        q, upperBounds: UnsafeBufferPointer(rebasing: upperBounds[lower..<upper]),
                        countsAt: positions.baseAddress.unsafelyUnwrapped + lower, in: foldValues,
                        monotonicCounts: monotonicCounts.baseAddress.unsafelyUnwrapped)
                      continue
                    }
                    work.buckets.removeAll(keepingCapacity: true)
                    for entry in lower..<upper {
                      work.buckets.append((upperBounds[entry], foldValues[Int(positions[entry])]))
                    }
                    values[index] = bucketQuantile(q, &work.buckets)
                  }
                }
              }
            }
          }
        }
      }
    }
    scratch.histogram = work
    return buckets
  }

  /// Makes `buckets.gatherPlan` for a fold whose groups are `groups`.
  private func makeGatherPlan(_ buckets: HistogramBuckets, _ groups: [Int], keyCount: Int) {
    var work = scratch.histogram
    scratch.histogram = HistogramScratch()
    work.prepare(keyCount: keyCount, groupCount: buckets.keys.count)
    var plan = HistogramGatherPlan()
    plan.foldGroups = groups
    plan.keyCount = buckets.groupOfKey.count
    for (position, key) in groups.enumerated() {
      let group = Int(buckets.groupOfKey[key])
      guard group >= 0 else { continue }
      work.positionOfKey[key] = Int32(position)
      if !work.isGroupMet[group] {
        work.isGroupMet[group] = true
        work.outputGroups.append(Int32(group))
      }
    }
    plan.outputGroups = work.outputGroups
    for group in plan.outputGroups {
      let group = Int(group)
      let tied = buckets.hasTiedBounds[group]
      if !tied {
        // Members are kept by ascending upper bound.
        for member in Int(buckets.memberStart[group])..<Int(buckets.memberStart[group + 1]) {
          let key = Int(buckets.flatMembers[member])
          let position = work.positionOfKey[key]
          if position >= 0 {
            plan.positions.append(position)
            plan.upperBounds.append(buckets.upperBoundOfKey[key])
          }
        }
      } else {
        // The generic path's input order: the fold's.
        work.positions.removeAll(keepingCapacity: true)
        for key in buckets.membersOfGroup[group] where work.positionOfKey[Int(key)] >= 0 {
          work.positions.append(work.positionOfKey[Int(key)])
        }
        work.positions.sort()
        for position in work.positions {
          plan.positions.append(position)
          plan.upperBounds.append(buckets.upperBoundOfKey[groups[Int(position)]])
        }
      }
      plan.hasTiedBounds.append(tied)
      plan.mostBuckets = max(plan.mostBuckets, plan.positions.count - Int(plan.start[plan.start.count - 1]))
      plan.start.append(Int32(plan.positions.count))
    }
    work.reset(keys: groups)
    scratch.histogram = work
    buckets.gatherPlan = plan
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

/// ``bucketQuantile(_:_:)`` of buckets that are strictly ascending by upper bound, the
/// count of bucket `i` being `counts[positions[i]]`; `monotonicCounts` is scratch room
/// for `upperBounds.count` values.
///
/// Why: `histogram_quantile` over a per-series sum gathers the buckets of a group
/// without tied bounds in ascending order (``HistogramGatherPlan``); with distinct
/// bounds that is the one order `bucketQuantile`'s sort produces, and coalescing then
/// changes nothing, so both are skipped, as is checking the order at each evaluation.
/// The counts are read where the sum left them and `ensureMonotonic` is applied as they
/// are read: copying each bucket's bound and count into a buffer first, then repairing
/// the copy, cost about a third of the quantile's instructions.
@inline(__always)
func bucketQuantile(
  _ q: Double, upperBounds: UnsafeBufferPointer<Double>, countsAt positions: UnsafePointer<Int32>,
  in counts: UnsafeBufferPointer<Double>, monotonicCounts: UnsafeMutablePointer<Double>
) -> Double {
  if q.isNaN { return .nan }
  if q < 0 { return -.infinity }
  if q > 1 { return .infinity }
  guard let last = upperBounds.last, last == .infinity else { return .nan }
  var maximum = -Double.infinity
  for index in upperBounds.indices {
    monotonicCounts[index] = monotonicCount(counts[Int(positions[index])], runningMaximum: &maximum)
  }
  return quantileOfMonotonicBuckets(
    q, bucketCount: upperBounds.count, upperBound: { upperBounds[$0] }, count: { monotonicCounts[$0] })
}

/// The end of `bucketQuantile` (Prometheus 2.42 promql/quantile.go): `ensureMonotonic`,
/// then the rank's bucket and linear interpolation in it, on buckets ascending with
/// distinct upper bounds, the last `+Inf`.
@inline(__always)
func monotonicBucketQuantile(_ q: Double, _ buckets: UnsafeMutableBufferPointer<(upperBound: Double, count: Double)>)
  -> Double
{
  var maximum = -Double.infinity
  for index in buckets.indices {
    buckets[index].count = monotonicCount(buckets[index].count, runningMaximum: &maximum)
  }
  return quantileOfMonotonicBuckets(
    q, bucketCount: buckets.count, upperBound: { buckets[$0].upperBound }, count: { buckets[$0].count })
}

/// One step of `ensureMonotonic` (Prometheus 2.42 promql/quantile.go), over the counts
/// in ascending bucket order: a count below the largest before it takes that value; a
/// NaN or an equal count stays as it is, and only a larger count raises the largest.
@inline(__always)
func monotonicCount(_ count: Double, runningMaximum maximum: inout Double) -> Double {
  if count > maximum {
    maximum = count
    return count
  }
  return count < maximum ? maximum : count
}

/// The end of `bucketQuantile` after `ensureMonotonic` (Prometheus 2.42
/// promql/quantile.go): the rank's bucket and linear interpolation in it, on
/// `bucketCount` buckets ascending with distinct upper bounds, the last `+Inf`.
@inline(__always)
func quantileOfMonotonicBuckets(
  _ q: Double, bucketCount: Int, upperBound: (Int) -> Double, count: (Int) -> Double
) -> Double {
  if bucketCount < 2 { return .nan }
  let observations = count(bucketCount - 1)
  if observations == 0 { return .nan }
  var rank = q * observations
  // sort.Search over all but the last bucket.
  var b = bucketCount - 1
  for index in 0..<(bucketCount - 1) where count(index) >= rank {
    b = index
    break
  }
  if b == bucketCount - 1 { return upperBound(bucketCount - 2) }
  if b == 0 && upperBound(0) <= 0 { return upperBound(0) }
  var bucketStart = 0.0
  let bucketEnd = upperBound(b)
  var bucketObservations = count(b)
  if b > 0 {
    bucketStart = upperBound(b - 1)
    bucketObservations -= count(b - 1)
    rank -= count(b - 1)
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / bucketObservations)
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
