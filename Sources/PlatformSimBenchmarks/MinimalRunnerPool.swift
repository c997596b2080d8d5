import SimKernel

/// The runner pool's queue written as plainly as Swift allows: the floor for the
/// runner-pool benchmark, printed beside it.
///
/// No World, no payload table, no cancellation, no statistics beyond the mean wait:
/// a ``ReferenceHeap`` of departures and arrivals, a count of idle runners and a FIFO
/// of waiting jobs. It draws from the same named streams in the same order as
/// `RunnerPool` and breaks ties the same way, so it must finish the same customers
/// with the same mean wait — which checks ours — and its rate shows how much of the
/// SimPy target is left to a framework at all.
struct MinimalRunnerPool {
  var arrivals: RandomStream
  var durations: RandomStream
  var heap = ReferenceHeap()
  /// Insertions so far.
  ///
  /// A heap entry's sequence is this counter shifted left with
  /// the event kind in the lowest bit (1 = arrival), so ties stay first-in first-out.
  var insertions: UInt64 = 0
  var idleRunners = RunnerPoolBenchmark.runnerCount
  var waiting = RingBuffer<(queuedAt: Int64, durationTicks: Int64)>(capacity: 64)
  var started = 0
  var finished = 0
  var totalWaitSeconds = 0.0
  let meanGapSeconds = 1 / RunnerPoolBenchmark.arrivalRatePerSecond

  init(seed: RandomSeed) {
    arrivals = seed.stream("runner-pool/background-arrivals")
    durations = seed.stream("runner-pool/background-durations")
  }

  /// One run to the window that `customers` expected arrivals fill; only the loop is timed.
  static func run(customers: Int, seed: RandomSeed) -> (
    seconds: Double, customersFinished: Int, meanWaitSeconds: Double
  ) {
    let endTicks = SimDuration(seconds: Double(customers) / RunnerPoolBenchmark.arrivalRatePerSecond).microseconds
    var pool = MinimalRunnerPool(seed: seed)
    let seconds = measureSeconds { pool.run(untilTicks: endTicks) }
    return (seconds, pool.finished, pool.started > 0 ? pool.totalWaitSeconds / Double(pool.started) : .nan)
  }

  mutating func run(untilTicks endTicks: Int64) {
    push(at: nextArrivalGap(), isArrival: true)
    while let event = heap.popMin(), event.time < endTicks {
      let now = event.time
      if event.sequence & 1 == 1 {
        let durationTicks = SimDuration(
          seconds: max(0, durations.exponential(mean: RunnerPoolBenchmark.meanServiceSeconds))
        ).microseconds
        if idleRunners > 0 {
          idleRunners -= 1
          started += 1
          push(at: now &+ durationTicks, isArrival: false)
        } else {
          waiting.append((now, durationTicks))
        }
        push(at: now &+ nextArrivalGap(), isArrival: true)
      } else {
        finished += 1
        if let next = waiting.popFirst() {
          started += 1
          totalWaitSeconds += SimDuration(microseconds: now - next.queuedAt).seconds
          push(at: now &+ next.durationTicks, isArrival: false)
        } else {
          idleRunners += 1
        }
      }
    }
  }

  mutating func nextArrivalGap() -> Int64 {
    SimDuration(seconds: arrivals.exponential(mean: meanGapSeconds)).microseconds
  }

  mutating func push(at time: Int64, isArrival: Bool) {
    heap.push(.init(time: time, sequence: insertions << 1 | (isArrival ? 1 : 0)))
    insertions += 1
  }
}
