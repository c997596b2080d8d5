import Policies
import SimKernel

/// The weight of a switched blue-green rollout: the active service sends all traffic
/// to the new version at once.
let blueGreenActiveWeight = 100

/// Argo Rollouts blue-green (rollout/bluegreen.go; docs/features/bluegreen.md),
/// run as the canary's steps: scale up the new ReplicaSet behind the preview service
/// (`scaleUpPreview`, no user traffic) and wait until all its pods are available;
/// pre-promotion analysis; a pause unless auto-promoted; switch the active service
/// (`switchActive`); post-promotion analysis. The scenario reader turns a Rollout's
/// `strategy.blueGreen` into these steps; analysis and pauses run as for a canary.
extension Delivery {
  /// The preview ReplicaSet scales up: the step completes when every pod is ready (a
  /// full rollout's time), or never when they crash on start (the progress deadline).
  mutating func scaleUpPreview(
    _ deployment: DeploymentID, crashes: Bool, strategy: ArgoCanary, scheduler: inout Scheduler<WorldEvent>
  ) -> EventHandle {
    if crashes {
      return scheduler.schedule(
        .delivery(.rollouts(.progressDeadlineExceeded(deployment))), after: strategy.progressDeadline)
    }
    let full = argoCD.drawRolloutDuration(of: argoCD.deployments[deployment].service)
    return scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: full)
  }

  /// The active service switches to the new version: the step completes at once, and
  /// its weight is ``blueGreenActiveWeight``.
  mutating func switchActive(_ deployment: DeploymentID, scheduler: inout Scheduler<WorldEvent>) -> EventHandle {
    scheduler.schedule(.delivery(.rollouts(.canaryStepCompleted(deployment))), after: .zero)
  }

  /// A blue-green step as the `rolloutStep` policy sees it, in weights: the preview
  /// scales up with no traffic, the switch sends all of it to the new version.
  func blueGreenObservation(of step: ArgoCanary.Step) -> RolloutStepObservation.Step {
    RolloutStepObservation.Step(setWeight: step == .switchActive ? blueGreenActiveWeight : 0)
  }
}
