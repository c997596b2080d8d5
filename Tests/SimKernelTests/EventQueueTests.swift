import Testing

@testable import SimKernel

@Suite("Future-event list")
struct EventQueueTests {
  @Test("events come out in time order")
  func timeOrder() {
    var queue = EventQueue<Int>()
    for (index, time) in [50, 10, 40, 20, 30].enumerated() {
      queue.schedule(index, at: SimTime(microseconds: Int64(time)))
    }
    var times: [Int64] = []
    while let (time, _) = queue.popNext() { times.append(time.microseconds) }
    #expect(times == [10, 20, 30, 40, 50])
  }

  @Test("ties at the same time and priority run first-in first-out")
  func fifoTies() {
    var queue = EventQueue<Int>()
    for value in 0..<1_000 { queue.schedule(value, at: SimTime(microseconds: 7)) }
    var values: [Int] = []
    while let (_, value) = queue.popNext() { values.append(value) }
    #expect(values == Array(0..<1_000))
  }

  @Test("lower priority classes run first at the same time, FIFO within a class")
  func priorityClasses() {
    var queue = EventQueue<String>()
    queue.schedule("b1", at: SimTime(microseconds: 5), priority: 2)
    queue.schedule("a1", at: SimTime(microseconds: 5), priority: 1)
    queue.schedule("b2", at: SimTime(microseconds: 5), priority: 2)
    queue.schedule("early", at: SimTime(microseconds: 4), priority: 9)
    queue.schedule("a2", at: SimTime(microseconds: 5), priority: 1)
    var order: [String] = []
    while let (_, value) = queue.popNext() { order.append(value) }
    #expect(order == ["early", "a1", "a2", "b1", "b2"])
  }

  @Test("a cancelled event never runs and a stale handle cannot cancel a newer event")
  func cancellation() {
    var queue = EventQueue<String>()
    let completion = queue.schedule("completion", at: SimTime(microseconds: 100))
    queue.schedule("other", at: SimTime(microseconds: 50))
    #expect(queue.isPending(completion))
    let firstCancel = queue.cancel(completion)
    let secondCancel = queue.cancel(completion)
    #expect(firstCancel)
    #expect(!secondCancel, "cancelling twice reports false")
    #expect(queue.count == 1)
    // The freed slot is reused; the old handle must not touch the new event.
    let reused = queue.schedule("new", at: SimTime(microseconds: 200))
    let staleCancel = queue.cancel(completion)
    #expect(!staleCancel)
    #expect(queue.isPending(reused))
    var order: [String] = []
    while let (_, value) = queue.popNext() { order.append(value) }
    #expect(order == ["other", "new"])
  }

  @Test("matches a sorted reference under random schedules and cancellations", arguments: [1, 2, 3] as [UInt64])
  func randomisedAgainstReference(seed: UInt64) {
    var stream = RandomSeed(root: seed).stream("queue-test")
    var queue = EventQueue<Int>()
    var reference: [(time: Int64, order: Int, value: Int)] = []
    var handles: [(EventHandle, Int)] = []
    var nextValue = 0
    var popped: [Int] = []
    var expected: [Int] = []
    var now: Int64 = 0
    for _ in 0..<20_000 {
      let action = stream.nextInt(below: 10)
      if action < 6 {
        let time = now + Int64(stream.nextInt(below: 50))
        let handle = queue.schedule(nextValue, at: SimTime(microseconds: time))
        reference.append((time, nextValue, nextValue))
        handles.append((handle, nextValue))
        nextValue += 1
      } else if action < 8, !handles.isEmpty {
        let (handle, value) = handles.remove(at: stream.nextInt(below: handles.count))
        if queue.cancel(handle) { reference.removeAll { $0.value == value } }
      } else if let (time, value) = queue.popNext() {
        now = time.microseconds
        popped.append(value)
        reference.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        expected.append(reference.removeFirst().value)
        handles.removeAll { $0.1 == value }
      }
      queue.checkInvariants()
    }
    #expect(popped == expected)
    #expect(queue.count == reference.count)
  }

  @Test("mass cancellation compacts the heap and keeps order")
  func compaction() {
    var queue = EventQueue<Int>()
    var handles: [EventHandle] = []
    for value in 0..<10_000 { handles.append(queue.schedule(value, at: SimTime(microseconds: Int64(10_000 - value)))) }
    for (index, handle) in handles.enumerated() where index % 4 != 0 { queue.cancel(handle) }
    #expect(queue.count == 2_500)
    #expect(queue.heap.count < 10_000, "stale entries were compacted away")
    var last = Int64.min
    var seen = 0
    while let (time, value) = queue.popNext() {
      #expect(time.microseconds >= last)
      #expect(value % 4 == 0)
      last = time.microseconds
      seen += 1
    }
    #expect(seen == 2_500)
  }
}

@Suite("Run loop")
struct SimulationTests {
  struct Ticker: SimulationModel {
    var handled: [Int64] = []
    mutating func handle(_ event: Int, scheduler: inout Scheduler<Int>) {
      handled.append(scheduler.now.microseconds)
      scheduler.schedule(event, after: .seconds(1))
    }
  }

  @Test("stops at the end time; an event exactly at the end does not run")
  func stopsAtEnd() {
    var simulation = Simulation(model: Ticker())
    simulation.scheduler.schedule(0, at: .zero)
    let outcome = simulation.run(until: SimTime.zero + .seconds(10))
    #expect(outcome.reason == .reachedEndTime)
    #expect(outcome.finalTime == SimTime.zero + .seconds(10))
    #expect(simulation.model.handled.count == 10)
    #expect(simulation.model.handled.last == 9_000_000)
  }

  @Test("the event-count guard stops the run and says so")
  func eventLimit() {
    var simulation = Simulation(model: Ticker())
    simulation.scheduler.schedule(0, at: .zero)
    let outcome = simulation.run(until: SimTime.zero + .days(1), limits: RunLimits(maxEvents: 100))
    #expect(outcome.reason == .eventLimit(100))
    #expect(outcome.eventCount == 100)
    #expect(!outcome.reason.coveredWindow)
    #expect(outcome.reason.explanation.contains("maxEvents"))
  }

  @Test("the wall-clock guard stops the run cleanly")
  func wallClockLimit() {
    var simulation = Simulation(model: Ticker())
    simulation.scheduler.schedule(0, at: .zero)
    var calls = 0.0
    let outcome = simulation.run(
      until: SimTime.zero + .days(365), limits: RunLimits(maxWallSeconds: 2),
      wallClockSeconds: {
        calls += 1
        return calls  // one "second" per check
      })
    #expect(outcome.reason == .wallClockLimit(seconds: 2))
    #expect(outcome.eventCount == 256 * 3)
  }

  @Test("an empty queue ends the run at the end time")
  func noMoreEvents() {
    var simulation = Simulation(model: Ticker())
    let outcome = simulation.run(until: SimTime.zero + .hours(1))
    #expect(outcome.reason == .noMoreEvents)
    #expect(outcome.reason.coveredWindow)
    #expect(outcome.finalTime == SimTime.zero + .hours(1))
  }
}
