import Synchronization
import Testing

@testable import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ``ChunkedLoop``: every chunk runs exactly once per call, on the caller and the
/// helpers, whatever the thread count; one thread is a plain loop.
@Suite struct ChunkedLoopTests {
  /// Loops started and finished back to back (as a run's intervals are), each chunk adding its
  /// index to its own slot: a chunk run twice or skipped shows in the sums.
  @Test(arguments: [1, 2, 3, 4])
  func everyChunkRunsOncePerCall(threads: Int) {
    let loop = ChunkedLoop(threads: threads)
    #expect(loop.threads == threads)
    let chunks = 37
    let slots = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
    slots.initialize(repeating: 0, count: chunks)
    defer { slots.deallocate() }
    let calls = 5_000
    for call in 0..<calls {
      // Chunk counts vary as services come and go: 0, 1 and more than the threads.
      let count = call % 10 == 0 ? call % 3 : chunks
      loop.start(chunks: count) { chunk in slots[chunk] += chunk + 1 }
      loop.finish()
    }
    let fullCalls = (0..<calls).filter { $0 % 10 != 0 }.count
    let partialOnes = (0..<calls).filter { $0 % 10 == 0 && $0 % 3 >= 1 }.count
    let partialTwos = (0..<calls).filter { $0 % 10 == 0 && $0 % 3 == 2 }.count
    for chunk in 0..<chunks {
      let extra = chunk == 0 ? partialOnes : chunk == 1 ? partialTwos : 0
      #expect(slots[chunk] == (fullCalls + extra) * (chunk + 1), "chunk \(chunk)")
    }
  }

  /// With helpers, chunks that take a while run on more than one thread (the
  /// helpers are woken, not only created).
  @Test func helpersTakeChunks() {
    let loop = ChunkedLoop(threads: 2)
    let threadsSeen = Mutex<Set<UInt>>([])
    for _ in 0..<200 {
      loop.start(chunks: 16) { _ in
        // About 50 µs of work, so a helper woken within the call finds chunks left.
        var sum = 0.0
        for index in 0..<20_000 { sum += Double(index).squareRoot() }
        precondition(sum > 0)
        threadsSeen.withLock { _ = $0.insert(UInt(pthread_self())) }
      }
      loop.finish()
    }
    #expect(threadsSeen.withLock { $0.count } == 2)
  }

  /// A loop no run holds any more stops its helpers (deinit joins them).
  @Test func releasedLoopsStopTheirHelpers() {
    for _ in 0..<50 {
      let loop = ChunkedLoop(threads: 3)
      loop.start(chunks: 8) { _ in }
      loop.finish()
    }
  }
}
