import InputReading
import Testing

@Suite("Diagnostics")
struct DiagnosticTests {
  @Test("a diagnostic renders as file:line:column: severity: key.path: message; hint")
  func rendering() {
    let diagnostic = Diagnostic(
      file: "a.yaml", line: 3, column: 5, keyPath: DocumentKeyPath([.key("spec"), .index(2)]), message: "bad",
      hint: "fix it")
    #expect(diagnostic.rendered == "a.yaml:3:5: error: spec[2]: bad; fix it")
  }
}
