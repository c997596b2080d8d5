import Testing

@testable import SimKernel

/// The future-event list's contract: order by (time, priority class, insertion
/// sequence), FIFO ties, and cancellation that never touches another event.
@Suite("Future-event list, kernel fast paths") struct EventQueueKernelTests {
  @Test func popsInTimeOrderWithFIFOTiesAndPriorityClasses() {
    var queue = EventQueue<String>()
    queue.schedule("late", at: SimTime(microseconds: 30))
    queue.schedule("tie-1", at: SimTime(microseconds: 20))
    queue.schedule("urgent", at: SimTime(microseconds: 20), priority: 0)
    queue.schedule("background", at: SimTime(microseconds: 20), priority: 5)
    queue.schedule("tie-2", at: SimTime(microseconds: 20))
    queue.schedule("early", at: SimTime(microseconds: 10))
    var order: [String] = []
    while let (_, payload) = queue.popNext() { order.append(payload) }
    #expect(order == ["early", "tie-1", "urgent", "tie-2", "background", "late"])
  }

  @Test func cancelledEventsNeverRunAndStaleHandlesCannotCancelNewEvents() {
    var queue = EventQueue<Int>()
    let first = queue.schedule(1, at: SimTime(microseconds: 5))
    queue.schedule(2, at: SimTime(microseconds: 6))
    let cancelled = queue.cancel(first)
    let cancelledTwice = queue.cancel(first)
    #expect(cancelled)
    #expect(!cancelledTwice)
    #expect(!queue.isPending(first))
    #expect(queue.count == 1)
    // The freed slot is reused; the old handle must not reach the new event.
    let third = queue.schedule(3, at: SimTime(microseconds: 4))
    let cancelledStale = queue.cancel(first)
    #expect(!cancelledStale)
    #expect(queue.isPending(third))
    #expect(queue.nextTime() == SimTime(microseconds: 4))
    #expect(queue.popNext()?.payload == 3)
    #expect(!queue.isPending(third))
    #expect(queue.popNext()?.payload == 2)
    #expect(queue.popNext() == nil)
    #expect(queue.isEmpty)
  }

  @Test func compactionAfterManyCancellationsKeepsOrder() {
    var queue = EventQueue<Int>()
    var handles: [EventHandle] = []
    for index in 0..<3_000 {
      handles.append(queue.schedule(index, at: SimTime(microseconds: Int64(3_000 - index / 2))))
    }
    // Cancel two of every three: enough stale entries to trigger compaction.
    for (index, handle) in handles.enumerated() where index % 3 != 0 { queue.cancel(handle) }
    #expect(queue.staleEntryCount < 1_000)
    #expect(queue.count == 1_000)
    queue.checkInvariants()
    var popped: [Int] = []
    while let (_, payload) = queue.popNext() { popped.append(payload) }
    let expected = (0..<3_000).filter { $0 % 3 == 0 }.sorted { (3_000 - $0 / 2, $0) < (3_000 - $1 / 2, $1) }
    #expect(popped == expected)
  }

  /// Random schedules, cancels and pops against a sorted-array oracle, through
  /// thousands of cancellations so that compaction runs too.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func matchesASortedListOracle(seed: UInt64) {
    var stream = RandomSeed(root: seed).stream("event-queue-test")
    var queue = EventQueue<Int>()
    // Oracle: (time, priority, sequence, id), kept sorted on demand.
    var oracle: [(time: Int64, priority: UInt8, sequence: Int, id: Int)] = []
    var handles: [Int: EventHandle] = [:]
    var now: Int64 = 0
    var nextID = 0
    for _ in 0..<40_000 {
      let action = stream.nextInt(below: 10)
      if action < 5 {
        let time = now + Int64(stream.nextInt(below: 50))
        let priority = UInt8(stream.nextInt(below: 3))
        handles[nextID] = queue.schedule(nextID, at: SimTime(microseconds: time), priority: priority)
        oracle.append((time, priority, nextID, nextID))
        nextID += 1
      } else if action < 8 {
        guard !oracle.isEmpty else { continue }
        let victim = oracle.remove(at: stream.nextInt(below: oracle.count))
        guard let handle = handles.removeValue(forKey: victim.id) else {
          Issue.record("no handle for \(victim.id)")
          return
        }
        let cancelled = queue.cancel(handle)
        #expect(cancelled)
      } else {
        oracle.sort { ($0.time, $0.priority, $0.sequence) < ($1.time, $1.priority, $1.sequence) }
        let expected = oracle.first
        if !oracle.isEmpty { oracle.removeFirst() }
        let popped = queue.popNext()
        #expect(popped?.payload == expected?.id)
        #expect(popped?.time.microseconds == expected?.time)
        if let popped {
          now = popped.time.microseconds
          handles[popped.payload] = nil
        }
      }
      #expect(queue.count == oracle.count)
    }
    queue.checkInvariants()
  }
}

/// The run loop's stop reasons and its event counting.
@Suite("Run loop, kernel fast paths") struct SimulationKernelTests {
  struct Ticker: SimulationModel {
    var handled: [Int] = []
    mutating func handle(_ event: Int, scheduler: inout Scheduler<Int>) {
      handled.append(event)
      if event < 5 { scheduler.schedule(event + 1, after: .seconds(1)) }
    }
  }

  @Test func stopsAtTheEndTimeWithoutRunningEventsAtIt() {
    var simulation = Simulation(model: Ticker())
    simulation.scheduler.schedule(0, at: .zero)
    let outcome = simulation.run(until: SimTime.zero + .seconds(3))
    #expect(outcome.reason == .reachedEndTime)
    #expect(simulation.model.handled == [0, 1, 2])
    #expect(outcome.eventCount == 3)
    #expect(simulation.scheduler.now == SimTime.zero + .seconds(3))
  }

  @Test func reportsNoMoreEventsAndTheEventLimit() {
    var simulation = Simulation(model: Ticker())
    simulation.scheduler.schedule(0, at: .zero)
    let limited = simulation.run(until: .never, limits: RunLimits(maxEvents: 2))
    #expect(limited.reason == .eventLimit(2))
    #expect(limited.finalTime == SimTime.zero + .seconds(1))
    let rest = simulation.run(until: SimTime.zero + .seconds(100), limits: RunLimits())
    #expect(rest.reason == .noMoreEvents)
    #expect(simulation.model.handled == [0, 1, 2, 3, 4, 5])
    #expect(simulation.eventCount == 6)
  }
}
