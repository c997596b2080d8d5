import Policies
import SimKernel

/// Events of delivery, one case per component.
public enum DeliveryEvent: Sendable {
  case commits(CommitEvent)
  case pipeline(PipelineEvent)
  case argoCD(ArgoCDEvent)
  case registry(ModelRegistryEvent)
  case rollouts(RolloutEvent)
  case incidents(IncidentEvent)
  case onCall(OnCallEvent)
}

/// GitOps delivery and incidents: from commit to production and back.
///
/// Each change is committed on its team's working-hours profile, carries a defect
/// drawn at creation (so two policies see the same defects), runs its CI stages as
/// jobs on the shared ``RunnerPool`` (`Pipeline`), is pushed to the registry, and is
/// picked up by Argo CD — on a webhook, or at the next poll (`ArgoCD`). Changes that
/// become ready while a service is rolling out wait and are batched into its next
/// deployment, rolled out big-bang or as a canary (`Rollouts/`). A defective version
/// opens an incident when it starts failing requests (ground truth); people notice it
/// after a delay, or an alert or a canary analysis does, and the on-call rolls back or
/// fixes forward (`Incidents/`). Trained models reach production through the model
/// registry (`ModelRegistry`).
///
/// Each component keeps its own state, written only in its own file: ``Commits``
/// (the changes), ``Pipeline``, ``ArgoCD`` (applications and deployments),
/// ``ModelRegistry``, ``Rollouts`` (canaries and their analyses), ``Incidents`` and
/// ``OnCall``. Within one event they act on one another synchronously, in a fixed
/// order, through the `Delivery` methods that follow each component in its file.
/// Serving hears which code each service runs through ``ServingRelease`` messages the
/// World carries.
public struct Delivery {
  public let configuration: DeliveryConfiguration
  /// The decision points delivery consults (rollout steps, analysis verdicts, alert
  /// routing, the incident responder).
  let policies: PolicySet
  /// Where canary analyses query; `nil` without monitoring.
  let monitoring: PlatformMonitoring?
  /// Each team's services.
  let servicesByTeam: IDArray<TeamID, [ServiceID]>
  var commits: Commits
  var pipeline: Pipeline
  var argoCD: ArgoCD
  var registry: ModelRegistry
  var rollouts: Rollouts
  var incidents: Incidents
  var onCall: OnCall
  /// What serving must hear, since the World last looked.
  private var servingReleases: [ServingRelease] = []

  public init(
    configuration: DeliveryConfiguration, seed: RandomSeed, monitoring: PlatformMonitoring? = nil,
    policies: PolicySet = PolicySet()
  ) {
    self.configuration = configuration
    self.monitoring = monitoring
    self.policies = policies
    let services = IDArray<ServiceID, ServiceConfiguration>(configuration.services)
    servicesByTeam = IDArray(
      IDArray<TeamID, DeliveryTeam>(configuration.teams).indices.map { team in
        services.indices.filter { services[$0].team == team }
      })
    commits = Commits(configuration: configuration, seed: seed)
    pipeline = Pipeline(configuration: configuration.pipeline, seed: seed)
    argoCD = ArgoCD(configuration: configuration, seed: seed)
    registry = ModelRegistry(teams: configuration.teams, seed: seed)
    rollouts = Rollouts(serviceCount: configuration.services.count)
    incidents = Incidents(serviceCount: configuration.services.count)
    onCall = OnCall(configuration: configuration.onCall, seed: seed)
  }

  mutating func start(scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    for team in servicesByTeam.indices where !servicesByTeam[team].isEmpty {
      commits.scheduleNextCommit(of: team, scheduler: &scheduler, calendar: calendar)
    }
  }

  /// Routes an event to the component that owns it.
  ///
  /// - Parameter runnerPool: the CI runners the pipeline submits its jobs to.
  mutating func handle(
    _ event: DeliveryEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?, calendar: SimCalendar
  ) {
    switch event {
    case .commits(let event): handle(event, scheduler: &scheduler, runnerPool: &runnerPool, calendar: calendar)
    case .pipeline(let event): handle(event, scheduler: &scheduler, runnerPool: &runnerPool)
    case .argoCD(let event): handle(event, scheduler: &scheduler)
    case .registry(let event): handle(event, scheduler: &scheduler, runnerPool: &runnerPool)
    case .rollouts(let event): handle(event, scheduler: &scheduler)
    case .incidents(let event): handle(event, scheduler: &scheduler)
    case .onCall(let event): handle(event, scheduler: &scheduler, runnerPool: &runnerPool)
    }
  }

  /// Whether messages for serving wait (a cheap check the World makes after every event).
  var hasServingReleases: Bool { !servingReleases.isEmpty }

  /// Queues a message for serving.
  mutating func tellServing(_ release: ServingRelease) { servingReleases.append(release) }

  /// Hands over the messages for serving since the last call.
  mutating func drainServingReleases() -> [ServingRelease] {
    guard !servingReleases.isEmpty else { return [] }
    defer { servingReleases = [] }
    return servingReleases
  }

  /// What serving reported after a traffic interval: failed requests go to the
  /// incidents their defects caused; canaries whose ReplicaSets converged complete
  /// their step, those that progressed restart their progress deadline.
  mutating func trafficReported(_ report: TrafficReport, scheduler: inout Scheduler<WorldEvent>) {
    for failures in report.defectFailures {
      attribute(failures.count, toIncidentsOf: failures.service, defects: failures.changes)
    }
    for deployment in report.canariesConverged { canaryReplicasConverged(deployment, scheduler: &scheduler) }
    for deployment in report.canariesProgressed { canaryReplicasProgressed(deployment, scheduler: &scheduler) }
  }

  /// The code a list of defective changes makes, as serving sees it.
  func servedCode(_ defects: [ChangeID]) -> ServedCode {
    ServedCode(changes: defects, defects: defects.compactMap { commits.changes[$0].defect })
  }
}
