/// The scenario file format, version `platformsim.dev/v1alpha1`.
///
/// Each section's keys, shapes, defaults and meanings are declared here once; the
/// loader validates against them and `platformsim schema` publishes them as JSON
/// Schema (docs/scenario.schema.json). docs/SCENARIOS.md explains each section.
public enum ScenarioSchema {
  public static let apiVersion = "platformsim.dev/v1alpha1"

  public static let arrivalProcess = ObjectSchema(
    "ArrivalProcess",
    "A Poisson arrival process, optionally shaped by local hour of day and day of week (drawn by thinning).",
    fields: [
      FieldSchema("ratePerHour", .number(minimum: 0), required: true, "Mean arrivals per hour at a profile factor of 1."),
      FieldSchema(
        "hourOfDay", .array(of: .number(minimum: 0), exactCount: 24), default: "all 1",
        "24 relative factors for local hours 0–23."),
      FieldSchema(
        "dayOfWeek", .array(of: .number(minimum: 0), exactCount: 7), default: "all 1",
        "7 relative factors, Monday to Sunday."),
    ])

  public static let jobStream = ObjectSchema(
    "JobStream", "Jobs that arrive by a process and take a sampled time.",
    fields: [
      FieldSchema("arrivals", .object(arrivalProcess), required: true, "When jobs arrive."),
      FieldSchema("duration", .durationDistribution, required: true, "How long each job holds a runner."),
    ])

  public static let runnerPool = ObjectSchema(
    "RunnerPool", "The CI runners that pipeline jobs wait for (an M/M/c queue when arrivals and durations are exponential).",
    fields: [
      FieldSchema("runners", .integer(minimum: 1, maximum: 100_000), required: true, "Number of runners."),
      FieldSchema("backgroundJobs", .object(jobStream), "Jobs from outside the modelled pipeline that share the runners."),
      FieldSchema("recordJobs", .boolean, default: "true", "Write one `runner_jobs` row per job."),
    ])

  public static let ciStage = ObjectSchema(
    "CIStage", "A CI stage that runs as a job on the runner pool.",
    fields: [
      FieldSchema("name", .string(), required: true, "Stage name, e.g. `unit-tests`, `docker-build`."),
      FieldSchema("duration", .durationDistribution, required: true, "How long one attempt holds a runner."),
      FieldSchema("failureProbability", .number(minimum: 0, maximum: 1), default: "0", "Probability the change is really broken here."),
      FieldSchema("flakeProbability", .number(minimum: 0, maximum: 1), default: "0", "Probability an attempt fails spuriously and is retried."),
      FieldSchema("retries", .integer(minimum: 0, maximum: 100), default: "2", "Retries after flaky failures before giving up."),
    ])

  public static let pipeline = ObjectSchema(
    "Pipeline", "git push → CI stages on runners → registry push → Argo CD sync → rollout.",
    fields: [
      FieldSchema("ciStages", .array(of: .object(ciStage)), default: "unit-tests (lognormal 3m/8m, 5 % broken, 3 % flaky) and docker-build (lognormal 4m/10m)", "CI stages in order."),
      FieldSchema("registryPush", .durationDistribution, default: "lognormal 30s/90s", "Pushing the image to the artifact registry."),
      FieldSchema("trigger", .choice(["polling", "webhook"]), default: "polling", "How Argo CD notices a commit."),
      FieldSchema("pollInterval", .duration(.positive), default: "120s", "Argo CD `timeout.reconciliation`."),
      FieldSchema("pollJitter", .duration(.nonNegative), default: "60s", "Argo CD `timeout.reconciliation.jitter`."),
      FieldSchema("webhookDelay", .durationDistribution, default: "uniform 1s–5s", "Delivery delay of a Git webhook."),
      FieldSchema("syncDuration", .durationDistribution, default: "lognormal 15s/45s", "Argo CD applying the manifests."),
      FieldSchema("rolloutDuration", .durationDistribution, default: "lognormal 2m/5m", "Replacing every pod (image pull, model load, readiness)."),
      FieldSchema("fixDelay", .durationDistribution, default: "lognormal 30m/2h", "Until the author of a change broken in CI pushes a fix."),
    ])

  public static let noticeDelay = ObjectSchema(
    "NoticeDelay", "How long until people notice each kind of defect without an alert.",
    fields: [
      FieldSchema("error-rate", .durationDistribution, default: "lognormal 20m/1h", "Errors users see."),
      FieldSchema("latency", .durationDistribution, default: "lognormal 45m/3h", "Slow responses and timeouts."),
      FieldSchema("quality", .durationDistribution, default: "lognormal 2d/7d", "Silent model-quality regressions."),
    ])

  public static let onCall = ObjectSchema(
    "OnCall", "How production problems are found and fixed by people.",
    fields: [
      FieldSchema("noticeDelay", .object(noticeDelay), "Time to notice, per defect kind."),
      FieldSchema("responseTime", .durationDistribution, default: "lognormal 5m/20m", "From page to an engineer acting."),
      FieldSchema("rollbackProbability", .number(minimum: 0, maximum: 1), default: "0.7", "Probability the responder rolls back rather than fixing forward."),
      FieldSchema("rollbackDuration", .durationDistribution, default: "lognormal 3m/10m", "Deciding and starting a rollback."),
      FieldSchema("fixForwardDuration", .durationDistribution, default: "lognormal 45m/3h", "Writing a fix (then it goes through the pipeline)."),
      FieldSchema("progressDeadline", .duration(.positive), default: "600s", "A rollout whose pods never get ready is reported after this (Argo Rollouts `progressDeadlineSeconds`)."),
    ])

  public static let targets = ObjectSchema(
    "Targets", "The platform's KPI targets; KPI rows say met or missed.",
    fields: [
      FieldSchema("deploymentsPerDay", .number(minimum: 0), default: "5", "Deployment frequency must be above this."),
      FieldSchema("changeFailureRate", .number(minimum: 0, maximum: 1), default: "0.05", "Change failure rate must be below this."),
      FieldSchema("recoveryTime", .duration(.positive), default: "30m", "Median failed-deployment recovery time must be below this."),
      FieldSchema("leadTime", .duration(.positive), default: "1d", "Median lead time for changes must be below this."),
      FieldSchema("ideaToProduction", .duration(.positive), default: "1h", "Median training-to-serving time of a new model must be below this."),
    ])

  public static let replicaAutoscaler = ObjectSchema(
    "ReplicaAutoscaler", "The replica autoscaler: Kubernetes HPA or Knative KPA (decides once per traffic interval).",
    fields: [
      FieldSchema("kind", .choice(["fixed", "hpa", "kpa"]), required: true, "Which autoscaler."),
      FieldSchema("targetUtilization", .number(minimum: 0, maximum: 1, exclusiveMinimum: true), default: "0.8 (hpa), 0.7 (kpa)", "Target share of replica capacity in use."),
      FieldSchema("tolerance", .number(minimum: 0, maximum: 1), default: "0.1", "HPA: no change while |ratio − 1| ≤ tolerance."),
      FieldSchema("scaleDownStabilization", .duration(.nonNegative), default: "300s", "HPA: scale down to the highest recommendation of this window."),
      FieldSchema("stableWindow", .duration(.positive), default: "60s", "KPA: averaging window."),
      FieldSchema("panicThreshold", .number(minimum: 1), default: "2", "KPA: load over this multiple of ready capacity panics."),
      FieldSchema("scaleToZeroGrace", .duration(.nonNegative), default: "30s", "KPA: grace after the stable window before scaling to zero."),
    ])

  public static let serving = ObjectSchema(
    "Serving", "A service's replicas: capacity, bounds, autoscaler and cold start (KServe / Knative / HPA).",
    fields: [
      FieldSchema("replicaCapacity", .number(minimum: 0, exclusiveMinimum: true), required: true, "Requests per second one replica serves."),
      FieldSchema("minReplicas", .integer(minimum: 0), default: "1", "0 allows scale to zero (KServe's default is 1)."),
      FieldSchema("maxReplicas", .integer(minimum: 1), default: "10", "Most replicas."),
      FieldSchema("initialReplicas", .integer(minimum: 0), default: "minReplicas", "Replicas at the start."),
      FieldSchema("autoscaler", .object(replicaAutoscaler), default: "fixed", "Replica autoscaler."),
      FieldSchema("coldStart", .durationDistribution, default: "lognormal 30s/2m", "Image pull and model load until a replica is ready."),
      FieldSchema(
        "replicaCostPerHour", .number(minimum: 0), default: "0",
        "USD per replica-hour, for serving cost of replicas off the cluster (ignored with `resources`)."),
      FieldSchema(
        "resources", .object(replicaResources), default: "off the cluster",
        "Requests of one replica pod: with them every replica is a pod on `spec.cluster`, pending until a node has room, ready a cold start after it is bound, evicted with its node, and charged its share of the node (OpenCost)."),
      FieldSchema("nodePool", .string(), default: "any pool that fits", "Only nodes of this pool (a `spec.cluster.nodePools[].name`); needs `resources`."),
      FieldSchema("nodeSelector", .dictionary(of: .string()), "Node labels required (the pools' `labels`); needs `resources`."),
      FieldSchema("tolerations", .array(of: .object(toleration)), "Taints tolerated (e.g. `nvidia.com/gpu` on GPU pools); needs `resources`."),
      FieldSchema(
        "priority", .integer(), default: "0",
        "Pod priority (the PriorityClass value; Kubernetes's default without one is 0): a replica with no room may preempt training pods of lower priority, and training pods of higher priority may preempt replicas (each preempted replica is replaced, with a cold start). Needs `resources`."),
      FieldSchema(
        "safeToEvict", .boolean, default: "true",
        "Whether Cluster Autoscaler scale-down and Karpenter consolidation may evict replicas to remove an underused node (they are replaced elsewhere, with a cold start); `false` is `cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"` / `karpenter.sh/do-not-disrupt`. Needs `resources`."),
    ])

  public static let replicaResources = ObjectSchema(
    "ReplicaResources", "Requests of one serving replica pod.",
    fields: [
      FieldSchema("cpu", .number(minimum: 0, exclusiveMinimum: true), "vCPUs (may be fractional)."),
      FieldSchema("memoryGiB", .number(minimum: 0, exclusiveMinimum: true), "Memory in GiB."),
      FieldSchema("gpus", .integer(minimum: 0), "GPUs."),
    ])

  public static let rolloutPolicy = ObjectSchema(
    "RolloutPolicy", "How new versions reach traffic: big-bang, or the team's own Argo Rollouts canary.",
    fields: [
      FieldSchema(
        "strategy", .choice(["big-bang", "canary", "blue-green", "flagger"]), default: "big-bang",
        "Rollout strategy; `canary` and `blue-green` read an Argo Rollouts Rollout, whose own `strategy` decides."),
      FieldSchema("rollout", .filePath, "An Argo Rollouts `Rollout` with `strategy.canary` or `strategy.blueGreen`."),
      FieldSchema("analysisTemplates", .array(of: .filePath), "AnalysisTemplate files its analysis steps refer to."),
      FieldSchema("canary", .filePath, "A Flagger `Canary` resource (for `flagger`)."),
    ])

  public static let delivery = ObjectSchema(
    "Delivery", "The GitOps delivery pipeline, on-call and KPI targets.",
    fields: [
      FieldSchema("runnerPool", .object(runnerPool), "The CI runner pool (required when teams push changes)."),
      FieldSchema("pipeline", .object(pipeline), "Stages from commit to production."),
      FieldSchema("onCall", .object(onCall), "Noticing and remediating incidents."),
      FieldSchema("targets", .object(targets), "KPI targets."),
      FieldSchema("rollout", .object(rolloutPolicy), default: "big-bang", "Default rollout policy of every service."),
      FieldSchema("trafficInterval", .duration(.positive), default: "1m", "Interval at which request traffic is aggregated (the scrape interval)."),
    ])

  public static let defects = ObjectSchema(
    "Defects", "How likely a change is defective, and what its defect does.",
    fields: [
      FieldSchema("probability", .number(minimum: 0, maximum: 1), required: true, "Probability a change carries a defect."),
      FieldSchema(
        "kinds", .dictionary(of: .number(minimum: 0)), default: "error-rate 0.5, latency 0.2, crash-on-start 0.15, quality 0.15",
        "Relative weights of `error-rate`, `latency`, `crash-on-start`, `quality`."),
      FieldSchema("errorRateIncrease", .numberDistribution, default: "uniform 0.02–0.3", "Added error ratio of an error-rate defect."),
      FieldSchema("latencyIncrease", .durationDistribution, default: "lognormal 500ms/3s", "Extra latency of a latency defect."),
      FieldSchema("qualityDrop", .numberDistribution, default: "uniform 0.01–0.1", "Drop of the quality gauge of a quality defect."),
    ])

  public static let service = ObjectSchema(
    "Service", "A served model and its request load.",
    fields: [
      FieldSchema("name", .string(), required: true, "Service name, unique."),
      FieldSchema("team", .string(), required: true, "The owning team (a `spec.teams[].name`)."),
      FieldSchema("requestsPerSecond", .number(minimum: 0), required: true, "Mean requests per second at a load factor of 1."),
      FieldSchema("hourOfDay", .array(of: .number(minimum: 0), exactCount: 24), default: "all 1", "Load factors for local hours 0–23."),
      FieldSchema("dayOfWeek", .array(of: .number(minimum: 0), exactCount: 7), default: "all 1", "Load factors Monday to Sunday."),
      FieldSchema("errorRatio", .number(minimum: 0, maximum: 1), default: "0.001", "Error ratio of a healthy version."),
      FieldSchema("latency", .duration(.positive), default: "100ms", "Median latency of a healthy version."),
      FieldSchema("timeout", .duration(.positive), default: "5s", "Requests slower than this fail."),
      FieldSchema("rollout", .object(rolloutPolicy), default: "spec.delivery.rollout", "This service's rollout policy."),
      FieldSchema("serving", .object(serving), default: "unlimited capacity", "Replicas and their autoscaler."),
    ])

  public static let simulation = ObjectSchema(
    "Simulation", "The simulated window and its randomness.",
    fields: [
      FieldSchema("start", .instant, required: true, "First instant; without an offset it is local time in `timeZone`."),
      FieldSchema("timeZone", .string(), default: "UTC", "IANA time zone of the platform's calendar, e.g. `Europe/Berlin`."),
      FieldSchema("duration", .duration(.positive), required: true, "Length of the simulated window, e.g. `30d`."),
      FieldSchema("seed", .integer(minimum: 0), default: "1", "Root seed; `--seed` overrides it."),
    ])

  public static let limits = ObjectSchema(
    "Limits", "Guards that stop a run cleanly (status `stopped`) before it exhausts the machine.",
    fields: [
      FieldSchema("maxEvents", .integer(minimum: 1), default: "no limit", "Most events to process."),
      FieldSchema("maxWallSeconds", .number(minimum: 0, exclusiveMinimum: true), default: "no limit", "Most wall-clock seconds to spend."),
    ])

  public static let outputs = ObjectSchema(
    "Outputs", "Where results go.",
    fields: [
      FieldSchema(
        "database", .filePath, default: "reports/platformsim.sqlite (relative to the working directory)",
        "SQLite results file, relative to the scenario file; `--db` overrides it.")
    ])

  public static let spec = ObjectSchema(
    "ScenarioSpec", "What to simulate.",
    fields: [
      FieldSchema("simulation", .object(simulation), required: true, "The simulated window, time zone and seed."),
      FieldSchema("limits", .object(limits), "Run guards."),
      FieldSchema("outputs", .object(outputs), "Where results go."),
      FieldSchema("delivery", .object(delivery), "The delivery pipeline and its CI runners."),
      FieldSchema("cluster", .object(cluster), "The Kubernetes cluster: node pools, spot market, autoscaling."),
      FieldSchema("teams", .array(of: .object(team)), "Teams: tags, engineers and their changes, training workloads."),
      FieldSchema("services", .array(of: .object(service)), "Served models and their traffic."),
      FieldSchema("monitoring", .object(monitoring), "Prometheus rules and Alertmanager."),
      FieldSchema("governance", .object(governance), "Required tags and admission policy."),
      FieldSchema("policies", .object(policies), "Which implementation answers each decision point: built-in or external process."),
    ])

  public static let monitoring = ObjectSchema(
    "Monitoring", "Prometheus rules and Alertmanager watching the services' series.",
    fields: [
      FieldSchema(
        "rules", .array(of: .filePath), "Prometheus rule files or PrometheusRule resources, loaded unchanged (relative to this file). A recording rule may not `record` a metric the services publish (`http_requests_total`, `http_request_duration_seconds_{bucket,count,sum}`, `model_quality_score`)."),
      FieldSchema("alertmanager", .filePath, "An alertmanager.yml; webhook URLs `sim://rollback` and `sim://page` act on the platform."),
      FieldSchema("evaluationInterval", .duration(.positive), default: "1m", "Global `evaluation_interval` for groups without their own."),
      FieldSchema("resendDelay", .duration(.positive), default: "1m", "Prometheus `--rules.alert.resend-delay`."),
      FieldSchema("lateAfter", .duration(.positive), default: "10m", "An alert later than this after an incident started counts as late."),
      FieldSchema("seriesOutput", .choice(["off", "downsampled", "full"]), default: "off", "Write the services' series into `series_samples` (for plots)."),
      FieldSchema("downsampleInterval", .duration(.positive), default: "5m", "With `downsampled`: one sample per series per interval."),
    ])

  public static let metadata = ObjectSchema(
    "Metadata", "Names the scenario.",
    fields: [
      FieldSchema("name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Name written into every run row."),
      FieldSchema("description", .string(), "What the scenario is for."),
      FieldSchema("labels", .dictionary(of: .string()), "Free-form labels."),
    ])

  public static let document = ObjectSchema(
    "Scenario", "A PlatformSim scenario.",
    fields: [
      FieldSchema("apiVersion", .choice([apiVersion]), required: true, "Format version."),
      FieldSchema("kind", .choice(["Scenario"]), required: true, "Always `Scenario`."),
      FieldSchema("metadata", .object(metadata), required: true, "Name and description."),
      FieldSchema("spec", .object(spec), required: true, "What to simulate."),
    ])
}
