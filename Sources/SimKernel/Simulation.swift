/// Where a model schedules its next events; handed to the model for each event it handles.
///
/// It owns the clock and the future-event list. Models never move the clock
/// themselves: time advances only when the run loop pops the next event.
public struct Scheduler<Event> {
  /// The current simulated time.
  @inlinable public var now: SimTime { currentTime }
  @usableFromInline var currentTime: SimTime = .zero
  @usableFromInline var queue = EventQueue<Event>()

  public init() {}

  /// Schedules `event` after `delay` (zero or more).
  @inlinable @discardableResult
  public mutating func schedule(_ event: Event, after delay: SimDuration, priority: UInt8 = 0)
    -> EventHandle
  {
    precondition(delay.microseconds >= 0, "negative delay \(delay): events cannot be scheduled in the past")
    return queue.schedule(event, at: now + delay, priority: priority)
  }

  /// Schedules `event` at an absolute time not earlier than ``now``.
  @inlinable @discardableResult
  public mutating func schedule(_ event: Event, at time: SimTime, priority: UInt8 = 0)
    -> EventHandle
  {
    precondition(time >= now, "event at \(time) is before now (\(now))")
    return queue.schedule(event, at: time, priority: priority)
  }

  /// Cancels a pending event; `false` if it already ran or was cancelled.
  @inlinable @discardableResult
  public mutating func cancel(_ handle: EventHandle) -> Bool { queue.cancel(handle) }

  /// Whether the event behind `handle` has yet to run.
  @inlinable public func isPending(_ handle: EventHandle) -> Bool { queue.isPending(handle) }

  /// Events waiting to run.
  @inlinable public var pendingCount: Int { queue.count }

  @inlinable mutating func advance(to time: SimTime) { currentTime = time }
}

/// A model driven by the run loop: it reacts to one event at a time.
public protocol SimulationModel {
  associatedtype Event
  /// Handles `event` at `scheduler.now`, scheduling any follow-up events.
  mutating func handle(_ event: Event, scheduler: inout Scheduler<Event>)
  /// Whether the model cannot go on (e.g. a policy it consults failed); checked after
  /// every event, so it must be a cheap stored flag.
  var cannotContinue: Bool { get }
  /// Bytes the model holds in what grows with a run (rows kept until the end, queues,
  /// series), by its own accounting; checked against ``RunLimits/maxMemoryBytes`` with
  /// the wall clock.
  var retainedBytes: Int { get }
}

extension SimulationModel {
  public var cannotContinue: Bool { false }
  public var retainedBytes: Int { 0 }
}

/// Events dispatched between two looks at the limits (wall clock, interrupts, memory).
///
/// A power of two, so the test is a mask. A model that accounts memory for
/// ``SimulationModel/retainedBytes`` includes what these events may still add.
public let eventsBetweenLimitChecks = 256

/// Guards that stop a run cleanly before it exhausts the machine.
public struct RunLimits: Sendable, Equatable {
  /// Most events to dispatch; `nil` for no limit.
  public var maxEvents: Int?
  /// Most wall-clock seconds to spend; `nil` for no limit.
  public var maxWallSeconds: Double?
  /// Most bytes the model may hold by its own accounting (``SimulationModel/retainedBytes``
  /// plus the future-event list); `nil` for no limit.
  public var maxMemoryBytes: Int?

  public init(maxEvents: Int? = nil, maxWallSeconds: Double? = nil, maxMemoryBytes: Int? = nil) {
    self.maxEvents = maxEvents
    self.maxWallSeconds = maxWallSeconds
    self.maxMemoryBytes = maxMemoryBytes
  }
}

/// Why a run ended.
public enum StopReason: Equatable, Sendable {
  /// The simulated window was fully covered.
  case reachedEndTime
  /// Nothing was left to happen before the end time.
  case noMoreEvents
  /// The event-count guard fired.
  case eventLimit(Int)
  /// The wall-clock guard fired.
  case wallClockLimit(seconds: Double)
  /// The memory guard fired (the model's own accounting, ``RunLimits/maxMemoryBytes``).
  case memoryLimit(bytes: Int)
  /// The user or the system asked the run to stop (SIGINT, SIGTERM).
  case interrupted
  /// The model could not go on (``SimulationModel/cannotContinue``).
  case modelFailed

  /// Whether the run covered its whole window (`completed`) or was cut short (`stopped`).
  public var coveredWindow: Bool {
    switch self {
    case .reachedEndTime, .noMoreEvents: return true
    case .eventLimit, .wallClockLimit, .memoryLimit, .interrupted, .modelFailed: return false
    }
  }

  /// A sentence for the run summary and the `runs.stop_reason` column.
  public var explanation: String {
    switch self {
    case .reachedEndTime: return "reached the end of the simulated window"
    case .noMoreEvents: return "no events were left before the end of the window"
    case .eventLimit(let limit): return "stopped after the event limit of \(limit) events (limits.maxEvents)"
    case .wallClockLimit(let seconds):
      return "stopped after the wall-clock limit of \(seconds) s (limits.maxWallSeconds)"
    case .memoryLimit(let bytes):
      // The setting as written: whole bytes lose a few parts in 10^9 of `0.02`.
      let gibibytes = (Double(bytes) / 1_073_741_824 * 1e6).rounded() / 1e6
      return "stopped at the memory limit of \(gibibytes) GiB held by the model (limits.maxMemoryGiB)"
    case .interrupted: return "interrupted (SIGINT or SIGTERM) before the end of the window"
    case .modelFailed: return "the model could not go on (see the run's error message)"
    }
  }
}

/// What a finished run loop reports.
public struct RunOutcome: Equatable, Sendable {
  public var reason: StopReason
  /// Simulated time reached: the end time, or the time of the last event if stopped early.
  public var finalTime: SimTime
  public var eventCount: Int

  @inlinable init(reason: StopReason, finalTime: SimTime, eventCount: Int) {
    self.reason = reason
    self.finalTime = finalTime
    self.eventCount = eventCount
  }
}

/// The run loop: pops events in order and hands them to the model until the end time.
///
/// Single-threaded and synchronous by design: parallelism belongs to replications,
/// each with its own `Simulation` (../shared/reference/engine-and-style.md §3.1).
public struct Simulation<Model: SimulationModel> {
  public var model: Model
  public var scheduler = Scheduler<Model.Event>()
  /// Events dispatched so far.
  @inlinable public var eventCount: Int { dispatchedCount }
  @usableFromInline var dispatchedCount = 0

  public init(model: Model) { self.model = model }

  /// Runs until `endTime` (events at exactly `endTime` do not run) or a limit fires.
  ///
  /// `@inlinable` so that it is specialised for the caller's model: called as an
  /// unspecialised generic from another module, every event went through witness
  /// tables and boxed payloads, about 10× slower (docs/PERFORMANCE.md).
  ///
  /// - Parameters:
  ///   - endTime: the end of the simulated window.
  ///   - limits: event-count and wall-clock guards.
  ///   - wallClockSeconds: reads elapsed wall time; consulted every `eventsBetweenLimitChecks` events so
  ///     the guard costs nothing measurable. Only the guard reads it: results never
  ///     depend on the wall clock unless the guard stops the run, which is recorded.
  ///   - interruptRequested: polled with the wall clock; `true` stops the run cleanly.
  ///   - onProgress: called about every 65,536 events with the current time.
  @inlinable
  public mutating func run(
    until endTime: SimTime,
    limits: RunLimits = RunLimits(),
    wallClockSeconds: () -> Double = { 0 },
    interruptRequested: () -> Bool = { false },
    onProgress: ((SimTime, Int) -> Void)? = nil
  ) -> RunOutcome {
    let maxEvents = limits.maxEvents ?? .max
    return withoutActuallyEscaping(wallClockSeconds) { wallClockSeconds in
      withoutActuallyEscaping(interruptRequested) { interruptRequested in
        let runGuard = RunGuard {
          if interruptRequested() { return .interrupted }
          if let maxWall = limits.maxWallSeconds, wallClockSeconds() > maxWall {
            return .wallClockLimit(seconds: maxWall)
          }
          return nil
        }
        return RunGuard.withCurrent(runGuard) {
          loop(
            until: endTime, maxEvents: maxEvents, maxMemoryBytes: limits.maxMemoryBytes, runGuard: runGuard,
            onProgress: onProgress)
        }
      }
    }
  }

  @inlinable
  mutating func loop(
    until endTime: SimTime, maxEvents: Int, maxMemoryBytes: Int?, runGuard: RunGuard,
    onProgress: ((SimTime, Int) -> Void)?
  ) -> RunOutcome {
    // The future-event list's share: a heap entry and a payload slot per pending event.
    let bytesPerEvent = MemoryLayout<Model.Event>.stride + 32
    while true {
      // One look at the head serves both the end-of-window test and the dispatch.
      guard let head = scheduler.queue.liveHead() else {
        scheduler.advance(to: max(scheduler.now, endTime))
        return RunOutcome(reason: .noMoreEvents, finalTime: scheduler.now, eventCount: dispatchedCount)
      }
      let time = SimTime(microseconds: head.time)
      if time >= endTime {
        scheduler.advance(to: endTime)
        return RunOutcome(reason: .reachedEndTime, finalTime: endTime, eventCount: dispatchedCount)
      }
      if dispatchedCount >= maxEvents {
        return RunOutcome(reason: .eventLimit(maxEvents), finalTime: scheduler.now, eventCount: dispatchedCount)
      }
      if dispatchedCount & (eventsBetweenLimitChecks - 1) == 0, dispatchedCount > 0 {
        if runGuard.shouldStop(), let reason = runGuard.tripped {
          return RunOutcome(reason: reason, finalTime: scheduler.now, eventCount: dispatchedCount)
        }
        if let maxMemoryBytes, model.retainedBytes + scheduler.pendingCount * bytesPerEvent > maxMemoryBytes {
          return RunOutcome(
            reason: .memoryLimit(bytes: maxMemoryBytes), finalTime: scheduler.now, eventCount: dispatchedCount)
        }
        if dispatchedCount & 65535 == 0 { onProgress?(scheduler.now, dispatchedCount) }
      }
      let event = scheduler.queue.removeLiveHead(head)
      scheduler.advance(to: time)
      dispatchedCount += 1
      model.handle(event, scheduler: &scheduler)
      if model.cannotContinue {
        return RunOutcome(reason: .modelFailed, finalTime: scheduler.now, eventCount: eventCount)
      }
      // A limit that fired inside the event (``RunGuard/pollInnerLoop(_:)``).
      if let reason = runGuard.tripped {
        return RunOutcome(reason: reason, finalTime: scheduler.now, eventCount: dispatchedCount)
      }
    }
  }
}
