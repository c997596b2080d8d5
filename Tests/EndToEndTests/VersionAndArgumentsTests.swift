import BuildInfo
import Foundation
import PlatformModel
import PlatformSimCLI
import ResultRows
import ResultStore
import Testing

/// `platformsim version`, the build recorded in results, and a command line that is
/// empty or could not be read.
@Suite("platformsim version and arguments")
struct VersionAndArgumentsTests {
  /// `git` at the repository root, or `nil` without git or a checkout.
  static func git(_ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", PlatformSimProcess.repositoryRoot.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  @Test("version prints the semantic version, then the commit the binary was built from")
  func versionAndCommit() throws {
    let version = try PlatformSimProcess.run(["version"])
    #expect(version.status == 0)
    #expect(version.standardOutput == "platformsim \(ToolVersion.current)\ncommit \(ToolCommit.current)\n")
    #expect(try PlatformSimProcess.run(["--version"]).standardOutput == version.standardOutput)
    #expect(ToolVersion.current.split(separator: ".").count == 3)
    // Built from this checkout without PLATFORMSIM_GIT_COMMIT: HEAD's full hash, `-dirty`
    // when Package.swift or Sources/ differ from it (the oracle is git itself).
    if ProcessInfo.processInfo.environment["PLATFORMSIM_GIT_COMMIT"] == nil,
      let head = Self.git(["rev-parse", "--verify", "HEAD"]), head.status == 0,
      let diff = Self.git(["diff", "--quiet", "HEAD", "--", "Package.swift", "Sources"])
    {
      #expect(head.output.count == 40)
      #expect(ToolCommit.current == head.output + (diff.status == 0 ? "" : "-dirty"))
    } else {
      #expect(ToolCommit.current.allSatisfy { $0.isLetter || $0.isNumber || "._+-".contains($0) })
    }
  }

  @Test("every run and experiment records the version and the commit of the build")
  func resultsRecordTheBuild() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let scenario = try PlatformSimProcess.writeScenario(in: directory, duration: "1d")
    let database = directory.appendingPathComponent("r.sqlite").path
    #expect(try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"]).status == 0)
    #expect(
      try PlatformSimProcess.run(["run", scenario, "--replications", "2", "--db", database, "--quiet"]).status == 0)
    let store = try ResultStore(path: database)
    let runs = try store.database.rows(RunRow.self, orderBy: "id")
    #expect(runs.count == 3)
    #expect(runs.allSatisfy { $0.toolVersion == ToolVersion.current && $0.toolCommit == ToolCommit.current })
    let experiments = try store.database.rows(ExperimentRow.self)
    #expect(experiments.map(\.toolCommit) == [ToolCommit.current])
  }

  @Test("`platformsim` without a command exits 2 with the help on standard error")
  func noCommand() throws {
    let result = try PlatformSimProcess.run([])
    #expect(result.status == 2)
    #expect(result.standardOutput.isEmpty)
    #expect(result.standardError.contains("SUBCOMMANDS:"), "\(result.standardError)")
    #expect(result.standardError.contains("error: no command given"))
    #expect(try PlatformSimProcess.run(["--help"]).status == 0)
  }

  @Test("a command line the runtime could not read (empty, not even the program name) exits 2, saying why")
  func emptyCommandLine() {
    #expect(PlatformSimCommand.main(commandLine: []) == 2)
  }

  /// The real case, without /proc.
  ///
  /// On Linux the Swift runtime finds argv through /proc/self/maps, so without /proc the
  /// process sees an empty command line. `unshare` gives the process
  /// a mount namespace of its own with /proc unmounted (needs root).
  @Test(
    "without /proc the binary sees no arguments and exits 2 naming /proc, instead of printing help with 0",
    .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
  func withoutProc() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    process.arguments = [
      "--mount", "--propagation", "private", "/bin/sh", "-c", "umount -l /proc && exec \"$0\" version",
      PlatformSimProcess.executable.path,
    ]
    let error = Pipe()
    process.standardError = error
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 2, "\(text)")
    #expect(text.contains("saw no command-line arguments"), "\(text)")
    #expect(text.contains("mount -t proc proc"))
  }
}
