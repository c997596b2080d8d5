/// The mean of independent observations with a t-based confidence interval.
///
/// Each observation is one replication's value of a KPI: replications are independent
/// (separate random-number streams), so the classical interval
/// mean ± t_{n−1,(1+c)/2}·s/√n applies. Observations *within* a run are autocorrelated
/// and are never used this way (Law & Kelton, *Simulation Modeling and Analysis*,
/// on output analysis for terminating simulations).
public struct SampleSummary: Sendable, Equatable {
  public var count: Int
  public var mean: Double?
  /// Sample standard deviation (n − 1 in the denominator); `nil` below two observations.
  public var standardDeviation: Double?
  public var confidenceLow: Double?
  public var confidenceHigh: Double?
  public var confidence: Double

  /// Summarises `values` at a two-sided `confidence` such as 0.95.
  public init(_ values: [Double], confidence: Double = 0.95) {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
    self.confidence = confidence
    count = values.count
    guard !values.isEmpty else { return }
    // Kahan-free two-pass mean and variance: n is small (replications), values moderate.
    let mean = values.reduce(0, +) / Double(values.count)
    self.mean = mean
    guard values.count >= 2 else { return }
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    let deviation = variance.squareRoot()
    standardDeviation = deviation
    let t = StudentT.quantile((1 + confidence) / 2, degreesOfFreedom: Double(values.count - 1))
    let halfWidth = t * deviation / Double(values.count).squareRoot()
    confidenceLow = mean - halfWidth
    confidenceHigh = mean + halfWidth
  }

  /// Half the width of the confidence interval.
  public var halfWidth: Double? {
    guard let low = confidenceLow, let high = confidenceHigh else { return nil }
    return (high - low) / 2
  }

  /// Paired-t summary of candidate − baseline over the replications both have.
  ///
  /// With common random numbers, replication r of both alternatives sees the same
  /// world, so D_r = X_candidate,r − X_baseline,r removes the shared noise and the
  /// interval mean(D) ± t_{n−1}·s_D/√n is narrower than a two-sample one (Law & Kelton,
  /// comparing two systems: the paired-t confidence interval, and common random
  /// numbers as a variance-reduction technique). With independent seeds the same
  /// formula stays valid, just wider.
  public static func pairedDifference(
    baseline: [Int: Double], candidate: [Int: Double], confidence: Double = 0.95
  ) -> SampleSummary {
    var differences: [Double] = []
    for replication in baseline.keys.sorted() {
      if let base = baseline[replication], let other = candidate[replication] { differences.append(other - base) }
    }
    return SampleSummary(differences, confidence: confidence)
  }
}
