/// The shape of a value in an input file, as documentation.
///
/// What the published JSON Schema, the Markdown key reference and the "expected …"
/// part of messages are made from. Every ``Shape`` carries one, so the reader and what
/// is published about it are the same declaration.
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
  /// A mapping with declared keys.
  case object(ObjectType)
  case array(of: ValueSchema, minimumCount: Int = 0, exactCount: Int? = nil)
  /// A mapping with free-form keys (names chosen by the user), all values alike.
  case dictionary(of: ValueSchema)
  /// A distribution of durations (`5m`, `{exponential: {mean: 5m}}`, …).
  case durationDistribution
  /// A distribution of plain numbers.
  case numberDistribution
  /// Either of several shapes (e.g. a number or a string).
  case oneOf([ValueSchema])
  /// Anything: a value the format accepts without looking into it.
  case any(description: String)

  /// Positive durations are the common case; zero is allowed only where it means "none".
  public enum DurationRule: Sendable {
    case positive
    case nonNegative
  }

  /// A declared object, referred to by type so that objects can nest themselves (a
  /// route's `routes`) without building their schemas at declaration time.
  public struct ObjectType: Sendable {
    public let type: any ObjectKeys.Type
    public init(_ type: any ObjectKeys.Type) { self.type = type }
    public var description: ObjectDescription { type.objectDescription }
  }

  /// How the expected value is described in messages: "a positive duration such as `5m`".
  public var expectation: String {
    switch self {
    case .string: return "a string"
    case .choice(let options): return "one of " + options.map { "`\($0)`" }.joined(separator: ", ")
    case .integer(let minimum, let maximum):
      switch (minimum, maximum) {
      case (let low?, let high?): return "an integer from \(low) to \(high)"
      case (let low?, nil):
        return low == 0
          ? "a non-negative integer" : low == 1 ? "a positive integer" : "an integer of at least \(low)"
      case (nil, let high?): return "an integer of at most \(high)"
      case (nil, nil): return "an integer"
      }
    case .number(let minimum, let maximum, let exclusive):
      switch (minimum, maximum) {
      case (let low?, let high?):
        return exclusive
          ? "a number above \(formatNumber(low)) and at most \(formatNumber(high))"
          : "a number from \(formatNumber(low)) to \(formatNumber(high))"
      case (let low?, nil):
        return low == 0
          ? (exclusive ? "a positive number" : "a non-negative number") : "a number of at least \(formatNumber(low))"
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
      return
        "a duration distribution such as `5m` or `{exponential: {mean: 5m}}` or `{lognormal: {median: 3m, p90: 10m}}`"
    case .numberDistribution:
      return "a number distribution such as `3` or `{uniform: {min: 1, max: 5}}`"
    case .oneOf(let options): return options.map(\.expectation).joined(separator: " or ")
    case .any(let description): return description
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

/// A number as a person writes it: `3` rather than `3.0`, `0.25` as is.
public func formatNumber(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
