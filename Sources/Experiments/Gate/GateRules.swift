import Foundation
import InputReading
import Scenario
import SimKernel

extension InputFormat {
  /// A gate file (`kind: Gate`): the rules a candidate must pass against a baseline.
  public static let gate = InputFormat(
    name: "gate", title: "PlatformSim gate", fileDescription: "a gate file",
    schemaID: "https://platformsim.dev/schemas/gate-v1alpha1.json", root: GateDefinition.Keys.self,
    conventions: .platformSim, signature: FormatSignature(kinds: ["Gate"], keys: ["rules"]))
}

/// One check of a gate file, on one KPI.
///
/// Relative rules judge the paired difference D = candidate − baseline (common random
/// numbers, paired-t) and fail only when the regression is established at the rule's
/// confidence: the *whole* confidence interval lies beyond the allowance. Absolute
/// rules (`below`, `above`) judge the candidate's mean and require the *whole*
/// interval to be on the good side, i.e. the candidate must show it meets the bound.
public enum GateCheck: Sendable, Equatable {
  /// Fail when the CI lower bound of D exceeds the allowance.
  case maxIncrease(Double)
  /// Fail when the CI lower bound of D exceeds the fraction × |baseline mean|.
  case maxRelativeIncrease(Double)
  /// Fail when the CI upper bound of D is below −allowance.
  case maxDecrease(Double)
  /// Fail when the CI upper bound of D is below −fraction × |baseline mean|.
  case maxRelativeDecrease(Double)
  /// Fail unless the CI upper bound of the candidate's mean is below the bound.
  case below(Double)
  /// Fail unless the CI lower bound of the candidate's mean is above the bound.
  case above(Double)

  /// The key as written in gate files.
  public var key: String {
    switch self {
    case .maxIncrease: return "maxIncrease"
    case .maxRelativeIncrease: return "maxRelativeIncrease"
    case .maxDecrease: return "maxDecrease"
    case .maxRelativeDecrease: return "maxRelativeDecrease"
    case .below: return "below"
    case .above: return "above"
    }
  }

  public var threshold: Double {
    switch self {
    case .maxIncrease(let value), .maxRelativeIncrease(let value), .maxDecrease(let value),
      .maxRelativeDecrease(let value), .below(let value), .above(let value):
      return value
    }
  }
}

/// A rule of a gate file: a KPI, a check, the confidence to judge it at.
public struct GateRule: Sendable, Equatable {
  public var kpi: String
  public var check: GateCheck
  public var confidence: Double
  /// Where the rule is written, for messages.
  public var line: Int
  public var column: Int
}

/// A gate file: the rules a candidate must pass against a baseline.
///
/// ```yaml
/// apiVersion: platformsim.dev/v1alpha1
/// kind: Gate
/// replications: 10
/// rules:
///   change_failure_rate: {maxIncrease: 0.01, confidence: 0.95}
///   cost.total_usd: {maxRelativeIncrease: 0.05}
///   recovery_time_median_seconds: {below: 1800}
/// ```
public struct GateDefinition: Sendable {
  public var file: String
  public var name: String
  public var replications: Int?
  public var duration: SimDuration?
  public var rules: [GateRule]

  /// The keys of one rule: checks on one KPI.
  final class RuleKeys: ObjectKeys {
    static let schema = ObjectSchema<RuleKeys>("GateRule", "Checks on one KPI.")
    let maxIncrease = Field(
      "maxIncrease", .number(minimum: 0), "Fail when candidate − baseline is above this with confidence.")
    let maxRelativeIncrease = Field(
      "maxRelativeIncrease", .number(minimum: 0),
      "Fail when candidate − baseline is above this fraction of the baseline mean with confidence.")
    let maxDecrease = Field(
      "maxDecrease", .number(minimum: 0), "Fail when baseline − candidate is above this with confidence.")
    let maxRelativeDecrease = Field(
      "maxRelativeDecrease", .number(minimum: 0),
      "Fail when baseline − candidate is above this fraction of the baseline mean with confidence.")
    let below = Field("below", .number(), "Fail unless the candidate mean's CI upper bound is below this.")
    let above = Field("above", .number(), "Fail unless the candidate mean's CI lower bound is above this.")
    let confidence = Field(
      "confidence", .number(minimum: 0.5, maximum: 0.9999),
      "Two-sided confidence of the intervals (default: the file's, else 0.95).")

    /// Each check's key, with the check it makes, in the order rules list them.
    static var checks: [(field: FieldSelector<RuleKeys, Double>, check: (Double) -> GateCheck)] {
      [
        (\.maxIncrease, GateCheck.maxIncrease), (\.maxRelativeIncrease, GateCheck.maxRelativeIncrease),
        (\.maxDecrease, GateCheck.maxDecrease), (\.maxRelativeDecrease, GateCheck.maxRelativeDecrease),
        (\.below, GateCheck.below), (\.above, GateCheck.above),
      ]
    }
  }

  /// The keys of a gate file.
  final class Keys: ExperimentKeys {
    static let schema = ObjectSchema<Keys>("Gate", "Rules a candidate must pass against a baseline.")
    let apiVersion = Field("apiVersion", .choice([ScenarioSchema.apiVersion]), "The file format version.")
    let kind = Field("kind", .choice(["Gate"]), "Always `Gate`.")
    let name = Field("name", .string(), "The gate's name (default: the file name).")
    let replications = Field(
      "replications", .integer(minimum: 2, maximum: 10_000), "Replications per alternative (default 10).")
    let until = Field("until", .duration(.positive), "Simulate only this long (default: the scenarios' duration).")
    let confidence = Field(
      "confidence", .number(minimum: 0.5, maximum: 0.9999), "Default confidence of every rule (0.95).")
    let rules = Field("rules", .dictionary(.object(RuleKeys.self)), required: true, "KPI name → checks.")
  }

  /// Reads and validates the gate file at `path`.
  public static func load(path: String) throws(ExperimentError) -> GateDefinition {
    let file = try ExperimentFile<Keys>(path: path, format: .gate)
    let (log, reader, name) = (file.log, file.reader, file.name)
    let replications = reader?[\.replications]
    let duration = reader?[\.until]
    let defaultConfidence = reader?[\.confidence] ?? 0.95
    var rules: [GateRule] = []
    let entries = reader?[\.rules]
    entries?.forEach { kpi, ruleReader, value in
      guard let ruleReader else { return }
      let confidence = ruleReader[\.confidence] ?? defaultConfidence
      let checks = RuleKeys.checks.compactMap { entry in ruleReader[entry.field].map(entry.check) }
      // Only `confidence`: say what is missing (an unknown key has its own error).
      if checks.isEmpty && !ruleReader.presentKeys.contains(where: { $0 != ruleReader.name(of: \.confidence) }) {
        let checkNames = RuleKeys.checks.map { ruleReader.name(of: $0.field) }
        value.error("a rule needs a check", hint: "use " + checkNames.map { "`\($0)`" }.joined(separator: ", "))
      }
      for check in checks {
        rules.append(GateRule(kpi: kpi, check: check, confidence: confidence, line: value.line, column: value.column))
      }
    }
    if let entries, entries.isEmpty && !log.hasErrors {
      entries.value.error("a gate needs at least one rule")
    }
    guard reader != nil, !log.hasErrors else { throw .invalidFile(DiagnosticsError(log.diagnostics)) }
    return GateDefinition(file: path, name: name, replications: replications, duration: duration, rules: rules)
  }

  /// Checks every rule names a KPI the runs report.
  ///
  /// - Throws: ``ExperimentError/unknownKPI(file:name:suggestion:)`` for the first that does not.
  public func checkKPINames(_ known: [String]) throws(ExperimentError) {
    for rule in rules where !known.contains(rule.kpi) {
      throw .unknownKPI(
        file: "\(file):\(rule.line):\(rule.column)", name: rule.kpi, suggestion: nearestMatch(to: rule.kpi, in: known))
    }
  }
}
