import Testing

@testable import SimKernel

/// The run's limits hold inside long single-event loops and on the model's own memory
/// accounting (issue 20).
@Suite("Run guards")
struct RunGuardTests {
  /// A model that keeps 100 bytes per event it handles.
  struct Hoarder: SimulationModel {
    var kept = 0
    var retainedBytes: Int { kept * 100 }
    mutating func handle(_ event: Int, scheduler: inout Scheduler<Int>) {
      kept += 1
      scheduler.schedule(event, after: .seconds(1))
    }
  }

  @Test("the memory guard stops the run within 1 % of the limit, on the model's accounting")
  func memoryLimit() {
    var simulation = Simulation(model: Hoarder())
    simulation.scheduler.schedule(0, at: .zero)
    let limit = 10 << 20
    let outcome = simulation.run(until: SimTime.zero + .days(3_650), limits: RunLimits(maxMemoryBytes: limit))
    #expect(outcome.reason == .memoryLimit(bytes: limit))
    #expect(!outcome.reason.coveredWindow)
    #expect(outcome.reason.explanation.contains("maxMemoryGiB"))
    let held = simulation.model.retainedBytes
    #expect(held > limit && Double(held) < Double(limit) * 1.01)
  }

  @Test("arrival thinning across hours of factor 0 gives up when the run's guard fires")
  func thinningPollsTheGuard() throws {
    let calendar = try #require(SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(2)))
    // One candidate per microsecond, accepted only in hour 23: ~8e10 candidates from midnight.
    let process = ArrivalProcess(
      ratePerHour: 3_600_000_000, profile: RateProfile(hourOfDay: Array(repeating: 0, count: 23) + [1]))
    var stream = RandomStream(state: (1, 2, 3, 4))
    var checks = 0
    let runGuard = RunGuard {
      checks += 1
      return checks >= 3 ? .wallClockLimit(seconds: 1) : nil
    }
    let next = RunGuard.withCurrent(runGuard) {
      process.nextArrival(after: .zero, calendar: calendar, stream: &stream)
    }
    #expect(next == nil)
    #expect(runGuard.tripped == .wallClockLimit(seconds: 1))
    #expect(checks == 3)
  }

  @Test("without a guard installed, a thinning search that succeeds is unchanged")
  func thinningWithoutGuard() throws {
    let calendar = try #require(SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(2)))
    let process = ArrivalProcess(ratePerHour: 60, profile: RateProfile(hourOfDay: Array(repeating: 0, count: 23) + [1]))
    var stream = RandomStream(state: (1, 2, 3, 4))
    let next = try #require(process.nextArrival(after: .zero, calendar: calendar, stream: &stream))
    #expect(next >= SimTime.zero + .hours(23))
  }

  @Test("a ring buffer's peak bytes include the copy of its next growth when appends would fill it")
  func ringBufferPeak() {
    var buffer = RingBuffer<Int64>(capacity: 8)
    let stride = MemoryLayout<Int64?>.stride
    #expect(buffer.peakBytes(afterAppending: 8) == 8 * stride)
    #expect(buffer.peakBytes(afterAppending: 9) == 3 * 8 * stride, "old 8 and new 16 slots during the copy")
    for value in 0..<9 { buffer.append(Int64(value)) }
    #expect(buffer.peakBytes(afterAppending: 0) == 16 * stride)
    _ = buffer.popFirst()
    #expect((0..<8).map { buffer[offset: $0] } == Array(1...8), "read in order without a copy")
  }
}
