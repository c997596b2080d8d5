import ArgumentParser
import Foundation

/// Exit codes of `platformsim`, documented in README.md and `platformsim --help`.
public enum ExitStatus: Int32, Error {
  /// The command did what was asked.
  case success = 0
  /// A run failed or was stopped by a guard before the end of its window.
  case runFailure = 1
  /// Invalid input or usage: a bad scenario, flag, or database path. Nothing was run.
  case invalidInput = 2
}

/// `platformsim`: the command-line tool.
public struct PlatformSimCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "platformsim",
    abstract: "A deterministic discrete-event simulator of an ML platform on Kubernetes.",
    discussion: HelpText.reflowed(
      """
      Simulates a month of the platform in seconds from a scenario file and writes runs,
      KPIs and per-entity rows into SQLite.

      Examples:
        platformsim run scenarios/golden-path.yaml
        platformsim run scenarios/golden-path.yaml --seed 7 \\
          --db /tmp/results.sqlite --until 7d
        platformsim run scenarios/golden-path.yaml --replications 30
        platformsim compare --baseline a.yaml --candidate b.yaml --replications 20
        platformsim gate --baseline a.yaml --candidate b.yaml --rules gate.yaml
        platformsim serve --db reports/platformsim.sqlite
        platformsim export openmetrics --run 1 --output run-1.om
        platformsim validate scenarios/*.yaml
        platformsim schema > scenario.schema.json
        platformsim rules test scenarios/monitoring/error-rate-rules.test.yaml

      Exit codes: 0 success; 1 a run failed or was stopped by a guard, or a gate found a
      regression; 2 invalid input or usage.
      """),
    version: "platformsim \(versionText)",
    subcommands: [
      RunCommand.self, CompareCommand.self, SweepCommand.self, GateCommand.self, ReportCommand.self, ServeCommand.self,
      ExportCommand.self, InitCommand.self, ReplayCommand.self, FitCommand.self,
      MergeCommand.self, ValidateCommand.self, SchemaCommand.self, RulesCommand.self, DigestCommand.self,
      VersionCommand.self,
    ]
  )

  public init() {}

  static var versionText: String { PlatformModelVersion.text }

  /// Runs the process's command line, program name first (`CommandLine.arguments`);
  /// returns the process exit status.
  ///
  /// An empty command line — not even the program's name — means the arguments could
  /// not be read: on Linux the Swift runtime finds `argv` by walking back from `environ`
  /// on the initial stack, whose bounds it reads from /proc/self/maps, and without /proc
  /// it reports none (swift stdlib/public/CommandLineSupport/CommandLine.cpp). That exits
  /// 2 with an explanation instead of running as if no command had been given.
  public static func main(commandLine: [String]) -> Int32 {
    guard !commandLine.isEmpty else {
      printError(CLIError.noArguments.description)
      return CLIError.noArguments.exitStatus.rawValue
    }
    return main(arguments: Array(commandLine.dropFirst()))
  }

  /// Parses `arguments` (without the program name) and runs the command; returns the
  /// process exit status.
  ///
  /// Usage errors exit with 2 (ArgumentParser's own default is 64), matching the
  /// documented contract; so does an empty argument list (no command), with the help
  /// on standard error, so that a lost command line never passes for success.
  public static func main(arguments: [String]) -> Int32 {
    guard !arguments.isEmpty else {
      printError(helpMessage() + "\n" + CLIError.noCommand.description)
      return CLIError.noCommand.exitStatus.rawValue
    }
    do {
      var command = try parseAsRoot(arguments)
      if var runnable = command as? StatusCommand {
        return runnable.executeReportingErrors().rawValue
      }
      try command.run()
      return ExitStatus.success.rawValue
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        print(message)
        return ExitStatus.success.rawValue
      }
      printError(message)
      return ExitStatus.invalidInput.rawValue
    }
  }
}

/// A subcommand that reports its own exit status, and throws ``CLIError`` for
/// everything that stops it; both are turned into the exit-code contract here.
protocol StatusCommand: ParsableCommand {
  mutating func execute() throws(CLIError) -> ExitStatus
}

extension StatusCommand {
  /// Runs the command; an error is printed to standard error, in the one rendering
  /// ``CLIError`` gives it, and becomes its exit status.
  mutating func executeReportingErrors() -> ExitStatus {
    do {
      return try execute()
    } catch {
      printError(error.description)
      return error.exitStatus
    }
  }

  public mutating func run() throws {
    let status = executeReportingErrors()
    if status != .success { throw ExitCode(status.rawValue) }
  }
}

func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}
