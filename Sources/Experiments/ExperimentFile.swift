import Foundation
import Scenario
import Yams

/// The part every experiment file (`Gate`, `Sweep`) shares: parse the YAML, check it
/// against its schema, read `apiVersion`, `kind` and `name` (default: the file name).
/// The caller reads the rest from `reader` and reports through `log`.
struct ExperimentFile {
  let log: DiagnosticLog
  /// `nil` when the document is not a mapping (already reported in `log`).
  let reader: ObjectReader?
  let name: String

  init(path: String, schema: ObjectSchema) throws(ExperimentError) {
    let root: Node
    do {
      root = try ScenarioLoader.parseFile(path: path)
    } catch {
      throw .invalidFile(error)
    }
    log = DiagnosticLog()
    reader = YAMLValue(node: root, path: .root, context: ReadContext(file: path, log: log)).readObject(schema)
    _ = reader?.string("apiVersion")
    _ = reader?.string("kind")
    name = reader?.string("name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
  }
}
