import Foundation
import Scenario
import Testing

@testable import Experiments

@Suite("Sweeps")
struct SweepTests {
  static func write(_ text: String, _ name: String = #function) throws -> String {
    let path = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase(name)).deletingLastPathComponent()
      .appendingPathComponent("sweep.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("key paths parse keys and list indices, and reject malformed ones")
  func keyPaths() throws {
    let path = try #require(ScenarioKeyPath(parsing: "spec.teams[0].defects.probability"))
    #expect(path.components == [.key("spec"), .key("teams"), .index(0), .key("defects"), .key("probability")])
    #expect(path.description == "spec.teams[0].defects.probability")
    for bad in ["", "spec..x", "spec.teams[x]", "spec.teams[-1]", "[0]", "spec.teams[0"] {
      #expect(ScenarioKeyPath(parsing: bad) == nil, "\(bad) should not parse")
    }
  }

  @Test("each point is the scenario with the axes' values, first axis slowest")
  func points() throws {
    let scenario = ExperimentFixtures.path("scenarios/experiments/baseline.yaml")
    let file = try Self.write(
      """
      kind: Sweep
      scenario: \(scenario)
      axes:
        spec.delivery.runnerPool.runners: [2, 8]
        spec.delivery.pipeline.trigger: [polling, webhook]
      """)
    let definition = try SweepDefinition.load(path: file)
    let variants = try definition.variants()
    #expect(variants.map(\.name) == ["point-1", "point-2", "point-3", "point-4"])
    #expect(variants.map { $0.document.runnerPool?.runnerCount } == [2, 2, 8, 8])
    #expect(variants[1].settings.map(\.value) == ["2", "webhook"])
    #expect(Set(variants.map(\.document.digest)).count == 4, "each point has its own digest")
  }

  @Test("a value the scenario rejects is reported at its place in the sweep file")
  func invalidValue() throws {
    let scenario = ExperimentFixtures.path("scenarios/experiments/baseline.yaml")
    let file = try Self.write(
      """
      kind: Sweep
      scenario: \(scenario)
      axes:
        spec.delivery.runnerPool.runners: [2, 0]
      """)
    do {
      _ = try SweepDefinition.load(path: file).variants()
      Issue.record("a sweep to zero runners was accepted")
    } catch {
      #expect(
        error.description.contains("sweep point-2 (spec.delivery.runnerPool.runners = 0) makes the scenario invalid"))
      #expect(
        error.description.contains("\(file):4:41: error: spec.delivery.runnerPool.runners: found `0`"), "\(error)")
    }
  }
}
