/// A JSON value with a deterministic, pretty serialisation (keys in insertion order).
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

  /// Pretty JSON with two-space indentation and a trailing newline at top level.
  public func serialized(indent: Int = 0) -> String {
    let padding = String(repeating: "  ", count: indent + 1)
    let closing = String(repeating: "  ", count: indent)
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .number(let value): return formatNumber(value)
    case .string(let value): return JSONValue.quote(value)
    case .array(let values):
      if values.isEmpty { return "[]" }
      if values.allSatisfy({
        if case .string = $0 { return true }; if case .number = $0 { return true }; return false
      }) {
        return "[" + values.map { $0.serialized() }.joined(separator: ", ") + "]"
      }
      return "[\n" + values.map { padding + $0.serialized(indent: indent + 1) }.joined(separator: ",\n")
        + "\n\(closing)]"
    case .object(let pairs):
      if pairs.isEmpty { return "{}" }
      return "{\n"
        + pairs.map { padding + JSONValue.quote($0.0) + ": " + $0.1.serialized(indent: indent + 1) }
        .joined(separator: ",\n") + "\n\(closing)}"
    }
  }

  public static func quote(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}

/// Publishes an input format's declaration as JSON Schema (draft 2020-12).
///
/// Editors with a YAML language server autocomplete and check the files with it, and
/// other tools can validate them. Generated from the same ``ObjectKeys`` the reader
/// reads with.
public enum JSONSchemaWriter {
  /// The JSON Schema of `format`, pretty-printed with a trailing newline.
  public static func schema(for format: InputFormat) -> String {
    var definitions: [(String, JSONValue)] = []
    var seen = Set<String>()
    var usesDuration = false
    var usesDurationDistribution = false
    var usesNumberDistribution = false
    func reference(_ object: ObjectDescription) -> JSONValue {
      if seen.insert(object.title).inserted {
        let placeholderIndex = definitions.count
        definitions.append((object.title, .null))
        definitions[placeholderIndex] = (object.title, objectSchema(object))
      }
      return .object([("$ref", .string("#/$defs/\(object.title)"))])
    }
    func objectSchema(_ object: ObjectDescription) -> JSONValue {
      var properties: [(String, JSONValue)] = []
      for field in object.fields {
        var property = valueSchema(field.schema)
        if case .object(var pairs) = property {
          var description = field.summary
          if let defaultText = field.defaultText { description += " Default: \(defaultText)." }
          pairs.insert(("description", .string(description)), at: 0)
          property = .object(pairs)
        }
        properties.append((field.name, property))
      }
      for ignored in object.ignoredKeys {
        properties.append((ignored, .object([("description", .string("Accepted and ignored (not modelled)."))])))
      }
      for passthrough in object.passthroughKeys {
        properties.append(
          (passthrough, .object([("description", .string("Accepted; does not affect the simulation."))])))
      }
      var pairs: [(String, JSONValue)] = [
        ("type", .string("object")), ("description", .string(object.summary)),
        ("additionalProperties", .bool(object.unknownKeys == .accepted)), ("properties", .object(properties)),
      ]
      let required = object.fields.filter(\.isRequired).map { JSONValue.string($0.name) }
      if !required.isEmpty { pairs.append(("required", .array(required))) }
      return .object(pairs)
    }
    func valueSchema(_ schema: ValueSchema) -> JSONValue {
      switch schema {
      case .string(let pattern):
        var pairs: [(String, JSONValue)] = [("type", .string("string"))]
        if let pattern { pairs.append(("pattern", .string(pattern))) }
        return .object(pairs)
      case .choice(let options):
        return .object([("enum", .array(options.map(JSONValue.string)))])
      case .integer(let minimum, let maximum):
        var pairs: [(String, JSONValue)] = [("type", .string("integer"))]
        if let minimum { pairs.append(("minimum", .number(Double(minimum)))) }
        if let maximum { pairs.append(("maximum", .number(Double(maximum)))) }
        return .object(pairs)
      case .number(let minimum, let maximum, let exclusive):
        var pairs: [(String, JSONValue)] = [("type", .string("number"))]
        if let minimum { pairs.append((exclusive ? "exclusiveMinimum" : "minimum", .number(minimum))) }
        if let maximum { pairs.append(("maximum", .number(maximum))) }
        return .object(pairs)
      case .boolean:
        return .object([("type", .string("boolean"))])
      case .duration:
        usesDuration = true
        return .object([("$ref", .string("#/$defs/Duration"))])
      case .instant:
        return .object([
          ("type", .string("string")),
          ("pattern", .string(#"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$"#)),
        ])
      case .filePath:
        return .object([("type", .string("string")), ("minLength", .number(1))])
      case .object(let object):
        return .object([("allOf", .array([reference(object.description)]))])
      case .array(let element, let minimumCount, let exactCount):
        var pairs: [(String, JSONValue)] = [("type", .string("array")), ("items", valueSchema(element))]
        if let exactCount {
          pairs.append(("minItems", .number(Double(exactCount))))
          pairs.append(("maxItems", .number(Double(exactCount))))
        } else if minimumCount > 0 {
          pairs.append(("minItems", .number(Double(minimumCount))))
        }
        return .object(pairs)
      case .dictionary(let element):
        return .object([("type", .string("object")), ("additionalProperties", valueSchema(element))])
      case .durationDistribution:
        usesDuration = true
        usesDurationDistribution = true
        return .object([("$ref", .string("#/$defs/DurationDistribution"))])
      case .numberDistribution:
        usesNumberDistribution = true
        return .object([("$ref", .string("#/$defs/NumberDistribution"))])
      case .oneOf(let options):
        return .object([("oneOf", .array(options.map(valueSchema)))])
      case .any:
        return .object([])
      }
    }
    guard case .object(var pairs) = objectSchema(format.root.description) else { return "" }
    if usesDuration {
      definitions.append(
        (
          "Duration",
          .object([
            ("type", .string("string")),
            ("description", .string("A duration such as 90s, 5m, 2h30m, 30d (units ms s m h d w y).")),
            ("pattern", .string(#"^([0-9]+(\.[0-9]+)?(ms|us|s|m|h|d|w|y))+$|^0$"#)),
          ])
        ))
    }
    if usesDurationDistribution {
      definitions.append(("DurationDistribution", distributionSchema(valueReference: "#/$defs/Duration")))
    }
    if usesNumberDistribution { definitions.append(("NumberDistribution", distributionSchema(valueReference: nil))) }
    pairs.insert(("$schema", .string("https://json-schema.org/draft/2020-12/schema")), at: 0)
    pairs.insert(("$id", .string(format.schemaID)), at: 1)
    pairs.insert(("title", .string(format.title)), at: 2)
    if !definitions.isEmpty { pairs.append(("$defs", .object(definitions))) }
    return JSONValue.object(pairs).serialized() + "\n"
  }

  static func distributionSchema(valueReference: String?) -> JSONValue {
    let value: JSONValue =
      valueReference.map { .object([("$ref", .string($0))]) } ?? .object([("type", .string("number"))])
    func family(_ name: String, _ parameters: [(String, JSONValue)], required: [String]) -> JSONValue {
      .object([
        ("type", .string("object")), ("additionalProperties", .bool(false)),
        ("required", .array([.string(name)])),
        (
          "properties",
          .object([
            (
              name,
              .object([
                ("type", .string("object")), ("additionalProperties", .bool(false)),
                ("properties", .object(parameters)), ("required", .array(required.map(JSONValue.string))),
              ])
            )
          ])
        ),
      ])
    }
    let number = JSONValue.object([("type", .string("number"))])
    let list = JSONValue.object([("type", .string("array")), ("items", value), ("minItems", .number(1))])
    return .object([
      (
        "description",
        .string(
          "A constant, or one family: constant, uniform, exponential, normal, lognormal, weibull, discrete, empirical.")
      ),
      (
        "oneOf",
        .array([
          value,
          .object([
            ("type", .string("object")), ("required", .array([.string("constant")])),
            ("properties", .object([("constant", value)])), ("additionalProperties", .bool(false)),
          ]),
          family("uniform", [("min", value), ("max", value)], required: ["min", "max"]),
          family("exponential", [("mean", value)], required: ["mean"]),
          family("normal", [("mean", value), ("stddev", value)], required: ["mean", "stddev"]),
          family("lognormal", [("median", value), ("p90", value), ("mu", number), ("sigma", number)], required: []),
          family("weibull", [("shape", number), ("scale", value)], required: ["shape", "scale"]),
          family(
            "discrete", [("values", list), ("weights", .object([("type", .string("array")), ("items", number)]))],
            required: ["values", "weights"]),
          family("empirical", [("values", list)], required: ["values"]),
        ])
      ),
    ])
  }
}
