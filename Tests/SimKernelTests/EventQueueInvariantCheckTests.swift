import Testing

@testable import SimKernel

/// The invariant checker must be able to fail.
///
/// `.ci/run` builds the kernel tests once with `-D SIM_INTERNAL_CHECKS`, and these exit tests corrupt a queue on purpose and
/// expect the checker to stop the process. Without the flag the checker compiles to
/// nothing, and the suite says so instead of passing vacuously.
@Suite("Event queue invariant checker")
struct EventQueueInvariantCheckTests {
  #if SIM_INTERNAL_CHECKS
    @Test("a heap whose order is broken stops the process")
    func brokenHeapOrderIsCaught() async {
      await #expect(processExitsWith: .failure) {
        var queue = EventQueue<Int>()
        for index in 0..<8 { queue.schedule(index, at: SimTime(microseconds: Int64(index))) }
        queue.heap.swapAt(0, queue.heap.count - 1)
        queue.checkInvariants()
      }
    }

    @Test("a stale-entry count that disagrees with the heap stops the process")
    func wrongStaleCountIsCaught() async {
      await #expect(processExitsWith: .failure) {
        var queue = EventQueue<Int>()
        for index in 0..<8 { queue.schedule(index, at: SimTime(microseconds: Int64(index))) }
        queue.staleEntryCount += 1
        queue.checkInvariants()
      }
    }

    @Test("a healthy queue passes the checker after every kind of operation")
    func healthyQueuePasses() {
      var queue = EventQueue<Int>()
      var handles: [EventHandle] = []
      for index in 0..<200 { handles.append(queue.schedule(index, at: SimTime(microseconds: Int64(index % 17)))) }
      for handle in handles.prefix(150) { queue.cancel(handle) }
      queue.checkInvariants()
      while queue.popNext() != nil { queue.checkInvariants() }
    }
  #else
    @Test(
      "compiled without SIM_INTERNAL_CHECKS: the checker is empty (CI also runs these tests with the flag)",
      .disabled("build with -Xswiftc -DSIM_INTERNAL_CHECKS to run the invariant-checker tests"))
    func checkerIsCompiledOut() {}
  #endif
}
