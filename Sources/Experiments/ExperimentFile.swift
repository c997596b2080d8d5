import Foundation
import InputReading
import Scenario
import Yams

/// The part every experiment file (`Gate`, `Sweep`) shares.
///
/// Parses the YAML, checks it against its keys, reads `apiVersion`, `kind` and `name`
/// (default: the file name). The caller reads the rest from `reader` and reports
/// through `log`.
struct ExperimentFile<Keys: ExperimentKeys> {
  let log: DiagnosticLog
  /// `nil` when the document is not a mapping (already reported in `log`).
  let reader: ObjectReader<Keys>?
  let name: String

  init(path: String, format: InputFormat) throws(ExperimentError) {
    let root: Node
    do {
      root = try ScenarioLoader.parseFile(path: path)
    } catch {
      throw .invalidFile(error)
    }
    log = DiagnosticLog()
    let context = ReadContext(file: path, log: log, conventions: format.conventions)
    reader = YAMLValue(node: root, path: .root, context: context).readObject(Keys.self)
    _ = reader?[\.apiVersion]
    _ = reader?[\.kind]
    name = reader?[\.name] ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
  }
}

/// The keys every experiment file starts with.
protocol ExperimentKeys: ObjectKeys {
  var apiVersion: Field<String> { get }
  var kind: Field<String> { get }
  var name: Field<String> { get }
}
