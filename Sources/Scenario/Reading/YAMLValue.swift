import Foundation
import InputDiagnostics
import SimKernel
import Yams

/// State shared while one file is read: its name for messages, its directory for
/// relative paths, and the log that collects every problem.
public final class ReadContext {
  public let file: String
  public let directory: URL
  public let log: DiagnosticLog

  public init(file: String, log: DiagnosticLog) {
    self.file = file
    directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    self.log = log
  }
}

/// A YAML node together with where it came from; reads it against a ``ValueSchema``
/// and reports what was found and what was expected when it does not fit.
///
/// Readers return `nil` after logging an error, so decoding goes on and every error
/// in the file is reported in one pass.
public struct YAMLValue {
  public let node: Node
  public let path: KeyPath
  public let context: ReadContext

  public init(node: Node, path: KeyPath, context: ReadContext) {
    self.node = node
    self.path = path
    self.context = context
  }

  public var line: Int { node.mark?.line ?? 0 }
  public var column: Int { node.mark?.column ?? 0 }

  /// Logs an error at this value.
  public func error(_ message: String, hint: String? = nil) {
    context.log.add(Diagnostic(file: context.file, line: line, column: column, keyPath: path, message: message, hint: hint))
  }

  /// Logs a warning at this value.
  public func warning(_ message: String, hint: String? = nil) {
    context.log.add(
      Diagnostic(severity: .warning, file: context.file, line: line, column: column, keyPath: path, message: message, hint: hint))
  }

  /// Logs "found X, expected Y".
  public func mismatch(expected: String, hint: String? = nil) {
    error("found \(foundDescription), expected \(expected)", hint: hint)
  }

  /// How the value reads in a message: "`-5m`", "a list", "a mapping", "nothing".
  public var foundDescription: String {
    switch node {
    case .scalar(let scalar):
      if scalar.style == .plain && isNullScalar(scalar.string) { return "nothing (null)" }
      let text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
      return "`\(text)`"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  /// The scalar text, if this is a scalar.
  public var scalarText: String? {
    if case .scalar(let scalar) = node { return scalar.string }
    return nil
  }

  var isQuoted: Bool {
    if case .scalar(let scalar) = node { return scalar.style != .plain }
    return false
  }

  public var isNull: Bool {
    if case .scalar(let scalar) = node { return scalar.style == .plain && isNullScalar(scalar.string) }
    return false
  }

  // MARK: - Scalars

  public func readString(pattern: String? = nil) -> String? {
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
        hint: nearestMatch(to: text, in: options).map { "did you mean `\($0)`?" })
      return nil
    }
    return text
  }

  public func readInteger(minimum: Int? = nil, maximum: Int? = nil) -> Int? {
    let schema = ValueSchema.integer(minimum: minimum, maximum: maximum)
    guard let text = scalarText, !isQuoted, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
      mismatch(expected: schema.expectation, hint: quotedNumberHint)
      return nil
    }
    if let minimum, value < minimum { mismatch(expected: schema.expectation); return nil }
    if let maximum, value > maximum { mismatch(expected: schema.expectation); return nil }
    return value
  }

  public func readNumber(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false) -> Double? {
    let schema = ValueSchema.number(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum)
    guard let text = scalarText, !isQuoted, let value = Double(text.replacingOccurrences(of: "_", with: "")),
      value.isFinite
    else {
      mismatch(expected: schema.expectation, hint: quotedNumberHint)
      return nil
    }
    if let minimum, exclusiveMinimum ? value <= minimum : value < minimum {
      mismatch(expected: schema.expectation)
      return nil
    }
    if let maximum, value > maximum { mismatch(expected: schema.expectation); return nil }
    return value
  }

  /// "Remove the quotes" when a number was written as a quoted string.
  var quotedNumberHint: String? {
    guard isQuoted, let text = scalarText, Double(text) != nil else { return nil }
    return "the value is quoted, so it is a string; remove the quotes"
  }

  public func readBoolean() -> Bool? {
    switch scalarText {
    case "true" where !isQuoted: return true
    case "false" where !isQuoted: return false
    default:
      mismatch(expected: ValueSchema.boolean.expectation)
      return nil
    }
  }

  public func readDuration(_ rule: ValueSchema.DurationRule) -> SimDuration? {
    let schema = ValueSchema.duration(rule)
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

  /// Reads an ISO 8601 instant. A value without an offset is local time in `zone`.
  public func readInstant() -> InstantText? {
    guard let text = scalarText, !isNull, let instant = InstantText(parsing: text) else {
      mismatch(expected: ValueSchema.instant.expectation)
      return nil
    }
    return instant
  }

  /// Reads a path and resolves it against the directory of the file being read.
  /// Checks that the file exists.
  public func readExistingFilePath() -> URL? {
    guard let text = scalarText, !isNull, !text.isEmpty else {
      mismatch(expected: ValueSchema.filePath.expectation)
      return nil
    }
    let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : context.directory.appendingPathComponent(text).standardizedFileURL
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      error("the file `\(text)` does not exist (looked for \(url.path))", hint: "paths are relative to the file that names them")
      return nil
    }
    return url
  }

  /// Resolves a path against the directory of the file being read, without checking it.
  public func readPath() -> URL? {
    guard let text = scalarText, !isNull, !text.isEmpty else {
      mismatch(expected: ValueSchema.filePath.expectation)
      return nil
    }
    return text.hasPrefix("/") ? URL(fileURLWithPath: text) : context.directory.appendingPathComponent(text).standardizedFileURL
  }

  // MARK: - Collections

  /// The elements of a list.
  public func readArray(minimumCount: Int = 0, exactCount: Int? = nil) -> [YAMLValue]? {
    guard case .sequence(let sequence) = node else {
      mismatch(expected: "a list")
      return nil
    }
    let elements = sequence.enumerated().map { YAMLValue(node: $1, path: path.appending(index: $0), context: context) }
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

  /// Reads a mapping against `schema`: unknown keys and missing required keys are errors.
  public func readObject(_ schema: ObjectSchema) -> ObjectReader? {
    guard let entries = mappingEntries() else {
      mismatch(expected: "a mapping with keys " + schema.fieldNames.prefix(6).map { "`\($0)`" }.joined(separator: ", "))
      return nil
    }
    return ObjectReader(value: self, schema: schema, entries: entries)
  }

  /// Key and value pairs of a mapping with free-form keys, in file order.
  public func readDictionary() -> [(key: String, value: YAMLValue)]? {
    guard let entries = mappingEntries() else {
      mismatch(expected: "a mapping of names to values")
      return nil
    }
    return entries.map { ($0.key, $0.value) }
  }

  func mappingEntries() -> [(key: String, keyValue: YAMLValue, value: YAMLValue)]? {
    guard case .mapping(let mapping) = node else { return nil }
    var entries: [(key: String, keyValue: YAMLValue, value: YAMLValue)] = []
    for (keyNode, valueNode) in mapping {
      let key = keyNode.string ?? "\(keyNode)"
      entries.append(
        (key, YAMLValue(node: keyNode, path: path.appending(key), context: context),
         YAMLValue(node: valueNode, path: path.appending(key), context: context)))
    }
    return entries
  }
}

func isNullScalar(_ text: String) -> Bool { text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" }

/// A mapping being read against its ``ObjectSchema``.
///
/// Typed accessors read each key with the shape its schema declares, so the limits
/// that validation enforces are the ones the JSON Schema publishes.
public struct ObjectReader {
  public let value: YAMLValue
  public let schema: ObjectSchema
  let entries: [(key: String, keyValue: YAMLValue, value: YAMLValue)]

  init(value: YAMLValue, schema: ObjectSchema, entries: [(key: String, keyValue: YAMLValue, value: YAMLValue)]) {
    self.value = value
    self.schema = schema
    self.entries = entries
    let known = schema.fieldNames
    var suggested: Set<String> = []
    for entry in entries where !known.contains(entry.key) && !schema.passthroughKeys.contains(entry.key) {
      if schema.ignoredKeys.contains(entry.key) {
        entry.keyValue.warning("`\(entry.key)` is not modelled by PlatformSim and is ignored")
        continue
      }
      let suggestion = nearestMatch(to: entry.key, in: known)
      if let suggestion { suggested.insert(suggestion) }
      entry.keyValue.error(
        "unknown key `\(entry.key)`",
        hint: suggestion.map { "did you mean `\($0)`?" }
          ?? "valid keys here: " + known.map { "`\($0)`" }.joined(separator: ", "))
    }
    // A misspelt required key is reported once, as the typo, not again as missing.
    for field in schema.fields
    where field.required && !suggested.contains(field.name) && !entries.contains(where: { $0.key == field.name }) {
      value.error(
        "missing required key `\(field.name)`, expected \(field.schema.expectation)",
        hint: "`\(field.name)`: \(field.summary)")
    }
  }

  public var path: KeyPath { value.path }
  public var context: ReadContext { value.context }

  /// The raw value of `key`, if present. `key` must be declared in the schema.
  public subscript(_ key: String) -> YAMLValue? {
    precondition(schema.field(key) != nil, "\(schema.title) reads undeclared key \(key)")
    return entries.first { $0.key == key }?.value
  }

  /// Whether `key` is present.
  public func has(_ key: String) -> Bool { self[key] != nil }

  /// Keys present, in file order.
  public var presentKeys: [String] { entries.map(\.key) }

  func fieldSchema(_ key: String) -> ValueSchema {
    guard let field = schema.field(key) else { preconditionFailure("\(schema.title) has no field \(key)") }
    return field.schema
  }

  public func string(_ key: String) -> String? {
    guard let value = self[key] else { return nil }
    switch fieldSchema(key) {
    case .choice(let options): return value.readChoice(options)
    case .string(let pattern): return value.readString(pattern: pattern)
    default: preconditionFailure("\(key) is not a string field")
    }
  }

  public func integer(_ key: String) -> Int? {
    guard let value = self[key] else { return nil }
    guard case .integer(let minimum, let maximum) = fieldSchema(key) else { preconditionFailure("\(key) is not an integer field") }
    return value.readInteger(minimum: minimum, maximum: maximum)
  }

  public func number(_ key: String) -> Double? {
    guard let value = self[key] else { return nil }
    guard case .number(let minimum, let maximum, let exclusive) = fieldSchema(key) else {
      preconditionFailure("\(key) is not a number field")
    }
    return value.readNumber(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusive)
  }

  public func boolean(_ key: String) -> Bool? {
    guard let value = self[key] else { return nil }
    return value.readBoolean()
  }

  public func duration(_ key: String) -> SimDuration? {
    guard let value = self[key] else { return nil }
    guard case .duration(let rule) = fieldSchema(key) else { preconditionFailure("\(key) is not a duration field") }
    return value.readDuration(rule)
  }

  public func object<T>(_ key: String, _ read: (ObjectReader) -> T?) -> T? {
    guard let value = self[key] else { return nil }
    guard case .object(let nested) = fieldSchema(key) else { preconditionFailure("\(key) is not an object field") }
    return value.readObject(nested).flatMap(read)
  }

  /// Reads a list; elements that fail are dropped after logging, so the rest is still checked.
  public func array<T>(_ key: String, _ read: (YAMLValue) -> T?) -> [T]? {
    guard let value = self[key] else { return nil }
    guard case .array(_, let minimumCount, let exactCount) = fieldSchema(key) else {
      preconditionFailure("\(key) is not a list field")
    }
    guard let elements = value.readArray(minimumCount: minimumCount, exactCount: exactCount) else { return nil }
    let results = elements.compactMap(read)
    return results.count == elements.count ? results : nil
  }

  public func durationDistribution(_ key: String) -> Distribution? {
    guard let value = self[key] else { return nil }
    return DistributionReader.read(value, valuesAreDurations: true)
  }

  public func numberDistribution(_ key: String) -> Distribution? {
    guard let value = self[key] else { return nil }
    return DistributionReader.read(value, valuesAreDurations: false)
  }
}

/// An ISO 8601 date-time as written: either an absolute instant (with `Z` or an
/// offset) or a local wall-clock reading to be placed in the scenario's time zone.
public enum InstantText: Equatable, Sendable {
  case absolute(epochSeconds: Int64)
  case local(LocalTime)

  /// Accepts `2026-01-05`, `2026-01-05T08:00`, `2026-01-05T08:00:00`, with `Z` or `±HH:MM`.
  public init?(parsing text: String) {
    let characters = Array(text)
    func number(_ range: Range<Int>) -> Int? {
      guard range.upperBound <= characters.count else { return nil }
      let slice = characters[range]
      guard slice.allSatisfy(\.isNumber) else { return nil }
      return Int(String(slice))
    }
    guard characters.count >= 10, characters[4] == "-", characters[7] == "-",
      let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      (1...12).contains(month), (1...31).contains(day), day <= daysInMonth(year: year, month: month)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var index = 10
    if index < characters.count, characters[index] == "T" || characters[index] == " " {
      guard let parsedHour = number(11..<13), characters.count > 13, characters[13] == ":",
        let parsedMinute = number(14..<16), parsedHour < 24, parsedMinute < 60
      else { return nil }
      hour = parsedHour
      minute = parsedMinute
      index = 16
      if index < characters.count, characters[index] == ":" {
        guard let parsedSecond = number(17..<19), parsedSecond < 60 else { return nil }
        second = parsedSecond
        index = 19
      }
    }
    let local = LocalTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    let rest = String(characters[index...])
    if rest.isEmpty {
      self = .local(local)
      return
    }
    var offsetSeconds = 0
    if rest == "Z" || rest == "z" {
      offsetSeconds = 0
    } else {
      let restCharacters = Array(rest)
      guard restCharacters.count == 6, restCharacters[0] == "+" || restCharacters[0] == "-", restCharacters[3] == ":",
        let offsetHours = Int(String(restCharacters[1..<3])), let offsetMinutes = Int(String(restCharacters[4..<6])),
        offsetHours <= 14, offsetMinutes < 60
      else { return nil }
      offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (restCharacters[0] == "-" ? -1 : 1)
    }
    self = .absolute(epochSeconds: local.microsecondsSinceEpoch / 1_000_000 - Int64(offsetSeconds))
  }
}

func daysInMonth(year: Int, month: Int) -> Int {
  switch month {
  case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
  case 4, 6, 9, 11: return 30
  default: return 31
  }
}
