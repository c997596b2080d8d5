import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failure of one exchange with a policy process, before it is placed in a run.
struct PolicyExchangeError: Error {
  var kind: PolicyFault.Kind
  var detail: String
  var output: String?
  /// The wait was abandoned because the run is being interrupted (not a fault).
  var interrupted = false
}

/// One external policy process: started once per run, spoken to over its stdin and
/// stdout in newline-delimited JSON, its stderr kept in a temporary file until the
/// run stores it.
///
/// The simulation blocks in ``request(_:time:as:)`` until the answer arrives, so the
/// policy sees requests in simulated-time order and a deterministic policy gives a
/// deterministic run. The wall clock is read only to enforce the timeout.
final class PolicyConnection {
  let point: DecisionPoint
  let command: ExternalPolicyCommand
  let context: PolicyRunContext
  private let process = Process()
  private let inputPipe = Pipe()
  private let outputPipe = Pipe()
  private let standardErrorPath: String
  private var buffer: [UInt8] = []
  private var scanned = 0
  private var nextRequestID: Int64 = 1
  private let encoder = JSONEncoder()
  private let decoder = JSONDecoder()
  private(set) var decisions = 0
  private(set) var log: PolicyProcessLog?
  private var started = false

  /// The id of the request currently (or last) being answered.
  private(set) var currentRequestID: Int64?

  var processID: Int32 { started ? process.processIdentifier : 0 }

  private let interruptRequested: () -> Bool

  init(
    point: DecisionPoint, command: ExternalPolicyCommand, context: PolicyRunContext,
    interruptRequested: @escaping () -> Bool = { false }
  ) {
    self.interruptRequested = interruptRequested
    self.point = point
    self.command = command
    self.context = context
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    standardErrorPath =
      FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "platformsim-\(getpid())-run\(context.runID)-\(point.rawValue)-\(UInt32.random(in: 0...UInt32.max)).stderr"
      )
      .path
  }

  deinit { _ = terminate(gracefully: false) }

  /// Starts the process and exchanges the hello lines.
  func start() throws(PolicyExchangeError) {
    guard FileManager.default.createFile(atPath: standardErrorPath, contents: nil),
      let errorHandle = FileHandle(forWritingAtPath: standardErrorPath)
    else {
      throw PolicyExchangeError(kind: .startFailed, detail: "could not create \(standardErrorPath) for its stderr")
    }
    // `env` finds a bare program name on PATH and execs it (same process id).
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command.arguments
    process.currentDirectoryURL = URL(fileURLWithPath: command.workingDirectory, isDirectory: true)
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONUNBUFFERED"] = "1"
    environment["PLATFORMSIM_DECISION_POINT"] = point.rawValue
    process.environment = environment
    process.standardInput = inputPipe
    process.standardOutput = outputPipe
    process.standardError = errorHandle
    do {
      try process.run()
    } catch {
      throw PolicyExchangeError(
        kind: .startFailed, detail: "could not be started in \(command.workingDirectory): \(error.localizedDescription)"
      )
    }
    started = true
    try? errorHandle.close()
    // Our copies of the child's ends must go, or we would never see end-of-file.
    try? inputPipe.fileHandleForReading.close()
    try? outputPipe.fileHandleForWriting.close()
    let hello = HelloLine(
      decisionPoint: point.rawValue, scenario: context.scenarioName, runId: context.runID, seed: context.seed,
      startTime: context.isoTime(PolicyTime(microseconds: 0)))
    try send(hello)
    let line = try readLine()
    let reply: HelloReply
    do {
      reply = try decoder.decode(HelloReply.self, from: line)
    } catch {
      throw PolicyExchangeError(
        kind: isSyntaxError(error) ? .invalidJSON : .protocolError,
        detail: "did not answer the hello with `{\"type\": \"hello\", \"protocol\": \"\(PolicyProtocol.version)\"}`",
        output: text(line))
    }
    guard reply.type == "hello", reply.protocol == PolicyProtocol.version else {
      throw PolicyExchangeError(
        kind: .protocolError,
        detail: "speaks protocol `\(reply.protocol)`, expected `\(PolicyProtocol.version)`", output: text(line))
    }
  }

  /// Sends one observation and waits for its action.
  func request<Observation: Encodable, Action: Decodable>(
    _ observation: Observation, time: PolicyTime, as: Action.Type
  ) throws(PolicyExchangeError) -> Action {
    let id = nextRequestID
    nextRequestID += 1
    currentRequestID = id
    try send(
      RequestLine(
        id: id, decisionPoint: point.rawValue, time: WireTime(seconds: time.seconds, iso: context.isoTime(time)),
        observation: observation))
    let line = try readLine()
    let head: ResponseHead
    do {
      head = try decoder.decode(ResponseHead.self, from: line)
    } catch {
      if isSyntaxError(error) {
        throw PolicyExchangeError(kind: .invalidJSON, detail: "answered with invalid JSON", output: text(line))
      }
      throw PolicyExchangeError(
        kind: .protocolError, detail: "answered without a numeric `id` (expected `{\"id\": \(id), \"action\": {…}}`)",
        output: text(line))
    }
    guard head.id == id else {
      throw PolicyExchangeError(
        kind: .protocolError, detail: "answered request \(head.id), expected \(id)", output: text(line))
    }
    do {
      let body = try decoder.decode(ResponseBody<Action>.self, from: line)
      decisions += 1
      return body.action
    } catch {
      throw PolicyExchangeError(
        kind: .invalidAction, detail: "answered with an invalid action (\(describe(error)))", output: text(line))
    }
  }

  // MARK: - Lines

  private func send<Line: Encodable>(_ line: Line) throws(PolicyExchangeError) {
    var data: Data
    do {
      data = try encoder.encode(line)
    } catch {
      preconditionFailure("observations always encode: \(error)")
    }
    data.append(10)
    let descriptor = inputPipe.fileHandleForWriting.fileDescriptor
    let written: Bool = data.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return true }
      var offset = 0
      while offset < raw.count {
        let count = write(descriptor, base + offset, raw.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += count
      }
      return true
    }
    if !written { throw exitFailure(waiting: true) }
  }

  /// The next line of stdout, within the timeout.
  private func readLine() throws(PolicyExchangeError) -> Data {
    let descriptor = outputPipe.fileHandleForReading.fileDescriptor
    let deadline = monotonicMicroseconds() + command.timeoutMicroseconds
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      if let newline = buffer[scanned...].firstIndex(of: 10) {
        let line = Data(buffer[..<newline])
        buffer.removeSubrange(...newline)
        scanned = 0
        return line
      }
      scanned = buffer.count
      if buffer.count > 16 << 20 {
        throw PolicyExchangeError(kind: .protocolError, detail: "wrote more than 16 MiB without a newline")
      }
      let remaining = deadline - monotonicMicroseconds()
      if remaining <= 0 {
        let partial = buffer.isEmpty ? nil : text(Data(buffer))
        throw PolicyExchangeError(
          kind: .timeout,
          detail: "did not answer within \(formatSeconds(Double(command.timeoutMicroseconds) / 1e6)) s (the `timeout`)",
          output: partial)
      }
      if interruptRequested() {
        throw PolicyExchangeError(kind: .timeout, detail: "was interrupted", interrupted: true)
      }
      // Waits in slices of at most 100 ms so an interrupt is noticed promptly.
      var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      let ready = poll(&entry, 1, Int32(min(100, (remaining + 999) / 1_000)))
      if ready < 0 && errno != EINTR {
        throw PolicyExchangeError(kind: .protocolError, detail: "cannot wait for its answer (errno \(errno))")
      }
      if ready <= 0 { continue }
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count > 0 {
        buffer.append(contentsOf: chunk[0..<count])
      } else if count == 0 {
        throw exitFailure(waiting: true)
      } else if errno != EINTR && errno != EAGAIN {
        throw exitFailure(waiting: true)
      }
    }
  }

  /// Why the process stopped talking: its exit status or signal, and its stderr's end.
  private func exitFailure(waiting: Bool) -> PolicyExchangeError {
    if waiting {
      // It closed its output; give it a moment to finish exiting.
      let deadline = monotonicMicroseconds() + 1_000_000
      while process.isRunning && monotonicMicroseconds() < deadline { usleep(1_000) }
    }
    let stderrTail = standardErrorTail()
    guard !process.isRunning else {
      return PolicyExchangeError(kind: .exited, detail: "closed its output but kept running", output: stderrTail)
    }
    if process.terminationReason == .uncaughtSignal {
      return PolicyExchangeError(
        kind: .crashed, detail: "crashed (killed by signal \(process.terminationStatus))", output: stderrTail)
    }
    return PolicyExchangeError(
      kind: .exited, detail: "exited with status \(process.terminationStatus) before answering", output: stderrTail)
  }

  private func standardErrorTail() -> String? {
    guard let data = FileManager.default.contents(atPath: standardErrorPath), !data.isEmpty else { return nil }
    return PolicyFault.shorten(String(decoding: data.suffix(2_000), as: UTF8.self))
  }

  private func text(_ line: Data) -> String { PolicyFault.shorten(String(decoding: line, as: UTF8.self)) }

  private func isSyntaxError(_ error: Error) -> Bool {
    if case DecodingError.dataCorrupted(let context) = error { return context.codingPath.isEmpty }
    return false
  }

  private func describe(_ error: Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .keyNotFound(let key, let context): return "missing `\(path(context)).\(key.stringValue)`"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "`\(path(context))`: \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }

  // MARK: - Ending

  /// Ends the process: a `bye` line and end-of-file, then SIGKILL if it lingers.
  ///
  /// Reaps it and collects its stderr. Safe to call more than once.
  @discardableResult
  func terminate(gracefully: Bool) -> PolicyProcessLog {
    if let log { return log }
    var termination = "not-started"
    var status: Int32?
    if started {
      if gracefully && process.isRunning { try? send(ByeLine()) }
      try? inputPipe.fileHandleForWriting.close()
      let deadline = monotonicMicroseconds() + (gracefully ? 500_000 : 0)
      while process.isRunning && monotonicMicroseconds() < deadline { usleep(1_000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      try? outputPipe.fileHandleForReading.close()
      termination = process.terminationReason == .uncaughtSignal ? "signalled" : "exited"
      status = process.terminationStatus
    }
    let data = FileManager.default.contents(atPath: standardErrorPath) ?? Data()
    try? FileManager.default.removeItem(atPath: standardErrorPath)
    let log = PolicyProcessLog(
      decisionPoint: point, policy: command.displayName, processID: processID, decisions: decisions, exitStatus: status,
      termination: termination, standardError: String(decoding: data, as: UTF8.self))
    self.log = log
    return log
  }
}

/// Monotonic microseconds, for timeouts only.
func monotonicMicroseconds() -> Int64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
}
