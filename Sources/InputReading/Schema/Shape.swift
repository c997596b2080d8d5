import Foundation
import SimKernel

/// What a value must look like and how it is read, typed: the ``ValueSchema`` that is
/// published and quoted in messages, and the reader that checks a ``YAMLValue``
/// against it and returns the typed value (or logs and returns `nil`).
///
/// The standard shapes cover PlatformSim's own formats; a format with its own rules
/// (Go's booleans, Prometheus durations, Argo's int-or-string durations) declares a
/// ``custom(_:read:)`` shape once, next to its keys.
public struct Shape<Value>: Sendable {
  public let schema: ValueSchema
  let reader: @Sendable (YAMLValue) -> Value?
  /// Whether a `null` is handed to the reader even where the conventions read `null` as
  /// absent (a Go field kept as a YAML node, whose text `null` is a value).
  public let readsNull: Bool

  public init(_ schema: ValueSchema, readsNull: Bool = false, read: @escaping @Sendable (YAMLValue) -> Value?) {
    self.schema = schema
    self.readsNull = readsNull
    self.reader = read
  }

  /// Reads `value`; logs and returns `nil` when it does not fit.
  public func read(_ value: YAMLValue) -> Value? { reader(value) }

  /// A format's own reading, with the schema it publishes.
  public static func custom(
    _ schema: ValueSchema, readsNull: Bool = false, read: @escaping @Sendable (YAMLValue) -> Value?
  ) -> Shape {
    Shape(schema, readsNull: readsNull, read: read)
  }

  /// This shape, read on into another type (a choice into an enum).
  public func map<T>(_ transform: @escaping @Sendable (Value) -> T?) -> Shape<T> {
    let reader = self.reader
    return Shape<T>(schema) { value in reader(value).flatMap(transform) }
  }
}

extension Shape where Value == String {
  /// Any scalar but `null`, as text; the pattern is published, not enforced.
  public static func string(pattern: String? = nil) -> Shape { Shape(.string(pattern: pattern)) { $0.readString() } }

  /// One of `options`, with a "did you mean" for a near miss.
  public static func choice(_ options: [String]) -> Shape { Shape(.choice(options)) { $0.readChoice(options) } }
}

extension Shape where Value: RawRepresentable & Sendable, Value.RawValue == String {
  /// One of `options`, as the enum value whose raw value is written.
  public static func choice(_ options: [Value]) -> Shape {
    let names = options.map(\.rawValue)
    return Shape(.choice(names)) { value in value.readChoice(names).flatMap(Value.init(rawValue:)) }
  }
}

extension Shape where Value == Int {
  public static func integer(minimum: Int? = nil, maximum: Int? = nil) -> Shape {
    Shape(.integer(minimum: minimum, maximum: maximum)) { $0.readInteger(minimum: minimum, maximum: maximum) }
  }
}

extension Shape where Value == Double {
  public static func number(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false) -> Shape {
    Shape(.number(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum)) {
      $0.readNumber(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum)
    }
  }
}

extension Shape where Value == Bool {
  /// `true` or `false`.
  public static var boolean: Shape { Shape(.boolean) { $0.readBoolean() } }
}

extension Shape where Value == SimDuration {
  /// `90s`, `5m`, `2h30m`, `30d`.
  public static func duration(_ rule: ValueSchema.DurationRule) -> Shape {
    Shape(.duration(rule)) { $0.readDuration(rule) }
  }
}

extension Shape where Value == InstantText {
  /// An ISO 8601 date-time, absolute or local.
  public static var instant: Shape { Shape(.instant) { $0.readInstant() } }
}

extension Shape where Value == URL {
  /// A file that must exist, relative to the file that names it.
  public static var existingFile: Shape { Shape(.filePath) { $0.readExistingFilePath() } }
  /// A path relative to the file that names it, not checked (an output's).
  public static var path: Shape { Shape(.filePath) { $0.readPath() } }
}

extension Shape where Value == YAMLValue {
  /// Any value, kept as written for the format's own reading.
  public static func any(_ schema: ValueSchema) -> Shape { Shape(schema) { $0 } }
}

extension Shape {
  /// A mapping with the keys of `keys`.
  public static func object<Keys: ObjectKeys>(_ keys: Keys.Type) -> Shape where Value == ObjectReader<Keys> {
    Shape(.object(ValueSchema.ObjectType(keys))) { $0.readObject(keys) }
  }

  /// A list whose elements have `element`'s shape; read elementwise (``InputList``).
  public static func list<Element>(_ element: Shape<Element>, minimumCount: Int = 0, exactCount: Int? = nil) -> Shape
  where Value == InputList<Element> {
    Shape(.array(of: element.schema, minimumCount: minimumCount, exactCount: exactCount)) { value in
      value.readArray(minimumCount: minimumCount, exactCount: exactCount).map {
        InputList(value: value, elements: $0, element: element)
      }
    }
  }

  /// A mapping of free-form names to values of `element`'s shape (``InputDictionary``).
  public static func dictionary<Element>(_ element: Shape<Element>) -> Shape where Value == InputDictionary<Element> {
    Shape(.dictionary(of: element.schema)) { value in
      if value.conventions.nullMeansAbsent && value.isNull {
        return InputDictionary(value: value, entries: [], element: element)
      }
      guard let entries = value.mappingEntries() else {
        value.mismatch(expected: "a mapping of names to values")
        return nil
      }
      return InputDictionary(value: value, entries: entries, element: element)
    }
  }
}
