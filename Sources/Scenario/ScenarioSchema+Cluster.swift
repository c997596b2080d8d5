/// Scenario keys of the cluster, the teams' training workloads and governance
/// (docs/SCENARIOS-cluster.md).
extension ScenarioSchema {
  public static let spotBands = ["<5%", "5-10%", "10-15%", "15-20%", ">20%"]

  public static let instanceType = ObjectSchema(
    "InstanceType",
    "An instance type's shape, dated prices and spot interruption rate. In a scenario, only the fields to override.",
    fields: [
      FieldSchema("vcpus", .integer(minimum: 1), "vCPUs."),
      FieldSchema("memoryGiB", .number(minimum: 0, exclusiveMinimum: true), "Memory in GiB."),
      FieldSchema("gpus", .integer(minimum: 0), default: "0", "GPUs per node."),
      FieldSchema("gpuModel", .string(), "GPU model, e.g. `A10G`."),
      FieldSchema("onDemandUSDPerHour", .number(minimum: 0), "On-demand price, USD per hour."),
      FieldSchema("spotUSDPerHour", .number(minimum: 0), "Spot price, USD per hour."),
      FieldSchema(
        "spotDiscount", .number(minimum: 0, maximum: 1),
        "Spot discount off on-demand (0.6 = 60 % off); used when `spotUSDPerHour` is absent."),
      FieldSchema(
        "spotInterruption", .choice(spotBands), default: "<5%",
        "AWS Spot Advisor monthly interruption band; read as the band's midpoint monthly probability."),
      FieldSchema(
        "meanTimeBetweenInterruptions", .duration(.positive),
        "Mean time between spot interruptions of one instance; overrides `spotInterruption`."),
    ])

  public static let instanceCatalogueFile = ObjectSchema(
    "InstanceCatalogue", "A file of instance types, e.g. `scenarios/catalogue/aws-us-east-1.yaml`.",
    fields: [
      FieldSchema("apiVersion", .choice([apiVersion]), required: true, "Format version."),
      FieldSchema("kind", .choice(["InstanceCatalogue"]), required: true, "Always `InstanceCatalogue`."),
      FieldSchema("metadata", .dictionary(of: .string()), "Name, source and snapshot date."),
      FieldSchema("instanceTypes", .dictionary(of: .object(instanceType)), required: true, "Instance types by name."),
    ])

  public static let taint = ObjectSchema(
    "Taint", "A node taint; pods without a matching toleration are not placed (NoSchedule).",
    fields: [
      FieldSchema("key", .string(), required: true, "Taint key, e.g. `nvidia.com/gpu`."),
      FieldSchema("value", .string(), "Taint value."),
      FieldSchema("effect", .choice(["NoSchedule"]), default: "NoSchedule", "Only NoSchedule is modelled."),
    ])

  public static let toleration = ObjectSchema(
    "Toleration", "A pod toleration: `Exists` without a value, `Equal` with one.",
    fields: [
      FieldSchema("key", .string(), required: true, "Taint key tolerated."),
      FieldSchema("value", .string(), "Taint value tolerated; omit to tolerate any value."),
    ])

  public static let nodePool = ObjectSchema(
    "NodePool", "A node pool (EKS managed node group / Karpenter NodePool), e.g. `gpu_nodes`.",
    fields: [
      FieldSchema("name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Pool name."),
      FieldSchema("capacityType", .choice(["on-demand", "spot"]), default: "on-demand", "How nodes are bought."),
      FieldSchema(
        "instanceTypes", .array(of: .string(), minimumCount: 1), required: true,
        "Instance types from the catalogue, in preference order."),
      FieldSchema("min", .integer(minimum: 0), default: "0", "Fewest nodes (the autoscaler's floor)."),
      FieldSchema("max", .integer(minimum: 0), required: true, "Most nodes."),
      FieldSchema("desired", .integer(minimum: 0), default: "min", "Nodes at the start (the ASG's desired capacity)."),
      FieldSchema(
        "provisioningDelay", .durationDistribution, default: "3m",
        "Launch request to Ready node (GCE: 3–4 min per the Cluster Autoscaler FAQ)."),
      FieldSchema("labels", .dictionary(of: .string()), "Node labels, matched by node selectors."),
      FieldSchema("taints", .array(of: .object(taint)), "Node taints."),
      FieldSchema(
        "schedule", .array(of: .string(), minimumCount: 1),
        "Weekly windows the pool runs in, local time (`Mon-Fri 07:00-20:00`); outside them it is scaled to zero."),
      FieldSchema("expanderPriority", .integer(), default: "0", "Rank for the `priority` expander (higher wins)."),
    ])

  public static let correlatedReclaims = ObjectSchema(
    "CorrelatedReclaims", "Market events that reclaim a share of every spot pool at once.",
    fields: [
      FieldSchema("meanInterval", .duration(.positive), required: true, "Mean time between events (Poisson)."),
      FieldSchema("fraction", .number(minimum: 0, maximum: 1), default: "0.5", "Share of each spot pool's nodes taken."),
    ])

  public static let shortageWindow = ObjectSchema(
    "ShortageWindow", "A window in which spot launches fail (InsufficientInstanceCapacity).",
    fields: [
      FieldSchema("start", .instant, required: true, "Start; local time in the scenario's time zone without an offset."),
      FieldSchema("duration", .duration(.positive), required: true, "Length."),
    ])

  public static let randomShortages = ObjectSchema(
    "RandomShortages", "Spot capacity shortages at random (Poisson starts).",
    fields: [
      FieldSchema("meanInterval", .duration(.positive), required: true, "Mean time between shortage starts."),
      FieldSchema("duration", .durationDistribution, required: true, "How long each lasts."),
    ])

  public static let spotMarket = ObjectSchema(
    "SpotMarket", "The spot market the cluster sees.",
    fields: [
      FieldSchema(
        "noticeWindow", .duration(.nonNegative), default: "2m",
        "Interruption notice before a node goes (AWS 2 min; GCP and Azure 30 s)."),
      FieldSchema("correlatedReclaims", .object(correlatedReclaims), "Reclaims of many nodes at once."),
      FieldSchema("shortageWindows", .array(of: .object(shortageWindow)), "Fixed windows without spot capacity."),
      FieldSchema("randomShortages", .object(randomShortages), "Random windows without spot capacity."),
    ])

  public static let autoscaler = ObjectSchema(
    "Autoscaler", "Node autoscaling, after Kubernetes Cluster Autoscaler; defaults are its real flags.",
    fields: [
      FieldSchema(
        "kind", .choice(["cluster-autoscaler", "karpenter", "none"]), default: "cluster-autoscaler",
        "Which autoscaler; `none` holds pools at `desired`."),
      FieldSchema("scanInterval", .duration(.positive), default: "10s", "`--scan-interval`."),
      FieldSchema("scaleDownUnneededTime", .duration(.nonNegative), default: "10m", "`--scale-down-unneeded-time`."),
      FieldSchema("scaleDownDelayAfterAdd", .duration(.nonNegative), default: "10m", "`--scale-down-delay-after-add`."),
      FieldSchema(
        "scaleDownUtilizationThreshold", .number(minimum: 0, maximum: 1), default: "0.5",
        "`--scale-down-utilization-threshold`."),
      FieldSchema("maxNodeProvisionTime", .duration(.positive), default: "15m", "`--max-node-provision-time`."),
      FieldSchema("nodeGroupBackoff", .duration(.positive), default: "5m", "`--initial-node-group-backoff-duration`."),
      FieldSchema("maxScaleDownParallelism", .integer(minimum: 1), default: "10", "`--max-scale-down-parallelism`."),
      FieldSchema("expander", .choice(["least-waste", "price", "priority"]), default: "least-waste", "`--expander`."),
      FieldSchema(
        "evictTrainingPods", .boolean, default: "false",
        "Let scale-down drain nodes running training pods whose jobs fit elsewhere (they resume from checkpoints)."),
      FieldSchema(
        "consolidationPolicy", .choice(["WhenEmpty", "WhenEmptyOrUnderutilized"]), default: "WhenEmptyOrUnderutilized",
        "Karpenter: which nodes consolidation may remove."),
      FieldSchema("consolidateAfter", .duration(.nonNegative), default: "0s", "Karpenter: quiet time before a node is consolidated."),
      FieldSchema(
        "disruptionBudget", .string(pattern: "^[0-9]+(\\.[0-9]+)?%$"), default: "10%",
        "Karpenter: share of a pool's nodes that may be disrupted at once (`nodes: \"10%\"`)."),
      FieldSchema("batchIdleDuration", .duration(.positive), default: "1s", "Karpenter: `--batch-idle-duration`."),
      FieldSchema(
        "unavailableOfferingTTL", .duration(.positive), default: "3m",
        "Karpenter: how long an offering that failed to launch is skipped."),
    ])

  public static let cluster = ObjectSchema(
    "Cluster", "The Kubernetes cluster: instance catalogue, node pools, spot market and node autoscaling.",
    fields: [
      FieldSchema("name", .string(), required: true, "Cluster name, e.g. `ml-platform-prod`."),
      FieldSchema(
        "catalogue", .filePath, default: "built-in aws-us-east-1 snapshot",
        "Instance catalogue file, relative to this file."),
      FieldSchema("instanceTypes", .dictionary(of: .object(instanceType)), "Overrides or additions to the catalogue, by type name."),
      FieldSchema("nodePools", .array(of: .object(nodePool), minimumCount: 1), required: true, "Node pools."),
      FieldSchema("spotMarket", .object(spotMarket), "Spot notice, correlated reclaims, shortages."),
      FieldSchema("autoscaler", .object(autoscaler), default: "none", "Node autoscaling; without it pools hold `desired`."),
      FieldSchema("recordRows", .boolean, default: "true", "Write `cluster_nodes` and `training_jobs` rows."),
    ])

  public static let workerResources = ObjectSchema(
    "WorkerResources", "Requests of one worker pod.",
    fields: [
      FieldSchema("cpu", .number(minimum: 0, exclusiveMinimum: true), "vCPUs (may be fractional)."),
      FieldSchema("memoryGiB", .number(minimum: 0, exclusiveMinimum: true), "Memory in GiB."),
      FieldSchema("gpus", .integer(minimum: 0), "GPUs."),
    ])

  public static let checkpoint = ObjectSchema(
    "Checkpoint", "Checkpoint and restart behaviour.",
    fields: [
      FieldSchema(
        "interval", .oneOf([.choice(["youngDaly"]), .duration(.positive)]), default: "youngDaly",
        "Compute between checkpoints: a duration, or `youngDaly` for Daly's optimum from the nodes' interruption rate."),
      FieldSchema("cost", .duration(.nonNegative), default: "1m", "Time to write one checkpoint (δ)."),
      FieldSchema("restartCost", .duration(.nonNegative), default: "5m", "Time to resume after a loss (R)."),
      FieldSchema("onNotice", .boolean, default: "true", "Checkpoint on a spot notice when the save fits in the window."),
    ])

  public static let trainingJobs = ObjectSchema(
    "TrainingJobs", "A team's stream of training jobs from a golden-path template.",
    fields: [
      FieldSchema("template", .choice(["sklearn-standard", "pytorch-gpu-distributed"]), required: true, "Golden-path template."),
      FieldSchema("arrivals", .object(arrivalProcess), required: true, "When jobs are submitted."),
      FieldSchema(
        "duration", .durationDistribution, default: "lognormal median 1186s, p90 12859s (Philly)",
        "Failure-free compute time of a job."),
      FieldSchema("workers", .integer(minimum: 1, maximum: 10_000), default: "1 (sklearn) / 2 (pytorch)", "Gang size."),
      FieldSchema("resources", .object(workerResources), default: "template", "Requests per worker."),
      FieldSchema("priority", .integer(), default: "0 (sklearn) / 100 (pytorch)", "Pod priority; higher may preempt lower."),
      FieldSchema(
        "capacity", .choice(["spot", "on-demand", "spot-with-fallback"]), default: "on-demand (sklearn) / spot-with-fallback (pytorch)",
        "Which nodes the workers may use."),
      FieldSchema("nodeSelector", .dictionary(of: .string()), "Node labels required."),
      FieldSchema("tolerations", .array(of: .object(toleration)), "Taints tolerated."),
      FieldSchema("checkpoint", .object(checkpoint), default: "none (sklearn) / youngDaly, 1m, 5m (pytorch)", "Checkpointing."),
      FieldSchema("utilisation", .number(minimum: 0, maximum: 1), default: "0.7", "Share of the request really used."),
    ])

  public static let team = ObjectSchema(
    "Team", "A team: its governance tags, its engineers' changes and its training workloads.",
    fields: [
      FieldSchema("name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Team name (the `team` label)."),
      FieldSchema("tags", .dictionary(of: .string()), "Tags such as `Owner` and `CostCenter`."),
      FieldSchema("training", .array(of: .object(trainingJobs)), "Training job streams."),
      FieldSchema("engineers", .integer(minimum: 1, maximum: 100_000), default: "1", "Number of engineers (authors of changes)."),
      FieldSchema("changes", .object(arrivalProcess), "When the team's changes are committed to main (delivery)."),
      FieldSchema("defects", .object(defects), default: "probability 0", "Defects its changes carry."),
      FieldSchema("modelPromotion", .object(modelPromotion), "Promoting trained models to Production through the pipeline."),
    ])

  public static let modelPromotion = ObjectSchema(
    "ModelPromotion", "MLflow-style registry: each finished training job registers a model version; some are promoted.",
    fields: [
      FieldSchema("probability", .number(minimum: 0, maximum: 1), required: true, "Share of versions promoted to Production."),
      FieldSchema("delay", .durationDistribution, default: "lognormal 10m/1h", "From registration to the promotion commit."),
    ])

  public static let governance = ObjectSchema(
    "Governance", "Tag rules and the admission policy that enforces them.",
    fields: [
      FieldSchema("requiredTags", .array(of: .string()), default: "[Owner, CostCenter]", "Tags every team must carry."),
      FieldSchema("admission", .choice(["enforce", "audit", "off"]), default: "audit", "Reject, count, or ignore violations."),
      FieldSchema("costCenterTag", .string(), default: "CostCenter", "Tag naming the cost centre in cost views."),
    ])
}
