import Monitoring

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The metric names of the series each simulated service publishes (one scrape
/// target per service and track, see ``ServiceSeries``).
public enum ServiceMetricNames {
  public static let requests = "http_requests_total"
  public static let latencyBuckets = "http_request_duration_seconds_bucket"
  public static let latencyCount = "http_request_duration_seconds_count"
  public static let latencySum = "http_request_duration_seconds_sum"
  public static let quality = "model_quality_score"
  public static let all = [requests, latencyBuckets, latencyCount, latencySum, quality]
}

/// What the traffic loop reads and writes of one published target every scrape, in
/// one block of its own (``ServiceSeries/state``): the running totals, the bucket
/// counts after this header, and what the row needs besides.
///
/// Why a block apart from the object: at organisation scale every service's series are
/// cold again by its next scrape, and the object with its row, bucket totals and
/// conditional probabilities in a second allocation was six to seven cache lines per
/// target and scrape. The block is 64-byte aligned, this header one line and the
/// bucket totals the next (with the default seven buckets); the row is built in one
/// buffer the traffic loop reuses for every target and the conditional probabilities
/// are shared (``PublishingStorage``), so a scrape touches two lines of the target's
/// own. The blocks of all services' stable targets are one array in service order, as
/// are the canary targets' blocks: the loop walks them at a fixed stride, which the
/// hardware prefetcher follows (issue 19, traffic7).
struct PublishedState {
  var requestsTotal = 0.0
  var errorsTotal = 0.0
  var durationSumTotal = 0.0
  /// Seconds × this is the latency unit of the profile's histogram (its sum column).
  var latencyScale: Double
  /// The latency shift `conditionals` were computed for (NaN: none yet).
  var conditionalsLatencyExtra = Double.nan
  /// P(latency in bucket i | not in a lower bucket) for `conditionalsLatencyExtra`, one
  /// per latency bucket: a table shared by every target with the same baseline latency
  /// and shift.
  var conditionals: UnsafePointer<Double>? = nil
  /// `group.index` of the owning ``ServiceSeries``.
  var groupIndex: Int32
  /// Members of the group (the row's width).
  var width: Int32
  /// Whether samples were appended since the last staleness marker.
  var live = false
  /// Whether the profile repeats columns after the quality gauge
  /// (``ServiceSeries/repeatedColumns``, read from the object only then).
  var repeatsColumns: Bool
}

/// Memory the traffic loop publishes from: the targets' ``PublishedState`` blocks, the
/// row buffer, and the conditional bucket probabilities of the latency multinomial,
/// one table per (baseline latency, latency shift), shared by every target that has
/// them.
///
/// Why shared tables: they change only when a latency defect comes or goes, and at
/// organisation scale almost every target has the same baseline and no shift; a table
/// per target was one cold cache line more per target and scrape. The values are
/// computed by the same expression as before, so they are the same numbers.
final class PublishingStorage {
  private struct Key: Hashable {
    var baselineBits: UInt64
    var extraBits: UInt64
  }

  private var tables: [Key: UnsafeMutablePointer<Double>] = [:]
  /// Row buffers handed out by ``rowBuffer(capacity:)``, freed with this object.
  private var rows: [UnsafeMutablePointer<Double>] = []
  let buckets: [Double]
  /// Bytes from one target's state block to the next: the 64-byte header and the
  /// bucket totals, in whole cache lines.
  let blockStride: Int
  private let services: Int
  /// Per track (0: stable, 1: canary), every service's state block, made when the
  /// track's first target is.
  private var blocks: [UnsafeMutableRawPointer?] = [nil, nil]

  init(buckets: [Double], services: Int) {
    self.buckets = buckets
    self.services = services
    blockStride = (64 + 8 * (buckets.count + 1) + 63) / 64 * 64
  }

  deinit {
    for table in tables.values { table.deallocate() }
    for row in rows { row.deallocate() }
    for block in blocks { block?.deallocate() }
  }

  /// The state block of the target of service `position` on `track` (0: stable, 1:
  /// canary), 64-byte aligned, `blockStride` bytes; each is handed to one
  /// ``ServiceSeries`` (series are never dropped during a run).
  func stateBlock(service position: Int, track: Int) -> UnsafeMutableRawPointer {
    precondition(position >= 0 && position < services && (track == 0 || track == 1), "no such target")
    if blocks[track] == nil {
      blocks[track] = UnsafeMutableRawPointer.allocate(byteCount: max(1, services) * blockStride, alignment: 64)
    }
    guard let base = blocks[track] else { preconditionFailure("state blocks not allocated") }
    return base + position * blockStride
  }

  /// A buffer of `capacity` values for the traffic loop's row (``Traffic``), owned by
  /// this object.
  func rowBuffer(capacity: Int) -> UnsafeMutablePointer<Double> {
    let row = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
    row.initialize(repeating: 0, count: capacity)
    rows.append(row)
    return row
  }

  /// The table for a latency shift of `latencyExtra` around `baselineLatency`.
  func table(latencyExtra: Double, baselineLatency: Double) -> UnsafePointer<Double> {
    let key = Key(baselineBits: baselineLatency.bitPattern, extraBits: latencyExtra.bitPattern)
    if let known = tables[key] { return UnsafePointer(known) }
    let table = UnsafeMutablePointer<Double>.allocate(capacity: max(1, buckets.count))
    var below = 0.0
    for (index, bound) in buckets.enumerated() {
      let probability = bound > latencyExtra ? normalCDF(log((bound - latencyExtra) / baselineLatency) / 0.5) : 0
      (table + index).initialize(to: below < 1 ? max(0, min(1, (probability - below) / (1 - below))) : 0)
      below = max(below, probability)
    }
    tables[key] = table
    return UnsafePointer(table)
  }
}

/// The series a service publishes, registered once per service and track.
///
/// A class: it owns the target's scrape group and its per-scrape state
/// (``PublishedState``), which the traffic loop reaches without loading the object.
final class ServiceSeries {
  /// `stable` or `canary` (the `track` label analysis queries select on).
  let track: String
  /// The target's series, appended as one row per scrape (``SeriesStore/registerScrapeGroup(_:)``),
  /// in this column order: `http_requests_total{code="200"}` (requests that succeeded),
  /// `http_requests_total{code="500"}` (errors and timeouts), the latency buckets (`+Inf`
  /// last), `http_request_duration_seconds_count`, `_sum`, `model_quality_score`.
  let group: ScrapeGroup
  /// The per-scrape state, followed by the requests per latency bucket so far (not
  /// cumulative, `+Inf` last): one 64-byte-aligned block of ``PublishingStorage``.
  let state: UnsafeMutablePointer<PublishedState>
  /// For each column after the quality gauge, the column it repeats
  /// (``MetricProfile/repeatedColumns(bucketCount:)``).
  let repeatedColumns: [Int]

  /// Requests per latency bucket so far (not cumulative), `+Inf` last: after the
  /// state's 64 bytes.
  static func bucketTotals(_ state: UnsafeMutablePointer<PublishedState>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(state).advanced(by: 64).assumingMemoryBound(to: Double.self)
  }

  /// - Parameter stateBlock: room for the ``PublishedState`` header and the bucket
  ///   totals (64 + 8 × (buckets + 1) bytes, 64-byte aligned), owned by the caller.
  init(
    store: SeriesStore, service: String, team: String, track: String, buckets: [Double],
    profile: MetricProfile = .platformSim, primaryWorkload: Bool = false, stateBlock block: UnsafeMutableRawPointer
  ) {
    self.track = track
    repeatedColumns = profile.repeatedColumns(bucketCount: buckets.count)
    // A `track` label rather than a per-version one: every deployment would otherwise
    // add a series set that selectors keep scanning after it goes stale. Every member
    // is new: the scenario reader rejects recording rules that would write these
    // metric names (`registerScrapeGroup` requires fresh label sets).
    group = store.registerScrapeGroup(
      profile.columns(
        service: service, team: team, track: track, buckets: buckets, primaryWorkload: primaryWorkload))
    state = block.bindMemory(to: PublishedState.self, capacity: 1)
    state.initialize(
      to: PublishedState(
        latencyScale: profile.latencyScale, groupIndex: group.index, width: Int32(group.series.count),
        repeatsColumns: !repeatedColumns.isEmpty))
    (block + 64).bindMemory(to: Double.self, capacity: buckets.count + 1).initialize(
      repeating: 0, count: buckets.count + 1)
  }
}

func formatBucket(_ value: Double) -> String {
  value == value.rounded() ? String(Int(value)) : String(value)
}

/// Standard normal CDF.
func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
