/// Renders an input format's declaration as a Markdown key reference (the one in
/// docs/SCENARIOS.md), so the documentation lists exactly the keys the reader accepts
/// (a test keeps it current).
public enum KeyReferenceWriter {
  public static let beginMarker = "<!-- BEGIN GENERATED KEY REFERENCE (platformsim schema --format markdown) -->"
  public static let endMarker = "<!-- END GENERATED KEY REFERENCE -->"

  /// One section per object type, in the order they are first reached from the top.
  public static func markdown(for format: InputFormat) -> String {
    var sections: [String] = []
    var seen = Set<String>()
    var pending: [(ObjectDescription, String)] = [(format.root.description, "(top level)")]
    while !pending.isEmpty {
      let (object, path) = pending.removeFirst()
      guard seen.insert(object.title).inserted else { continue }
      var lines = [
        "### \(object.title)", "", "At `\(path)`. \(object.summary)", "",
        "| key | value | required | default | meaning |", "|---|---|---|---|---|",
      ]
      for field in object.fields {
        let childPath = path == "(top level)" ? field.name : "\(path).\(field.name)"
        for nested in nestedObjects(field.schema) {
          pending.append((nested, childPath + (isList(field.schema) ? "[]" : "")))
        }
        lines.append(
          "| `\(field.name)` | \(describe(field.schema)) | \(field.isRequired ? "yes" : "no") | \(field.defaultText.map { "\($0)" } ?? "") | \(field.summary) |"
        )
      }
      sections.append(lines.joined(separator: "\n"))
    }
    return sections.joined(separator: "\n\n") + "\n"
  }

  static func nestedObjects(_ schema: ValueSchema) -> [ObjectDescription] {
    switch schema {
    case .object(let object): return [object.description]
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
    case .object(let object):
      let title = object.description.title
      return "[\(title)](#\(title.lowercased()))"
    case .array(let element, _, _): return "list of " + describe(element)
    case .dictionary(let element): return "map of names to " + describe(element)
    default: return schema.expectation.replacingOccurrences(of: "|", with: "\\|")
    }
  }
}
