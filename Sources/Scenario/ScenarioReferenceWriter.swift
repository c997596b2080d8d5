/// Renders ``ScenarioSchema`` as the key reference of docs/SCENARIOS.md, so the
/// documentation lists exactly the keys the loader accepts (a test keeps it current).
public enum ScenarioReferenceWriter {
  public static let beginMarker = "<!-- BEGIN GENERATED KEY REFERENCE (platformsim schema --format markdown) -->"
  public static let endMarker = "<!-- END GENERATED KEY REFERENCE -->"

  /// One section per object type, in the order they are first reached from the top.
  public static func markdown() -> String {
    var sections: [String] = []
    var seen = Set<String>()
    var pending: [(ObjectSchema, String)] = [(ScenarioSchema.document, "(top level)")]
    while !pending.isEmpty {
      let (object, path) = pending.removeFirst()
      guard seen.insert(object.title).inserted else { continue }
      var lines = ["### \(object.title)", "", "At `\(path)`. \(object.summary)", "", "| key | value | required | default | meaning |", "|---|---|---|---|---|"]
      for field in object.fields {
        let childPath = path == "(top level)" ? field.name : "\(path).\(field.name)"
        for nested in nestedObjects(field.schema) { pending.append((nested, childPath + (isList(field.schema) ? "[]" : ""))) }
        lines.append(
          "| `\(field.name)` | \(describe(field.schema)) | \(field.required ? "yes" : "no") | \(field.defaultText.map { "\($0)" } ?? "") | \(field.summary) |")
      }
      sections.append(lines.joined(separator: "\n"))
    }
    return sections.joined(separator: "\n\n") + "\n"
  }

  static func nestedObjects(_ schema: ValueSchema) -> [ObjectSchema] {
    switch schema {
    case .object(let object): return [object]
    case .array(let element, _, _), .dictionary(let element): return nestedObjects(element)
    case .oneOf(let options): return options.flatMap(nestedObjects)
    default: return []
    }
  }

  static func isList(_ schema: ValueSchema) -> Bool {
    if case .array = schema { return true }
    return false
  }

  static func describe(_ schema: ValueSchema) -> String {
    switch schema {
    case .object(let object): return "[\(object.title)](#\(object.title.lowercased()))"
    case .array(let element, _, _): return "list of " + describe(element)
    case .dictionary(let element): return "map of names to " + describe(element)
    default: return schema.expectation.replacingOccurrences(of: "|", with: "\\|")
    }
  }
}
