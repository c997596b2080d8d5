import Testing

@testable import PlatformModel

/// Conditions as Argo Rollouts evaluates them (expr-lang), and `setCanaryScale` sizing.
@Suite("Argo Rollouts parity: conditions and setCanaryScale")
struct ArgoParityTests {
  @Test("string literals compare by value; values of different types are unequal, not an error")
  func stringLiterals() throws {
    let single = try ConditionExpression.parse("result == 'It worked!'")
    let double = try ConditionExpression.parse(#"result == "It worked!""#)
    #expect(single == double)
    // A Prometheus result is a list of numbers: never equal to a string (expr-lang's Equal).
    #expect(try single.holds(result: [1]) == false)
    #expect(try ConditionExpression.parse("'a' != 'b' && 'abc' < 'abd'").holds(result: []) == true)
    #expect(throws: ConditionExpression.ParseError.self) { try ConditionExpression.parse("result == 'open") }
  }

  @Test("`result.field` parses; on a Prometheus result it is a measurement error, as in Argo")
  func memberAccess() throws {
    let condition = try ConditionExpression.parse("result.major == '1'")
    #expect(throws: ConditionExpression.EvaluationError.self) { try condition.holds(result: [1]) }
  }

  @Test("all/any with a predicate over `#`, and len")
  func allAny() throws {
    #expect(try ConditionExpression.parse("all(result, {# < 0.05})").holds(result: [0.01, 0.02]) == true)
    #expect(try ConditionExpression.parse("all(result, {# < 0.05})").holds(result: [0.01, 0.2]) == false)
    #expect(try ConditionExpression.parse("any(result, {# > 0.1})").holds(result: [0.01, 0.2]) == true)
    #expect(try ConditionExpression.parse("all(result, {# > 1}) && len(result) == 0").holds(result: []) == true)
    #expect(throws: ConditionExpression.EvaluationError.self) {
      try ConditionExpression.parse("# > 1").holds(result: [2])
    }
  }

  @Test("setCanaryScale `replicas` sizes the canary as that share of the service's pods, rounded up")
  func canaryScaleReplicas() {
    var sizing = CanarySizing(
      deployment: DeploymentID(1), weight: 10, maxSurge: .percent(25), maxUnavailable: .percent(25),
      canaryNeverReady: false)
    #expect(sizing.sizedWeight(specReplicas: 10) == 10)
    sizing.canaryReplicas = 1
    #expect(sizing.sizedWeight(specReplicas: 10) == 10)
    sizing.canaryReplicas = 2
    #expect(sizing.sizedWeight(specReplicas: 3) == 67)
    sizing.canaryReplicas = 20
    #expect(sizing.sizedWeight(specReplicas: 10) == 100)
    #expect(
      ArgoBasicCanary.targetCounts(replicas: 3, weight: sizing.sizedWeight(specReplicas: 3), maxSurge: 1).canary >= 1)
  }

  @Test("the scale of a step: a setCanaryScale step, or one given beside a pause")
  func stepScale() {
    let scale = ArgoCanary.CanaryScale(replicas: 2)
    var canary = ArgoCanary(steps: [.setCanaryScale(scale), .pause(nil), .setWeight(20)], backgroundAnalysis: nil)
    #expect(canary.scale(at: 0) == scale)
    #expect(canary.scale(at: 1) == nil)
    canary.stepScales = [scale, ArgoCanary.CanaryScale(weight: 50), nil]
    #expect(canary.scale(at: 1) == ArgoCanary.CanaryScale(weight: 50))
    #expect(canary.scale(at: 2) == nil)
  }
}
