/// One label: a name and its value.
public struct Label: Hashable, Sendable, Comparable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }

  public static func < (lhs: Label, rhs: Label) -> Bool {
    lhs.name != rhs.name ? lhs.name < rhs.name : lhs.value < rhs.value
  }
}

/// A label set sorted by name, with no empty values.
///
/// Mirrors Prometheus `model/labels.Labels`: a label with an empty value is the same
/// as an absent label, and sets compare and print in name order so that output is
/// deterministic (no Dictionary iteration anywhere in the engine).
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The labels, sorted by name, names unique, values non-empty.
  public private(set) var items: [Label]
  /// FNV-1a over the names and values, computed once: rule evaluation hashes the same
  /// label sets many times (grouping, duplicate checks, vector matching), and hashing
  /// every string each time dominated it.
  private let fingerprint: UInt64

  /// The FNV-1a offset basis every fingerprint starts from.
  static let fingerprintSeed: UInt64 = 0xCBF2_9CE4_8422_2325

  static func fingerprint(of items: [Label]) -> UInt64 {
    var hash = fingerprintSeed
    for label in items { mixFingerprint(&hash, label) }
    return hash
  }

  /// Folds one label into a running fingerprint; exposed so that aggregation can hash a
  /// projection of a label set (`by`/`without`) without building the projected set.
  @inline(__always) static func mixFingerprint(_ hash: inout UInt64, _ label: Label) {
    for byte in label.name.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    hash ^= 0xFF
    hash &*= 0x0000_0100_0000_01B3
    for byte in label.value.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    hash ^= 0xFE
    hash &*= 0x0000_0100_0000_01B3
  }

  public static func == (lhs: Labels, rhs: Labels) -> Bool {
    lhs.fingerprint == rhs.fingerprint && lhs.items == rhs.items
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

  /// The empty label set.
  public static let empty = Labels(sortedItems: [])

  /// The reserved label holding the metric name.
  public static let metricName = "__name__"

  /// Builds a set from pairs in any order; a later duplicate name wins and empty values are dropped.
  public init(_ pairs: [(String, String)]) {
    var sorted: [Label] = []
    sorted.reserveCapacity(pairs.count)
    for (name, value) in pairs {
      if let index = sorted.firstIndex(where: { $0.name == name }) {
        sorted[index].value = value
      } else {
        sorted.append(Label(name, value))
      }
    }
    items = sorted.filter { !$0.value.isEmpty }.sorted()
    fingerprint = Labels.fingerprint(of: items)
  }

  /// Builds a set from a dictionary literal-like list of pairs.
  public init(_ dictionary: [String: String]) {
    self.init(dictionary.map { ($0.key, $0.value) })
  }

  @usableFromInline init(sortedItems: [Label]) {
    items = sortedItems
    fingerprint = Labels.fingerprint(of: sortedItems)
  }

  /// A set whose fingerprint the caller has already computed with `mixFingerprint`
  /// over exactly `sortedItems`, so it is not hashed twice.
  init(sortedItems: [Label], fingerprint: UInt64) {
    items = sortedItems
    self.fingerprint = fingerprint
  }

  /// The value of `name`, or "" when absent (Prometheus `Labels.Get`).
  public subscript(name: String) -> String {
    for label in items where label.name == name { return label.value }
    return ""
  }

  /// The metric name, or "" when absent.
  public var metricName: String { self[Labels.metricName] }

  public var isEmpty: Bool { items.isEmpty }

  /// A copy with `name` set to `value` (removed when `value` is empty).
  public func setting(_ name: String, _ value: String) -> Labels {
    var copy = items
    if let index = copy.firstIndex(where: { $0.name == name }) {
      if value.isEmpty { copy.remove(at: index) } else { copy[index].value = value }
    } else if !value.isEmpty {
      let insertAt = copy.firstIndex(where: { $0.name > name }) ?? copy.count
      copy.insert(Label(name, value), at: insertAt)
    }
    return Labels(sortedItems: copy)
  }

  /// A copy without the given names; `self` (no new array, no re-hash) when none is present,
  /// which is the common case for vector matching on already aggregated operands.
  public func removing(_ names: [String]) -> Labels {
    guard items.contains(where: { names.contains($0.name) }) else { return self }
    return Labels(sortedItems: items.filter { !names.contains($0.name) })
  }

  /// A copy keeping only the given names; `self` when every label is kept.
  public func keeping(_ names: [String]) -> Labels {
    guard items.allSatisfy({ names.contains($0.name) }) else {
      return Labels(sortedItems: items.filter { names.contains($0.name) })
    }
    return self
  }

  /// A copy without `__name__`.
  public func droppingMetricName() -> Labels {
    guard items.contains(where: { $0.name == Labels.metricName }) else { return self }
    return removing([Labels.metricName])
  }

  public static func < (lhs: Labels, rhs: Labels) -> Bool {
    // Mirrors labels.Compare: label by label, then length.
    let count = min(lhs.items.count, rhs.items.count)
    for index in 0..<count {
      let left = lhs.items[index]
      let right = rhs.items[index]
      if left.name != right.name { return left.name < right.name }
      if left.value != right.value { return left.value < right.value }
    }
    return lhs.items.count < rhs.items.count
  }

  /// Prometheus text form: `name{a="1", b="2"}`, or `{a="1"}` without a name.
  public var description: String {
    let name = metricName
    let rest = items.filter { $0.name != Labels.metricName }
    let inner = rest.map { "\($0.name)=\(quotedLabelValue($0.value))" }.joined(separator: ", ")
    if name.isEmpty { return "{\(inner)}" }
    return rest.isEmpty ? name : "\(name){\(inner)}"
  }
}

/// Quotes a label value the way Go's `strconv.Quote` does for printable text.
func quotedLabelValue(_ value: String) -> String {
  var out = "\""
  for scalar in value.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
