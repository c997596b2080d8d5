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
  /// The threads that draw an interval's services (nil: this thread only).
  private let drawLoop: ChunkedLoop?
  /// Slots the parallel draw writes into (made at its first interval).
  private var drawStorage: DrawSlotStorage?
  /// The interval the draw in progress is for (drawn ahead; nil: none).
  private var drawnAheadFor: SimTime?
  /// Changes to services' code that arrived during a draw ahead, in order.
  private var deferredChanges: [(ServiceID, DeferredChange)] = []

  /// - Parameter threads: threads an interval's draws may use (1: this thread only);
  ///   results are the same for any count.
  init(configuration: DeliveryConfiguration, seed: RandomSeed, threads: Int = 1) {
    drawLoop =
      threads > 1 && configuration.services.count >= Self.fewestServicesToSplit ? ChunkedLoop(threads: threads) : nil
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
  ///
  /// While the next interval is being drawn ahead, the change waits for it (the draw
  /// reads the code's effects); nothing reads them before that interval.
  mutating func liveVersionChanged(_ service: ServiceID, to code: ServedCode) {
    if drawnAheadFor != nil {
      deferredChanges.append((service, .live(code)))
    } else {
      setLiveVersion(service, to: code)
    }
  }

  /// The canary changed (or ended: `nil`); deferred as ``liveVersionChanged(_:to:)`` is.
  mutating func canaryChanged(_ service: ServiceID, to canary: CanaryTraffic?) {
    if drawnAheadFor != nil {
      deferredChanges.append((service, .canary(canary)))
    } else {
      setCanary(service, to: canary)
    }
  }

  private mutating func setLiveVersion(_ service: ServiceID, to code: ServedCode) {
    traffic[service].stable = code
    traffic[service].stableEffects = DefectEffects(code.defects)
  }

  private mutating func setCanary(_ service: ServiceID, to canary: CanaryTraffic?) {
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
  ///
  /// With helper threads (``drawLoop``), the services that need nothing but their own
  /// state (no replicas, their series registered and their bucket tables looked up)
  /// are drawn on the helpers, ahead: the draw for the next interval starts as soon as
  /// this one is published, and runs while this thread evaluates rules and moves
  /// changes along. A drawn service reads its state and writes only its slots (its
  /// stream, totals, state blocks and rows as they will be). Changes to a service's
  /// code that arrive meanwhile wait (``deferredChanges``) and make it drawn again here.
  ///
  /// Then, on this thread and in service order, every service is finished as before:
  /// a drawn one takes its slots and appends its rows, the others are served whole.
  /// Appends, replica effects and failure reports happen in the order of a serial loop,
  /// every number is drawn from the same stream position, and nothing is taken from a
  /// draw for an interval that never comes, so results do not depend on the thread count.
  mutating func serveInterval(
    at time: SimTime, calendar: SimCalendar, replicas: inout Replicas, monitoring: PlatformMonitoring?
  ) {
    let local = calendar.localTime(at: time)
    let slotBase = (local.weekday * 24 + local.hour) * traffic.count
    let latencyBuckets = monitoring?.configuration.latencyBuckets ?? []
    // Held unretained through the loop: the caller keeps it alive, and a strong
    // reference was retained and released once per service and interval.
    let unretainedMonitoring = monitoring.map { Unmanaged.passUnretained($0) }
    guard let drawLoop else {
      for service in traffic.indices {
        serve(
          service, slotBase: slotBase, time: time, replicas: &replicas, monitoring: unretainedMonitoring,
          buckets: latencyBuckets)
      }
      return
    }
    drawLoop.finish()
    if drawnAheadFor != time {
      // No draw ahead for this interval (the first one): draw it now.
      let slots = drawSlots(rowWidth: rowCapacity)
      startDraw(slots, slotBase: slotBase, monitored: monitoring != nil, bucketCount: latencyBuckets.count)
      drawLoop.finish()
    }
    drawnAheadFor = nil
    guard let slots = drawStorage?.slots else { preconditionFailure("a parallel draw without slots") }
    applyDeferredChanges(slots)
    // The drawn services' streams and totals first, in one pass over the storage: no
    // other service reads them, and three writes per service through the array each
    // checked its uniqueness.
    traffic.withUnsafeMutableElements { traffic in
      for position in traffic.indices where slots.services[position].isDrawn {
        traffic[position].stream = slots.streams[position]
        traffic[position].requests += slots.services[position].requests
        traffic[position].errors += slots.services[position].errors
      }
    }
    let timestampMs = time.microseconds / 1_000
    for service in traffic.indices {
      let drawn = slots.services[service.position]
      guard drawn.isDrawn else {
        serve(
          service, slotBase: slotBase, time: time, replicas: &replicas, monitoring: unretainedMonitoring,
          buckets: latencyBuckets)
        continue
      }
      if let monitoring = unretainedMonitoring {
        let tracks = series[service]
        for track in 0..<2 where drawn.appendsRow(track: track) {
          guard let published = tracks[track], let state = tracks.state(track: track) else {
            preconditionFailure("a drawn target without its series")
          }
          UnsafeMutableRawPointer(state).copyMemory(
            from: slots.pendingState(service: service.position, track: track), byteCount: slots.blockStride)
          monitoring._withUnsafeGuaranteedRef {
            $0.appendRow(
              of: published, groupIndex: state.pointee.groupIndex, timestampMs: timestampMs,
              values: UnsafeBufferPointer(
                start: slots.row(service: service.position, track: track), count: Int(state.pointee.width)))
          }
        }
        if drawn.marksCanaryStale { markCanaryStale(service, timestampMs: timestampMs, monitoring: monitoring) }
      }
      reportDefectFailures(service, stable: drawn.stableDefectErrors, canary: drawn.canaryDefectErrors)
    }
    // The next interval, drawn ahead while this thread goes on.
    let next = time + interval
    let nextLocal = calendar.localTime(at: next)
    let nextSlots = drawSlots(rowWidth: rowCapacity)
    startDraw(
      nextSlots, slotBase: (nextLocal.weekday * 24 + nextLocal.hour) * traffic.count, monitored: monitoring != nil,
      bucketCount: latencyBuckets.count)
    drawnAheadFor = next
  }

  /// A change to a service's code that arrived while its next interval was being drawn.
  enum DeferredChange {
    case live(ServedCode)
    case canary(CanaryTraffic?)
  }

  /// Applies the changes that waited for the draw, in order; their services are
  /// served whole in this interval instead.
  private mutating func applyDeferredChanges(_ slots: DrawSlots) {
    guard !deferredChanges.isEmpty else { return }
    let changes = deferredChanges
    deferredChanges = []
    for (service, change) in changes {
      switch change {
      case .live(let code): setLiveVersion(service, to: code)
      case .canary(let canary): setCanary(service, to: canary)
      }
      slots.services[service.position].isDrawn = false
    }
  }

  /// Below this many services an interval is drawn on one thread: waking a helper
  /// costs more than a chunk saves.
  static let fewestServicesToSplit = 64
  /// Services per chunk of the parallel draw: about 20 µs of draws, so that a helper the
  /// scheduler wakes late still takes a share and a claim's atomic add is noise.
  static let servicesPerChunk = 16

  /// One service's interval on this thread: draws, replicas, publishing and reports.
  private mutating func serve(
    _ service: ServiceID, slotBase: Int, time: SimTime, replicas: inout Replicas,
    monitoring: Unmanaged<PlatformMonitoring>?, buckets latencyBuckets: [Double]
  ) {
    let parameters = parameters[service]
    let mean = parameters.requestsPerSecond * loadFactors[slotBase + service.position] * interval.seconds
    var stream = traffic[service].stream
    let requests = Int64(stream.poisson(mean: mean))
    let shed = hasReplicas[service] ? replicas.serve(service, requests: requests, at: time, stream: &stream) : 0
    let weight = traffic[service].canaryWeight
    let stableEffects = traffic[service].stableEffects
    let canaryEffects = traffic[service].canaryEffects
    let draws = Self.drawOutcomes(
      requests: requests, shed: shed, canaryWeight: weight,
      canaryShare: weight.map { replicas.canaryTrafficShare(service, weight: $0, at: time) },
      shadowShare: traffic[service].canaryShadowShare, stableEffects: stableEffects, canaryEffects: canaryEffects,
      parameters: parameters, stream: &stream)
    if let monitoring {
      draws.forEachPublication(stableEffects: stableEffects, canaryEffects: canaryEffects) { publication in
        publish(
          service, track: publication.track, requests: publication.requests, errors: publication.errors,
          latencyExtra: publication.latencyExtra, effects: publication.effects, time: time, stream: &stream,
          monitoring: monitoring, buckets: latencyBuckets)
      }
      if draws.leavesCanaryStale, series[service].canaryState?.pointee.live == true {
        markCanaryStale(service, timestampMs: time.microseconds / 1_000, monitoring: monitoring)
      }
    }
    traffic[service].stream = stream
    traffic[service].requests += requests
    traffic[service].errors += draws.totalErrors
    reportDefectFailures(service, stable: draws.stable.defectErrors, canary: draws.canary.defectErrors)
  }

  /// Starts drawing, on the helpers, the services that can be drawn alone (see
  /// ``serveInterval(at:calendar:replicas:monitoring:)``) into `slots`, for the
  /// interval whose hour-of-week slot starts at `slotBase`.
  ///
  /// The body holds what it reads (the arrays by value, the storage objects by
  /// reference), so it stays valid until ``ChunkedLoop/finish()`` even if this value
  /// goes first; while it runs, nothing writes them (changes wait in ``deferredChanges``,
  /// and the series and their states change only between ``ChunkedLoop/finish()`` and
  /// the next start).
  private func startDraw(_ slots: DrawSlots, slotBase: Int, monitored: Bool, bucketCount: Int) {
    guard let drawLoop, let drawStorage else { preconditionFailure("a parallel draw without its loop or slots") }
    let count = traffic.count
    let seconds = interval.seconds
    let (traffic, tracks, parameters, hasReplicas, loadFactors) =
      (self.traffic, series, self.parameters, self.hasReplicas, self.loadFactors)
    let owners = (ownedSeries, storage, drawStorage)
    drawLoop.start(chunks: (count + Self.servicesPerChunk - 1) / Self.servicesPerChunk) { chunk in
      withExtendedLifetime(owners) {
        traffic.withUnsafeElements { traffic in
          tracks.withUnsafeElements { tracks in
            parameters.withUnsafeElements { parameters in
              hasReplicas.withUnsafeElements { hasReplicas in
                loadFactors.withUnsafeBufferPointer { loadFactors in
                  let shared = SharedDrawState(
                    traffic: traffic, tracks: tracks, parameters: parameters, hasReplicas: hasReplicas,
                    loadFactors: loadFactors, slots: slots, slotBase: slotBase, seconds: seconds, monitored: monitored,
                    bucketCount: bucketCount)
                  let end = min(count, (chunk + 1) * Self.servicesPerChunk)
                  for position in (chunk * Self.servicesPerChunk)..<end { Self.drawAlone(position, shared) }
                }
              }
            }
          }
        }
      }
    }
  }

  /// ``drawStorage``'s slots, made or widened for rows of `rowWidth` values and the
  /// state blocks of ``storage``.
  private mutating func drawSlots(rowWidth: Int) -> DrawSlots {
    let blockStride = storage?.blockStride ?? 0
    if let drawStorage, drawStorage.slots.rowWidth >= rowWidth, drawStorage.slots.blockStride == blockStride {
      return drawStorage.slots
    }
    let made = DrawSlotStorage(services: traffic.count, rowWidth: max(1, rowWidth), blockStride: blockStride)
    drawStorage = made
    return made.slots
  }

  /// What every chunk of a parallel draw reads, as raw storage.
  private struct SharedDrawState {
    let traffic: UnsafeBufferPointer<ServiceTraffic>
    let tracks: UnsafeBufferPointer<PublishedTracks>
    let parameters: UnsafeBufferPointer<Parameters>
    let hasReplicas: UnsafeBufferPointer<Bool>
    let loadFactors: UnsafeBufferPointer<Double>
    let slots: DrawSlots
    let slotBase: Int
    let seconds: Double
    let monitored: Bool
    let bucketCount: Int
  }

  /// Whether a target can be filled without the lookups ``publish(_:track:requests:errors:latencyExtra:effects:time:stream:monitoring:buckets:)``
  /// may make: registered, its bucket table looked up for `latencyExtra`, and its row
  /// no wider than the slots.
  private static func isReady(
    _ state: UnsafeMutablePointer<PublishedState>?, latencyExtra: Double, rowWidth: Int
  ) -> Bool {
    guard let state else { return false }
    return state.pointee.conditionalsLatencyExtra == latencyExtra && Int(state.pointee.width) <= rowWidth
  }

  /// The shift a track's latency buckets are drawn with (``failures(_:effects:parameters:stream:)``).
  private static func publishedLatencyExtra(_ effects: DefectEffects) -> Double {
    effects.hasDefects ? effects.latencyExtra : 0
  }

  /// One service of a parallel draw: its interval drawn into its slots.
  ///
  /// `isDrawn == false` when it needs this thread. Reads the service's state, writes
  /// nothing but its slots.
  private static func drawAlone(_ position: Int, _ shared: SharedDrawState) {
    let slot = shared.slots.services + position
    let tracks = shared.tracks[position]
    let weight = shared.traffic[position].canaryWeight
    let stableEffects = shared.traffic[position].stableEffects
    let canaryEffects = shared.traffic[position].canaryEffects
    let rowWidth = shared.slots.rowWidth
    guard !shared.hasReplicas[position],
      !shared.monitored
        || (isReady(tracks.stableState, latencyExtra: publishedLatencyExtra(stableEffects), rowWidth: rowWidth)
          && (weight == nil
            || isReady(tracks.canaryState, latencyExtra: publishedLatencyExtra(canaryEffects), rowWidth: rowWidth)))
    else {
      slot.pointee.isDrawn = false
      return
    }
    let parameters = shared.parameters[position]
    let mean = parameters.requestsPerSecond * shared.loadFactors[shared.slotBase + position] * shared.seconds
    var stream = shared.traffic[position].stream
    let requests = Int64(stream.poisson(mean: mean))
    // Without replicas a canary's share is its weight (`Replicas.canaryTrafficShare`).
    let draws = drawOutcomes(
      requests: requests, shed: 0, canaryWeight: weight, canaryShare: weight.map { Double($0) / 100 },
      shadowShare: shared.traffic[position].canaryShadowShare, stableEffects: stableEffects,
      canaryEffects: canaryEffects, parameters: parameters, stream: &stream)
    var drawn = DrawnService(isDrawn: true)
    if shared.monitored {
      draws.forEachPublication(stableEffects: stableEffects, canaryEffects: canaryEffects) { publication in
        // `isReady` saw both states, and a track's series and state are set together.
        guard let published = tracks[publication.track], let current = tracks.state(track: publication.track) else {
          preconditionFailure("a drawn target without its series")
        }
        // The state as it will be: a copy, filled here and taken in service order.
        let pending = shared.slots.pendingState(service: position, track: publication.track)
        pending.copyMemory(from: current, byteCount: shared.slots.blockStride)
        let state = pending.assumingMemoryBound(to: PublishedState.self)
        fillRow(
          state, of: published, requests: publication.requests, errors: publication.errors,
          latencyExtra: publication.latencyExtra, effects: publication.effects, parameters: parameters,
          stream: &stream, bucketCount: shared.bucketCount,
          row: UnsafeMutableBufferPointer(
            start: shared.slots.row(service: position, track: publication.track), count: Int(state.pointee.width)))
        if publication.track == 1 { drawn.appendsCanaryRow = true }
      }
      drawn.marksCanaryStale = draws.leavesCanaryStale && tracks.canaryState?.pointee.live == true
    }
    shared.slots.streams[position] = stream
    drawn.requests = requests
    drawn.errors = draws.totalErrors
    drawn.stableDefectErrors = draws.stable.defectErrors
    drawn.canaryDefectErrors = draws.canary.defectErrors
    slot.pointee = drawn
  }

  /// Failures a version's defects caused this interval, for their incidents.
  ///
  /// Inlined down to the test, which is all most services and intervals need (a call
  /// per service and interval was 3 % of a day without monitoring).
  @inline(__always)
  private mutating func reportDefectFailures(_ service: ServiceID, stable: Int64, canary: Int64) {
    if stable > 0 || canary > 0 { recordDefectFailures(service, stable: stable, canary: canary) }
  }

  @inline(never)
  private mutating func recordDefectFailures(_ service: ServiceID, stable: Int64, canary: Int64) {
    if stable > 0 {
      defectFailures.append(DefectFailures(service: service, changes: traffic[service].stable.changes, count: stable))
    }
    if canary > 0 {
      defectFailures.append(
        DefectFailures(service: service, changes: traffic[service].canaryCode.changes, count: canary))
    }
  }

  /// A canary track that stopped serving gets a staleness marker row.
  private mutating func markCanaryStale(
    _ service: ServiceID, timestampMs: Int64, monitoring: Unmanaged<PlatformMonitoring>
  ) {
    guard let state = series[service].canaryState, state.pointee.live, let canary = series[service][1] else { return }
    // Whether a row was appended does not matter here: the track is stale either way.
    _ = canary._withUnsafeGuaranteedRef { published in
      monitoring._withUnsafeGuaranteedRef { $0.store.appendStaleRow(published.group, timestampMs: timestampMs) }
    }
    state.pointee.live = false
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
    let values = UnsafeMutableBufferPointer(start: row, count: width)
    Self.fillRow(
      state, of: published, requests: requests, errors: errors, latencyExtra: latencyExtra, effects: effects,
      parameters: parameters, stream: &stream, bucketCount: buckets.count, row: values)
    unretained._withUnsafeGuaranteedRef {
      $0.appendRow(
        of: published, groupIndex: state.pointee.groupIndex, timestampMs: timestampMs,
        values: UnsafeBufferPointer(values))
    }
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

  /// The row of one scrape of a target whose series are known.
  ///
  /// `state` is `published`'s ``ServiceSeries/state``, with its bucket table looked up.
  /// Draws the latency buckets and updates the target's totals; the caller appends the row.
  ///
  /// The object itself is read only when the profile repeats columns. Touches nothing
  /// but the target's state block and `row`, so targets may be filled on any thread.
  static func fillRow(
    _ state: UnsafeMutablePointer<PublishedState>, of published: Unmanaged<ServiceSeries>, requests: Int64,
    errors: Int64, latencyExtra: Double, effects: DefectEffects, parameters: Parameters,
    stream: inout RandomStream, bucketCount: Int, row: UnsafeMutableBufferPointer<Double>
  ) {
    state.pointee.live = true
    state.pointee.requestsTotal += Double(requests)
    state.pointee.errorsTotal += Double(errors)
    guard let conditionals = state.pointee.conditionals else {
      preconditionFailure("conditional bucket probabilities not looked up before publishing")
    }
    let bucketTotals = ServiceSeries.bucketTotals(state)
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
  // The C library's `log`, `cos` and `round`, on purpose: polynomial replacements with a
  // tolerance check ran fewer instructions but took about 30 % longer here: each
  // bucket's count is the next one's trials (docs/PERFORMANCE.md, "rounded normals back
  // on the C library").
  let value = (mean + deviation * stream.standardNormal()).rounded()
  return min(trials, max(0, Int64(value)))
}
