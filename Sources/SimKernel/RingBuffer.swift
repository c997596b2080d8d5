/// A first-in first-out queue over a growable ring buffer: O(1) push and pop without
/// the O(n) `removeFirst` of an array. Holds waiting work (jobs, pods, requests).
public struct RingBuffer<Element> {
  @usableFromInline var storage: ContiguousArray<Element?>
  @usableFromInline var head = 0
  @usableFromInline var storedCount = 0

  public init(capacity: Int = 16) {
    storage = ContiguousArray(repeating: nil, count: max(1, capacity))
  }

  @inlinable public var count: Int { storedCount }
  @inlinable public var isEmpty: Bool { storedCount == 0 }

  @inlinable public mutating func append(_ element: Element) {
    if storedCount == storage.count { grow() }
    storage[(head + storedCount) % storage.count] = element
    storedCount += 1
  }

  @inlinable public mutating func popFirst() -> Element? {
    guard storedCount > 0 else { return nil }
    let element = storage[head]
    storage[head] = nil
    head = (head + 1) % storage.count
    storedCount -= 1
    return element
  }

  @inlinable public var first: Element? { storedCount > 0 ? storage[head] : nil }

  @usableFromInline mutating func grow() {
    var larger = ContiguousArray<Element?>(repeating: nil, count: storage.count * 2)
    for offset in 0..<storedCount { larger[offset] = storage[(head + offset) % storage.count] }
    storage = larger
    head = 0
  }
}
