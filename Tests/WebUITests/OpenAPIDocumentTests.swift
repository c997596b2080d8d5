import Foundation
import Testing
import Yams

@testable import WebUI

@Suite("docs/openapi.yaml")
struct OpenAPIDocumentTests {
  @Test("every route of the site is documented, and every documented path is a route")
  func routesDocumented() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    let document = try #require(try Yams.load(yaml: text) as? [String: Any])
    let paths = try #require(document["paths"] as? [String: Any])
    let documented = Set(paths.keys)
    let routes = Set(ResultsSite.routes.map(\.template))
    #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
    #expect(documented.subtracting(routes).isEmpty, "not served: \(documented.subtracting(routes).sorted())")
  }
}
