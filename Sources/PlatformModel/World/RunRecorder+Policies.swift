import Policies
import ResultStore
import SimKernel

/// Rows about external policies: one `policy_faults` row per fault, one
/// `policy_logs` row per process with everything it wrote to stderr.
extension RunRecorder {
  func recordPolicies(faults: [PolicyFault], logs: [PolicyProcessLog], calendar: SimCalendar) throws(StoreError) {
    guard !faults.isEmpty || !logs.isEmpty else { return }
    let faultRows = store.tableWriter(
      "policy_faults",
      columns: [
        "run_id", "decision_point", "policy", "request_id", "sim_time", "kind", "message", "output", "handling",
        "fallback_builtin",
      ])
    for fault in faults {
      faultRows.append(runID.rawValue)
      faultRows.append(fault.decisionPoint.rawValue)
      faultRows.append(fault.policy)
      faultRows.append(fault.requestID)
      faultRows.append(calendar.epochSeconds(at: SimTime(microseconds: fault.simulatedTime.microseconds)))
      faultRows.append(fault.kind.rawValue)
      faultRows.append(fault.description)
      faultRows.append(fault.output)
      faultRows.append(fault.handling.rawValue)
      faultRows.append(fault.fallbackBuiltIn)
      try faultRows.endRow()
    }
    try faultRows.flush()
    let logRows = store.tableWriter(
      "policy_logs",
      columns: [
        "run_id", "decision_point", "policy", "process_id", "decisions", "termination", "exit_status", "stderr",
      ])
    for log in logs {
      logRows.append(runID.rawValue)
      logRows.append(log.decisionPoint.rawValue)
      logRows.append(log.policy)
      logRows.append(log.processID == 0 ? nil : Int64(log.processID))
      logRows.append(log.decisions)
      logRows.append(log.termination)
      logRows.append(log.exitStatus.map { Int64($0) })
      logRows.append(log.standardError)
      try logRows.endRow()
    }
    try logRows.flush()
  }
}
