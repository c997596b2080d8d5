import SimKernel

/// The kernel's throughput on the classic hold model, beside a minimal reference heap.
///
/// The hold model (Jones 1986, "An empirical comparison of priority-queue and
/// event-set implementations", CACM 29(4)) keeps N events pending and repeats
/// "take the earliest, schedule one more at now + Exp(1 s)". It measures schedule
/// plus dispatch and nothing else. Ours runs through the real `Simulation`, `Scheduler`
/// and `EventQueue`; the reference is the plainest fast Swift heap (see
/// ``ReferenceHeap``) doing the same work with the same random numbers, so the ratio
/// says what our kernel's features (priority classes, cancellation, payload slab,
/// run-loop guards) cost. Both must end at the same simulated time, which checks
/// that they popped the same events in the same order.
enum KernelHoldBenchmark {
  /// Runs ours and the reference alternately, `repetitions` times each.
  static func run(pendingCount: Int, iterations: Int, repetitions: Int) -> BenchmarkResult {
    let seed = RandomSeed(root: 20_261_127)
    var oursRates: [Double] = []
    var referenceRates: [Double] = []
    var notes: [String] = []
    for _ in 0..<repetitions {
      let ours = holdOurs(pendingCount: pendingCount, iterations: iterations, seed: seed)
      let reference = holdReference(pendingCount: pendingCount, iterations: iterations, seed: seed)
      oursRates.append(Double(iterations) / ours.seconds)
      referenceRates.append(Double(iterations) / reference.seconds)
      if ours.finalTicks != reference.finalTicks, notes.isEmpty {
        notes.append(
          "MISMATCH: ours ended at \(ours.finalTicks) µs, the reference at \(reference.finalTicks) µs: "
            + "the two did not dispatch the same events in the same order")
      }
    }
    if notes.isEmpty {
      notes.append(
        "\(iterations) pop+schedule per repetition after prefilling \(pendingCount); "
          + "both ended at the same simulated time (same events, same order)")
    }
    return BenchmarkResult(
      name: "kernel-hold-\(pendingCount)", title: "Kernel hold model, \(pendingCount) pending", unit: "events/s",
      oursSamples: oursRates, peerName: "reference heap", peerSamples: referenceRates, target: .ratioAtLeast(0.8),
      notes: notes)
  }

  /// A trivial event that still carries a value, so the payload slab is really used.
  struct HoldEvent {
    var entity: Int32
  }

  /// Reschedules every event it receives after an Exp(1 s) delay.
  struct HoldModel: SimulationModel {
    var stream: RandomStream

    mutating func handle(_ event: HoldEvent, scheduler: inout Scheduler<HoldEvent>) {
      scheduler.schedule(event, after: SimDuration(seconds: stream.exponential(mean: 1)))
    }
  }

  /// The hold model through the real run loop; times only the `iterations` events.
  static func holdOurs(pendingCount: Int, iterations: Int, seed: RandomSeed) -> (seconds: Double, finalTicks: Int64) {
    var simulation = Simulation(model: HoldModel(stream: seed.stream("kernel-hold")))
    for entity in 0..<pendingCount {
      let time = SimTime.zero + SimDuration(seconds: simulation.model.stream.exponential(mean: 1))
      simulation.scheduler.schedule(HoldEvent(entity: Int32(truncatingIfNeeded: entity)), at: time)
    }
    var outcome: RunOutcome?
    let seconds = measureSeconds {
      outcome = simulation.run(until: .never, limits: RunLimits(maxEvents: iterations))
    }
    precondition(outcome?.eventCount == iterations, "the hold model stopped early: \(String(describing: outcome))")
    return (seconds, outcome?.finalTime.microseconds ?? -1)
  }

  /// The same work on ``ReferenceHeap``: same stream, same draws, same tie order.
  static func holdReference(pendingCount: Int, iterations: Int, seed: RandomSeed) -> (
    seconds: Double, finalTicks: Int64
  ) {
    var stream = seed.stream("kernel-hold")
    var heap = ReferenceHeap()
    var sequence: UInt64 = 0
    for _ in 0..<pendingCount {
      heap.push(.init(time: SimDuration(seconds: stream.exponential(mean: 1)).microseconds, sequence: sequence))
      sequence &+= 1
    }
    var now: Int64 = 0
    let seconds = measureSeconds {
      for _ in 0..<iterations {
        guard let head = heap.popMin() else { break }
        now = head.time
        let delay = SimDuration(seconds: stream.exponential(mean: 1)).microseconds
        heap.push(.init(time: now &+ delay, sequence: sequence))
        sequence &+= 1
      }
    }
    return (seconds, now)
  }
}

/// The reference for the kernel benchmark: the plainest fast binary heap in Swift.
///
/// A 2-ary implicit min-heap of 16-byte (time, sequence) values in a
/// `ContiguousArray`, sifted with a hole over `withUnsafeMutableBufferPointer` — the
/// shape that matched C on this machine (../shared/reference/engine-and-style.md
/// §1.2). It has no payloads, priority classes, cancellation or run loop: it is the
/// floor our kernel is measured against, not an alternative to it.
struct ReferenceHeap {
  struct Entry {
    var time: Int64
    var sequence: UInt64

    @inline(__always) func precedes(_ other: Entry) -> Bool {
      time < other.time || (time == other.time && sequence < other.sequence)
    }
  }

  var storage = ContiguousArray<Entry>()

  mutating func push(_ entry: Entry) {
    storage.append(entry)
    storage.withUnsafeMutableBufferPointer { buffer in
      var hole = buffer.count - 1
      while hole > 0 {
        let parent = (hole - 1) >> 1
        if !entry.precedes(buffer[parent]) { break }
        buffer[hole] = buffer[parent]
        hole = parent
      }
      buffer[hole] = entry
    }
  }

  mutating func popMin() -> Entry? {
    guard let first = storage.first else { return nil }
    let last = storage.removeLast()
    if storage.isEmpty { return first }
    storage.withUnsafeMutableBufferPointer { buffer in
      let count = buffer.count
      var hole = 0
      while true {
        var child = 2 * hole + 1
        if child >= count { break }
        if child + 1 < count && buffer[child + 1].precedes(buffer[child]) { child += 1 }
        if !buffer[child].precedes(last) { break }
        buffer[hole] = buffer[child]
        hole = child
      }
      buffer[hole] = last
    }
    return first
  }
}

/// Wall-clock seconds taken by `body`, from the monotonic clock.
func measureSeconds(_ body: () -> Void) -> Double {
  let clock = ContinuousClock()
  let elapsed = clock.measure(body)
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
