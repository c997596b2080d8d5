import InputReading
import Scenario
import Yams

/// A key path into a scenario's YAML, as users write it: `spec.teams[0].defects.probability`.
public struct ScenarioKeyPath: Sendable, Equatable, CustomStringConvertible {
  public var components: [DocumentKeyPath.Component]
  public var description: String { DocumentKeyPath(components).description }

  /// Parses `a.b[2].c`; `nil` for an empty or malformed path.
  public init?(parsing text: String) {
    guard let path = DocumentKeyPath(parsing: text) else { return nil }
    components = path.components
  }
}

/// Edits a scenario's parsed YAML before it is decoded, so a sweep can vary any
/// value the scenario format has, with the scenario's own validation applied to the
/// result.
public enum ScenarioPatch {
  /// Why a path could not be applied: the longest prefix that exists, the component
  /// that does not, and the keys available there.
  public struct Missing: Error, Sendable {
    public var missing: String
    public var available: [String]
  }

  /// `root` with the value at `path` replaced by `value`; the path must already exist.
  public static func replacing(in root: Node, at path: ScenarioKeyPath, with value: Node) -> Result<Node, Missing> {
    replace(root, path.components[...], prefix: [], value: value)
  }

  private static func replace(
    _ node: Node, _ path: ArraySlice<DocumentKeyPath.Component>, prefix: [DocumentKeyPath.Component], value: Node
  ) -> Result<Node, Missing> {
    guard let first = path.first else { return .success(value) }
    let here = prefix + [first]
    switch (first, node) {
    case (.key(let key), .mapping(var mapping)):
      guard let child = mapping[key] else {
        return .failure(
          Missing(missing: DocumentKeyPath(here).description, available: mapping.keys.compactMap(\.string)))
      }
      switch replace(child, path.dropFirst(), prefix: here, value: value) {
      case .success(let replaced):
        mapping[key] = replaced
        return .success(.mapping(mapping))
      case .failure(let missing):
        return .failure(missing)
      }
    case (.index(let index), .sequence(var sequence)):
      guard index < sequence.count else {
        return .failure(
          Missing(missing: DocumentKeyPath(here).description, available: sequence.indices.map { "[\($0)]" }))
      }
      switch replace(sequence[index], path.dropFirst(), prefix: here, value: value) {
      case .success(let replaced):
        sequence[index] = replaced
        return .success(.sequence(sequence))
      case .failure(let missing):
        return .failure(missing)
      }
    default:
      return .failure(Missing(missing: DocumentKeyPath(here).description, available: []))
    }
  }
}
