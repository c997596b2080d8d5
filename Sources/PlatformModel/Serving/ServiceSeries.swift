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

/// The series a service publishes, registered once per service and track.
///
/// A class: the traffic loop updates its running totals every scrape, and as a value
/// inside `Traffic`'s records each update copied (and released) its arrays. Its state
/// belongs to one run's thread: `@exclusivity(unchecked)` spares the dynamic access
/// checks (about 4 % of an organisation-scale run).
final class ServiceSeries {
  /// `stable` or `canary` (the `track` label analysis queries select on).
  @exclusivity(unchecked) var track: String
  /// Whether samples were appended since the last staleness marker.
  @exclusivity(unchecked) var live = false
  /// The target's series, appended as one row per scrape (``SeriesStore/registerScrapeGroup(_:)``),
  /// in this column order: `http_requests_total{code="200"}` (requests that succeeded),
  /// `http_requests_total{code="500"}` (errors and timeouts), the latency buckets (`+Inf`
  /// last), `http_request_duration_seconds_count`, `_sum`, `model_quality_score`.
  let group: ScrapeGroup
  /// `group.index`, read per scrape without touching the group's member array.
  let groupIndex: Int32
  // The arrays below are fixed-size buffers owned by this object, not Swift arrays:
  // the traffic loop reads and writes them a dozen times per service and scrape, and
  // as array properties of a class each access retained, released and checked
  // uniqueness (about 8 % of an organisation-scale run). The three share one
  // allocation, row first: the interval loop writes all three for every service, and
  // adjacent they are fewer cache lines (each service's are cold again by its next
  // scrape at organisation scale).
  /// The row of the scrape being published, reused (one value per member of `group`).
  let row: UnsafeMutableBufferPointer<Double>
  /// Requests per latency bucket so far (not cumulative), `+Inf` last.
  let bucketTotals: UnsafeMutableBufferPointer<Double>
  /// P(latency in bucket i | not in a lower bucket), for `bucketConditionalsLatencyExtra`.
  let bucketConditionals: UnsafeMutableBufferPointer<Double>
  @exclusivity(unchecked) var bucketConditionalsLatencyExtra = Double.nan
  @exclusivity(unchecked) var requestsTotal: Double = 0
  @exclusivity(unchecked) var errorsTotal: Double = 0
  @exclusivity(unchecked) var durationSumTotal: Double = 0

  /// Computes the multinomial's conditional bucket probabilities for a latency shift,
  /// unless already known: they change only when a latency defect comes or goes, and
  /// `log`/`erfc` per bucket per scrape was a tenth of an organisation-scale run.
  func updateBucketConditionals(latencyExtra: Double, baselineLatency: Double, buckets: [Double]) {
    precondition(buckets.count == bucketConditionals.count, "latency buckets changed after registration")
    // NaN never equals itself: the first call always computes.
    if latencyExtra == bucketConditionalsLatencyExtra { return }
    var below = 0.0
    for (index, bound) in buckets.enumerated() {
      let probability = bound > latencyExtra ? normalCDF(log((bound - latencyExtra) / baselineLatency) / 0.5) : 0
      bucketConditionals[index] = below < 1 ? max(0, min(1, (probability - below) / (1 - below))) : 0
      below = max(below, probability)
    }
    bucketConditionalsLatencyExtra = latencyExtra
  }

  deinit { row.baseAddress?.deallocate() }

  /// Seconds × this is the latency unit of the profile's histogram (its sum column).
  let latencyScale: Double

  /// For each column after the quality gauge, the column it repeats
  /// (``MetricProfile/repeatedColumns(bucketCount:)``).
  let repeatedColumns: [Int]

  init(
    store: SeriesStore, service: String, team: String, track: String, buckets: [Double],
    profile: MetricProfile = .platformSim, primaryWorkload: Bool = false
  ) {
    self.track = track
    latencyScale = profile.latencyScale
    repeatedColumns = profile.repeatedColumns(bucketCount: buckets.count)
    // A `track` label rather than a per-version one: every deployment would otherwise
    // add a series set that selectors keep scanning after it goes stale. Every member
    // is new: the scenario reader rejects recording rules that would write these
    // metric names (`registerScrapeGroup` requires fresh label sets).
    group = store.registerScrapeGroup(
      profile.columns(
        service: service, team: team, track: track, buckets: buckets, primaryWorkload: primaryWorkload))
    groupIndex = group.index
    let width = group.series.count
    let block = UnsafeMutablePointer<Double>.allocate(capacity: width + 2 * buckets.count + 1)
    block.initialize(repeating: 0, count: width + 2 * buckets.count + 1)
    row = UnsafeMutableBufferPointer(start: block, count: width)
    bucketTotals = UnsafeMutableBufferPointer(start: block + width, count: buckets.count + 1)
    bucketConditionals = UnsafeMutableBufferPointer(start: block + width + buckets.count + 1, count: buckets.count)
  }
}

func formatBucket(_ value: Double) -> String {
  value == value.rounded() ? String(Int(value)) : String(value)
}

/// Standard normal CDF.
func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
