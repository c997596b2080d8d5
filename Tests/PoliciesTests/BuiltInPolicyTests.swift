import Foundation
import Testing

@testable import Policies

@Suite("Built-in policies")
struct BuiltInPolicyTests {
  let now = PolicyTime(microseconds: 0)

  @Test func everyDecisionPointHasItsDefaultBuiltIn() {
    // Constructing the default set must not hit a missing built-in.
    let set = PolicySet()
    #expect(set.incidentResponse is OnCallHumanResponse)
    for point in DecisionPoint.allCases { #expect(!point.builtInNames.isEmpty) }
  }

  @Test func clusterAutoscalerExpandersPickTheLowestScore() {
    let node = ResourceAmounts(cpuMillis: 4_000, memoryMiB: 16_384, gpus: 1)
    let options = [
      NodeScaleUpObservation.Option(
        pool: "a", capacityType: "on-demand", instanceType: "g5.xlarge", nodes: 2, nodeCapacity: node,
        priceUSDPerHour: 1.0, expanderPriority: 1),
      NodeScaleUpObservation.Option(
        pool: "b", capacityType: "spot", instanceType: "g5.xlarge", nodes: 2, nodeCapacity: node, priceUSDPerHour: 0.4,
        expanderPriority: 5),
    ]
    let request = ResourceAmounts(cpuMillis: 2_000, memoryMiB: 8_192, gpus: 1)
    func choose(_ expander: String) -> String? {
      ClusterAutoscalerScaleUp().decide(
        NodeScaleUpObservation(
          job: "j", team: "t", workers: 2, perWorker: request, expander: expander, options: options),
        at: now
      ).pool
    }
    #expect(choose("price") == "b")
    #expect(choose("priority") == "b")
    // Equal waste: the earlier pool wins the tie.
    #expect(choose("least-waste") == "a")
  }

  @Test func youngDalyMatchesCheckpointMath() {
    let observation = CheckpointIntervalObservation(
      job: "j", team: "t", attempt: 1, mode: "young-daly", fixedIntervalSeconds: nil, checkpointCostSeconds: 60,
      restartCostSeconds: 120, failureRatePerSecond: 1 / 7_200, remainingWorkSeconds: 36_000)
    let interval = YoungDalyCheckpointInterval().decide(observation, at: now).intervalSeconds
    #expect(interval == CheckpointMath.dalyInterval(checkpointCost: 60, meanTimeBetweenFailures: 7_200))
  }

  @Test func kyvernoEnforceRejectsAndAuditAdmitsWithViolations() {
    func verdict(_ mode: String) -> AdmissionAction {
      KyvernoAdmission().decide(
        AdmissionObservation(
          kind: "training-job", workload: "trainjob-1", team: "t", tags: [], requiredTags: ["Owner", "CostCenter"],
          missingTags: ["Owner", "CostCenter"], mode: mode), at: now)
    }
    #expect(verdict("enforce") == AdmissionAction(verdict: .reject, reason: "missing required tags Owner, CostCenter"))
    #expect(verdict("audit") == AdmissionAction(verdict: .admitWithViolations, violations: ["Owner", "CostCenter"]))
    #expect(verdict("off").verdict == .admit)
  }

  @Test func hpaScalesByTheMetricRatioWithinBounds() {
    let policy = HorizontalPodAutoscaler()
    func desired(_ metric: Double) -> Int {
      policy.decide(
        ReplicaAutoscalingObservation(
          service: "s", currentReplicas: 4, readyReplicas: 4, metricValue: metric, targetValue: 10, minReplicas: 1,
          maxReplicas: 10), at: now
      ).desiredReplicas
    }
    #expect(desired(10.5) == 4)  // within the 10 % tolerance
    #expect(desired(15) == 6)
    #expect(desired(100) == 10)
  }

  @Test func argoAnalysisLimitsLaterOnesWinning() {
    func phase(failed: Int, inconclusive: Int = 0, consecutiveErrors: Int = 0, count: Int, failureLimit: Int = 1)
      -> AnalysisVerdictAction.Phase
    {
      ArgoAnalysisVerdict().decide(
        AnalysisVerdictObservation(
          service: "s", metric: "m", run: "step", lastMeasurement: "failed", count: count, successful: count - failed,
          failed: failed, inconclusive: inconclusive, errors: consecutiveErrors, consecutiveErrors: consecutiveErrors,
          failureLimit: failureLimit, plannedCount: 5), at: now
      ).phase
    }
    #expect(phase(failed: 1, count: 3) == .running)
    #expect(phase(failed: 2, count: 3) == .failed)
    #expect(phase(failed: 9, count: 9, failureLimit: -1) == .successful)  // −1: no limit
    #expect(phase(failed: 2, inconclusive: 1, count: 3) == .inconclusive)  // later checks win
    #expect(phase(failed: 2, consecutiveErrors: 5, count: 3) == .error)
    #expect(phase(failed: 0, count: 5) == .successful)
  }

  @Test func isoTimesAreUTC() {
    let context = PolicyRunContext(scenarioName: "s", runID: 1, seed: 1, startEpochSeconds: 1_767_571_200)
    #expect(context.isoTime(PolicyTime(microseconds: 0)) == "2026-01-05T00:00:00Z")
    #expect(context.isoTime(PolicyTime(microseconds: 90_061_500_000)) == "2026-01-06T01:01:01.500000Z")
  }
}
