import ArgumentParser
import Scenario

struct ValidateCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check scenario files without running them.",
    discussion: """
      Reports every problem in each file as file:line:column: error: key.path: message.
      Exit status 0 when all files are valid, 2 otherwise.

      Example:
        platformsim validate scenarios/golden-path.yaml scenarios/capacity.yaml
      """)

  @Argument(help: "Scenario files to check.")
  var files: [String]

  @OptionGroup var quiet: QuietFlag

  mutating func execute() throws(CLIError) -> ExitStatus {
    var failed = false
    for file in files {
      do {
        let (document, warnings) = try ScenarioLoader.load(path: file)
        for warning in warnings { printError(warning.rendered) }
        if !quiet.isOn { print("\(file): ok (scenario \"\(document.name)\")") }
      } catch {
        failed = true
        printError(error.description)
      }
    }
    return failed ? .invalidInput : .success
  }
}

struct SchemaCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of scenario files (for editor autocompletion).",
    discussion: """
      Example, with the YAML language server:
        platformsim schema > scenario.schema.json
        # then, first line of a scenario:  # yaml-language-server: $schema=scenario.schema.json
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case json
    case markdown
  }

  @Option(help: "`json` (JSON Schema) or `markdown` (the key reference of docs/SCENARIOS.md).")
  var format: Format = .json

  mutating func execute() throws(CLIError) -> ExitStatus {
    switch format {
    case .json: print(JSONSchemaWriter.scenarioSchema(), terminator: "")
    case .markdown: print(ScenarioReferenceWriter.markdown(), terminator: "")
    }
    return .success
  }
}
