import Foundation
import InputReading
import Testing

@testable import Scenario

/// Locations of the test corpus and the repository.
enum Corpus {
  static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let invalidDirectory = testsDirectory.appendingPathComponent("InvalidScenarios")
  static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

  static var invalidFiles: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: invalidDirectory.path)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// expectations.txt: the exact diagnostics each invalid file must produce, one per
  /// line as `SCENARIO.yaml ⇒ rendered diagnostic` (line breaks inside a diagnostic,
  /// such as a caret under a PromQL error, written as ⏎).
  static var expectations: [String: [String]] {
    let text =
      (try? String(contentsOf: invalidDirectory.appendingPathComponent("expectations.txt"), encoding: .utf8)) ?? ""
    var byFile: [String: [String]] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let arrow = line.range(of: " ⇒ ") else { continue }
      byFile[String(line[..<arrow.lowerBound]), default: []].append(String(line[arrow.upperBound...]))
    }
    return byFile
  }
}

@Suite("Invalid scenarios")
struct InvalidScenarioTests {
  @Test("the corpus has at least 25 invalid files, each with pinned diagnostics")
  func corpusSize() {
    #expect(Corpus.invalidFiles.count >= 25)
    let expectations = Corpus.expectations
    for file in Corpus.invalidFiles { #expect(expectations[file] != nil, "no expectation for \(file)") }
  }

  @Test("each file reports exactly its pinned file:line:column, key path and message", arguments: Corpus.invalidFiles)
  func diagnostics(file: String) throws {
    let expected = try #require(Corpus.expectations[file])
    let path = Corpus.invalidDirectory.appendingPathComponent(file).path
    do {
      _ = try ScenarioLoader.load(path: path)
      Issue.record("\(file) loaded without errors")
    } catch {
      // Paths relative to the corpus, so the pinned lines hold in any checkout.
      let rendered = error.diagnostics.map {
        $0.rendered.replacingOccurrences(of: path, with: file)
          .replacingOccurrences(of: Corpus.invalidDirectory.path + "/", with: "")
          .replacingOccurrences(of: "\n", with: "⏎")
      }
      #expect(rendered == expected)
      #expect(error.errors.count == expected.filter { $0.contains(": error: ") }.count)
    }
  }

  @Test("a missing file is reported, not crashed on")
  func missingFile() {
    #expect(throws: DiagnosticsError.self) { try ScenarioLoader.load(path: "/nonexistent/scenario.yaml") }
    do {
      _ = try ScenarioLoader.load(path: "/nonexistent/scenario.yaml")
    } catch {
      #expect(error.description.contains("/nonexistent/scenario.yaml: error: no such file"))
    }
  }

  @Test("a referenced output path resolves relative to the scenario file")
  func relativePaths() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("platformsim-relative-\(getpid())")
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("nested"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let scenario = directory.appendingPathComponent("nested/scenario.yaml")
    try """
    apiVersion: platformsim.dev/v1alpha1
    kind: Scenario
    metadata: {name: relative}
    spec:
      simulation: {start: 2026-01-05, duration: 1d}
      outputs: {database: ../out/results.sqlite}
    """.write(to: scenario, atomically: true, encoding: .utf8)
    let (document, _) = try ScenarioLoader.load(path: scenario.path)
    #expect(document.databasePath == directory.appendingPathComponent("out/results.sqlite").standardizedFileURL.path)
    #expect(document.timeZone == "UTC")
    #expect(document.seed == 1)
  }
}

@Suite("Valid scenarios and the published schema")
struct ScenarioFormatTests {
  @Test("every bundled example scenario is valid")
  func examples() throws {
    let directory = Corpus.repositoryRoot.appendingPathComponent("scenarios")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
    #expect(!files.isEmpty)
    for file in files {
      let path = directory.appendingPathComponent(file).path
      #expect(throws: Never.self) { try ScenarioLoader.load(path: path) }
    }
  }

  @Test("the golden path starts on Monday 5 January 2026 at midnight in Berlin")
  func localStart() throws {
    let path = Corpus.repositoryRoot.appendingPathComponent("scenarios/golden-path.yaml").path
    let (document, _) = try ScenarioLoader.load(path: path)
    #expect(document.startEpochSeconds == 1_767_567_600)  // 2026-01-04T23:00:00Z
    #expect(document.calendar().formatted(.zero) == "2026-01-05T00:00:00+01:00")
    #expect(document.runnerPool?.runnerCount == 6)
  }

  @Test("docs/scenario.schema.json is the schema the tool publishes")
  func committedSchema() throws {
    let committed = try String(
      contentsOf: Corpus.repositoryRoot.appendingPathComponent("docs/scenario.schema.json"), encoding: .utf8)
    #expect(
      committed == JSONSchemaWriter.schema(for: .scenario),
      "regenerate with: swift run platformsim schema > docs/scenario.schema.json")
  }

  @Test("the JSON Schema is valid JSON and describes every section")
  func schemaShape() throws {
    let text = JSONSchemaWriter.schema(for: .scenario)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let definitions = try #require(object["$defs"] as? [String: Any])
    for title in ["ScenarioSpec", "Simulation", "RunnerPool", "ArrivalProcess", "DurationDistribution", "Duration"] {
      #expect(definitions[title] != nil, "missing $defs.\(title)")
    }
  }
}

@Suite("Scenario documentation")
struct ScenarioDocumentationTests {
  @Test("docs/SCENARIOS.md carries the current key reference")
  func keyReferenceIsCurrent() throws {
    let document = try String(
      contentsOf: Corpus.repositoryRoot.appendingPathComponent("docs/SCENARIOS.md"), encoding: .utf8)
    let begin = try #require(document.range(of: KeyReferenceWriter.beginMarker))
    let end = try #require(document.range(of: KeyReferenceWriter.endMarker))
    let generated = document[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(
      generated == KeyReferenceWriter.markdown(for: .scenario).trimmingCharacters(in: .whitespacesAndNewlines),
      "regenerate the section with: swift run platformsim schema --format markdown")
  }
}
