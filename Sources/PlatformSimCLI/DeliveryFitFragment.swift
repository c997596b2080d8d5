import Experiments
import Foundation
import InputReading

/// The scenario fragment `platformsim fit` writes from delivery records: a Four
/// Keys-shaped export (changes, deployments, incidents) and CI runs (docs/TRACES.md,
/// "Calibration from delivery records").
enum DeliveryFitFragment {
  struct FourKeys {
    var changes: [DeliveryChange]
    var deployments: [DeliveryDeployment]
    var incidents: [DeliveryIncident]
    var files: String
  }

  struct CIRuns {
    var runs: [CIRun]
    var skipped: Int
    var file: String
  }

  static func render(fourKeys: FourKeys?, ci: CIRuns?, zone: TimeZone, zoneName: String) -> String {
    var lines = ["# platformsim fit: delivery records, local times in \(zoneName)"]
    var spec: [String] = []
    var trailer: [String] = []
    var delivery: [String] = []
    if let fourKeys { fourKeysLines(fourKeys, zone: zone, header: &lines, spec: &spec, trailer: &trailer) }
    if let ci { ciLines(ci, header: &lines, spec: &delivery) }
    if let fourKeys { delivery += onCallLines(fourKeys.incidents) }
    if !delivery.isEmpty { spec += ["  delivery:"] + delivery }
    return (lines + ["spec:"] + spec + trailer).joined(separator: "\n") + "\n"
  }

  // MARK: - Four Keys

  static func fourKeysLines(
    _ records: FourKeys, zone: TimeZone, header: inout [String], spec: inout [String], trailer: inout [String]
  ) {
    let changes = records.changes
    let times =
      changes.map(\.committedAt) + records.deployments.compactMap(\.productionAt)
      + records.incidents.map(\.createdAt)
    let start = times.min() ?? 0
    let end = (times.max() ?? 0) + 1
    let teamChanges = changes.filter(\.isTeamChange)
    header += [
      "# Four Keys export: \(records.files)",
      "# \(changes.count) changes, \(records.deployments.count) deployments, \(records.incidents.count) incidents; "
        + "window \(iso(start)) … \(iso(end)) (first to last record, \(FitFragment.number(round((end - start) / 36) / 100)) h)",
      "# changes: Poisson maximum-likelihood fit of ratePerHour · hourOfDay[h] · dayOfWeek[d] (iterative",
      "#   proportional fitting; busiest hour and day = 1) to the team's commits per local hour and weekday",
      "#   over the window's exposure in each cell; \(changes.count - teamChanges.count) fix-forward and "
        + "model-promotion changes (PlatformSim columns) left out",
      "# defects.probability: share of the team's deployed changes (fix forwards left out) that are a root",
      "#   cause of an incident, with its 95 % Wilson interval",
    ]

    // Which deployments carried each change, and which changes caused incidents.
    var productionAt: [String: Double] = [:]
    var carried: Set<String> = []
    for deployment in records.deployments {
      for change in deployment.changes {
        carried.insert(change)
        if let time = deployment.productionAt { productionAt[change] = min(productionAt[change] ?? time, time) }
      }
    }
    let rootCauses = Set(records.incidents.flatMap(\.changes))
    var teams: [String] = []
    for change in changes where !teams.contains(change.team ?? "") { teams.append(change.team ?? "") }

    let clock = DeliveryFit.LocalClock(zone: zone)
    let exposure = clock.exposure(start: start, end: end)
    spec.append("  teams:")
    for team in teams {
      let own = teamChanges.filter { ($0.team ?? "") == team }
      spec.append("    - name: \(team.isEmpty ? "team   # the export has no `team` column" : yamlString(team))")
      if let arrivals = DeliveryFit.arrivals(counts: clock.counts(own.map(\.committedAt)), exposure: exposure) {
        spec += [
          "      # \(arrivals.count) changes over \(FitFragment.number(round(arrivals.exposureHours * 100) / 100)) h: "
            + "\(FitFragment.number(round(Double(arrivals.count) / arrivals.exposureHours * 10000) / 10000)) an hour on average",
          "      changes:",
          "        ratePerHour: \(rounded(arrivals.ratePerHour))",
          "        hourOfDay: [" + arrivals.hourOfDay.map(rounded).joined(separator: ", ") + "]",
          "        dayOfWeek: [" + arrivals.dayOfWeek.map(rounded).joined(separator: ", ") + "]",
        ]
      }
      let deployed = changes.filter { ($0.team ?? "") == team && !$0.isFixForward && carried.contains($0.id) }
      let defective = deployed.filter { rootCauses.contains($0.id) }.count
      if let share = DeliveryFit.proportion(defective, of: deployed.count) {
        spec += [
          "      defects:",
          "        probability: \(rounded(share.share))   # \(defective) of \(deployed.count) deployed changes; "
            + "95 % [\(rounded(share.low)), \(rounded(share.high))]",
        ]
      }
    }

    // Lead time and its stages, recovery, and the per-deployment failure share: the
    // scenario has no key for them (they emerge from the pipeline and on-call keys),
    // so they are reported for comparison.
    var leadTimes: [Double] = []
    var ciStage: [Double] = []
    var afterArtifact: [Double] = []
    for change in changes {
      guard let production = productionAt[change.id], production > change.committedAt else { continue }
      leadTimes.append(production - change.committedAt)
      if let ready = change.artifactReadyAt, ready <= production {
        ciStage.append(ready - change.committedAt)
        afterArtifact.append(production - ready)
      }
    }
    let deployStage = records.deployments.compactMap { deployment -> Double? in
      guard let started = deployment.startedAt, let production = deployment.productionAt else { return nil }
      return production - started
    }
    let recoveries = records.incidents.compactMap { incident in incident.resolvedAt.map { $0 - incident.createdAt } }
    trailer += fitLines(
      "lead time, commit → production (earliest production deployment carrying the change; pairs ≤ 0 left out)",
      leadTimes)
    trailer += fitLines(
      "lead-time stage commit → artifact ready (CI queue and stages, registry push; compare ciStages, registryPush)",
      ciStage)
    trailer += fitLines(
      "lead-time stage artifact ready → production (Argo CD trigger wait, syncDuration, rolloutDuration)",
      afterArtifact)
    trailer += fitLines("deploy stage, sync start → production (compare syncDuration + rolloutDuration)", deployStage)
    trailer += fitLines(
      "recovery time, incident created → resolved (compare onCall: noticeDelay, responseTime, rollbackDuration)",
      recoveries)
    let productionDeployments = records.deployments.filter { $0.productionAt != nil && !$0.changes.isEmpty }
    let failed = productionDeployments.filter { $0.changes.contains(where: rootCauses.contains) }.count
    if let share = DeliveryFit.proportion(failed, of: productionDeployments.count) {
      trailer.append(
        "# failed deployments: \(failed) of \(productionDeployments.count) production deployments carry a root cause "
          + "(\(rounded(share.share)), 95 % [\(rounded(share.low)), \(rounded(share.high))])")
    }
    if records.incidents.contains(where: { $0.resolvedAt == nil }) {
      trailer.append("# \(records.incidents.filter { $0.resolvedAt == nil }.count) unresolved incidents left out")
    }
  }

  // MARK: - CI runs

  static func ciLines(_ records: CIRuns, header: inout [String], spec: inout [String]) {
    header.append(
      "# CI runs: \(URL(fileURLWithPath: records.file).lastPathComponent), \(records.runs.count) finished runs "
        + "(\(records.skipped) skipped, cancelled or unfinished left out), per stage")
    var stages: [String] = []
    for run in records.runs where !stages.contains(run.stage) { stages.append(run.stage) }
    spec += ["    pipeline:", "      ciStages:"]
    for stage in stages {
      let runs = records.runs.filter { $0.stage == stage }
      spec.append("        - name: \(yamlString(stage))")
      var outcomes: [(String, Int)] = []
      for run in runs {
        let outcome = run.outcome ?? "unknown"
        if let index = outcomes.firstIndex(where: { $0.0 == outcome }) {
          outcomes[index].1 += 1
        } else {
          outcomes.append((outcome, 1))
        }
      }
      spec.append("          # outcomes: " + outcomes.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
      let comments = fitLines("run time", runs.map(\.seconds))
      spec += comments.map { "          " + $0 }
      // PlatformSim's outcomes tell a broken change (`failed`, at its first attempt) from
      // a flaky attempt (`flaked`, retried): the stage's two probabilities.
      if runs.allSatisfy({ ["passed", "flaked", "failed"].contains($0.outcome ?? "") && $0.attempt != nil }) {
        let first = runs.filter { $0.attempt == 1 }.count
        let failed = runs.filter { $0.outcome == "failed" }.count
        let flaked = runs.filter { $0.outcome == "flaked" }.count
        if let share = DeliveryFit.proportion(failed, of: first) {
          spec.append(
            "          failureProbability: \(rounded(share.share))   # \(failed) of \(first) changes; "
              + "95 % [\(rounded(share.low)), \(rounded(share.high))]")
        }
        if let share = DeliveryFit.proportion(flaked, of: runs.count - failed) {
          spec.append(
            "          flakeProbability: \(rounded(share.share))   # \(flaked) of \(runs.count - failed) attempts "
              + "of unbroken changes; 95 % [\(rounded(share.low)), \(rounded(share.high))]")
        }
      }
      if let fits = DistributionFit.fitAll(runs.map(\.seconds)) {
        let written = fits.first { $0.family != .gamma } ?? fits[0]
        spec.append("          duration: " + FitFragment.distribution(written))
      } else if let value = runs.first?.seconds {
        spec.append("          duration: \(Int64((value * 1000).rounded()))ms")
      }
    }
  }

  // MARK: - On call

  /// `delivery.onCall` from PlatformSim's incident columns: `noticeDelay` per defect
  /// kind (`detected_at − time_created` of incidents people noticed, `human-notice`),
  /// `responseTime` (`responded_at − detected_at` where a person responded: > 0; an
  /// alert routed to `sim://rollback` acts at once), and `rollbackProbability`
  /// (responded incidents resolved by `rollback` rather than `fix-forward`).
  static func onCallLines(_ incidents: [DeliveryIncident]) -> [String] {
    var lines: [String] = []
    let responses = incidents.compactMap { incident -> Double? in
      guard let detected = incident.detectedAt, let responded = incident.respondedAt, responded > detected else {
        return nil
      }
      return responded - detected
    }
    if !responses.isEmpty {
      lines += fitLines("response time, detected → responded (people only)", responses).map { "      " + $0 }
      lines += distributionKey("responseTime", responses, indent: "      ")
    }
    let decided = incidents.filter { incident in
      guard let detected = incident.detectedAt, let responded = incident.respondedAt, responded > detected else {
        return false
      }
      return incident.resolution == "rollback" || incident.resolution == "fix-forward"
    }
    let rollbacks = decided.filter { $0.resolution == "rollback" }.count
    if let share = DeliveryFit.proportion(rollbacks, of: decided.count) {
      lines.append(
        "      rollbackProbability: \(rounded(share.share))   # \(rollbacks) of \(decided.count) responded incidents; "
          + "95 % [\(rounded(share.low)), \(rounded(share.high))]")
    }
    var kinds: [String] = []
    // The kinds `onCall.noticeDelay` has keys for (a crash on start stalls the rollout
    // and is reported by its progress deadline instead).
    for incident in incidents where incident.detection == "human-notice" {
      if let kind = incident.kind, ["error-rate", "latency", "quality"].contains(kind), incident.detectedAt != nil,
        !kinds.contains(kind)
      {
        kinds.append(kind)
      }
    }
    if !kinds.isEmpty {
      lines.append("      noticeDelay:   # created → detected of incidents people noticed, per kind")
      for kind in kinds {
        let delays = incidents.compactMap { incident -> Double? in
          guard incident.detection == "human-notice", incident.kind == kind, let detected = incident.detectedAt else {
            return nil
          }
          return detected - incident.createdAt
        }
        lines += fitLines(kind, delays).map { "        " + $0 }
        lines += distributionKey(yamlString(kind), delays, indent: "        ")
      }
    }
    return lines.isEmpty ? [] : ["    onCall:"] + lines
  }

  /// `key: distribution` of the best expressible fit; a comment when fewer than two
  /// distinct positive values leave nothing to fit (the scenario's default stays).
  static func distributionKey(_ key: String, _ values: [Double], indent: String) -> [String] {
    guard let fits = DistributionFit.fitAll(values) else {
      return [indent + "# \(key): too few distinct values to fit; the scenario's default stays"]
    }
    return [indent + "\(key): " + FitFragment.distribution(fits.first { $0.family != .gamma } ?? fits[0])]
  }

  // MARK: - Helpers

  /// A sample's fits as comments: n, median, and every family's KS distance and
  /// parameters (the job-trace fit's layout).
  static func fitLines(_ title: String, _ values: [Double]) -> [String] {
    guard let median = DeliveryFit.median(values) else { return ["# \(title): no values"] }
    var lines = [
      "# \(title): n = \(values.count), median \(String(format: "%.3f", median)) s, "
        + "mean \(String(format: "%.3f", values.reduce(0, +) / Double(values.count))) s"
    ]
    guard let fits = DistributionFit.fitAll(values) else { return lines }
    let positive = fits[0].sampleSize
    lines.append(
      "#   KS distance D of each maximum-likelihood fit (n = \(positive) positive values; 5 % critical value "
        + "1.358/sqrt(n) = \(FitFragment.number(1.358 / Double(positive).squareRoot())))")
    for fit in fits {
      let parameters = fit.parameters.map { "\($0.name) \(FitFragment.number($0.value))" }.joined(separator: ", ")
      lines.append(
        "#   \(fit.family.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) D = "
          + FitFragment.number(fit.ksDistance)
          + (parameters.isEmpty ? " (percentiles 0…100)" : "  \(parameters)"))
    }
    let written = fits.first { $0.family != .gamma } ?? fits[0]
    lines.append("#   as a scenario distribution: " + FitFragment.distribution(written))
    return lines
  }

  /// A name as a YAML scalar: plain when it reads back as the same string, else
  /// double-quoted (JSON's escaping is YAML's).
  static func yamlString(_ text: String) -> String {
    let plain =
      !text.isEmpty && text.trimmingCharacters(in: .whitespaces) == text
      && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) } && Double(text) == nil
      && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(text.lowercased())
    guard !plain else { return text }
    let data = (try? JSONEncoder().encode(text)) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  static func rounded(_ value: Double) -> String { FitFragment.number((value * 10000).rounded() / 10000) }

  static func iso(_ epoch: Double) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(secondsFromGMT: 0)
    return formatter.string(from: Date(timeIntervalSince1970: epoch.rounded(.down)))
  }
}
