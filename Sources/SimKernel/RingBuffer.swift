/// A first-in first-out queue over a growable ring buffer: O(1) push and pop without
/// the O(n) `removeFirst` of an array.
///
/// Holds waiting work (jobs, pods, requests).
///
/// The capacity is always a power of two, so wrapping an index is a mask rather than
/// an integer division (which cost more than the rest of a push or pop).
public struct RingBuffer<Element> {
  @usableFromInline var storage: ContiguousArray<Element?>
  @usableFromInline var head = 0
  @usableFromInline var storedCount = 0

  /// - Parameter capacity: elements held before the first growth (rounded up to a
  ///   power of two).
  public init(capacity: Int = 16) {
    var size = 1
    while size < capacity { size <<= 1 }
    storage = ContiguousArray(repeating: nil, count: size)
  }

  @inlinable public var count: Int { storedCount }
  @inlinable public var isEmpty: Bool { storedCount == 0 }

  /// `storage.count − 1`: wraps an index, the capacity being a power of two.
  @inlinable var indexMask: Int { storage.count &- 1 }

  @inlinable public mutating func append(_ element: Element) {
    if storedCount == storage.count { grow() }
    storage[(head &+ storedCount) & indexMask] = element
    storedCount += 1
  }

  @inlinable public mutating func popFirst() -> Element? {
    guard storedCount > 0 else { return nil }
    let element = storage[head]
    storage[head] = nil
    head = (head &+ 1) & indexMask
    storedCount -= 1
    return element
  }

  @inlinable public var first: Element? { storedCount > 0 ? storage[head] : nil }

  /// The element `offset` places behind the first (0 is the first); reading needs no copy.
  @inlinable public subscript(offset offset: Int) -> Element {
    precondition(offset >= 0 && offset < storedCount, "offset \(offset) outside a ring buffer of \(storedCount)")
    guard let element = storage[(head &+ offset) & indexMask] else {
      preconditionFailure("an empty slot inside the queue")
    }
    return element
  }

  /// The most bytes the buffer holds while `appends` more elements arrive: its capacity,
  /// or, if they would fill it, the old and the doubled storage together during the copy.
  public func peakBytes(afterAppending appends: Int) -> Int {
    let bytes = storage.count * MemoryLayout<Element?>.stride
    return storedCount + appends > storage.count ? 3 * bytes : bytes
  }

  @usableFromInline mutating func grow() {
    var larger = ContiguousArray<Element?>(repeating: nil, count: storage.count * 2)
    for offset in 0..<storedCount { larger[offset] = storage[(head + offset) & indexMask] }
    storage = larger
    head = 0
  }
}
