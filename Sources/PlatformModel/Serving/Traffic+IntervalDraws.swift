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

  /// What one service's parallel draw leaves for the in-order finish; its stream, state
  /// blocks and rows are in ``DrawSlots``.
  struct DrawnService {
    /// Whether the service was drawn (otherwise it is served whole, in order).
    var isDrawn = false
    var appendsCanaryRow = false
    var marksCanaryStale = false
    /// Requests and failed requests to add to the service's totals.
    var requests: Int64 = 0
    var errors: Int64 = 0
    var stableDefectErrors: Int64 = 0
    var canaryDefectErrors: Int64 = 0

    func appendsRow(track: Int) -> Bool { track == 0 || appendsCanaryRow }
  }

  /// Per service, a ``DrawnService``, its stream after the draw, and for each track its
  /// state block as it will be and its row, in storage owned by ``DrawSlotStorage``.
  struct DrawSlots {
    let services: UnsafeMutablePointer<DrawnService>
    let streams: UnsafeMutablePointer<RandomStream>
    let rows: UnsafeMutablePointer<Double>
    let rowWidth: Int
    /// ``PublishingStorage/blockStride``: bytes per state block (0 without monitoring).
    let blockStride: Int
    let blocks: UnsafeMutableRawPointer

    func row(service position: Int, track: Int) -> UnsafeMutablePointer<Double> {
      rows + (2 * position + track) * rowWidth
    }

    func pendingState(service position: Int, track: Int) -> UnsafeMutableRawPointer {
      blocks + (2 * position + track) * blockStride
    }
  }

  /// Owns the storage of ``DrawSlots`` (shared by copies of a ``Traffic``, as
  /// ``PublishingStorage`` is).
  final class DrawSlotStorage {
    let slots: DrawSlots

    init(services: Int, rowWidth: Int, blockStride: Int) {
      let count = max(1, services)
      let serviceSlots = UnsafeMutablePointer<DrawnService>.allocate(capacity: count)
      serviceSlots.initialize(repeating: DrawnService(), count: count)
      // Overwritten before they are read: a drawn service's stream is written by its draw.
      let streams = UnsafeMutablePointer<RandomStream>.allocate(capacity: count)
      streams.initialize(repeating: RandomStream(state: (0, 0, 0, 1)), count: count)
      let rows = UnsafeMutablePointer<Double>.allocate(capacity: 2 * count * rowWidth)
      rows.initialize(repeating: 0, count: 2 * count * rowWidth)
      let blocks = UnsafeMutableRawPointer.allocate(byteCount: max(64, 2 * count * blockStride), alignment: 64)
      slots = DrawSlots(
        services: serviceSlots, streams: streams, rows: rows, rowWidth: rowWidth, blockStride: blockStride,
        blocks: blocks)
    }

    deinit {
      slots.services.deallocate()
      slots.streams.deallocate()
      slots.rows.deallocate()
      slots.blocks.deallocate()
    }
  }
}
