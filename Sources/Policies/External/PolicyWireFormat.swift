/// The lines of the external policy protocol, version ``PolicyProtocol/version``
/// (docs/POLICY-PROTOCOL.md, docs/policy-protocol.schema.json).
public enum PolicyProtocol {
  /// Bumped on any incompatible change; a policy answering another version is refused.
  public static let version = "platformsim.policy/v1"
}

/// PlatformSim → policy, once, before any request.
struct HelloLine: Encodable {
  var type = "hello"
  var `protocol` = PolicyProtocol.version
  var decisionPoint: String
  var scenario: String
  var runId: Int64
  var seed: UInt64
  /// The simulated start, ISO 8601 UTC.
  var startTime: String
}

/// Policy → PlatformSim, once, in answer to the hello.
struct HelloReply: Decodable {
  var type: String
  var `protocol`: String
  var name: String?
}

/// Simulated time of a request, both ways a policy may want it.
struct WireTime: Encodable {
  /// Seconds since the run's start.
  var seconds: Double
  var iso: String
}

/// PlatformSim → policy, one per decision.
struct RequestLine<Observation: Encodable>: Encodable {
  var type = "decide"
  var id: Int64
  var decisionPoint: String
  var time: WireTime
  var observation: Observation
}

/// The envelope of an answer, read before the action so a wrong id or type is
/// reported as a protocol error rather than an invalid action.
struct ResponseHead: Decodable {
  var type: String?
  var id: Int64
}

struct ResponseBody<Action: Decodable>: Decodable {
  var action: Action
}

/// PlatformSim → policy, at the end of the run; the policy should exit.
struct ByeLine: Encodable {
  var type = "bye"
}
