/// One key of a mapping, declared once: its name, the shape its value must have (which
/// also reads it, typed), whether it must be present, its default and what it means.
///
/// Fields are stored properties of an ``ObjectKeys`` type and read through a key path
/// to them, `reader[\.runners]`, so reading a key with the wrong type, or a key the
/// object does not declare, does not compile.
///
/// ```swift
/// final class RunnerPool: ObjectKeys {
///   static let schema = ObjectSchema<RunnerPool>("RunnerPool", "The CI runners pipeline jobs wait for.")
///   let runners = Field("runners", .integer(minimum: 1), required: true, "Number of runners.")
/// }
/// let count: Int? = reader[\.runners]
/// ```
///
/// A small value (its description is shared), so that reading a field copies two
/// references, and no generic class metadata is made per field type at start-up.
public struct Field<Value>: Sendable {
  public let shape: Shape<Value>
  let declaration: FieldDeclaration

  public init(
    _ name: String, _ shape: Shape<Value>, required: Bool = false, default defaultText: String? = nil,
    _ summary: String
  ) {
    self.shape = shape
    declaration = FieldDeclaration(
      FieldDescription(
        name: name, schema: shape.schema, isRequired: required, defaultText: defaultText, summary: summary,
        readsNull: shape.readsNull))
  }

  public var name: String { declaration.description.name }
  public var description: FieldDescription { declaration.description }
}

/// The shared, untyped part of a field; registering it is how ``ObjectSchema`` lists
/// the fields of a type (``DeclaredFields``).
final class FieldDeclaration: Sendable {
  let description: FieldDescription

  init(_ description: FieldDescription) {
    self.description = description
    DeclaredFields.register(description)
  }
}

/// What a field declares, without its value type: what unknown-key checks, the JSON
/// Schema and the key reference read.
public struct FieldDescription: Sendable {
  public let name: String
  public let schema: ValueSchema
  public let isRequired: Bool
  public let defaultText: String?
  public let summary: String
  /// Whether its shape reads a `null` as a value (``Shape/readsNull``).
  public let readsNull: Bool
}
