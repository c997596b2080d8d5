import Foundation
import Testing

/// `platformsim fit` on delivery records: a bundled scenario's own Four Keys tables,
/// exported with sqlite3, fitted back (the round trip), and bad input.
@Suite("platformsim fit: delivery records", .serialized)
struct DeliveryFitCommandTests {
  static let sqlite3 = "/usr/bin/sqlite3"

  /// Lines of the fragment after `- name: team` up to the next team.
  static func teamBlock(_ fragment: String, _ team: String) -> [String] {
    let lines = fragment.split(separator: "\n").map(String.init)
    guard let start = lines.firstIndex(of: "    - name: \(team)") else { return [] }
    let rest = lines[(start + 1)...]
    let end = rest.firstIndex { $0.hasPrefix("    - name:") || !$0.hasPrefix("      ") } ?? lines.endIndex
    return Array(lines[(start + 1)..<end])
  }

  static func value(_ lines: [String], _ key: String) -> String? {
    lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") }.map {
      String($0.trimmingCharacters(in: .whitespaces).dropFirst(key.count + 1)).trimmingCharacters(in: .whitespaces)
    }
  }

  static func numbers(_ list: String) -> [Double] {
    list.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ",").compactMap {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
  }

  /// The number after `label` in the line starting with `prefix`.
  static func number(in fragment: String, line prefix: String, after label: String) -> Double? {
    guard let line = fragment.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
      let range = line.range(of: label)
    else { return nil }
    return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "e" })
  }

  @Test(
    "Round trip: golden-path's own Four Keys tables give back its change rates and defect probabilities",
    .enabled(if: FileManager.default.isExecutableFile(atPath: sqlite3), "needs sqlite3"))
  func roundTrip() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("results.sqlite").path
    let run = try PlatformSimProcess.run([
      "run", "scenarios/golden-path.yaml", "--until", "10d", "--db", database, "--quiet",
    ])
    #expect(run.status == 0, "\(run.standardError)")
    var files: [String: String] = [:]
    for table in ["changes", "deployments", "incidents", "deployment_changes", "incident_changes", "pipeline_stages"] {
      let exported = try PlatformSimProcess.runTool(
        Self.sqlite3, ["-header", "-csv", database, "SELECT * FROM \(table)"])
      #expect(exported.status == 0, "\(exported.standardError)")
      let path = directory.appendingPathComponent("\(table).csv").path
      try exported.standardOutput.write(toFile: path, atomically: true, encoding: .utf8)
      files[table] = path
    }
    let fit = try PlatformSimProcess.run([
      "fit", "--changes", files["changes"]!, "--deployments", files["deployments"]!, "--incidents",
      files["incidents"]!, "--deployment-changes", files["deployment_changes"]!, "--incident-changes",
      files["incident_changes"]!, "--ci-runs", files["pipeline_stages"]!, "--time-zone", "Europe/Berlin",
    ])
    #expect(fit.status == 0, "\(fit.standardError)")
    let fragment = fit.standardOutput

    // The scenario's inputs (scenarios/golden-path.yaml): changes.ratePerHour with the
    // same hourOfDay and dayOfWeek for both teams, and defects.probability.
    let inputHours: [Double] = [0, 0, 0, 0, 0, 0, 0, 0.2, 0.8, 1, 1, 1, 0.6, 1, 1, 1, 0.9, 0.6, 0.2, 0.05, 0, 0, 0, 0]
    let inputDays: [Double] = [1, 1, 1, 1, 0.8, 0, 0]
    // The run covers 10 local days from Monday 2026-01-05: Monday … Wednesday of the next week.
    let calendarDays = (0..<10).map { $0 % 7 }
    for (team, rate, defect) in [("fraud-detection", 1.2, 0.08), ("recommendations", 0.8, 0.06)] {
      let block = Self.teamBlock(fragment, team)
      let fittedRate = try #require(Self.value(block, "ratePerHour").flatMap(Double.init), "\(fragment)")
      let hours = Self.numbers(try #require(Self.value(block, "hourOfDay")))
      let days = Self.numbers(try #require(Self.value(block, "dayOfWeek")))
      #expect(hours.count == 24 && days.count == 7)
      // Changes the fitted process makes over the run's 10 days, against the input's:
      // the input's commits, plus the authors' fixes of the 5 % of changes unit-tests
      // breaks (new changes the export cannot tell apart: × 1/(1 − 0.05)). Tolerance:
      // 3 Poisson standard deviations of that count (~9 %/~12 % here).
      let fittedCount = calendarDays.reduce(0.0) { sum, day in sum + fittedRate * days[day] * hours.reduce(0, +) }
      let inputCount = calendarDays.reduce(0.0) { sum, day in sum + rate * inputDays[day] * inputHours.reduce(0, +) }
      let expected = inputCount / (1 - 0.05)
      #expect(
        abs(fittedCount - expected) <= 3 * expected.squareRoot(),
        "\(team): fitted \(fittedCount) changes in 10 days, input \(expected)\n\(fragment)")
      // Defect probability: within 3 binomial standard errors of the input.
      let probabilityLine = try #require(block.first { $0.contains("probability:") })
      let probability = try #require(Self.value(block, "probability").flatMap { Double($0.prefix { $0 != " " }) })
      let trials = try #require(
        probabilityLine.range(of: " of ").flatMap { Double(probabilityLine[$0.upperBound...].prefix { $0.isNumber }) })
      #expect(
        abs(probability - defect) <= 3 * (defect * (1 - defect) / trials).squareRoot(),
        "\(team): fitted defect probability \(probability) of \(trials), input \(defect)")
    }

    // The fragment is a scenario: pasted into one (with the runner pool and services
    // delivery needs) it validates and runs, and its teams push as many changes over
    // the same 10 days as the export holds, within 3 standard deviations of the
    // difference of two Poisson counts (its CI fixes count twice: ~5 % more).
    let specLines = fragment.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { $0 != "spec:" }.dropFirst().prefix { $0.hasPrefix("  ") }
    let scenario = directory.appendingPathComponent("fitted.yaml").path
    try
      ([
        "apiVersion: platformsim.dev/v1alpha1", "kind: Scenario", "metadata:", "  name: fitted", "spec:",
        "  simulation: {start: 2026-01-05T00:00:00, timeZone: Europe/Berlin, duration: 10d, seed: 1}",
        "  services:",
        "    - {name: a, team: fraud-detection, requestsPerSecond: 10, latency: 80ms, timeout: 2s}",
        "    - {name: b, team: recommendations, requestsPerSecond: 10, latency: 80ms, timeout: 2s}",
      ] + specLines.map(String.init).flatMap { $0 == "  delivery:" ? [$0, "    runnerPool: {runners: 6}"] : [$0] })
      .joined(separator: "\n").write(toFile: scenario, atomically: true, encoding: .utf8)
    let fittedDatabase = directory.appendingPathComponent("fitted.sqlite").path
    let rerun = try PlatformSimProcess.run(["run", scenario, "--db", fittedDatabase, "--quiet"])
    #expect(rerun.status == 0, "\(rerun.standardError)")
    let query =
      "SELECT team, COUNT(*) FROM changes WHERE fixes_incident_id IS NULL AND promotes_model_version IS NULL GROUP BY team ORDER BY team"
    func counts(_ path: String) throws -> [String] {
      try PlatformSimProcess.runTool(Self.sqlite3, [path, query]).standardOutput.split(separator: "\n").map(String.init)
    }
    let original = try counts(database)
    let fitted = try counts(fittedDatabase)
    #expect(original.count == 2 && fitted.count == 2, "\(original) \(fitted)")
    for (before, after) in zip(original, fitted) {
      let n = Double(before.split(separator: "|").last.map(String.init) ?? "") ?? 0
      let m = Double(after.split(separator: "|").last.map(String.init) ?? "") ?? 0
      #expect(abs(m - n) <= 3 * (n + m).squareRoot(), "changes: original \(before), fitted \(after)")
    }

    // Recovery and lead time: the fits' medians against SQL over the same database
    // (PERCENTILE_CONT, and the run's own KPI for the lead time).
    let recoveries = try PlatformSimProcess.runTool(
      Self.sqlite3,
      [database, "SELECT time_resolved - time_created FROM incidents WHERE time_resolved IS NOT NULL ORDER BY 1"]
    ).standardOutput.split(separator: "\n").compactMap { Double($0) }
    #expect(recoveries.count >= 5)
    let position = 0.5 * Double(recoveries.count - 1)
    let lower = Int(position)
    let recoveryMedian =
      recoveries[lower] + (position - Double(lower))
      * (recoveries[min(lower + 1, recoveries.count - 1)] - recoveries[lower])
    let fittedRecovery = try #require(Self.number(in: fragment, line: "# recovery time", after: "median "))
    #expect(abs(fittedRecovery - recoveryMedian) < 0.001, "\(fittedRecovery) vs \(recoveryMedian)")
    let leadKPI = try #require(
      Double(
        try PlatformSimProcess.runTool(
          Self.sqlite3, [database, "SELECT value FROM kpis WHERE name = 'lead_time_median_seconds'"]
        ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
    let fittedLead = try #require(Self.number(in: fragment, line: "# lead time, commit", after: "median "))
    #expect(abs(fittedLead - leadKPI) < 0.001, "\(fittedLead) vs KPI \(leadKPI)")

    // Lead-time stages: their means are the run's stage KPIs (CI wait + run + registry
    // push; sync wait + deploy).
    func kpi(_ name: String) throws -> Double {
      let text = try PlatformSimProcess.runTool(
        Self.sqlite3, [database, "SELECT value FROM kpis WHERE name = 'lead_time_stage_\(name)_mean_seconds'"]
      ).standardOutput
      return try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(name)")
    }
    let toArtifact = try #require(Self.number(in: fragment, line: "# lead-time stage commit", after: "mean "))
    let toProduction = try #require(Self.number(in: fragment, line: "# lead-time stage artifact", after: "mean "))
    #expect(abs(toArtifact - (try kpi("ci_wait") + kpi("ci_run") + kpi("registry_push"))) < 0.01)
    #expect(abs(toProduction - (try kpi("sync_wait") + kpi("deploy"))) < 0.01)

    // On call, from the incidents' detection and response columns: the rollback share
    // and the responses are SQL's over the same incidents.
    let responded = try PlatformSimProcess.runTool(
      Self.sqlite3,
      [
        database,
        "SELECT COUNT(*), SUM(resolution = 'rollback') FROM incidents WHERE responded_at > detected_at "
          + "AND resolution IN ('rollback', 'fix-forward')",
      ]
    ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Double($0) }
    let rollbackLine = try #require(fragment.split(separator: "\n").first { $0.contains("rollbackProbability:") })
    #expect(
      rollbackLine.contains("\(Int(responded[1])) of \(Int(responded[0])) responded incidents"), "\(rollbackLine)")
    #expect(fragment.contains("      responseTime: {"), "\(fragment)")

    // CI: unit-tests is lognormal with median 3m and p90 8m (μ = ln 180, σ = ln(8/3)/1.2816 = 0.765);
    // the fitted μ within 3 standard errors σ/√n, σ within 0.1.
    let stage = fragment.components(separatedBy: "        - name: unit-tests\n").last ?? ""
    let mu = try #require(
      Self.number(in: stage.replacingOccurrences(of: "          #   ", with: "#"), line: "#lognormal", after: "mu "))
    let sigma = try #require(
      Self.number(in: stage.replacingOccurrences(of: "          #   ", with: "#"), line: "#lognormal", after: "sigma "))
    let runs = try #require(
      Self.number(in: stage.replacingOccurrences(of: "          ", with: ""), line: "# run time", after: "n = "))
    #expect(abs(mu - log(180)) < 3 * 0.765 / runs.squareRoot(), "mu \(mu) over \(runs) runs")
    #expect(abs(sigma - 0.765) < 0.1, "sigma \(sigma)")
    // Its failure (5 %) and flake (3 %) probabilities within 3 binomial standard errors.
    for (key, input) in [("failureProbability", 0.05), ("flakeProbability", 0.03)] {
      let line = try #require(stage.split(separator: "\n").first { $0.contains(key + ":") })
      let value = try #require(Self.value([String(line)], key).flatMap { Double($0.prefix { $0 != " " }) })
      let trials = try #require(
        line.range(of: " of ").flatMap { Double(line[$0.upperBound...].prefix { $0.isNumber }) })
      #expect(abs(value - input) <= 3 * (input * (1 - input) / trials).squareRoot(), "\(key) \(value) of \(trials)")
    }
  }

  @Test("Bad rows are located by file, line, column and column name; nothing is written; exit 2")
  func badInput() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    func file(_ name: String, _ text: String) throws -> String {
      let path = directory.appendingPathComponent(name).path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let changes = try file("changes.csv", "change_id,time_created\na,2026-01-05T08:00:00Z\nb,soon\n")
    let deployments = try file("deployments.csv", "deploy_id,time_created,changes\nd,2026-01-05T09:00:00Z,a\n")
    let incidents = try file("incidents.csv", "incident_id,time_created,time_resolved\n")
    let output = directory.appendingPathComponent("fit.yaml").path
    let bad = try PlatformSimProcess.run([
      "fit", "--changes", changes, "--deployments", deployments, "--incidents", incidents, "--output", output,
    ])
    #expect(bad.status == 2)
    #expect(bad.standardError.contains("changes.csv:3:3: error: time_created: found `soon`"), "\(bad.standardError)")
    #expect(!FileManager.default.fileExists(atPath: output))

    let missing = try PlatformSimProcess.run([
      "fit", "--changes", changes, "--deployments", directory.appendingPathComponent("none.csv").path,
      "--incidents", incidents,
    ])
    #expect(missing.status == 2 && missing.standardError.contains("none.csv"), "\(missing.standardError)")
    let partial = try PlatformSimProcess.run(["fit", "--changes", changes])
    #expect(partial.status == 2 && partial.standardError.contains("--deployments"), "\(partial.standardError)")
    let zone = try PlatformSimProcess.run([
      "fit", "--ci-runs", try file("ci.csv", "stage,duration\nbuild,60\nbuild,90\n"), "--time-zone", "Mars/Olympus",
    ])
    #expect(zone.status == 2 && zone.standardError.contains("--time-zone"), "\(zone.standardError)")
  }
}
