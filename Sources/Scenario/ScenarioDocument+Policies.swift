import Foundation
import InputReading
import Policies
import SimKernel

/// Decoding of `spec.policies`, with located errors for unknown built-ins,
/// missing programs and options that only apply to external policies.
extension ScenarioLoader {
  static func readPolicies(_ reader: ObjectReader<ScenarioSchema.Policies>) -> PolicyConfiguration? {
    var configuration = PolicyConfiguration()
    var ok = true
    for (index, point) in DecisionPoint.allCases.enumerated() {
      let field: FieldSelector<ScenarioSchema.Policies, _> = { $0.points[index] }
      guard reader.has(field) else { continue }
      guard let selection = reader[field].flatMap({ readSelection($0, point: point) }) else {
        ok = false
        continue
      }
      configuration.selections[point] = selection
    }
    return ok ? configuration : nil
  }

  static func readSelection(_ reader: ObjectReader<ScenarioSchema.PolicySelection>, point: DecisionPoint)
    -> PolicySelection?
  {
    var ok = true
    let builtIn = reader[\.builtin]
    if let builtIn, !point.builtInNames.contains(builtIn) {
      reader.value(of: \.builtin)?.mismatch(
        expected: "a built-in for \(point.rawValue): " + point.builtInNames.map { "`\($0)`" }.joined(separator: ", "),
        hint: nearestMatch(to: builtIn, in: point.builtInNames).map { "did you mean `\($0)`?" })
      ok = false
    }
    let arguments = reader[\.command]?.read()
    if reader.has(\.command) && arguments == nil { ok = false }
    let timeout = reader[\.timeout]
    let onError = reader[\.onError]
    if reader.has(\.timeout) && timeout == nil || reader.has(\.onError) && onError == nil { ok = false }
    if !reader.has(\.command) {
      let externalOnly = [
        (reader.name(of: \.timeout), reader.value(of: \.timeout)),
        (reader.name(of: \.onError), reader.value(of: \.onError)),
      ]
      for case (let key, let value?) in externalOnly {
        value.error("`\(key)` applies only to an external policy", hint: "add `command`, or remove `\(key)`")
        ok = false
      }
      if !reader.has(\.builtin) {
        reader.value.error(
          "a policy selection needs `builtin` or `command`",
          hint: "e.g. `{builtin: \(point.defaultBuiltIn)}` or `{command: [python3, policies/my_policy.py]}`")
        ok = false
      }
    }
    if let arguments, !programExists(arguments, reader: reader) { ok = false }
    guard ok else { return nil }
    guard let arguments else { return PolicySelection(builtIn: builtIn ?? point.defaultBuiltIn) }
    let directory = reader.context.directory.path
    return PolicySelection(
      builtIn: builtIn ?? point.defaultBuiltIn,
      external: ExternalPolicyCommand(
        arguments: arguments, workingDirectory: directory,
        timeoutMicroseconds: timeout?.microseconds ?? ExternalPolicyCommand.defaultTimeoutMicroseconds,
        onError: onError ?? .fail))
  }

  /// Whether the command names a program that can run: non-empty, and executable
  /// when given as a path (relative to the scenario file).
  static func programExists(_ arguments: [String], reader: ObjectReader<ScenarioSchema.PolicySelection>) -> Bool {
    guard let program = arguments.first else { return false }
    if program.isEmpty {
      reader.value(of: \.command)?.error(
        "the program name is empty", hint: "e.g. `command: [python3, policies/my_policy.py]`")
      return false
    }
    guard program.contains("/") else { return true }
    let path = program.hasPrefix("/") ? program : reader.context.directory.appendingPathComponent(program).path
    guard FileManager.default.isExecutableFile(atPath: path) else {
      reader.value(of: \.command)?.error(
        "the program `\(program)` does not exist or is not executable",
        hint: "a path is relative to the scenario file; a bare name such as `python3` is looked up on PATH")
      return false
    }
    return true
  }
}
