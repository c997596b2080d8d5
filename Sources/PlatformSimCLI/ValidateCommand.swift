import ArgumentParser
import InputReading
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
    abstract: "Print the JSON Schema of scenario files, or of another input format (for editor autocompletion).",
    discussion: """
      Example, with the YAML language server:
        platformsim schema > scenario.schema.json
        # then, first line of a scenario:  # yaml-language-server: $schema=scenario.schema.json
        platformsim schema --input alertmanager > alertmanager.schema.json
      """)

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
