import Foundation
import SimKernel
import Testing

@testable import PlatformModel

/// Checkpointing against Daly (2006): the formulas, then the simulated job.
@Suite struct CheckpointingTests {
  /// Daly's published τ_opt (δ = 5 min): 116.69 min at M = 24 h, 56.71 at 6 h, 9.14 at 15 min
  /// (validation-data.md §3.2).
  @Test(arguments: [(24.0 * 60, 116.69), (6.0 * 60, 56.71), (15.0, 9.14)])
  func dalyIntervalMatchesPublishedValues(mtbfMinutes: Double, expectedMinutes: Double) {
    let tau = CheckpointMath.dalyInterval(checkpointCost: 300, meanTimeBetweenFailures: mtbfMinutes * 60)
    #expect(abs(tau / 60 - expectedMinutes) < 0.01)
  }

  /// T_w at Daly's τ for T_s = 500 h, δ = 5 min, R = 10 min: 547.9 h at M = 24 h, 610.2 h at 6 h.
  @Test(arguments: [(24.0, 547.9), (6.0, 610.2)])
  func expectedWallTimeMatchesReferenceRows(mtbfHours: Double, expectedHours: Double) {
    let mtbf = mtbfHours * 3_600
    let tau = CheckpointMath.dalyInterval(checkpointCost: 300, meanTimeBetweenFailures: mtbf)
    let wall = CheckpointMath.expectedWallTime(
      solveTime: 500 * 3_600, interval: tau, checkpointCost: 300, restartCost: 600, meanTimeBetweenFailures: mtbf)
    #expect(abs(wall / 3_600 - expectedHours) < 0.1)
  }

  /// Spot bands become hazards by λ = −ln(1 − p)/720 h at the band midpoint.
  @Test func bandHazardUsesMidpointMonthlyProbability() {
    let rate = SpotInterruptionRate.band(.from5To10)
    #expect(abs(rate.hazardPerSecond * 3_600 - (-log(1 - 0.075) / 720)) < 1e-15)
    #expect(abs(rate.meanSecondsBetweenInterruptions / 3_600 - 9_237) < 5)
  }

  /// Mean makespan of jobs under exponential spot interruptions through the real
  /// cluster (zero notice, zero provisioning delay, so every loss is a Poisson
  /// failure followed by a restart) agrees with Daly's T_w within 3 %.
  ///
  /// M = 1 h, δ = 1 min, R = 5 min, T_s = 5 h; τ fixed at 10 min (T_s/τ = 30 whole
  /// segments) or Young/Daly (≈ 10.3 min, a shorter last segment: the oracle sums
  /// Daly's per-segment expectation M·e^{R/M}·(e^{(τᵢ+δ)/M} − 1)).
  @Test(arguments: [false, true])
  func meanMakespanAgreesWithDaly(youngDaly: Bool) {
    let mtbf = 3_600.0
    var catalogue = InstanceCatalogue.awsUSEast1
    catalogue.upsert(
      InstanceType(
        name: "test.gpu", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, onDemandPriceUSDPerHour: 1,
        spotPriceUSDPerHour: 0.4, spotInterruption: .meanTimeBetween(.seconds(3_600))))
    let policy = CheckpointPolicy(
      interval: youngDaly ? .youngDaly : .fixed(.minutes(10)), cost: .minutes(1), restartCost: .minutes(5),
      checkpointOnNotice: false)
    let jobCount = 1_500
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("spot", .spot, type: "test.gpu", max: 400, desired: 400)],
      streams: [ClusterFixture.gpuStream(capacity: .spot, checkpoint: policy)], catalogue: catalogue,
      market: SpotMarketConfiguration(noticeWindow: .zero), seed: youngDaly ? 11 : 5)
    ClusterFixture.submit(&simulation, solveTime: .hours(5), count: jobCount)
    _ = simulation.run(until: SimTime.zero + .hours(40))
    let jobs = simulation.model.cluster!.training.jobs
    let makespans = jobs.compactMap { job -> Double? in
      guard let start = job.firstStartedAt, let end = job.finishedAt else { return nil }
      return (end - start).seconds
    }
    #expect(makespans.count == jobCount)
    let mean = makespans.reduce(0, +) / Double(makespans.count)
    let solve = 5 * 3_600.0
    let tau = youngDaly ? CheckpointMath.dalyInterval(checkpointCost: 60, meanTimeBetweenFailures: mtbf) : 600
    let tauTicks = SimDuration(seconds: tau).seconds
    var expected = 0.0
    var remaining = solve
    while remaining > 1e-6 {
      let segment = min(tauTicks, remaining)
      expected += mtbf * exp(300 / mtbf) * (exp((segment + 60) / mtbf) - 1)
      remaining -= segment
    }
    if !youngDaly {
      let daly = CheckpointMath.expectedWallTime(
        solveTime: solve, interval: 600, checkpointCost: 60, restartCost: 300, meanTimeBetweenFailures: mtbf)
      #expect(abs(daly - expected) < 1e-6 * expected)
    } else {
      #expect(abs((jobs[JobID(0)].checkpointInterval?.seconds ?? 0) - tau) < 1e-3)
    }
    let error = abs(mean - expected) / expected
    print(
      "Daly check (youngDaly: \(youngDaly)): simulated mean makespan \(mean) s, T_w \(expected) s, error \(error * 100) %"
    )
    #expect(error < 0.03)
    #expect(jobs.allSatisfy { $0.interruptions > 0 || $0.checkpoints == 30 || youngDaly })
  }
}
