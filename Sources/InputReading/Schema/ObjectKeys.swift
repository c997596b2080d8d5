/// The keys of one kind of mapping in an input format, declared as stored ``Field``
/// properties of a type conforming to this protocol.
///
/// The type's `schema` collects its fields (in declaration order) with the object's
/// title and summary; readers, unknown-key checks, the JSON Schema and the key
/// reference all come from it.
public protocol ObjectKeys: Sendable {
  /// The fields with their declared values.
  init()
  /// Declared once per type: `static let schema = ObjectSchema<Self>("Title", "Summary.")`.
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
public final class ObjectSchema<Keys: ObjectKeys>: Sendable {
  public let keys: Keys
  public let description: ObjectDescription

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
    let keys = Keys()
    var fields: [FieldDescription] = []
    for child in Mirror(reflecting: keys).children {
      if let field = child.value as? any DescribedField {
        fields.append(field.fieldDescription)
      } else if let list = child.value as? [any DescribedField] {
        fields += list.map(\.fieldDescription)
      }
    }
    self.keys = keys
    description = ObjectDescription(
      title: title, summary: summary, fields: fields, ignoredKeys: ignoredKeys, passthroughKeys: passthroughKeys,
      unknownKeys: unknownKeys, appendingMergeKeys: appendingMergeKeys)
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
