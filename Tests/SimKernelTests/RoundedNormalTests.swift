import Testing

@testable import SimKernel

#if canImport(Glibc)
  import Glibc
#endif

/// `roundedNormal` must return exactly what rounding the plain Box–Muller draw returns:
/// the traffic loop's request counts, and so every table of a run, depend on it.
@Suite("Rounded normal draws")
struct RoundedNormalTests {
  /// The plain computation `roundedNormal` replaces.
  static func reference(_ stream: inout RandomStream, mean: Double, deviation: Double) -> Int64 {
    Int64((mean + deviation * stream.standardNormal()).rounded())
  }

  @Test("the bounded logarithm is within 1e-14 of the C library's, relative, over the draws' range")
  func logarithmError() {
    var stream = RandomSeed(root: 11).stream("bounded-log")
    var inputs: [Double] = [0x1p-53, 0x1p-52, 0.5, 0.707_106_781_186_547_5, 0.707_106_781_186_547_6, 1, 1 - 0x1p-53]
    for _ in 0..<200_000 { inputs.append(stream.nextUnitExcludingZero()) }
    // Small uniforms, where the exponent term dominates.
    for _ in 0..<20_000 { inputs.append(stream.nextUnitExcludingZero() * 0x1p-40) }
    var worst = 0.0
    for u in inputs {
      let exact = log(u)
      let error = abs(BoundedMath.log(u) - exact)
      worst = max(worst, exact == 0 ? error : error / abs(exact))
    }
    #expect(worst < 1e-14, "worst relative error \(worst)")
    #expect(BoundedMath.log(1) == 0)
  }

  @Test("the bounded cosine is within 1e-14 of the C library's over [0, 2π)")
  func cosineError() {
    var stream = RandomSeed(root: 12).stream("bounded-cos")
    var inputs: [Double] = [
      0, Double.pi / 4, Double.pi / 2, Double.pi, 3 * Double.pi / 2, 2 * Double.pi * (1 - 0x1p-53),
    ]
    for quarter in 0..<8 {
      let edge = Double(quarter) * Double.pi / 4
      inputs += [edge.nextDown, edge, edge.nextUp].filter { $0 >= 0 }
    }
    for _ in 0..<200_000 { inputs.append(2 * Double.pi * stream.nextUnit()) }
    var worst = 0.0
    for x in inputs { worst = max(worst, abs(BoundedMath.cos(x) - cos(x))) }
    #expect(worst < 1e-14, "worst absolute error \(worst)")
  }

  @Test("rounded normals equal rounding the plain draw, and consume the stream identically")
  func matchesPlainDraw() {
    let shapes: [(mean: Double, deviation: Double)] = [
      (0, 1), (10, 3.1), (37.5, 5.9), (1_234.56, 35.1), (1e6, 999.9), (-3.25, 2), (4e9, 6e4),
    ]
    for (index, shape) in shapes.enumerated() {
      var fast = RandomSeed(root: 13, replication: UInt32(index)).stream("rounded-normal")
      var plain = fast
      for _ in 0..<50_000 {
        let expected = Self.reference(&plain, mean: shape.mean, deviation: shape.deviation)
        #expect(fast.roundedNormal(mean: shape.mean, deviation: shape.deviation) == expected)
      }
      #expect(fast.next() == plain.next(), "the two streams drifted apart")
    }
  }

  /// Sums placed on, and a hair either side of, a half-integer: the cases where the
  /// bounded functions alone could round the other way, so the exact path must decide.
  @Test("sums at a rounding boundary round exactly as the plain draw does")
  func boundaries() {
    var seeds = RandomSeed(root: 14).stream("boundaries")
    for trial in 0..<2_000 {
      let state = (seeds.next(), seeds.next(), seeds.next(), seeds.next())
      var probe = RandomStream(state: state)
      let deviation = [0.7, 12.5, 310.0][trial % 3]
      let z = probe.standardNormal()
      for offset in [0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6] {
        let mean = 100.5 - deviation * z + offset
        var fast = RandomStream(state: state)
        var plain = RandomStream(state: state)
        let expected = Self.reference(&plain, mean: mean, deviation: deviation)
        #expect(fast.roundedNormal(mean: mean, deviation: deviation) == expected, "offset \(offset)")
      }
    }
  }
}
