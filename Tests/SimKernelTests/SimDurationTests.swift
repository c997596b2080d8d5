import Testing

@testable import SimKernel

/// Seconds-to-ticks conversion: every sampled delay passes through it, so it must
/// round exactly as `rounded()` (half away from zero) does, or seeds stop reproducing.
@Suite struct SimDurationTests {
  @Test func roundsHalfAwayFromZeroLikeTheStandardLibrary() {
    let edges: [Double] = [
      0, -0.0, 0.5e-6, -0.5e-6, 1.5e-6, -1.5e-6, 2.5e-6, 0.49999999999999994e-6, 1e-7, 4.5, -4.5,
      0x1p52 / 1e6, 0x1p53 / 1e6, 9.1e12, -9.1e12, 123_456.789_012_5,
    ]
    var stream = RandomSeed(root: 99).stream("sim-duration-test")
    var values = edges
    for _ in 0..<100_000 {
      let magnitude = Double(stream.nextInt(below: 13))  // up to 10¹² s, inside the range
      values.append((stream.nextUnit() - 0.5) * 2 * Double.pow10(magnitude))
      // Exact halves in ticks: the hard case for any shortcut.
      values.append((Double(stream.nextInt(below: 1 << 30)) + 0.5) / 1e6)
    }
    for seconds in values {
      let expected = Int64((seconds * 1_000_000).rounded())
      #expect(SimDuration(seconds: seconds).microseconds == expected, "seconds = \(seconds)")
    }
  }

  @Test func saturatesBeyondTheRepresentableRange() {
    #expect(SimDuration(seconds: 1e300).microseconds == .max / 4)
    #expect(SimDuration(seconds: -1e300).microseconds == .min / 4)
    #expect(SimDuration(seconds: .infinity).microseconds == .max / 4)
  }
}

extension Double {
  fileprivate static func pow10(_ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 {
      result *= 10
      remaining -= 1
    }
    return result
  }
}
