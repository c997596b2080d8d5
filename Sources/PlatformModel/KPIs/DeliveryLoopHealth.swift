/// Whether a run's delivery loop degenerated: its canaries could not judge, so its
/// delivery KPIs say nothing about the platform (issue 14, docs/KPIS.md).
///
/// A canary whose analysis cannot judge — an AnalysisRun ending in Error because the
/// query selects a metric nothing publishes ("metric result is nil or empty"), a
/// Flagger check whose window holds fewer than two scrapes — aborts; the change is
/// retried and aborts again. Change failure, lead time and deployment frequency then
/// describe the simulation's configuration, not the policy under test, and a run must
/// not look green. This check is kept apart from the KPI targets (it is its own KPI,
/// `delivery_loop_degenerate`) so that it composes with how they are judged.
public struct DeliveryLoopHealth: Sendable, Equatable {
  /// Rollouts with a canary strategy that finished or were aborted.
  public var rollouts: Int
  /// Of those, aborted after an analysis could not judge.
  public var abortedUnjudged: Int
  /// Analyses that could not judge, over all rollouts.
  public var analysisErrors: Int
  /// The largest number of aborted rollouts one change took part in.
  public var mostRetries: Int

  /// A change aborted this many times is retried in a loop.
  public static let retryLimit = 3

  public init(deployments: some Sequence<DeploymentRecord>) {
    let canaries = deployments.filter { $0.maximumCanaryWeight != nil && $0.status != .inProgress }
    rollouts = canaries.count
    abortedUnjudged = canaries.filter { $0.status == .aborted && $0.analysisErrors > 0 }.count
    analysisErrors = deployments.reduce(0) { $0 + $1.analysisErrors }
    var aborts: [ChangeID: Int] = [:]
    for deployment in deployments where deployment.status == .aborted {
      for change in deployment.changes { aborts[change, default: 0] += 1 }
    }
    mostRetries = aborts.values.max() ?? 0
  }

  /// Why the loop degenerated, or `nil` when it did not: more than half of the
  /// rollouts aborted after an analysis could not judge, or a change was aborted
  /// ``retryLimit`` times or more.
  public var reason: String? {
    var reasons: [String] = []
    if rollouts > 0 && abortedUnjudged * 2 > rollouts {
      reasons.append(
        "\(abortedUnjudged) of \(rollouts) rollouts aborted after an analysis could not judge "
          + "(no data: does the query select metrics the simulation publishes?)")
    }
    if mostRetries >= Self.retryLimit {
      reasons.append("a change was rolled out and aborted \(mostRetries) times")
    }
    return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
  }

  /// The KPI rows: analysis errors per rollout, and the degeneracy flag with its reason.
  public var kpis: [KPIValue] {
    [
      KPIValue(
        name: "analysis_errors_per_rollout", value: rollouts > 0 ? Double(analysisErrors) / Double(rollouts) : nil,
        unit: "errors/rollout"),
      KPIValue(
        name: "delivery_loop_degenerate", value: reason == nil ? 0 : 1, text: reason, unit: "flag", target: 1,
        comparison: .below),
    ]
  }
}
