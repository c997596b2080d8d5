import Foundation
import ResultRows

/// Series over simulated time derived from a run's rows, for charts and the web UI.
///
/// Every series is computed from the stored tables (docs/SCHEMA.md), so it can be
/// redrawn from any results database.
public enum RunSeries {
  /// Ready nodes per pool over time: +1 at `ready_at`, −1 at `terminated_at`.
  ///
  /// Pools in name order; at equal instants removals come before additions.
  public static func nodesPerPool(_ nodes: [ClusterNodeRow], start: Double) -> [StepSeries] {
    var pools: [String] = []
    for node in nodes where !pools.contains(node.pool) { pools.append(node.pool) }
    pools.sort()
    return pools.map { pool in
      var changes: [(time: Double, delta: Int)] = []
      for node in nodes where node.pool == pool {
        guard let ready = node.readyAt else { continue }
        changes.append((ready, 1))
        if let end = node.terminatedAt { changes.append((end, -1)) }
      }
      return steps(name: pool, changes: changes, start: start)
    }
  }

  /// Training jobs waiting over time: +1 at submission, −1 at first start (admitted jobs only).
  public static func trainingQueue(_ jobs: [TrainingJobRow], start: Double) -> StepSeries {
    var changes: [(time: Double, delta: Int)] = []
    for job in jobs where job.outcome != "rejected" {
      changes.append((job.submittedAt, 1))
      if let started = job.firstStartedAt { changes.append((started, -1)) }
    }
    return steps(name: "jobs waiting", changes: changes, start: start)
  }

  /// A step series from (time, ±n) changes, coalescing changes at one instant.
  static func steps(name: String, changes: [(time: Double, delta: Int)], start: Double) -> StepSeries {
    let ordered = changes.sorted { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
    var times = [start]
    var values = [0.0]
    var level = 0
    for change in ordered {
      level += change.delta
      if let last = times.last, last == change.time || (times.count == 1 && change.time <= start) {
        values[values.count - 1] = Double(level)
        if change.time > start { times[times.count - 1] = change.time }
      } else {
        times.append(change.time)
        values.append(Double(level))
      }
    }
    return StepSeries(name: name, times: times, values: values)
  }

  /// Daily buckets of a window: local midnights in `timeZone`, the first bucket
  /// starting at the window's start.
  public static func dayStarts(start: Double, end: Double, timeZone identifier: String) -> [Double] {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC") ?? .current
    var starts = [start]
    var day = calendar.startOfDay(for: Date(timeIntervalSince1970: start))
    while let next = calendar.date(byAdding: .day, value: 1, to: day), next.timeIntervalSince1970 < end {
      if next.timeIntervalSince1970 > start { starts.append(next.timeIntervalSince1970) }
      day = next
    }
    return starts
  }

  /// Adds `amount`, accrued evenly over `from…to`, into the buckets it overlaps.
  static func spread(_ amount: Double, from: Double, to: Double, buckets: [Double], end: Double, into sums: inout [Double])
  {
    guard amount != 0, !buckets.isEmpty else { return }
    let length = to - from
    guard length > 0 else {
      let index = max(0, (buckets.lastIndex { $0 <= from }) ?? 0)
      sums[index] += amount
      return
    }
    var index = max(0, (buckets.lastIndex { $0 <= from }) ?? 0)
    while index < buckets.count {
      let bucketStart = buckets[index]
      let bucketEnd = index + 1 < buckets.count ? buckets[index + 1] : max(end, to)
      if bucketStart >= to { break }
      let overlap = min(to, bucketEnd) - max(from, bucketStart)
      if overlap > 0 { sums[index] += amount * overlap / length }
      index += 1
    }
  }

  /// Cost per day by team (or cost centre), idle included, in USD.
  ///
  /// Each stored amount is spread evenly over the time it accrued in: a serving pod's
  /// attempt over the time it held its node; a training job's cost over its pods' time
  /// on their nodes, each pod weighted by its node's price (OpenCost charges a pod its
  /// requests' share of the node's price while it holds it); a node's idle cost over
  /// its billed life. Totals equal the `cost_allocations` views; within a day the idle
  /// share is approximate, because the stored idle amount is a whole-life figure.
  ///
  /// - Returns: series in name order, `__idle__` last, each with one value per bucket.
  public static func costPerDay(
    buckets: [Double], end: Double, nodes: [ClusterNodeRow], jobs: [TrainingJobRow], pods: [ClusterPodRow],
    servingPods: [ServingPodRow], groupByCostCenter: Bool
  ) -> [(name: String, values: [Double])] {
    var groups: [String] = []
    var sums: [[Double]] = []
    var groupIndex: [String: Int] = [:]
    func index(_ name: String) -> Int {
      if let existing = groupIndex[name] { return existing }
      groups.append(name)
      sums.append(Array(repeating: 0, count: buckets.count))
      groupIndex[name] = groups.count - 1
      return groups.count - 1
    }
    var priceByNode: [Int64: Double] = [:]
    for node in nodes { priceByNode[node.nodeID] = node.priceUSDPerHour }
    var podsByJob: [Int64: [ClusterPodRow]] = [:]
    for pod in pods { podsByJob[pod.jobID, default: []].append(pod) }
    for job in jobs where job.costMicroUSD > 0 {
      let group = index(groupByCostCenter ? job.costCenter : job.team)
      let mine = podsByJob[job.jobID] ?? []
      let weights = mine.map { pod in
        max(0, (pod.endedAt ?? end) - pod.scheduledAt) * (priceByNode[pod.nodeID] ?? 1)
      }
      let total = weights.reduce(0, +)
      let amount = Double(job.costMicroUSD) / 1e6
      if total <= 0 {
        spread(amount, from: job.submittedAt, to: job.finishedAt ?? end, buckets: buckets, end: end, into: &sums[group])
        continue
      }
      for (pod, weight) in zip(mine, weights) where weight > 0 {
        spread(
          amount * weight / total, from: pod.scheduledAt, to: pod.endedAt ?? end, buckets: buckets, end: end,
          into: &sums[group])
      }
    }
    for pod in servingPods where pod.costMicroUSD > 0 {
      let group = index(groupByCostCenter ? pod.costCenter : pod.team)
      spread(
        Double(pod.costMicroUSD) / 1e6, from: pod.scheduledAt, to: pod.endedAt ?? end, buckets: buckets, end: end,
        into: &sums[group])
    }
    var idle = Array(repeating: 0.0, count: buckets.count)
    for node in nodes where node.idleMicroUSD > 0 {
      let from = node.requestedAt
      spread(
        Double(node.idleMicroUSD) / 1e6, from: from, to: node.terminatedAt ?? end, buckets: buckets, end: end,
        into: &idle)
    }
    let order = groups.indices.sorted { groups[$0].utf8.lexicographicallyPrecedes(groups[$1].utf8) }
    var result = order.map { (groups[$0], sums[$0]) }
    if idle.contains(where: { $0 > 0 }) { result.append(("__idle__", idle)) }
    return result
  }
}
