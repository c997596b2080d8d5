import Foundation

/// The verdict of one gate rule, with the numbers behind it.
public struct GateRuleResult: Sendable {
  public var rule: GateRule
  public var passed: Bool
  public var baseline: SampleSummary
  public var candidate: SampleSummary
  /// Paired-t summary of candidate − baseline.
  public var difference: SampleSummary
  /// The value compared with the threshold (a CI bound), `nil` when there was too little data.
  public var bound: Double?
  /// The threshold in the KPI's units (relative rules scaled by the baseline mean).
  public var limit: Double
  /// One sentence: what was checked and what was found.
  public var explanation: String
}

/// All verdicts of a gate.
public struct GateResult: Sendable {
  public var name: String
  public var baselinePath: String
  public var candidatePath: String
  public var replications: Int
  public var experimentID: Int64
  public var results: [GateRuleResult]
  public var passed: Bool { results.allSatisfy(\.passed) }
}

/// Judges a gate's rules against an experiment's observations.
public enum GateEvaluation {
  /// Evaluates `definition` on the two variants of `observations` (baseline first).
  ///
  /// A rule without enough data to judge (fewer than two paired replications with a
  /// value) passes with an explanation: a gate fails on evidence, not on its absence.
  public static func evaluate(
    _ definition: GateDefinition, observations: ExperimentObservations, experimentID: Int64, baselinePath: String,
    candidatePath: String, replications: Int
  ) -> GateResult {
    let baselineName = observations.variants.first ?? "baseline"
    let candidateName = observations.variants.dropFirst().first ?? "candidate"
    var results: [GateRuleResult] = []
    for rule in definition.rules {
      let baseValues = observations.values(variant: baselineName, kpi: rule.kpi)
      let candidateValues = observations.values(variant: candidateName, kpi: rule.kpi)
      let baseline = SampleSummary(
        observations.orderedValues(variant: baselineName, kpi: rule.kpi), confidence: rule.confidence)
      let candidate = SampleSummary(
        observations.orderedValues(variant: candidateName, kpi: rule.kpi), confidence: rule.confidence)
      let difference = SampleSummary.pairedDifference(
        baseline: baseValues, candidate: candidateValues, confidence: rule.confidence)
      let percent = String(format: "%g %%", rule.confidence * 100)
      var passed = true
      var bound: Double?
      var limit = rule.check.threshold
      var explanation: String
      switch rule.check {
      case .maxIncrease(let allowed), .maxRelativeIncrease(let allowed):
        if case .maxRelativeIncrease = rule.check { limit = allowed * abs(baseline.mean ?? 0) }
        bound = difference.confidenceLow
        if let low = bound {
          passed = !(low > limit)
          explanation =
            "\(percent) CI of candidate − baseline starts at \(format(low)); the allowed increase is \(format(limit))"
        } else {
          explanation = "not enough paired replications to judge"
        }
      case .maxDecrease(let allowed), .maxRelativeDecrease(let allowed):
        if case .maxRelativeDecrease = rule.check { limit = allowed * abs(baseline.mean ?? 0) }
        bound = difference.confidenceHigh
        if let high = bound {
          passed = !(high < -limit)
          explanation =
            "\(percent) CI of candidate − baseline ends at \(format(high)); the allowed decrease is \(format(limit))"
        } else {
          explanation = "not enough paired replications to judge"
        }
      case .below(let threshold):
        bound = candidate.confidenceHigh
        if let high = bound {
          passed = high < threshold
          explanation =
            "\(percent) CI of the candidate mean ends at \(format(high)); it must be below \(format(threshold))"
        } else {
          explanation = "not enough replications to judge"
        }
      case .above(let threshold):
        bound = candidate.confidenceLow
        if let low = bound {
          passed = low > threshold
          explanation =
            "\(percent) CI of the candidate mean starts at \(format(low)); it must be above \(format(threshold))"
        } else {
          explanation = "not enough replications to judge"
        }
      }
      results.append(
        GateRuleResult(
          rule: rule, passed: passed, baseline: baseline, candidate: candidate, difference: difference, bound: bound,
          limit: limit, explanation: explanation))
    }
    if let check = degeneracyCheck(observations, candidate: candidateName, baseline: baselineName) {
      results.append(check)
    }
    return GateResult(
      name: definition.name, baselinePath: baselinePath, candidatePath: candidatePath, replications: replications,
      experimentID: experimentID, results: results)
  }
}

extension GateEvaluation {
  /// The KPI of the delivery-loop check (PlatformModel's `DeliveryLoopHealth`).
  public static let degeneracyKPI = "delivery_loop_degenerate"

  /// The check every gate makes besides its rules: no candidate run's delivery loop
  /// degenerated (its canaries could not judge, or a change was retried in a loop).
  ///
  /// Such a run's KPIs judge nothing, so the gate refuses to pass on them. `nil` when
  /// the runs have no delivery (no such KPI).
  static func degeneracyCheck(
    _ observations: ExperimentObservations, candidate: String, baseline: String
  ) -> GateRuleResult? {
    let values = observations.orderedValues(variant: candidate, kpi: degeneracyKPI)
    guard !values.isEmpty else { return nil }
    let degenerate = values.filter { $0 >= 1 }.count
    let baselineValues = observations.orderedValues(variant: baseline, kpi: degeneracyKPI)
    let explanation =
      degenerate == 0
      ? "no candidate run's delivery loop degenerated"
      : "\(degenerate) of \(values.count) candidate runs degenerated: their canary analyses could not judge or a "
        + "change was retried in a loop (the reason is the `value_text` of the `\(degeneracyKPI)` KPI row), so "
        + "their delivery KPIs judge nothing"
    return GateRuleResult(
      rule: GateRule(kpi: degeneracyKPI, check: .below(1), confidence: 1, line: 0, column: 0), passed: degenerate == 0,
      baseline: SampleSummary(baselineValues), candidate: SampleSummary(values), difference: SampleSummary([]),
      bound: values.max(), limit: 1, explanation: explanation)
  }
}

/// A number as reports show it: four significant digits, no exponent for everyday sizes.
public func format(_ value: Double?) -> String {
  guard let value else { return "–" }
  if value == 0 { return "0" }
  let magnitude = abs(value)
  if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.3e", value) }
  if magnitude >= 1000 { return String(format: "%.0f", value) }
  return String(format: "%.4g", value)
}
