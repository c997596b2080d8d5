import Foundation

/// Student's t distribution: the quantiles behind every confidence interval here.
///
/// Implemented here rather than taken from a library (the project has no numerics
/// dependency): the CDF comes from the regularized incomplete beta function,
/// evaluated by Lentz's continued fraction (Numerical Recipes §6.4), and the quantile
/// inverts it by bisection, which cannot fail to converge. Accurate to about 1e-12,
/// far beyond what a confidence interval needs.
public enum StudentT {
  /// The CDF P(T ≤ t) with `degreesOfFreedom` ν > 0.
  public static func cumulativeProbability(_ t: Double, degreesOfFreedom: Double) -> Double {
    precondition(degreesOfFreedom > 0, "degrees of freedom must be positive")
    let x = degreesOfFreedom / (degreesOfFreedom + t * t)
    let tail = 0.5 * regularizedIncompleteBeta(x, a: degreesOfFreedom / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
  }

  /// The quantile t_{ν,p}: the value with P(T ≤ t) = p, for 0 < p < 1.
  ///
  /// - Complexity: 200 CDF evaluations; microseconds.
  public static func quantile(_ probability: Double, degreesOfFreedom: Double) -> Double {
    precondition(probability > 0 && probability < 1, "probability must be in (0, 1)")
    if probability == 0.5 { return 0 }
    if probability < 0.5 { return -quantile(1 - probability, degreesOfFreedom: degreesOfFreedom) }
    var low = 0.0
    var high = 1.0
    while cumulativeProbability(high, degreesOfFreedom: degreesOfFreedom) < probability && high < 1e12 { high *= 2 }
    for _ in 0..<200 {
      let middle = (low + high) / 2
      if cumulativeProbability(middle, degreesOfFreedom: degreesOfFreedom) < probability {
        low = middle
      } else {
        high = middle
      }
      if high - low <= 1e-13 * max(1, high) { break }
    }
    return (low + high) / 2
  }

  /// I_x(a, b), the regularized incomplete beta function.
  static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the
    // symmetry I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * continuedFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
  }

  private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var result = d
    for m in 1...300 {
      let m = Double(m)
      let evenStep = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + evenStep * d
      if abs(d) < tiny { d = tiny }
      c = 1 + evenStep / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      result *= d * c
      let oddStep = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + oddStep * d
      if abs(d) < tiny { d = tiny }
      c = 1 + oddStep / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      result *= delta
      if abs(delta - 1) < 1e-15 { break }
    }
    return result
  }
}
