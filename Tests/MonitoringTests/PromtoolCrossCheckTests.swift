import Foundation
import Monitoring
import Testing

/// promtool 2.42 is the oracle: each corpus case becomes a promtool unit test whose
/// expectations are PlatformSim's results, and promtool must accept it.
@Suite("Cross-check with promtool")
struct PromtoolCrossCheckTests {
  @Test("promtool is installed (CI installs the Debian package prometheus)")
  func promtoolIsInstalled() {
    #expect(
      PromtoolCrossCheck.promtoolPath() != nil,
      "promtool not found (looked at $PROMTOOL, /usr/bin/promtool, /usr/local/bin/promtool): install it with `apt-get install prometheus` (promtool 2.42) — the cross-check suite cannot run without it"
    )
  }

  @Test("the corpus has at least 150 cases (issue 13) with unique names")
  func corpusSize() {
    #expect(CrossCheckCorpus.cases.count >= 150)
    #expect(Set(CrossCheckCorpus.cases.map(\.name)).count == CrossCheckCorpus.cases.count)
  }

  @Test("every rule case expects some firing alert, so a silent engine cannot pass")
  func ruleCasesFire() throws {
    for testCase in CrossCheckCorpus.ruleCases + CrossCheckCorpus.templateCoverage {
      let (file, _) = try PromtoolCrossCheck.generate(testCase)
      let firing = file.tests[0].alertRuleTests.filter { !$0.expectedAlerts.isEmpty }
      #expect(!firing.isEmpty, "\(testCase.name) never fires")
    }
  }

  @Test("promtool rejects a wrong expectation (the harness can fail)")
  func harnessDetectsDisagreement() throws {
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record(
        "promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it"
      )
      return
    }
    let testCase = try #require(CrossCheckCorpus.cases.first { $0.name == "rate-counter-reset" })
    var (file, _) = try PromtoolCrossCheck.generate(testCase)
    file.tests[0].promqlExprTests[0].expectedSamples[0].value =
      file.tests[0].promqlExprTests[0].expectedSamples[0].value.nextUp
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "platformsim-wrong-\(ProcessInfo.processInfo.processIdentifier).yml"
    ).path
    try file.yaml().write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (output, status) = try PromtoolCrossCheck.runProcess(promtool, ["test", "rules", path])
    #expect(status != 0, "promtool accepted a value off by one ulp:\n\(output)")
    #expect(!PromtoolTestRunner.run(file: path).passed)
  }

  @Test("PlatformSim and promtool agree", arguments: CrossCheckCorpus.cases)
  func agrees(_ testCase: CrossCheckCase) throws {
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record(
        "promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it"
      )
      return
    }
    let outcome = try PromtoolCrossCheck.run(testCase, promtool: promtool)
    #expect(outcome.generationProblems.isEmpty, "\(outcome.generationProblems)")
    #expect(
      outcome.promtoolExitCode == 0,
      "promtool disagrees with PlatformSim on \(testCase.name):\n\(outcome.promtoolOutput)\n--- generated test ---\n\(outcome.testYAML)"
    )
    #expect(
      outcome.ourVerdict.passed,
      "PlatformSim's runner rejects its own expectations:\n\(outcome.ourVerdict)")
  }
}
