import Testing

@testable import SimKernel

/// `bernoulliCount` must count exactly what `trials` calls of `bernoulli` count and
/// leave the stream where they leave it: the traffic loop's small binomials (histogram
/// buckets, errors) and so every monitoring table depend on it.
@Suite("Bernoulli counts")
struct BernoulliCountTests {
  /// The loop `bernoulliCount` replaces.
  static func reference(_ stream: inout RandomStream, trials: Int64, probability: Double) -> Int64 {
    var count: Int64 = 0
    for _ in 0..<max(0, trials) where stream.bernoulli(probability) { count += 1 }
    return count
  }

  static func assertMatches(probability: Double, trials: Int64, rounds: Int, seed: UInt64) {
    var fast = RandomSeed(root: seed).stream("bernoulli-count")
    var plain = fast
    for _ in 0..<rounds {
      let expected = reference(&plain, trials: trials, probability: probability)
      let counted = fast.bernoulliCount(trials: trials, probability: probability)
      #expect(counted == expected, "p = \(probability), n = \(trials)")
      if counted != expected { return }
    }
    // Both consumed the same numbers: the next draws agree.
    let (fastNext, plainNext) = (fast.next(), plain.next())
    #expect(fastNext == plainNext, "p = \(probability): the streams diverged")
  }

  @Test("counts equal the Bernoulli loop for ordinary probabilities and trial counts")
  func ordinaryProbabilities() {
    var chooser = RandomSeed(root: 21).stream("probabilities")
    for index in 0..<400 {
      let probability = chooser.nextUnit()
      let trials = Int64(chooser.nextInt(below: 30))
      Self.assertMatches(probability: probability, trials: trials, rounds: 200, seed: UInt64(index))
    }
  }

  @Test("counts equal the Bernoulli loop where a draw can equal p exactly, and at the ends")
  func boundaries() {
    // Multiples of 2⁻⁵³ are values a unit draw takes: `x × 2⁻⁵³ < p` must stay strict.
    // A tiny threshold makes equality likely: 2⁻⁵³ × k for small k, then its neighbours.
    var probabilities: [Double] = [
      0, -0.0, -1, 1, 2, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .leastNormalMagnitude,
      0x1p-53, 0x1p-52, 3 * 0x1p-53, 1 - 0x1p-53, (1 - 0x1p-53).nextDown, 0.5, 0.5.nextUp, 0.5.nextDown,
      0.1, 1.0 / 3,
    ]
    for k in 1...8 {
      let exact = Double(k) * 0x1p-53
      probabilities += [exact, exact.nextUp, exact.nextDown]
    }
    for (index, probability) in probabilities.enumerated() {
      Self.assertMatches(probability: probability, trials: 29, rounds: 100, seed: 100 + UInt64(index))
      Self.assertMatches(probability: probability, trials: 1, rounds: 100, seed: 200 + UInt64(index))
    }
  }

  @Test("a draw exactly at the threshold does not count")
  func drawAtThreshold() {
    // The first draw of this stream, as a 53-bit integer x; p = x × 2⁻⁵³ must not count it
    // (the unit draw equals p), and p's successor must.
    let stream = RandomSeed(root: 31).stream("threshold")
    var peek = stream
    let x = peek.next() >> 11
    let probability = Double(x) * 0x1p-53
    var atThreshold = stream
    let countedAtThreshold = atThreshold.bernoulliCount(trials: 1, probability: probability)
    #expect(countedAtThreshold == 0)
    var above = stream
    let countedAbove = above.bernoulliCount(trials: 1, probability: probability.nextUp)
    #expect(countedAbove == 1)
    var loop = stream
    let loopAnswer = loop.bernoulli(probability)
    #expect(!loopAnswer)
  }

  @Test("no trials draw nothing")
  func noTrials() {
    let stream = RandomSeed(root: 41).stream("none")
    for trials: Int64 in [0, -3] {
      var counted = stream
      let count = counted.bernoulliCount(trials: trials, probability: 0.5)
      #expect(count == 0)
      var untouched = stream
      let (countedNext, untouchedNext) = (counted.next(), untouched.next())
      #expect(countedNext == untouchedNext)
    }
  }
}
