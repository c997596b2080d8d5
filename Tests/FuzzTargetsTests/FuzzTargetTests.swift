import Foundation
import Testing

@testable import FuzzTargets

/// The fuzz targets reach their readers (a bundled file of each YAML format is accepted, so
/// the fuzzer starts from inputs that get past the first check), and every input a
/// fuzzer once crashed on (Tests/FuzzRegressions/TARGET) is now read without a crash.
@Suite struct FuzzTargetTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// A valid bundled file of each YAML target, among the seeds scripts/fuzz.sh gives it.
  ///
  /// A scenario that names other files, such as golden-path.yaml, is refused: the input
  /// is written alone into a temporary directory. The bundled trace samples carry
  /// deliberate errors, so the trace targets have no entry here.
  static let acceptedSeeds: [(FuzzTarget, String)] = [
    (.scenario, "scenarios/capacity-planning.yaml"),
    (.rules, "scenarios/monitoring/error-rate-rules.yaml"),
    (.alertmanager, "scenarios/monitoring/alertmanager.yml"),
    (.promtoolTest, "scenarios/monitoring/error-rate-rules.test.yaml"),
    (.gate, "scenarios/experiments/gate.yaml"),
    (.sweep, "scenarios/experiments/sweep-runners.yaml"),
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
