#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A distribution of non-negative real values (durations in seconds, sizes, rates).
///
/// Sampling uses only ``RandomStream`` and our own algorithms, so a seed reproduces
/// bit for bit across toolchains. Each case consumes a fixed number of draws where
/// the algorithm allows, which keeps common random numbers synchronised.
public enum Distribution: Equatable, Sendable {
  case constant(Double)
  /// Uniform on [low, high).
  case uniform(low: Double, high: Double)
  case exponential(mean: Double)
  /// Normal, truncated at zero by rejection (durations cannot be negative).
  case normal(mean: Double, standardDeviation: Double)
  /// exp(N(mu, sigma²)); `mu` and `sigma` are those of the logarithm.
  case lognormal(mu: Double, sigma: Double)
  /// Weibull with shape k and scale λ: λ·(−ln U)^(1/k).
  case weibull(shape: Double, scale: Double)
  /// A finite set of values with weights (need not sum to 1).
  case discrete(values: [Double], cumulativeWeights: [Double])
  /// Resamples observed values uniformly (an empirical distribution).
  case empirical(values: [Double])

  /// The z-score of the 90th percentile of a standard normal.
  public static let zScore90 = 1.2815515655446004

  /// A lognormal given its median and 90th percentile, the way people state latency
  /// and duration ("median 3 min, p90 10 min").
  public static func lognormal(median: Double, p90: Double) -> Distribution {
    precondition(median > 0 && p90 > median, "lognormal needs 0 < median < p90")
    let mu = log(median)
    return .lognormal(mu: mu, sigma: (log(p90) - mu) / zScore90)
  }

  /// A discrete distribution from values and their relative weights.
  public static func discrete(_ pairs: [(value: Double, weight: Double)]) -> Distribution {
    var running = 0.0
    var cumulative: [Double] = []
    for pair in pairs {
      running += pair.weight
      cumulative.append(running)
    }
    return .discrete(values: pairs.map(\.value), cumulativeWeights: cumulative)
  }

  /// One sample.
  @inlinable public func sample(_ stream: inout RandomStream) -> Double {
    switch self {
    case .constant(let value):
      return value
    case .uniform(let low, let high):
      return low + (high - low) * stream.nextUnit()
    case .exponential(let mean):
      return stream.exponential(mean: mean)
    case .normal(let mean, let standardDeviation):
      for _ in 0..<64 {
        let value = mean + standardDeviation * stream.standardNormal()
        if value >= 0 { return value }
      }
      return 0
    case .lognormal(let mu, let sigma):
      return exp(mu + sigma * stream.standardNormal())
    case .weibull(let shape, let scale):
      return scale * pow(-log(stream.nextUnitExcludingZero()), 1 / shape)
    case .discrete(let values, let cumulativeWeights):
      let target = stream.nextUnit() * (cumulativeWeights.last ?? 0)
      var low = 0
      var high = cumulativeWeights.count - 1
      while low < high {
        let middle = (low + high) / 2
        if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
      }
      return values[low]
    case .empirical(let values):
      return values[stream.nextInt(below: values.count)]
    }
  }

  /// A sample as a duration (the distribution's values are seconds).
  @inlinable public func sampleDuration(_ stream: inout RandomStream) -> SimDuration {
    SimDuration(seconds: max(0, sample(&stream)))
  }

  /// The theoretical mean, where it has a closed form (normal ignores truncation).
  public var mean: Double {
    switch self {
    case .constant(let value): return value
    case .uniform(let low, let high): return (low + high) / 2
    case .exponential(let mean): return mean
    case .normal(let mean, _): return mean
    case .lognormal(let mu, let sigma): return exp(mu + sigma * sigma / 2)
    case .weibull(let shape, let scale): return scale * tgamma(1 + 1 / shape)
    case .discrete(let values, let cumulativeWeights):
      var total = 0.0
      var previous = 0.0
      for (value, cumulative) in zip(values, cumulativeWeights) {
        total += value * (cumulative - previous)
        previous = cumulative
      }
      return total / (cumulativeWeights.last ?? 1)
    case .empirical(let values):
      return values.reduce(0, +) / Double(values.count)
    }
  }
}
