import ResultRows
import SimKernel

/// Identifies a team (its index in the scenario's team list).
public struct TeamID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
}

/// Identifies a served model (its index in the scenario's service list).
public struct ServiceID: DenseID {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public init(position: Int) { rawValue = Int32(position) }
  public var position: Int { Int(rawValue) }
}

/// The kinds of defect a change can carry (issue 5 §1).
public enum DefectKind: String, Sendable, CaseIterable {
  /// Raises the service's error ratio while the version serves traffic.
  case errorRate = "error-rate"
  /// Slows requests; requests slower than the service's timeout fail.
  case latency
  /// New pods never pass readiness: the rollout stalls, users keep the old version.
  case crashOnStart = "crash-on-start"
  /// Silent model-quality regression: no errors, only a quality metric shows it.
  case quality
}

/// How likely a change is to be defective, and what its defect looks like.
public struct DefectModel: Equatable, Sendable {
  /// Probability that a change carries a defect.
  public var probability: Double
  /// Relative weights of each kind.
  public var kindWeights: [(kind: DefectKind, weight: Double)]
  /// Added error ratio of an error-rate defect (0…1).
  public var errorRateIncrease: Distribution
  /// Extra latency of a latency defect, in seconds.
  public var latencyIncreaseSeconds: Distribution
  /// Drop of the quality gauge (0…1) of a quality defect.
  public var qualityDrop: Distribution

  public init(
    probability: Double, kindWeights: [(kind: DefectKind, weight: Double)], errorRateIncrease: Distribution,
    latencyIncreaseSeconds: Distribution, qualityDrop: Distribution
  ) {
    self.probability = probability
    self.kindWeights = kindWeights
    self.errorRateIncrease = errorRateIncrease
    self.latencyIncreaseSeconds = latencyIncreaseSeconds
    self.qualityDrop = qualityDrop
  }

  public static func == (lhs: DefectModel, rhs: DefectModel) -> Bool {
    lhs.probability == rhs.probability && lhs.kindWeights.map(\.kind) == rhs.kindWeights.map(\.kind)
      && lhs.kindWeights.map(\.weight) == rhs.kindWeights.map(\.weight)
      && lhs.errorRateIncrease == rhs.errorRateIncrease
      && lhs.latencyIncreaseSeconds == rhs.latencyIncreaseSeconds && lhs.qualityDrop == rhs.qualityDrop
  }

  /// A model where no change is defective.
  public static let none = DefectModel(
    probability: 0, kindWeights: [(.errorRate, 1)], errorRateIncrease: .constant(0),
    latencyIncreaseSeconds: .constant(0),
    qualityDrop: .constant(0))
}

/// The delivery side of a team: engineers who push changes to the services they own.
///
/// Its tags and training workloads are in the cluster's ``TeamConfiguration``; both
/// come from the same `spec.teams[]` entry and share its index (``TeamID``).
public struct DeliveryTeam: Equatable, Sendable {
  public var name: String
  public var engineerCount: Int
  /// When the team's changes (commits to main) arrive; `nil` if it pushes none.
  public var changeArrivals: ArrivalProcess?
  public var defects: DefectModel
  /// How the team promotes trained models to Production (MLflow-style registry).
  public var modelPromotion: ModelPromotion?

  public init(
    name: String, engineerCount: Int, changeArrivals: ArrivalProcess?, defects: DefectModel,
    modelPromotion: ModelPromotion? = nil
  ) {
    self.name = name
    self.engineerCount = engineerCount
    self.changeArrivals = changeArrivals
    self.defects = defects
    self.modelPromotion = modelPromotion
  }
}

/// Which trained models a team promotes to Production, and after how long.
///
/// Each finished training job registers a model version; a promoted one becomes a
/// change (the registry's stage transition, committed to the serving repository) that
/// flows through the same pipeline and rollout as code.
public struct ModelPromotion: Equatable, Sendable {
  /// Share of registered versions promoted (the rest were experiments).
  public var probability: Double
  /// From registration to the promotion commit (evaluation, review).
  public var delay: Distribution

  public init(probability: Double, delay: Distribution) {
    self.probability = probability
    self.delay = delay
  }
}

/// A served model and its request load.
public struct ServiceConfiguration: Equatable, Sendable {
  public var name: String
  public var team: TeamID
  /// Mean requests per second at a profile factor of 1.
  public var requestsPerSecond: Double
  public var loadProfile: RateProfile
  /// Error ratio of a healthy version.
  public var baselineErrorRatio: Double
  /// Median latency of a healthy version, seconds.
  public var baselineLatencySeconds: Double
  /// Requests slower than this fail (client timeout).
  public var timeoutSeconds: Double
  /// How new versions reach its traffic.
  public var rollout: RolloutStrategy = .bigBang
  /// Replicas and their autoscaler; `nil` serves any load (capacity not modelled).
  public var serving: ServingConfiguration?
  /// The metric names its traffic is published under; `nil` takes the scenario's
  /// `spec.monitoring.metricProfile`.
  public var metricProfile: MetricProfile?

  public init(
    name: String, team: TeamID, requestsPerSecond: Double, loadProfile: RateProfile, baselineErrorRatio: Double,
    baselineLatencySeconds: Double, timeoutSeconds: Double
  ) {
    self.name = name
    self.team = team
    self.requestsPerSecond = requestsPerSecond
    self.loadProfile = loadProfile
    self.baselineErrorRatio = baselineErrorRatio
    self.baselineLatencySeconds = baselineLatencySeconds
    self.timeoutSeconds = timeoutSeconds
  }
}

/// How Argo CD notices a new commit.
public enum SyncTrigger: Equatable, Sendable {
  /// A Git webhook: refresh on receipt, after a small delivery delay.
  case webhook(delay: Distribution)
  /// Polling every `interval` plus up to `jitter` (Argo CD `timeout.reconciliation`
  /// 120 s + `timeout.reconciliation.jitter` 60 s; policy-semantics.md §9).
  case polling(interval: SimDuration, jitter: SimDuration)
}

/// A CI stage that runs as a job on the runner pool.
public struct CIStage: Equatable, Sendable {
  public var name: String
  public var duration: Distribution
  /// Probability that the stage fails for a real reason (the change is broken).
  public var failureProbability: Double
  /// Probability that an attempt fails spuriously and is retried.
  public var flakeProbability: Double
  /// Retries after a flaky failure before the change is given up.
  public var maximumRetries: Int

  public init(
    name: String, duration: Distribution, failureProbability: Double, flakeProbability: Double, maximumRetries: Int
  ) {
    self.name = name
    self.duration = duration
    self.failureProbability = failureProbability
    self.flakeProbability = flakeProbability
    self.maximumRetries = maximumRetries
  }
}

/// The GitOps pipeline every change goes through.
public struct PipelineConfiguration: Equatable, Sendable {
  /// Unit tests, docker build, … in order, each a runner job.
  public var ciStages: [CIStage]
  /// Pushing the image to the artifact registry.
  public var registryPush: Distribution
  public var trigger: SyncTrigger
  /// Argo CD applying the manifests (sync).
  public var syncDuration: Distribution
  /// Time for a big-bang rollout to replace every pod.
  public var rolloutDuration: Distribution
  /// How long after a broken commit its author pushes a fix.
  public var fixDelay: Distribution

  public init(
    ciStages: [CIStage], registryPush: Distribution, trigger: SyncTrigger, syncDuration: Distribution,
    rolloutDuration: Distribution, fixDelay: Distribution
  ) {
    self.ciStages = ciStages
    self.registryPush = registryPush
    self.trigger = trigger
    self.syncDuration = syncDuration
    self.rolloutDuration = rolloutDuration
    self.fixDelay = fixDelay
  }
}

/// How people find and fix production problems when no alert does.
public struct OnCallConfiguration: Equatable, Sendable {
  /// Until users or dashboards make someone notice, per defect kind.
  public var noticeDelay: [DefectKind: Distribution]
  /// From page to an engineer acting on it.
  public var responseTime: Distribution
  /// Probability that the responder rolls back (otherwise ships a fix forward).
  public var rollbackProbability: Double
  /// Time to roll back once decided.
  public var rollbackDuration: Distribution
  /// Time to write, test and ship a fix forward.
  public var fixForwardDuration: Distribution
  /// A stalled rollout (pods never ready) is reported after this long
  /// (Argo Rollouts `progressDeadlineSeconds`, default 600 s).
  public var progressDeadline: SimDuration

  public init(
    noticeDelay: [DefectKind: Distribution], responseTime: Distribution, rollbackProbability: Double,
    rollbackDuration: Distribution, fixForwardDuration: Distribution, progressDeadline: SimDuration
  ) {
    self.noticeDelay = noticeDelay
    self.responseTime = responseTime
    self.rollbackProbability = rollbackProbability
    self.rollbackDuration = rollbackDuration
    self.fixForwardDuration = fixForwardDuration
    self.progressDeadline = progressDeadline
  }
}

/// The platform's DORA targets; KPI rows say met or missed.
public struct DeliveryTargets: Equatable, Sendable {
  public var deploymentsPerDay: Double = 5
  public var changeFailureRate: Double = 0.05
  public var recoveryTime: SimDuration = .minutes(30)
  public var leadTime: SimDuration = .days(1)
  /// From a training job's submission to its model serving all traffic.
  public var ideaToProduction: SimDuration = .hours(1)
  /// The State of DevOps report whose tiers rate the four keys (`DORATierThresholds`).
  public var doraTierYear = DORATierThresholds.current.year
  public init() {}
}

/// Everything the delivery model needs.
public struct DeliveryConfiguration: Equatable, Sendable {
  public var teams: [DeliveryTeam]
  public var services: [ServiceConfiguration]
  public var pipeline: PipelineConfiguration
  public var onCall: OnCallConfiguration
  public var targets: DeliveryTargets
  /// Interval at which traffic is aggregated (Prometheus scrape interval).
  public var trafficInterval: SimDuration

  public init(
    teams: [DeliveryTeam], services: [ServiceConfiguration], pipeline: PipelineConfiguration,
    onCall: OnCallConfiguration, targets: DeliveryTargets, trafficInterval: SimDuration
  ) {
    self.teams = teams
    self.services = services
    self.pipeline = pipeline
    self.onCall = onCall
    self.targets = targets
    self.trafficInterval = trafficInterval
  }
}

extension DeliveryConfiguration {
  /// The configuration of service `id`.
  public subscript(service id: ServiceID) -> ServiceConfiguration {
    _read { yield services[id.position] }
  }

  /// The delivery side of team `id`.
  public subscript(team id: TeamID) -> DeliveryTeam {
    _read { yield teams[id.position] }
  }
}
