import ResultRows
import SimKernel

extension RunnerJobRow {
  /// A runner job's row: times as epoch seconds, the wait derived from them.
  init(
    id: RunnerJobID, source: RunnerJobSource, runner: RunnerID?, queuedAt: SimTime, startedAt: SimTime?,
    finishedAt: SimTime?, calendar: SimCalendar
  ) {
    self.init(
      jobID: id.rawValue, source: source.rawValue, runner: runner.map { Int64($0.rawValue) },
      queuedAt: calendar.epochSeconds(at: queuedAt), startedAt: startedAt.map { calendar.epochSeconds(at: $0) },
      finishedAt: finishedAt.map { calendar.epochSeconds(at: $0) },
      waitSeconds: startedAt.map { ($0 - queuedAt).seconds })
  }
}

extension RunRows {
  /// Emits the delivery model's records, once at the end, when every outcome is known,
  /// flushing each table when it is complete.
  ///
  /// Four Keys-shaped `changes`, `deployments`, `deployment_changes`, `incidents` and
  /// `incident_changes`, plus `pipeline_stages`, `model_versions` and `service_traffic`.
  func emitDelivery(_ delivery: Delivery, serving: Serving, calendar: SimCalendar) {
    let configuration = delivery.configuration
    func at(_ time: SimTime?) -> Double? { time.map { calendar.epochSeconds(at: $0) } }
    func serviceName(_ service: ServiceID) -> String { configuration[service: service].name }

    let changes = table(ChangeRow.self)
    for change in delivery.commits.changes {
      let team = configuration[team: change.team].name
      changes.append(
        ChangeRow(
          changeID: change.id.rawValue, source: "platformsim", eventType: "push", team: team,
          service: serviceName(change.service), author: "\(team)/engineer-\(change.author + 1)",
          timeCreated: calendar.epochSeconds(at: change.committedAt), defectKind: change.defect?.kind.rawValue,
          defectSize: change.defect?.size, fixesIncidentID: change.fixes?.rawValue,
          artifactReadyAt: at(change.artifactReadyAt),
          deploymentID: change.deployment?.rawValue, deployedAt: at(change.deployedAt),
          outcome: change.outcome.rawValue,
          promotesModelVersion: change.promotes.map { Int64($0) }))
    }
    changes.flush()

    let deployments = table(DeploymentRow.self)
    let links = table(DeploymentChangeRow.self)
    for deployment in delivery.argoCD.deployments {
      var strategy = "big-bang"
      if deployment.maximumCanaryWeight != nil {
        switch configuration[service: deployment.service].rollout {
        case .argoCanary(let spec): strategy = spec.kind.rawValue
        case .flagger: strategy = "flagger"
        case .bigBang: strategy = "big-bang"
        }
      }
      deployments.append(
        DeploymentRow(
          deploymentID: deployment.id.rawValue, source: "platformsim", service: serviceName(deployment.service),
          kind: deployment.kind.rawValue, startedAt: calendar.epochSeconds(at: deployment.startedAt),
          // Production time only: NULL for rollouts that never reached production.
          timeCreated: deployment.status == .succeeded ? at(deployment.finishedAt) : nil,
          status: deployment.status.rawValue,
          mainCommit: deployment.changes.last?.rawValue, neededRemediation: deployment.neededRemediation,
          rolledBack: deployment.rolledBack, strategy: strategy,
          maximumCanaryWeight: deployment.maximumCanaryWeight.map { Int64($0) }, abortReason: deployment.abortReason,
          degraded: deployment.degraded,
          abortedAt: deployment.status == .aborted ? at(deployment.finishedAt) : nil))
      for change in deployment.changes {
        links.append(DeploymentChangeRow(deploymentID: deployment.id.rawValue, changeID: change.rawValue))
      }
    }
    deployments.flush()
    links.flush()

    let incidents = table(IncidentRow.self)
    let causes = table(IncidentChangeRow.self)
    for incident in delivery.incidents.records {
      incidents.append(
        IncidentRow(
          incidentID: incident.id.rawValue, source: "platformsim", service: serviceName(incident.service),
          kind: incident.kind.rawValue, causeDeploymentID: incident.cause.rawValue,
          timeCreated: calendar.epochSeconds(at: incident.openedAt), detectedAt: at(incident.detectedAt),
          detection: incident.detection?.rawValue, respondedAt: at(incident.respondedAt),
          timeResolved: at(incident.resolvedAt), resolution: incident.resolution?.rawValue,
          failedRequests: incident.failedRequests, alertedAt: at(incident.alertedAt)))
      for change in incident.rootCauses {
        causes.append(IncidentChangeRow(incidentID: incident.id.rawValue, changeID: change.rawValue))
      }
    }
    incidents.flush()
    causes.flush()

    let stages = table(PipelineStageRow.self)
    for attempt in delivery.pipeline.stageAttempts {
      stages.append(
        PipelineStageRow(
          changeID: attempt.change.rawValue, stage: attempt.stage, attempt: attempt.attempt,
          queuedAt: calendar.epochSeconds(at: attempt.queuedAt),
          startedAt: calendar.epochSeconds(at: attempt.startedAt),
          finishedAt: calendar.epochSeconds(at: attempt.finishedAt), outcome: attempt.outcome))
    }
    stages.flush()

    let versions = table(ModelVersionRow.self)
    for version in delivery.registry.versions {
      versions.append(
        ModelVersionRow(
          modelVersion: version.version, team: configuration[team: version.team].name,
          template: version.template, trainingJobID: version.trainingJob,
          trainingSubmittedAt: calendar.epochSeconds(at: version.trainingSubmittedAt),
          registeredAt: calendar.epochSeconds(at: version.registeredAt), promotedAt: at(version.promotedAt),
          changeID: version.change?.rawValue, deployedAt: at(version.deployedAt)))
    }
    versions.flush()

    let traffic = table(ServiceTrafficRow.self)
    for (index, totals) in serving.trafficTotals().enumerated() {
      let service = configuration.services[index]
      traffic.append(
        ServiceTrafficRow(
          service: service.name, team: configuration[team: service.team].name, requests: totals.requests,
          failedRequests: totals.errors))
    }
    traffic.flush()
  }
}
