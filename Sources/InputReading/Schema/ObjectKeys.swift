/// The keys of one kind of mapping in an input format, declared as stored ``Field``
/// properties of a final class conforming to this protocol.
///
/// The type's `schema` collects its fields (in declaration order) with the object's
/// title and summary; readers, unknown-key checks, the JSON Schema and the key
/// reference all come from it. A class, so that a reader projects one field out of
/// the declaration without copying the others.
public protocol ObjectKeys: AnyObject, Sendable {
  /// The fields with their declared values.
  init()
  /// Declared once per type: `static let schema = ObjectSchema<Name>("Title", "Summary.")`.
  static var schema: ObjectSchema<Self> { get }
  /// The schema without its keys' type (for nesting and publishing).
  static var objectDescription: ObjectDescription { get }
}

extension ObjectKeys {
  public static var objectDescription: ObjectDescription { schema.description }
}

/// What an object does with a key it does not declare.
public enum UnknownKeyPolicy: Sendable {
  /// An error with a "did you mean" (the default: a typo must not be silently ignored).
  case rejected
  /// Accepted without a word, for formats that are open by design (a notifier's
  /// settings the simulation does not read) or whose real tool is lenient.
  case accepted
}

/// The declared keys of one kind of mapping: the ``ObjectKeys`` value whose fields
/// readers use, and its ``ObjectDescription``.
///
/// Unconstrained at the type level, like ``ObjectReader``, so that its metadata is made
/// without a conformance search.
public struct ObjectSchema<Keys: Sendable>: Sendable {
  public let keys: Keys
  public let description: ObjectDescription

  init(keys: Keys, description: ObjectDescription) {
    self.keys = keys
    self.description = description
  }
}

extension ObjectSchema where Keys: ObjectKeys {
  /// - Parameters:
  ///   - ignoredKeys: keys a real resource may carry that PlatformSim does not model: a
  ///     warning, not an error.
  ///   - passthroughKeys: keys of a real resource that do not affect the simulation (a
  ///     Rollout's pod `template`): accepted silently.
  ///   - appendingMergeKeys: with merge keys (``InputConventions/mergesKeys``), keys
  ///     whose merged value is kept next to the one set explicitly rather than replaced
  ///     by it (alertmanager's matcher lists, whose decoder appends).
  public init(
    _ title: String, _ summary: String, ignoredKeys: [String] = [], passthroughKeys: [String] = [],
    unknownKeys: UnknownKeyPolicy = .rejected, appendingMergeKeys: [String] = []
  ) {
    let (keys, fields) = DeclaredFields.collect { Keys() }
    self.init(
      keys: keys,
      description: ObjectDescription(
        title: title, summary: summary, fields: fields, ignoredKeys: ignoredKeys, passthroughKeys: passthroughKeys,
        unknownKeys: unknownKeys, appendingMergeKeys: appendingMergeKeys))
  }
}

/// An object's declaration without its keys' type.
public final class ObjectDescription: Sendable {
  public let title: String
  public let summary: String
  public let fields: [FieldDescription]
  public let ignoredKeys: [String]
  public let passthroughKeys: [String]
  public let unknownKeys: UnknownKeyPolicy
  public let appendingMergeKeys: [String]
  public let fieldNames: [String]

  init(
    title: String, summary: String, fields: [FieldDescription], ignoredKeys: [String], passthroughKeys: [String],
    unknownKeys: UnknownKeyPolicy, appendingMergeKeys: [String]
  ) {
    self.title = title
    self.summary = summary
    self.fields = fields
    self.ignoredKeys = ignoredKeys
    self.passthroughKeys = passthroughKeys
    self.unknownKeys = unknownKeys
    self.appendingMergeKeys = appendingMergeKeys
    fieldNames = fields.map(\.name)
    var seen = Set<String>()
    for name in fieldNames { precondition(seen.insert(name).inserted, "\(title): duplicate field \(name)") }
  }

  public func field(_ name: String) -> FieldDescription? { fields.first { $0.name == name } }
}
