import Experiments
import Foundation
import Monitoring
import Reports
import ResultStore
import Scenario

/// Everything that can stop a `platformsim` command, as structured values rendered to
/// text in one place (``description``) and mapped to the exit-code contract in one
/// place (``exitStatus``), like swift-argument-parser's own `ParserError`.
///
/// Library errors never name command-line flags; where a flag is the fix (`--db PATH`),
/// this type adds the hint.
enum CLIError: Error, CustomStringConvertible {
  /// A flag's value is malformed or out of range.
  case invalidOption(flag: String, found: String, expected: String)
  /// Flags that cannot be given together.
  case conflictingOptions(String, String)
  /// A flag this use of the command needs; `purpose` says what for.
  case missingOption(flag: String, purpose: String)
  /// A flag that has no meaning in this use of the command (`context`: "to a shard").
  case inapplicableOption(flag: String, context: String, instead: String)
  /// The process saw no command-line arguments at all, not even its own name.
  case noArguments
  /// `platformsim` alone, without a command.
  case noCommand
  /// A command that reads results was pointed at a file that does not exist.
  case noDatabase(path: String)
  /// The database holds no run with this id.
  case unknownRun(Int64, database: String)
  /// A directory for the results or the output could not be created.
  case cannotCreateDirectory(path: String, reason: String)
  /// An output file could not be written.
  case cannotWrite(path: String, reason: String)
  /// `init` never overwrites a file.
  case alreadyExists(path: String)
  /// An input file has errors, already rendered with file:line:column (scenario files).
  case invalidInput(String)
  /// The results database could not be opened, is too new, or failed.
  case store(StoreError)
  case experiment(ExperimentError)
  case report(ReportError)
  /// `platformsim serve`: another process listens on the address.
  case portInUse(host: String, port: Int)
  /// `platformsim serve`: the server could not start or failed.
  case cannotServe(String)
  /// `platformsim serve`: the `platformsim-serve` executable is not installed.
  case serverMissing(searched: String)
  /// `export openmetrics`: the run has nothing of this kind to export.
  case nothingToExport(String)
  /// A run did not complete (exit 1); the message says why.
  case runFailed(String)

  var exitStatus: ExitStatus {
    switch self {
    case .runFailed: return .runFailure
    case .experiment(let error): return error.isInvalidInput ? .invalidInput : .runFailure
    default: return .invalidInput
    }
  }

  var description: String {
    switch self {
    case .invalidOption(let flag, let found, let expected):
      return "error: \(flag): found `\(found)`, expected \(expected)"
    case .conflictingOptions(let first, let second):
      return "error: \(first) and \(second): give one of them, not both"
    case .missingOption(let flag, let purpose):
      return "error: missing \(flag): \(purpose)"
    case .inapplicableOption(let flag, let context, let instead):
      return "error: \(flag) does not apply \(context); \(instead)"
    case .noArguments:
      return """
        error: platformsim saw no command-line arguments, not even its own name. On Linux the Swift runtime \
        finds them through /proc (/proc/self/maps), so /proc must be mounted: every container runtime mounts it; \
        in a chroot, `mount -t proc proc ROOT/proc` first. Run `platformsim --help` for the commands.
        """
    case .noCommand:
      return "error: no command given; run `platformsim --help` for the commands, e.g. `platformsim run SCENARIO`"
    case .noDatabase(let path):
      return "error: no database at \(path)"
    case .unknownRun(let id, let database):
      return "error: \(database) has no run \(id)"
    case .cannotCreateDirectory(let path, let reason):
      return "error: cannot create the directory for \(path): \(reason)"
    case .cannotWrite(let path, let reason):
      return "error: cannot write \(path): \(reason)"
    case .alreadyExists(let path):
      return "error: \(path) already exists; choose another --name or --output (init never overwrites)"
    case .invalidInput(let rendered):
      return rendered
    case .store(let error):
      return "error: " + Self.withDatabaseHint(error)
    case .experiment(.store(let error)):
      return "error: " + Self.withDatabaseHint(error)
    case .experiment(.storedGate(let problem)):
      switch problem {
      case .severalGates, .noSuchExperiment, .notAGate:
        return problem.description + "; choose a gate experiment with --experiment ID"
      case .noGate:
        return problem.description
          + "; give --db the database a gate was run into, or the one `platformsim merge` made of its shards"
      case .unmergedShard, .incomplete: return problem.description
      }
    case .experiment(let error):
      return error.description
    case .report(.store(let error)):
      return "error: " + Self.withDatabaseHint(error)
    case .report(let error):
      return error.description
    case .portInUse(let host, let port):
      return
        "error: port \(port) on \(host) is already in use; choose another with --port N (or --port 0 for any free port)"
    case .cannotServe(let reason):
      return "error: \(reason)"
    case .serverMissing(let searched):
      return
        "error: platformsim serve needs the platformsim-serve executable beside platformsim (looked for \(searched) "
        + "and on PATH); build it with `swift build -c release --product platformsim-serve`"
    case .nothingToExport(let reason):
      return "error: \(reason)"
    case .runFailed(let message):
      return "error: \(message)"
    }
  }

  /// A database error, plus the flag that fixes it when the file itself is the problem.
  static func withDatabaseHint(_ error: StoreError) -> String {
    switch error.kind {
    case .cannotOpen, .schemaTooNew, .notADatabase, .unreadableRow:
      return "\(error) Choose another file with --db PATH."
    case .statementFailed: return error.description
    }
  }
}

extension ExitStatus {
  /// The exit status of any error a command lets through.
  static func of(_ error: Error) -> ExitStatus {
    (error as? CLIError)?.exitStatus ?? .invalidInput
  }
}

/// Runs a results-database operation, turning its ``StoreError`` into ``CLIError``.
func withStore<Value>(_ body: () throws(StoreError) -> Value) throws(CLIError) -> Value {
  do {
    return try body()
  } catch {
    throw .store(error)
  }
}
