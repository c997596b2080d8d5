#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The external policy processes of one run, and the faults they made.
///
/// Owns every child process it starts: ``finish()`` (also called on deinit) ends
/// and reaps them, so none outlives the run — whether the run completes, fails or
/// is interrupted. A run with no external selection starts nothing.
public final class PolicyRuntime {
  public let context: PolicyRunContext
  public private(set) var faults: [PolicyFault] = []
  private var connections: [PolicyConnection] = []
  private var logs: [PolicyProcessLog]?

  /// The fault that fails the run (`onError: fail`), if any happened.
  public var fatalFault: PolicyFault? { faults.first { $0.handling == .failedRun } }
  /// `fatalFault != nil`, stored: the run loop reads it after every event.
  public private(set) var hasFatalFault = false

  /// Polled while waiting for an answer, so SIGINT/SIGTERM need not wait out a timeout.
  let interruptRequested: () -> Bool
  /// An interrupt arrived while a policy was being waited for: the run must stop.
  public private(set) var wasInterrupted = false

  /// Whether the run must stop now: a fatal fault, or an interrupt during a decision.
  public var mustStop: Bool { hasFatalFault || wasInterrupted }

  init(context: PolicyRunContext, interruptRequested: @escaping () -> Bool) {
    self.context = context
    self.interruptRequested = interruptRequested
  }

  deinit { finish() }

  /// Builds the policies `configuration` selects and starts their processes.
  ///
  /// Each external process is started and greeted (the hello); one that fails to
  /// start is a fault like any other.
  public static func start(
    _ configuration: PolicyConfiguration, context: PolicyRunContext,
    interruptRequested: @escaping () -> Bool = { false }
  ) -> (PolicySet, PolicyRuntime) {
    let runtime = PolicyRuntime(context: context, interruptRequested: interruptRequested)
    var set = PolicySet(builtIns: configuration)
    guard configuration.usesExternalPolicies else { return (set, runtime) }
    // A policy that exits must not take the simulator down with SIGPIPE on our next write.
    signal(SIGPIPE, SIG_IGN)
    for point in DecisionPoint.allCases {
      let selection = configuration[point]
      guard let command = selection.external else { continue }
      func external<Observation, Action>(
        _ fallback: @escaping (Observation, PolicyTime) -> Action,
        _ validate: @escaping (Observation, Action) -> String?
      ) -> ExternalPolicy<Observation, Action> {
        runtime.connect(
          point, command: command, fallback: fallback, fallbackName: selection.builtIn, validate: validate)
      }
      switch point {
      case .nodeScaleUp: set.nodeScaleUp = external(set.nodeScaleUp.decide) { $0.problem(with: $1) }
      case .nodeScaleDown: set.nodeScaleDown = external(set.nodeScaleDown.decide) { $0.problem(with: $1) }
      case .nodeOrder: set.nodeOrder = external(set.nodeOrder.decide) { $0.problem(with: $1) }
      case .queueOrder: set.queueOrder = external(set.queueOrder.decide) { $0.problem(with: $1) }
      case .gpuNodeOrder: set.gpuNodeOrder = external(set.gpuNodeOrder.decide) { $0.problem(with: $1) }
      case .nodeConsolidation:
        set.nodeConsolidation = external(set.nodeConsolidation.decide) { $0.problem(with: $1) }
      case .capacityType: set.capacityType = external(set.capacityType.decide) { $0.problem(with: $1) }
      case .preemption: set.preemption = external(set.preemption.decide) { $0.problem(with: $1) }
      case .checkpointInterval:
        set.checkpointInterval = external(set.checkpointInterval.decide) { $0.problem(with: $1) }
      case .admission: set.admission = external(set.admission.decide) { $0.problem(with: $1) }
      case .devSchedule: set.devSchedule = external(set.devSchedule.decide) { $0.problem(with: $1) }
      case .incidentResponse: set.incidentResponse = external(set.incidentResponse.decide) { $0.problem(with: $1) }
      case .rolloutStep: set.rolloutStep = external(set.rolloutStep.decide) { $0.problem(with: $1) }
      case .analysisVerdict: set.analysisVerdict = external(set.analysisVerdict.decide) { $0.problem(with: $1) }
      case .alertRouting: set.alertRouting = external(set.alertRouting.decide) { $0.problem(with: $1) }
      case .replicaAutoscaling:
        set.replicaAutoscaling = external(set.replicaAutoscaling.decide) { $0.problem(with: $1) }
      }
    }
    return (set, runtime)
  }

  private func connect<Observation, Action>(
    _ point: DecisionPoint, command: ExternalPolicyCommand, fallback: @escaping (Observation, PolicyTime) -> Action,
    fallbackName: String, validate: @escaping (Observation, Action) -> String?
  ) -> ExternalPolicy<Observation, Action> {
    let connection = PolicyConnection(
      point: point, command: command, context: context, interruptRequested: interruptRequested)
    connections.append(connection)
    let policy = ExternalPolicy(
      connection: connection, fallback: fallback, fallbackName: fallbackName, validate: validate, runtime: self)
    do {
      try connection.start()
    } catch {
      policy.markFailed()
      connection.terminate(gracefully: false)
      if error.interrupted {
        noteInterrupted()
        return policy
      }
      record(
        error, point: point, command: command, requestID: nil, time: PolicyTime(microseconds: 0),
        fallbackName: fallbackName)
    }
    return policy
  }

  /// The wait for an answer was cut short by SIGINT/SIGTERM: not the policy's fault.
  func noteInterrupted() { wasInterrupted = true }

  func record(
    _ error: PolicyExchangeError, point: DecisionPoint, command: ExternalPolicyCommand, requestID: Int64?,
    time: PolicyTime, fallbackName: String
  ) {
    faults.append(
      PolicyFault(
        kind: error.kind, decisionPoint: point, policy: command.displayName, requestID: requestID, simulatedTime: time,
        detail: error.detail, output: error.output, handling: command.onError == .fail ? .failedRun : .fallback,
        fallbackBuiltIn: command.onError == .fallback ? fallbackName : nil))
    if command.onError == .fail { hasFatalFault = true }
  }

  /// Ends every process and returns what each did.
  ///
  /// Idempotent: later calls return the same logs.
  @discardableResult
  public func finish() -> [PolicyProcessLog] {
    if let logs { return logs }
    let collected = connections.map { $0.terminate(gracefully: true) }
    logs = collected
    return collected
  }
}
