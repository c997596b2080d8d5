import Foundation

/// State shared while one file is read: its name for messages, its directory for
/// relative paths, its format's conventions, and the log that collects every problem.
public final class ReadContext {
  public let file: String
  public let directory: URL
  public let log: DiagnosticLog
  public let conventions: InputConventions
  /// The document of a multi-document stream being read, for locations.
  public let document: Int?

  public init(file: String, log: DiagnosticLog, conventions: InputConventions = .platformSim, document: Int? = nil) {
    self.file = file
    directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    self.log = log
    self.conventions = conventions
    self.document = document
  }

  /// The location of a line and column of this file.
  public func location(line: Int, column: Int) -> FileLocation {
    FileLocation(file: file, line: line, column: column, document: document)
  }
}
