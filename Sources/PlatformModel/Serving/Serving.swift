import Policies
import SimKernel

/// Events of serving.
public enum ServingEvent: Sendable {
  /// Aggregated traffic of every service for one interval.
  case trafficTick
}

/// What delivery tells serving about the versions a service runs, carried by the
/// World (delivery and serving never call each other).
enum ServingRelease: Sendable {
  /// A version went live: the stable pods run `code` from now on.
  case live(ServiceID, ServedCode)
  /// The service's canary changed (a new one, a new weight, a step that waits for
  /// replica counts), or ended (`nil`).
  case canary(ServiceID, CanaryTraffic?)
  /// An Argo canary's step sizes its ReplicaSets.
  case sizeCanary(ServiceID, CanarySizing)
  /// The canary was promoted: its pods are the stable ones.
  case promoteCanary(ServiceID)
  /// The canary was aborted, stalled or replaced: its pods wind down.
  case abortCanary(ServiceID)
}

/// What serving tells delivery after a traffic interval, carried by the World.
struct TrafficReport: Sendable {
  /// Requests the services' defects failed, for the incidents they caused.
  var defectFailures: [DefectFailures] = []
  /// Canaries whose `setWeight` step found its ReplicaSets at their counts: the step
  /// completes right after the interval.
  var canariesConverged: [DeploymentID] = []
  /// Canaries whose ReplicaSets made progress without converging: their progress
  /// deadline restarts.
  var canariesProgressed: [DeploymentID] = []
}

/// Model serving: request traffic per interval (``Traffic``), the services' replicas
/// and their autoscaling (``Replicas``, `ReplicaAutoscaling`), and cold starts
/// (`ColdStarts`).
///
/// Serving learns which code each service runs from delivery (``ServingRelease``) and
/// reports failed requests and canary progress back (``TrafficReport``); a placed
/// service's replicas are pods it asks the cluster for (``ServingPodRequest``,
/// ``ServingPodNotice``). Both go through the World. It publishes each service's
/// series on the platform's Prometheus, which is shared by reference.
public struct Serving {
  public let configuration: DeliveryConfiguration
  /// Where services publish their series; `nil` without monitoring.
  let monitoring: PlatformMonitoring?
  var traffic: Traffic
  var replicas: Replicas

  /// - Parameter threads: threads the traffic loop may use (``Traffic``); results do
  ///   not depend on it.
  public init(
    configuration: DeliveryConfiguration, seed: RandomSeed, monitoring: PlatformMonitoring? = nil,
    policies: PolicySet = PolicySet(), threads: Int = 1
  ) {
    self.configuration = configuration
    self.monitoring = monitoring
    // Without monitoring an interval's draws are a few per service (no latency
    // histogram): handing them to a helper cost more than it saved (org-scale without
    // monitoring, 30 days: 2.09 s on one thread, 2.87 s wall on two).
    traffic = Traffic(configuration: configuration, seed: seed, threads: monitoring == nil ? 1 : threads)
    replicas = Replicas(configuration: configuration, seed: seed, policies: policies)
  }

  mutating func start(scheduler: inout Scheduler<WorldEvent>) {
    if !configuration.services.isEmpty {
      scheduler.schedule(.serving(.trafficTick), after: configuration.trafficInterval)
    }
  }

  mutating func handle(_ event: ServingEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    switch event {
    case .trafficTick:
      traffic.serveInterval(at: scheduler.now, calendar: calendar, replicas: &replicas, monitoring: monitoring)
      scheduler.schedule(.serving(.trafficTick), after: configuration.trafficInterval)
    }
  }

  /// Applies what delivery said about a service's versions.
  mutating func apply(_ release: ServingRelease, at time: SimTime) {
    switch release {
    case .live(let service, let code): traffic.liveVersionChanged(service, to: code)
    case .canary(let service, let canary):
      traffic.canaryChanged(service, to: canary)
      replicas.canaryChanged(service, to: canary)
    case .sizeCanary(let service, let sizing): replicas.sizeCanary(service, sizing, at: time)
    case .promoteCanary(let service): replicas.promoteCanary(service)
    case .abortCanary(let service): replicas.abortCanary(service, at: time)
    }
  }

  /// Hands over what delivery needs to hear since the last call, if anything.
  mutating func drainReport() -> TrafficReport? {
    let progress = replicas.drainCanaryProgress()
    let report = TrafficReport(
      defectFailures: traffic.drainDefectFailures(), canariesConverged: progress.converged,
      canariesProgressed: progress.progressed)
    if report.defectFailures.isEmpty && report.canariesConverged.isEmpty && report.canariesProgressed.isEmpty {
      return nil
    }
    return report
  }

  /// Hands the cluster the pod requests since the last call.
  mutating func drainServingPodRequests() -> [ServingPodRequest] { replicas.drainPodRequests() }

  /// Applies what the cluster said about a replica pod.
  mutating func servingPodNotice(_ notice: ServingPodNotice, at time: SimTime) {
    switch notice {
    case .bound(let pod): replicas.podBound(pod, at: time)
    case .evicted(let pod): replicas.podEvicted(pod, at: time)
    }
  }

  /// GPU-seconds the placed serving replicas spent on requests.
  public var usedGPUSeconds: Double { replicas.usedGPUSeconds }

  /// Requests and failed requests per service.
  public func trafficTotals() -> [(requests: Int64, errors: Int64)] { traffic.totals() }
}
