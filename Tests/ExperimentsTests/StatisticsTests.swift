import Testing

@testable import Experiments

@Suite("Statistics")
struct StatisticsTests {
  /// Quantiles from any t table, such as Law & Kelton Table T.1, to the digits printed there.
  @Test(
    "t quantiles match the published table",
    arguments: [
      (1.0, 0.975, 12.7062), (2.0, 0.975, 4.3027), (4.0, 0.975, 2.7764), (9.0, 0.975, 2.2622),
      (29.0, 0.975, 2.0452), (29.0, 0.95, 1.6991), (120.0, 0.975, 1.9799), (10_000.0, 0.975, 1.9602),
      (5.0, 0.995, 4.0321),
    ])
  func quantiles(degreesOfFreedom: Double, probability: Double, expected: Double) {
    let quantile = StudentT.quantile(probability, degreesOfFreedom: degreesOfFreedom)
    #expect(
      abs(quantile - expected) < 5e-4, "t(\(degreesOfFreedom), \(probability)) = \(quantile), expected \(expected)")
    #expect(abs(StudentT.quantile(1 - probability, degreesOfFreedom: degreesOfFreedom) + quantile) < 1e-9)
  }

  @Test("CDF and quantile are inverses")
  func inverse() {
    for nu in [1.0, 3.0, 17.0] {
      for p in [0.6, 0.9, 0.99] {
        let t = StudentT.quantile(p, degreesOfFreedom: nu)
        #expect(abs(StudentT.cumulativeProbability(t, degreesOfFreedom: nu) - p) < 1e-10)
      }
    }
  }

  @Test("a summary's interval is mean ± t·s/√n")
  func summary() throws {
    let summary = SampleSummary([2, 4, 4, 4, 5, 5, 7, 9], confidence: 0.95)
    #expect(summary.count == 8)
    #expect(summary.mean == 5)
    let deviation = try #require(summary.standardDeviation)
    #expect(abs(deviation - 2.138089935) < 1e-8)
    let halfWidth = try #require(summary.halfWidth)
    #expect(abs(halfWidth - 2.364624 * deviation / 8.0.squareRoot()) < 1e-5)
    #expect(SampleSummary([3]).confidenceLow == nil)
    #expect(SampleSummary([]).mean == nil)
  }

  @Test("paired differences pair by replication and ignore unpaired values")
  func paired() throws {
    let difference = SampleSummary.pairedDifference(
      baseline: [0: 10, 1: 12, 2: 11, 3: 50], candidate: [0: 11, 1: 13.5, 2: 11.5, 4: 0])
    #expect(difference.count == 3)
    #expect(abs(try #require(difference.mean) - 1.0) < 1e-12)
  }
}
