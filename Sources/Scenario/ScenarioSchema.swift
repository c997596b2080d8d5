import Foundation
import InputReading
import PlatformModel
import SimKernel

extension InputFormat {
  /// The scenario file (`kind: Scenario`).
  public static let scenario = InputFormat(
    name: "scenario", title: "PlatformSim scenario", fileDescription: "a scenario file",
    schemaID: "https://platformsim.dev/schemas/scenario-v1alpha1.json", root: ScenarioSchema.Scenario.self,
    conventions: .platformSim,
    signature: FormatSignature(kinds: ["Scenario"], apiVersions: [ScenarioSchema.apiVersion]))

  /// An instance catalogue a scenario names (`kind: InstanceCatalogue`).
  public static let instanceCatalogue = InputFormat(
    name: "instance-catalogue", title: "PlatformSim instance catalogue", fileDescription: "an instance catalogue",
    schemaID: "https://platformsim.dev/schemas/instance-catalogue-v1alpha1.json",
    root: ScenarioSchema.InstanceCatalogue.self, conventions: .platformSim,
    signature: FormatSignature(kinds: ["InstanceCatalogue"], apiVersions: [ScenarioSchema.apiVersion]))
}

/// The scenario file format, version `platformsim.dev/v1alpha1`.
///
/// Each section's keys, shapes, defaults and meanings are declared here once, as the
/// typed ``Field``s its reader reads (`ScenarioDocument+*.swift`); `platformsim schema`
/// publishes the same declarations as JSON Schema (docs/scenario.schema.json) and as
/// the key reference of docs/SCENARIOS.md, which explains each section.
public enum ScenarioSchema {
  public static let apiVersion = "platformsim.dev/v1alpha1"

  final class ArrivalProcess: ObjectKeys {
    static let schema = ObjectSchema<ArrivalProcess>(
      "ArrivalProcess",
      "A Poisson arrival process, optionally shaped by local hour of day and day of week (drawn by thinning).")
    let ratePerHour = Field(
      "ratePerHour", .number(minimum: 0, maximum: 1_000_000), required: true,
      "Mean arrivals per hour at a profile factor of 1.")
    let hourOfDay = Field(
      "hourOfDay", .list(.number(minimum: 0, maximum: 1_000), exactCount: 24), default: "all 1",
      "24 relative factors for local hours 0–23.")
    let dayOfWeek = Field(
      "dayOfWeek", .list(.number(minimum: 0, maximum: 1_000), exactCount: 7), default: "all 1",
      "7 relative factors, Monday to Sunday.")
  }

  final class JobStream: ObjectKeys {
    static let schema = ObjectSchema<JobStream>(
      "JobStream", "Jobs that arrive by a process and take a sampled time.")
    let arrivals = Field(
      "arrivals", .object(ArrivalProcess.self), required: true, "When jobs arrive.")
    let duration = Field(
      "duration", .durationDistribution, required: true, "How long each job holds a runner.")
  }

  final class RunnerPool: ObjectKeys {
    static let schema = ObjectSchema<RunnerPool>(
      "RunnerPool",
      "The CI runners that pipeline jobs wait for (an M/M/c queue when arrivals and durations are exponential).")
    let runners = Field(
      "runners", .integer(minimum: 1, maximum: 100_000), required: true, "Number of runners.")
    let backgroundJobs = Field(
      "backgroundJobs", .object(JobStream.self), "Jobs from outside the modelled pipeline that share the runners.")
    let recordJobs = Field(
      "recordJobs", .boolean, default: "true", "Write one `runner_jobs` row per job.")
  }

  final class CIStage: ObjectKeys {
    static let schema = ObjectSchema<CIStage>(
      "CIStage", "A CI stage that runs as a job on the runner pool.")
    let name = Field(
      "name", .string(), required: true, "Stage name, e.g. `unit-tests`, `docker-build`.")
    let duration = Field(
      "duration", .durationDistribution, required: true, "How long one attempt holds a runner.")
    let failureProbability = Field(
      "failureProbability", .number(minimum: 0, maximum: 1), default: "0",
      "Probability the change is really broken here.")
    let flakeProbability = Field(
      "flakeProbability", .number(minimum: 0, maximum: 1), default: "0",
      "Probability an attempt fails spuriously and is retried.")
    let retries = Field(
      "retries", .integer(minimum: 0, maximum: 100), default: "2", "Retries after flaky failures before giving up.")
  }

  final class Pipeline: ObjectKeys {
    static let schema = ObjectSchema<Pipeline>(
      "Pipeline", "git push → CI stages on runners → registry push → Argo CD sync → rollout.")
    let ciStages = Field(
      "ciStages", .list(.object(CIStage.self)),
      default: "unit-tests (lognormal 3m/8m, 5 % broken, 3 % flaky) and docker-build (lognormal 4m/10m)",
      "CI stages in order.")
    let registryPush = Field(
      "registryPush", .durationDistribution, default: "lognormal 30s/90s", "Pushing the image to the artifact registry."
    )
    let trigger = Field(
      "trigger", .choice(["polling", "webhook"]), default: "polling", "How Argo CD notices a commit.")
    let pollInterval = Field(
      "pollInterval", .duration(.positive), default: "120s", "Argo CD `timeout.reconciliation`.")
    let pollJitter = Field(
      "pollJitter", .duration(.nonNegative), default: "60s", "Argo CD `timeout.reconciliation.jitter`.")
    let webhookDelay = Field(
      "webhookDelay", .durationDistribution, default: "uniform 1s–5s", "Delivery delay of a Git webhook.")
    let syncDuration = Field(
      "syncDuration", .durationDistribution, default: "lognormal 15s/45s", "Argo CD applying the manifests.")
    let rolloutDuration = Field(
      "rolloutDuration", .durationDistribution, default: "lognormal 2m/5m",
      "Replacing every pod (image pull, model load, readiness).")
    let fixDelay = Field(
      "fixDelay", .durationDistribution, default: "lognormal 30m/2h",
      "Until the author of a change broken in CI pushes a fix.")
  }

  final class NoticeDelay: ObjectKeys {
    static let schema = ObjectSchema<NoticeDelay>(
      "NoticeDelay", "How long until people notice each kind of defect without an alert.")
    let errorRate = Field(
      "error-rate", .durationDistribution, default: "lognormal 20m/1h", "Errors users see.")
    let latency = Field(
      "latency", .durationDistribution, default: "lognormal 45m/3h", "Slow responses and timeouts.")
    let quality = Field(
      "quality", .durationDistribution, default: "lognormal 2d/7d", "Silent model-quality regressions.")
  }

  final class OnCall: ObjectKeys {
    static let schema = ObjectSchema<OnCall>(
      "OnCall", "How production problems are found and fixed by people.")
    let noticeDelay = Field(
      "noticeDelay", .object(NoticeDelay.self), "Time to notice, per defect kind.")
    let responseTime = Field(
      "responseTime", .durationDistribution, default: "lognormal 5m/20m", "From page to an engineer acting.")
    let rollbackProbability = Field(
      "rollbackProbability", .number(minimum: 0, maximum: 1), default: "0.7",
      "Probability the responder rolls back rather than fixing forward.")
    let rollbackDuration = Field(
      "rollbackDuration", .durationDistribution, default: "lognormal 3m/10m", "Deciding and starting a rollback.")
    let fixForwardDuration = Field(
      "fixForwardDuration", .durationDistribution, default: "lognormal 45m/3h",
      "Writing a fix (then it goes through the pipeline).")
    let progressDeadline = Field(
      "progressDeadline", .duration(.positive), default: "600s",
      "A rollout whose pods never get ready is reported after this (Argo Rollouts `progressDeadlineSeconds`).")
  }

  final class Targets: ObjectKeys {
    static let schema = ObjectSchema<Targets>(
      "Targets", "The platform's KPI targets; KPI rows say met or missed.")
    let deploymentsPerDay = Field(
      "deploymentsPerDay", .number(minimum: 0, maximum: 1_000_000), default: "5",
      "Deployment frequency must be above this.")
    let changeFailureRate = Field(
      "changeFailureRate", .number(minimum: 0, maximum: 1), default: "0.05",
      "The brief's change failure, `rollback_rate` (deployments causing rollback, canary aborts included), "
        + "must be below this.")
    let recoveryTime = Field(
      "recoveryTime", .duration(.positive), default: "30m", "Median failed-deployment recovery time must be below this."
    )
    let leadTime = Field(
      "leadTime", .duration(.positive), default: "1d", "Median lead time for changes must be below this.")
    let ideaToProduction = Field(
      "ideaToProduction", .duration(.positive), default: "1h",
      "Median training-to-serving time of a new model must be below this.")
    let doraTierYear = Field(
      "doraTierYear", .integer(minimum: 2023, maximum: 2024), default: "2023",
      "Which State of DevOps report's performance tiers rate the four keys (`dora_tier.*` KPI rows; docs/KPIS.md).")
  }

  final class ReplicaAutoscaler: ObjectKeys {
    static let schema = ObjectSchema<ReplicaAutoscaler>(
      "ReplicaAutoscaler", "The replica autoscaler: Kubernetes HPA or Knative KPA (decides once per traffic interval).")
    let kind = Field(
      "kind", .choice(["fixed", "hpa", "kpa"]), required: true, "Which autoscaler.")
    let targetUtilization = Field(
      "targetUtilization", .number(minimum: 0, maximum: 1, exclusiveMinimum: true), default: "0.8 (hpa), 0.7 (kpa)",
      "Target share of replica capacity in use.")
    let tolerance = Field(
      "tolerance", .number(minimum: 0, maximum: 1), default: "0.1", "HPA: no change while |ratio − 1| ≤ tolerance.")
    let scaleDownStabilization = Field(
      "scaleDownStabilization", .duration(.nonNegative), default: "300s",
      "HPA: scale down to the highest recommendation of this window.")
    let stableWindow = Field(
      "stableWindow", .duration(.positive), default: "60s", "KPA: averaging window.")
    let panicThreshold = Field(
      "panicThreshold", .number(minimum: 1, maximum: 1_000), default: "2",
      "KPA: load over this multiple of ready capacity panics.")
    let scaleToZeroGrace = Field(
      "scaleToZeroGrace", .duration(.nonNegative), default: "30s",
      "KPA: grace after the stable window before scaling to zero.")
  }

  final class Serving: ObjectKeys {
    static let schema = ObjectSchema<Serving>(
      "Serving", "A service's replicas: capacity, bounds, autoscaler and cold start (KServe / Knative / HPA).")
    let replicaCapacity = Field(
      "replicaCapacity", .number(minimum: 0, maximum: 1_000_000, exclusiveMinimum: true), required: true,
      "Requests per second one replica serves.")
    let minReplicas = Field(
      "minReplicas", .integer(minimum: 0, maximum: 100_000), default: "1",
      "0 allows scale to zero (KServe's default is 1).")
    let maxReplicas = Field(
      "maxReplicas", .integer(minimum: 1, maximum: 100_000), default: "10", "Most replicas.")
    let initialReplicas = Field(
      "initialReplicas", .integer(minimum: 0, maximum: 100_000), default: "minReplicas", "Replicas at the start.")
    let autoscaler = Field(
      "autoscaler", .object(ReplicaAutoscaler.self), default: "fixed", "Replica autoscaler.")
    let coldStart = Field(
      "coldStart", .durationDistribution, default: "lognormal 30s/2m",
      "Image pull and model load until a replica is ready.")
    let replicaCostPerHour = Field(
      "replicaCostPerHour", .number(minimum: 0, maximum: 100_000), default: "0",
      "USD per replica-hour, for serving cost of replicas off the cluster (ignored with `resources`).")
    let resources = Field(
      "resources", .object(ReplicaResources.self), default: "off the cluster",
      "Requests of one replica pod: with them every replica is a pod on `spec.cluster`, pending until a node has room, ready a cold start after it is bound, evicted with its node, and charged its share of the node (OpenCost)."
    )
    let nodePool = Field(
      "nodePool", .string(), default: "any pool that fits",
      "Only nodes of this pool (a `spec.cluster.nodePools[].name`); needs `resources`.")
    let nodeSelector = Field(
      "nodeSelector", .dictionary(.string()), "Node labels required (the pools' `labels`); needs `resources`.")
    let tolerations = Field(
      "tolerations", .list(.object(Toleration.self)),
      "Taints tolerated (e.g. `nvidia.com/gpu` on GPU pools); needs `resources`.")
    let priority = Field(
      "priority", .integer(minimum: -2_147_483_648, maximum: 2_000_001_000), default: "0",
      "Pod priority (the PriorityClass value; Kubernetes's default without one is 0): a replica with no room may preempt training pods of lower priority, and training pods of higher priority may preempt replicas (each preempted replica is replaced, with a cold start). Needs `resources`."
    )
    let safeToEvict = Field(
      "safeToEvict", .boolean, default: "true",
      "Whether Cluster Autoscaler scale-down and Karpenter consolidation may evict replicas to remove an underused node (they are replaced elsewhere, with a cold start); `false` is `cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"` / `karpenter.sh/do-not-disrupt`. Needs `resources`."
    )
  }

  final class ReplicaResources: ObjectKeys {
    static let schema = ObjectSchema<ReplicaResources>(
      "ReplicaResources", "Requests of one serving replica pod.")
    let cpu = Field(
      "cpu", .number(minimum: 0, maximum: 4_096, exclusiveMinimum: true), "vCPUs (may be fractional).")
    let memoryGiB = Field(
      "memoryGiB", .number(minimum: 0, maximum: 65_536, exclusiveMinimum: true), "Memory in GiB.")
    let gpus = Field(
      "gpus", .integer(minimum: 0, maximum: 64), "GPUs.")
  }

  final class RolloutPolicy: ObjectKeys {
    static let schema = ObjectSchema<RolloutPolicy>(
      "RolloutPolicy", "How new versions reach traffic: big-bang, or the team's own Argo Rollouts canary.")
    let strategy = Field(
      "strategy", .choice(["big-bang", "canary", "blue-green", "flagger"]), default: "big-bang",
      "Rollout strategy; `canary` and `blue-green` read an Argo Rollouts Rollout, whose own `strategy` decides.")
    let rollout = Field(
      "rollout", .existingFile, "An Argo Rollouts `Rollout` with `strategy.canary` or `strategy.blueGreen`.")
    let analysisTemplates = Field(
      "analysisTemplates", .list(.existingFile), "AnalysisTemplate files its analysis steps refer to.")
    let canary = Field(
      "canary", .existingFile, "A Flagger `Canary` resource (for `flagger`).")
    let metricTemplates = Field(
      "metricTemplates", .list(.existingFile),
      "Flagger `MetricTemplate` files its custom metrics refer to (`templateRef`); the Canary's own file may hold them too."
    )
    let abTestingShare = Field(
      "abTestingShare", .integer(minimum: 1, maximum: 100), default: "10",
      "Flagger A/B testing (`iterations` with `match`): percent of requests that match the header/cookie conditions and so reach the canary while it iterates; the simulation has no request headers, so this share stands for them."
    )
    let blueGreenTestShare = Field(
      "blueGreenTestShare", .integer(minimum: 1, maximum: 100), default: "10",
      "Flagger blue/green (`iterations` without `match` or `mirror`): the load tests' requests to the canary, in percent of the service's request rate; they reach the canary's metrics only, so its checks have data."
    )
  }

  final class Delivery: ObjectKeys {
    static let schema = ObjectSchema<Delivery>(
      "Delivery", "The GitOps delivery pipeline, on-call and KPI targets.")
    let runnerPool = Field(
      "runnerPool", .object(RunnerPool.self), "The CI runner pool (required when teams push changes).")
    let pipeline = Field(
      "pipeline", .object(Pipeline.self), "Stages from commit to production.")
    let onCall = Field(
      "onCall", .object(OnCall.self), "Noticing and remediating incidents.")
    let targets = Field(
      "targets", .object(Targets.self), "KPI targets.")
    let rollout = Field(
      "rollout", .object(RolloutPolicy.self), default: "big-bang", "Default rollout policy of every service.")
    let trafficInterval = Field(
      "trafficInterval", .duration(.positive), default: "1m",
      "Interval at which request traffic is aggregated (the scrape interval).")
  }

  final class Defects: ObjectKeys {
    static let schema = ObjectSchema<Defects>(
      "Defects", "How likely a change is defective, and what its defect does.")
    let probability = Field(
      "probability", .number(minimum: 0, maximum: 1), required: true, "Probability a change carries a defect.")
    let kinds = Field(
      "kinds", .dictionary(.number(minimum: 0, maximum: 1_000_000)),
      default: "error-rate 0.5, latency 0.2, crash-on-start 0.15, quality 0.15",
      "Relative weights of `error-rate`, `latency`, `crash-on-start`, `quality`.")
    let errorRateIncrease = Field(
      "errorRateIncrease", .numberDistribution, default: "uniform 0.02–0.3",
      "Added error ratio of an error-rate defect.")
    let latencyIncrease = Field(
      "latencyIncrease", .durationDistribution, default: "lognormal 500ms/3s", "Extra latency of a latency defect.")
    let qualityDrop = Field(
      "qualityDrop", .numberDistribution, default: "uniform 0.01–0.1", "Drop of the quality gauge of a quality defect.")
  }

  final class Service: ObjectKeys {
    static let schema = ObjectSchema<Service>(
      "Service", "A served model and its request load.")
    let name = Field(
      "name", .string(), required: true, "Service name, unique.")
    let team = Field(
      "team", .string(), required: true, "The owning team (a `spec.teams[].name`).")
    let requestsPerSecond = Field(
      "requestsPerSecond", .number(minimum: 0, maximum: 10_000_000), required: true,
      "Mean requests per second at a load factor of 1.")
    let hourOfDay = Field(
      "hourOfDay", .list(.number(minimum: 0, maximum: 1_000), exactCount: 24), default: "all 1",
      "Load factors for local hours 0–23.")
    let dayOfWeek = Field(
      "dayOfWeek", .list(.number(minimum: 0, maximum: 1_000), exactCount: 7), default: "all 1",
      "Load factors Monday to Sunday.")
    let errorRatio = Field(
      "errorRatio", .number(minimum: 0, maximum: 1), default: "0.001", "Error ratio of a healthy version.")
    let latency = Field(
      "latency", .duration(.positive), default: "100ms", "Median latency of a healthy version.")
    let timeout = Field(
      "timeout", .duration(.positive), default: "5s", "Requests slower than this fail.")
    let rollout = Field(
      "rollout", .object(RolloutPolicy.self), default: "spec.delivery.rollout", "This service's rollout policy.")
    let serving = Field(
      "serving", .object(Serving.self), default: "unlimited capacity", "Replicas and their autoscaler.")
    let metricProfile = Field(
      "metricProfile", .choice(MetricProfile.names), default: "spec.monitoring.metricProfile",
      "The metric names this service's traffic is published under (its mesh or ingress), overriding the scenario's.")
  }

  final class Simulation: ObjectKeys {
    static let schema = ObjectSchema<Simulation>(
      "Simulation", "The simulated window and its randomness.")
    let start = Field(
      "start", .instant, required: true, "First instant; without an offset it is local time in `timeZone`.")
    let timeZone = Field(
      "timeZone", .string(), default: "UTC", "IANA time zone of the platform's calendar, e.g. `Europe/Berlin`.")
    let duration = Field(
      "duration", .duration(.positive), required: true, "Length of the simulated window, e.g. `30d`.")
    let seed = Field(
      "seed", .integer(minimum: 0), default: "1", "Root seed; `--seed` overrides it.")
  }

  final class Limits: ObjectKeys {
    static let schema = ObjectSchema<Limits>(
      "Limits", "Guards that stop a run cleanly (status `stopped`) before it exhausts the machine.")
    let maxEvents = Field(
      "maxEvents", .integer(minimum: 1, maximum: 1_000_000_000_000), default: "no limit", "Most events to process.")
    let maxWallSeconds = Field(
      "maxWallSeconds", .number(minimum: 0, maximum: 31_536_000, exclusiveMinimum: true), default: "no limit",
      "Most wall-clock seconds to spend, writing the results included.")
    let maxMemoryGiB = Field(
      "maxMemoryGiB", .number(minimum: 0, maximum: 4_096, exclusiveMinimum: true), default: "8",
      "Most memory the model may hold, in GiB, by its own accounting of what grows with a run (pending events, "
        + "rows kept until the end, series samples).")
  }

  final class Outputs: ObjectKeys {
    static let schema = ObjectSchema<Outputs>(
      "Outputs", "Where results go.")
    let database = Field(
      "database", .path, default: "reports/platformsim.sqlite (relative to the working directory)",
      "SQLite results file, relative to the scenario file; `--db` overrides it.")
  }

  final class ScenarioSpec: ObjectKeys {
    static let schema = ObjectSchema<ScenarioSpec>(
      "ScenarioSpec", "What to simulate.")
    let simulation = Field(
      "simulation", .object(Simulation.self), required: true, "The simulated window, time zone and seed.")
    let limits = Field(
      "limits", .object(Limits.self), "Run guards.")
    let outputs = Field(
      "outputs", .object(Outputs.self), "Where results go.")
    let delivery = Field(
      "delivery", .object(Delivery.self), "The delivery pipeline and its CI runners.")
    let cluster = Field(
      "cluster", .object(Cluster.self), "The Kubernetes cluster: node pools, spot market, autoscaling.")
    let teams = Field(
      "teams", .list(.object(Team.self)), "Teams: tags, engineers and their changes, training workloads.")
    let services = Field(
      "services", .list(.object(Service.self)), "Served models and their traffic.")
    let monitoring = Field(
      "monitoring", .object(Monitoring.self), "Prometheus rules and Alertmanager.")
    let governance = Field(
      "governance", .object(Governance.self), "Required tags and admission policy.")
    let policies = Field(
      "policies", .object(Policies.self),
      "Which implementation answers each decision point: built-in or external process.")
    let replay = Field(
      "replay", .object(Replay.self), "A real job or pod trace replayed on its own cluster (docs/TRACES.md).")
  }

  final class MetricMappingKeys: ObjectKeys {
    static let schema = ObjectSchema<MetricMappingKeys>(
      "MetricMapping", "A user-declared metric profile (`metricProfile: custom`).")
    let requests = Field(
      "requests", .string(), required: true, "The request counter's name, such as `http_server_requests_total`.")
    let latency = Field(
      "latency", .string(), required: true,
      "The latency histogram's name without `_bucket`, `_count` and `_sum`, such as `http_server_duration_seconds`.")
    let latencyUnit = Field(
      "latencyUnit", .choice(["seconds", "milliseconds"]), default: "seconds", "The histogram's unit.")
    let statusLabel = Field(
      "statusLabel", .string(), default: "code", "The label telling succeeded from failed requests.")
    let success = Field(
      "success", .string(), default: "200", "Its value on succeeded requests.")
    let failure = Field(
      "failure", .string(), default: "500", "Its value on failed requests.")
    let labels = Field(
      "labels", .dictionary(.string()), default: "service: \"{{ service }}\"",
      "Further labels of every series; `{{ service }}`, `{{ team }}` and `{{ namespace }}` in a value stand for the "
        + "service's name, its team's and `default`. Every series also has `track` (`stable` or `canary`).")
  }

  final class Monitoring: ObjectKeys {
    static let schema = ObjectSchema<Monitoring>(
      "Monitoring", "Prometheus rules and Alertmanager watching the services' series.")
    let rules = Field(
      "rules", .list(.existingFile),
      "Prometheus rule files or PrometheusRule resources, loaded unchanged (relative to this file). A recording rule may not `record` a metric the services publish (`http_requests_total`, `http_request_duration_seconds_{bucket,count,sum}`, `model_quality_score`)."
    )
    let alertmanager = Field(
      "alertmanager", .existingFile,
      "An alertmanager.yml; webhook URLs `sim://rollback` and `sim://page` act on the platform.")
    let evaluationInterval = Field(
      "evaluationInterval", .duration(.positive), default: "1m",
      "Global `evaluation_interval` for groups without their own.")
    let resendDelay = Field(
      "resendDelay", .duration(.positive), default: "1m", "Prometheus `--rules.alert.resend-delay`.")
    let lateAfter = Field(
      "lateAfter", .duration(.positive), default: "10m",
      "An alert later than this after an incident started counts as late.")
    let seriesOutput = Field(
      "seriesOutput", .choice(["off", "downsampled", "full"]), default: "off",
      "Write the services' series into `series_samples` (for plots).")
    let downsampleInterval = Field(
      "downsampleInterval", .duration(.positive), default: "5m",
      "With `downsampled`: one sample per series per interval.")
    let metricProfile = Field(
      "metricProfile", .choice(MetricProfile.names), default: "platformsim",
      "The metric names and labels the services' traffic is published under, so that analysis templates written for "
        + "a mesh or ingress run unchanged: `platformsim` (`http_requests_total`), `istio` (`istio_requests_total`, "
        + "`istio_request_duration_milliseconds_bucket`), `nginx` (`nginx_ingress_controller_requests`, "
        + "`nginx_ingress_controller_request_duration_seconds_bucket`), `linkerd` (`response_total`, "
        + "`response_latency_ms_bucket`), `contour` (Envoy's `envoy_cluster_upstream_rq`, "
        + "`envoy_cluster_upstream_rq_time_bucket`), `knative` (`revision_app_request_count`, "
        + "`revision_app_request_latencies_bucket`; KServe too), or `custom` (`metricMapping`). A service may "
        + "override it (`metricProfile`). docs/SCENARIOS.md lists their labels.")
    let metricMapping = Field(
      "metricMapping", .object(MetricMappingKeys.self),
      "The names and labels of the `custom` metric profile, for a system without a built-in profile.")
  }

  final class Metadata: ObjectKeys {
    static let schema = ObjectSchema<Metadata>(
      "Metadata", "Names the scenario.")
    let name = Field(
      "name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Name written into every run row.")
    let description = Field(
      "description", .string(), "What the scenario is for.")
    let labels = Field(
      "labels", .dictionary(.string()), "Free-form labels.")
  }

  final class Scenario: ObjectKeys {
    static let schema = ObjectSchema<Scenario>(
      "Scenario", "A PlatformSim scenario.")
    let apiVersion = Field(
      "apiVersion", .choice([ScenarioSchema.apiVersion]), required: true, "Format version.")
    let kind = Field(
      "kind", .choice(["Scenario"]), required: true, "Always `Scenario`.")
    let metadata = Field(
      "metadata", .object(Metadata.self), required: true, "Name and description.")
    let spec = Field(
      "spec", .object(ScenarioSpec.self), required: true, "What to simulate.")
  }
}
