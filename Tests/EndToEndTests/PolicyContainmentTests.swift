import Foundation
import ResultRows
import ResultStore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Policy processes that misbehave with their descendants or their output cannot block
/// or outlive a run (issue 20): helpers in the policy's process group are ended with it,
/// a child's exit is noticed even while a descendant holds its stdout, stderr is capped,
/// and no temporary file is left behind.
@Suite("Policy process containment")
struct PolicyContainmentTests {
  /// The pid a helper of `faulty_policy.py` wrote to the policy's stderr.
  static func helperPID(_ database: String) throws -> pid_t? {
    let store = try ResultStore(path: database)
    let text = try store.rows(PolicyLogRow.self, run: RunID(1)).first?.standardError ?? ""
    guard let range = text.range(of: "helper pid ") else { return nil }
    return pid_t(text[range.upperBound...].prefix { $0.isNumber })
  }

  /// Whether `pid` has ended: no such process, or a zombie waiting for init to reap it
  /// (a helper whose parent, the policy, exited first is reparented).
  static func hasEnded(_ pid: pid_t) -> Bool {
    if kill(pid, 0) == -1 && errno == ESRCH { return true }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
  }

  /// Runs `scenario` with its own temporary directory; returns the result and that directory.
  static func run(_ scenario: String, database: String, in directory: URL) throws -> (PlatformSimProcess.Result, URL) {
    let temporary = directory.appendingPathComponent("tmp")
    try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    let result = try PlatformSimProcess.run(
      ["run", scenario, "--db", database], environment: ["TMPDIR": temporary.path])
    return (result, temporary)
  }

  @Test("a helper the policy forked is ended with the policy's process group; the run is not blocked")
  func forkedHelperIsEnded() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let scenario = try PolicyEndToEndTests.faultScenario(in: directory, mode: "fork-helper", timeout: "60s")
    let (result, temporary) = try Self.run(scenario, database: database, in: directory)
    #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    let helper = try #require(try Self.helperPID(database))
    #expect(Self.hasEnded(helper), "helper \(helper) outlived the run")
    try PolicyEndToEndTests.expectNoChildProcess(database, run: 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
  }

  @Test("a policy that exits while its helper holds stdout is recorded as exited, not as a timeout")
  func exitWithHelperIsAnExit() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let scenario = try PolicyEndToEndTests.faultScenario(in: directory, mode: "exit-with-helper", timeout: "60s")
    let (result, _) = try Self.run(scenario, database: database, in: directory)
    let text = result.standardOutput + result.standardError
    #expect(result.status == 1)
    #expect(text.contains("exited with status 3 before answering"), "\(text)")
    #expect(!text.contains("did not answer within"), "\(text)")
    let helper = try #require(try Self.helperPID(database))
    #expect(Self.hasEnded(helper), "helper \(helper) outlived the run")
  }

  @Test("a daemon the policy started (setsid) cannot block the run")
  func daemonDoesNotBlock() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let scenario = try PolicyEndToEndTests.faultScenario(in: directory, mode: "daemon", timeout: "60s")
    let (result, _) = try Self.run(scenario, database: database, in: directory)
    #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    let store = try ResultStore(path: database)
    #expect(try store.status(of: RunID(1)) == .completed)
    // A daemon has left the policy's session and group (docs/SECURITY.md); end it here.
    if let daemon = try Self.helperPID(database) { kill(daemon, SIGKILL) }
    try PolicyEndToEndTests.expectNoChildProcess(database, run: 1)
  }

  @Test("a policy's stderr is capped to its last 64 KiB, noting what was dropped")
  func standardErrorIsCapped() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("runs.sqlite").path
    let scenario = try PolicyEndToEndTests.faultScenario(in: directory, mode: "stderr-flood", timeout: "60s")
    let (result, temporary) = try Self.run(scenario, database: database, in: directory)
    #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    let store = try ResultStore(path: database)
    let log = try #require(try store.rows(PolicyLogRow.self, run: RunID(1)).first)
    #expect(log.standardError.utf8.count <= 64 * 1_024 + 200)
    #expect(log.standardError.hasPrefix("[platformsim: the first "))
    #expect(log.standardError.contains("misbehaving (stderr-flood)"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
  }
}
