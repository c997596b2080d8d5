/// A place where the simulated platform asks a policy what to do.
///
/// Each case has one observation type, one action type and one Swift protocol (see
/// the `*Policy` protocols in this module). The raw value is the key under
/// `spec.policies` in a scenario and the `decisionPoint` field of the external
/// protocol (docs/POLICY-PROTOCOL.md), so it must never change once published.
public enum DecisionPoint: String, CaseIterable, Codable, Sendable {
  /// Which node pool grows for a pending gang (Cluster Autoscaler's expander).
  case nodeScaleUp
  /// Whether an unneeded node is removed now (Cluster Autoscaler scale-down).
  case nodeScaleDown
  /// Which unneeded nodes Karpenter consolidation removes (its disruption controller).
  case nodeConsolidation
  /// Spot or on-demand for a `spot-with-fallback` job, and when to fall back.
  case capacityType
  /// Which node pools the pod scheduler tries first for a job stream (its scoring).
  case nodeOrder
  /// Where a job goes in the pod scheduler's pending queue (kube-scheduler QueueSort).
  case queueOrder
  /// Which node a replayed trace pod goes on (`spec.replay`'s scoring step).
  case gpuNodeOrder
  /// Whether a pending job evicts the lower-priority jobs it needs room from.
  case preemption
  /// How often a training job checkpoints.
  case checkpointInterval
  /// Whether a workload is admitted (policy engines such as Kyverno).
  case admission
  /// Whether a scheduled (dev) pool is awake.
  case devSchedule
  /// Roll back or fix forward when the on-call engineer acts on an incident.
  case incidentResponse
  /// What a progressive rollout does next (Argo Rollouts steps, Flagger's loop).
  case rolloutStep
  /// The phase of a canary-analysis metric after a measurement (Argo AnalysisRun).
  case analysisVerdict
  /// What the platform does with a firing alert (Alertmanager receiver → action).
  case alertRouting
  /// How many replicas a service should have (HPA).
  case replicaAutoscaling

  /// Names of the built-in implementations, the default first.
  public var builtInNames: [String] {
    switch self {
    case .nodeScaleUp: return ["cluster-autoscaler"]
    case .nodeScaleDown: return ["cluster-autoscaler", "never"]
    case .nodeConsolidation: return ["karpenter", "never"]
    case .capacityType: return ["spot-first", "on-demand-only"]
    case .nodeOrder: return ["first-fit", "pool-order"]
    case .queueOrder: return ["kube-scheduler", "fifo"]
    case .gpuNodeOrder: return ["replay-scoring"]
    case .preemption: return ["kube-scheduler", "never"]
    case .checkpointInterval: return ["young-daly"]
    case .admission: return ["kyverno"]
    case .devSchedule: return ["weekly-schedule", "always-on"]
    case .incidentResponse: return ["on-call-human", "always-rollback", "rollback-bot"]
    case .rolloutStep: return ["configured", "argo-rollouts", "flagger"]
    case .analysisVerdict: return ["argo-analysis"]
    case .alertRouting: return ["alertmanager-receiver"]
    case .replicaAutoscaling: return ["configured", "hpa"]
    }
  }

  /// The built-in that runs when a scenario names none.
  public var defaultBuiltIn: String { builtInNames[0] }

  /// Whether the model consults this point today (every point is consulted since
  /// the canaries' step progression adopted `rolloutStep`).
  public var isConsultedByModel: Bool { true }
}
