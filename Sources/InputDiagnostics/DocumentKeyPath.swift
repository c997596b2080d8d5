/// A path to a value in a YAML input file, written as users see it:
/// `spec.cluster.nodePools[1].max`, `route.routes[1].receiver`.
///
/// Shared by every reader that locates its diagnostics (scenario files,
/// alertmanager.yml), so they print paths the same way. Kept structured so a
/// caller can match on it; rendered by ``description``.
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

  public func appending(_ key: String) -> DocumentKeyPath { DocumentKeyPath(components + [.key(key)]) }
  public func appending(index: Int) -> DocumentKeyPath { DocumentKeyPath(components + [.index(index)]) }

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

/// Levenshtein distance between two strings, by characters: what "did you mean"
/// suggestions rank candidates by.
public func editDistance(_ first: String, _ second: String) -> Int {
  let a = Array(first)
  let b = Array(second)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = Array(repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
