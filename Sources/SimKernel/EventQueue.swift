/// A handle to a scheduled event, used to cancel it.
///
/// It names a slot in the queue's payload table and the generation of that slot, so a
/// handle kept after its event ran (or was cancelled) can never cancel a newer event
/// that reuses the slot.
public struct EventHandle: Hashable, Sendable {
  @usableFromInline let slot: UInt32
  @usableFromInline let generation: UInt32
  @inlinable init(slot: UInt32, generation: UInt32) {
    self.slot = slot
    self.generation = generation
  }
}

/// The future-event list: events ordered by (time, priority class, insertion sequence).
///
/// Ties at the same time and priority class run first-in first-out, never at random
/// (SimPy, OMNeT++ and ns-3 order the same way). The heap holds small plain-value
/// entries — time, order key, slot — and payloads live in a side table indexed by
/// slot, so sifting never retains or releases references (a class or closure in the
/// entry measured about 2.2× slower; ../shared/reference/engine-and-style.md §1.2).
///
/// Cancellation is lazy: ``cancel(_:)`` retires the slot and the stale heap entry is
/// skipped when it surfaces; the heap is compacted when stale entries outnumber live
/// ones.
///
/// - Complexity: O(log n) for ``schedule(_:at:priority:)`` and ``popNext()``, O(1) for
///   ``cancel(_:)``.
public struct EventQueue<Payload> {
  /// A heap entry: 24 bytes, trivially copyable.
  @usableFromInline struct Entry {
    /// Event time in ticks.
    @usableFromInline var time: Int64
    /// Priority class in the top 8 bits, insertion sequence in the low 56.
    @usableFromInline var order: UInt64
    @usableFromInline var slot: UInt32
    @usableFromInline var generation: UInt32

    @inlinable init(time: Int64, order: UInt64, slot: UInt32, generation: UInt32) {
      self.time = time
      self.order = order
      self.slot = slot
      self.generation = generation
    }

    @inlinable func precedes(_ other: Entry) -> Bool {
      time < other.time || (time == other.time && order < other.order)
    }
  }

  @usableFromInline var heap: ContiguousArray<Entry> = []
  @usableFromInline var payloads: ContiguousArray<Payload?> = []
  @usableFromInline var generations: ContiguousArray<UInt32> = []
  @usableFromInline var freeSlots: ContiguousArray<UInt32> = []
  @usableFromInline var nextSequence: UInt64 = 0
  @usableFromInline var staleEntryCount = 0

  public init() {}

  /// Number of events still to run (cancelled ones excluded).
  @inlinable public var count: Int { heap.count - staleEntryCount }

  @inlinable public var isEmpty: Bool { count == 0 }

  /// Adds an event.
  ///
  /// - Parameters:
  ///   - payload: what happens.
  ///   - time: when; the caller guarantees it is not in the past.
  ///   - priority: among events at the same time, lower classes run first.
  /// - Returns: a handle that can cancel the event until it runs.
  @inlinable @discardableResult
  public mutating func schedule(_ payload: Payload, at time: SimTime, priority: UInt8 = 0)
    -> EventHandle
  {
    let slot: UInt32
    if let reused = freeSlots.popLast() {
      slot = reused
      payloads[Int(slot)] = payload
    } else {
      slot = UInt32(payloads.count)
      payloads.append(payload)
      generations.append(0)
    }
    precondition(nextSequence < (1 << 56), "event sequence exhausted")
    let order = (UInt64(priority) << 56) | nextSequence
    nextSequence &+= 1
    let generation = generations[Int(slot)]
    heap.append(Entry(time: time.microseconds, order: order, slot: slot, generation: generation))
    siftUp(from: heap.count - 1)
    return EventHandle(slot: slot, generation: generation)
  }

  /// Cancels a pending event. Returns `false` if it already ran or was cancelled.
  @inlinable @discardableResult
  public mutating func cancel(_ handle: EventHandle) -> Bool {
    let slot = Int(handle.slot)
    guard slot < generations.count, generations[slot] == handle.generation,
      payloads[slot] != nil
    else { return false }
    retire(slot: slot)
    staleEntryCount += 1
    if staleEntryCount > 1024 && staleEntryCount * 2 > heap.count { compact() }
    return true
  }

  /// Whether the event behind `handle` is still waiting to run.
  @inlinable public func isPending(_ handle: EventHandle) -> Bool {
    let slot = Int(handle.slot)
    return slot < generations.count && generations[slot] == handle.generation
      && payloads[slot] != nil
  }

  /// Time of the next event that will run, if any.
  @inlinable public mutating func nextTime() -> SimTime? {
    dropStaleHead()
    return heap.first.map { SimTime(microseconds: $0.time) }
  }

  /// Removes and returns the earliest event.
  @inlinable public mutating func popNext() -> (time: SimTime, payload: Payload)? {
    while let head = heap.first {
      removeHead()
      let slot = Int(head.slot)
      if generations[slot] != head.generation {
        staleEntryCount -= 1
        continue
      }
      guard let payload = payloads[slot] else {
        preconditionFailure("live heap entry without payload")
      }
      retire(slot: slot)
      return (SimTime(microseconds: head.time), payload)
    }
    return nil
  }

  // MARK: - Heap mechanics

  @inlinable mutating func retire(slot: Int) {
    payloads[slot] = nil
    generations[slot] &+= 1
    freeSlots.append(UInt32(slot))
  }

  @inlinable mutating func dropStaleHead() {
    while let head = heap.first, generations[Int(head.slot)] != head.generation {
      removeHead()
      staleEntryCount -= 1
    }
  }

  @inlinable mutating func removeHead() {
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      siftDown(from: 0)
    }
  }

  @inlinable mutating func siftUp(from start: Int) {
    heap.withUnsafeMutableBufferPointer { buffer in
      var child = start
      let moving = buffer[child]
      while child > 0 {
        let parent = (child - 1) >> 1
        if !moving.precedes(buffer[parent]) { break }
        buffer[child] = buffer[parent]
        child = parent
      }
      buffer[child] = moving
    }
  }

  @inlinable mutating func siftDown(from start: Int) {
    heap.withUnsafeMutableBufferPointer { buffer in
      let count = buffer.count
      var parent = start
      let moving = buffer[parent]
      while true {
        var child = 2 * parent + 1
        if child >= count { break }
        if child + 1 < count && buffer[child + 1].precedes(buffer[child]) { child += 1 }
        if !buffer[child].precedes(moving) { break }
        buffer[parent] = buffer[child]
        parent = child
      }
      buffer[parent] = moving
    }
  }

  /// Drops stale entries and rebuilds the heap (Floyd's bottom-up heapify, O(n)).
  @usableFromInline mutating func compact() {
    let currentGenerations = generations
    heap.removeAll { currentGenerations[Int($0.slot)] != $0.generation }
    staleEntryCount = 0
    var index = heap.count / 2 - 1
    while index >= 0 {
      siftDown(from: index)
      index -= 1
    }
  }
}
