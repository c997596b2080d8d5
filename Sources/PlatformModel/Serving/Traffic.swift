import Monitoring
import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The code a version of a service runs, as traffic sees it: its defective changes
/// and their defects.
struct ServedCode: Sendable {
  var changes: [ChangeID] = []
  var defects: [Defect] = []
}

/// What a version's defects do to every request it serves, summed once when the
/// version changes.
///
/// Why: the traffic loop read the version's defect array for every service and
/// interval, a retain and a release each (issue 19). The sums are taken in the
/// defects' order, starting from the same values as the loop did, so they are the
/// same numbers.
struct DefectEffects: Sendable {
  /// Whether the version carries any defect (of any kind).
  var hasDefects = false
  /// The error-rate defects' sizes, summed.
  var errorRatio = 0.0
  /// The latency defects' sizes, summed (seconds).
  var latencyExtra = 0.0
  /// The model-quality gauge: 0.9 less the quality defects' sizes (not yet clamped at 0).
  var quality = 0.9

  init() {}

  init(_ defects: [Defect]) {
    hasDefects = !defects.isEmpty
    for defect in defects {
      switch defect.kind {
      case .errorRate: errorRatio += defect.size
      case .latency: latencyExtra += defect.size
      case .quality: quality -= defect.size
      case .crashOnStart: break
      }
    }
  }
}

/// A canary as serving sees it: which deployment, the share of traffic it is given,
/// whether its current `setWeight` step waits for replica counts, and its code.
struct CanaryTraffic: Sendable {
  var deployment: DeploymentID
  var weight: Int
  var awaitingReplicaCounts: Bool
  var code: ServedCode
  /// Percent of requests copied to a canary without live traffic (Flagger blue/green's
  /// mirror or load tests): published on the canary track only.
  var shadowShare = 0
}

/// Requests that a version's defects failed during one interval, for the incidents
/// those defects caused.
struct DefectFailures: Sendable {
  var service: ServiceID
  /// The defective changes the failing version runs.
  var changes: [ChangeID]
  var count: Int64
}

/// Request traffic, aggregated per interval: request counts are Poisson on the
/// service's daily × weekly load profile, failures binomial — never one event per
/// request.
///
/// Each interval a service's requests are shaped by its replicas (``Replicas``);
/// during a canary each request goes to the canary with probability
/// ``Replicas/canaryTrafficShare(_:weight:at:)`` (the weight, or the canary's share of
/// ready pods), and each side fails with the defects of the code it runs: baseline
/// errors, error-rate defects, and timeouts of latency defects. The outcome is
/// published as the service's series (``ServiceSeries``) on the simulated Prometheus.
/// Each service draws from its own stream (`traffic/<service>`).
struct Traffic {
  /// Per-service traffic constants, flattened so the per-interval loop copies no
  /// configuration structs (which would retain their arrays every interval).
  struct Parameters {
    var requestsPerSecond: Double
    var baselineErrorRatio: Double
    var baselineLatencySeconds: Double
    var timeoutSeconds: Double
  }

  /// One service's traffic.
  ///
  /// The canary's weight is kept apart from its code, so the per-interval loop reads
  /// plain values and touches the code's arrays only when there is a canary.
  struct ServiceTraffic {
    var stream: RandomStream
    var requests: Int64 = 0
    var errors: Int64 = 0
    /// The code the stable pods run (the live version).
    var stable = ServedCode()
    /// `stable`'s defects, summed for the loop.
    var stableEffects = DefectEffects()
    /// The canary's weight, while a canary is in progress.
    var canaryWeight: Int?
    var canaryShadowShare = 0
    /// The code the canary pods run, while a canary is in progress.
    var canaryCode = ServedCode()
    /// `canaryCode`'s defects, summed for the loop.
    var canaryEffects = DefectEffects()
  }

  let services: IDArray<ServiceID, ServiceConfiguration>
  let teams: IDArray<TeamID, DeliveryTeam>
  let interval: SimDuration
  let parameters: IDArray<ServiceID, Parameters>
  /// Whether each service has replicas (a serving configuration).
  let hasReplicas: IDArray<ServiceID, Bool>
  /// hourOfDay × dayOfWeek load factors, hour-of-week major: the factor of service `s`
  /// in hour slot `h` (weekday × 24 + hour) is at `h × services + s`.
  ///
  /// Why this order: each interval reads one slot for every service in turn, so the
  /// factors it reads are consecutive. Service-major, each service's read was a cache
  /// line of its own (168 doubles apart), 1.3 MiB of lines per interval at 1,000 services.
  let loadFactors: ContiguousArray<Double>
  private(set) var traffic: IDArray<ServiceID, ServiceTraffic>
  /// A service's published series, by track, held in place (an array per service was
  /// one more heap block to load, retain and release per service and interval) and
  /// unretained: ``Traffic/ownedSeries`` owns them.
  ///
  /// Why unretained: reading a strong reference out of this record retained the
  /// object and released it after the scrape, two atomic operations on a line of
  /// every service per interval that the loop had not loaded yet (about 7 % of an
  /// organisation-scale day at 2,000 services, perf).
  struct PublishedTracks {
    var stable: Unmanaged<ServiceSeries>?
    var canary: Unmanaged<ServiceSeries>?
    /// The series' ``ServiceSeries/state`` blocks, so a scrape need not load the objects.
    var stableState: UnsafeMutablePointer<PublishedState>?
    var canaryState: UnsafeMutablePointer<PublishedState>?

    subscript(track: Int) -> Unmanaged<ServiceSeries>? {
      get { track == 0 ? stable : canary }
      set {
        if track == 0 { stable = newValue } else { canary = newValue }
        let state = newValue?._withUnsafeGuaranteedRef { $0.state }
        if track == 0 { stableState = state } else { canaryState = state }
      }
    }

    func state(track: Int) -> UnsafeMutablePointer<PublishedState>? { track == 0 ? stableState : canaryState }
  }

  /// Published series per service and track (0: stable, 1: canary).
  private var series: IDArray<ServiceID, PublishedTracks>
  /// Owns every ``ServiceSeries`` that ``series`` refers to (series are never dropped
  /// during a run, and copies of this value share the array).
  private var ownedSeries: [ServiceSeries] = []
  /// The targets' state blocks and the latency buckets' conditional probabilities
  /// (made at the first scrape, from the monitoring configuration's buckets).
  private var storage: PublishingStorage?
  /// The row of the scrape being published, reused for every target.
  ///
  /// One buffer that stays in the nearest cache, owned by `storage`. A stack
  /// allocation per scrape was a closure the optimiser would not inline the draws into.
  private var row: UnsafeMutablePointer<Double>?
  private var rowCapacity = 0
  /// Defect failures since the World last looked.
  private var defectFailures: [DefectFailures] = []

  init(configuration: DeliveryConfiguration, seed: RandomSeed) {
    services = IDArray(configuration.services)
    teams = IDArray(configuration.teams)
    interval = configuration.trafficInterval
    parameters = IDArray(
      configuration.services.map {
        Parameters(
          requestsPerSecond: $0.requestsPerSecond, baselineErrorRatio: $0.baselineErrorRatio,
          baselineLatencySeconds: $0.baselineLatencySeconds, timeoutSeconds: $0.timeoutSeconds)
      })
    // The profiles taken out once: looping over the services copied each whole
    // configuration 168 times (42 M instructions for 500 services before any event).
    let loadProfiles = configuration.services.map(\.loadProfile)
    var factors = ContiguousArray<Double>()
    factors.reserveCapacity(168 * loadProfiles.count)
    for day in 0..<7 {
      for hour in 0..<24 {
        for profile in loadProfiles {
          factors.append(profile.hourOfDay[hour] * profile.dayOfWeek[day])
        }
      }
    }
    loadFactors = factors
    hasReplicas = IDArray(configuration.services.map { $0.serving != nil })
    traffic = IDArray(configuration.services.map { ServiceTraffic(stream: seed.stream("traffic/\($0.name)")) })
    series = IDArray(repeating: PublishedTracks(), count: configuration.services.count)
  }

  /// A new version went live: the stable pods run `code` from now on.
  mutating func liveVersionChanged(_ service: ServiceID, to code: ServedCode) {
    traffic[service].stable = code
    traffic[service].stableEffects = DefectEffects(code.defects)
  }

  mutating func canaryChanged(_ service: ServiceID, to canary: CanaryTraffic?) {
    traffic[service].canaryWeight = canary?.weight
    traffic[service].canaryCode = canary?.code ?? ServedCode()
    traffic[service].canaryEffects = DefectEffects(traffic[service].canaryCode.defects)
    traffic[service].canaryShadowShare = canary?.shadowShare ?? 0
  }

  /// Hands over the defect failures since the last call.
  mutating func drainDefectFailures() -> [DefectFailures] {
    guard !defectFailures.isEmpty else { return [] }
    defer { defectFailures = [] }
    return defectFailures
  }

  /// Draws one interval of requests and failures for every service, shaped by its
  /// replicas, and publishes them.
  mutating func serveInterval(
    at time: SimTime, calendar: SimCalendar, replicas: inout Replicas, monitoring: PlatformMonitoring?
  ) {
    let local = calendar.localTime(at: time)
    let seconds = interval.seconds
    let slotBase = (local.weekday * 24 + local.hour) * traffic.count
    let latencyBuckets = monitoring?.configuration.latencyBuckets ?? []
    // Held unretained through the loop: the caller keeps it alive, and a strong
    // reference was retained and released once per service and interval.
    let unretainedMonitoring = monitoring.map { Unmanaged.passUnretained($0) }
    for service in traffic.indices {
      let parameters = parameters[service]
      let mean = parameters.requestsPerSecond * loadFactors[slotBase + service.position] * seconds
      var stream = traffic[service].stream
      let requests = Int64(stream.poisson(mean: mean))
      let shed = hasReplicas[service] ? replicas.serve(service, requests: requests, at: time, stream: &stream) : 0
      let canaryWeight = traffic[service].canaryWeight
      let canaryShare = canaryWeight.map { replicas.canaryTrafficShare(service, weight: $0, at: time) }
      let canaryRequests = canaryShare.map { binomial(requests, $0, &stream) } ?? 0
      let liveEffects = traffic[service].stableEffects
      let stable = Self.failures(
        requests - canaryRequests, effects: liveEffects, parameters: parameters, stream: &stream)
      var canaryOutcome = (errors: Int64(0), defectErrors: Int64(0), latencyExtra: 0.0)
      if canaryWeight != nil {
        canaryOutcome = Self.failures(
          canaryRequests, effects: traffic[service].canaryEffects, parameters: parameters, stream: &stream)
      }
      // Copies sent to a canary without live traffic: seen on its metrics only (drawn
      // only then, so other runs' random streams are unchanged).
      var shadowRequests = Int64(0)
      var shadowOutcome = (errors: Int64(0), defectErrors: Int64(0), latencyExtra: 0.0)
      if canaryWeight == 0, traffic[service].canaryShadowShare > 0 {
        shadowRequests = binomial(requests, Double(traffic[service].canaryShadowShare) / 100, &stream)
        shadowOutcome = Self.failures(
          shadowRequests, effects: traffic[service].canaryEffects, parameters: parameters, stream: &stream)
      }
      if let monitoring = unretainedMonitoring {
        publish(
          service, track: 0, requests: requests - canaryRequests,
          errors: min(requests - canaryRequests, stable.errors + shed), latencyExtra: stable.latencyExtra,
          effects: liveEffects, time: time, stream: &stream, monitoring: monitoring, buckets: latencyBuckets)
        if shadowRequests > 0 {
          publish(
            service, track: 1, requests: shadowRequests, errors: shadowOutcome.errors,
            latencyExtra: shadowOutcome.latencyExtra, effects: traffic[service].canaryEffects, time: time,
            stream: &stream, monitoring: monitoring, buckets: latencyBuckets)
        } else if canaryWeight != nil {
          publish(
            service, track: 1, requests: canaryRequests, errors: canaryOutcome.errors,
            latencyExtra: canaryOutcome.latencyExtra, effects: traffic[service].canaryEffects, time: time,
            stream: &stream, monitoring: monitoring, buckets: latencyBuckets)
        } else if let state = series[service].canaryState, state.pointee.live, let canary = series[service][1] {
          // Whether a row was appended does not matter here: the track is stale either way.
          _ = canary._withUnsafeGuaranteedRef { published in
            monitoring._withUnsafeGuaranteedRef {
              $0.store.appendStaleRow(published.group, timestampMs: time.microseconds / 1_000)
            }
          }
          state.pointee.live = false
        }
      }
      traffic[service].stream = stream
      traffic[service].requests += requests
      traffic[service].errors += min(requests, stable.errors + canaryOutcome.errors + shed)
      if stable.defectErrors > 0 {
        defectFailures.append(
          DefectFailures(service: service, changes: traffic[service].stable.changes, count: stable.defectErrors))
      }
      if canaryWeight != nil, canaryOutcome.defectErrors > 0 {
        defectFailures.append(
          DefectFailures(
            service: service, changes: traffic[service].canaryCode.changes, count: canaryOutcome.defectErrors))
      }
    }
  }

  /// Failures among `requests` served by code with defects' `effects`: baseline errors,
  /// the errors of error-rate defects, and timeouts of latency defects.
  static func failures(
    _ requests: Int64, effects: DefectEffects, parameters: Parameters, stream: inout RandomStream
  ) -> (errors: Int64, defectErrors: Int64, latencyExtra: Double) {
    let baselineErrors = binomial(requests, parameters.baselineErrorRatio, &stream)
    if !effects.hasDefects { return (baselineErrors, 0, 0) }
    var defectFailureRatio = effects.errorRatio
    let latencyExtra = effects.latencyExtra
    if latencyExtra > 0 {
      defectFailureRatio += timeoutProbability(parameters: parameters, extraLatency: latencyExtra)
    }
    let defectErrors =
      defectFailureRatio > 0 ? binomial(requests - baselineErrors, min(1, defectFailureRatio), &stream) : 0
    return (baselineErrors + defectErrors, defectErrors, latencyExtra)
  }

  /// Probability that a request exceeds the timeout when latency is lognormal around
  /// the baseline median (σ = 0.5) plus a fixed extra delay.
  static func timeoutProbability(parameters: Parameters, extraLatency: Double) -> Double {
    let remaining = parameters.timeoutSeconds - extraLatency
    guard remaining > 0 else { return 1 }
    let z = log(remaining / parameters.baselineLatencySeconds) / 0.5
    let baseline =
      0.5 * erfc(log(parameters.timeoutSeconds / parameters.baselineLatencySeconds) / 0.5 / 2.0.squareRoot())
    return max(0, 0.5 * erfc(z / 2.0.squareRoot()) - baseline)
  }

  /// Publishes one scrape of a service's series.
  ///
  /// The series are request and error counters by version, a classic latency
  /// histogram (bucket counts drawn as a multinomial by sequential binomials; lognormal
  /// latency, σ = 0.5, plus any latency defect) and the model-quality gauge. A version
  /// that stops serving gets a staleness marker, as Prometheus writes when a target's
  /// series disappears.
  mutating func publish(
    _ service: ServiceID, track: Int, requests: Int64, errors: Int64, latencyExtra: Double, effects: DefectEffects,
    time: SimTime, stream: inout RandomStream, monitoring unretained: Unmanaged<PlatformMonitoring>, buckets: [Double]
  ) {
    let parameters = parameters[service]
    let timestampMs = time.microseconds / 1_000
    if series[service][track] == nil {
      let monitoring = unretained.takeUnretainedValue()
      let configured = services[service]
      var isFlagger = false
      if case .flagger = configured.rollout { isFlagger = true }
      let block = publishingStorage(buckets: buckets).stateBlock(service: service.position, track: track)
      let created = ServiceSeries(
        store: monitoring.store, service: configured.name, team: teams[configured.team].name,
        track: track == 0 ? "stable" : "canary", buckets: buckets,
        profile: configured.metricProfile ?? monitoring.configuration.metricProfile, primaryWorkload: isFlagger,
        stateBlock: block)
      ownedSeries.append(created)
      series[service][track] = Unmanaged.passUnretained(created)
    }
    guard let published = series[service][track], let state = series[service].state(track: track) else {
      preconditionFailure("a published target without its series or state")
    }
    // The multinomial's conditional bucket probabilities change only when a latency
    // defect comes or goes (NaN never equals itself: the first scrape always looks up).
    if latencyExtra != state.pointee.conditionalsLatencyExtra {
      lookUpConditionals(
        state, latencyExtra: latencyExtra, baselineLatency: parameters.baselineLatencySeconds, buckets: buckets)
    }
    let width = Int(state.pointee.width)
    if width > rowCapacity { growRow(to: width, buckets: buckets) }
    guard let row else { preconditionFailure("no row buffer after growRow") }
    Self.publish(
      state, of: published, requests: requests, errors: errors, latencyExtra: latencyExtra, effects: effects,
      timestampMs: timestampMs, parameters: parameters, stream: &stream, monitoring: unretained, buckets: buckets,
      row: UnsafeMutableBufferPointer(start: row, count: width))
  }

  /// ``storage``, made at the first scrape.
  private mutating func publishingStorage(buckets: [Double]) -> PublishingStorage {
    if let storage { return storage }
    let made = PublishingStorage(buckets: buckets, services: traffic.count)
    storage = made
    return made
  }

  /// Makes ``row`` room for `width` values.
  @inline(never)
  private mutating func growRow(to width: Int, buckets: [Double]) {
    row = publishingStorage(buckets: buckets).rowBuffer(capacity: width)
    rowCapacity = width
  }

  /// Points `state` at the conditional bucket probabilities for a latency shift.
  @inline(never)
  private mutating func lookUpConditionals(
    _ state: UnsafeMutablePointer<PublishedState>, latencyExtra: Double, baselineLatency: Double, buckets: [Double]
  ) {
    let tables = publishingStorage(buckets: buckets)
    precondition(buckets == tables.buckets, "latency buckets changed after registration")
    state.pointee.conditionals = tables.table(latencyExtra: latencyExtra, baselineLatency: baselineLatency)
    state.pointee.conditionalsLatencyExtra = latencyExtra
  }

  /// ``publish(_:track:requests:errors:latencyExtra:effects:time:stream:monitoring:buckets:)``
  /// once the target's series are known: `state` is `published`'s ``ServiceSeries/state``.
  ///
  /// The row is built in `row` (``Traffic/row``) and appended from there; the object
  /// itself is read only when samples are kept or the profile repeats columns.
  private static func publish(
    _ state: UnsafeMutablePointer<PublishedState>, of published: Unmanaged<ServiceSeries>, requests: Int64,
    errors: Int64, latencyExtra: Double, effects: DefectEffects, timestampMs: Int64, parameters: Parameters,
    stream: inout RandomStream, monitoring: Unmanaged<PlatformMonitoring>, buckets: [Double],
    row: UnsafeMutableBufferPointer<Double>
  ) {
    state.pointee.live = true
    state.pointee.requestsTotal += Double(requests)
    state.pointee.errorsTotal += Double(errors)
    guard let conditionals = state.pointee.conditionals else {
      preconditionFailure("conditional bucket probabilities not looked up before publishing")
    }
    let bucketTotals = ServiceSeries.bucketTotals(state)
    let bucketCount = buckets.count
    // Columns as registered in `ServiceSeries`.
    row[0] = state.pointee.requestsTotal - state.pointee.errorsTotal
    row[1] = state.pointee.errorsTotal
    var remaining = requests
    for index in 0..<bucketCount {
      let inBucket = binomial(remaining, conditionals[index], &stream)
      remaining -= inBucket
      bucketTotals[index] += Double(inBucket)
    }
    bucketTotals[bucketCount] += Double(remaining)
    // Classic histogram buckets are cumulative in `le`; `+Inf` equals the count.
    var cumulativeTotal = 0.0
    for index in 0..<bucketCount {
      cumulativeTotal += bucketTotals[index]
      row[2 + index] = cumulativeTotal
    }
    row[2 + bucketCount] = state.pointee.requestsTotal
    let meanLatency = parameters.baselineLatencySeconds * exp(0.125) + latencyExtra
    state.pointee.durationSumTotal += Double(requests) * meanLatency
    row[3 + bucketCount] = state.pointee.requestsTotal
    let latencyScale = state.pointee.latencyScale
    row[4 + bucketCount] =
      latencyScale == 1 ? state.pointee.durationSumTotal : state.pointee.durationSumTotal * latencyScale
    row[5 + bucketCount] = max(0, effects.quality)
    // The same data under other names (Istio's other reporter, NGINX's response time).
    if state.pointee.repeatsColumns {
      published._withUnsafeGuaranteedRef { published in
        for (offset, source) in published.repeatedColumns.enumerated() {
          row[6 + bucketCount + offset] = row[source]
        }
      }
    }
    monitoring._withUnsafeGuaranteedRef {
      $0.appendRow(
        of: published, groupIndex: state.pointee.groupIndex, timestampMs: timestampMs, values: UnsafeBufferPointer(row))
    }
  }

  /// Requests and failed requests per service so far.
  func totals() -> [(requests: Int64, errors: Int64)] { traffic.map { ($0.requests, $0.errors) } }
}

/// A binomial count: exact Bernoulli trials for small n, Poisson when the expected
/// count is small, a rounded normal otherwise (each clamped to 0…n).
func binomial(_ trials: Int64, _ probability: Double, _ stream: inout RandomStream) -> Int64 {
  guard trials > 0, probability > 0 else { return 0 }
  if probability >= 1 { return trials }
  if trials < 30 {
    return stream.bernoulliCount(trials: trials, probability: probability)
  }
  let mean = Double(trials) * probability
  if mean < 10 { return min(trials, Int64(stream.poisson(mean: mean))) }
  let deviation = (mean * (1 - probability)).squareRoot()
  return min(trials, max(0, stream.roundedNormal(mean: mean, deviation: deviation)))
}
