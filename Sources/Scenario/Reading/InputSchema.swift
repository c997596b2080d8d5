/// The shape of a value in a scenario file: one description that drives both
/// validation (``YAMLValue``) and the published JSON Schema (``JSONSchemaWriter``),
/// so the two cannot drift apart.
public indirect enum ValueSchema: Sendable {
  case string(pattern: String? = nil)
  /// One of a fixed set of strings.
  case choice([String])
  case integer(minimum: Int? = nil, maximum: Int? = nil)
  case number(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false)
  case boolean
  /// A duration string such as `90s`, `5m`, `2h30m`, `30d`.
  case duration(DurationRule)
  /// An ISO 8601 date-time, with or without a UTC offset.
  case instant
  /// A path to another file, relative to the file that names it.
  case filePath
  case object(ObjectSchema)
  case array(of: ValueSchema, minimumCount: Int = 0, exactCount: Int? = nil)
  /// A mapping with free-form keys (names chosen by the user), all values alike.
  case dictionary(of: ValueSchema)
  /// A distribution of durations (`5m`, `{exponential: {mean: 5m}}`, …).
  case durationDistribution
  /// A distribution of plain numbers.
  case numberDistribution
  /// Either of several shapes (e.g. a number or a string).
  case oneOf([ValueSchema])

  /// Positive durations are the common case; zero is allowed only where it means "none".
  public enum DurationRule: Sendable {
    case positive
    case nonNegative
  }

  /// How the expected value is described in messages: "a positive duration such as `5m`".
  public var expectation: String {
    switch self {
    case .string: return "a string"
    case .choice(let options): return "one of " + options.map { "`\($0)`" }.joined(separator: ", ")
    case .integer(let minimum, let maximum):
      switch (minimum, maximum) {
      case (let low?, let high?): return "an integer from \(low) to \(high)"
      case (let low?, nil): return low == 0 ? "a non-negative integer" : low == 1 ? "a positive integer" : "an integer of at least \(low)"
      case (nil, let high?): return "an integer of at most \(high)"
      case (nil, nil): return "an integer"
      }
    case .number(let minimum, let maximum, let exclusive):
      switch (minimum, maximum) {
      case (let low?, let high?): return "a number from \(formatNumber(low)) to \(formatNumber(high))"
      case (let low?, nil):
        return low == 0 ? (exclusive ? "a positive number" : "a non-negative number") : "a number of at least \(formatNumber(low))"
      case (nil, let high?): return "a number of at most \(formatNumber(high))"
      case (nil, nil): return "a number"
      }
    case .boolean: return "`true` or `false`"
    case .duration(let rule):
      return (rule == .positive ? "a positive duration" : "a duration") + " such as `90s`, `5m`, `2h30m` or `30d`"
    case .instant: return "an ISO 8601 date-time such as `2026-01-05T00:00:00Z` or `2026-01-05T08:00:00` (local)"
    case .filePath: return "a file path (relative to this file)"
    case .object: return "a mapping of keys to values"
    case .array(let element, _, let exact):
      return exact.map { "a list of exactly \($0) values" } ?? "a list of \(element.expectation.removingArticle)"
    case .dictionary: return "a mapping of names to values"
    case .durationDistribution:
      return "a duration distribution such as `5m` or `{exponential: {mean: 5m}}` or `{lognormal: {median: 3m, p90: 10m}}`"
    case .numberDistribution:
      return "a number distribution such as `3` or `{uniform: {min: 1, max: 5}}`"
    case .oneOf(let options): return options.map(\.expectation).joined(separator: " or ")
    }
  }
}

extension String {
  var removingArticle: String {
    if hasPrefix("a ") { return String(dropFirst(2)) + "s" }
    if hasPrefix("an ") { return String(dropFirst(3)) + "s" }
    return self
  }
}

func formatNumber(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// One key of an object: its name, shape, whether it must be present, and what it means.
public struct FieldSchema: Sendable {
  public let name: String
  public let schema: ValueSchema
  public let required: Bool
  public let summary: String
  /// The default, in the text a user would write; documentation only.
  public let defaultText: String?

  public init(_ name: String, _ schema: ValueSchema, required: Bool = false, default defaultText: String? = nil, _ summary: String) {
    self.name = name
    self.schema = schema
    self.required = required
    self.summary = summary
    self.defaultText = defaultText
  }
}

/// The keys an object accepts. Unknown keys are errors, with a suggestion.
public final class ObjectSchema: Sendable {
  public let title: String
  public let summary: String
  public let fields: [FieldSchema]
  /// Keys that may appear but are not interpreted (a warning is given instead of an error).
  public let ignoredKeys: [String]
  /// Keys of a real resource format that do not affect the simulation (a Rollout's pod
  /// `template`, `selector`): accepted silently.
  public let passthroughKeys: [String]

  public init(
    _ title: String, _ summary: String, ignoredKeys: [String] = [], passthroughKeys: [String] = [], fields: [FieldSchema]
  ) {
    self.title = title
    self.summary = summary
    self.fields = fields
    self.ignoredKeys = ignoredKeys
    self.passthroughKeys = passthroughKeys
    var seen = Set<String>()
    for field in fields { precondition(seen.insert(field.name).inserted, "\(title): duplicate field \(field.name)") }
  }

  public func field(_ name: String) -> FieldSchema? { fields.first { $0.name == name } }
  public var fieldNames: [String] { fields.map(\.name) }
}
