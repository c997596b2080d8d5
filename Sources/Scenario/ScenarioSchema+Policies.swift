import InputReading
import Policies

/// Scenario keys of `spec.policies`: which implementation answers each decision point.
extension ScenarioSchema {
  final class PolicySelection: ObjectKeys {
    static let schema = ObjectSchema<PolicySelection>(
      "PolicySelection",
      "The implementation of one decision point: a built-in (`{builtin: cluster-autoscaler}`), or an external process "
        + "(`{command: [python3, policies/rollback_bot.py], timeout: 2s, onError: fallback}`) speaking "
        + "docs/POLICY-PROTOCOL.md, with `builtin` naming the fallback.")
    let builtin = Field(
      "builtin", .string(), default: "the decision point's default built-in",
      "A built-in policy (docs/POLICIES.md lists them per decision point); with `command`, the one that takes over on "
        + "`onError: fallback`.")
    let command = Field(
      "command", .list(.string(), minimumCount: 1),
      "Program and arguments of an external policy, started once per run in the scenario file's directory; a program "
        + "without `/` is looked up on PATH.")
    let timeout = Field(
      "timeout", .duration(.positive), default: "5s",
      "Longest wait for one answer (and for the hello); a slower policy is a fault.")
    let onError = Field(
      "onError", .choice(ExternalPolicyCommand.OnError.allCases), default: "fail",
      "On a fault (crash, exit, timeout, invalid JSON or action): `fail` the run (exit 1), or record it in "
        + "`policy_faults` and `fallback` to the built-in.")
  }

  /// One field per decision point, in `DecisionPoint.allCases` order.
  final class Policies: ObjectKeys {
    static let schema = ObjectSchema<Policies>(
      "Policies",
      "Which implementation answers each decision point the simulation consults (docs/POLICIES.md). Unnamed points "
        + "run their default built-in.")
    let points = DecisionPoint.allCases.map { point in
      Field(
        point.rawValue, .object(PolicySelection.self), default: point.defaultBuiltIn,
        point.summary + " Built-ins: " + point.builtInNames.map { "`\($0)`" }.joined(separator: ", ")
          + (point.isConsultedByModel ? "." : " (not yet consulted by the model)."))
    }
  }
}

extension DecisionPoint {
  /// One sentence for the scenario reference.
  var summary: String {
    switch self {
    case .nodeScaleUp: return "Which node pool grows for a pending gang (the expander)."
    case .nodeScaleDown: return "Whether an unneeded node is removed now."
    case .nodeConsolidation: return "Which unneeded nodes Karpenter consolidation removes, in what order."
    case .capacityType: return "Spot or on-demand for `spot-with-fallback` jobs, and when to fall back."
    case .nodeOrder: return "Which node pools the pod scheduler tries first for a job stream."
    case .queueOrder: return "Where a job goes in the pod scheduler's pending queue (its sort key)."
    case .gpuNodeOrder: return "Which node a replayed trace pod goes on (`spec.replay`)."
    case .preemption: return "Whether a pending job evicts lower-priority jobs to fit."
    case .checkpointInterval: return "How often a training job checkpoints."
    case .admission: return "Whether a workload is admitted, after its tags."
    case .devSchedule: return "Whether a scheduled (dev) pool is awake."
    case .incidentResponse: return "Roll back or fix forward when the responder acts on an incident."
    case .rolloutStep: return "What a progressive rollout does next (Argo Rollouts steps, Flagger's loop)."
    case .analysisVerdict: return "The verdict of a canary analysis."
    case .alertRouting: return "What the platform does with a routed alert."
    case .replicaAutoscaling: return "How many replicas a service runs."
    }
  }
}
