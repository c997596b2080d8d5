import Policies
import SimKernel

/// How a service moves traffic to a new version.
public enum RolloutStrategy: Equatable, Sendable {
  /// Every pod replaced, then all traffic on the new version (a Deployment's rolling update
  /// with no checks).
  case bigBang
  /// An Argo Rollouts canary (`strategy.canary`), loaded from the team's Rollout spec.
  case argoCanary(ArgoCanary)
  /// A Flagger canary (`Canary.spec.analysis`), loaded from the team's Canary resource.
  case flagger(FlaggerCanary)
}

extension RolloutStrategy {
  /// Every Prometheus query this strategy may run, with service placeholders filled by
  /// `service`: how far back they read decides how long the series store keeps samples.
  public func prometheusQueries(service: String) -> [String] {
    switch self {
    case .bigBang:
      return []
    case .flagger(let flagger):
      return flagger.checks.map { flagger.query($0, service: service) }
    case .argoCanary(let canary):
      var specs = canary.steps.compactMap { step -> AnalysisSpec? in
        if case .analysis(let spec) = step { return spec }
        return nil
      }
      if let background = canary.backgroundAnalysis { specs.append(background) }
      return specs.flatMap { spec in spec.metrics.map { spec.query($0, service: service) } }
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
public struct FlaggerCanary: Equatable, Sendable {
  public struct Check: Equatable, Sendable {
    /// `request-success-rate` (percent, checked against `min`) or `request-duration`
    /// (p99 milliseconds, checked against `max`).
    public var name: String
    public var minimum: Double?
    public var maximum: Double?
    /// The PromQL range of the built-in query (`interval`, default 1m).
    public var window: SimDuration

    public init(name: String, minimum: Double?, maximum: Double?, window: SimDuration) {
      self.name = name
      self.minimum = minimum
      self.maximum = maximum
      self.window = window
    }
  }

  public var interval: SimDuration
  public var threshold: Int
  public var stepWeights: [Int]
  public var maxWeight: Int
  public var checks: [Check]

  public init(interval: SimDuration, threshold: Int, stepWeights: [Int], maxWeight: Int, checks: [Check]) {
    self.interval = interval
    self.threshold = threshold
    self.stepWeights = stepWeights
    self.maxWeight = maxWeight
    self.checks = checks
  }

  /// The built-in query of a check for `service`, on the simulated services' series.
  func query(_ check: Check, service: String) -> String {
    let window = check.window.formatted
    let selector = #"service="\#(service)",track="canary""#
    if check.name == "request-duration" {
      return "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{\(selector)}[\(window)]))) * 1000"
    }
    let success = selector + #",code!~"5..""#
    return "sum(rate(http_requests_total{\(success)}[\(window)])) / sum(rate(http_requests_total{\(selector)}[\(window)])) * 100"
  }
}

/// The parts of an Argo Rollouts `Rollout` that PlatformSim models: `strategy.canary`,
/// or `strategy.blueGreen` expressed as the same kind of steps (scale up the preview,
/// pre-promotion analysis, pause unless auto-promoted, switch the active service,
/// post-promotion analysis), which is how Argo's blue-green controller proceeds
/// (rollout/bluegreen.go; docs/features/bluegreen.md).
///
/// Without traffic routing the weight is the share of traffic the canary receives
/// (Argo approximates it with replica counts; docs/POLICIES note the difference). For
/// a service with `serving`, the pods of the stable and canary ReplicaSets follow
/// Argo's basic-canary replica arithmetic with `maxSurge` and `maxUnavailable`
/// (``ArgoBasicCanary``): extra pods while scaling, and fewer available stable pods
/// when `maxUnavailable` allows it.
public struct ArgoCanary: Equatable, Sendable {
  public enum Step: Equatable, Sendable {
    case setWeight(Int)
    /// `pause: {duration: D}`; `nil` is an indefinite pause until someone promotes.
    case pause(SimDuration?)
    case analysis(AnalysisSpec)
    /// Blue-green: bring the new ReplicaSet up behind the preview service (no user
    /// traffic) and wait until all its pods are available.
    case scaleUpPreview
    /// Blue-green promotion: the active service points at the new version at once.
    case switchActive
  }

  /// Which Argo Rollouts strategy these steps come from.
  public enum Kind: String, Equatable, Sendable {
    case canary
    case blueGreen = "blue-green"
  }

  public var kind: Kind = .canary

  public var steps: [Step]
  /// `strategy.canary.analysis`: runs from `startingStep` until the rollout completes.
  public var backgroundAnalysis: AnalysisSpec?
  public var backgroundStartingStep: Int
  /// `progressDeadlineSeconds` (default 600).
  public var progressDeadline: SimDuration
  /// `progressDeadlineAbort` (default false).
  public var progressDeadlineAbort: Bool
  /// `strategy.canary.maxSurge` (default `"25"`, i.e. 25 %).
  public var maxSurge: ReplicaBudget = .percent(25)
  /// `strategy.canary.maxUnavailable` (default `"25"`, i.e. 25 %).
  public var maxUnavailable: ReplicaBudget = .percent(25)

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
public struct AnalysisSpec: Equatable, Sendable {
  public var metrics: [AnalysisMetric]
  /// Argument names filled with the service's name (e.g. `service-name`).
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

  /// The query text for `service`, with `{{args.x}}` placeholders replaced.
  func query(_ metric: AnalysisMetric, service: String) -> String {
    var text = metric.query
    for name in serviceArguments { text = replacing(text, argument: name, with: service) }
    for argument in fixedArguments { text = replacing(text, argument: argument.name, with: argument.value) }
    return text
  }

  func replacing(_ text: String, argument: String, with value: String) -> String {
    var result = text
    for pattern in ["{{args.\(argument)}}", "{{ args.\(argument) }}"] {
      result = result.replacingOccurrences(of: pattern, with: value)
    }
    return result
  }
}

/// One metric of an AnalysisTemplate (Prometheus provider), with Argo's defaults.
public struct AnalysisMetric: Equatable, Sendable {
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

  public init(
    name: String, interval: SimDuration?, count: Int?, initialDelay: SimDuration, successCondition: ConditionExpression?,
    failureCondition: ConditionExpression?, failureLimit: Int, inconclusiveLimit: Int, consecutiveErrorLimit: Int, query: String
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

/// Phases of measurements, metrics and runs (Argo `AnalysisPhase`), ordered best to
/// worst as in utils/analysis/helpers.go `analysisStatusOrder`.
public enum AnalysisPhase: Int, Comparable, Sendable {
  case successful = 0
  case running = 1
  case inconclusive = 3
  case error = 4
  case failed = 5

  public static func < (lhs: AnalysisPhase, rhs: AnalysisPhase) -> Bool { lhs.rawValue < rhs.rawValue }

  public var name: String {
    switch self {
    case .successful: return "Successful"
    case .running: return "Running"
    case .inconclusive: return "Inconclusive"
    case .error: return "Error"
    case .failed: return "Failed"
    }
  }
}

/// The counters of one metric of a running AnalysisRun (Argo `MetricResult`).
struct MetricProgress {
  var count = 0
  var successful = 0
  var failed = 0
  var inconclusive = 0
  var errors = 0
  var consecutiveErrors = 0
  var phase: AnalysisPhase = .running
  var lastMessage = ""

  /// Records one measurement and re-assesses the metric with Argo's rules
  /// (analysis/analysis.go `runMeasurements` and `assessMetricStatus`).
  mutating func record(_ measurement: AnalysisPhase, metric: AnalysisMetric) {
    count(measurement)
    let verdict = ArgoAnalysisVerdict().decide(observation(metric: metric, last: measurement), at: PolicyTime(microseconds: 0))
    phase = AnalysisPhase(verdict.phase)
  }

  /// Updates the counters for one measurement (`runMeasurements`).
  mutating func count(_ measurement: AnalysisPhase) {
    switch measurement {
    case .error:
      errors += 1
      consecutiveErrors += 1
    case .successful:
      count += 1
      successful += 1
      consecutiveErrors = 0
    case .failed:
      count += 1
      failed += 1
      consecutiveErrors = 0
    case .inconclusive:
      count += 1
      inconclusive += 1
      consecutiveErrors = 0
    case .running:
      break
    }
  }

  /// What the analysis-verdict policy sees after a measurement.
  func observation(
    metric: AnalysisMetric, last: AnalysisPhase, service: String = "", run: String = "step"
  ) -> AnalysisVerdictObservation {
    AnalysisVerdictObservation(
      service: service, metric: metric.name, run: run, lastMeasurement: last.name.lowercased(), count: count,
      successful: successful, failed: failed, inconclusive: inconclusive, errors: errors,
      consecutiveErrors: consecutiveErrors, failureLimit: metric.failureLimit, inconclusiveLimit: metric.inconclusiveLimit,
      consecutiveErrorLimit: metric.consecutiveErrorLimit, plannedCount: metric.effectiveCount)
  }

  /// Classifies one query result (utils/evaluate/evaluate.go `EvaluateResult`): failure
  /// condition first, then success; neither condition means Successful (the code, not
  /// the docs); an evaluation error is an Error.
  static func classify(_ result: [Double], metric: AnalysisMetric) -> (AnalysisPhase, String) {
    do {
      if let failure = metric.failureCondition, try failure.holds(result: result) { return (.failed, "failureCondition met") }
      if let success = metric.successCondition {
        if try success.holds(result: result) { return (.successful, "successCondition met") }
        return metric.failureCondition == nil ? (.failed, "successCondition not met") : (.inconclusive, "neither condition met")
      }
      return (.successful, "no condition failed")
    } catch {
      return (.error, error.message)
    }
  }
}

extension AnalysisPhase {
  /// The model's phase for a policy's verdict.
  init(_ phase: AnalysisVerdictAction.Phase) {
    switch phase {
    case .running: self = .running
    case .successful: self = .successful
    case .failed: self = .failed
    case .inconclusive: self = .inconclusive
    case .error: self = .error
    }
  }
}
