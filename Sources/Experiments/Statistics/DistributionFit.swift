import Foundation

/// A candidate family fitted to a sample by maximum likelihood, with its
/// Kolmogorov–Smirnov distance to the sample.
public struct FittedDistribution: Sendable, Equatable {
  public enum Family: String, Sendable, CaseIterable {
    case exponential, lognormal, gamma, weibull, empirical
  }

  public var family: Family
  /// Parameters by name, in the family's order: exponential `mean`; lognormal `mu`,
  /// `sigma` (of ln x); gamma `shape`, `scale`; Weibull `shape`, `scale`.
  public var parameters: [(name: String, value: Double)]
  /// Kolmogorov–Smirnov distance sup |F_n(x) − F(x)| over the fitted sample.
  public var ksDistance: Double
  /// The observations the family was fitted to.
  public var sampleSize: Int
  /// For `empirical`: the 0th…100th percentiles the fragment writes.
  public var values: [Double] = []

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.family == rhs.family && lhs.ksDistance == rhs.ksDistance && lhs.sampleSize == rhs.sampleSize
      && lhs.parameters.map(\.value) == rhs.parameters.map(\.value) && lhs.values == rhs.values
  }

  public func parameter(_ name: String) -> Double? { parameters.first { $0.name == name }?.value }
}

/// Maximum-likelihood fits of the families `platformsim fit` offers.
///
/// Exponential and lognormal MLEs are closed-form (mean; mean and population standard
/// deviation of ln x). Gamma's shape solves ln k − ψ(k) = ln x̄ − mean(ln x) (Minka's
/// starting value, then Newton's method), scale x̄ / k. Weibull's shape solves
/// Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0 (Newton), scale (mean xᵏ)^(1/k). The
/// positive families are fitted to the positive observations; zeros are counted out.
public enum DistributionFit {
  /// Every family fitted to `sample`.
  ///
  /// Best (smallest KS distance) first among the parametric ones, the empirical last. `nil` when fewer than two positive values.
  public static func fitAll(_ sample: [Double]) -> [FittedDistribution]? {
    let positive = sample.filter { $0 > 0 && $0.isFinite }.sorted()
    guard positive.count >= 2, positive.first != positive.last else { return nil }
    var fits = [exponential(positive), lognormal(positive), gamma(positive), weibull(positive)]
    fits.sort { $0.ksDistance < $1.ksDistance }
    return fits + [empirical(positive)]
  }

  public static func exponential(_ sorted: [Double]) -> FittedDistribution {
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    return FittedDistribution(
      family: .exponential, parameters: [("mean", mean)],
      ksDistance: ksDistance(sorted) { 1 - exp(-$0 / mean) }, sampleSize: sorted.count)
  }

  public static func lognormal(_ sorted: [Double]) -> FittedDistribution {
    let logs = sorted.map { log($0) }
    let mu = logs.reduce(0, +) / Double(logs.count)
    let sigma = sqrt(logs.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(logs.count))
    return FittedDistribution(
      family: .lognormal, parameters: [("mu", mu), ("sigma", sigma)],
      ksDistance: ksDistance(sorted) { 0.5 * erfc(-(log($0) - mu) / (sigma * 2.0.squareRoot())) },
      sampleSize: sorted.count)
  }

  public static func gamma(_ sorted: [Double]) -> FittedDistribution {
    let count = Double(sorted.count)
    let mean = sorted.reduce(0, +) / count
    let s = log(mean) - sorted.reduce(0) { $0 + log($1) } / count
    var shape = (3 - s + ((s - 3) * (s - 3) + 24 * s).squareRoot()) / (12 * s)
    for _ in 0..<100 {
      let step = (log(shape) - digamma(shape) - s) / (1 / shape - trigamma(shape))
      shape = max(shape - step, shape / 10)
      if abs(step) < 1e-12 * shape { break }
    }
    let scale = mean / shape
    return FittedDistribution(
      family: .gamma, parameters: [("shape", shape), ("scale", scale)],
      ksDistance: ksDistance(sorted) { regularizedLowerGamma(shape, $0 / scale) }, sampleSize: sorted.count)
  }

  public static func weibull(_ sorted: [Double]) -> FittedDistribution {
    let count = Double(sorted.count)
    // Scaled by the largest value so xᵏ cannot overflow; the shape is unchanged.
    let top = sorted[sorted.count - 1]
    let logs = sorted.map { log($0 / top) }
    let meanLog = logs.reduce(0, +) / count
    var shape = 1.0
    for _ in 0..<200 {
      var (s0, s1, s2) = (0.0, 0.0, 0.0)
      for value in logs {
        let power = exp(shape * value)
        s0 += power
        s1 += power * value
        s2 += power * value * value
      }
      let g = s1 / s0 - 1 / shape - meanLog
      let slope = (s2 * s0 - s1 * s1) / (s0 * s0) + 1 / (shape * shape)
      let next = max(shape - g / slope, shape / 10)
      let done = abs(next - shape) < 1e-12 * shape
      shape = next
      if done { break }
    }
    let scale = top * pow(logs.reduce(0) { $0 + exp(shape * $1) } / count, 1 / shape)
    return FittedDistribution(
      family: .weibull, parameters: [("shape", shape), ("scale", scale)],
      ksDistance: ksDistance(sorted) { 1 - exp(-pow($0 / scale, shape)) }, sampleSize: sorted.count)
  }

  /// The 0th…100th percentiles (nearest rank), as an empirical distribution that draws
  /// one of them uniformly; its KS distance is measured against the whole sample.
  public static func empirical(_ sorted: [Double]) -> FittedDistribution {
    let values = (0...100).map { percent in
      sorted[min(sorted.count - 1, max(0, Int((Double(percent) / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }
    let cdf: (Double) -> Double = { x in
      var low = 0
      var high = values.count
      while low < high {
        let middle = (low + high) / 2
        if values[middle] <= x { low = middle + 1 } else { high = middle }
      }
      return Double(low) / Double(values.count)
    }
    // Both are step functions: the supremum is at a step of either, where both are
    // right-continuous (``ksDistance`` compares a continuous model's value at a step
    // with the sample's left limit, which for a stepped model counts its own jump).
    var distance = 0.0
    var index = 0
    for x in Set(sorted + values).sorted() {
      while index < sorted.count && sorted[index] <= x { index += 1 }
      distance = max(distance, abs(Double(index) / Double(sorted.count) - cdf(x)))
    }
    var fit = FittedDistribution(family: .empirical, parameters: [], ksDistance: distance, sampleSize: sorted.count)
    fit.values = values
    return fit
  }

  /// sup |F_n − F| for a sorted sample, checking both sides of every step (ties as one step).
  public static func ksDistance(_ sorted: [Double], _ cdf: (Double) -> Double) -> Double {
    let count = Double(sorted.count)
    var distance = 0.0
    var index = 0
    while index < sorted.count {
      var end = index
      while end + 1 < sorted.count && sorted[end + 1] == sorted[index] { end += 1 }
      let model = cdf(sorted[index])
      distance = max(distance, abs(model - Double(index) / count), abs(Double(end + 1) / count - model))
      index = end + 1
    }
    return distance
  }

  /// ψ(x), by recurrence to x ≥ 12 and the asymptotic series.
  public static func digamma(_ x: Double) -> Double {
    var value = 0.0
    var x = x
    while x < 12 {
      value -= 1 / x
      x += 1
    }
    let f = 1 / (x * x)
    return value + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240))))
  }

  /// ψ′(x), by recurrence to x ≥ 12 and the asymptotic series.
  public static func trigamma(_ x: Double) -> Double {
    var value = 0.0
    var x = x
    while x < 12 {
      value += 1 / (x * x)
      x += 1
    }
    let f = 1 / (x * x)
    return value + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)))
  }

  /// P(a, x), the regularized lower incomplete gamma function: its series below a + 1,
  /// the continued fraction of Q above (modified Lentz).
  public static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let logPrefix = -x + a * log(x) - lgamma(a)
    if x < a + 1 {
      var term = 1 / a
      var sum = term
      var n = a
      for _ in 0..<10_000 {
        n += 1
        term *= x / n
        sum += term
        if abs(term) < abs(sum) * 1e-15 { break }
      }
      return min(1, sum * exp(logPrefix))
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1..<10_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-15 { break }
    }
    return max(0, 1 - exp(logPrefix) * h)
  }
}
