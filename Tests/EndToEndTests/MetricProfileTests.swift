import Foundation
import Testing

/// Analysis templates written for a mesh or ingress run healthy canaries when the
/// services publish that mesh's metrics (`spec.monitoring.metricProfile`), and the run
/// says it degenerated — never ✓ — when they do not.
@Suite("Metric profiles and honest runs")
struct MetricProfileTests {
  static let fixtures = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/rollouts")

  /// The Istio fixture scenario with another template, argument and profile.
  func scenario(template: String, argument: (name: String, value: String), profile: String?) throws -> String {
    let directory = PlatformSimProcess.scratchDirectory()
    var rollout = try String(
      contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8)
    rollout = rollout.replacingOccurrences(of: "- name: service-name", with: "- name: \(argument.name)")
      .replacingOccurrences(of: "value: fraud-scorer.default.svc.cluster.local", with: "value: \(argument.value)")
    let rolloutPath = directory.appendingPathComponent("rollout.yaml").path
    try rollout.write(toFile: rolloutPath, atomically: true, encoding: .utf8)
    var text = try String(contentsOf: Self.fixtures.appendingPathComponent("istio-canary.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "rollout: rollout-istio.yaml", with: "rollout: \(rolloutPath)")
      .replacingOccurrences(
        of: "analysisTemplates: [success-rate.yaml]",
        with:
          "analysisTemplates: [\(template.hasPrefix("/") ? template : Self.fixtures.appendingPathComponent(template).path)]"
      )
      .replacingOccurrences(of: "duration: 2d", with: "duration: 1d")
      .replacingOccurrences(of: "monitoring: {}", with: "monitoring: {\(profile.map { "metricProfile: \($0)" } ?? "")}")
    let path = directory.appendingPathComponent("scenario.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func run(_ scenario: String) throws -> (summary: String, status: Int32) {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("run.db").path
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database])
    return (result.standardOutput, result.status)
  }

  static let cases: [(template: String, argument: (name: String, value: String), profile: String)] = [
    ("success-rate.yaml", ("service-name", "fraud-scorer.default.svc.cluster.local"), "istio"),
    ("nginx-success-rate.yaml", ("ingress", "fraud-scorer"), "nginx"),
    ("linkerd-success-rate.yaml", ("service-name", "fraud-scorer"), "linkerd"),
  ]

  @Test("each mesh's template runs healthy canaries with its profile", arguments: [0, 1, 2])
  func healthyWithProfile(index: Int) throws {
    let example = Self.cases[index]
    let result = try run(try scenario(template: example.template, argument: example.argument, profile: example.profile))
    #expect(result.status == 0)
    #expect(!result.summary.contains("DEGENERATE"), "\(result.summary)")
    // Change failure rate carries a DORA tier, not a target (issue 15); the brief's
    // rollback share carries the target.
    #expect(result.summary.contains("change failure 0.0 %"), "\(result.summary)")
    #expect(result.summary.contains("rollbacks 0.0 % ✓"), "\(result.summary)")
  }

  @Test("without its profile the same run degenerates: no ✓, and the reason", arguments: [0, 1, 2])
  func degenerateWithout(index: Int) throws {
    let example = Self.cases[index]
    let result = try run(try scenario(template: example.template, argument: example.argument, profile: nil))
    #expect(result.summary.contains("DEGENERATE delivery loop:"), "\(result.summary)")
    // Istio's and NGINX's templates index an empty result (an Error); Linkerd's guards
    // with `len(result) == 1`, so its measurements fail and the change is retried.
    let reason = index < 2 ? "rollouts aborted after an analysis could not judge" : "rolled out and aborted"
    #expect(result.summary.contains(reason), "\(result.summary)")
    let delivery = result.summary.components(separatedBy: "\n").first { $0.contains("  delivery ") } ?? ""
    #expect(!delivery.contains("✓"), "\(delivery)")
  }

  @Test("a gate refuses a candidate whose runs degenerated, whatever its rules say")
  func gateRefusesDegenerate() throws {
    let example = Self.cases[0]
    let healthy = try scenario(template: example.template, argument: example.argument, profile: "istio")
    let degenerate = try scenario(template: example.template, argument: example.argument, profile: nil)
    let gate = PlatformSimProcess.scratchDirectory().appendingPathComponent("gate.yaml").path
    try """
    apiVersion: platformsim.dev/v1alpha1
    kind: Gate
    name: lenient
    replications: 2
    rules:
      change_failure_rate: {maxIncrease: 1}
    """.write(toFile: gate, atomically: true, encoding: .utf8)
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("gate.db").path
    let failed = try PlatformSimProcess.run([
      "gate", "--baseline", healthy, "--candidate", degenerate, "--rules", gate, "--db", database, "--until", "12h",
    ])
    #expect(failed.status == 1, "\(failed.standardOutput)\(failed.standardError)")
    #expect(failed.standardOutput.contains("delivery_loop_degenerate"), "\(failed.standardOutput)")
    #expect(failed.standardOutput.contains("2 of 2 candidate runs degenerated"), "\(failed.standardOutput)")
    let database2 = PlatformSimProcess.scratchDirectory().appendingPathComponent("gate2.db").path
    let passed = try PlatformSimProcess.run([
      "gate", "--baseline", healthy, "--candidate", healthy, "--rules", gate, "--db", database2, "--until", "12h",
    ])
    #expect(passed.status == 0, "\(passed.standardOutput)\(passed.standardError)")
  }

  @Test(
    "validate warns before the run when a template selects a metric the profile does not publish", arguments: [0, 1, 2])
  func unknownMetricWarning(index: Int) throws {
    let example = Self.cases[index]
    let without = try scenario(template: example.template, argument: example.argument, profile: nil)
    let warned = try PlatformSimProcess.run(["validate", without])
    #expect(warned.status == 0)
    #expect(warned.standardError.contains("which the simulation never publishes"), "\(warned.standardError)")
    #expect(warned.standardError.contains("set `spec.monitoring.metricProfile: \(example.profile)`"))
    let with = try scenario(template: example.template, argument: example.argument, profile: example.profile)
    let quiet = try PlatformSimProcess.run(["validate", with])
    #expect(quiet.status == 0)
    #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
  }

  @Test("validate warns when a range holds fewer than two scrapes")
  func shortRangeWarning() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let template = try String(
      contentsOf: Self.fixtures.appendingPathComponent("linkerd-success-rate.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "[2m]", with: "[1m]")
    let templatePath = directory.appendingPathComponent("linkerd-1m.yaml").path
    try template.write(toFile: templatePath, atomically: true, encoding: .utf8)
    let path = try scenario(template: templatePath, argument: ("service-name", "fraud-scorer"), profile: "linkerd")
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.standardError.contains("holds fewer than two scrapes"), "\(result.standardError)")
  }

  @Test("validate warns when a selector's label is one the published series never carry, naming the nearest")
  func unknownLabelWarning() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let template = try String(
      contentsOf: Self.fixtures.appendingPathComponent("success-rate.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "response_code!~", with: "respons_code!~")
    let templatePath = directory.appendingPathComponent("typo.yaml").path
    try template.write(toFile: templatePath, atomically: true, encoding: .utf8)
    let argument = ("service-name", "fraud-scorer.default.svc.cluster.local")
    let result = try PlatformSimProcess.run([
      "validate", try scenario(template: templatePath, argument: argument, profile: "istio"),
    ])
    #expect(result.status == 0)
    #expect(result.standardError.contains("by label `respons_code`"), "\(result.standardError)")
    #expect(result.standardError.contains("did you mean `response_code`?"), "\(result.standardError)")
  }

  @Test("validate warns when a rule selects a metric, label or range the simulation never publishes")
  func ruleQueryWarnings() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    // A team's rules, kube-prometheus shaped: one healthy, one per mistake, and a
    // handful written for node-exporter and kube-state-metrics.
    let foreign = [
      "up", "node_load1", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
      "node_filesystem_avail_bytes", "kube_pod_status_phase", "kube_deployment_status_replicas_available",
    ]
    let rules =
      """
      groups:
        - name: serving
          rules:
            - alert: IstioErrorsHigh
              expr: sum by (destination_service_name) (rate(istio_requests_total{response_code=~"5.."}[5m])) > 1
            - alert: WrongProfile
              expr: sum by (service) (rate(http_requests_total{code="500"}[5m])) > 1
            - alert: LabelTypo
              expr: sum(rate(istio_requests_total{respons_code="500"}[5m])) > 1
            - alert: ShortRange
              expr: sum(rate(istio_requests_total[30s])) > 1
        - name: nodes
          rules:

      """
      + foreign.enumerated().map { "        - alert: Node\($0.offset)\n          expr: \($0.element) > 1\n" }.joined()
    let rulesPath = directory.appendingPathComponent("team-rules.yaml").path
    try rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
    let path = try scenario(
      template: "success-rate.yaml", argument: ("service-name", "fraud-scorer.default.svc.cluster.local"),
      profile: "istio")
    let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
      of: "monitoring: {metricProfile: istio}", with: "monitoring: {metricProfile: istio, rules: [\(rulesPath)]}")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try PlatformSimProcess.run(["validate", path])
    let warnings = result.standardError
    #expect(result.status == 0, "\(warnings)")
    #expect(!warnings.contains("IstioErrorsHigh"), "\(warnings)")
    #expect(
      warnings.contains("rule `WrongProfile` (group `serving`, team-rules.yaml) selects `http_requests_total`"),
      "\(warnings)")
    #expect(warnings.contains("set `spec.monitoring.metricProfile: platformsim`"), "\(warnings)")
    #expect(warnings.contains("rule `LabelTypo`"), "\(warnings)")
    #expect(warnings.contains("by label `respons_code`"), "\(warnings)")
    #expect(warnings.contains("did you mean `response_code`?"), "\(warnings)")
    #expect(warnings.contains("rule `ShortRange`"), "\(warnings)")
    #expect(warnings.contains("holds fewer than two samples"), "\(warnings)")
    // The foreign exporters' names: the first few each, the rest counted in one line.
    let separately = foreign.filter { warnings.contains("selects `\($0)`") }
    #expect(separately.count == 4, "\(warnings)")
    #expect(warnings.contains("3 more metric names selected by 3 rule(s) are never published"), "\(warnings)")
    #expect(result.standardOutput.contains("ok"), "\(result.standardOutput)")
  }
}
