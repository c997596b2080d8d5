/// The implementation answering each decision point in one run.
///
/// The model holds one of these and calls through the protocols; a Swift policy
/// written inside the package is installed by assigning it here
/// (docs/POLICIES.md).
public struct PolicySet {
  public var nodeScaleUp: any NodeScaleUpPolicy
  public var nodeScaleDown: any NodeScaleDownPolicy
  public var nodeConsolidation: any NodeConsolidationPolicy
  public var capacityType: any CapacityTypePolicy
  public var nodeOrder: any NodeOrderPolicy
  public var queueOrder: any QueueOrderPolicy
  public var gpuNodeOrder: any GPUNodeOrderPolicy
  public var preemption: any PreemptionPolicy
  public var checkpointInterval: any CheckpointIntervalPolicy
  public var admission: any AdmissionPolicy
  public var devSchedule: any DevSchedulePolicy
  public var incidentResponse: any IncidentResponsePolicy
  public var rolloutStep: any RolloutStepPolicy
  public var analysisVerdict: any AnalysisVerdictPolicy
  public var alertRouting: any AlertRoutingPolicy
  public var replicaAutoscaling: any ReplicaAutoscalingPolicy

  /// The default built-ins: today's behaviour of every decision point.
  public init() {
    self.init(builtIns: PolicyConfiguration())
  }

  /// The built-ins `configuration` names (external selections get their fallback).
  public init(builtIns configuration: PolicyConfiguration) {
    nodeScaleUp = BuiltInPolicies.nodeScaleUp(configuration[.nodeScaleUp].builtIn)
    nodeScaleDown = BuiltInPolicies.nodeScaleDown(configuration[.nodeScaleDown].builtIn)
    nodeConsolidation = BuiltInPolicies.nodeConsolidation(configuration[.nodeConsolidation].builtIn)
    capacityType = BuiltInPolicies.capacityType(configuration[.capacityType].builtIn)
    nodeOrder = BuiltInPolicies.nodeOrder(configuration[.nodeOrder].builtIn)
    queueOrder = BuiltInPolicies.queueOrder(configuration[.queueOrder].builtIn)
    gpuNodeOrder = BuiltInPolicies.gpuNodeOrder(configuration[.gpuNodeOrder].builtIn)
    preemption = BuiltInPolicies.preemption(configuration[.preemption].builtIn)
    checkpointInterval = BuiltInPolicies.checkpointInterval(configuration[.checkpointInterval].builtIn)
    admission = BuiltInPolicies.admission(configuration[.admission].builtIn)
    devSchedule = BuiltInPolicies.devSchedule(configuration[.devSchedule].builtIn)
    incidentResponse = BuiltInPolicies.incidentResponse(configuration[.incidentResponse].builtIn)
    rolloutStep = BuiltInPolicies.rolloutStep(configuration[.rolloutStep].builtIn)
    analysisVerdict = BuiltInPolicies.analysisVerdict(configuration[.analysisVerdict].builtIn)
    alertRouting = BuiltInPolicies.alertRouting(configuration[.alertRouting].builtIn)
    replicaAutoscaling = BuiltInPolicies.replicaAutoscaling(configuration[.replicaAutoscaling].builtIn)
  }
}

/// Built-ins by name (``DecisionPoint/builtInNames``); unknown names are rejected
/// when the scenario is validated, so here they are programmer errors.
public enum BuiltInPolicies {
  static func unknown(_ point: DecisionPoint, _ name: String) -> Never {
    preconditionFailure("no built-in `\(name)` for \(point.rawValue); validation should have caught it")
  }

  public static func nodeScaleUp(_ name: String) -> any NodeScaleUpPolicy {
    guard name == "cluster-autoscaler" else { unknown(.nodeScaleUp, name) }
    return ClusterAutoscalerScaleUp()
  }

  public static func nodeScaleDown(_ name: String) -> any NodeScaleDownPolicy {
    switch name {
    case "cluster-autoscaler": return ClusterAutoscalerScaleDown()
    case "never": return NeverScaleDown()
    default: unknown(.nodeScaleDown, name)
    }
  }

  public static func nodeConsolidation(_ name: String) -> any NodeConsolidationPolicy {
    switch name {
    case "karpenter": return KarpenterConsolidation()
    case "never": return NeverConsolidate()
    default: unknown(.nodeConsolidation, name)
    }
  }

  public static func capacityType(_ name: String) -> any CapacityTypePolicy {
    switch name {
    case "spot-first": return SpotFirstCapacity()
    case "on-demand-only": return OnDemandOnlyCapacity()
    default: unknown(.capacityType, name)
    }
  }

  public static func nodeOrder(_ name: String) -> any NodeOrderPolicy {
    switch name {
    case "first-fit": return FirstFitNodeOrder()
    case "pool-order": return PoolOrderNodeOrder()
    default: unknown(.nodeOrder, name)
    }
  }

  public static func queueOrder(_ name: String) -> any QueueOrderPolicy {
    switch name {
    case "kube-scheduler": return KubeSchedulerQueueOrder()
    case "fifo": return FIFOQueueOrder()
    default: unknown(.queueOrder, name)
    }
  }

  public static func gpuNodeOrder(_ name: String) -> any GPUNodeOrderPolicy {
    guard name == "replay-scoring" else { unknown(.gpuNodeOrder, name) }
    return ReplayScoringGPUNodeOrder()
  }

  public static func preemption(_ name: String) -> any PreemptionPolicy {
    switch name {
    case "kube-scheduler": return KubeSchedulerPreemption()
    case "never": return NeverPreempt()
    default: unknown(.preemption, name)
    }
  }

  public static func checkpointInterval(_ name: String) -> any CheckpointIntervalPolicy {
    guard name == "young-daly" else { unknown(.checkpointInterval, name) }
    return YoungDalyCheckpointInterval()
  }

  public static func admission(_ name: String) -> any AdmissionPolicy {
    guard name == "kyverno" else { unknown(.admission, name) }
    return KyvernoAdmission()
  }

  public static func devSchedule(_ name: String) -> any DevSchedulePolicy {
    switch name {
    case "weekly-schedule": return WeeklyScheduleDevSchedule()
    case "always-on": return AlwaysOnDevSchedule()
    default: unknown(.devSchedule, name)
    }
  }

  public static func incidentResponse(_ name: String) -> any IncidentResponsePolicy {
    switch name {
    case "on-call-human": return OnCallHumanResponse()
    case "always-rollback": return AlwaysRollbackResponse()
    case "rollback-bot": return RollbackBotResponse()
    default: unknown(.incidentResponse, name)
    }
  }

  public static func rolloutStep(_ name: String) -> any RolloutStepPolicy {
    switch name {
    case "configured": return ConfiguredRolloutStep()
    case "argo-rollouts": return ArgoRolloutsStep()
    case "flagger": return FlaggerStep()
    default: unknown(.rolloutStep, name)
    }
  }

  public static func analysisVerdict(_ name: String) -> any AnalysisVerdictPolicy {
    guard name == "argo-analysis" else { unknown(.analysisVerdict, name) }
    return ArgoAnalysisVerdict()
  }

  public static func alertRouting(_ name: String) -> any AlertRoutingPolicy {
    guard name == "alertmanager-receiver" else { unknown(.alertRouting, name) }
    return AlertmanagerReceiverRouting()
  }

  public static func replicaAutoscaling(_ name: String) -> any ReplicaAutoscalingPolicy {
    switch name {
    case "configured": return ConfiguredReplicaAutoscaler()
    case "hpa": return HorizontalPodAutoscaler()
    default: unknown(.replicaAutoscaling, name)
    }
  }
}
