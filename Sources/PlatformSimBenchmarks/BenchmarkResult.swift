/// What a benchmark must reach to count as met.
///
/// The issue states two kinds of target: a ratio to a peer measured in the same run
/// (kernel, runner pool), and an absolute rate (results writing).
struct BenchmarkTarget: Codable, Equatable {
  enum Kind: String, Codable {
    /// Ours divided by the peer must be at least `value`.
    case ratioAtLeast
    /// Ours alone must be at least `value`, in the benchmark's unit.
    case rateAtLeast
    /// Ours alone must be at most `value` (a growth exponent).
    case atMost
  }

  var kind: Kind
  var value: Double

  static func ratioAtLeast(_ value: Double) -> BenchmarkTarget { BenchmarkTarget(kind: .ratioAtLeast, value: value) }
  static func rateAtLeast(_ value: Double) -> BenchmarkTarget { BenchmarkTarget(kind: .rateAtLeast, value: value) }
  static func atMost(_ value: Double) -> BenchmarkTarget { BenchmarkTarget(kind: .atMost, value: value) }

  var text: String {
    switch kind {
    case .ratioAtLeast: return "≥ \(formatRatio(value))"
    case .rateAtLeast: return "≥ \(formatRate(value))"
    case .atMost: return "≤ \(formatRate(value))"
    }
  }
}

/// One benchmark's figures from one process run: every repetition of ours and of
/// its peer, so the report can give medians and spreads side by side.
///
/// Ours and the peer are measured in the same process run, interleaved where both
/// are in-process, because this shared 2-vCPU machine drifts by tens of percent
/// between runs; a ratio of two medians from one run is the stable figure.
struct BenchmarkResult: Codable {
  /// Short name matched by `--filter`, for example `kernel-hold-10000`.
  var name: String
  /// What the row measures, for the table.
  var title: String
  /// Unit of the samples, for example `events/s`.
  var unit: String
  /// Rates of our implementation, one per repetition.
  var oursSamples: [Double]
  /// What ours is compared with, or `nil` if the benchmark has no peer.
  var peerName: String?
  /// Rates of the peer, one per repetition; empty if the peer could not run.
  var peerSamples: [Double]
  var target: BenchmarkTarget
  /// Checks and context worth printing under the table (sanity checks, sizes).
  var notes: [String]
  /// Why repetitions failed, if any did: the run then exits 1 after its report, so a
  /// CI job running the benchmarks cannot mistake a failed measurement for a figure.
  var errors: [String] = []

  var oursMedian: Double { median(oursSamples) }
  var peerMedian: Double? { peerSamples.isEmpty ? nil : median(peerSamples) }

  /// Ours over the peer, from the two medians.
  var ratio: Double? {
    guard let peerMedian, peerMedian > 0 else { return nil }
    return oursMedian / peerMedian
  }

  /// Whether the target is met; `nil` when it cannot be judged (peer missing).
  var targetMet: Bool? {
    switch target.kind {
    case .ratioAtLeast: return ratio.map { $0 >= target.value }
    case .rateAtLeast: return oursMedian >= target.value
    case .atMost: return oursMedian <= target.value
    }
  }
}

/// The median of `samples` (the mean of the middle two for an even count).
///
/// Medians rather than means or minima: a noisy neighbour slows some repetitions
/// a lot and none of them speeds up, so the median is the robust centre.
func median(_ samples: [Double]) -> Double {
  precondition(!samples.isEmpty, "median of no samples")
  let sorted = samples.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
