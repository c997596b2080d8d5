import Foundation
import Testing

/// Runs `platformsim` as a user without root's right to write anything: as `nobody` through
/// util-linux `setpriv` when the tests run as root (as CI does), else as the test user itself.
enum UnprivilegedUser {
  static let setpriv = "/usr/bin/setpriv"

  /// The command that drops privileges, empty when the tests already run unprivileged.
  static let prefix: [String]? = {
    if getuid() != 0 { return [] }
    guard FileManager.default.isExecutableFile(atPath: setpriv) else { return nil }
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
  }()

  /// True when the built tool runs this way (its path must be readable by `nobody`).
  static let available: Bool = {
    guard prefix != nil else { return false }
    return (try? run(["version"]))?.status == 0
  }()

  static func run(_ arguments: [String]) throws -> PlatformSimProcess.Result {
    guard let prefix, let first = prefix.first else { return try PlatformSimProcess.run(arguments) }
    return try PlatformSimProcess.runTool(
      first, Array(prefix.dropFirst()) + [PlatformSimProcess.executable.path] + arguments)
  }

  /// Name, size and modification time of every file in `directory`.
  static func listing(_ directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
      let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
      let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      return "\(name) \(attributes[.size] ?? 0) \(modified)"
    }
  }

  static func setMode(_ mode: Int16, _ url: URL) throws {
    try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: url.path)
  }
}

/// Database files and directories a user may not write give exit 2 before anything runs
/// (README, "Exit codes"), and `merge` reads shards it may only read.
@Suite(
  "Write permissions, as a user who is not root", .serialized,
  .enabled(
    if: UnprivilegedUser.available, "needs setpriv (util-linux) when run as root, and a built tool nobody can run"))
struct UnprivilegedUserTests {
  /// A results database made by a short run, in a fresh directory with `directoryMode`.
  static func existingDatabase(directoryMode: Int16, fileMode: Int16, _ name: String = #function) throws -> URL {
    let directory = PlatformSimProcess.scratchDirectory(name)
    let scenario = try PlatformSimProcess.writeScenario(in: directory, duration: "1d")
    let database = directory.appendingPathComponent("results.sqlite")
    let made = try PlatformSimProcess.run(["run", scenario, "--db", database.path, "--quiet"])
    #expect(made.status == 0, "\(made.standardError)")
    try UnprivilegedUser.setMode(fileMode, database)
    try UnprivilegedUser.setMode(directoryMode, directory)
    return database
  }

  @Test("a write-protected --db file: exit 2 naming it, nothing run, the file unchanged")
  func readOnlyFile() throws {
    let database = try Self.existingDatabase(directoryMode: 0o777, fileMode: 0o444)
    let before = try Data(contentsOf: database)
    let scenario = database.deletingLastPathComponent().appendingPathComponent("e2e.yaml").path
    let result = try UnprivilegedUser.run(["run", scenario, "--db", database.path, "--quiet"])
    #expect(result.status == 2, "\(result.standardError)")
    #expect(result.standardError.contains("cannot open database \(database.path): the file is read-only"))
    #expect(try Data(contentsOf: database) == before)
  }

  @Test("a --db file in a directory this user may not write: exit 2 naming the directory")
  func readOnlyDirectory() throws {
    let database = try Self.existingDatabase(directoryMode: 0o555, fileMode: 0o666)
    let directory = database.deletingLastPathComponent()
    let before = try UnprivilegedUser.listing(directory)
    let result = try UnprivilegedUser.run([
      "run", directory.appendingPathComponent("e2e.yaml").path, "--db", database.path,
    ])
    #expect(result.status == 2, "\(result.standardError)")
    #expect(result.standardError.contains("its directory \(directory.path) is not writable"), "\(result.standardError)")
    #expect(try UnprivilegedUser.listing(directory) == before)
    try UnprivilegedUser.setMode(0o755, directory)
  }

  @Test("merge reads shards from a directory it may not write, and leaves it as it was")
  func mergeFromReadOnlyDirectory() throws {
    let shards = PlatformSimProcess.scratchDirectory()
    let arguments = [
      "gate", "--baseline", "scenarios/experiments/baseline.yaml", "--candidate",
      "scenarios/experiments/candidate-better.yaml",
      "--rules", "scenarios/experiments/gate.yaml", "--replications", "2", "--until", "1d", "--quiet",
    ]
    for index in 0..<2 {
      let shard = try PlatformSimProcess.run(
        arguments + ["--shard", "\(index)/2", "--db", shards.appendingPathComponent("shard-\(index).sqlite").path])
      #expect(shard.status == 0, "\(shard.standardError)")
    }
    try UnprivilegedUser.setMode(0o555, shards)
    let before = try UnprivilegedUser.listing(shards)
    let output = PlatformSimProcess.scratchDirectory("mergeOutput")
    try UnprivilegedUser.setMode(0o777, output)
    let merged = output.appendingPathComponent("merged.sqlite").path
    let result = try UnprivilegedUser.run(
      [
        "merge", merged, shards.appendingPathComponent("shard-1.sqlite").path,
        shards.appendingPathComponent("shard-0.sqlite").path,
      ])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(FileManager.default.fileExists(atPath: merged))
    #expect(try UnprivilegedUser.listing(shards) == before)
    try UnprivilegedUser.setMode(0o755, shards)
  }
}
