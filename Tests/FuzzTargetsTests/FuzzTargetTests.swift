import Foundation
import Testing

@testable import FuzzTargets

/// The fuzz targets reach their readers (a bundled file of each format is accepted, so
/// the fuzzer starts from inputs that get past the first check), and every input a
/// fuzzer once crashed on (Tests/FuzzRegressions/TARGET) is now read without a crash.
@Suite struct FuzzTargetTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// One valid bundled file per target: the first seed scripts/fuzz.sh gives it.
  static let acceptedSeeds: [(FuzzTarget, String)] = [
    (.scenario, "scenarios/golden-path.yaml"),
    (.rules, "scenarios/monitoring/error-rate-rules.yaml"),
    (.alertmanager, "scenarios/monitoring/alertmanager.yml"),
    (.promtoolTest, "scenarios/monitoring/error-rate-rules.test.yaml"),
    (.gate, "scenarios/experiments/gate.yaml"),
    (.sweep, "scenarios/experiments/sweep-runners.yaml"),
    (.openbPods, "Tests/InputReadingTests/Fixtures/traces/openb_pod_list_sample.csv"),
    (.openbNodes, "Tests/InputReadingTests/Fixtures/traces/openb_node_list_sample.csv"),
    (.genericCSV, "Tests/InputReadingTests/Fixtures/traces/generic_jobs.csv"),
    (.genericJSONLines, "Tests/InputReadingTests/Fixtures/traces/generic_jobs.jsonl"),
  ]

  @Test("every target accepts a bundled file of its format", arguments: acceptedSeeds)
  func acceptsBundledFile(target: FuzzTarget, path: String) throws {
    let data = try Data(contentsOf: Self.repository.appendingPathComponent(path))
    let directory = FuzzTarget.makeWorkingDirectory()
    #expect(target.read(data, directory: directory), "\(path) is refused by the \(target.rawValue) target")
  }

  @Test("every target refuses bytes that are not its format, and text that is not UTF-8")
  func refusesGarbage() {
    let directory = FuzzTarget.makeWorkingDirectory()
    for target in FuzzTarget.allCases {
      #expect(!target.read(Data([0xFF, 0xFE, 0x00, 0x41]), directory: directory), "\(target.rawValue)")
      #expect(!target.read(Data("{[".utf8), directory: directory), "\(target.rawValue)")
    }
  }

  @Test("inputs that once crashed a reader are read without a crash")
  func regressions() throws {
    let directory = FuzzTarget.makeWorkingDirectory()
    let regressions = Self.repository.appendingPathComponent("Tests/FuzzRegressions")
    for target in FuzzTarget.allCases {
      let folder = regressions.appendingPathComponent(target.rawValue)
      let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      for file in files.sorted() {
        target.read(try Data(contentsOf: folder.appendingPathComponent(file)), directory: directory)
      }
    }
  }
}
