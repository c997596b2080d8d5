import InputDiagnostics

/// One problem found in an alertmanager.yml, located to file, line, column and key path.
///
/// Why a value and not a string: callers (the scenario validator, CI annotators, tests)
/// match on the location and the kind; the text is produced in one place,
/// ``rendered``, like swift-argument-parser's `ParserError`. The checks themselves
/// mirror `config.Load` in alertmanager's config/config.go, which rejects the same
/// files (unknown keys through strict YAML decoding, undefined receivers, bad
/// durations and regexes).
public struct AlertmanagerDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  /// What went wrong, with the failing input; the message text is derived from it.
  public enum Kind: Hashable, Sendable {
    /// The YAML itself does not parse.
    case syntax(String)
    /// A key the schema does not know; `suggestion` is the nearest known key.
    case unknownKey(String, suggestion: String?)
    /// A value of the wrong shape, e.g. a list where a mapping belongs.
    case typeMismatch(found: String, expected: String)
    /// A required key is absent.
    case missingKey(String)
    /// A route names a receiver that `receivers` does not define.
    case unknownReceiver(String, suggestion: String?)
    /// Two receivers share a name; `firstLine` is where the first one is defined.
    case duplicateReceiver(String, firstLine: Int)
    /// A route names a time interval that `time_intervals` does not define.
    case unknownTimeInterval(String, suggestion: String?)
    /// Two time intervals share a name.
    case duplicateTimeInterval(String, firstLine: Int)
    /// Not a Prometheus duration (`30s`, `5m`, `1h30m`).
    case invalidDuration(String)
    /// A regular expression that does not compile (or uses syntax RE2 lacks).
    case invalidRegex(String, reason: String)
    /// A matcher such as `severity="critical"` that does not parse.
    case invalidMatcher(String, reason: String)
    /// A label name that is not `[a-zA-Z_][a-zA-Z0-9_]*`.
    case invalidLabelName(String)
    /// Any other rule of config.go, with its own message.
    case invalid(String, hint: String?)
  }

  public var file: String
  /// 1-based line; 0 when unknown.
  public var line: Int
  /// 1-based column.
  public var column: Int
  public var keyPath: DocumentKeyPath
  public var kind: Kind

  public init(file: String, line: Int, column: Int, keyPath: DocumentKeyPath, kind: Kind) {
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.kind = kind
  }

  /// What was found and what was expected.
  public var message: String {
    switch kind {
    case .syntax(let problem): return "invalid YAML: \(problem)"
    case .unknownKey(let key, _): return "unknown key \(AlertmanagerText.quoted(key))"
    case .typeMismatch(let found, let expected): return "found \(found), expected \(expected)"
    case .missingKey(let key): return "missing required key \(AlertmanagerText.quoted(key))"
    case .unknownReceiver(let name, _): return "unknown receiver \(AlertmanagerText.quoted(name))"
    case .duplicateReceiver(let name, let firstLine):
      return "duplicate receiver name \(AlertmanagerText.quoted(name)) (first defined on line \(firstLine))"
    case .unknownTimeInterval(let name, _): return "unknown time interval \(AlertmanagerText.quoted(name))"
    case .duplicateTimeInterval(let name, let firstLine):
      return "duplicate time interval name \(AlertmanagerText.quoted(name)) (first defined on line \(firstLine))"
    case .invalidDuration(let text): return "invalid duration \(AlertmanagerText.quoted(text))"
    case .invalidRegex(let text, let reason):
      return "invalid regular expression \(AlertmanagerText.quoted(text)): \(reason)"
    case .invalidMatcher(let text, let reason): return "invalid matcher \(AlertmanagerText.quoted(text)): \(reason)"
    case .invalidLabelName(let name): return "invalid label name \(AlertmanagerText.quoted(name))"
    case .invalid(let message, _): return message
    }
  }

  /// How to fix it, if there is something specific to say.
  public var hint: String? {
    switch kind {
    case .unknownKey(_, let suggestion), .unknownReceiver(_, let suggestion), .unknownTimeInterval(_, let suggestion):
      return suggestion.map { "did you mean \(AlertmanagerText.quoted($0))?" }
    case .invalidDuration:
      return "use a Prometheus duration such as 30s, 5m or 1h30m (units y w d h m s ms, largest first, whole numbers)"
    case .invalidLabelName:
      return "label names match [a-zA-Z_][a-zA-Z0-9_]*"
    case .invalidMatcher:
      return "write matchers as name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\""
    case .invalid(_, let hint):
      return hint
    default:
      return nil
    }
  }

  /// `file:line:column: error: key.path: message; hint` — the form compilers use, so
  /// editors and CI annotators can jump to it.
  public var rendered: String {
    renderDiagnostic(file: file, line: line, column: column, severity: "error", keyPath: keyPath, message: message, hint: hint)
  }

  public var description: String { rendered }
}

/// Every problem found in one alertmanager.yml; thrown by ``AlertmanagerConfig/parse(yaml:file:)``.
///
/// The reader keeps going after an error so that one run reports them all.
public struct AlertmanagerConfigError: Error, Sendable, CustomStringConvertible {
  public var diagnostics: [AlertmanagerDiagnostic]

  public init(_ diagnostics: [AlertmanagerDiagnostic]) { self.diagnostics = diagnostics }

  public var description: String { renderDiagnostics(diagnostics.map(\.rendered), errorCount: diagnostics.count) }
}

/// Text helpers shared by the Alertmanager files: Go-style quoting, label-set
/// printing and ordering as alertmanager does them.
///
/// A namespace so that these names cannot collide with the rest of the module.
enum AlertmanagerText {}

extension AlertmanagerText {
  /// `"text"` with Go's `%q` escaping, as alertmanager prints names in its own errors.
  static func quoted(_ text: String) -> String { AlertmanagerText.goQuoted(text) }
}
