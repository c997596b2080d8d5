import Foundation
import SimKernel
import Yams

/// A YAML value together with where it came from: its node, its key path, its line
/// and column, and the file being read.
///
/// The scalar readers check a value against a shape and, when it does not fit, log
/// "found X, expected Y" at the value and return `nil`, so reading goes on and every
/// error in the file is reported in one pass. ``Shape`` builds on them; format code
/// uses ``error(_:hint:)`` and ``warning(_:hint:)`` for its own checks.
public struct YAMLValue {
  public let node: Node
  public let context: ReadContext
  public let line: Int
  public let column: Int
  /// ``path`` is made from these when asked (for a diagnostic, or once for all the
  /// children of a list or mapping), not for every element read.
  private let parentPath: DocumentKeyPath
  private let step: DocumentKeyPath.Component?

  /// Where the value is: `spec.services[3].hourOfDay`.
  public var path: DocumentKeyPath {
    guard let step else { return parentPath }
    return parentPath.appending(step)
  }

  public init(node: Node, path: DocumentKeyPath, context: ReadContext) {
    let mark = node.mark
    self.init(node: node, path: path, step: nil, context: context, line: mark?.line ?? 0, column: mark?.column ?? 0)
  }

  /// A value placed explicitly: a table cell, whose node has no YAML mark.
  public init(node: Node, path: DocumentKeyPath, context: ReadContext, line: Int, column: Int) {
    self.init(node: node, path: path, step: nil, context: context, line: line, column: column)
  }

  private init(
    node: Node, path: DocumentKeyPath, step: DocumentKeyPath.Component?, context: ReadContext, line: Int, column: Int
  ) {
    self.node = node
    parentPath = path
    self.step = step
    self.context = context
    self.line = line
    self.column = column
  }

  /// A value inside this one, at `step` below `path` (this value's ``path``, made once
  /// for all the children): located by its own YAML mark, or, for nodes built without
  /// one (a nested JSON value of a table row), at this value.
  func child(_ node: Node, of path: DocumentKeyPath, at step: DocumentKeyPath.Component?) -> YAMLValue {
    let mark = node.mark
    return YAMLValue(
      node: node, path: path, step: step, context: context, line: mark?.line ?? line, column: mark?.column ?? column)
  }

  /// The same node at another key path (a mapping key reported at its value's path).
  public func at(_ path: DocumentKeyPath) -> YAMLValue {
    YAMLValue(node: node, path: path, context: context, line: line, column: column)
  }

  public var location: FileLocation { context.location(line: line, column: column) }
  public var conventions: InputConventions { context.conventions }

  // MARK: - Reporting

  /// Logs an error at this value.
  public func error(_ message: String, hint: String? = nil) {
    context.log.add(Diagnostic(at: location, keyPath: path, message: message, hint: hint))
  }

  /// Logs a warning at this value.
  public func warning(_ message: String, hint: String? = nil) {
    context.log.add(Diagnostic(severity: .warning, at: location, keyPath: path, message: message, hint: hint))
  }

  /// Logs "found X, expected Y".
  public func mismatch(expected: String, hint: String? = nil) {
    error("found \(foundDescription), expected \(expected)", hint: hint)
  }

  /// How the value reads in a message: "`-5m`", "a list", "a mapping", "nothing (null)".
  public var foundDescription: String {
    switch node {
    case .scalar(let scalar):
      if isNull { return "nothing (null)" }
      // A whole file that is one scalar is not YAML of any PlatformSim format (a `.env`
      // named by mistake): say what it is, never what it holds, which may be a secret.
      if path == .root { return "plain text (\(scalar.string.count) characters, not shown)" }
      let text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
      return "`\(text)`"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  // MARK: - What the node is

  /// The scalar text, if this is a scalar.
  public var scalarText: String? {
    if case .scalar(let scalar) = node { return scalar.string }
    return nil
  }

  /// Whether the scalar was quoted (so it is a string, whatever it looks like).
  public var isQuoted: Bool {
    if case .scalar(let scalar) = node { return scalar.style != .plain }
    return false
  }

  /// A plain `null`, `~` or empty scalar.
  public var isNull: Bool {
    if case .scalar(let scalar) = node { return scalar.style == .plain && isNullScalar(scalar.string) }
    return false
  }

  // MARK: - Scalars

  public func readString() -> String? {
    guard let text = scalarText, !isNull else {
      mismatch(expected: "a string")
      return nil
    }
    return text
  }

  public func readChoice(_ options: [String]) -> String? {
    guard let text = scalarText, !isNull else {
      mismatch(expected: ValueSchema.choice(options).expectation)
      return nil
    }
    guard options.contains(text) else {
      mismatch(
        expected: ValueSchema.choice(options).expectation,
        hint: nearestMatch(to: text, in: options).map(conventions.didYouMean))
      return nil
    }
    return text
  }

  public func readInteger(minimum: Int? = nil, maximum: Int? = nil) -> Int? {
    // The expectation is made only when a value does not fit: reading is the hot path.
    var schema: ValueSchema { .integer(minimum: minimum, maximum: maximum) }
    guard let text = scalarText, !isQuoted, let value = Int(withoutDigitSeparators(text)) else {
      mismatch(expected: schema.expectation, hint: quotedNumberHint)
      return nil
    }
    if let minimum, value < minimum {
      mismatch(expected: schema.expectation)
      return nil
    }
    if let maximum, value > maximum {
      mismatch(expected: schema.expectation)
      return nil
    }
    return value
  }

  public func readNumber(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false) -> Double? {
    var schema: ValueSchema { .number(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum) }
    guard let text = scalarText, !isQuoted, let value = Double(withoutDigitSeparators(text)), value.isFinite else {
      mismatch(expected: schema.expectation, hint: quotedNumberHint)
      return nil
    }
    if let minimum, exclusiveMinimum ? value <= minimum : value < minimum {
      mismatch(expected: schema.expectation)
      return nil
    }
    if let maximum, value > maximum {
      mismatch(expected: schema.expectation)
      return nil
    }
    return value
  }

  /// `1_000_000` as `1000000` (YAML 1.1 digit separators), without Foundation's string
  /// search when there is none.
  func withoutDigitSeparators(_ text: String) -> String {
    text.utf8.contains(UInt8(ascii: "_")) ? text.replacingOccurrences(of: "_", with: "") : text
  }

  /// "Remove the quotes" when a number was written as a quoted string.
  var quotedNumberHint: String? {
    guard isQuoted, let text = scalarText, Double(text) != nil else { return nil }
    return "the value is quoted, so it is a string; remove the quotes"
  }

  /// `true` or `false`, unquoted.
  public func readBoolean() -> Bool? {
    switch scalarText {
    case "true" where !isQuoted: return true
    case "false" where !isQuoted: return false
    default:
      mismatch(expected: ValueSchema.boolean.expectation)
      return nil
    }
  }

  /// A duration such as `90s`, `5m`, `2h30m` or `30d` (``SimDuration/init(parsing:)``).
  public func readDuration(_ rule: ValueSchema.DurationRule) -> SimDuration? {
    var schema: ValueSchema { .duration(rule) }
    guard let text = scalarText, !isNull else {
      mismatch(expected: schema.expectation)
      return nil
    }
    guard let duration = SimDuration(parsing: text) else {
      let hint: String?
      if Double(text) != nil {
        hint = "add a unit, e.g. `\(text)s` or `\(text)m`"
      } else if text.hasPrefix("-") {
        hint = "durations cannot be negative"
      } else {
        hint = "units are ms, s, m, h, d, w, largest first"
      }
      mismatch(expected: schema.expectation, hint: hint)
      return nil
    }
    if rule == .positive && duration.microseconds <= 0 {
      mismatch(expected: schema.expectation, hint: "use a duration greater than zero")
      return nil
    }
    return duration
  }

  /// An ISO 8601 instant; without an offset it is a local wall-clock reading.
  public func readInstant() -> InstantText? {
    guard let text = scalarText, !isNull, let instant = InstantText(parsing: text) else {
      mismatch(expected: ValueSchema.instant.expectation)
      return nil
    }
    return instant
  }

  /// A path resolved against the directory of the file being read; the file must exist.
  public func readExistingFilePath() -> URL? {
    guard let url = readPath() else { return nil }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      error(
        "the file \(conventions.quote(scalarText ?? "")) does not exist (looked for \(url.path))",
        hint: "paths are relative to the file that names them")
      return nil
    }
    return url
  }

  /// A path resolved against the directory of the file being read, not checked.
  public func readPath() -> URL? {
    guard let text = scalarText, !isNull, !text.isEmpty else {
      mismatch(expected: ValueSchema.filePath.expectation)
      return nil
    }
    return text.hasPrefix("/")
      ? URL(fileURLWithPath: text) : context.directory.appendingPathComponent(text).standardizedFileURL
  }

  // MARK: - Collections

  /// The elements of a list, each at its index's key path.
  public func readArray(minimumCount: Int = 0, exactCount: Int? = nil) -> [YAMLValue]? {
    if conventions.nullMeansAbsent && isNull { return [] }
    guard case .sequence(let sequence) = node else {
      mismatch(expected: "a list")
      return nil
    }
    let path = self.path
    let elements = sequence.enumerated().map { child($1, of: path, at: .index($0)) }
    if let exactCount, elements.count != exactCount {
      error("found a list of \(elements.count) values, expected exactly \(exactCount)")
      return nil
    }
    if elements.count < minimumCount {
      error("found a list of \(elements.count) values, expected at least \(minimumCount)")
      return nil
    }
    return elements
  }

  /// Reads a mapping against the keys of `Keys`: unknown keys and missing required
  /// keys are logged.
  public func readObject<Keys: ObjectKeys>(_ keys: Keys.Type) -> ObjectReader<Keys>? {
    guard let entries = mappingEntries() else {
      let object = Keys.schema.description
      if conventions.explainsExpectations {
        mismatch(
          expected: "a mapping with keys " + object.fieldNames.prefix(6).map(conventions.quote).joined(separator: ", "))
      } else {
        mismatch(expected: "a mapping")
      }
      return nil
    }
    return ObjectReader(reading: self, entries: entries)
  }

  /// Key and value pairs of a mapping with free-form keys, in file order.
  public func readDictionary() -> [(key: String, value: YAMLValue)]? {
    guard let entries = mappingEntries() else {
      mismatch(expected: "a mapping of names to values")
      return nil
    }
    return entries.map { ($0.key, $0.value) }
  }

  /// One entry of a mapping: its key as text, the key's own node (for "unknown key"
  /// errors) and the value.
  public struct MappingEntry {
    public let key: String
    public let keyValue: YAMLValue
    public let value: YAMLValue
  }

  /// The entries of a mapping in file order, `nil` if this is not a mapping.
  ///
  /// With ``InputConventions/mergesKeys``, a `<<` key's mapping (or list of mappings)
  /// contributes its entries first, as Go's yaml.v2 merges them.
  public func mappingEntries() -> [MappingEntry]? {
    guard case .mapping(let mapping) = node else { return nil }
    let path = self.path
    var entries: [MappingEntry] = []
    var merged: [MappingEntry] = []
    for (keyNode, valueNode) in mapping {
      let key = keyNode.string ?? "\(keyNode)"
      if conventions.mergesKeys, key == "<<", case .scalar(let scalar) = keyNode, scalar.style == .plain {
        let sources: [Node]
        if case .sequence(let list) = valueNode { sources = Array(list) } else { sources = [valueNode] }
        for source in sources {
          let sourceValue = child(source, of: path, at: nil)
          guard let sourceEntries = sourceValue.mappingEntries() else {
            sourceValue.mismatch(expected: "a mapping")
            continue
          }
          merged += sourceEntries
        }
        continue
      }
      entries.append(
        MappingEntry(
          key: key, keyValue: child(keyNode, of: path, at: .key(key)), value: child(valueNode, of: path, at: .key(key)))
      )
    }
    return merged.isEmpty ? entries : merged + entries
  }
}

func isNullScalar(_ text: String) -> Bool {
  text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
}
