import ResultStore
import SimKernel

extension RunRecorder {
  /// Writes the delivery model's records: Four Keys-shaped `changes`, `deployments`,
  /// `deployment_changes`, `incidents`, `incident_changes`, plus `pipeline_stages` and
  /// `service_traffic`. Written once at the end, when every record's outcome is known.
  func recordDelivery(_ delivery: Delivery, serving: Serving, calendar: SimCalendar) throws(StoreError) {
    let configuration = delivery.configuration
    func at(_ time: SimTime?) -> Double? { time.map { calendar.epochSeconds(at: $0) } }
    func serviceName(_ service: ServiceID) -> String { configuration[service: service].name }

    let changes = store.tableWriter(
      "changes",
      columns: [
        "run_id", "change_id", "source", "event_type", "team", "service", "author", "time_created", "defect_kind",
        "defect_size", "fixes_incident_id", "artifact_ready_at", "deploy_id", "deployed_at", "outcome", "promotes_model_version",
      ])
    for change in delivery.commits.changes {
      let team = configuration[team: change.team].name
      changes.append(runID.rawValue)
      changes.append(change.id.rawValue)
      changes.append("platformsim")
      changes.append("push")
      changes.append(team)
      changes.append(serviceName(change.service))
      changes.append("\(team)/engineer-\(change.author + 1)")
      changes.append(calendar.epochSeconds(at: change.committedAt))
      changes.append(change.defect?.kind.rawValue)
      changes.append(change.defect?.size)
      changes.append(change.fixes?.rawValue)
      changes.append(at(change.artifactReadyAt))
      changes.append(change.deployment?.rawValue)
      changes.append(at(change.deployedAt))
      changes.append(change.outcome.rawValue)
      changes.append(change.promotes.map { Int64($0) })
      try changes.endRow()
    }
    try changes.flush()

    let deployments = store.tableWriter(
      "deployments",
      columns: [
        "run_id", "deploy_id", "source", "service", "kind", "started_at", "time_created", "status", "main_commit",
        "needed_remediation", "rolled_back", "strategy", "max_canary_weight", "abort_reason", "degraded",
      ])
    let links = store.tableWriter("deployment_changes", columns: ["run_id", "deploy_id", "change_id"])
    for deployment in delivery.argoCD.deployments {
      deployments.append(runID.rawValue)
      deployments.append(deployment.id.rawValue)
      deployments.append("platformsim")
      deployments.append(serviceName(deployment.service))
      deployments.append(deployment.kind.rawValue)
      deployments.append(calendar.epochSeconds(at: deployment.startedAt))
      deployments.append(at(deployment.finishedAt))
      deployments.append(deployment.status.rawValue)
      deployments.append(deployment.changes.last?.rawValue)
      deployments.append(deployment.neededRemediation)
      deployments.append(deployment.rolledBack)
      var strategy = "big-bang"
      if deployment.maximumCanaryWeight != nil {
        switch configuration[service: deployment.service].rollout {
        case .argoCanary(let spec): strategy = spec.kind.rawValue
        case .flagger: strategy = "flagger"
        case .bigBang: strategy = "big-bang"
        }
      }
      deployments.append(strategy)
      deployments.append(deployment.maximumCanaryWeight.map { Int64($0) })
      deployments.append(deployment.abortReason)
      deployments.append(deployment.degraded)
      try deployments.endRow()
      for change in deployment.changes {
        links.append(runID.rawValue)
        links.append(deployment.id.rawValue)
        links.append(change.rawValue)
        try links.endRow()
      }
    }
    try deployments.flush()
    try links.flush()

    let incidents = store.tableWriter(
      "incidents",
      columns: [
        "run_id", "incident_id", "source", "service", "kind", "cause_deploy_id", "time_created", "detected_at",
        "detection", "responded_at", "time_resolved", "resolution", "failed_requests", "alerted_at",
      ])
    let causes = store.tableWriter("incident_changes", columns: ["run_id", "incident_id", "change_id"])
    for incident in delivery.incidents.records {
      incidents.append(runID.rawValue)
      incidents.append(incident.id.rawValue)
      incidents.append("platformsim")
      incidents.append(serviceName(incident.service))
      incidents.append(incident.kind.rawValue)
      incidents.append(incident.cause.rawValue)
      incidents.append(calendar.epochSeconds(at: incident.openedAt))
      incidents.append(at(incident.detectedAt))
      incidents.append(incident.detection?.rawValue)
      incidents.append(at(incident.respondedAt))
      incidents.append(at(incident.resolvedAt))
      incidents.append(incident.resolution?.rawValue)
      incidents.append(incident.failedRequests)
      incidents.append(at(incident.alertedAt))
      try incidents.endRow()
      for change in incident.rootCauses {
        causes.append(runID.rawValue)
        causes.append(incident.id.rawValue)
        causes.append(change.rawValue)
        try causes.endRow()
      }
    }
    try incidents.flush()
    try causes.flush()

    let stages = store.tableWriter(
      "pipeline_stages",
      columns: ["run_id", "change_id", "stage", "attempt", "queued_at", "started_at", "finished_at", "outcome"])
    for attempt in delivery.pipeline.stageAttempts {
      stages.append(runID.rawValue)
      stages.append(attempt.change.rawValue)
      stages.append(attempt.stage)
      stages.append(attempt.attempt)
      stages.append(calendar.epochSeconds(at: attempt.queuedAt))
      stages.append(calendar.epochSeconds(at: attempt.startedAt))
      stages.append(calendar.epochSeconds(at: attempt.finishedAt))
      stages.append(attempt.outcome)
      try stages.endRow()
    }
    try stages.flush()

    let versions = store.tableWriter(
      "model_versions",
      columns: [
        "run_id", "model_version", "team", "template", "training_job_id", "training_submitted_at", "registered_at",
        "promoted_at", "change_id", "deployed_at",
      ])
    for version in delivery.registry.versions {
      versions.append(runID.rawValue)
      versions.append(version.version)
      versions.append(configuration[team: version.team].name)
      versions.append(version.template)
      versions.append(version.trainingJob)
      versions.append(calendar.epochSeconds(at: version.trainingSubmittedAt))
      versions.append(calendar.epochSeconds(at: version.registeredAt))
      versions.append(at(version.promotedAt))
      versions.append(version.change?.rawValue)
      versions.append(at(version.deployedAt))
      try versions.endRow()
    }
    try versions.flush()

    let traffic = store.tableWriter("service_traffic", columns: ["run_id", "service", "team", "requests", "failed_requests"])
    for (index, totals) in serving.trafficTotals().enumerated() {
      let service = configuration.services[index]
      traffic.append(runID.rawValue)
      traffic.append(service.name)
      traffic.append(configuration[team: service.team].name)
      traffic.append(totals.requests)
      traffic.append(totals.errors)
      try traffic.endRow()
    }
    try traffic.flush()
  }

  /// Writes KPI rows with their targets and whether each was met.
  func recordKPIs(_ kpis: [KPIValue]) throws(StoreError) {
    let writer = store.tableWriter("kpis", columns: ["run_id", "name", "value", "value_text", "unit", "target", "comparison", "met"])
    for kpi in kpis {
      writer.append(runID.rawValue)
      writer.append(kpi.name)
      writer.append(kpi.value)
      writer.append(kpi.text)
      writer.append(kpi.unit)
      writer.append(kpi.target)
      writer.append(kpi.comparison?.rawValue)
      if let met = kpi.met { writer.append(met) } else { writer.appendNull() }
      try writer.endRow()
    }
    try writer.flush()
  }
}
