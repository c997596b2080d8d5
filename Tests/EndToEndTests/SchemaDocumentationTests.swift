import Foundation
import ResultStore
import Testing

@Suite("Schema documentation")
struct SchemaDocumentationTests {
  @Test("docs/SCHEMA.md documents every table and column the tool creates")
  func everyColumnDocumented() throws {
    let document = try String(
      contentsOf: PlatformSimProcess.repositoryRoot.appendingPathComponent("docs/SCHEMA.md"), encoding: .utf8)
    let path = PlatformSimProcess.scratchDirectory().appendingPathComponent("schema.sqlite").path
    let store = try ResultStore(path: path)
    let tables = try store.database.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).compactMap { $0.first?.stringValue }
    #expect(!tables.isEmpty)
    for table in tables {
      let heading = "### `\(table)`"
      guard let range = document.range(of: heading) else {
        Issue.record("docs/SCHEMA.md has no section \(heading)")
        continue
      }
      let rest = document[range.upperBound...]
      let section = rest.range(of: "\n### ").map { rest[..<$0.lowerBound] } ?? rest
      for column in try store.columns(of: table) {
        #expect(section.contains("| `\(column)` |"), "docs/SCHEMA.md: \(table).\(column) is not documented")
      }
    }
  }
}
