import Foundation
import Testing

/// The gate, compare and sweep examples run the golden-path platform as it is: they are
/// generated from scenarios/golden-path.yaml (scripts/generate-experiments.py), and an
/// edit to either side without regenerating fails here.
@Suite("Example experiment files")
struct ExampleExperimentFilesTests {
  @Test("scenarios/experiments/*.yaml are the golden path's current variants")
  func generatedFromTheGoldenPath() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", ExperimentFixtures.path("scripts/generate-experiments.py"), "--check"]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0, "\(message)")
  }
}
