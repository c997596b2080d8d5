/// One `policy_faults` row: an external policy that failed to answer, and what the run
/// did about it (docs/POLICY-PROTOCOL.md).
public struct PolicyFaultRow: ResultRow, Equatable {
  public static let table = ResultTable<PolicyFaultRow>(
    "policy_faults", perRun: true,
    columns: [
      .column("decision_point", \.decisionPoint),
      .column("policy", \.policy),
      .column("request_id", \.requestID),
      .column("sim_time", \.simulatedTime),
      .column("kind", \.kind),
      .column("message", \.message),
      .column("output", \.output),
      .column("handling", \.handling),
      .column("fallback_builtin", \.fallbackBuiltIn),
    ])

  public var decisionPoint: String
  public var policy: String
  public var requestID: Int64?
  public var simulatedTime: Double
  public var kind: String
  public var message: String
  public var output: String?
  public var handling: String
  public var fallbackBuiltIn: String?

  @inlinable public init(
    decisionPoint: String, policy: String, requestID: Int64?, simulatedTime: Double, kind: String, message: String,
    output: String?, handling: String, fallbackBuiltIn: String?
  ) {
    self.decisionPoint = decisionPoint
    self.policy = policy
    self.requestID = requestID
    self.simulatedTime = simulatedTime
    self.kind = kind
    self.message = message
    self.output = output
    self.handling = handling
    self.fallbackBuiltIn = fallbackBuiltIn
  }

  public init(from row: RowReader<PolicyFaultRow>) throws(RowDecodingError) {
    self.init(
      decisionPoint: try row[\.decisionPoint], policy: try row[\.policy], requestID: try row[\.requestID],
      simulatedTime: try row[\.simulatedTime], kind: try row[\.kind], message: try row[\.message],
      output: try row[\.output], handling: try row[\.handling], fallbackBuiltIn: try row[\.fallbackBuiltIn])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(decisionPoint)
    row.append(policy)
    row.append(requestID)
    row.append(simulatedTime)
    row.append(kind)
    row.append(message)
    row.append(output)
    row.append(handling)
    row.append(fallbackBuiltIn)
  }
}

/// One `policy_logs` row: an external policy process, how it ended and what it wrote to
/// stderr.
public struct PolicyLogRow: ResultRow, Equatable {
  public static let table = ResultTable<PolicyLogRow>(
    "policy_logs", perRun: true,
    columns: [
      .column("decision_point", \.decisionPoint),
      .column("policy", \.policy),
      .column("process_id", \.processID),
      .column("decisions", \.decisions),
      .column("termination", \.termination),
      .column("exit_status", \.exitStatus),
      .column("stderr", \.standardError),
    ])

  public var decisionPoint: String
  public var policy: String
  public var processID: Int64?
  public var decisions: Int
  public var termination: String
  public var exitStatus: Int64?
  public var standardError: String

  @inlinable public init(
    decisionPoint: String, policy: String, processID: Int64?, decisions: Int, termination: String, exitStatus: Int64?,
    standardError: String
  ) {
    self.decisionPoint = decisionPoint
    self.policy = policy
    self.processID = processID
    self.decisions = decisions
    self.termination = termination
    self.exitStatus = exitStatus
    self.standardError = standardError
  }

  public init(from row: RowReader<PolicyLogRow>) throws(RowDecodingError) {
    self.init(
      decisionPoint: try row[\.decisionPoint], policy: try row[\.policy], processID: try row[\.processID],
      decisions: try row[\.decisions], termination: try row[\.termination], exitStatus: try row[\.exitStatus],
      standardError: try row[\.standardError])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(decisionPoint)
    row.append(policy)
    row.append(processID)
    row.append(decisions)
    row.append(termination)
    row.append(exitStatus)
    row.append(standardError)
  }
}
