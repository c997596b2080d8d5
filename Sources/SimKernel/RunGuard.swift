#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The guards of the run going on on this thread, for loops that can run long inside one
/// event (arrival thinning, a scheduling pass, a traffic interval).
///
/// The run loop checks its limits between events; a loop inside one event never returns
/// to it, so such a loop polls ``pollInnerLoop(_:)`` and, when a limit has fired, gives up
/// early (an arrival process returns no further arrival). The run loop then sees
/// ``tripped`` after the event and stops with that reason. Results never depend on the
/// guard unless it stops the run, which is recorded (`stopped`, with the reason).
///
/// Runs execute one per thread (replications run in parallel on their own threads), so
/// the current guard is thread-local.
public final class RunGuard {
  /// The reason a limit fired, once it has.
  public private(set) var tripped: StopReason?
  private let check: () -> StopReason?

  /// A guard that asks `check` whether a limit has fired.
  public init(check: @escaping () -> StopReason?) { self.check = check }

  /// Whether the run must stop: a limit fired now or before.
  public func shouldStop() -> Bool {
    if tripped != nil { return true }
    tripped = check()
    return tripped != nil
  }

  /// The guard of the run on this thread, if any.
  public static var current: RunGuard? {
    pthread_getspecific(currentGuardKey).map { Unmanaged<RunGuard>.fromOpaque($0).takeUnretainedValue() }
  }

  /// Runs `body` with `runGuard` as this thread's current guard.
  public static func withCurrent<T>(_ runGuard: RunGuard, _ body: () throws -> T) rethrows -> T {
    let previous = pthread_getspecific(currentGuardKey)
    pthread_setspecific(currentGuardKey, Unmanaged.passUnretained(runGuard).toOpaque())
    defer { pthread_setspecific(currentGuardKey, previous) }
    return try body()
  }

  /// For a loop that may run long inside one event: `true` when the loop must give up.
  ///
  /// Checks the limits every 4,096 iterations, so it costs nothing measurable.
  @inlinable public static func pollInnerLoop(_ iteration: Int) -> Bool {
    guard iteration & 0xFFF == 0, iteration > 0 else { return false }
    return current?.shouldStop() ?? false
  }
}

private let currentGuardKey: pthread_key_t = {
  var key = pthread_key_t()
  pthread_key_create(&key, nil)
  return key
}()
