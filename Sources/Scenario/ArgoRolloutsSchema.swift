import InputReading
import PlatformModel
import SimKernel

extension InputFormat {
  /// An Argo Rollouts `Rollout` a scenario's rollout policy names.
  public static let argoRollout = InputFormat(
    name: "argo-rollout", title: "Argo Rollouts Rollout (as PlatformSim reads it)",
    fileDescription: "an Argo Rollouts Rollout", schemaID: "https://platformsim.dev/schemas/argo-rollout.json",
    root: ArgoRolloutsSchema.Rollout.self, conventions: .platformSim,
    signature: FormatSignature(kinds: ["Rollout"], apiVersions: [ArgoRolloutsSchema.apiVersion]))

  /// An Argo Rollouts `AnalysisTemplate` (or `ClusterAnalysisTemplate`).
  public static let argoAnalysisTemplate = InputFormat(
    name: "argo-analysis-template", title: "Argo Rollouts AnalysisTemplate (as PlatformSim reads it)",
    fileDescription: "an Argo Rollouts AnalysisTemplate",
    schemaID: "https://platformsim.dev/schemas/argo-analysis-template.json",
    root: ArgoRolloutsSchema.AnalysisTemplate.self, conventions: .platformSim,
    signature: FormatSignature(
      kinds: ["AnalysisTemplate", "ClusterAnalysisTemplate"], apiVersions: [ArgoRolloutsSchema.apiVersion]))

  /// A Flagger `Canary`.
  public static let flaggerCanary = InputFormat(
    name: "flagger-canary", title: "Flagger Canary (as PlatformSim reads it)", fileDescription: "a Flagger Canary",
    schemaID: "https://platformsim.dev/schemas/flagger-canary.json", root: FlaggerSchema.FlaggerCanary.self,
    conventions: .platformSim, signature: FormatSignature(kinds: ["Canary"], apiVersions: ["flagger.app/v1beta1"]))

  /// A Flagger `MetricTemplate` (custom metric checks refer to it with `templateRef`).
  public static let flaggerMetricTemplate = InputFormat(
    name: "flagger-metric-template", title: "Flagger MetricTemplate (as PlatformSim reads it)",
    fileDescription: "a Flagger MetricTemplate",
    schemaID: "https://platformsim.dev/schemas/flagger-metric-template.json",
    root: FlaggerSchema.MetricTemplate.self, conventions: .platformSim,
    signature: FormatSignature(kinds: ["MetricTemplate"], apiVersions: ["flagger.app/v1beta1"]))
}

/// The Argo Rollouts resources PlatformSim reads unchanged: `Rollout` (canary strategy)
/// and `AnalysisTemplate` / `ClusterAnalysisTemplate` with the Prometheus provider.
///
/// Fields that do not change what the simulation computes (pod template, selector,
/// services) pass silently; fields PlatformSim does not model warn; fields whose
/// absence would change the outcome (blue-green, experiments, other metric
/// providers) are errors.
public enum ArgoRolloutsSchema {
  static let apiVersion = "argoproj.io/v1alpha1"
  static let passthroughResource = ["metadata", "status"]

  final class AnalysisTemplateRef: ObjectKeys {
    static let schema = ObjectSchema<AnalysisTemplateRef>(
      "AnalysisTemplateRef", "A reference to an AnalysisTemplate.")
    let templateName = Field(
      "templateName", .string(), required: true, "AnalysisTemplate name.")
    let clusterScope = Field(
      "clusterScope", .boolean, "A ClusterAnalysisTemplate.")
  }

  final class AnalysisArgument: ObjectKeys {
    static let schema = ObjectSchema<AnalysisArgument>(
      "AnalysisArgument", "An argument passed to the templates.")
    let name = Field(
      "name", .string(), required: true, "Argument name.")
    let value = Field(
      "value", .string(),
      "Its value; without one (and without a `valueFrom.fieldRef` the Rollout holds), the service's name.")
    let valueFrom = Field(
      "valueFrom", .dictionary(.string()),
      "`fieldRef.fieldPath`: resolved from the Rollout as Argo does (`metadata.name`, `metadata.namespace`, "
        + "`metadata.labels['KEY']`, `metadata.annotations['KEY']`, a path into `spec`); a path the file does not hold "
        + "(`status.…`) and `podTemplateHashValue`: the service's name.")
  }

  final class DryRun: ObjectKeys {
    static let schema = ObjectSchema<DryRun>(
      "DryRun", "Metrics measured without deciding anything.")
    let metricName = Field(
      "metricName", .string(), required: true,
      "A metric name, or a regular expression matched anywhere in the names (`.*`: all).")
  }

  final class RolloutAnalysis: ObjectKeys {
    static let schema = ObjectSchema<RolloutAnalysis>(
      "RolloutAnalysis", "Analysis run by a step, or in the background for the whole canary.",
      passthroughKeys: ["measurementRetention", "analysisRunMetadata"])
    let dryRun = Field(
      "dryRun", .list(.object(DryRun.self)),
      "Metrics of the templates measured in dry-run: their outcome neither fails nor ends the run.")
    let templates = Field(
      "templates", .list(.object(AnalysisTemplateRef.self), minimumCount: 1), required: true,
      "Templates whose metrics run.")
    let args = Field(
      "args", .list(.object(AnalysisArgument.self)), "Arguments for the templates.")
    let startingStep = Field(
      "startingStep", .integer(minimum: 0, maximum: 10_000), "Background analysis: step index from which it runs.")
  }

  final class PauseStep: ObjectKeys {
    static let schema = ObjectSchema<PauseStep>(
      "PauseStep", "Pause for a duration, or until promoted.")
    let duration = Field(
      "duration", .argoDuration(.oneOf([.integer(minimum: 0), .string()])),
      "Seconds, or a duration such as `5m`; absent: until promoted.")
  }

  final class SetCanaryScale: ObjectKeys {
    static let schema = ObjectSchema<SetCanaryScale>(
      "SetCanaryScale", "Sizes the canary ReplicaSet independently of the traffic weight; one of the three.")
    let replicas = Field("replicas", .integer(minimum: 0), "Canary pods.")
    let weight = Field("weight", .integer(minimum: 0, maximum: 100), "Canary pods as a percentage of `spec.replicas`.")
    let matchTrafficWeight = Field(
      "matchTrafficWeight", .boolean, "Size the canary by the traffic weight again.")
  }

  final class CanaryStep: ObjectKeys {
    static let schema = ObjectSchema<CanaryStep>(
      "CanaryStep", "One canary step.", ignoredKeys: ["replicaProgressThreshold"])
    let setWeight = Field(
      "setWeight", .integer(minimum: 0, maximum: 100), "Share of traffic on the canary.")
    let pause = Field(
      "pause", .object(PauseStep.self), "Pause.")
    let analysis = Field(
      "analysis", .object(RolloutAnalysis.self), "A blocking AnalysisRun.")
    let setCanaryScale = Field(
      "setCanaryScale", .object(SetCanaryScale.self), "Canary ReplicaSet size; waits for the ReplicaSets' counts.")
    let setHeaderRoute = Field(
      "setHeaderRoute", .any(.any(description: "a header route")),
      "Header route: completes at once, no effect on the traffic share (a warning).")
    let setMirrorRoute = Field(
      "setMirrorRoute", .any(.any(description: "a mirror route")),
      "Mirror route: completes at once, no effect on the traffic share (a warning).")
    let experiment = Field("experiment", .any(.any(description: "an experiment step")), "Not modelled: an error.")
    let plugin = Field("plugin", .any(.any(description: "a step plugin")), "Not modelled: an error.")

    /// The keys that make a step's kind; a step has exactly one.
    var kindNames: [String] {
      [
        setWeight.name, pause.name, analysis.name, setCanaryScale.name, setHeaderRoute.name, setMirrorRoute.name,
        experiment.name, plugin.name,
      ]
    }
  }

  final class CanaryStrategy: ObjectKeys {
    static let schema = ObjectSchema<CanaryStrategy>(
      "CanaryStrategy", "`strategy.canary`.",
      ignoredKeys: [
        "scaleDownDelaySeconds", "dynamicStableScale",
        "minPodsPerReplicaSet",
        "antiAffinity", "pingPong", "scaleDownDelayRevisionLimit",
      ], passthroughKeys: ["canaryService", "stableService", "canaryMetadata", "stableMetadata"])
    let steps = Field(
      "steps", .list(.object(CanaryStep.self)), "The steps.")
    let analysis = Field(
      "analysis", .object(RolloutAnalysis.self), "Background analysis.")
    let trafficRouting = Field(
      "trafficRouting", .any(.any(description: "a traffic router")),
      "A router (any kind; its own settings are not read) sends exactly the last completed `setWeight` to the canary "
        + "once it has a ready pod; the canary is sized ceil(weight × replicas / 100) and the stable stays at "
        + "`replicas` (Argo's traffic-routed sizing, without `dynamicStableScale`).")
    let abortScaleDownDelaySeconds = Field(
      "abortScaleDownDelaySeconds", .integer(minimum: 0, maximum: 315_360_000), default: "30",
      "With `trafficRouting`: how long an aborted canary's pods stay up after its traffic went back to the stable "
        + "(0: never scaled down). Argo ignores it without a router, and so does PlatformSim.")
    let maxSurge = Field(
      "maxSurge", .replicaBudget, default: "25%",
      "Extra pods allowed while scaling (a count, or a percentage of the service's replicas, rounded up); for services with `serving`, stable and canary pods follow Argo's basic-canary arithmetic (docs/SCENARIOS.md)."
    )
    let maxUnavailable = Field(
      "maxUnavailable", .replicaBudget, default: "25%",
      "Pods that may be unavailable while scaling (a count, or a percentage rounded down): the stable may shrink before canary pods are ready, reducing capacity."
    )
  }

  final class BlueGreenStrategy: ObjectKeys {
    static let schema = ObjectSchema<BlueGreenStrategy>(
      "BlueGreenStrategy", "`strategy.blueGreen`.",
      ignoredKeys: [
        "previewReplicaCount", "scaleDownDelayRevisionLimit", "antiAffinity", "abortScaleDownDelaySeconds",
      ],
      passthroughKeys: [
        "activeService", "previewService", "previewMetadata", "activeMetadata", "scaleDownDelaySeconds",
      ])
    let autoPromotionEnabled = Field(
      "autoPromotionEnabled", .boolean, default: "true",
      "Promote as soon as the preview is ready and analysed; false pauses for a person.")
    let autoPromotionSeconds = Field(
      "autoPromotionSeconds", .integer(minimum: 0, maximum: 315_360_000), default: "0",
      "Pause this long before promoting.")
    let prePromotionAnalysis = Field(
      "prePromotionAnalysis", .object(RolloutAnalysis.self),
      "Analysis before the switch (the preview gets no user traffic).")
    let postPromotionAnalysis = Field(
      "postPromotionAnalysis", .object(RolloutAnalysis.self), "Analysis after the switch; failure switches back.")
  }

  final class RolloutStrategy: ObjectKeys {
    static let schema = ObjectSchema<RolloutStrategy>(
      "RolloutStrategy", "`spec.strategy`.")
    let canary = Field(
      "canary", .object(CanaryStrategy.self), "Canary strategy.")
    let blueGreen = Field(
      "blueGreen", .object(BlueGreenStrategy.self), "Blue-green strategy.")
  }

  final class RolloutSpec: ObjectKeys {
    static let schema = ObjectSchema<RolloutSpec>(
      "RolloutSpec", "`Rollout.spec`.", ignoredKeys: ["rollbackWindow", "analysis"],
      passthroughKeys: [
        "selector", "template", "workloadRef", "revisionHistoryLimit", "minReadySeconds", "paused", "restartAt",
      ])
    let replicas = Field(
      "replicas", .integer(minimum: 0, maximum: 100_000), default: "1", "Replicas.")
    let strategy = Field(
      "strategy", .object(RolloutStrategy.self), required: true, "Strategy.")
    let progressDeadlineSeconds = Field(
      "progressDeadlineSeconds", .integer(minimum: 1, maximum: 315_360_000), default: "600", "Progress deadline.")
    let progressDeadlineAbort = Field(
      "progressDeadlineAbort", .boolean, default: "false", "Abort when the deadline passes.")
  }

  final class Rollout: ObjectKeys {
    static let schema = ObjectSchema<Rollout>(
      "Rollout", "An Argo Rollouts Rollout.", passthroughKeys: passthroughResource)
    let apiVersion = Field(
      "apiVersion", .choice([ArgoRolloutsSchema.apiVersion]), required: true, "API version.")
    let kind = Field(
      "kind", .choice(["Rollout"]), required: true, "Kind.")
    let spec = Field(
      "spec", .object(RolloutSpec.self), required: true, "Spec.")
  }

  final class PrometheusProvider: ObjectKeys {
    static let schema = ObjectSchema<PrometheusProvider>(
      "PrometheusProvider", "The Prometheus metric provider; queries run on the simulated Prometheus.",
      passthroughKeys: ["address", "timeout", "insecure", "headers", "authentication"])
    let query = Field(
      "query", .string(), required: true, "PromQL, with `{{args.name}}` placeholders.")
    let rangeQuery = Field(
      "rangeQuery", .object(RangeQuery.self),
      "Run the query as a range query; the result is every point of every series.")
  }

  final class RangeQuery: ObjectKeys {
    static let schema = ObjectSchema<RangeQuery>(
      "RangeQuery", "The Prometheus provider's `rangeQuery`.")
    let start = Field(
      "start", .string(), required: true, "`now()` or `now() - duration(\"1h\")` (expr, as Argo evaluates it).")
    let end = Field(
      "end", .string(), required: true, "`now()` or `now() - duration(\"5m\")`.")
    let step = Field(
      "step", .argoDuration(.string()), required: true, "Time between points, such as `1m`.")
  }

  final class MetricProvider: ObjectKeys {
    static let schema = ObjectSchema<MetricProvider>(
      "MetricProvider", "Where a metric comes from.")
    let prometheus = Field(
      "prometheus", .object(PrometheusProvider.self), "Prometheus.")
    let job = Field(
      "job", .any(.any(description: "a provider")), "Not modelled: an error.")
    let web = Field(
      "web", .any(.any(description: "a provider")), "Not modelled: an error.")
    let datadog = Field(
      "datadog", .any(.any(description: "a provider")), "Not modelled: an error.")
    let newRelic = Field(
      "newRelic", .any(.any(description: "a provider")), "Not modelled: an error.")
    let wavefront = Field(
      "wavefront", .any(.any(description: "a provider")), "Not modelled: an error.")
    let kayenta = Field(
      "kayenta", .any(.any(description: "a provider")), "Not modelled: an error.")
    let cloudWatch = Field(
      "cloudWatch", .any(.any(description: "a provider")), "Not modelled: an error.")
    let graphite = Field(
      "graphite", .any(.any(description: "a provider")), "Not modelled: an error.")
    let influxdb = Field(
      "influxdb", .any(.any(description: "a provider")), "Not modelled: an error.")
    let skywalking = Field(
      "skywalking", .any(.any(description: "a provider")), "Not modelled: an error.")
    let plugin = Field(
      "plugin", .any(.any(description: "a provider")), "Not modelled: an error.")
  }

  final class AnalysisMetric: ObjectKeys {
    static let schema = ObjectSchema<AnalysisMetric>(
      "AnalysisMetric", "One metric of an AnalysisTemplate.", ignoredKeys: ["consecutiveSuccessLimit"])
    let name = Field(
      "name", .string(), required: true, "Metric name.")
    let interval = Field(
      "interval", .argoDuration(.string()), "Time between measurements.")
    let initialDelay = Field(
      "initialDelay", .argoDuration(.string()), "Delay before the first measurement.")
    let count = Field(
      "count", .argoCount(minimum: 0), "Number of measurements.")
    let successCondition = Field(
      "successCondition", .condition, "expr-lang condition over `result`.")
    let failureCondition = Field(
      "failureCondition", .condition, "expr-lang condition over `result`.")
    let failureLimit = Field(
      "failureLimit", .argoCount(minimum: -1), default: "0", "Failed measurements tolerated.")
    let inconclusiveLimit = Field(
      "inconclusiveLimit", .argoCount(minimum: 0), default: "0", "Inconclusive measurements tolerated.")
    let consecutiveErrorLimit = Field(
      "consecutiveErrorLimit", .argoCount(minimum: 0), default: "4", "Consecutive errors tolerated.")
    let provider = Field(
      "provider", .object(MetricProvider.self), required: true, "Metric provider.")
  }

  final class TemplateArgument: ObjectKeys {
    static let schema = ObjectSchema<TemplateArgument>(
      "TemplateArgument", "A template argument.", passthroughKeys: ["valueFrom"])
    let name = Field(
      "name", .string(), required: true, "Name.")
    let value = Field(
      "value", .string(), "Default value.")
  }

  final class AnalysisTemplateSpec: ObjectKeys {
    static let schema = ObjectSchema<AnalysisTemplateSpec>(
      "AnalysisTemplateSpec", "`AnalysisTemplate.spec`.", passthroughKeys: ["measurementRetention"])
    let dryRun = Field(
      "dryRun", .list(.object(DryRun.self)),
      "Metrics measured in dry-run: their outcome neither fails nor ends the run.")
    let args = Field(
      "args", .list(.object(TemplateArgument.self)), "Arguments.")
    let metrics = Field(
      "metrics", .list(.object(AnalysisMetric.self), minimumCount: 1), required: true, "Metrics.")
  }

  /// Kubernetes object metadata, of which PlatformSim reads only the name.
  final class ObjectMeta: ObjectKeys {
    static let schema = ObjectSchema<ObjectMeta>(
      "ObjectMeta", "Kubernetes object metadata; only `name` is read.", unknownKeys: .accepted)
    let name = Field("name", .string(), "The name Rollouts refer to as `templateName`.")
  }

  final class AnalysisTemplate: ObjectKeys {
    static let schema = ObjectSchema<AnalysisTemplate>(
      "AnalysisTemplate", "An Argo Rollouts AnalysisTemplate.", passthroughKeys: ["status"])
    let metadata = Field("metadata", .object(ObjectMeta.self), "Its `name` is what Rollouts refer to.")
    let apiVersion = Field(
      "apiVersion", .choice([ArgoRolloutsSchema.apiVersion]), required: true, "API version.")
    let kind = Field(
      "kind", .choice(["AnalysisTemplate", "ClusterAnalysisTemplate"]), required: true, "Kind.")
    let spec = Field(
      "spec", .object(AnalysisTemplateSpec.self), required: true, "Spec.")
  }
}

/// Flagger's `Canary` resource (flagger.app/v1beta1), read unchanged.
public enum FlaggerSchema {
  final class ThresholdRange: ObjectKeys {
    static let schema = ObjectSchema<ThresholdRange>(
      "ThresholdRange", "Bounds a metric must stay within.")
    let min = Field(
      "min", .number(), "Lower bound.")
    let max = Field(
      "max", .number(), "Upper bound.")
  }

  final class TemplateReference: ObjectKeys {
    static let schema = ObjectSchema<TemplateReference>(
      "TemplateReference", "A reference to a MetricTemplate.")
    let name = Field("name", .string(), required: true, "The MetricTemplate's `metadata.name`.")
    let namespace = Field(
      "namespace", .string(), "Its namespace (PlatformSim reads every template into one namespace).")
  }

  final class FlaggerMetric: ObjectKeys {
    static let schema = ObjectSchema<FlaggerMetric>(
      "FlaggerMetric", "A Flagger metric check.")
    let name = Field(
      "name", .string(), required: true,
      "`request-success-rate` or `request-duration` (built-ins), or any name with `templateRef`.")
    let thresholdRange = Field(
      "thresholdRange", .object(ThresholdRange.self), "Bounds.")
    let threshold = Field(
      "threshold", .number(),
      "Legacy bound: a minimum for success rate, a maximum for duration and custom metrics.")
    let interval = Field(
      "interval", .argoDuration(.string()), default: "1m", "Range of the query (`{{ interval }}`).")
    let templateRef = Field(
      "templateRef", .object(TemplateReference.self), "The MetricTemplate whose query this check runs.")
    let templateVariables = Field(
      "templateVariables", .dictionary(.string()), "Values of the template's `{{ variables.name }}`.")
    let query = Field(
      "query", .any(.string()), "Inline query (deprecated): Flagger no longer runs it (a warning).")
  }

  final class MetricTemplateProvider: ObjectKeys {
    static let schema = ObjectSchema<MetricTemplateProvider>(
      "MetricTemplateProvider", "Where a MetricTemplate's query runs.",
      passthroughKeys: ["address", "headers", "secretRef", "insecureSkipVerify", "region"])
    let type = Field(
      "type", .string(), required: true,
      "`prometheus`: the query runs on the simulated Prometheus; other providers are not modelled (an error).")
  }

  final class MetricTemplateSpec: ObjectKeys {
    static let schema = ObjectSchema<MetricTemplateSpec>(
      "MetricTemplateSpec", "`MetricTemplate.spec`.")
    let provider = Field(
      "provider", .object(MetricTemplateProvider.self), required: true, "The metrics provider.")
    let query = Field(
      "query", .string(), required: true,
      "PromQL with Flagger's template variables (`{{ namespace }}`, `{{ target }}`, `{{ interval }}`, "
        + "`{{ variables.name }}` …).")
  }

  final class MetricTemplate: ObjectKeys {
    static let schema = ObjectSchema<MetricTemplate>(
      "MetricTemplate", "A Flagger MetricTemplate.", passthroughKeys: ["status"])
    let metadata = Field(
      "metadata", .object(ArgoRolloutsSchema.ObjectMeta.self), "Its `name` is what Canaries refer to.")
    let apiVersion = Field(
      "apiVersion", .choice(["flagger.app/v1beta1"]), required: true, "API version.")
    let kind = Field(
      "kind", .choice(["MetricTemplate"]), required: true, "Kind.")
    let spec = Field(
      "spec", .object(MetricTemplateSpec.self), required: true, "Spec.")
  }

  final class FlaggerAnalysis: ObjectKeys {
    static let schema = ObjectSchema<FlaggerAnalysis>(
      "FlaggerAnalysis", "`Canary.spec.analysis`.",
      ignoredKeys: [
        "webhooks", "alerts", "primaryReadyThreshold", "canaryReadyThreshold",
        "stepWeightPromotion", "sessionAffinity",
      ])
    let interval = Field(
      "interval", .argoDuration(.string()), default: "60s", "Time between ticks (at least 10s).")
    let threshold = Field(
      "threshold", .integer(minimum: 0, maximum: 1_000_000), default: "1", "Failed checks before rollback.")
    let maxWeight = Field(
      "maxWeight", .integer(minimum: 1, maximum: 100), default: "100", "Weight at which the canary is promoted.")
    let stepWeight = Field(
      "stepWeight", .integer(minimum: 1, maximum: 100), "Weight added per passing tick.")
    let stepWeights = Field(
      "stepWeights", .list(.integer(minimum: 1, maximum: 100)), "Weights, one per passing tick.")
    let metrics = Field(
      "metrics", .list(.object(FlaggerMetric.self)), "Checks.")
    let iterations = Field(
      "iterations", .integer(minimum: 0, maximum: 1_000_000),
      "Blue/green (without `match`) or A/B testing (with `match`): checked ticks before promotion, instead of weights.")
    let mirror = Field(
      "mirror", .boolean, default: "false",
      "Blue/green: copy requests to the canary (responses discarded); its checks see the copies. Ignored otherwise.")
    let mirrorWeight = Field(
      "mirrorWeight", .integer(minimum: 0, maximum: 100), default: "100", "Percent of requests mirrored (Istio).")
    let match = Field(
      "match", .any(.array(of: .any(description: "a match condition"))),
      "A/B testing (with `iterations`): requests matching these header/cookie conditions go to the canary; modelled as "
        + "the scenario's `abTestingShare` of requests (one warning).")
  }

  final class FlaggerCanarySpec: ObjectKeys {
    static let schema = ObjectSchema<FlaggerCanarySpec>(
      "FlaggerCanarySpec", "`Canary.spec`.", ignoredKeys: ["revertOnDeletion", "suspend"],
      passthroughKeys: [
        "targetRef", "service", "autoscalerRef", "ingressRef", "upstreamRef", "routeRef", "provider", "metricsServer",
      ])
    let progressDeadlineSeconds = Field(
      "progressDeadlineSeconds", .integer(minimum: 1, maximum: 315_360_000), default: "600", "Progress deadline.")
    let analysis = Field(
      "analysis", .object(FlaggerAnalysis.self),
      "Analysis; without one Flagger promotes a new revision without analysing it.")
    let skipAnalysis = Field(
      "skipAnalysis", .boolean, default: "false", "Promote new revisions without analysis.")
  }

  final class FlaggerCanary: ObjectKeys {
    static let schema = ObjectSchema<FlaggerCanary>(
      "FlaggerCanary", "A Flagger Canary.", passthroughKeys: ["metadata", "status"])
    let apiVersion = Field(
      "apiVersion", .choice(["flagger.app/v1beta1"]), required: true, "API version.")
    let kind = Field(
      "kind", .choice(["Canary"]), required: true, "Kind.")
    let spec = Field(
      "spec", .object(FlaggerCanarySpec.self), required: true, "Spec.")
  }
}

/// Argo Rollouts' and Flagger's own value rules, declared once for their fields.
extension Shape where Value == SimDuration {
  /// An Argo duration: whole seconds as a number, or a string such as `30s` or `1h30m`.
  static func argoDuration(_ schema: ValueSchema) -> Shape {
    .custom(schema) { value in
      if let text = value.scalarText {
        if let seconds = Int(text) { return .seconds(Int64(seconds)) }
        if let duration = SimDuration(parsing: text) { return duration }
      }
      value.mismatch(expected: "a duration such as `30s`, `5m` or `1h`, or whole seconds")
      return nil
    }
  }
}

extension Shape where Value == Int {
  /// An Argo int-or-string count (`failureLimit: 3` or `"3"`) of at least `minimum`.
  static func argoCount(minimum: Int) -> Shape {
    .custom(.oneOf([.integer(minimum: minimum), .string()])) { value in
      guard let text = value.scalarText, let number = Int(text), number >= minimum else {
        value.mismatch(expected: "an integer of at least \(minimum)")
        return nil
      }
      return number
    }
  }
}

extension Shape where Value == ReplicaBudget {
  /// `maxSurge` / `maxUnavailable`: a non-negative integer (pods) or a string, which
  /// Argo reads as a percentage with or without `%` (legacy intstr parsing: `"25"` is
  /// 25 %).
  static var replicaBudget: Shape {
    .custom(.oneOf([.integer(minimum: 0), .string()])) { value in
      guard let text = value.scalarText, !value.isNull else {
        value.mismatch(expected: "a pod count such as `1` or a percentage such as `\"25%\"`")
        return nil
      }
      if !value.isQuoted, let count = Int(text) {
        guard count >= 0 else {
          value.mismatch(expected: "a non-negative pod count or a percentage such as `\"25%\"`")
          return nil
        }
        return .count(count)
      }
      let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
      guard let percent = Int(digits), percent >= 0 else {
        value.mismatch(expected: "a pod count such as `1` or a percentage such as `\"25%\"`")
        return nil
      }
      return .percent(percent)
    }
  }
}

extension Shape where Value == ConditionExpression {
  /// An expr-lang condition over `result` (`result[0] < 0.05`), parsed when read.
  static var condition: Shape {
    .custom(.string()) { value in
      guard let text = value.readString() else { return nil }
      do {
        return try ConditionExpression.parse(text)
      } catch {
        value.error("cannot parse the condition: \(error)")
        return nil
      }
    }
  }
}
