/// The one shape every decision point has: an observation in, an action out.
///
/// Observations and actions are `Codable` so the same values travel as JSON to an
/// external policy process (docs/POLICY-PROTOCOL.md). Each decision point refines
/// this protocol with fixed types (e.g. ``IncidentResponsePolicy``), so the model
/// holds an `any IncidentResponsePolicy` and never knows whether a built-in, a
/// user's Swift type or an external process answers.
///
/// A policy is called synchronously, on the simulation's thread, at the simulated
/// time given; it must not read the wall clock or draw from the system RNG, or runs
/// stop being reproducible. Randomness a built-in needs arrives in the observation,
/// pre-drawn from the model's named streams (common random numbers).
public protocol DecisionPolicy<Observation, Action>: AnyObject {
  associatedtype Observation: Codable & Sendable
  associatedtype Action: Codable & Sendable

  /// Decides at `time` (microseconds since the run's start).
  func decide(_ observation: Observation, at time: PolicyTime) -> Action

  /// Whether the policy prefers a decision cycle's questions in one
  /// ``decide(batch:at:)`` call (an external process speaking protocol `v2` or `v3`); callers
  /// then ask that way. `false` for built-ins: they are asked one question at a time.
  var answersInBatches: Bool { get }

  /// Decides several independent questions of one decision cycle at `time`, in order.
  /// Must give the same actions as asking ``decide(_:at:)`` for each in turn.
  func decide(batch observations: [Observation], at time: PolicyTime) -> [Action]
}

extension DecisionPolicy {
  public var answersInBatches: Bool { false }

  public func decide(batch observations: [Observation], at time: PolicyTime) -> [Action] {
    observations.map { decide($0, at: time) }
  }
}

/// Simulated time of a decision: microseconds since the run's start.
public struct PolicyTime: Sendable, Equatable {
  public var microseconds: Int64
  public init(microseconds: Int64) { self.microseconds = microseconds }
  public var seconds: Double { Double(microseconds) / 1_000_000 }
}

/// A node's or a request's resources in an observation.
public struct ResourceAmounts: Codable, Sendable, Equatable {
  public var cpuMillis: Int64
  public var memoryMiB: Int64
  public var gpus: Int64
  public init(cpuMillis: Int64, memoryMiB: Int64, gpus: Int64) {
    self.cpuMillis = cpuMillis
    self.memoryMiB = memoryMiB
    self.gpus = gpus
  }
}

/// A name-value pair (tags, labels) that keeps its order in JSON.
public struct NameValue: Codable, Sendable, Equatable {
  public var name: String
  public var value: String
  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}
