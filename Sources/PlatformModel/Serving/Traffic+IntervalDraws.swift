import SimKernel

/// One service's interval as drawn, before it is published, and the slots a parallel
/// draw leaves for the in-order finish (``Traffic/serveInterval(at:calendar:replicas:monitoring:)``).
extension Traffic {
  /// Errors, errors caused by defects, and the latency shift of one version's requests.
  typealias Outcome = (errors: Int64, defectErrors: Int64, latencyExtra: Double)

  /// One scrape to publish: a track's requests, failures and the code it ran.
  struct Publication {
    var track: Int
    var requests: Int64
    var errors: Int64
    var latencyExtra: Double
    var effects: DefectEffects
  }

  /// One service's draws for an interval, before anything is published.
  struct IntervalDraws {
    var requests: Int64
    /// Requests that failed for lack of capacity (``Replicas/serve(_:requests:at:stream:)``).
    var shed: Int64
    var canaryWeight: Int?
    var canaryRequests: Int64
    var stable: Outcome
    /// Zero without a canary.
    var canary: Outcome
    /// Copies sent to a canary without live traffic: seen on its metrics only.
    var shadowRequests: Int64
    var shadow: Outcome

    var totalErrors: Int64 { min(requests, stable.errors + canary.errors + shed) }
    /// No canary: a canary track still marked live gets a staleness marker.
    var leavesCanaryStale: Bool { canaryWeight == nil }

    /// Calls `body` with the stable track's scrape, then the canary track's when there
    /// is one (shadow copies when there are any, otherwise the canary's share).
    func forEachPublication(
      stableEffects: DefectEffects, canaryEffects: DefectEffects, _ body: (Publication) -> Void
    ) {
      let stableRequests = requests - canaryRequests
      body(
        Publication(
          track: 0, requests: stableRequests, errors: min(stableRequests, stable.errors + shed),
          latencyExtra: stable.latencyExtra, effects: stableEffects))
      if shadowRequests > 0 {
        body(
          Publication(
            track: 1, requests: shadowRequests, errors: shadow.errors, latencyExtra: shadow.latencyExtra,
            effects: canaryEffects))
      } else if canaryWeight != nil {
        body(
          Publication(
            track: 1, requests: canaryRequests, errors: canary.errors, latencyExtra: canary.latencyExtra,
            effects: canaryEffects))
      }
    }
  }

  /// The canary split, the failures of each side and any shadow copies of one
  /// service's `requests`, drawn in this order from its stream.
  static func drawOutcomes(
    requests: Int64, shed: Int64, canaryWeight: Int?, canaryShare: Double?, shadowShare: Int,
    stableEffects: DefectEffects, canaryEffects: DefectEffects, parameters: Parameters, stream: inout RandomStream
  ) -> IntervalDraws {
    let canaryRequests = canaryShare.map { binomial(requests, $0, &stream) } ?? 0
    let stable = failures(requests - canaryRequests, effects: stableEffects, parameters: parameters, stream: &stream)
    var canary: Outcome = (0, 0, 0)
    if canaryWeight != nil {
      canary = failures(canaryRequests, effects: canaryEffects, parameters: parameters, stream: &stream)
    }
    // Drawn only for a canary without live traffic, so other runs' streams are unchanged.
    var shadowRequests = Int64(0)
    var shadow: Outcome = (0, 0, 0)
    if canaryWeight == 0, shadowShare > 0 {
      shadowRequests = binomial(requests, Double(shadowShare) / 100, &stream)
      shadow = failures(shadowRequests, effects: canaryEffects, parameters: parameters, stream: &stream)
    }
    return IntervalDraws(
      requests: requests, shed: shed, canaryWeight: canaryWeight, canaryRequests: canaryRequests, stable: stable,
      canary: canary, shadowRequests: shadowRequests, shadow: shadow)
  }

  /// What one service's parallel draw leaves for the in-order finish; its rows are in
  /// ``DrawSlots/row(service:track:)``.
  struct DrawnService {
    /// Whether the service was drawn (otherwise it is served whole, in order).
    var isDrawn = false
    var appendsCanaryRow = false
    var marksCanaryStale = false
    var stableDefectErrors: Int64 = 0
    var canaryDefectErrors: Int64 = 0

    func appendsRow(track: Int) -> Bool { track == 0 || appendsCanaryRow }
  }

  /// Per service, a ``DrawnService`` and a row for each track, in storage owned by
  /// ``DrawSlotStorage``.
  struct DrawSlots {
    let services: UnsafeMutablePointer<DrawnService>
    let rows: UnsafeMutablePointer<Double>
    let rowWidth: Int

    func row(service position: Int, track: Int) -> UnsafeMutablePointer<Double> {
      rows + (2 * position + track) * rowWidth
    }
  }

  /// Owns the storage of ``DrawSlots`` (shared by copies of a ``Traffic``, as
  /// ``PublishingStorage`` is).
  final class DrawSlotStorage {
    let slots: DrawSlots

    init(services: Int, rowWidth: Int) {
      let serviceSlots = UnsafeMutablePointer<DrawnService>.allocate(capacity: max(1, services))
      serviceSlots.initialize(repeating: DrawnService(), count: max(1, services))
      let rows = UnsafeMutablePointer<Double>.allocate(capacity: max(1, 2 * services * rowWidth))
      rows.initialize(repeating: 0, count: max(1, 2 * services * rowWidth))
      slots = DrawSlots(services: serviceSlots, rows: rows, rowWidth: rowWidth)
    }

    deinit {
      slots.services.deallocate()
      slots.rows.deallocate()
    }
  }
}
