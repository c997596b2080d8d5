import ArgumentParser
import InputReading
import Scenario

struct ValidateCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check any file PlatformSim reads, without running anything.",
    discussion: HelpText.reflowed(
      """
      Recognises each file's format — a scenario, an Argo Rollouts Rollout or
      AnalysisTemplate, a Flagger Canary, an instance catalogue, a Prometheus rule file
      or PrometheusRule, alertmanager.yml, a promtool test file, a gate or sweep file —
      and checks it with that format's reader. A manifest of several documents is
      checked document by document; kinds PlatformSim does not read (a Service beside
      a Rollout) are listed as skipped. AnalysisTemplates among the files given are
      available to the Rollouts that name them.
      Reports every problem as file:line:column: error: key.path: message.
      Exit status 0 when all files are valid, 2 otherwise.

      Examples:
        platformsim validate scenarios/golden-path.yaml
        platformsim validate rollout.yaml analysis-template.yaml alertmanager.yml \\
          rules.yaml
      """))

  @Argument(help: "Files to check.")
  var files: [String]

  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    var failed = false
    for outcome in FileValidation.check(files) {
      let ordered = outcome.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
      for diagnostic in ordered { printError(diagnostic.rendered) }
      for text in outcome.renderedErrors { printError(text) }
      if outcome.failed {
        failed = true
        let count = ordered.filter { $0.severity == .error }.count + outcome.renderedErrors.count
        printError("\(outcome.file): \(count) error\(count == 1 ? "" : "s") found")
        continue
      }
      guard !quiet.isOn else { continue }
      let skipped = outcome.skipped.map { $0.count == 1 ? $0.kind : "\($0.kind) ×\($0.count)" }
      let skippedText = skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: ", ")
      print("\(outcome.file): ok (\(outcome.found.joined(separator: ", "))\(skippedText))")
    }
    return failed ? .invalidInput : .success
  }
}

struct SchemaCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of scenario files, or of another input format (for editor autocompletion).",
    discussion: HelpText.reflowed(
      """
      Example, with the YAML language server:
        platformsim schema > scenario.schema.json
        # then, as the first line of a scenario:
        # yaml-language-server: $schema=scenario.schema.json
        platformsim schema --input alertmanager > alertmanager.schema.json
      """))

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case json
    case markdown
  }

  @Option(help: "`json` (JSON Schema) or `markdown` (the key reference of docs/SCENARIOS.md).")
  var format: Format = .json

  @Option(
    help: ArgumentHelp(
      "The input format: \(InputFormat.all.map(\.name).joined(separator: ", ")).", valueName: "name"))
  var input = InputFormat.scenario.name

  @Flag(help: "Print the names of the input formats, one per line, and nothing else.")
  var listInputs = false

  mutating func execute() throws(CLIError) -> ExitStatus {
    if listInputs {
      for format in InputFormat.all { print(format.name) }
      return .success
    }
    guard let chosen = InputFormat.all.first(where: { $0.name == input }) else {
      let names = InputFormat.all.map { "`\($0.name)`" }.joined(separator: ", ")
      throw .invalidOption(flag: "--input", found: input, expected: "one of " + names)
    }
    switch format {
    case .json: print(JSONSchemaWriter.schema(for: chosen), terminator: "")
    case .markdown: print(KeyReferenceWriter.markdown(for: chosen), terminator: "")
    }
    return .success
  }
}
