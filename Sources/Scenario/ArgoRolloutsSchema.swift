/// The Argo Rollouts resources PlatformSim reads unchanged: `Rollout` (canary strategy)
/// and `AnalysisTemplate` / `ClusterAnalysisTemplate` with the Prometheus provider.
///
/// Fields that do not change what the simulation computes (pod template, selector,
/// services) pass silently; fields PlatformSim does not model warn; fields whose
/// absence would change the outcome (blue-green, experiments, other metric
/// providers) are errors.
public enum ArgoRolloutsSchema {
  static let passthroughResource = ["metadata", "status"]

  static let templateReference = ObjectSchema(
    "AnalysisTemplateRef", "A reference to an AnalysisTemplate.",
    fields: [
      FieldSchema("templateName", .string(), required: true, "AnalysisTemplate name."),
      FieldSchema("clusterScope", .boolean, "A ClusterAnalysisTemplate."),
    ])

  static let argument = ObjectSchema(
    "AnalysisArgument", "An argument passed to the templates.",
    fields: [
      FieldSchema("name", .string(), required: true, "Argument name."),
      FieldSchema("value", .string(), "Its value; without one (or with `valueFrom`), the service's name."),
      FieldSchema("valueFrom", .dictionary(of: .string()), "Field reference: PlatformSim fills it with the service's name."),
    ])

  static let analysis = ObjectSchema(
    "RolloutAnalysis", "Analysis run by a step, or in the background for the whole canary.",
    ignoredKeys: ["dryRun", "measurementRetention", "analysisRunMetadata"],
    fields: [
      FieldSchema("templates", .array(of: .object(templateReference), minimumCount: 1), required: true, "Templates whose metrics run."),
      FieldSchema("args", .array(of: .object(argument)), "Arguments for the templates."),
      FieldSchema("startingStep", .integer(minimum: 0), "Background analysis: step index from which it runs."),
    ])

  static let pause = ObjectSchema(
    "PauseStep", "Pause for a duration, or until promoted.",
    fields: [FieldSchema("duration", .oneOf([.integer(minimum: 0), .string()]), "Seconds, or a duration such as `5m`; absent: until promoted.")])

  static let step = ObjectSchema(
    "CanaryStep", "One canary step.",
    ignoredKeys: ["setCanaryScale", "setHeaderRoute", "setMirrorRoute", "replicaProgressThreshold"],
    fields: [
      FieldSchema("setWeight", .integer(minimum: 0, maximum: 100), "Share of traffic on the canary."),
      FieldSchema("pause", .object(pause), "Pause."),
      FieldSchema("analysis", .object(analysis), "A blocking AnalysisRun."),
      FieldSchema("experiment", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("plugin", .dictionary(of: .string()), "Not modelled: an error."),
    ])

  static let canary = ObjectSchema(
    "CanaryStrategy", "`strategy.canary`.",
    ignoredKeys: [
      "trafficRouting", "scaleDownDelaySeconds", "abortScaleDownDelaySeconds", "dynamicStableScale", "minPodsPerReplicaSet",
      "antiAffinity", "pingPong", "scaleDownDelayRevisionLimit",
    ],
    passthroughKeys: ["canaryService", "stableService", "canaryMetadata", "stableMetadata"],
    fields: [
      FieldSchema("steps", .array(of: .object(step)), "The steps."),
      FieldSchema("analysis", .object(analysis), "Background analysis."),
      FieldSchema(
        "maxSurge", .oneOf([.integer(minimum: 0), .string()]), default: "25%",
        "Extra pods allowed while scaling (a count, or a percentage of the service's replicas, rounded up); for services with `serving`, stable and canary pods follow Argo's basic-canary arithmetic (docs/SCENARIOS.md)."),
      FieldSchema(
        "maxUnavailable", .oneOf([.integer(minimum: 0), .string()]), default: "25%",
        "Pods that may be unavailable while scaling (a count, or a percentage rounded down): the stable may shrink before canary pods are ready, reducing capacity."),
    ])

  static let blueGreen = ObjectSchema(
    "BlueGreenStrategy", "`strategy.blueGreen`.",
    ignoredKeys: ["previewReplicaCount", "scaleDownDelayRevisionLimit", "antiAffinity", "abortScaleDownDelaySeconds"],
    passthroughKeys: ["activeService", "previewService", "previewMetadata", "activeMetadata", "scaleDownDelaySeconds"],
    fields: [
      FieldSchema("autoPromotionEnabled", .boolean, default: "true", "Promote as soon as the preview is ready and analysed; false pauses for a person."),
      FieldSchema("autoPromotionSeconds", .integer(minimum: 0), default: "0", "Pause this long before promoting."),
      FieldSchema("prePromotionAnalysis", .object(analysis), "Analysis before the switch (the preview gets no user traffic)."),
      FieldSchema("postPromotionAnalysis", .object(analysis), "Analysis after the switch; failure switches back."),
    ])

  static let strategy = ObjectSchema(
    "RolloutStrategy", "`spec.strategy`.",
    fields: [
      FieldSchema("canary", .object(canary), "Canary strategy."),
      FieldSchema("blueGreen", .object(blueGreen), "Blue-green strategy."),
    ])

  static let rolloutSpec = ObjectSchema(
    "RolloutSpec", "`Rollout.spec`.",
    ignoredKeys: ["rollbackWindow", "analysis"],
    passthroughKeys: ["selector", "template", "workloadRef", "revisionHistoryLimit", "minReadySeconds", "paused", "restartAt"],
    fields: [
      FieldSchema("replicas", .integer(minimum: 0), default: "1", "Replicas."),
      FieldSchema("strategy", .object(strategy), required: true, "Strategy."),
      FieldSchema("progressDeadlineSeconds", .integer(minimum: 1), default: "600", "Progress deadline."),
      FieldSchema("progressDeadlineAbort", .boolean, default: "false", "Abort when the deadline passes."),
    ])

  static let rollout = ObjectSchema(
    "Rollout", "An Argo Rollouts Rollout.",
    passthroughKeys: passthroughResource,
    fields: [
      FieldSchema("apiVersion", .choice(["argoproj.io/v1alpha1"]), required: true, "API version."),
      FieldSchema("kind", .choice(["Rollout"]), required: true, "Kind."),
      FieldSchema("spec", .object(rolloutSpec), required: true, "Spec."),
    ])

  static let prometheus = ObjectSchema(
    "PrometheusProvider", "The Prometheus metric provider; queries run on the simulated Prometheus.",
    passthroughKeys: ["address", "timeout", "insecure", "headers", "authentication"],
    fields: [FieldSchema("query", .string(), required: true, "PromQL, with `{{args.name}}` placeholders.")])

  static let provider = ObjectSchema(
    "MetricProvider", "Where a metric comes from.",
    fields: [
      FieldSchema("prometheus", .object(prometheus), "Prometheus."),
      FieldSchema("job", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("web", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("datadog", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("newRelic", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("wavefront", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("kayenta", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("cloudWatch", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("graphite", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("influxdb", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("skywalking", .dictionary(of: .string()), "Not modelled: an error."),
      FieldSchema("plugin", .dictionary(of: .string()), "Not modelled: an error."),
    ])

  static let metric = ObjectSchema(
    "AnalysisMetric", "One metric of an AnalysisTemplate.",
    ignoredKeys: ["consecutiveSuccessLimit"],
    fields: [
      FieldSchema("name", .string(), required: true, "Metric name."),
      FieldSchema("interval", .string(), "Time between measurements."),
      FieldSchema("initialDelay", .string(), "Delay before the first measurement."),
      FieldSchema("count", .oneOf([.integer(minimum: 0), .string()]), "Number of measurements."),
      FieldSchema("successCondition", .string(), "expr-lang condition over `result`."),
      FieldSchema("failureCondition", .string(), "expr-lang condition over `result`."),
      FieldSchema("failureLimit", .oneOf([.integer(minimum: -1), .string()]), default: "0", "Failed measurements tolerated."),
      FieldSchema("inconclusiveLimit", .oneOf([.integer(minimum: 0), .string()]), default: "0", "Inconclusive measurements tolerated."),
      FieldSchema("consecutiveErrorLimit", .oneOf([.integer(minimum: 0), .string()]), default: "4", "Consecutive errors tolerated."),
      FieldSchema("provider", .object(provider), required: true, "Metric provider."),
    ])

  static let templateArgument = ObjectSchema(
    "TemplateArgument", "A template argument.",
    passthroughKeys: ["valueFrom"],
    fields: [
      FieldSchema("name", .string(), required: true, "Name."),
      FieldSchema("value", .string(), "Default value."),
    ])

  static let templateSpec = ObjectSchema(
    "AnalysisTemplateSpec", "`AnalysisTemplate.spec`.",
    ignoredKeys: ["dryRun", "measurementRetention"],
    fields: [
      FieldSchema("args", .array(of: .object(templateArgument)), "Arguments."),
      FieldSchema("metrics", .array(of: .object(metric), minimumCount: 1), required: true, "Metrics."),
    ])

  static let template = ObjectSchema(
    "AnalysisTemplate", "An Argo Rollouts AnalysisTemplate.",
    passthroughKeys: passthroughResource,
    fields: [
      FieldSchema("apiVersion", .choice(["argoproj.io/v1alpha1"]), required: true, "API version."),
      FieldSchema("kind", .choice(["AnalysisTemplate", "ClusterAnalysisTemplate"]), required: true, "Kind."),
      FieldSchema("spec", .object(templateSpec), required: true, "Spec."),
    ])
}

/// Flagger's `Canary` resource (flagger.app/v1beta1), read unchanged.
public enum FlaggerSchema {
  static let thresholdRange = ObjectSchema(
    "ThresholdRange", "Bounds a metric must stay within.",
    fields: [
      FieldSchema("min", .number(), "Lower bound."),
      FieldSchema("max", .number(), "Upper bound."),
    ])

  static let metric = ObjectSchema(
    "FlaggerMetric", "A Flagger metric check.",
    fields: [
      FieldSchema("name", .string(), required: true, "`request-success-rate` or `request-duration` (built-ins)."),
      FieldSchema("thresholdRange", .object(thresholdRange), "Bounds."),
      FieldSchema("threshold", .number(), "Legacy bound: a minimum for success rate, a maximum for duration."),
      FieldSchema("interval", .string(), default: "1m", "Range of the query."),
      FieldSchema("templateRef", .dictionary(of: .string()), "MetricTemplate reference: not modelled (an error)."),
      FieldSchema("query", .string(), "Inline query: not modelled (an error)."),
    ])

  static let analysis = ObjectSchema(
    "FlaggerAnalysis", "`Canary.spec.analysis`.",
    ignoredKeys: ["webhooks", "alerts", "mirror", "mirrorWeight", "primaryReadyThreshold", "canaryReadyThreshold", "stepWeightPromotion"],
    fields: [
      FieldSchema("interval", .string(), default: "60s", "Time between ticks (at least 10s)."),
      FieldSchema("threshold", .integer(minimum: 0), default: "1", "Failed checks before rollback."),
      FieldSchema("maxWeight", .integer(minimum: 1, maximum: 100), default: "100", "Weight at which the canary is promoted."),
      FieldSchema("stepWeight", .integer(minimum: 1, maximum: 100), "Weight added per passing tick."),
      FieldSchema("stepWeights", .array(of: .integer(minimum: 1, maximum: 100)), "Weights, one per passing tick."),
      FieldSchema("metrics", .array(of: .object(metric)), "Checks."),
      FieldSchema("iterations", .integer(minimum: 0), "Blue/green or A/B testing: not modelled (an error)."),
      FieldSchema("match", .array(of: .dictionary(of: .string())), "A/B testing: not modelled (an error)."),
    ])

  static let spec = ObjectSchema(
    "FlaggerCanarySpec", "`Canary.spec`.",
    ignoredKeys: ["skipAnalysis", "revertOnDeletion", "suspend"],
    passthroughKeys: ["targetRef", "service", "autoscalerRef", "ingressRef", "upstreamRef", "provider"],
    fields: [
      FieldSchema("progressDeadlineSeconds", .integer(minimum: 1), default: "600", "Progress deadline."),
      FieldSchema("analysis", .object(analysis), required: true, "Analysis."),
    ])

  static let canary = ObjectSchema(
    "FlaggerCanary", "A Flagger Canary.",
    passthroughKeys: ["metadata", "status"],
    fields: [
      FieldSchema("apiVersion", .choice(["flagger.app/v1beta1"]), required: true, "API version."),
      FieldSchema("kind", .choice(["Canary"]), required: true, "Kind."),
      FieldSchema("spec", .object(spec), required: true, "Spec."),
    ])
}
