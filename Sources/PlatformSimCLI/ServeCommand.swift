import ArgumentParser
import Foundation
import ResultStore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `platformsim serve`: the web UI over a results database.
///
/// The HTTP server lives in its own executable, `platformsim-serve`, built beside
/// `platformsim` (docs/ARCHITECTURE.md: the server's dependencies would add minutes to
/// every first build of `platformsim run`). This command checks its options, then
/// replaces itself with that executable (`execv`), as `git` runs `git-<command>`; exit
/// status and signals are the server's own.
struct ServeCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Browse runs, experiments and gates in a local web UI (read-only).",
    discussion: HelpText.reflowed(
      """
      Serves HTML pages and a JSON API (docs/openapi.yaml, docs/UI.md) over the results
      database, read-only, on the loopback interface unless --host says otherwise.

      Examples:
        platformsim serve           # reports/platformsim.sqlite on 127.0.0.1:8080
        platformsim serve --db /tmp/results.sqlite --port 9000

      Exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 invalid options, no database, or the
      port is already in use.
      """))

  @OptionGroup var database: DatabaseOption

  @Option(help: "TCP port to listen on (0: any free port, printed at start).")
  var port = 8080

  @Option(help: "Address to listen on; the default listens on loopback only.")
  var host = "127.0.0.1"

  /// The checked settings.
  func settings() throws(CLIError) -> ServeSettings {
    guard port >= 0 && port <= 65_535 else {
      throw .invalidOption(flag: "--port", found: String(port), expected: "a port from 0 to 65535")
    }
    guard !host.isEmpty, !host.contains("/"), !host.contains(" ") else {
      throw .invalidOption(flag: "--host", found: host, expected: "an IP address or host name, e.g. 127.0.0.1")
    }
    return ServeSettings(databasePath: try database.existing(), host: host, port: port)
  }

  mutating func execute() throws(CLIError) -> ExitStatus {
    let settings = try settings()
    let server = try Self.serverExecutable()
    let arguments = [
      server, "--db", settings.databasePath, "--port", String(settings.port), "--host", settings.host,
    ]
    var pointers = arguments.map { strdup($0) }
    pointers.append(nil)
    execv(server, pointers)
    let reason = String(cString: strerror(errno))
    throw .cannotServe("cannot start \(server): \(reason)")
  }

  /// `platformsim-serve` next to this executable, else on `PATH`.
  static func serverExecutable() throws(CLIError) -> String {
    let name = "platformsim-serve"
    var candidates: [String] = []
    if let own = Bundle.main.executableURL?.resolvingSymlinksInPath() {
      candidates.append(own.deletingLastPathComponent().appendingPathComponent(name).path)
    }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      candidates.append(String(directory) + "/" + name)
    }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
    throw .serverMissing(searched: candidates.first ?? name)
  }
}

/// What `platformsim serve` was asked to do, checked.
public struct ServeSettings: Sendable {
  public var databasePath: String
  public var host: String
  public var port: Int
}

/// How a server run ended, as `platformsim-serve` reports it to ``ServeEntryPoint``.
public enum ServeOutcome: Sendable {
  case stopped
  case addressInUse
  case cannotListen(String)
  case failed(String)
}

/// The `main` of `platformsim-serve`: the same options and errors as `platformsim serve`.
public enum ServeEntryPoint {
  /// Parses `arguments` as `platformsim serve` does, then runs `serve` with the settings.
  ///
  /// - Parameter serve: starts the server; calls its `started` argument with the port
  ///   once listening, and returns how it ended.
  /// - Returns: the exit status (2 for bad options, no database, or a port in use).
  public static func main(
    arguments: [String],
    serve: (ServeSettings, _ started: @escaping @Sendable (Int) -> Void) async -> ServeOutcome
  ) async -> Int32 {
    let command: ServeCommand
    do {
      command = try ServeCommand.parse(arguments)
    } catch {
      let code = ServeCommand.exitCode(for: error)
      let message = ServeCommand.fullMessage(for: error)
      if code == .success {
        print(message)
        return ExitStatus.success.rawValue
      }
      printError(message)
      return ExitStatus.invalidInput.rawValue
    }
    do throws(CLIError) {
      let settings = try command.settings()
      do {
        _ = try ResultStore(readingOnly: settings.databasePath)
      } catch {
        // Still serve: every page then explains what is wrong with the file.
        printError("platformsim: warning: " + CLIError.withDatabaseHint(error))
      }
      let host = settings.host
      let path = settings.databasePath
      let outcome = await serve(settings) { port in
        let shown = host.contains(":") ? "[\(host)]" : host
        let text = "platformsim: serving \(path) at http://\(shown):\(port)/ (read-only; Ctrl-C stops)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
      }
      switch outcome {
      case .stopped: return ExitStatus.success.rawValue
      case .addressInUse: throw .portInUse(host: host, port: settings.port)
      case .cannotListen(let reason): throw .cannotServe("cannot listen on \(host):\(settings.port): \(reason)")
      case .failed(let reason): throw .cannotServe(reason)
      }
    } catch {
      printError(error.description)
      return error.exitStatus.rawValue
    }
  }
}
