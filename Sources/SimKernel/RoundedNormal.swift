import Foundation

extension RandomStream {
  /// The standard normal that ``standardNormal()`` returns for the uniforms `u1` in
  /// (0, 1] and `u2` in [0, 1): Box–Muller, `sqrt(-2 log u1) · cos(2π u2)`.
  ///
  /// The one place the formula is written, so that ``roundedNormal(mean:deviation:)``
  /// falls back to exactly the value the plain draw would have produced.
  @inlinable @inline(__always)
  public static func boxMuller(_ u1: Double, _ u2: Double) -> Double {
    (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// `Int64((mean + deviation * standardNormal()).rounded())`, bit for bit, drawing
  /// the same two numbers, for results of magnitude below 2^51.
  ///
  /// Rounding to an integer forgets every bit of the normal but the ones that decide
  /// which side of a half-integer the sum falls on. So the sum is first computed with
  /// ``BoundedMath``'s logarithm and cosine, which are within about 1e-15 of the C
  /// library's (measured in `RoundedNormalTests`), and its rounding is used when the sum
  /// is farther than `tolerance` from every half-integer. `tolerance` is 1e-10 of the
  /// sum's scale, five orders of magnitude above the difference the two formulas can
  /// make. Otherwise (with probability about twice the tolerance: below 1e-5 for the
  /// traffic loop's counts) the sum is recomputed with the C library's functions,
  /// exactly as the plain draw computes it.
  /// The libm `log` and `cos` are most of a normal draw's cost, and the traffic
  /// loop's binomial counts draw 2.5 M normals per simulated day at organisation scale.
  @inlinable
  public mutating func roundedNormal(mean: Double, deviation: Double) -> Int64 {
    let u1 = nextUnitExcludingZero()
    let u2 = nextUnit()
    let radius = (-2 * BoundedMath.log(u1)).squareRoot()
    let estimate = mean + deviation * (radius * BoundedMath.cos(2 * Double.pi * u2))
    let tolerance = 1e-10 * (1 + abs(mean) + deviation * (radius + 1))
    if abs(estimate) < 0x1p51 {
      // Half away from zero, as `rounded()`: truncate, then step by the fraction.
      let truncated = Int64(estimate)
      let fraction = estimate - Double(truncated)
      // `!(… > …)` also sends a NaN to the exact path.
      if abs(abs(fraction) - 0.5) > tolerance {
        if fraction >= 0.5 { return truncated + 1 }
        if fraction <= -0.5 { return truncated - 1 }
        return truncated
      }
    }
    return Int64((mean + deviation * Self.boxMuller(u1, u2)).rounded())
  }
}

/// A natural logarithm and a cosine within about 1e-15 of the C library's.
///
/// Used only where a result within a stated tolerance is enough
/// (``RandomStream/roundedNormal(mean:deviation:)``). They may differ from the C
/// library's in the last bits, so no value that is stored or compared may come from them.
@usableFromInline enum BoundedMath {
  /// `log(u)` for normal positive `u`.
  ///
  /// `u = m · 2^e` with `m` in [√½, √2), then `log m = 2 atanh s` with
  /// `s = (m - 1)/(m + 1)`, `|s| ≤ 0.1716`, summed to `s^17/17`: the next term is below
  /// 1e-17 of the result.
  @inlinable @inline(__always)
  static func log(_ u: Double) -> Double {
    let bits = u.bitPattern
    var exponent = Int64(bitPattern: (bits >> 52) & 0x7FF) - 1023
    var mantissa = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    if mantissa > 1.4142135623730951 {
      mantissa *= 0.5
      exponent += 1
    }
    let s = (mantissa - 1) / (mantissa + 1)
    let s2 = s * s
    var series = 1.0 / 17
    series = series * s2 + 1.0 / 15
    series = series * s2 + 1.0 / 13
    series = series * s2 + 1.0 / 11
    series = series * s2 + 1.0 / 9
    series = series * s2 + 1.0 / 7
    series = series * s2 + 1.0 / 5
    series = series * s2 + 1.0 / 3
    let logMantissa = 2 * s + 2 * s * s2 * series
    return Double(exponent) * 0.693_147_180_559_945_3 + logMantissa
  }

  /// `cos(x)` for `x` in [0, 8): reduced by multiples of π/2 (a two-part constant,
  /// about 1e-15 absolute error) to [-π/4, π/4], then the Taylor series of cos to
  /// `t^16` or of sin to `t^15`, whose next terms are below 1e-16.
  @inlinable @inline(__always)
  static func cos(_ x: Double) -> Double {
    let quadrant = Int(x * 0.636_619_772_367_581_3 + 0.5)  // x ≥ 0: truncation is floor
    let n = Double(quadrant)
    let t = (x - n * 1.570_796_326_794_896_6) - n * 6.123_233_995_736_766e-17
    let t2 = t * t
    switch quadrant & 3 {
    case 0: return cosine(t2)
    case 1: return -sine(t, t2)
    case 2: return -cosine(t2)
    default: return sine(t, t2)
    }
  }

  @inlinable @inline(__always)
  static func cosine(_ t2: Double) -> Double {
    var p = 1.0 / 20_922_789_888_000  // 1/16!
    p = p * t2 - 1.0 / 87_178_291_200  // 1/14!
    p = p * t2 + 1.0 / 479_001_600  // 1/12!
    p = p * t2 - 1.0 / 3_628_800  // 1/10!
    p = p * t2 + 1.0 / 40_320  // 1/8!
    p = p * t2 - 1.0 / 720
    p = p * t2 + 1.0 / 24
    p = p * t2 - 0.5
    return 1 + t2 * p
  }

  @inlinable @inline(__always)
  static func sine(_ t: Double, _ t2: Double) -> Double {
    var p = 1.0 / 1_307_674_368_000  // 1/15!
    p = p * t2 - 1.0 / 6_227_020_800  // 1/13!
    p = p * t2 + 1.0 / 39_916_800  // 1/11!
    p = p * t2 - 1.0 / 362_880  // 1/9!
    p = p * t2 + 1.0 / 5_040
    p = p * t2 - 1.0 / 120
    p = p * t2 + 1.0 / 6
    return t - t * t2 * p
  }
}
