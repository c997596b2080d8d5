/// A path to a value in an input file, written as users see it:
/// `spec.cluster.nodePools[1].max`, `route.routes[1].receiver`, or a table's column
/// name (`gpu_milli`).
///
/// Kept structured so a caller can match on it (a sweep moves a diagnostic whose path
/// is one of its axes); rendered by ``description``.
public struct DocumentKeyPath: Hashable, Sendable, CustomStringConvertible {
  /// One step: a mapping key or a list index.
  public enum Component: Hashable, Sendable {
    case key(String)
    case index(Int)
  }

  public var components: [Component]

  public init(_ components: [Component] = []) { self.components = components }

  /// The whole document.
  public static let root = DocumentKeyPath()

  public func appending(_ key: String) -> DocumentKeyPath { appending(.key(key)) }
  public func appending(index: Int) -> DocumentKeyPath { appending(.index(index)) }

  func appending(_ component: Component) -> DocumentKeyPath {
    var path = self
    path.components.append(component)
    return path
  }

  /// Parses `a.b[2].c` as written in a sweep axis; `nil` for an empty or malformed path.
  public init?(parsing text: String) {
    var components: [Component] = []
    for segment in text.split(separator: ".", omittingEmptySubsequences: false) {
      var rest = Substring(segment)
      let bracket = rest.firstIndex(of: "[") ?? rest.endIndex
      let key = rest[..<bracket]
      guard !key.isEmpty else { return nil }
      components.append(.key(String(key)))
      rest = rest[bracket...]
      while !rest.isEmpty {
        guard rest.first == "[", let close = rest.firstIndex(of: "]"),
          let index = Int(rest[rest.index(after: rest.startIndex)..<close]), index >= 0
        else { return nil }
        components.append(.index(index))
        rest = rest[rest.index(after: close)...]
      }
    }
    guard !components.isEmpty else { return nil }
    self.components = components
  }

  public var description: String {
    var text = ""
    for component in components {
      switch component {
      case .key(let key): text += text.isEmpty ? key : "." + key
      case .index(let index): text += "[\(index)]"
      }
    }
    return text.isEmpty ? "(document)" : text
  }
}
