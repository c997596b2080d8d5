import Experiments
import Foundation
import SimKernel
import Testing

/// `platformsim fit`'s maximum-likelihood fits against closed forms on generated data,
/// and on the Philly run times against an independent fit.
@Suite("Distribution fits")
struct DistributionFitTests {
  static func sample(_ name: String, count: Int = 20_000, _ draw: (inout RandomStream) -> Double) -> [Double] {
    var stream = RandomSeed(root: 11).stream(name)
    return (0..<count).map { _ in draw(&stream) }.sorted()
  }

  /// Mean and population standard deviation, computed here independently of the library.
  static func moments(_ values: [Double]) -> (mean: Double, deviation: Double) {
    var mean = 0.0
    for (index, value) in values.enumerated() { mean += (value - mean) / Double(index + 1) }
    var squares = 0.0
    for value in values { squares += (value - mean) * (value - mean) }
    return (mean, (squares / Double(values.count)).squareRoot())
  }

  @Test("Exponential and lognormal MLEs are the closed forms, and recover the generating parameters")
  func closedForms() {
    let exponential = Self.sample("exponential") { $0.exponential(mean: 300) }
    let fit = DistributionFit.exponential(exponential)
    #expect(abs(fit.parameter("mean")! - Self.moments(exponential).mean) < 1e-9)
    #expect(abs(fit.parameter("mean")! / 300 - 1) < 0.03)
    #expect(fit.ksDistance < 0.015 && fit.sampleSize == 20_000)

    let lognormal = Self.sample("lognormal") { exp(6 + 1.5 * $0.standardNormal()) }
    let logFit = DistributionFit.lognormal(lognormal)
    let logs = Self.moments(lognormal.map { log($0) })
    #expect(abs(logFit.parameter("mu")! - logs.mean) < 1e-9)
    #expect(abs(logFit.parameter("sigma")! - logs.deviation) < 1e-9)
    #expect(abs(logFit.parameter("mu")! - 6) < 0.05 && abs(logFit.parameter("sigma")! - 1.5) < 0.05)
    #expect(logFit.ksDistance < 0.015)
    // The right family fits best.
    #expect(DistributionFit.fitAll(lognormal)?.first?.family == .lognormal)
    #expect(DistributionFit.fitAll(exponential)?.first?.family != .lognormal)
  }

  @Test("Gamma and Weibull MLEs solve their likelihood equations and recover the parameters")
  func iterative() {
    // Gamma with shape 3: a sum of three exponentials.
    let gamma = Self.sample("gamma") { stream in (0..<3).reduce(0) { sum, _ in sum + stream.exponential(mean: 50) } }
    let gammaFit = DistributionFit.gamma(gamma)
    let shape = gammaFit.parameter("shape")!
    let s = log(Self.moments(gamma).mean) - Self.moments(gamma.map { log($0) }).mean
    #expect(abs(log(shape) - DistributionFit.digamma(shape) - s) < 1e-10)
    #expect(abs(shape / 3 - 1) < 0.05 && abs(gammaFit.parameter("scale")! / 50 - 1) < 0.05)
    #expect(DistributionFit.fitAll(gamma)?.first?.family == .gamma)

    let weibull = Self.sample("weibull") { 100 * pow(-log($0.nextUnitExcludingZero()), 1 / 1.5) }
    let weibullFit = DistributionFit.weibull(weibull)
    let k = weibullFit.parameter("shape")!
    let powers = weibull.map { pow($0, k) }
    let score =
      zip(powers, weibull).reduce(0) { $0 + $1.0 * log($1.1) } / powers.reduce(0, +) - 1 / k
      - weibull.reduce(0) { $0 + log($1) } / Double(weibull.count)
    #expect(abs(score) < 1e-9)
    #expect(abs(k / 1.5 - 1) < 0.03 && abs(weibullFit.parameter("scale")! / 100 - 1) < 0.03)
    #expect(abs(weibullFit.parameter("scale")! - pow(powers.reduce(0, +) / Double(powers.count), 1 / k)) < 1e-6)
  }

  @Test("Special functions and the KS distance against known values")
  func specialFunctions() {
    #expect(abs(DistributionFit.digamma(1) + 0.577_215_664_901_532_9) < 1e-12)
    #expect(abs(DistributionFit.trigamma(1) - Double.pi * Double.pi / 6) < 1e-12)
    #expect(abs(DistributionFit.regularizedLowerGamma(1, 2) - (1 - exp(-2))) < 1e-12)
    #expect(abs(DistributionFit.regularizedLowerGamma(0.5, 3) - erf(3.0.squareRoot())) < 1e-12)
    #expect(abs(DistributionFit.regularizedLowerGamma(5, 2) - 0.052_653_017_343_711_2) < 1e-12)
    #expect(DistributionFit.ksDistance([1, 2, 3]) { $0 / 4 } == 0.25)
    // The empirical fit of 101 percentiles is close to the sample it summarises.
    let sample = Self.sample("empirical", count: 5000) { $0.exponential(mean: 10) }
    #expect(DistributionFit.empirical(sample).ksDistance < 0.02)
    // Ties: a sample with a repeated value is its own percentiles; the distance is
    // the two step functions' largest gap, not the tie's jump.
    let tied: [Double] = [120, 120, 120, 120, 120, 120, 300, 900, 3600, 7200]
    #expect(DistributionFit.empirical(tied).ksDistance <= 0.01 + 1e-12)
  }

  @Test(
    "Philly run times: the lognormal fit equals an independent fit of the file",
    .enabled(if: philly != nil, "../shared/traces/philly is absent: skipped"))
  func phillyFit() throws {
    guard let philly = Self.philly else { return }
    let text = try String(contentsOf: philly, encoding: .utf8)
    let runtimes = text.split(separator: "\n").dropFirst().compactMap { Double($0) }
    #expect(runtimes.count == 83_154)
    let positive = runtimes.filter { $0 > 0 }
    let independent = Self.moments(positive.map { log($0) })
    guard let fits = DistributionFit.fitAll(runtimes), let lognormal = fits.first(where: { $0.family == .lognormal })
    else {
      Issue.record("no fit")
      return
    }
    #expect(lognormal.sampleSize == positive.count)
    #expect(abs(lognormal.parameter("mu")! - independent.mean) < 1e-9)
    #expect(abs(lognormal.parameter("sigma")! - independent.deviation) < 1e-9)
    print(
      "Philly fits (n = \(positive.count)): "
        + fits.map { "\($0.family.rawValue) D=\($0.ksDistance) \($0.parameters.map { "\($0.name)=\($0.value)" })" }
        .joined(separator: "; "))
  }

  static let philly: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return [
      ProcessInfo.processInfo.environment["PLATFORMSIM_TRACES"].map { URL(fileURLWithPath: $0) },
      root.appendingPathComponent("../shared/traces"), root.appendingPathComponent("../../shared/traces"),
    ].compactMap { $0 }.map { $0.appendingPathComponent("philly/philly_runtime.csv") }
      .first { FileManager.default.fileExists(atPath: $0.path) }
  }()
}
