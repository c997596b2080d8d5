import Policies
import ResultRows
import SimKernel

extension RunRows {
  /// Emits one `policy_faults` row per fault of the run's external policies and one
  /// `policy_logs` row per process, with everything it wrote to stderr.
  public func emitPolicies(faults: [PolicyFault], logs: [PolicyProcessLog], calendar: SimCalendar) {
    guard !faults.isEmpty || !logs.isEmpty else { return }
    let faultRows = table(PolicyFaultRow.self)
    for fault in faults {
      faultRows.append(
        PolicyFaultRow(
          decisionPoint: fault.decisionPoint.rawValue, policy: fault.policy, requestID: fault.requestID,
          simulatedTime: calendar.epochSeconds(at: SimTime(microseconds: fault.simulatedTime.microseconds)),
          kind: fault.kind.rawValue, message: fault.description, output: fault.output,
          handling: fault.handling.rawValue, fallbackBuiltIn: fault.fallbackBuiltIn))
    }
    let logRows = table(PolicyLogRow.self)
    for log in logs {
      logRows.append(
        PolicyLogRow(
          decisionPoint: log.decisionPoint.rawValue, policy: log.policy,
          processID: log.processID == 0 ? nil : Int64(log.processID), decisions: log.decisions,
          termination: log.termination, exitStatus: log.exitStatus.map { Int64($0) }, standardError: log.standardError))
    }
  }
}
