import Foundation
import Testing

@Suite("platformsim init", .serialized)
struct InitCommandTests {
  @Test(
    "init writes a golden path that runs and gates as it is",
    arguments: ["sklearn-standard", "pytorch-gpu-distributed"])
  func initThenRun(template: String) throws {
    let directory = PlatformSimProcess.scratchDirectory().appendingPathComponent("team")
    let created = try PlatformSimProcess.run([
      "init", "--template", template, "--name", "vision", "--output", directory.path,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    let scenario = directory.appendingPathComponent("vision.yaml").path
    let gate = directory.appendingPathComponent("vision-gate.yaml").path
    let database = directory.appendingPathComponent("r.sqlite").path
    let run = try PlatformSimProcess.run(["run", scenario, "--until", "3d", "--db", database])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("training"), "the template's training jobs ran:\n\(run.standardOutput)")
    let gated = try PlatformSimProcess.run([
      "gate", "--baseline", scenario, "--candidate", scenario, "--rules", gate, "--replications", "2", "--until", "1d",
      "--db",
      database,
    ])
    #expect(gated.status == 0, "\(gated.standardError)\n\(gated.standardOutput)")
    let again = try PlatformSimProcess.run([
      "init", "--template", template, "--name", "vision", "--output", directory.path,
    ])
    #expect(again.status == 2)
    #expect(again.standardError.contains("already exists"))
  }
}
