import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs the chunks of a loop on the calling thread and on helper threads that live as
/// long as the loop object.
///
/// Why: a run is one event loop, but some of its steps are many independent pieces of
/// work (a traffic interval draws every service from the service's own random stream).
/// Those pieces may run on any thread in any order and still give the same numbers, as
/// long as each writes only its own slots and the caller merges the slots in a fixed
/// order afterwards. Results then do not depend on the thread count
/// (docs/ARCHITECTURE.md, "Threads inside a run").
///
/// How: ``start(chunks:_:)`` publishes a ticket (generation, chunk count, next chunk)
/// and wakes the helpers; every thread, the caller included, claims the next chunk
/// with one atomic add until none is left. The caller never waits for a helper that
/// has not started: chunks are claimed, not assigned, so a helper the scheduler runs
/// late finds nothing left and the caller has done its share. It waits only for
/// helpers inside a chunk. A step called about 1,500 times a simulated day costs a
/// lock, a broadcast when a helper sleeps, and these atomics.
///
/// ``finish()`` runs on the caller what the helpers have not taken, so the caller can
/// do other work in between.
///
/// Not reentrant: one loop at a time, started and finished from one thread.
public final class ChunkedLoop: @unchecked Sendable {
  /// The threads a loop uses, the caller included.
  public let threads: Int

  /// `generation << 40 | count << 20 | next`: one word, so that a claim sees the
  /// chunk count of the generation it claims from.
  private let ticket = Atomic<UInt64>(0)
  /// Helpers that may be inside a chunk (raised before a helper claims).
  private let helpersInside = Atomic<Int>(0)
  /// The body of the current generation: written before the ticket is published
  /// (release) and read after a successful claim (acquire).
  nonisolated(unsafe) private var body: ((Int) -> Void)?
  private var generation: UInt64 = 0

  // Guarded by `mutex`: how helpers sleep between generations.
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  nonisolated(unsafe) private var wakeGeneration: UInt64 = 0
  nonisolated(unsafe) private var sleepers = 0
  nonisolated(unsafe) private var stopping = false
  private var helperThreads: [pthread_t] = []

  private static let fieldBits: UInt64 = 20
  private static let fieldMask: UInt64 = (1 << fieldBits) - 1
  /// The most chunks one run may have (the ticket's 20-bit field).
  public static let maximumChunks = Int(fieldMask) - 64

  /// - Parameter threads: threads to use, the caller included (1: no helper thread;
  ///   ``finish()`` then runs every chunk).
  public init(threads: Int) {
    self.threads = max(1, threads)
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
    for _ in 1..<self.threads {
      let context = Unmanaged.passRetained(HelperContext(loop: self)).toOpaque()
      var thread = pthread_t()
      let created = pthread_create(&thread, nil, ChunkedLoop.helperEntry, context)
      if created == 0 {
        helperThreads.append(thread)
      } else {
        Unmanaged<HelperContext>.fromOpaque(context).release()
      }
    }
  }

  /// A helper thread's start: `raw` is a retained ``HelperContext``.
  private static let helperEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
    guard let raw else { return nil }
    let context = Unmanaged<HelperContext>.fromOpaque(raw).takeRetainedValue()
    context.loop._withUnsafeGuaranteedRef { $0.helperMain() }
    return nil
  }

  /// Holds the loop unretained: a helper must not keep its loop alive, or the loop
  /// would never be released and its helpers never stopped.
  private final class HelperContext {
    let loop: Unmanaged<ChunkedLoop>
    init(loop: ChunkedLoop) { self.loop = Unmanaged.passUnretained(loop) }
  }

  deinit {
    finish()
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(wake)
    pthread_mutex_unlock(mutex)
    for thread in helperThreads { pthread_join(thread, nil) }
    pthread_cond_destroy(wake)
    pthread_mutex_destroy(mutex)
    wake.deallocate()
    mutex.deallocate()
  }

  /// Whether chunks given to ``start(chunks:_:)`` may still be running.
  public private(set) var isStarted = false

  /// Hands `chunks` calls of `body` to the helpers and returns at once, so that this
  /// thread can do other work meanwhile; ``finish()`` runs what they have not taken
  /// and waits for the rest.
  ///
  /// Until ``finish()`` returns, `body` must write only what its chunk owns, and
  /// nothing may write what it reads (the caller included). Without helpers every
  /// chunk runs in ``finish()``.
  public func start(chunks: Int, _ body: @escaping (Int) -> Void) {
    precondition(!isStarted, "a chunked loop runs one loop at a time")
    precondition(chunks >= 0 && chunks <= Self.maximumChunks, "chunk count out of range")
    isStarted = true
    self.body = body
    generation &+= 1
    let fresh = (generation & ((1 << 24) - 1)) << (2 * Self.fieldBits) | UInt64(chunks) << Self.fieldBits
    ticket.store(fresh, ordering: .releasing)
    guard !helperThreads.isEmpty else { return }
    pthread_mutex_lock(mutex)
    wakeGeneration &+= 1
    if sleepers > 0 { pthread_cond_broadcast(wake) }
    pthread_mutex_unlock(mutex)
  }

  /// Runs the chunks of the last ``start(chunks:_:)`` that no helper has taken.
  ///
  /// Then waits for the helpers still inside one, and drops the body. Does nothing
  /// when nothing was started.
  public func finish() {
    guard isStarted, let body else { return }
    runClaimedChunks(body)
    // Every chunk is claimed; wait for helpers still inside one. A helper that
    // raises its count from here on finds nothing left to claim.
    var spins = 0
    while helpersInside.load(ordering: .acquiring) > 0 {
      spins += 1
      if spins > 64 { sched_yield() }
    }
    self.body = nil
    isStarted = false
  }

  /// Claims and runs chunks of the current ticket until none is left.
  private func runClaimedChunks(_ body: (Int) -> Void) {
    while let chunk = claimNextChunk() { body(chunk) }
  }

  /// The next chunk of the current ticket, or nil when every one is claimed.
  private func claimNextChunk() -> Int? {
    let claimed = ticket.add(1, ordering: .acquiringAndReleasing).oldValue
    let next = claimed & Self.fieldMask
    let count = (claimed >> Self.fieldBits) & Self.fieldMask
    return next < count ? Int(next) : nil
  }

  private func helperMain() {
    var seen: UInt64 = 0
    while true {
      pthread_mutex_lock(mutex)
      sleepers += 1
      while wakeGeneration == seen && !stopping { pthread_cond_wait(wake, mutex) }
      sleepers -= 1
      seen = wakeGeneration
      let stop = stopping
      pthread_mutex_unlock(mutex)
      if stop { return }
      helpersInside.add(1, ordering: .acquiringAndReleasing)
      // The body is read only after a claim succeeds, which orders it after the
      // caller's store of that generation's ticket.
      while let chunk = claimNextChunk(), let body { body(chunk) }
      helpersInside.subtract(1, ordering: .releasing)
    }
  }
}
