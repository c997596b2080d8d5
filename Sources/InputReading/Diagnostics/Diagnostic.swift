/// One problem found in an input file: how serious, where (file, line, column and key
/// path), what was found and expected, and how to fix it.
///
/// The one diagnostic type of every reader — scenario files, the Argo Rollouts and
/// Flagger resources they name, rule files, promtool test files, alertmanager.yml, gate,
/// sweep and table files. Structured like swift-argument-parser's `ParserError`: the
/// data is kept apart (callers and tests match on the location and key path) and
/// rendered to text in one place, ``rendered``.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  /// `error` refuses the file; `warning` reports something accepted but not modelled.
  public enum Severity: String, Hashable, Sendable {
    case error
    case warning
  }

  public var severity: Severity
  public var location: FileLocation
  public var keyPath: DocumentKeyPath
  /// What was found and what was expected.
  public var message: String
  /// How to fix it ("did you mean `nodePools`?").
  public var hint: String?

  public init(
    severity: Severity = .error, at location: FileLocation, keyPath: DocumentKeyPath = .root, message: String,
    hint: String? = nil
  ) {
    self.severity = severity
    self.location = location
    self.keyPath = keyPath
    self.message = message
    self.hint = hint
  }

  public init(
    severity: Severity = .error, file: String, line: Int = 0, column: Int = 0, keyPath: DocumentKeyPath = .root,
    message: String, hint: String? = nil
  ) {
    self.init(
      severity: severity, at: FileLocation(file: file, line: line, column: column), keyPath: keyPath,
      message: message, hint: hint)
  }

  public var file: String {
    get { location.file }
    set { location.file = newValue }
  }
  public var line: Int { location.line }
  public var column: Int { location.column }

  /// The diagnostic as `file:line:column: severity: key.path: message; hint`.
  ///
  /// The form compilers use, so editors and CI annotators can jump to it. The key path
  /// is left out for the document as a whole; a document index, when set, comes
  /// before it.
  public var rendered: String {
    let document = location.document.map { "document \($0 + 1): " } ?? ""
    let path = keyPath.components.isEmpty ? "" : "\(keyPath): "
    return "\(location): \(severity.rawValue): \(document)\(path)\(message)" + (hint.map { "; \($0)" } ?? "")
  }

  public var description: String { rendered }
}

/// Every problem found while reading one or more files: errors and warnings, in the
/// order they were found (or in file order, for formats that sort them).
public struct DiagnosticsError: Error, CustomStringConvertible, Sendable {
  public var diagnostics: [Diagnostic]

  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

  public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
  public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

  /// Rendered diagnostics one per line, then `N error(s) found`.
  public var description: String {
    let count = errors.count
    return diagnostics.map(\.rendered).joined(separator: "\n") + "\n\(count) error\(count == 1 ? "" : "s") found"
  }
}

/// Collects diagnostics while files are read, so every error is reported at once.
///
/// A class because every value read from a file (and from the files it names) logs
/// into the same one.
public final class DiagnosticLog {
  public private(set) var diagnostics: [Diagnostic] = []

  public init() {}

  public func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
  public func add(contentsOf other: [Diagnostic]) { diagnostics += other }

  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
  public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }

  /// The diagnostics of one file ordered by line and column (found order among
  /// equals), as a compiler lists them, whatever order the checks ran in.
  public var diagnosticsInFileOrder: [Diagnostic] {
    diagnostics.enumerated().sorted { left, right in
      let (a, b) = (left.element.location, right.element.location)
      return (a.line, a.column, left.offset) < (b.line, b.column, right.offset)
    }.map(\.element)
  }
}
