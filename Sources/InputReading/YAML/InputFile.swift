import Foundation
import Yams

/// Reads input files and parses their YAML, turning every way that can fail into a
/// located ``Diagnostic``: a missing or unreadable file, text that is not UTF-8, YAML
/// syntax, duplicate keys, an empty file.
public enum InputFile {
  /// The bytes and text of the file at `path`.
  ///
  /// - Parameter kind: what the file should be, for the message when it is a
  ///   directory ("a scenario file").
  public static func read(_ path: String, kind: String) -> Result<(data: Data, text: String), Diagnostic> {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      var isDirectory: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      let message = !exists ? "no such file" : isDirectory.boolValue ? "is a directory, not \(kind)" : "cannot be read"
      return .failure(Diagnostic(file: path, message: message))
    }
    guard let text = String(data: data, encoding: .utf8) else {
      return .failure(Diagnostic(file: path, message: "the file is not UTF-8 text"))
    }
    return .success((data, text))
  }

  /// Parses the one YAML document of `text`; `nil` after logging a syntax error or,
  /// when `emptyHint` is given, an empty file.
  ///
  /// - Parameter emptyHint: what the file should start with; `nil` when an empty file
  ///   is allowed (then the result is `nil` without an error).
  public static func parseDocument(
    _ text: String, file: String, log: DiagnosticLog, conventions: InputConventions = .platformSim,
    emptyHint: String?
  ) -> Node? {
    do {
      guard let node = try Yams.compose(yaml: text) else {
        if let emptyHint {
          log.add(Diagnostic(file: file, line: 1, column: 1, message: "the file is empty", hint: emptyHint))
        }
        return nil
      }
      return node
    } catch let error as YamlError {
      log.add(diagnostic(for: error, file: file, conventions: conventions))
    } catch {
      log.add(Diagnostic(file: file, message: "cannot parse YAML: \(error)"))
    }
    return nil
  }

  /// Parses every document of a YAML stream (`---`-separated), as rule files are.
  public static func parseDocuments(
    _ text: String, file: String, log: DiagnosticLog, conventions: InputConventions = .platformSim
  ) -> [Node]? {
    do {
      var documents: [Node] = []
      // The sequence keeps a syntax error to itself and just ends; ask it afterwards,
      // or a broken document would silently cut the stream short.
      var sequence = try Yams.compose_all(yaml: text)
      while let node = sequence.next() { documents.append(node) }
      if let error = sequence.error { throw error }
      return documents
    } catch let error as YamlError {
      log.add(diagnostic(for: error, file: file, conventions: conventions))
    } catch {
      log.add(Diagnostic(file: file, message: "cannot parse YAML: \(error)"))
    }
    return nil
  }

  /// A YAML error as a diagnostic at the position libyaml reports.
  public static func diagnostic(for error: YamlError, file: String, conventions: InputConventions) -> Diagnostic {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let contextText = context.map { " (\($0.text))" } ?? ""
      return Diagnostic(
        file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)\(contextText)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      return Diagnostic(
        file: file, line: context.mark.line, column: context.mark.column,
        message: "duplicate key " + duplicates.map(conventions.quote).joined(separator: ", ")
          + " in a mapping",
        hint: "each key may appear once; the later value would silently win elsewhere")
    case .reader(let problem, _, _, _):
      return Diagnostic(file: file, message: "invalid YAML: \(problem)")
    default:
      return Diagnostic(file: file, message: "invalid YAML: \(error)")
    }
  }
}
