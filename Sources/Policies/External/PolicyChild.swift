import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A policy process started with `posix_spawn` as the leader of its own process group,
/// whose exit is detected from the direct child with `waitpid`.
///
/// Foundation's `Process` on Linux treats a child as running until a descriptor it
/// passes down is closed, which every descendant inherits: a policy that forked a
/// helper or a daemon looked alive (and `waitUntilExit` blocked) until that descendant
/// exited. Here only the child's own exit counts, and its group can be signalled as a
/// whole (``PolicyConnection/endProcessGroup()``).
final class PolicyChild {
  private(set) var processIdentifier: pid_t = 0
  /// The raw wait status, once the child has been reaped.
  private var waitStatus: Int32?

  /// Starts `arguments` through `/usr/bin/env` (which finds a bare name on PATH and
  /// execs it, keeping the process id) in `directory`, with `input`, `output` and
  /// `error` as its standard descriptors; returns `errno` on failure.
  func spawn(
    arguments: [String], directory: String, environment: [String: String], input: Int32, output: Int32,
    error: Int32
  ) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, input, 0)
    posix_spawn_file_actions_adddup2(&actions, output, 1)
    posix_spawn_file_actions_adddup2(&actions, error, 2)
    // Nothing else we hold (descriptors inherited without close-on-exec, e.g. a caller's
    // pipes) reaches the policy, or a daemon it leaves would keep them open.
    if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    // `env -C DIR` changes directory in the child, then execs the command.
    let argv = ["/usr/bin/env", "-C", directory] + arguments
    let envp = environment.map { "\($0.key)=\($0.value)" }.sorted()
    var cArguments = argv.map { strdup($0) } + [nil]
    var cEnvironment = envp.map { strdup($0) } + [nil]
    defer {
      for pointer in cArguments { free(pointer) }
      for pointer in cEnvironment { free(pointer) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, &cArguments, &cEnvironment)
    if result == 0 { processIdentifier = pid }
    return result
  }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at
  /// run time because Swift's Glibc module does not declare it.
  private static let addCloseFrom:
    (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
      guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
      return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

  /// Whether the direct child has yet to exit (reaps it if it has).
  var isRunning: Bool {
    reap(blocking: false)
    return processIdentifier > 0 && waitStatus == nil
  }

  /// Waits for the direct child only, never for its descendants or their pipes.
  func waitUntilExit() { reap(blocking: true) }

  /// Whether a signal ended the child.
  var wasSignalled: Bool {
    guard let status = waitStatus else { return false }
    return status & 0x7f != 0 && status & 0x7f != 0x7f
  }

  /// The exit status, or the signal number if a signal ended it.
  var terminationStatus: Int32 {
    guard let status = waitStatus else { return 0 }
    return wasSignalled ? status & 0x7f : (status >> 8) & 0xff
  }

  private func reap(blocking: Bool) {
    guard processIdentifier > 0, waitStatus == nil else { return }
    var status: Int32 = 0
    while true {
      let result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
      if result == processIdentifier {
        waitStatus = status
        return
      }
      if result == -1 && errno == EINTR { continue }
      if result == -1 { waitStatus = 0 }  // already reaped elsewhere: treat as exited
      return
    }
  }
}
