import Foundation
import InputReading
import Yams

/// Argo Rollouts' `{{args.name}}` substitution in every field of an analysis metric.
///
/// Argo resolves a metric's arguments by rendering the whole metric as text with its
/// arguments (analysis/analysis.go `resolveArgs`, utils/analysis/helpers.go
/// `ResolveArgs`), so a placeholder may stand in `count`, `interval`, `failureLimit`,
/// `successCondition` or any other field, not only in the query. PlatformSim reads a
/// template twice: once on its own, with the arguments' default values and a neutral
/// `1` for arguments without one (so its fields can be checked), and again for each
/// Rollout analysis that names it, with the Rollout's values. Queries keep their
/// placeholders: the ones filled with a service's name are filled per service at run
/// time (``AnalysisSpec``).
enum AnalysisArguments {
  /// `{{args.name}}` or `{{ args.name }}`.
  static let placeholder = #"\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}"#
  /// The value standing in for an argument without one when a template is read on its
  /// own: a valid count, duration (seconds) and number alike.
  static let probe = "1"
  /// Keys whose text keeps its placeholders (filled per service at run time).
  static let runTimeKeys: Set<String> = ["query"]

  /// The argument names and default values a template's `spec.args` declares.
  static func declared(in root: Node) -> [(name: String, value: String?)] {
    guard case .mapping(let top) = root, case .mapping(let spec)? = top["spec"],
      case .sequence(let arguments)? = spec["args"]
    else { return [] }
    return arguments.compactMap { argument in
      guard case .mapping(let mapping) = argument, let name = mapping["name"]?.string else { return nil }
      return (name, mapping["value"]?.string)
    }
  }

  /// Whether `node` has a placeholder outside the keys filled at run time.
  static func hasPlaceholders(_ node: Node, key: String? = nil) -> Bool {
    switch node {
    case .scalar(let scalar):
      guard let key, !runTimeKeys.contains(key) else { return false }
      return scalar.string.range(of: placeholder, options: .regularExpression) != nil
    case .mapping(let mapping):
      return mapping.contains { pair in hasPlaceholders(pair.value, key: pair.key.string ?? key) }
    case .sequence(let sequence):
      return sequence.contains { hasPlaceholders($0, key: key) }
    case .alias:
      return false
    }
  }

  /// Substitutes `{{args.name}}` with `values[name]` in every scalar of `node` outside
  /// the run-time keys.
  ///
  /// A placeholder without a value becomes `unresolved` when given, else stays. Locations (marks) are kept, so messages point into the template.
  static func substitute(_ node: Node, values: [String: String], unresolved: String?, key: String? = nil) -> Node {
    switch node {
    case .scalar(var scalar):
      guard let key, !runTimeKeys.contains(key),
        scalar.string.range(of: placeholder, options: .regularExpression) != nil
      else { return node }
      scalar.string = render(scalar.string, values: values, unresolved: unresolved)
      return .scalar(scalar)
    case .mapping(var mapping):
      for index in mapping.indices {
        let pair = mapping[index]
        mapping[index] = (
          pair.key, substitute(pair.value, values: values, unresolved: unresolved, key: pair.key.string)
        )
      }
      return .mapping(mapping)
    case .sequence(var sequence):
      for index in sequence.indices {
        sequence[index] = substitute(sequence[index], values: values, unresolved: unresolved, key: key)
      }
      return .sequence(sequence)
    case .alias:
      return node
    }
  }

  /// `text` with each placeholder replaced.
  static func render(_ text: String, values: [String: String], unresolved: String?) -> String {
    guard let expression = try? NSRegularExpression(pattern: placeholder) else { return text }
    let source = text as NSString
    var output = ""
    var last = 0
    for match in expression.matches(in: text, range: NSRange(location: 0, length: source.length)) {
      output += source.substring(with: NSRange(location: last, length: match.range.location - last))
      let name = source.substring(with: match.range(at: 1))
      output += values[name] ?? unresolved ?? source.substring(with: match.range)
      last = match.range.location + match.range.length
    }
    return output + source.substring(from: last)
  }
}
