/// Which implementation answers each decision point in a run, from `spec.policies`.
///
/// A plain value (no processes yet): ``PolicyRuntime/start(_:context:)`` turns it
/// into a ``PolicySet`` when a run begins.
public struct PolicyConfiguration: Sendable, Equatable {
  /// Selections by decision point; points not named run their default built-in.
  public var selections: [DecisionPoint: PolicySelection]

  public init(selections: [DecisionPoint: PolicySelection] = [:]) { self.selections = selections }

  public subscript(point: DecisionPoint) -> PolicySelection {
    selections[point] ?? PolicySelection(builtIn: point.defaultBuiltIn)
  }

  /// Whether any decision point runs an external process.
  public var usesExternalPolicies: Bool { selections.values.contains { $0.external != nil } }
}

/// One decision point's implementation: a built-in, or an external process with a
/// built-in to fall back to.
public struct PolicySelection: Sendable, Equatable {
  /// The built-in that answers, or the one that takes over after a fault when
  /// `external.onError` is `fallback`.
  public var builtIn: String
  public var external: ExternalPolicyCommand?

  public init(builtIn: String, external: ExternalPolicyCommand? = nil) {
    self.builtIn = builtIn
    self.external = external
  }
}

/// An executable that speaks the policy protocol (docs/POLICY-PROTOCOL.md).
public struct ExternalPolicyCommand: Sendable, Equatable {
  /// What to do when the process crashes, exits, hangs or answers nonsense.
  public enum OnError: String, Sendable, CaseIterable {
    /// Fail the run (status `failed`, exit code 1).
    case fail
    /// Record the fault in `policy_faults` and let the built-in answer from then on.
    case fallback
  }

  /// The program and its arguments; a program without `/` is looked up on `PATH`.
  public var arguments: [String]
  /// Where the process starts: the scenario file's directory.
  public var workingDirectory: String
  /// Longest wait for one answer (and for the handshake).
  public var timeoutMicroseconds: Int64
  public var onError: OnError

  /// A few seconds: far above a healthy round trip (tens of µs), short enough that
  /// a hung policy fails a CI job quickly.
  public static let defaultTimeoutMicroseconds: Int64 = 5_000_000

  public init(
    arguments: [String], workingDirectory: String, timeoutMicroseconds: Int64 = defaultTimeoutMicroseconds,
    onError: OnError = .fail
  ) {
    self.arguments = arguments
    self.workingDirectory = workingDirectory
    self.timeoutMicroseconds = timeoutMicroseconds
    self.onError = onError
  }

  /// The command as a user would type it, for messages and `policy_logs`.
  public var displayName: String { arguments.joined(separator: " ") }
}
