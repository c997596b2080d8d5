import InputDiagnostics

/// A path to a value in a scenario file, written as users see it:
/// `spec.cluster.nodePools[1].max`.
public typealias KeyPath = DocumentKeyPath

/// One problem found in an input file, located to file, line, column and key path.
///
/// Structured like swift-argument-parser's `ParserError`: the data is kept apart and
/// rendered to text in one place, ``rendered``.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Severity: String, Sendable {
    case error
    case warning
  }

  public var severity: Severity
  public var file: String
  /// 1-based line; 0 when the problem concerns the file as a whole.
  public var line: Int
  /// 1-based column.
  public var column: Int
  public var keyPath: KeyPath
  /// What was found and what was expected.
  public var message: String
  /// How to fix it, e.g. "did you mean `nodePools`?".
  public var hint: String?

  public init(
    severity: Severity = .error, file: String, line: Int, column: Int, keyPath: KeyPath, message: String,
    hint: String? = nil
  ) {
    self.severity = severity
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.message = message
    self.hint = hint
  }

  /// `file:line:column: error: key.path: message; hint`, the form compilers use, so
  /// editors and CI annotators can jump to it.
  public var rendered: String {
    renderDiagnostic(
      file: file, line: line, column: column, severity: severity.rawValue, keyPath: keyPath, message: message, hint: hint)
  }

  public var description: String { rendered }
}

/// All problems found while reading one or more files.
public struct DiagnosticsError: Error, CustomStringConvertible, Sendable {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

  public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

  public var description: String { renderDiagnostics(diagnostics.map(\.rendered), errorCount: errors.count) }
}

/// Collects diagnostics while a file is read, so every error is reported at once.
public final class DiagnosticLog {
  public private(set) var diagnostics: [Diagnostic] = []
  public init() {}
  public func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
  public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
}

