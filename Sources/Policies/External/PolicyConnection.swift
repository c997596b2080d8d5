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
  private let process = PolicyChild()
  /// Our ends of the child's stdin and stdout (close-on-exec, so no other child inherits them).
  private var inputDescriptor: Int32 = -1
  private var outputDescriptor: Int32 = -1
  private let standardErrorPath: String
  /// Our read end of the stderr file, whose name is removed as soon as the child has
  /// it open: no temporary file outlives the run, whatever ends it (even SIGKILL).
  private var standardErrorReader: FileHandle?
  private var buffer: [UInt8] = []
  /// Where `read` puts the policy's output, allocated once (a 64 KiB array per answer
  /// cost a zeroing `memset` per request).
  private let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
  private static let chunkSize = 65_536
  private var scanned = 0
  private var nextRequestID: Int64 = 1
  private let decoder = JSONDecoder()
  private(set) var decisions = 0
  private(set) var log: PolicyProcessLog?
  private var started = false
  /// How many-question decision cycles are sent, by the version the policy's hello chose:
  /// one `decide-batch` line of objects (`v2`) or of columns (`v3`), or one question per
  /// line (`v1`).
  private(set) var batchShape = BatchShape.none
  /// The policy speaks `v2` or `v3`: many-question decision cycles go as one `decide-batch` line.
  var answersInBatches: Bool { batchShape != .none }
  /// The short, adaptive spin before the first blocking wait of each answer.
  private var spinner = AnswerSpinner.fromEnvironment()
  private var spunThisRequest = false

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
    standardErrorPath =
      FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "platformsim-\(getpid())-run\(context.runID)-\(point.rawValue)-\(UInt32.random(in: 0...UInt32.max)).stderr"
      )
      .path
  }

  deinit {
    _ = terminate(gracefully: false)
    chunk.deallocate()
  }

  /// Starts the process and exchanges the hello lines.
  func start() throws(PolicyExchangeError) {
    guard FileManager.default.createFile(atPath: standardErrorPath, contents: nil),
      let errorHandle = FileHandle(forWritingAtPath: standardErrorPath),
      let errorReader = FileHandle(forReadingAtPath: standardErrorPath)
    else {
      try? FileManager.default.removeItem(atPath: standardErrorPath)
      throw PolicyExchangeError(kind: .startFailed, detail: "could not create \(standardErrorPath) for its stderr")
    }
    standardErrorReader = errorReader
    defer { try? FileManager.default.removeItem(atPath: standardErrorPath) }
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONUNBUFFERED"] = "1"
    environment["PLATFORMSIM_DECISION_POINT"] = point.rawValue
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: command.workingDirectory, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      try? errorHandle.close()
      throw PolicyExchangeError(
        kind: .startFailed, detail: "could not be started in \(command.workingDirectory): no such directory")
    }
    var input: [Int32] = [-1, -1]
    var output: [Int32] = [-1, -1]
    guard closeOnExecPipe(&input) else {
      try? errorHandle.close()
      throw PolicyExchangeError(kind: .startFailed, detail: "could not create a pipe (errno \(errno))")
    }
    guard closeOnExecPipe(&output) else {
      close(input[0])
      close(input[1])
      try? errorHandle.close()
      throw PolicyExchangeError(kind: .startFailed, detail: "could not create a pipe (errno \(errno))")
    }
    let spawnError = process.spawn(
      arguments: command.arguments, directory: command.workingDirectory, environment: environment, input: input[0],
      output: output[1], error: errorHandle.fileDescriptor)
    // The child's ends are its own now: ours must go, or we would never see end-of-file.
    close(input[0])
    close(output[1])
    try? errorHandle.close()
    guard spawnError == 0 else {
      close(input[1])
      close(output[0])
      throw PolicyExchangeError(
        kind: .startFailed,
        detail: "could not be started in \(command.workingDirectory): \(String(cString: strerror(spawnError)))")
    }
    inputDescriptor = input[1]
    outputDescriptor = output[0]
    started = true
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
    guard reply.type == "hello", PolicyProtocol.supportedVersions.contains(reply.protocol) else {
      throw PolicyExchangeError(
        kind: .protocolError,
        detail:
          "speaks protocol `\(reply.protocol)`, expected one of "
          + PolicyProtocol.supportedVersions.map { "`\($0)`" }.joined(separator: ", "),
        output: text(line))
    }
    batchShape = BatchShape(protocol: reply.protocol)
  }

  /// Sends the observations of one decision cycle as one `decide-batch` line (protocol
  /// `v2` or `v3`) and waits for their actions, one per observation in the same order.
  func requestBatch<Observation: Encodable, Action: Decodable>(
    _ observations: [Observation], time: PolicyTime, as: Action.Type
  ) throws(PolicyExchangeError) -> [Action] {
    let id = nextRequestID
    nextRequestID += 1
    currentRequestID = id
    if batchShape == .columns {
      return try requestColumns(observations, id: id, time: time, as: Action.self)
    }
    try send(
      BatchRequestLine(
        id: id, decisionPoint: point.rawValue, time: WireTime(seconds: time.seconds, iso: context.isoTime(time)),
        observations: observations))
    let (line, body) = try readAnswer(
      to: id, as: BatchResponseBody<Action>.self, expecting: "{\"id\": \(id), \"actions\": [{…}, …]}",
      scanning: Self.scanner(for: Action.self, shape: .objects).map { scan in
        { line in scan(line).map { BatchResponseBody(id: $0.id, actions: $0.actions) } }
      })
    let actions = body.actions
    guard actions.count == observations.count else {
      throw PolicyExchangeError(
        kind: .invalidAction,
        detail: "answered \(actions.count) actions to a batch of \(observations.count) observations",
        output: text(line))
    }
    decisions += actions.count
    return actions
  }

  /// The `v3` exchange: observations sent as columns, actions read from columns.
  ///
  /// A plain answer of a ``ScannableAction`` is read by ``PolicyAnswerScanner``; anything
  /// else (and any fault) takes ``decodeColumns(_:id:count:as:)``, which names the fault.
  private func requestColumns<Observation: Encodable, Action: Decodable>(
    _ observations: [Observation], id: Int64, time: PolicyTime, as: Action.Type
  ) throws(PolicyExchangeError) -> [Action] {
    var data: [UInt8]
    do {
      data = try PolicyJSONEncoder.encodeColumnarBatch(
        id: id, decisionPoint: point.rawValue, time: WireTime(seconds: time.seconds, iso: context.isoTime(time)),
        observations: observations)
    } catch {
      preconditionFailure("observations always encode: \(error)")
    }
    try transmit(&data)
    let line = try readLine()
    if let scanning = Self.scanner(for: Action.self, shape: .columns), let answer = line.withUnsafeBytes(scanning),
      answer.id == id, answer.actions.count == observations.count
    {
      decisions += observations.count
      return answer.actions
    }
    let actions = try decodeColumns(line, id: id, count: observations.count, as: Action.self)
    decisions += actions.count
    return actions
  }

  /// A `v3` answer read the slow way, every fault named: the envelope as for any answer
  /// (invalid JSON, a missing or other `id`), then `columns` — an object of arrays, each
  /// as long as the batch — and then each question's action, an object made of its
  /// element of every column (`null` is an absent field), decoded by `JSONDecoder` from
  /// the elements' own text, exactly as a `v2` action object would be.
  func decodeColumns<Action: Decodable>(
    _ line: Data, id: Int64, count: Int, as: Action.Type
  ) throws(PolicyExchangeError) -> [Action] {
    let shape = "{\"id\": \(id), \"columns\": {\"<field>\": [<one per question>], …}}"
    try checkEnvelope(line, id: id, shape: shape)
    let invalid = { (detail: String) in
      PolicyExchangeError(
        kind: .invalidAction, detail: "answered with an invalid action (\(detail))", output: self.text(line))
    }
    let columnsText: Result<[(name: String, key: [UInt8], values: [[UInt8]])], PolicyExchangeError> =
      line.withUnsafeBytes { bytes in
        guard let members = PolicyAnswerScanner.members(of: bytes, in: 0..<bytes.count) else {
          return .failure(
            PolicyExchangeError(kind: .invalidJSON, detail: "answered with invalid JSON", output: self.text(line)))
        }
        guard let columns = members.last(where: { PolicyAnswerScanner.text(bytes, $0.key) == "\"columns\"" }) else {
          return .failure(invalid("no `columns`; expected `\(shape)`"))
        }
        guard let fields = PolicyAnswerScanner.members(of: bytes, in: columns.value) else {
          return .failure(invalid("`columns` is not an object of arrays"))
        }
        var result: [(name: String, key: [UInt8], values: [[UInt8]])] = []
        for field in fields {
          let key = Array(bytes[field.key])
          let name = PolicyAnswerScanner.text(bytes, field.key.dropFirst().dropLast())
          guard !result.contains(where: { $0.key == key }) else {
            return .failure(invalid("column `\(name)` appears twice"))
          }
          guard let elements = PolicyAnswerScanner.elements(of: bytes, in: field.value) else {
            return .failure(invalid("column `\(name)` is not an array"))
          }
          guard elements.count == count else {
            return .failure(
              invalid(
                "column `\(name)` has \(elements.count) values for a batch of \(count) "
                  + (count == 1 ? "question" : "questions")))
          }
          result.append((name, key, elements.map { Array(bytes[$0]) }))
        }
        return .success(result)
      }
    let columns = try columnsText.get()
    // `[{"field": value, …}, …]`: one object per question, `null`s left out.
    var objects: [UInt8] = [UInt8(ascii: "[")]
    for index in 0..<count {
      if index > 0 { objects.append(UInt8(ascii: ",")) }
      objects.append(UInt8(ascii: "{"))
      var first = true
      for column in columns where column.values[index] != Array("null".utf8) {
        if !first { objects.append(UInt8(ascii: ",")) }
        first = false
        objects.append(contentsOf: column.key)
        objects.append(UInt8(ascii: ":"))
        objects.append(contentsOf: column.values[index])
      }
      objects.append(UInt8(ascii: "}"))
    }
    objects.append(UInt8(ascii: "]"))
    do {
      return try decoder.decode([Action].self, from: Data(objects))
    } catch {
      throw invalid(describeColumnar(error, columns: Set(columns.map(\.name))))
    }
  }

  /// A decoding error of `[Action]` built from columns, by batch element and column.
  private func describeColumnar(_ error: Error, columns: Set<String>) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func place(_ context: DecodingError.Context) -> String {
      let path = context.codingPath
      guard let index = path.first?.intValue else { return describe(error) }
      let field = path.dropFirst().map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      return field.isEmpty
        ? "batch element \(index)" : "batch element \(index), column `\(field.dropFirst())`"
    }
    switch error {
    case .keyNotFound(let key, let context):
      if context.codingPath.count == 1 && !columns.contains(key.stringValue) {
        return "no column `\(key.stringValue)`"
      }
      return "\(place(context)): missing `\(key.stringValue)`"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "\(place(context)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }

  /// The answer line to request `id` and its body, decoded in one pass when well-formed.
  ///
  /// Only when that fails is the envelope decoded on its own, so the fault is named as
  /// before: invalid JSON, a missing or other `id` (protocol error), else an invalid action.
  ///
  /// `scanning` reads a plain well-formed answer without `JSONDecoder`
  /// (``PolicyAnswerScanner``); whatever it gives up on, or answers with another id,
  /// takes the decoder's path below.
  private func readAnswer<Body: IdentifiedResponse>(
    to id: Int64, as: Body.Type, expecting shape: String,
    scanning: ((UnsafeRawBufferPointer) -> Body?)? = nil
  ) throws(PolicyExchangeError) -> (Data, Body) {
    let line = try readLine()
    if let scanning, let body = line.withUnsafeBytes(scanning), body.id == id { return (line, body) }
    let bodyError: Error
    do {
      let body = try decoder.decode(Body.self, from: line)
      if body.id == id { return (line, body) }
      bodyError = PolicyExchangeError(kind: .protocolError, detail: "")
    } catch {
      bodyError = error
    }
    try checkEnvelope(line, id: id, shape: shape)
    throw PolicyExchangeError(
      kind: .invalidAction, detail: "answered with an invalid action (\(describe(bodyError)))", output: text(line))
  }

  /// Returns if `line` is JSON whose `id` is `id`; otherwise throws the fault that names
  /// what is wrong: invalid JSON, no numeric `id` (a protocol error), or another request's id.
  private func checkEnvelope(_ line: Data, id: Int64, shape: String) throws(PolicyExchangeError) {
    let head: ResponseHead
    do {
      head = try decoder.decode(ResponseHead.self, from: line)
    } catch {
      if isSyntaxError(error) {
        throw PolicyExchangeError(kind: .invalidJSON, detail: "answered with invalid JSON", output: text(line))
      }
      throw PolicyExchangeError(
        kind: .protocolError, detail: "answered without a numeric `id` (expected `\(shape)`)", output: text(line))
    }
    guard head.id == id else {
      throw PolicyExchangeError(
        kind: .protocolError, detail: "answered request \(head.id), expected \(id)", output: text(line))
    }
  }

  /// Reads a batch answer of `Action`s in `shape` without `JSONDecoder` when `Action`
  /// is a ``ScannableAction``; nil otherwise.
  private static func scanner<Action: Decodable>(
    for action: Action.Type, shape: BatchShape
  ) -> ((UnsafeRawBufferPointer) -> (id: Int64, actions: [Action])?)? {
    guard let scannable = action as? any ScannableAction.Type else { return nil }
    return { line in scanBatch(line, as: scannable, shape: shape) }
  }

  private static func scanBatch<Action: Decodable, Scanned: ScannableAction>(
    _ line: UnsafeRawBufferPointer, as: Scanned.Type, shape: BatchShape
  ) -> (id: Int64, actions: [Action])? {
    // `Scanned` is `Action` (``scanner(for:shape:)`` found it by a cast), so the array is reused as is.
    guard Scanned.self == Action.self,
      let answer = PolicyAnswerScanner.batchAnswer(line, as: Scanned.self, shape: shape)
    else { return nil }
    return (answer.id, unsafeBitCast(answer.actions, to: [Action].self))
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
    let (_, body) = try readAnswer(
      to: id, as: ResponseBody<Action>.self, expecting: "{\"id\": \(id), \"action\": {…}}")
    decisions += 1
    return body.action
  }

  // MARK: - Lines

  private func send<Line: Encodable>(_ line: Line) throws(PolicyExchangeError) {
    var data: [UInt8]
    do {
      data = try PolicyJSONEncoder.encode(line)
    } catch {
      preconditionFailure("observations always encode: \(error)")
    }
    try transmit(&data)
  }

  /// Writes `data` and a newline to the policy's stdin.
  private func transmit(_ data: inout [UInt8]) throws(PolicyExchangeError) {
    data.append(10)
    let descriptor = inputDescriptor
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
    spunThisRequest = false
    let descriptor = outputDescriptor
    let deadline = monotonicMicroseconds() + command.timeoutMicroseconds
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
      var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      var ready: Int32 = 0
      if !spunThisRequest {
        spunThisRequest = true
        ready = spinner.spin { poll(&entry, 1, 0) > 0 }
      }
      // Waits in slices of at most 100 ms so an interrupt is noticed promptly.
      if ready == 0 { ready = poll(&entry, 1, Int32(min(100, (remaining + 999) / 1_000))) }
      if ready < 0 && errno != EINTR {
        throw PolicyExchangeError(kind: .protocolError, detail: "cannot wait for its answer (errno \(errno))")
      }
      if ready == 0 {
        // The direct child exited while a descendant it left holds our pipe: what
        // ends the wait is the child's exit, never end-of-file on the pipe.
        if !process.isRunning { throw exitFailure(waiting: false) }
        continue
      }
      if ready < 0 { continue }
      let count = read(descriptor, chunk, Self.chunkSize)
      if count > 0 {
        buffer.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
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
    if process.wasSignalled {
      return PolicyExchangeError(
        kind: .crashed, detail: "crashed (killed by signal \(process.terminationStatus))", output: stderrTail)
    }
    return PolicyExchangeError(
      kind: .exited, detail: "exited with status \(process.terminationStatus) before answering", output: stderrTail)
  }

  private func standardErrorTail() -> String? {
    let (data, _) = readStandardError(keepingLast: 2_000)
    guard !data.isEmpty else { return nil }
    return PolicyFault.shorten(String(decoding: data, as: UTF8.self))
  }

  /// The last `limit` bytes of the process's stderr, and how many bytes came before them.
  private func readStandardError(keepingLast limit: Int) -> (data: Data, dropped: UInt64) {
    guard let reader = standardErrorReader, let size = try? reader.seekToEnd() else { return (Data(), 0) }
    let start = size > UInt64(limit) ? size - UInt64(limit) : 0
    guard (try? reader.seek(toOffset: start)) != nil, let data = try? reader.readToEnd() else { return (Data(), 0) }
    return (data, start)
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
      closeDescriptor(&inputDescriptor)
      let deadline = monotonicMicroseconds() + (gracefully ? 500_000 : 0)
      while process.isRunning && monotonicMicroseconds() < deadline { usleep(1_000) }
      endProcessGroup()
      process.waitUntilExit()
      closeDescriptor(&outputDescriptor)
      termination = process.wasSignalled ? "signalled" : "exited"
      status = process.terminationStatus
    }
    let (data, dropped) = readStandardError(keepingLast: Self.standardErrorLimit)
    try? standardErrorReader?.close()
    standardErrorReader = nil
    try? FileManager.default.removeItem(atPath: standardErrorPath)
    var standardError = String(decoding: data, as: UTF8.self)
    if dropped > 0 {
      standardError =
        "[platformsim: the first \(dropped) bytes of stderr were dropped; the last "
        + "\(Self.standardErrorLimit / 1_024) KiB are kept]\n" + standardError
    }
    let log = PolicyProcessLog(
      decisionPoint: point, policy: command.displayName, processID: processID, decisions: decisions, exitStatus: status,
      termination: termination, standardError: standardError)
    self.log = log
    return log
  }
}

extension PolicyConnection {
  /// Closes `descriptor` once.
  func closeDescriptor(_ descriptor: inout Int32) {
    if descriptor >= 0 { close(descriptor) }
    descriptor = -1
  }

  /// How much of a policy's stderr is kept (its end), bytes.
  static let standardErrorLimit = 64 * 1_024
  /// How long the process group has between SIGTERM and SIGKILL, microseconds.
  static let terminationGrace: Int64 = 1_000_000

  /// Ends the policy's whole process group: SIGTERM, then SIGKILL after a grace period.
  ///
  /// Foundation starts the child as the leader of its own group, so helpers it forked
  /// are in it; SIGKILL goes to what is left after ``terminationGrace``. Helpers are ended even when the child itself
  /// has already exited. A descendant that leaves the group (`setsid`, a daemon) is
  /// beyond reach; it can no longer block the run, which waits only for the child.
  func endProcessGroup() {
    let group = process.processIdentifier
    guard group > 0 else { return }
    if process.isRunning || kill(-group, 0) == 0 {
      kill(-group, SIGTERM)
      let deadline = monotonicMicroseconds() + Self.terminationGrace
      while (process.isRunning || kill(-group, 0) == 0) && monotonicMicroseconds() < deadline { usleep(2_000) }
    }
    kill(-group, SIGKILL)
    if process.isRunning { kill(group, SIGKILL) }
  }
}

/// A pipe whose both ends are close-on-exec (`pipe2` is not visible from Swift's Glibc).
func closeOnExecPipe(_ descriptors: inout [Int32]) -> Bool {
  guard pipe(&descriptors) == 0 else { return false }
  for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
  return true
}

/// Monotonic microseconds, for timeouts only.
func monotonicMicroseconds() -> Int64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
}

/// A short spin before blocking for an answer, adapted to how fast answers come.
///
/// A blocking `poll` costs a sleep and a wake-up on both sides; when the policy
/// answers within a few tens of microseconds, checking the pipe without blocking for
/// that long saves the wake-up. The spin adapts as glibc's adaptive mutexes do
/// (`PTHREAD_MUTEX_ADAPTIVE_NP`): its length follows twice the recent answer time,
/// capped at ``maximumNanoseconds`` (a miss resets it to the cap); after
/// ``failuresBeforeBackOff`` spins in a row in which the answer did not come,
/// spinning stops and is retried once every ``probeInterval`` requests. It only ever runs right after a request was sent, for
/// at most the cap, so a waiting simulator never burns CPU while idle.
///
/// Off unless `PLATFORMSIM_POLICY_SPIN=adaptive`: on the shared 2-vCPU development
/// machine at load average ≈ 9 it made the median round trip slower (92–100 µs against
/// 76–77 µs without), since the simulator's spin takes the CPU the policy needs to
/// answer (docs/PERFORMANCE.md, "External policy round trip"). A gain at low load was
/// not measured, so it stays an opt-in for machines with a spare core.
struct AnswerSpinner {
  static let maximumNanoseconds: Int64 = 50_000
  static let failuresBeforeBackOff = 4
  static let probeInterval = 64

  var enabled: Bool
  /// The current spin length, ns.
  private(set) var limitNanoseconds: Int64 = maximumNanoseconds
  private var failures = 0
  private var requestsSinceProbe = 0
  private(set) var hits = 0
  private(set) var misses = 0

  static func fromEnvironment() -> AnswerSpinner {
    AnswerSpinner(enabled: ProcessInfo.processInfo.environment["PLATFORMSIM_POLICY_SPIN"] == "adaptive")
  }

  /// Spins until `ready()` or the current limit; returns 1 if the answer came, else 0.
  mutating func spin(until ready: () -> Bool) -> Int32 {
    guard enabled else { return 0 }
    if failures >= Self.failuresBeforeBackOff {
      requestsSinceProbe += 1
      guard requestsSinceProbe >= Self.probeInterval else { return 0 }
      requestsSinceProbe = 0
      limitNanoseconds = Self.maximumNanoseconds
    }
    let start = monotonicNanoseconds()
    while true {
      if ready() {
        let waited = monotonicNanoseconds() - start
        hits += 1
        failures = 0
        // Twice the answer time just seen, averaged with the last limit.
        limitNanoseconds = min(Self.maximumNanoseconds, max(5_000, (limitNanoseconds + 2 * waited) / 2))
        return 1
      }
      if monotonicNanoseconds() - start >= limitNanoseconds { break }
    }
    misses += 1
    failures += 1
    // The answer was slower than the spin: try the full cap next time, until backing off.
    limitNanoseconds = Self.maximumNanoseconds
    return 0
  }
}

/// Monotonic nanoseconds, for the spin only.
func monotonicNanoseconds() -> Int64 {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
