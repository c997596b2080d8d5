/// The lines of the external policy protocol, version ``PolicyProtocol/version``
/// (docs/POLICY-PROTOCOL.md, docs/policy-protocol.schema.json).
public enum PolicyProtocol {
  /// The newest version: `v2` with `decide-batch` requests and their answers in columns
  /// (one array per observation or action field) instead of one object per question.
  public static let version = "platformsim.policy/v3"
  /// `v1` plus `decide-batch` requests whose observations and actions are objects.
  ///
  /// Still accepted: a policy whose hello answers it gets its batches as before.
  public static let objectBatchVersion = "platformsim.policy/v2"
  /// The first version, one `decide` line per question.
  ///
  /// Still accepted: a policy whose hello answers it is asked one question at a time,
  /// exactly as before.
  public static let legacyVersion = "platformsim.policy/v1"
  /// The versions PlatformSim offers in its hello (`protocols`), newest first.
  public static let supportedVersions = [version, objectBatchVersion, legacyVersion]
}

/// How a policy receives the questions of one decision cycle, by the version its hello chose.
enum BatchShape {
  /// `v1`: one `decide` line per question.
  case none
  /// `v2`: one `decide-batch` line, `observations` an array of objects.
  case objects
  /// `v3`: one `decide-batch` line, `columns` an object of arrays.
  case columns

  init(protocol version: String) {
    switch version {
    case PolicyProtocol.version: self = .columns
    case PolicyProtocol.objectBatchVersion: self = .objects
    default: self = .none
    }
  }
}

/// PlatformSim → policy, once, before any request.
///
/// `protocol` stays the oldest version offered, so a `v1` policy that checks it keeps
/// working; `protocols` lists every version offered, newest first, and the policy's
/// hello answer picks one.
struct HelloLine: Encodable {
  var type = "hello"
  var `protocol` = PolicyProtocol.legacyVersion
  var protocols = PolicyProtocol.supportedVersions
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

/// PlatformSim → policy (`v2`), one per decision cycle of a decision point that asks
/// several questions at once: the observations in the order the model would have asked
/// them one by one, all at the same simulated time.
struct BatchRequestLine<Observation: Encodable>: Encodable {
  var type = "decide-batch"
  var id: Int64
  var decisionPoint: String
  var time: WireTime
  var observations: [Observation]
}

/// The answer to a `decide-batch`: one action per observation, in the same order.
struct BatchResponseBody<Action: Decodable>: IdentifiedResponse {
  var id: Int64
  var actions: [Action]
}

/// An answer decoded with its `id` in one pass.
protocol IdentifiedResponse: Decodable {
  var id: Int64 { get }
}

/// The envelope of an answer, read before the action so a wrong id or type is
/// reported as a protocol error rather than an invalid action.
struct ResponseHead: Decodable {
  var type: String?
  var id: Int64
}

struct ResponseBody<Action: Decodable>: IdentifiedResponse {
  var id: Int64
  var action: Action
}

/// PlatformSim → policy, at the end of the run; the policy should exit.
struct ByeLine: Encodable {
  var type = "bye"
}
