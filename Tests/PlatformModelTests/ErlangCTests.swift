import Testing

@testable import PlatformModel
@testable import SimKernel

/// The Erlang C formula for an M/M/c queue (../shared/reference/validation-data.md §4.1).
enum ErlangC {
  /// Probability that an arrival waits, computed through the Erlang B recursion to
  /// avoid overflow for large c.
  static func probabilityOfWaiting(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int) -> Double {
    let offered = lambda / mu
    var erlangB = 1.0
    for k in 1...c { erlangB = offered * erlangB / (Double(k) + offered * erlangB) }
    let rho = offered / Double(c)
    return erlangB / (1 - rho + rho * erlangB)
  }

  /// Mean wait in queue W_q = C(c, a) / (cμ − λ).
  static func meanWait(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int) -> Double {
    probabilityOfWaiting(arrivalRate: lambda, serviceRate: mu, servers: c) / (Double(c) * mu - lambda)
  }
}

@Suite("Runner pool against Erlang C")
struct ErlangCTests {
  @Test("the oracle reproduces the reference table")
  func oracle() {
    // Rows of validation-data.md §4.2.
    #expect(abs(ErlangC.meanWait(arrivalRate: 0.2, serviceRate: 0.1, servers: 3) - 4.44444) < 1e-4)
    #expect(abs(ErlangC.meanWait(arrivalRate: 0.2, serviceRate: 0.1, servers: 4) - 0.86957) < 1e-4)
    #expect(abs(ErlangC.meanWait(arrivalRate: 5, serviceRate: 10, servers: 2) - 0.006667) < 1e-5)
    #expect(abs(ErlangC.meanWait(arrivalRate: 8, serviceRate: 1, servers: 10) - 0.20459) < 1e-4)
    #expect(abs(ErlangC.probabilityOfWaiting(arrivalRate: 95, serviceRate: 1, servers: 100) - 0.50646) < 1e-4)
  }

  /// Runs the real World with only the runner pool for `customers` arrivals (on average).
  func simulatedWait(lambda: Double, mu: Double, servers: Int, customers: Double, seed: UInt64)
    -> RunnerPool.Statistics
  {
    let duration = SimDuration(seconds: customers / lambda)
    let configuration = WorldConfiguration(
      calendar: SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(1))!,
      seed: RandomSeed(root: seed),
      runnerPool: RunnerPoolConfiguration(
        runnerCount: servers,
        backgroundJobs: JobStream(
          arrivals: ArrivalProcess(ratePerHour: lambda * 3_600), duration: .exponential(mean: 1 / mu)),
        recordsJobRows: false))
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    _ = simulation.run(until: .zero + duration)
    return simulation.model.runnerPool!.statistics
  }

  @Test(
    "long-run mean wait agrees with Erlang C within 3 %",
    arguments: [
      // (λ, μ, c, customers): the reference rows of validation-data.md §4.2 at ρ ≤ 0.8.
      (0.2, 0.1, 3, 600_000.0), (0.2, 0.1, 4, 600_000.0), (5.0, 10.0, 2, 600_000.0), (8.0, 1.0, 10, 600_000.0),
    ] as [(Double, Double, Int, Double)])
  func meanWait(lambda: Double, mu: Double, servers: Int, customers: Double) {
    let expected = ErlangC.meanWait(arrivalRate: lambda, serviceRate: mu, servers: servers)
    let statistics = simulatedWait(lambda: lambda, mu: mu, servers: servers, customers: customers, seed: 2026)
    let observed = statistics.meanWaitSeconds!
    #expect(abs(observed - expected) / expected < 0.03, "W_q simulated \(observed), Erlang C \(expected)")
    let expectedWaiting = ErlangC.probabilityOfWaiting(arrivalRate: lambda, serviceRate: mu, servers: servers)
    #expect(abs(statistics.probabilityOfWaiting! - expectedWaiting) < 0.01)
  }
}
