import Monitoring
import SimKernel

/// Flagger's canary loop on the delivery model (fluxcd/flagger
/// pkg/controller/scheduler.go `advanceCanary`; policy-semantics.md §2).
extension Delivery {
  mutating func startFlagger(
    _ deployment: DeploymentID, flagger: FlaggerCanary, crashes: Bool, scheduler: inout Scheduler<WorldEvent>
  ) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    // The canary state carries the weight for traffic; Flagger's own counters live in it too.
    var canary = CanaryState(deployment: deployment, strategy: ArgoCanary(steps: [], backgroundAnalysis: nil))
    canary.flaggerFailedChecks = 0
    services[serviceIndex].canary = canary
    deployments[index(deployment)].maximumCanaryWeight = 0
    if crashes {
      // The canary never gets ready: Flagger rolls back after progressDeadlineSeconds.
      canary.stepEvent = scheduler.schedule(.delivery(.progressDeadlineExceeded(deployment)), after: configuration.onCall.progressDeadline)
      services[serviceIndex].canary = canary
      return
    }
    canary.stepEvent = scheduler.schedule(.delivery(.flaggerTick(deployment)), after: flagger.interval, priority: 2)
    services[serviceIndex].canary = canary
  }

  mutating func flaggerTick(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) {
    let serviceIndex = Int(deployments[index(deployment)].service.rawValue)
    guard var canary = services[serviceIndex].canary, canary.deployment == deployment,
      case .flagger(let flagger) = configuration.services[serviceIndex].rollout
    else { return }
    let failed = canary.flaggerFailedChecks ?? 0
    if !canary.flaggerInitialized {
      // The first tick detects the new revision and scales the canary from zero.
      canary.flaggerInitialized = true
      canary.stepEvent = scheduler.schedule(.delivery(.flaggerTick(deployment)), after: flagger.interval, priority: 2)
      services[serviceIndex].canary = canary
      return
    }
    if canary.flaggerPromoting > 0 {
      canary.flaggerPromoting += 1
      services[serviceIndex].canary = canary
      if canary.flaggerPromoting > 2 {
        goLive(deployment, scheduler: &scheduler)
        return
      }
      canary.stepEvent = scheduler.schedule(.delivery(.flaggerTick(deployment)), after: flagger.interval, priority: 2)
      services[serviceIndex].canary = canary
      return
    }
    // The threshold is checked at the start of the tick, before this tick's analysis.
    if failed >= flagger.threshold {
      abortCanary(serviceIndex: serviceIndex, reason: "Flagger: \(failed) failed checks ≥ threshold \(flagger.threshold)", scheduler: &scheduler)
      return
    }
    var passed = true
    if canary.weight > 0 {
      for check in flagger.checks {
        let query = flagger.query(check, service: configuration.services[serviceIndex].name)
        var value = Double.nan
        if let monitoring, let samples = try? monitoring.engine.query(query, atMs: scheduler.now.microseconds / 1_000).asVector,
          let last = samples.last
        {
          value = last.value  // several elements: the last one wins, as in Flagger
        }
        // No data or NaN fails the check (Flagger's "no values found").
        if value.isNaN || (check.minimum.map { value < $0 } ?? false) || (check.maximum.map { value > $0 } ?? false) {
          passed = false
        }
      }
    }
    if passed {
      let step = canary.flaggerStep
      let increment = step < flagger.stepWeights.count ? flagger.stepWeights[step] - (step > 0 ? flagger.stepWeights[step - 1] : 0) : (flagger.stepWeights.last ?? 10)
      if canary.weight >= flagger.maxWeight {
        canary.flaggerPromoting = 1
      } else {
        canary.weight = min(100, canary.weight + max(1, increment))
        canary.flaggerStep += 1
        let position = index(deployment)
        deployments[position].maximumCanaryWeight = max(deployments[position].maximumCanaryWeight ?? 0, canary.weight)
        services[serviceIndex].canary = canary
        openCanaryIncidentIfDefective(serviceIndex: serviceIndex, deployment: deployment, scheduler: &scheduler)
      }
    } else {
      canary.flaggerFailedChecks = failed + 1
    }
    canary.stepEvent = scheduler.schedule(.delivery(.flaggerTick(deployment)), after: flagger.interval, priority: 2)
    services[serviceIndex].canary = canary
  }
}
