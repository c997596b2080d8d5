import Foundation

/// Something an external policy did wrong, with everything needed to find it:
/// the policy, the decision point, the request, the simulated time, the output.
///
/// Rendered to text in one place (``description``); the same values fill a
/// `policy_faults` row.
public struct PolicyFault: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The process could not be started (no such program, not executable).
    case startFailed = "start-failed"
    /// It was killed by a signal.
    case crashed
    /// It exited (or closed its output) while a request was outstanding.
    case exited
    /// No complete answer within the timeout.
    case timeout
    /// The answer line is not JSON.
    case invalidJSON = "invalid-json"
    /// The answer is JSON but not a valid action for the observation.
    case invalidAction = "invalid-action"
    /// Wrong handshake, protocol version or request id.
    case protocolError = "protocol-error"
  }

  /// What happened to the run.
  public enum Handling: String, Sendable {
    /// The run failed (`onError: fail`).
    case failedRun = "failed-run"
    /// The built-in took over for the rest of the run (`onError: fallback`).
    case fallback
  }

  public var kind: Kind
  public var decisionPoint: DecisionPoint
  /// The command, as the scenario names it.
  public var policy: String
  /// The request being answered; `nil` during start-up and the handshake.
  public var requestID: Int64?
  public var simulatedTime: PolicyTime
  /// What went wrong, in words.
  public var detail: String
  /// The offending output (an answer line, or the end of the policy's stderr), shortened.
  public var output: String?
  public var handling: Handling
  /// The built-in that took over, with `fallback`.
  public var fallbackBuiltIn: String?

  public var description: String {
    var text = "policy `\(policy)` for decision point `\(decisionPoint.rawValue)`"
    if let requestID { text += ", request \(requestID) at \(formatSeconds(simulatedTime.seconds)) s simulated," }
    text += " \(detail)"
    if let output, !output.isEmpty { text += "; its output: \(output)" }
    switch handling {
    case .failedRun:
      text += " (set `onError: fallback` in spec.policies.\(decisionPoint.rawValue) to let the built-in take over)"
    case .fallback:
      text += " — the built-in `\(fallbackBuiltIn ?? decisionPoint.defaultBuiltIn)` answers from here on"
    }
    return text
  }

  /// Output shortened for messages and rows: long lines keep their start and end.
  static func shorten(_ text: String, limit: Int = 400) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count > limit else { return trimmed }
    return String(trimmed.prefix(limit / 2)) + " … " + String(trimmed.suffix(limit / 2))
  }
}

/// Seconds without a useless `.0` tail.
func formatSeconds(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// What one external policy process did in a run: kept with the run in `policy_logs`.
public struct PolicyProcessLog: Sendable, Equatable {
  public var decisionPoint: DecisionPoint
  public var policy: String
  public var processID: Int32
  /// Questions answered with a well-formed action (each observation of a `decide-batch` counts).
  public var decisions: Int
  /// Exit status, or the signal number when it was killed.
  public var exitStatus: Int32?
  /// `exited`, `signalled` or `not-started`.
  public var termination: String
  /// Everything the process wrote to stderr.
  public var standardError: String
}

/// The run a policy serves, for the handshake and for ISO times in requests.
public struct PolicyRunContext: Sendable {
  public var scenarioName: String
  public var runID: Int64
  public var seed: UInt64
  /// The simulated start as Unix seconds (UTC).
  public var startEpochSeconds: Int64

  public init(scenarioName: String, runID: Int64, seed: UInt64, startEpochSeconds: Int64) {
    self.scenarioName = scenarioName
    self.runID = runID
    self.seed = seed
    self.startEpochSeconds = startEpochSeconds
  }

  /// `2026-01-05T08:00:00Z` (fractional seconds when there are any), UTC.
  public func isoTime(_ time: PolicyTime) -> String {
    let totalMicroseconds = startEpochSeconds * 1_000_000 + time.microseconds
    var seconds = totalMicroseconds / 1_000_000
    var fraction = totalMicroseconds % 1_000_000
    if fraction < 0 {
      fraction += 1_000_000
      seconds -= 1
    }
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    // Howard Hinnant's civil_from_days.
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthPrime = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
    let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ value: Int64, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3_600, 2)):"
    text += "\(pad(secondOfDay % 3_600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
    if fraction != 0 { text += "." + pad(fraction, 6) }
    return text + "Z"
  }
}
