import Policies
import SimKernel

/// How a service moves traffic to a new version.
public enum RolloutStrategy: Hashable, Sendable {
  /// Every pod replaced, then all traffic on the new version (a Deployment's rolling update
  /// with no checks).
  case bigBang
  /// An Argo Rollouts canary (`strategy.canary`), loaded from the team's Rollout spec.
  case argoCanary(ArgoCanary)
  /// A Flagger canary (`Canary.spec.analysis`), loaded from the team's Canary resource.
  case flagger(FlaggerCanary)
}

extension RolloutStrategy {
  /// How far before a measurement its analyses' range queries start, in milliseconds.
  public var rangeQueryReachMs: Int64 {
    guard case .argoCanary(let canary) = self else { return 0 }
    let reach = canary.analysisSpecs.flatMap(\.metrics).compactMap(\.rangeQuery).map {
      max($0.startBefore.microseconds, $0.endBefore.microseconds)
    }
    return max(0, reach.max() ?? 0) / 1_000
  }

  /// Every Prometheus query this strategy may run, with service placeholders filled by
  /// `service`: how far back they read decides how long the series store keeps samples.
  public func prometheusQueries(service: String, profile: MetricProfile = .platformSim) -> [String] {
    var queries: [String] = []
    forEachQueryTemplate(service: service, profile: profile) { queries.append(QueryTemplate.fill($0, $1)) }
    return queries
  }

  /// Whether every query of ``prometheusQueries(service:profile:)`` takes the names it is
  /// filled with (the service's, the namespace) only into values of equality matchers
  /// (``QueryTemplate/fillsNamesOnlyInEqualityMatchers(_:_:)``); the same for every service.
  public func fillsNamesOnlyInEqualityMatchers(profile: MetricProfile) -> Bool {
    var namesOnlyInEqualityMatchers = true
    forEachQueryTemplate(service: "", profile: profile) { text, value in
      if namesOnlyInEqualityMatchers {
        namesOnlyInEqualityMatchers = QueryTemplate.fillsNamesOnlyInEqualityMatchers(text, value)
      }
    }
    return namesOnlyInEqualityMatchers
  }

  /// Calls `body` with each query's template and what fills its placeholders for `service`.
  func forEachQueryTemplate(
    service: String, profile: MetricProfile, _ body: (String, (String) -> QueryTemplate.Value?) -> Void
  ) {
    switch self {
    case .bigBang:
      return
    case .flagger(let flagger):
      for check in flagger.checks {
        let interval = check.window.formatted
        let variables = check.template?.variables ?? [:]
        body(flagger.queryTemplate(check, profile: profile)) {
          FlaggerQueries.model($0, service: service, interval: interval, variables: variables)
        }
      }
    case .argoCanary(let canary):
      for spec in canary.analysisSpecs {
        for metric in spec.metrics { body(metric.query) { spec.argument($0, service: service) } }
      }
    }
  }
}

/// The parts of a Flagger `Canary` that PlatformSim models (pkg/controller/scheduler.go).
///
/// Every `interval` Flagger checks `failedChecks ≥ threshold` first (then rolls back),
/// else runs the metric checks: any failure (or no data) adds one failed check — never
/// reset for the revision — and halts advancement; a passing tick adds `stepWeight`
/// until the weight reaches `maxWeight` (it may overshoot), then promotes, which takes
/// two more ticks (Promoting, Finalising).
public struct FlaggerCanary: Hashable, Sendable {
  /// One metric check of `analysis.metrics`: a built-in, or a `MetricTemplate`'s query
  /// (`templateRef`), judged against `thresholdRange`.
  public struct Check: Hashable, Sendable {
    /// `request-success-rate` (percent, checked against `min`), `request-duration`
    /// (p99 milliseconds, checked against `max`), or a custom metric's name.
    public var name: String
    public var minimum: Double?
    public var maximum: Double?
    /// The PromQL range of the query (`interval`, default 1m; `{{ interval }}`).
    public var window: SimDuration
    /// A custom metric: its MetricTemplate's query (with Flagger's `{{ … }}` variables
    /// still in it) and the check's `templateVariables`; `nil` for a built-in.
    public var template: Template?

    public struct Template: Hashable, Sendable {
      /// `metadata.name` of the MetricTemplate.
      public var name: String
      public var query: String
      public var variables: [String: String]

      public init(name: String, query: String, variables: [String: String]) {
        self.name = name
        self.query = query
        self.variables = variables
      }
    }

    public init(name: String, minimum: Double?, maximum: Double?, window: SimDuration, template: Template? = nil) {
      self.name = name
      self.minimum = minimum
      self.maximum = maximum
      self.window = window
      self.template = template
    }
  }

  public var interval: SimDuration
  public var threshold: Int
  public var stepWeights: [Int]
  public var maxWeight: Int
  public var checks: [Check]
  /// `skipAnalysis: true`, or no `analysis`: a new revision is promoted on the tick
  /// after it is detected, without traffic shifting or checks.
  public var skipsAnalysis = false
  /// `analysis.iterations`: Flagger's blue/green or A/B testing instead of the
  /// progressive weights (``Iterations``); `nil` for a progressive canary.
  public var iterations: Iterations?
  /// Percent of requests taken to match an A/B test's `match` conditions unless the
  /// scenario sets `abTestingShare`: a header or cookie opt-in group is usually small.
  public static let defaultABTestingShare = 10
  /// Percent of requests a blue/green canary's load tests send, relative to the
  /// service's rate, unless the scenario sets `blueGreenTestShare`.
  public static let defaultBlueGreenTestShare = 10

  /// Flagger's iteration strategies: blue/green and A/B testing.
  ///
  /// From fluxcd/flagger pkg/controller/scheduler.go `runBlueGreen`, `runAB` and
  /// docs/gitbook/usage/deployment-strategies.md. The first
  /// tick after detection runs no checks and starts iteration 1; every later tick runs
  /// the checks (a failure counts towards `threshold` and holds the iteration), and a
  /// passing tick advances one iteration; after `count` iterations the canary is promoted.
  public struct Iterations: Hashable, Sendable {
    /// `analysis.iterations`.
    public var count: Int
    /// Share of live requests the canary serves while iterating: 0 for blue/green
    /// (Flagger routes no live traffic to it; mirrored copies are not modelled), the
    /// share of requests matching `analysis.match` for A/B testing.
    public var canaryShare: Int
    /// Blue/green: after the last iteration Flagger routes all traffic to the canary
    /// for one more checked tick before promoting (`runBlueGreen`).
    public var switchesBeforePromotion: Bool
    /// Blue/green: percent of the service's requests copied to the canary.
    ///
    /// The copies' responses nobody sees — Istio's mirror (`mirror: true`, `mirrorWeight`) or
    /// the load tester Flagger's docs pair with blue/green. They reach the canary's
    /// metrics (so its checks have data) but not users, KPIs or incidents.
    public var shadowShare: Int

    public init(count: Int, canaryShare: Int, switchesBeforePromotion: Bool, shadowShare: Int = 0) {
      self.count = count
      self.canaryShare = canaryShare
      self.switchesBeforePromotion = switchesBeforePromotion
      self.shadowShare = shadowShare
    }

    /// The iterations as the weights the canary has after each passing tick: `count`
    /// times `canaryShare`, then — blue/green — 100.
    public var weights: [Int] {
      Array(repeating: canaryShare, count: count) + (switchesBeforePromotion ? [100] : [])
    }
  }

  public init(interval: SimDuration, threshold: Int, stepWeights: [Int], maxWeight: Int, checks: [Check]) {
    self.interval = interval
    self.threshold = threshold
    self.stepWeights = stepWeights
    self.maxWeight = maxWeight
    self.checks = checks
  }

  /// The query of a check for `service`: its MetricTemplate's, or the built-in query
  /// Flagger runs for the mesh whose metric names `profile` publishes, rendered with
  /// Flagger's template model (``FlaggerQueries``).
  public func query(_ check: Check, service: String, profile: MetricProfile = .platformSim) -> String {
    FlaggerQueries.render(
      queryTemplate(check, profile: profile), service: service, interval: check.window.formatted,
      variables: check.template?.variables ?? [:])
  }

  /// The query of a check before Flagger's template model is filled in.
  func queryTemplate(_ check: Check, profile: MetricProfile) -> String {
    check.template?.query ?? FlaggerQueries.builtIn(check.name, profile: profile)
  }
}

/// The parts of an Argo Rollouts `Rollout` that PlatformSim models: `strategy.canary`,
/// or `strategy.blueGreen` expressed as the same kind of steps (scale up the preview,
/// pre-promotion analysis, pause unless auto-promoted, switch the active service,
/// post-promotion analysis), which is how Argo's blue-green controller proceeds
/// (rollout/bluegreen.go; docs/features/bluegreen.md).
///
/// Without traffic routing Argo approximates the weight with replica counts. For a
/// service with `serving`, the pods of the stable and canary ReplicaSets follow Argo's
/// basic-canary replica arithmetic with `maxSurge` and `maxUnavailable`
/// (``ArgoBasicCanary``) — extra pods while scaling, and fewer available stable pods
/// when `maxUnavailable` allows it — and users reach the canary through its share of
/// ready pods (``Replicas/canaryTrafficShare(_:weight:at:)``); without replicas the
/// weight is the share of traffic the canary receives.
public struct ArgoCanary: Hashable, Sendable {
  public enum Step: Hashable, Sendable {
    case setWeight(Int)
    /// `pause: {duration: D}`; `nil` is an indefinite pause until someone promotes.
    case pause(SimDuration?)
    case analysis(AnalysisSpec)
    /// Blue-green: bring the new ReplicaSet up behind the preview service (no user
    /// traffic) and wait until all its pods are available.
    case scaleUpPreview
    /// Blue-green promotion: the active service points at the new version at once.
    case switchActive
    /// `setCanaryScale`: sizes the canary ReplicaSet independently of the traffic
    /// weight (rollout/canary.go, `UseSetCanaryScale`); completes once the ReplicaSets
    /// are at their counts, as a `setWeight` step does.
    case setCanaryScale(CanaryScale)
    /// `setHeaderRoute` / `setMirrorRoute` (the key): header and mirror routes are not
    /// modelled, so the step completes at once and leaves the traffic share unchanged.
    case setRoute(String)
  }

  /// `setCanaryScale` (pkg/apis/rollouts/v1alpha1 `SetCanaryScale`): `replicas`
  /// (pods), or `weight` (percent of `spec.replicas`), or `matchTrafficWeight` (back to
  /// sizing by the current traffic weight).
  public struct CanaryScale: Hashable, Sendable {
    public var replicas: Int?
    public var weight: Int?
    public var matchTrafficWeight: Bool

    public init(replicas: Int? = nil, weight: Int? = nil, matchTrafficWeight: Bool = false) {
      self.replicas = replicas
      self.weight = weight
      self.matchTrafficWeight = matchTrafficWeight
    }
  }

  /// Which Argo Rollouts strategy these steps come from.
  public enum Kind: String, Hashable, Sendable {
    case canary
    case blueGreen = "blue-green"
  }

  public var kind: Kind = .canary
  /// A `setCanaryScale` given in the same step as a `pause` or a route (Argo allows
  /// them together; the pause decides when the step completes), by step index.
  public var stepScales: [CanaryScale?] = []

  /// The analyses of the steps, in order, then the background analysis.
  var analysisSpecs: [AnalysisSpec] {
    var specs = steps.compactMap { step -> AnalysisSpec? in
      if case .analysis(let spec) = step { return spec }
      return nil
    }
    if let backgroundAnalysis { specs.append(backgroundAnalysis) }
    return specs
  }

  /// The `setCanaryScale` of step `index`, alone or beside another kind.
  func scale(at index: Int) -> CanaryScale? {
    if case .setCanaryScale(let scale) = steps[index] { return scale }
    return index < stepScales.count ? stepScales[index] : nil
  }

  public var steps: [Step]
  /// `strategy.canary.analysis`: runs from `startingStep` until the rollout completes.
  public var backgroundAnalysis: AnalysisSpec?
  public var backgroundStartingStep: Int
  /// `progressDeadlineSeconds` (default 600).
  public var progressDeadline: SimDuration
  /// `progressDeadlineAbort` (default false).
  public var progressDeadlineAbort: Bool
  /// `strategy.canary.maxSurge` (default `"25"`, that is 25 %).
  public var maxSurge: ReplicaBudget = .percent(25)
  /// `strategy.canary.maxUnavailable` (default `"25"`, that is 25 %).
  public var maxUnavailable: ReplicaBudget = .percent(25)
  /// `strategy.canary.trafficRouting`: a router (Istio, NGINX, SMI, a plugin…) splits
  /// the requests; `nil` for a basic canary, whose Service spreads them over ready pods.
  public var trafficRouting: TrafficRouting?

  /// What a traffic router changes (policy-semantics.md §1.4–1.5; Argo's
  /// `CalculateReplicaCountsForTrafficRoutedCanary` and `shouldDelayScaleDownOnAbort`).
  ///
  /// The router sends exactly the weight of the last completed `setWeight` to the
  /// canary once it has an available pod (rollout/trafficrouting.go: "never weight to
  /// canary" while it has none); the canary is sized `ceil(weight × replicas / 100)`
  /// (or the `setCanaryScale` count) and the stable stays at `replicas` throughout, so
  /// `maxSurge`/`maxUnavailable` do not size them. On abort the traffic returns to the
  /// stable at once and the canary's pods stay up for `abortScaleDownDelay`.
  public struct TrafficRouting: Sendable, Hashable {
    /// `abortScaleDownDelaySeconds` (default 30 s); `nil` when it is 0, which Argo
    /// reads as "never scale the aborted canary down".
    public var abortScaleDownDelay: SimDuration?

    public init(abortScaleDownDelay: SimDuration? = .seconds(30)) {
      self.abortScaleDownDelay = abortScaleDownDelay
    }
  }

  public init(
    steps: [Step], backgroundAnalysis: AnalysisSpec?, backgroundStartingStep: Int = 0,
    progressDeadline: SimDuration = .seconds(600), progressDeadlineAbort: Bool = false
  ) {
    self.steps = steps
    self.backgroundAnalysis = backgroundAnalysis
    self.backgroundStartingStep = backgroundStartingStep
    self.progressDeadline = progressDeadline
    self.progressDeadlineAbort = progressDeadlineAbort
  }
}

/// An AnalysisRun's metrics, with template arguments already substituted (except the
/// per-service `{{args.<name>}}` placeholders filled at run time from ``argumentsFromService``).
public struct AnalysisSpec: Hashable, Sendable {
  public var metrics: [AnalysisMetric]
  /// Argument names filled with the service's name (for example `service-name`).
  public var serviceArguments: [String]
  /// Fixed argument values from the Rollout (`args: [{name, value}]`).
  public var fixedArguments: [(name: String, value: String)]

  public init(metrics: [AnalysisMetric], serviceArguments: [String], fixedArguments: [(name: String, value: String)]) {
    self.metrics = metrics
    self.serviceArguments = serviceArguments
    self.fixedArguments = fixedArguments
  }

  public static func == (lhs: AnalysisSpec, rhs: AnalysisSpec) -> Bool {
    lhs.metrics == rhs.metrics && lhs.serviceArguments == rhs.serviceArguments
      && lhs.fixedArguments.map(\.name) == rhs.fixedArguments.map(\.name)
      && lhs.fixedArguments.map(\.value) == rhs.fixedArguments.map(\.value)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(metrics)
    hasher.combine(serviceArguments)
    hasher.combine(fixedArguments.count)
    for argument in fixedArguments {
      hasher.combine(argument.name)
      hasher.combine(argument.value)
    }
  }

  /// The query text for `service`, with `{{args.x}}` placeholders replaced.
  ///
  /// The service's name is escaped for where it stands (a free-text name in a PromQL
  /// string, ``QueryTemplate``); the Rollout's own values go in as Argo puts them.
  func query(_ metric: AnalysisMetric, service: String) -> String {
    QueryTemplate.fill(metric.query) { argument($0, service: service) }
  }

  /// What placeholder `key` (`args.x`) is filled with for `service`; `nil` leaves it.
  func argument(_ key: String, service: String) -> QueryTemplate.Value? {
    guard key.hasPrefix("args.") else { return nil }
    let name = key.dropFirst("args.".count)
    if serviceArguments.contains(where: { $0 == name }) { return .name(service) }
    return fixedArguments.first { $0.name == name }.map { .verbatim($0.value) }
  }
}

/// One metric of an AnalysisTemplate (Prometheus provider), with Argo's defaults.
public struct AnalysisMetric: Hashable, Sendable {
  public var name: String
  /// `interval`; `nil` takes a single measurement (unless `count` says otherwise).
  public var interval: SimDuration?
  /// `count`; `nil` means unlimited when an interval is set, else 1.
  public var count: Int?
  public var initialDelay: SimDuration
  public var successCondition: ConditionExpression?
  public var failureCondition: ConditionExpression?
  /// Fails when failed measurements exceed it (default 0: the first failure fails).
  public var failureLimit: Int
  public var inconclusiveLimit: Int
  /// Errors when consecutive errors exceed it (default 4: the fifth error).
  public var consecutiveErrorLimit: Int
  /// The PromQL query, possibly with `{{args.*}}` placeholders.
  public var query: String
  /// The Prometheus provider's `rangeQuery`: the query runs as a range query and the
  /// result is every series' values in turn; `nil` for an instant query.
  public var rangeQuery: RangeQuery? = nil
  /// Named by a `dryRun` entry: measured, but its outcome neither fails nor ends the
  /// run (analysis/analysis.go `assessRunStatus` keeps it to the dry-run summary).
  public var dryRun = false

  /// `rangeQuery` (metricproviders/prometheus `executeQuery`): `start` and `end` are
  /// `now()` or `now() - duration("…")` (utils/evaluate `EvalTime`), held as the
  /// durations before the measurement; points every `step` from start to end.
  public struct RangeQuery: Hashable, Sendable {
    public var startBefore: SimDuration
    public var endBefore: SimDuration
    public var step: SimDuration

    public init(startBefore: SimDuration, endBefore: SimDuration, step: SimDuration) {
      self.startBefore = startBefore
      self.endBefore = endBefore
      self.step = step
    }
  }

  public init(
    name: String, interval: SimDuration?, count: Int?, initialDelay: SimDuration,
    successCondition: ConditionExpression?,
    failureCondition: ConditionExpression?, failureLimit: Int, inconclusiveLimit: Int, consecutiveErrorLimit: Int,
    query: String
  ) {
    self.name = name
    self.interval = interval
    self.count = count
    self.initialDelay = initialDelay
    self.successCondition = successCondition
    self.failureCondition = failureCondition
    self.failureLimit = failureLimit
    self.inconclusiveLimit = inconclusiveLimit
    self.consecutiveErrorLimit = consecutiveErrorLimit
    self.query = query
  }

  /// Argo's `EffectiveCount`: neither count nor interval → 1; interval only → unlimited.
  var effectiveCount: Int? {
    if let count { return count }
    return interval == nil ? 1 : nil
  }
}
