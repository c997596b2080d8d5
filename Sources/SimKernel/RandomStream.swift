#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): expands one 64-bit seed into a sequence of
/// well-mixed words.
///
/// Used only to seed ``RandomStream``s.
public struct SplitMix64 {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The identity of a replication's random numbers: (root seed, replication).
///
/// Streams are derived from it by purpose name, so adding a consumer never perturbs
/// the others, and two policies run with the same seed see the same arrivals,
/// defects and interruptions (common random numbers; Law & Kelton).
public struct RandomSeed: Hashable, Sendable {
  public var root: UInt64
  public var replication: UInt32

  public init(root: UInt64, replication: UInt32 = 0) {
    self.root = root
    self.replication = replication
  }

  /// The stream for one purpose, for example `"runner-pool/arrivals"` or `"spot/gpu_nodes"`.
  ///
  /// The name is hashed with FNV-1a (stable across processes and toolchains, unlike
  /// Swift's `Hasher`), combined with the root seed and replication, and expanded
  /// by SplitMix64 into xoshiro256** state.
  public func stream(_ name: String) -> RandomStream {
    var nameHash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 {
      nameHash ^= UInt64(byte)
      nameHash &*= 0x0000_0100_0000_01B3
    }
    var mixer = SplitMix64(seed: root)
    let rootWord = mixer.next()
    var expander = SplitMix64(
      seed: rootWord ^ (UInt64(replication) &* 0xD605_BBB5_8C8A_BBFD) ^ nameHash.rotated(by: 17))
    return RandomStream(
      state: (expander.next(), expander.next(), expander.next(), expander.next()))
  }
}

extension UInt64 {
  @inlinable @inline(__always)
  func rotated(by count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}

/// A seeded pseudo-random stream: xoshiro256** (Blackman & Vigna 2018).
///
/// All samplers in PlatformSim draw from these with our own algorithms, never the
/// standard library's, whose algorithms may change between Swift versions
/// (swiftlang/swift PR #18634). Each stream serves one purpose.
public struct RandomStream: RandomNumberGenerator {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  public init(state: (UInt64, UInt64, UInt64, UInt64)) {
    (s0, s1, s2, s3) = state
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
  }

  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = (s1 &* 5).rotated(by: 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3.rotated(by: 45)
    return result
  }

  /// A uniform double in [0, 1) with 53 random bits.
  @inlinable @inline(__always)
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform double in (0, 1]: safe to take the logarithm of.
  @inlinable @inline(__always)
  public mutating func nextUnitExcludingZero() -> Double {
    Double((next() >> 11) + 1) * 0x1.0p-53
  }

  /// A uniform integer in `0..<bound` (Lemire's multiply-shift, with rejection).
  @inlinable public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let upper = UInt64(bound)
    var product = next().multipliedFullWidth(by: upper)
    if product.low < upper {
      let threshold = (0 &- upper) % upper
      while product.low < threshold { product = next().multipliedFullWidth(by: upper) }
    }
    return Int(product.high)
  }

  /// Whether an event of probability `p` happens (`true` with probability `p`).
  ///
  /// Always draws exactly one number.
  @inlinable public mutating func bernoulli(_ p: Double) -> Bool { nextUnit() < p }

  /// How many of `trials` independent events of probability `p` happen: exactly the
  /// count of `true` answers of `trials` calls of ``bernoulli(_:)``, drawing the same
  /// `trials` numbers.
  ///
  /// Why not that loop: it converts each draw to a `Double` and scales it. A unit draw
  /// is `x × 2⁻⁵³` for a 53-bit integer `x`, and both that product and `p × 2⁵³` are
  /// exact (scaling by a power of two), so `x × 2⁻⁵³ < p` holds exactly when
  /// `x < ⌈p × 2⁵³⌉`: one integer comparison per trial. `p` is clamped to 0…1 first, as
  /// the loop would answer `false` for every `p ≤ 0` (and NaN) and `true` for every `p ≥ 1`.
  @inlinable
  public mutating func bernoulliCount(trials: Int64, probability p: Double) -> Int64 {
    guard trials > 0 else { return 0 }
    // `!(p > 0)` also catches NaN, which compares false with every draw.
    if !(p > 0) {
      for _ in 0..<trials { _ = next() }
      return 0
    }
    if p >= 1 {
      for _ in 0..<trials { _ = next() }
      return trials
    }
    let threshold = UInt64((p * 0x1p53).rounded(.up))
    var count: Int64 = 0
    for _ in 0..<trials where (next() >> 11) < threshold { count += 1 }
    return count
  }

  /// An exponential sample with the given mean (inversion: one draw).
  @inlinable @inline(__always)
  public mutating func exponential(mean: Double) -> Double {
    -mean * log(nextUnitExcludingZero())
  }

  /// A standard normal sample (Box–Muller, always two draws, no cached spare value,
  /// so each call consumes the stream identically).
  @inlinable public mutating func standardNormal() -> Double {
    let u1 = nextUnitExcludingZero()
    let u2 = nextUnit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// A Poisson count with the given mean.
  ///
  /// Knuth's multiplication method below a mean of 10; above it Hörmann's transformed
  /// rejection with squeeze (PTRS, 1993), which needs about 1.2 draw pairs per sample.
  public mutating func poisson(mean: Double) -> Int {
    precondition(mean >= 0 && mean.isFinite, "Poisson mean must be finite and non-negative")
    if mean == 0 { return 0 }
    if mean < 10 {
      let limit = exp(-mean)
      var product = nextUnit()
      var count = 0
      while product > limit {
        count += 1
        product *= nextUnit()
      }
      return count
    }
    let rootMean = mean.squareRoot()
    let b = 0.931 + 2.53 * rootMean
    let a = -0.059 + 0.02483 * b
    let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
    let acceptBound = 0.9277 - 3.6224 / (b - 2)
    while true {
      let u = nextUnit() - 0.5
      let v = nextUnit()
      let us = 0.5 - abs(u)
      let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
      if us >= 0.07 && v <= acceptBound { return Int(k) }
      if k < 0 || (us < 0.013 && v > us) { continue }
      let lhs = log(v) + log(inverseAlpha) - log(a / (us * us) + b)
      // log(mean) only here: about three calls in four accept above without it.
      let rhs = -mean + k * log(mean) - lgamma(k + 1)
      if lhs <= rhs { return Int(k) }
    }
  }
}
