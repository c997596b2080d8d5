/// A decision point answered by an external process, with a built-in behind it.
///
/// The model sees an ordinary policy. When the process fails (crash, exit, timeout,
/// invalid JSON, invalid action) the fault is recorded in the ``PolicyRuntime``, the
/// process is killed, and the built-in answers this and every later decision — so
/// the model never sees an error. With `onError: fail` the runtime then marks the
/// run failed and the run loop stops at its next check.
public final class ExternalPolicy<Observation: Codable & Sendable, Action: Codable & Sendable>: DecisionPolicy {
  let connection: PolicyConnection
  let fallback: (Observation, PolicyTime) -> Action
  let fallbackName: String
  let validate: (Observation, Action) -> String?
  /// Strong: a policy set may outlive the caller's reference to its runtime (no cycle:
  /// the runtime holds connections, not policies).
  let runtime: PolicyRuntime
  private var failed = false

  init(
    connection: PolicyConnection, fallback: @escaping (Observation, PolicyTime) -> Action, fallbackName: String,
    validate: @escaping (Observation, Action) -> String?, runtime: PolicyRuntime
  ) {
    self.connection = connection
    self.fallback = fallback
    self.fallbackName = fallbackName
    self.validate = validate
    self.runtime = runtime
  }

  /// Marks the policy failed before any request (start-up or handshake fault).
  func markFailed() { failed = true }

  public func decide(_ observation: Observation, at time: PolicyTime) -> Action {
    guard !failed else { return fallback(observation, time) }
    do throws(PolicyExchangeError) {
      let action = try connection.request(observation, time: time, as: Action.self)
      if let problem = validate(observation, action) {
        throw PolicyExchangeError(kind: .invalidAction, detail: "answered with an invalid action: \(problem)")
      }
      return action
    } catch {
      failed = true
      connection.terminate(gracefully: false)
      if error.interrupted {
        runtime.noteInterrupted()
        return fallback(observation, time)
      }
      runtime.record(
        error, point: connection.point, command: connection.command, requestID: connection.currentRequestID, time: time,
        fallbackName: fallbackName)
      return fallback(observation, time)
    }
  }

  /// Whether the process speaks protocol `v2` or `v3` and has not failed: callers then
  /// gather a decision cycle's questions into one ``decide(batch:at:)``.
  public var answersInBatches: Bool { !failed && connection.answersInBatches }

  /// One `decide-batch` round trip for the whole cycle (protocol `v2`: objects; `v3`:
  /// columns), or one `decide` per observation for a `v1` policy; the fallback answers
  /// every question after a fault.
  public func decide(batch observations: [Observation], at time: PolicyTime) -> [Action] {
    guard !failed else { return observations.map { fallback($0, time) } }
    guard connection.answersInBatches else { return observations.map { decide($0, at: time) } }
    guard !observations.isEmpty else { return [] }
    do throws(PolicyExchangeError) {
      let actions = try connection.requestBatch(observations, time: time, as: Action.self)
      for (index, (observation, action)) in zip(observations, actions).enumerated() {
        if let problem = validate(observation, action) {
          throw PolicyExchangeError(
            kind: .invalidAction, detail: "answered with an invalid action (batch element \(index)): \(problem)")
        }
      }
      return actions
    } catch {
      failed = true
      connection.terminate(gracefully: false)
      if error.interrupted {
        runtime.noteInterrupted()
      } else {
        runtime.record(
          error, point: connection.point, command: connection.command, requestID: connection.currentRequestID,
          time: time, fallbackName: fallbackName)
      }
      return observations.map { fallback($0, time) }
    }
  }
}

extension ExternalPolicy: NodeScaleUpPolicy where Observation == NodeScaleUpObservation, Action == NodeScaleUpAction {}
extension ExternalPolicy: NodeScaleDownPolicy
where Observation == NodeScaleDownObservation, Action == NodeScaleDownAction {}
extension ExternalPolicy: NodeOrderPolicy
where Observation == NodeOrderObservation, Action == NodeOrderAction {}
extension ExternalPolicy: QueueOrderPolicy
where Observation == QueueOrderObservation, Action == QueueOrderAction {}
extension ExternalPolicy: GPUNodeOrderPolicy
where Observation == GPUNodeOrderObservation, Action == GPUNodeOrderAction {}
extension ExternalPolicy: NodeConsolidationPolicy
where Observation == NodeConsolidationObservation, Action == NodeConsolidationAction {}
extension ExternalPolicy: CapacityTypePolicy
where Observation == CapacityTypeObservation, Action == CapacityTypeAction {}
extension ExternalPolicy: PreemptionPolicy where Observation == PreemptionObservation, Action == PreemptionAction {}
extension ExternalPolicy: CheckpointIntervalPolicy
where Observation == CheckpointIntervalObservation, Action == CheckpointIntervalAction {}
extension ExternalPolicy: AdmissionPolicy where Observation == AdmissionObservation, Action == AdmissionAction {}
extension ExternalPolicy: DevSchedulePolicy where Observation == DevScheduleObservation, Action == DevScheduleAction {}
extension ExternalPolicy: IncidentResponsePolicy
where Observation == IncidentResponseObservation, Action == IncidentResponseAction {}
extension ExternalPolicy: RolloutStepPolicy where Observation == RolloutStepObservation, Action == RolloutStepAction {}
extension ExternalPolicy: AnalysisVerdictPolicy
where Observation == AnalysisVerdictObservation, Action == AnalysisVerdictAction {}
extension ExternalPolicy: AlertRoutingPolicy
where Observation == AlertRoutingObservation, Action == AlertRoutingAction {}
extension ExternalPolicy: ReplicaAutoscalingPolicy
where Observation == ReplicaAutoscalingObservation, Action == ReplicaAutoscalingAction {}
