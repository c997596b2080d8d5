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
      "promtool not found (looked at $PROMTOOL, /usr/bin/promtool, /usr/local/bin/promtool): install it with `apt-get install prometheus` (promtool 2.42) — the cross-check suite cannot run without it")
  }

  @Test("the corpus has at least 40 cases with unique names")
  func corpusSize() {
    #expect(CrossCheckCorpus.cases.count >= 40)
    #expect(Set(CrossCheckCorpus.cases.map(\.name)).count == CrossCheckCorpus.cases.count)
  }

  @Test("PlatformSim and promtool agree", arguments: CrossCheckCorpus.cases)
  func agrees(_ testCase: CrossCheckCase) throws {
    guard let promtool = PromtoolCrossCheck.promtoolPath() else {
      Issue.record("promtool not found: install the Debian package `prometheus` (promtool 2.42); CI installs it")
      return
    }
    let outcome = try PromtoolCrossCheck.run(testCase, promtool: promtool)
    #expect(outcome.generationProblems.isEmpty, "\(outcome.generationProblems)")
    #expect(
      outcome.promtoolExitCode == 0,
      "promtool disagrees with PlatformSim on \(testCase.name):\n\(outcome.promtoolOutput)\n--- generated test ---\n\(outcome.testYAML)")
    #expect(outcome.ourVerdict.passed, "PlatformSim's runner rejects its own expectations:\n\(outcome.ourVerdict)")
  }
}
