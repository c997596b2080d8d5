extension EventQueue {
  /// Checks the heap property and the stale-entry count.
  ///
  /// Compiled in only with `-D SIM_INTERNAL_CHECKS` (as swift-collections does with
  /// `COLLECTIONS_INTERNAL_CHECKS`): it is O(n) and would dominate the event loop.
  @inlinable @inline(__always)
  public func checkInvariants() {
    #if SIM_INTERNAL_CHECKS
      for index in heap.indices.dropFirst() {
        let parent = (index - 1) / 2
        precondition(!heap[index].precedes(heap[parent]), "heap order violated at \(index)")
      }
      let stale = heap.filter { slots[Int($0.slot)].generation != $0.generation }.count
      precondition(stale == staleEntryCount, "stale count \(staleEntryCount), found \(stale)")
    #endif
  }
}
