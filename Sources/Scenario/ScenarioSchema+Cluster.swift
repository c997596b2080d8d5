import InputReading
import PlatformModel

/// Scenario keys of the cluster, the teams' training workloads and governance
/// (docs/SCENARIOS-cluster.md).
extension ScenarioSchema {

  final class InstanceType: ObjectKeys {
    static let schema = ObjectSchema<InstanceType>(
      "InstanceType",
      "An instance type's shape, dated prices and spot interruption rate. In a scenario, only the fields to override.")
    let vcpus = Field(
      "vcpus", .integer(minimum: 1, maximum: 4_096), "vCPUs.")
    let memoryGiB = Field(
      "memoryGiB", .number(minimum: 0, maximum: 65_536, exclusiveMinimum: true), "Memory in GiB.")
    let gpus = Field(
      "gpus", .integer(minimum: 0, maximum: 64), default: "0", "GPUs per node.")
    let gpuModel = Field(
      "gpuModel", .string(), "GPU model, e.g. `A10G`.")
    let onDemandUSDPerHour = Field(
      "onDemandUSDPerHour", .number(minimum: 0, maximum: 100_000), "On-demand price, USD per hour.")
    let spotUSDPerHour = Field(
      "spotUSDPerHour", .number(minimum: 0, maximum: 100_000), "Spot price, USD per hour.")
    let spotDiscount = Field(
      "spotDiscount", .number(minimum: 0, maximum: 1),
      "Spot discount off on-demand (0.6 = 60 % off); used when `spotUSDPerHour` is absent.")
    let spotInterruption = Field(
      "spotInterruption", .choice(SpotInterruptionBand.allCases), default: "<5%",
      "AWS Spot Advisor monthly interruption band; read as the band's midpoint monthly probability.")
    let meanTimeBetweenInterruptions = Field(
      "meanTimeBetweenInterruptions", .duration(.positive),
      "Mean time between spot interruptions of one instance; overrides `spotInterruption`.")
  }

  final class InstanceCatalogue: ObjectKeys {
    static let schema = ObjectSchema<InstanceCatalogue>(
      "InstanceCatalogue", "A file of instance types, e.g. `scenarios/catalogue/aws-us-east-1.yaml`.")
    let apiVersion = Field(
      "apiVersion", .choice([ScenarioSchema.apiVersion]), required: true, "Format version.")
    let kind = Field(
      "kind", .choice(["InstanceCatalogue"]), required: true, "Always `InstanceCatalogue`.")
    let metadata = Field(
      "metadata", .dictionary(.any(.any(description: "any value"))), "Name, source and snapshot date (not read).")
    let instanceTypes = Field(
      "instanceTypes", .dictionary(.object(InstanceType.self)), required: true, "Instance types by name.")
  }

  final class Taint: ObjectKeys {
    static let schema = ObjectSchema<Taint>(
      "Taint", "A node taint; pods without a matching toleration are not placed (NoSchedule).")
    let key = Field(
      "key", .string(), required: true, "Taint key, e.g. `nvidia.com/gpu`.")
    let value = Field(
      "value", .string(), "Taint value.")
    let effect = Field(
      "effect", .choice(["NoSchedule"]), default: "NoSchedule", "Only NoSchedule is modelled.")
  }

  final class Toleration: ObjectKeys {
    static let schema = ObjectSchema<Toleration>(
      "Toleration", "A pod toleration: `Exists` without a value, `Equal` with one.")
    let key = Field(
      "key", .string(), required: true, "Taint key tolerated.")
    let value = Field(
      "value", .string(), "Taint value tolerated; omit to tolerate any value.")
  }

  final class NodePool: ObjectKeys {
    static let schema = ObjectSchema<NodePool>(
      "NodePool", "A node pool (EKS managed node group / Karpenter NodePool), e.g. `gpu_nodes`.")
    let name = Field(
      "name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Pool name.")
    let capacityType = Field(
      "capacityType", .choice([CapacityType.onDemand, .spot]), default: "on-demand", "How nodes are bought.")
    let instanceTypes = Field(
      "instanceTypes", .list(.string(), minimumCount: 1), required: true,
      "Instance types from the catalogue, in preference order.")
    let min = Field(
      "min", .integer(minimum: 0, maximum: 100_000), default: "0", "Fewest nodes (the autoscaler's floor).")
    let max = Field(
      "max", .integer(minimum: 0, maximum: 100_000), required: true, "Most nodes.")
    let desired = Field(
      "desired", .integer(minimum: 0, maximum: 100_000), default: "min",
      "Nodes at the start (the ASG's desired capacity).")
    let provisioningDelay = Field(
      "provisioningDelay", .durationDistribution, default: "3m",
      "Launch request to Ready node (GCE: 3–4 min per the Cluster Autoscaler FAQ).")
    let labels = Field(
      "labels", .dictionary(.string()), "Node labels, matched by node selectors.")
    let taints = Field(
      "taints", .list(.object(Taint.self)), "Node taints.")
    let schedule = Field(
      "schedule", .list(.string(), minimumCount: 1),
      "Weekly windows the pool runs in, local time (`Mon-Fri 07:00-20:00`); outside them it is scaled to zero.")
    let expanderPriority = Field(
      "expanderPriority", .integer(minimum: -1_000_000_000, maximum: 1_000_000_000), default: "0",
      "Rank for the `priority` expander (higher wins).")
  }

  final class CorrelatedReclaims: ObjectKeys {
    static let schema = ObjectSchema<CorrelatedReclaims>(
      "CorrelatedReclaims", "Market events that reclaim a share of every spot pool at once.")
    let meanInterval = Field(
      "meanInterval", .duration(.positive), required: true, "Mean time between events (Poisson).")
    let fraction = Field(
      "fraction", .number(minimum: 0, maximum: 1), default: "0.5", "Share of each spot pool's nodes taken.")
  }

  final class ShortageWindow: ObjectKeys {
    static let schema = ObjectSchema<ShortageWindow>(
      "ShortageWindow", "A window in which spot launches fail (InsufficientInstanceCapacity).")
    let start = Field(
      "start", .instant, required: true, "Start; local time in the scenario's time zone without an offset.")
    let duration = Field(
      "duration", .duration(.positive), required: true, "Length.")
  }

  final class RandomShortages: ObjectKeys {
    static let schema = ObjectSchema<RandomShortages>(
      "RandomShortages", "Spot capacity shortages at random (Poisson starts).")
    let meanInterval = Field(
      "meanInterval", .duration(.positive), required: true, "Mean time between shortage starts.")
    let duration = Field(
      "duration", .durationDistribution, required: true, "How long each lasts.")
  }

  final class SpotMarket: ObjectKeys {
    static let schema = ObjectSchema<SpotMarket>(
      "SpotMarket", "The spot market the cluster sees.")
    let noticeWindow = Field(
      "noticeWindow", .duration(.nonNegative), default: "2m",
      "Interruption notice before a node goes (AWS 2 min; GCP and Azure 30 s).")
    let correlatedReclaims = Field(
      "correlatedReclaims", .object(CorrelatedReclaims.self), "Reclaims of many nodes at once.")
    let shortageWindows = Field(
      "shortageWindows", .list(.object(ShortageWindow.self)), "Fixed windows without spot capacity.")
    let randomShortages = Field(
      "randomShortages", .object(RandomShortages.self), "Random windows without spot capacity.")
  }

  final class Autoscaler: ObjectKeys {
    static let schema = ObjectSchema<Autoscaler>(
      "Autoscaler", "Node autoscaling, after Kubernetes Cluster Autoscaler; defaults are its real flags.")
    let kind = Field(
      "kind", .choice(["cluster-autoscaler", "karpenter", "none"]), default: "cluster-autoscaler",
      "Which autoscaler; `none` holds pools at `desired`.")
    let scanInterval = Field(
      "scanInterval", .duration(.positive), default: "10s", "`--scan-interval`.")
    let scaleDownUnneededTime = Field(
      "scaleDownUnneededTime", .duration(.nonNegative), default: "10m", "`--scale-down-unneeded-time`.")
    let scaleDownDelayAfterAdd = Field(
      "scaleDownDelayAfterAdd", .duration(.nonNegative), default: "10m", "`--scale-down-delay-after-add`.")
    let scaleDownUtilizationThreshold = Field(
      "scaleDownUtilizationThreshold", .number(minimum: 0, maximum: 1), default: "0.5",
      "`--scale-down-utilization-threshold`.")
    let maxNodeProvisionTime = Field(
      "maxNodeProvisionTime", .duration(.positive), default: "15m", "`--max-node-provision-time`.")
    let nodeGroupBackoff = Field(
      "nodeGroupBackoff", .duration(.positive), default: "5m", "`--initial-node-group-backoff-duration`.")
    let maxScaleDownParallelism = Field(
      "maxScaleDownParallelism", .integer(minimum: 1, maximum: 100_000), default: "10",
      "`--max-scale-down-parallelism`.")
    let expander = Field(
      "expander", .choice([ScaleUpExpander.leastWaste, .price, .priority]), default: "least-waste", "`--expander`.")
    let evictTrainingPods = Field(
      "evictTrainingPods", .boolean, default: "false",
      "Let scale-down drain nodes running training pods whose jobs fit elsewhere (they resume from checkpoints).")
    let consolidationPolicy = Field(
      "consolidationPolicy", .choice([ConsolidationPolicy.whenEmpty, .whenEmptyOrUnderutilized]),
      default: "WhenEmptyOrUnderutilized", "Karpenter: which nodes consolidation may remove.")
    let consolidateAfter = Field(
      "consolidateAfter", .duration(.nonNegative), default: "0s", "Karpenter: quiet time before a node is consolidated."
    )
    let disruptionBudget = Field(
      "disruptionBudget", .string(pattern: "^[0-9]+(\\.[0-9]+)?%$"), default: "10%",
      "Karpenter: share of a pool's nodes that may be disrupted at once (`nodes: \"10%\"`).")
    let batchIdleDuration = Field(
      "batchIdleDuration", .duration(.positive), default: "1s", "Karpenter: `--batch-idle-duration`.")
    let unavailableOfferingTTL = Field(
      "unavailableOfferingTTL", .duration(.positive), default: "3m",
      "Karpenter: how long an offering that failed to launch is skipped.")
  }

  final class Cluster: ObjectKeys {
    static let schema = ObjectSchema<Cluster>(
      "Cluster", "The Kubernetes cluster: instance catalogue, node pools, spot market and node autoscaling.")
    let name = Field(
      "name", .string(), required: true, "Cluster name, e.g. `ml-platform-prod`.")
    let catalogue = Field(
      "catalogue", .existingFile, default: "built-in aws-us-east-1 snapshot",
      "Instance catalogue file, relative to this file.")
    let instanceTypes = Field(
      "instanceTypes", .dictionary(.object(InstanceType.self)), "Overrides or additions to the catalogue, by type name."
    )
    let nodePools = Field(
      "nodePools", .list(.object(NodePool.self), minimumCount: 1), required: true, "Node pools.")
    let spotMarket = Field(
      "spotMarket", .object(SpotMarket.self), "Spot notice, correlated reclaims, shortages.")
    let autoscaler = Field(
      "autoscaler", .object(Autoscaler.self), default: "none", "Node autoscaling; without it pools hold `desired`.")
    let recordRows = Field(
      "recordRows", .boolean, default: "true", "Write `cluster_nodes` and `training_jobs` rows.")
    let percentageOfNodesToScore = Field(
      "percentageOfNodesToScore", .integer(minimum: 0, maximum: 100), default: "every node",
      "kube-scheduler's `percentageOfNodesToScore`: each pod's search stops after this share of the nodes passed the filters (0: kube-scheduler's adaptive share, 50 % falling to 5 % at 5,000 nodes; at least 100 nodes); changes placements (docs/SCENARIOS.md)."
    )
  }

  final class WorkerResources: ObjectKeys {
    static let schema = ObjectSchema<WorkerResources>(
      "WorkerResources", "Requests of one worker pod.")
    let cpu = Field(
      "cpu", .number(minimum: 0, maximum: 4_096, exclusiveMinimum: true), "vCPUs (may be fractional).")
    let memoryGiB = Field(
      "memoryGiB", .number(minimum: 0, maximum: 65_536, exclusiveMinimum: true), "Memory in GiB.")
    let gpus = Field(
      "gpus", .integer(minimum: 0, maximum: 64), "GPUs.")
  }

  final class Checkpoint: ObjectKeys {
    static let schema = ObjectSchema<Checkpoint>(
      "Checkpoint", "Checkpoint and restart behaviour.")
    let interval = Field(
      "interval",
      .custom(.oneOf([.choice(["youngDaly"]), .duration(.positive)])) { value -> CheckpointInterval? in
        if value.scalarText == "youngDaly" { return .youngDaly }
        return value.readDuration(.positive).map { .fixed($0) }
      }, default: "youngDaly",
      "Compute between checkpoints: a duration, or `youngDaly` for Daly's optimum from the nodes' interruption rate.")
    let cost = Field(
      "cost", .duration(.nonNegative), default: "1m", "Time to write one checkpoint (δ).")
    let restartCost = Field(
      "restartCost", .duration(.nonNegative), default: "5m", "Time to resume after a loss (R).")
    let onNotice = Field(
      "onNotice", .boolean, default: "true", "Checkpoint on a spot notice when the save fits in the window.")
  }

  final class TrainingJobs: ObjectKeys {
    static let schema = ObjectSchema<TrainingJobs>(
      "TrainingJobs", "A team's stream of training jobs from a golden-path template.")
    let template = Field(
      "template", .choice([TrainingTemplate.sklearnStandard, .pytorchGPUDistributed]), required: true,
      "Golden-path template.")
    let arrivals = Field(
      "arrivals", .object(ArrivalProcess.self), required: true, "When jobs are submitted.")
    let duration = Field(
      "duration", .durationDistribution, default: "lognormal median 1186s, p90 12859s (Philly)",
      "Failure-free compute time of a job.")
    let workers = Field(
      "workers", .integer(minimum: 1, maximum: 10_000), default: "1 (sklearn) / 2 (pytorch)", "Gang size.")
    let resources = Field(
      "resources", .object(WorkerResources.self), default: "template", "Requests per worker.")
    let priority = Field(
      "priority", .integer(minimum: -2_147_483_648, maximum: 2_000_001_000), default: "0 (sklearn) / 100 (pytorch)",
      "Pod priority; higher may preempt lower.")
    let capacity = Field(
      "capacity", .choice([CapacityPreference.spot, .onDemand, .spotWithFallback]),
      default: "on-demand (sklearn) / spot-with-fallback (pytorch)", "Which nodes the workers may use.")
    let nodeSelector = Field(
      "nodeSelector", .dictionary(.string()), "Node labels required.")
    let tolerations = Field(
      "tolerations", .list(.object(Toleration.self)), "Taints tolerated.")
    let checkpoint = Field(
      "checkpoint", .object(Checkpoint.self), default: "none (sklearn) / youngDaly, 1m, 5m (pytorch)", "Checkpointing.")
    let utilisation = Field(
      "utilisation", .number(minimum: 0, maximum: 1), default: "0.7", "Share of the request really used.")
  }

  final class Team: ObjectKeys {
    static let schema = ObjectSchema<Team>(
      "Team", "A team: its governance tags, its engineers' changes and its training workloads.")
    let name = Field(
      "name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Team name (the `team` label).")
    let tags = Field(
      "tags", .dictionary(.string()), "Tags such as `Owner` and `CostCenter`.")
    let training = Field(
      "training", .list(.object(TrainingJobs.self)), "Training job streams.")
    let engineers = Field(
      "engineers", .integer(minimum: 1, maximum: 100_000), default: "1", "Number of engineers (authors of changes).")
    let changes = Field(
      "changes", .object(ArrivalProcess.self), "When the team's changes are committed to main (delivery).")
    let defects = Field(
      "defects", .object(Defects.self), default: "probability 0", "Defects its changes carry.")
    let modelPromotion = Field(
      "modelPromotion", .object(ModelPromotion.self), "Promoting trained models to Production through the pipeline.")
  }

  final class ModelPromotion: ObjectKeys {
    static let schema = ObjectSchema<ModelPromotion>(
      "ModelPromotion",
      "MLflow-style registry: each finished training job registers a model version; some are promoted.")
    let probability = Field(
      "probability", .number(minimum: 0, maximum: 1), required: true, "Share of versions promoted to Production.")
    let delay = Field(
      "delay", .durationDistribution, default: "lognormal 10m/1h", "From registration to the promotion commit.")
  }

  final class Governance: ObjectKeys {
    static let schema = ObjectSchema<Governance>(
      "Governance", "Tag rules and the admission policy that enforces them.")
    let requiredTags = Field(
      "requiredTags", .list(.string()), default: "[Owner, CostCenter]", "Tags every team must carry.")
    let admission = Field(
      "admission", .choice([AdmissionMode.enforce, .audit, .off]), default: "audit",
      "Reject, count, or ignore violations.")
    let costCenterTag = Field(
      "costCenterTag", .string(), default: "CostCenter", "Tag naming the cost centre in cost views.")
  }
}
