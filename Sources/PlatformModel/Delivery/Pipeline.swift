import SimKernel

/// Events of the CI pipeline.
public enum PipelineEvent: Sendable {
  /// A change's image is in the artifact registry.
  case imagePushed(ChangeID)
  /// The author of a change broken in CI pushes a fix.
  case brokenChangeFixed(ChangeID)
}

/// The CI pipeline: each change's stages (unit tests, docker build, …) run in order as
/// jobs on the shared ``RunnerPool``, then its image is pushed to the registry.
///
/// A stage fails for a real reason when the change is broken there (drawn at commit):
/// the change is given up and its author pushes a fix after `fixDelay`. An attempt may
/// also flake (`delivery/ci-flakes`) and is retried up to `maximumRetries` times. Every
/// attempt is a `pipeline_stages` row.
struct Pipeline {
  let configuration: PipelineConfiguration
  private var flakeStream: RandomStream
  private var pushStream: RandomStream
  private(set) var stageAttempts: [StageAttempt] = []

  init(configuration: PipelineConfiguration, seed: RandomSeed) {
    self.configuration = configuration
    flakeStream = seed.stream("delivery/ci-flakes")
    pushStream = seed.stream("delivery/registry-push")
  }

  mutating func drawFlake(_ stage: CIStage) -> Bool { flakeStream.bernoulli(stage.flakeProbability) }
  mutating func drawPushDuration() -> SimDuration { configuration.registryPush.sampleDuration(&pushStream) }
  mutating func recordAttempt(_ attempt: StageAttempt) { stageAttempts.append(attempt) }
}

/// CI across components: jobs on the runner pool, fixes of broken changes, the image
/// handed to Argo CD.
extension Delivery {
  mutating func handle(
    _ event: PipelineEvent, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?
  ) {
    switch event {
    case .imagePushed(let change): imageReady(change, scheduler: &scheduler)
    case .brokenChangeFixed(let change):
      let broken = commits.changes[change]
      commit(team: broken.team, fixes: nil, service: broken.service, scheduler: &scheduler, runnerPool: &runnerPool)
    }
  }

  /// Runs the change's current CI stage on the runner pool, or, after the last, pushes
  /// its image.
  mutating func submitStage(of change: ChangeID, scheduler: inout Scheduler<WorldEvent>, runnerPool: inout RunnerPool?)
  {
    let record = commits.changes[change]
    if record.currentStage >= pipeline.configuration.ciStages.count {
      scheduler.schedule(.delivery(.pipeline(.imagePushed(change))), after: pipeline.drawPushDuration())
      return
    }
    guard runnerPool != nil else { preconditionFailure("the delivery pipeline needs a runner pool (validated)") }
    runnerPool?.submit(
      source: .pipeline, reference: change.rawValue, duration: record.stageDurations[record.currentStage],
      scheduler: &scheduler)
  }

  /// A CI job of `change` finished on the runner pool.
  mutating func ciJobFinished(
    change: ChangeID, queuedAt: SimTime, startedAt: SimTime, scheduler: inout Scheduler<WorldEvent>,
    runnerPool: inout RunnerPool?
  ) {
    let record = commits.changes[change]
    let stage = pipeline.configuration.ciStages[record.currentStage]
    let attempt = record.currentAttempt
    let flaked = pipeline.drawFlake(stage)
    let broken = record.stageBroken[record.currentStage]
    let outcome = broken ? "failed" : flaked ? "flaked" : "passed"
    pipeline.recordAttempt(
      StageAttempt(
        change: change, stage: stage.name, attempt: attempt, queuedAt: queuedAt, startedAt: startedAt,
        finishedAt: scheduler.now, outcome: outcome))
    if broken || (flaked && attempt > stage.maximumRetries) {
      commits.failCI(change)
      let delay = commits.drawFixDelay(of: record.team, pipeline.configuration.fixDelay)
      scheduler.schedule(.delivery(.pipeline(.brokenChangeFixed(change))), after: delay)
      return
    }
    if flaked {
      commits.retryStage(change)
    } else {
      commits.passStage(change)
    }
    submitStage(of: change, scheduler: &scheduler, runnerPool: &runnerPool)
  }
}
