/// An identifier that numbers the entities of one kind densely within a run (nodes,
/// jobs, changes, …), so that their records live in an ``IDArray`` rather than in a
/// dictionary or behind `Int(id.rawValue)` conversions.
///
/// Identifiers are strideable, so a `Range` of them is the index range of an
/// ``IDArray`` and iterating it never copies the records.
public protocol DenseID: Hashable, Sendable, Strideable where Stride == Int {
  /// Where the entity's record sits in an ``IDArray``: 0 for the first entity.
  var position: Int { get }
  /// The identifier of the entity whose record sits at `position`.
  init(position: Int)
}

extension DenseID {
  @inlinable public func distance(to other: Self) -> Int { other.position - position }
  @inlinable public func advanced(by offset: Int) -> Self { Self(position: position + offset) }
}

/// Records indexed by their typed identifiers.
///
/// An array underneath whose subscript takes the identifier: a node's record is
/// `nodes[nodeID]`, a change's `changes[changeID]`, with the identifier-to-position
/// mapping (0-based or 1-based) written once in the identifier type. Reading and
/// writing in place cost what an array's do (the mapping is inlined away in release
/// builds, and the subscript yields the element in place — reading a field copies
/// nothing else, and mutating a record never copies the arrays inside it).
public struct IDArray<ID: DenseID, Element>: RandomAccessCollection, MutableCollection {
  public typealias Index = ID
  public typealias Indices = Range<ID>

  @usableFromInline var elements: [Element]

  @inlinable public init() { elements = [] }
  @inlinable public init(_ elements: [Element]) { self.elements = elements }
  @inlinable public init(repeating element: Element, count: Int) {
    elements = Array(repeating: element, count: count)
  }

  @inlinable public var startIndex: ID { ID(position: 0) }
  @inlinable public var endIndex: ID { ID(position: elements.count) }
  @inlinable public var indices: Range<ID> { startIndex..<endIndex }
  @inlinable public var count: Int { elements.count }
  @inlinable public var isEmpty: Bool { elements.isEmpty }
  @inlinable public func index(after id: ID) -> ID { ID(position: id.position + 1) }
  @inlinable public func index(before id: ID) -> ID { ID(position: id.position - 1) }
  @inlinable public func index(_ id: ID, offsetBy distance: Int) -> ID { ID(position: id.position + distance) }
  @inlinable public func distance(from start: ID, to end: ID) -> Int { end.position - start.position }

  @inlinable public subscript(id: ID) -> Element {
    _read { yield elements[id.position] }
    _modify { yield &elements[id.position] }
  }

  /// The identifier the next appended record gets.
  @inlinable public var nextID: ID { ID(position: elements.count) }

  /// Appends a record and returns its identifier.
  @inlinable @discardableResult
  public mutating func append(_ element: Element) -> ID {
    elements.append(element)
    return ID(position: elements.count - 1)
  }

  /// Calls `body` with the records' storage (for loops that hand records to threads).
  @inlinable public func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try elements.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the records' storage, writable.
  @inlinable public mutating func withUnsafeMutableElements<R>(
    _ body: (UnsafeMutableBufferPointer<Element>) throws -> R
  ) rethrows -> R {
    try elements.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// The records in identifier order, as a plain array.
  @inlinable public var array: [Element] { elements }
}

extension IDArray: Sendable where Element: Sendable {}
