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
/// Each operation touches the heap array and the slot table once: every separate
/// array mutation costs a uniqueness check, and with four side arrays those checks
/// were a visible share of a hold-model event (docs/PERFORMANCE.md).
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

  /// A row of the payload table: a pending event's payload, or a link of the free list.
  @usableFromInline struct Slot {
    /// The pending event's payload; `nil` while the slot is free.
    @usableFromInline var payload: Payload?
    /// Bumped each time the slot is retired, so older handles and heap entries go stale.
    @usableFromInline var generation: UInt32
    /// While the slot is free: the next free slot, or ``EventQueue/noSlot``.
    @usableFromInline var nextFree: UInt32

    @inlinable init(payload: Payload?, generation: UInt32, nextFree: UInt32) {
      self.payload = payload
      self.generation = generation
      self.nextFree = nextFree
    }
  }

  /// Ends the free list.
  @inlinable static var noSlot: UInt32 { .max }

  @usableFromInline var heap: ContiguousArray<Entry> = []
  @usableFromInline var slots: ContiguousArray<Slot> = []
  /// Head of the free list threaded through ``slots`` (LIFO, so a just-freed slot is
  /// reused while it is still in cache).
  @usableFromInline var firstFreeSlot: UInt32 = EventQueue.noSlot
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
    precondition(nextSequence < (1 << 56), "event sequence exhausted")
    let order = (UInt64(priority) << 56) | nextSequence
    nextSequence &+= 1
    let slot = firstFreeSlot
    let generation: UInt32
    if slot != Self.noSlot {
      let next: UInt32
      (generation, next) = slots.withUnsafeMutableBufferPointer { slots in
        slots[Int(slot)].payload = payload
        return (slots[Int(slot)].generation, slots[Int(slot)].nextFree)
      }
      firstFreeSlot = next
    } else {
      precondition(slots.count < Int(Self.noSlot), "more than 2³² − 1 pending events")
      generation = 0
      slots.append(Slot(payload: payload, generation: generation, nextFree: Self.noSlot))
      return push(Entry(time: time.microseconds, order: order, slot: UInt32(slots.count - 1), generation: generation))
    }
    return push(Entry(time: time.microseconds, order: order, slot: slot, generation: generation))
  }

  /// Cancels a pending event.
  ///
  /// Returns `false` if it already ran or was cancelled.
  @inlinable @discardableResult
  public mutating func cancel(_ handle: EventHandle) -> Bool {
    guard isPending(handle) else { return false }
    _ = retire(slot: Int(handle.slot))
    staleEntryCount += 1
    if staleEntryCount > 1024 && staleEntryCount * 2 > heap.count { compact() }
    return true
  }

  /// Whether the event behind `handle` is still waiting to run.
  @inlinable public func isPending(_ handle: EventHandle) -> Bool {
    let slot = Int(handle.slot)
    return slot < slots.count && slots[slot].generation == handle.generation && slots[slot].payload != nil
  }

  /// Time of the next event that will run, if any.
  @inlinable public mutating func nextTime() -> SimTime? {
    liveHead().map { SimTime(microseconds: $0.time) }
  }

  /// Removes and returns the earliest event.
  @inlinable public mutating func popNext() -> (time: SimTime, payload: Payload)? {
    guard let head = liveHead() else { return nil }
    return (SimTime(microseconds: head.time), removeLiveHead(head))
  }

  /// The entry of the earliest live event, after discarding cancelled entries that
  /// have surfaced at the top.
  ///
  /// With ``removeLiveHead(_:)`` it lets the run loop look at the head once per
  /// event instead of once in ``nextTime()`` and again in ``popNext()``.
  @inlinable mutating func liveHead() -> Entry? {
    if staleEntryCount > 0 { dropStaleHead() }
    return heap.first
  }

  /// Removes `head`, the entry ``liveHead()`` just returned, and hands back its payload.
  @inlinable mutating func removeLiveHead(_ head: Entry) -> Payload {
    removeHead()
    guard let payload = retire(slot: Int(head.slot)) else {
      preconditionFailure("live heap entry without payload")
    }
    return payload
  }

  // MARK: - Heap mechanics

  /// Frees `slot`: takes its payload, makes its handles and heap entry stale, and
  /// links it into the free list.
  @inlinable @inline(__always)
  mutating func retire(slot: Int) -> Payload? {
    let nextFree = firstFreeSlot
    let payload = slots.withUnsafeMutableBufferPointer { slots in
      let payload = slots[slot].payload
      slots[slot].payload = nil
      slots[slot].generation &+= 1
      slots[slot].nextFree = nextFree
      return payload
    }
    firstFreeSlot = UInt32(slot)
    return payload
  }

  @inlinable mutating func dropStaleHead() {
    while let head = heap.first, slots[Int(head.slot)].generation != head.generation {
      removeHead()
      staleEntryCount -= 1
    }
  }

  @inlinable @inline(__always)
  mutating func push(_ entry: Entry) -> EventHandle {
    heap.append(entry)
    siftUp(placing: entry, at: heap.count - 1)
    return EventHandle(slot: entry.slot, generation: entry.generation)
  }

  @inlinable @inline(__always)
  mutating func removeHead() {
    let last = heap.removeLast()
    if !heap.isEmpty { siftDown(placing: last, at: 0) }
  }

  /// Moves the hole at `start` up until `moving` fits, then fills it.
  @inlinable @inline(__always)
  mutating func siftUp(placing moving: Entry, at start: Int) {
    heap.withUnsafeMutableBufferPointer { buffer in
      var child = start
      while child > 0 {
        let parent = (child - 1) >> 1
        if !moving.precedes(buffer[parent]) { break }
        buffer[child] = buffer[parent]
        child = parent
      }
      buffer[child] = moving
    }
  }

  /// Moves the hole at `start` down until `moving` fits, then fills it.
  @inlinable @inline(__always)
  mutating func siftDown(placing moving: Entry, at start: Int) {
    heap.withUnsafeMutableBufferPointer { buffer in
      let count = buffer.count
      var parent = start
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
    let currentSlots = slots
    heap.removeAll { currentSlots[Int($0.slot)].generation != $0.generation }
    staleEntryCount = 0
    var index = heap.count / 2 - 1
    while index >= 0 {
      siftDown(placing: heap[index], at: index)
      index -= 1
    }
  }
}
