/// Where in an input file something was found: file, line and column, and — for a
/// stream of several YAML documents — which document.
///
/// Lines and columns count from 1 in the whole file (a multi-document stream keeps
/// counting across `---`), so an editor can jump to them; line 0 means the file as a
/// whole. `document` is `nil` for a file read as one document; multi-document readers
/// (Kubernetes manifests holding a Service, a Rollout and an AnalysisTemplate) set it,
/// and it is printed before the key path so that `file:line:column:` stays first.
public struct FileLocation: Hashable, Sendable, CustomStringConvertible {
  public var file: String
  /// 1-based line; 0 when the problem concerns the file as a whole.
  public var line: Int
  /// 1-based column (in Unicode scalars, as libyaml counts).
  public var column: Int
  /// 0-based index of the document in a multi-document YAML stream.
  public var document: Int?

  public init(file: String, line: Int = 0, column: Int = 0, document: Int? = nil) {
    self.file = file
    self.line = line
    self.column = column
    self.document = document
  }

  /// `file:line:column`, or `file` for the file as a whole.
  public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}
