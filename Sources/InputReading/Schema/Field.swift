/// One key of a mapping, declared once: its name, the shape its value must have (which
/// also reads it, typed), whether it must be present, its default and what it means.
///
/// Fields are stored properties of an ``ObjectKeys`` type and read through a key path
/// to them, `reader[\.runners]`, so reading a key with the wrong type, or a key the
/// object does not declare, does not compile.
///
/// ```swift
/// struct RunnerPool: ObjectKeys {
///   static let schema = ObjectSchema<Self>("RunnerPool", "The CI runners pipeline jobs wait for.")
///   let runners = Field("runners", .integer(minimum: 1), required: true, "Number of runners.")
/// }
/// let count: Int? = reader[\.runners]
/// ```
public struct Field<Value>: Sendable {
  public let name: String
  public let shape: Shape<Value>
  public let isRequired: Bool
  /// The default, in the text a user would write; documentation only.
  public let defaultText: String?
  public let summary: String

  public init(
    _ name: String, _ shape: Shape<Value>, required: Bool = false, default defaultText: String? = nil,
    _ summary: String
  ) {
    self.name = name
    self.shape = shape
    self.isRequired = required
    self.defaultText = defaultText
    self.summary = summary
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
}

/// A field seen without its value type (how ``ObjectSchema`` collects them).
protocol DescribedField {
  var fieldDescription: FieldDescription { get }
}

extension Field: DescribedField {
  var fieldDescription: FieldDescription {
    FieldDescription(
      name: name, schema: shape.schema, isRequired: isRequired, defaultText: defaultText, summary: summary)
  }
}
