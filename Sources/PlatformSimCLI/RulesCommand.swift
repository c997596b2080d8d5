import ArgumentParser
import Foundation
import InputReading
import Monitoring

/// `platformsim rules`: Prometheus rule files and their promtool unit tests on
/// PlatformSim's engine.
struct RulesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rules",
    abstract: "Check Prometheus rule files and run promtool unit tests on PlatformSim's engine.",
    subcommands: [RulesTestCommand.self, RulesCheckCommand.self])
}

struct RulesTestCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run promtool unit-test files (`promtool test rules` format) on PlatformSim's PromQL and rule engine.",
    discussion: HelpText.reflowed(
      """
      Accepts the files users already have for promtool and reaches the same verdicts
      (the engine is cross-checked against promtool 2.42; docs/VALIDATION.md).
      Exit status 0 when every test passes, 1 when one fails or a file cannot be loaded
      (as promtool).

      Example:
        platformsim rules test scenarios/monitoring/error-rate-rules.test.yaml
      """))

  @Argument(help: "promtool unit-test files.")
  var files: [String]

  mutating func execute() throws(CLIError) -> ExitStatus {
    var status = ExitStatus.success
    for file in files {
      print("Unit Testing:  \(file)")
      let verdict = PromtoolTestRunner.run(file: file)
      if let loadError = verdict.loadError {
        // promtool exits 1 for a file it cannot load, as for a failing test.
        printError("  FAILED:\n\(loadError)")
        if status == .success { status = .runFailure }
        continue
      }
      if verdict.passed {
        print("  SUCCESS\n")
        continue
      }
      // As promtool: "  FAILED:" and each failure on stderr, a blank line on stdout after
      // each failure and after the file.
      printError("  FAILED:")
      for failure in verdict.groups.flatMap(\.failures) {
        printError(failure)
        print("")
      }
      print("")
      if status == .success { status = .runFailure }
    }
    return status
  }
}

struct RulesCheckCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check rule files (plain or PrometheusRule) load: syntax, supported PromQL, templates.",
    discussion: HelpText.reflowed(
      """
      Every problem of every file is reported, each with file:line:column. An unsupported
      function or syntax is reported here, with its position — never at run time; with
      --skip-unsupported such a rule is left out with a warning and the rest loads.

      Example:
        platformsim rules check scenarios/policies/golden-path/serving-alerts.yaml
      """))

  @Argument(help: "Rule files.")
  var files: [String]

  @OptionGroup var skipUnsupported: SkipUnsupportedFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    var failed = false
    for file in files {
      do {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let log = DiagnosticLog()
        let groups = RuleFileLoader.read(yaml: text, file: file, log: log, unsupported: skipUnsupported.rules)
        guard let groups, !log.hasErrors else {
          printError("\(DiagnosticsError(log.diagnostics))")
          failed = true
          continue
        }
        let warnings = DiagnosticsError(log.diagnostics).warnings
        for warning in warnings { printError(warning.rendered) }
        let skipped = warnings.isEmpty ? "" : " (\(warnings.count) skipped as unsupported)"
        print("\(file): SUCCESS: \(groups.reduce(0) { $0 + $1.rules.count }) rules found\(skipped)")
      } catch {
        printError("\(file): cannot be read: \(error.localizedDescription)")
        failed = true
      }
    }
    return failed ? .invalidInput : .success
  }
}
