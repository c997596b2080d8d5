/// A list read from an input file, whose elements are read with the element shape its
/// field declares when asked for, in order, so every element's problems are reported
/// in one pass and in file order.
///
/// Each read logs its problems; read a list once.
public struct InputList<Element> {
  /// The list itself.
  public let value: YAMLValue
  /// The elements as written, each at its index's key path.
  public let elements: [YAMLValue]
  let element: Shape<Element>

  public var count: Int { elements.count }

  /// Every element read; `nil` if any did not fit (each such element is reported).
  public func read() -> [Element]? { map { $0 } }

  /// Reads each element and transforms it; `nil` if any failed.
  ///
  /// Every element is read and transformed either way, so all are reported.
  public func map<T>(_ transform: (Element) -> T?) -> [T]? {
    let results = elements.compactMap { element.read($0).flatMap(transform) }
    return results.count == elements.count ? results : nil
  }

  /// Reads each element and hands it to `body` with where it is written (`nil` when it
  /// did not fit, after reporting why).
  public func forEach(_ body: (Element?, YAMLValue) -> Void) {
    for value in elements { body(element.read(value), value) }
  }
}

/// A mapping with free-form keys (names chosen by the user), all values of the shape
/// its field declares, read in file order when asked for.
///
/// Each read logs its problems; read a dictionary once.
public struct InputDictionary<Element> {
  /// The mapping itself.
  public let value: YAMLValue
  /// The entries as written, in file order; each value at its key's path.
  public let entries: [YAMLValue.MappingEntry]
  let element: Shape<Element>

  public var isEmpty: Bool { entries.isEmpty }
  public var keys: [String] { entries.map(\.key) }

  /// Every entry read; `nil` if any value did not fit (each is reported).
  public func read() -> [(key: String, value: Element)]? { map { key, value in (key, value) } }

  /// Reads each value and transforms it with its key; `nil` if any failed.
  ///
  /// Every entry is read and transformed either way, so all are reported.
  public func map<T>(_ transform: (String, Element) -> T?) -> [T]? {
    let results = entries.compactMap { entry in element.read(entry.value).flatMap { transform(entry.key, $0) } }
    return results.count == entries.count ? results : nil
  }

  /// Reads one entry's value with the element shape (for readers that check the key
  /// first); `nil` after reporting why it does not fit.
  public func read(_ entry: YAMLValue.MappingEntry) -> Element? { element.read(entry.value) }

  /// Reads each entry and hands it to `body` with its key and where its value is
  /// written (`nil` when it did not fit, after reporting why).
  public func forEach(_ body: (String, Element?, YAMLValue) -> Void) {
    for entry in entries { body(entry.key, element.read(entry.value), entry.value) }
  }
}
