import Foundation
import Testing

/// Flagger canaries with custom metrics (`MetricTemplate` through `templateRef`) and
/// built-in checks run on the mesh's metric names, per-service metric profiles, and
/// queries that stay valid whatever characters a service's name holds (issue 14).
@Suite("Flagger metric templates and metric profiles")
struct FlaggerTemplateTests {
  static let fixtures = PlatformSimProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/rollouts")

  /// The Flagger fixture scenario, edited by `edit`, with its Canary file edited by `canary`.
  func scenario(
    profile: String?, serviceProfile: String? = nil, serviceName: String = "fraud-scorer",
    canary: (String) -> String = { $0 }
  ) throws -> String {
    let directory = PlatformSimProcess.scratchDirectory()
    let manifest = canary(
      try String(contentsOf: Self.fixtures.appendingPathComponent("flagger-istio.yaml"), encoding: .utf8))
    let manifestPath = directory.appendingPathComponent("canary.yaml").path
    try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
    var text = try String(contentsOf: Self.fixtures.appendingPathComponent("flagger-canary.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "canary: flagger-istio.yaml", with: "canary: \(manifestPath)")
      .replacingOccurrences(of: "monitoring: {}", with: "monitoring: {\(profile.map { "metricProfile: \($0)" } ?? "")}")
      .replacingOccurrences(of: "    - name: fraud-scorer\n", with: "    - name: \(yamlQuoted(serviceName))\n")
    if let serviceProfile {
      text = text.replacingOccurrences(
        of: "      timeout: 2s\n", with: "      timeout: 2s\n      metricProfile: \(serviceProfile)\n")
    }
    let path = directory.appendingPathComponent("scenario.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// A YAML double-quoted scalar of `text`.
  func yamlQuoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  func run(_ scenario: String) throws -> (summary: String, status: Int32, errors: String) {
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("run.db").path
    let result = try PlatformSimProcess.run(["run", scenario, "--db", database])
    return (result.standardOutput, result.status, result.standardError)
  }

  func expectHealthy(_ result: (summary: String, status: Int32, errors: String)) {
    #expect(result.status == 0, "\(result.errors)")
    #expect(!result.summary.contains("DEGENERATE"), "\(result.summary)")
    #expect(result.summary.contains("rollbacks 0.0 % ✓"), "\(result.summary)")
  }

  @Test("an Istio-shaped Canary with a MetricTemplate runs healthy canaries with the istio profile")
  func healthyWithProfile() throws {
    let path = try scenario(profile: "istio")
    let validated = try PlatformSimProcess.run(["validate", path])
    #expect(validated.status == 0)
    #expect(validated.standardError.isEmpty, "\(validated.standardError)")
    expectHealthy(try run(path))
  }

  @Test("a service's own metric profile overrides the scenario's")
  func perServiceProfile() throws {
    let path = try scenario(profile: nil, serviceProfile: "istio")
    let validated = try PlatformSimProcess.run(["validate", path])
    #expect(validated.standardError.isEmpty, "\(validated.standardError)")
    expectHealthy(try run(path))
  }

  @Test("without the profile the template cannot judge: a warning before the run, and no ✓ after it")
  func degenerateWithout() throws {
    let path = try scenario(profile: nil)
    let validated = try PlatformSimProcess.run(["validate", path])
    #expect(validated.status == 0)
    #expect(
      validated.standardError.contains("selects `istio_request_duration_milliseconds_bucket`, which the simulation"),
      "\(validated.standardError)")
    #expect(validated.standardError.contains("set `spec.monitoring.metricProfile: istio`"))
    let result = try run(path)
    #expect(result.summary.contains("DEGENERATE delivery loop:"), "\(result.summary)")
    let delivery = result.summary.components(separatedBy: "\n").first { $0.contains("  delivery ") } ?? ""
    #expect(!delivery.contains("✓"), "\(delivery)")
  }

  @Test(
    "a service name holding quotes and backslashes is escaped in every generated query",
    arguments: ["istio", "linkerd", "nginx", "platformsim"])
  func escapedServiceName(profile: String) throws {
    let name = #"fraud "scorer" \ v2.*"#
    let path = try scenario(profile: profile, serviceName: name) { canary in
      // NGINX and Linkerd have no reporter label: the built-in checks alone there.
      profile == "istio" ? canary : String(canary[..<canary.range(of: "    - name: latency\n")!.lowerBound])
    }
    let validated = try PlatformSimProcess.run(["validate", path])
    #expect(validated.status == 0, "\(validated.standardError)")
    #expect(validated.standardError.isEmpty, "\(validated.standardError)")
    expectHealthy(try run(path))
  }

  @Test("an Argo template filled with such a service name runs healthy canaries")
  func escapedServiceNameArgo() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    // The argument has no value: PlatformSim fills it with the service's name.
    let rollout = try String(
      contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "          value: fraud-scorer.default.svc.cluster.local\n", with: "")
    let rolloutPath = directory.appendingPathComponent("rollout.yaml").path
    try rollout.write(toFile: rolloutPath, atomically: true, encoding: .utf8)
    let template = Self.fixtures.appendingPathComponent("linkerd-success-rate.yaml").path
    var text = try String(contentsOf: Self.fixtures.appendingPathComponent("istio-canary.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "rollout: rollout-istio.yaml", with: "rollout: \(rolloutPath)")
      .replacingOccurrences(of: "analysisTemplates: [success-rate.yaml]", with: "analysisTemplates: [\(template)]")
      .replacingOccurrences(of: "duration: 2d", with: "duration: 1d")
      .replacingOccurrences(of: "monitoring: {}", with: "monitoring: {metricProfile: linkerd}")
      .replacingOccurrences(
        of: "    - name: fraud-scorer\n", with: "    - name: \(yamlQuoted(#"fraud "scorer" \ (v2)"#))\n")
    let path = directory.appendingPathComponent("scenario.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    expectHealthy(try run(path))
  }

  @Test(
    "bad MetricTemplates and references are refused with exit 2 and the reason",
    arguments: [
      ("    type: prometheus\n", "    type: datadog\n", "the `datadog` MetricTemplate provider is not modelled"),
      (
        "        name: latency\n        namespace", "        name: latncy\n        namespace",
        "no MetricTemplate named `latncy` was loaded; did you mean `latency`?"
      ),
      (
        "      templateVariables:\n        reporter: destination\n", "",
        "`{{ variables.reporter }}`, which Flagger cannot fill"
      ),
      ("    stepWeight: 10\n", "    stepWeight: 10\n    iterations: -1\n", "spec.analysis.iterations"),
      ("        0.99,\n", "        0.99,,\n", "the query is not valid PromQL"),
    ] as [(String, String, String)])
  func badInput(original: String, replacement: String, message: String) throws {
    let path = try scenario(profile: "istio") { canary in
      #expect(canary.contains(original))
      return canary.replacingOccurrences(of: original, with: replacement)
    }
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.status == 2, "\(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
    #expect(result.standardError.contains("canary.yaml:"), "located in the Canary's file: \(result.standardError)")
  }

  @Test("validate reads a MetricTemplate and the Canary naming it; a Canary alone only notes the reference")
  func validateManifest() throws {
    let manifest = Self.fixtures.appendingPathComponent("flagger-istio.yaml").path
    let result = try PlatformSimProcess.run(["validate", manifest])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardError.isEmpty, "\(result.standardError)")
    #expect(result.standardOutput.contains("MetricTemplate \"latency\""), "\(result.standardOutput)")
    #expect(result.standardOutput.contains("Canary \"fraud-scorer\""), "\(result.standardOutput)")
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
    let canaryOnly = PlatformSimProcess.scratchDirectory().appendingPathComponent("canary.yaml").path
    try String(text[text.range(of: "apiVersion: flagger.app/v1beta1\nkind: Canary")!.lowerBound...]).write(
      toFile: canaryOnly, atomically: true, encoding: .utf8)
    let alone = try PlatformSimProcess.run(["validate", canaryOnly])
    #expect(alone.status == 0, "\(alone.standardError)")
    #expect(alone.standardError.contains("MetricTemplate `latency` is not among the files given"))
  }

  @Test("blue/green and A/B testing by iterations run healthy, each naming its assumed share once (mirroring: none)")
  func iterations() throws {
    for (mode, warning) in [
      ("    iterations: 5\n", "taken to be 10% of the service's request rate"),
      ("    iterations: 5\n    mirror: true\n", nil),
    ] as [(String, String?)] {
      let blueGreen = try scenario(profile: "istio") { canary in
        canary.replacingOccurrences(of: "    maxWeight: 50\n    stepWeight: 10\n", with: mode)
      }
      let validated = try PlatformSimProcess.run(["validate", blueGreen])
      #expect(validated.status == 0, "\(validated.standardError)")
      if let warning {
        #expect(validated.standardError.components(separatedBy: warning).count == 2, "\(validated.standardError)")
      } else {
        #expect(validated.standardError.isEmpty, "\(validated.standardError)")
      }
      expectHealthy(try run(blueGreen))
    }

    let abTesting = try scenario(profile: "istio") { canary in
      canary.replacingOccurrences(
        of: "    maxWeight: 50\n    stepWeight: 10\n",
        with: "    iterations: 5\n    match:\n    - headers:\n        x-canary:\n          exact: insider\n")
    }
    let abRun = try run(abTesting)
    #expect(abRun.status == 0, "\(abRun.errors)")
    #expect(!abRun.summary.contains("DEGENERATE"), "\(abRun.summary)")
    let warnings = abRun.errors.components(separatedBy: "taken to be 10% of all requests").count - 1
    #expect(warnings == 1, "one warning naming the assumed share: \(abRun.errors)")
    #expect(abRun.errors.contains("canary.yaml:"), "located in the Canary's file: \(abRun.errors)")
  }

  @Test("a Canary without analysis, or skipping it, promotes every revision")
  func skipAnalysis() throws {
    let path = try scenario(profile: "istio") { canary in
      canary.replacingOccurrences(
        of: "  progressDeadlineSeconds: 600\n", with: "  progressDeadlineSeconds: 600\n  skipAnalysis: true\n")
    }
    let result = try run(path)
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.summary.contains("rollbacks 0.0 %"), "\(result.summary)")
  }

  static let mapping = """
    monitoring:
        metricProfile: custom
        metricMapping:
          requests: http_server_requests_total
          latency: http_server_request_duration_seconds
          statusLabel: http_response_status_code
          labels: {service_name: "{{ service }}", k8s_namespace_name: "{{ namespace }}"}
    """

  @Test("a user-declared mapping: Flagger's built-in checks and an Argo template on its names run healthy canaries")
  func customMapping() throws {
    let flagger = try scenario(profile: nil) { canary in
      String(canary[..<canary.range(of: "    - name: latency\n")!.lowerBound])
    }
    let text = try String(contentsOfFile: flagger, encoding: .utf8)
      .replacingOccurrences(of: "monitoring: {}", with: Self.mapping)
    try text.write(toFile: flagger, atomically: true, encoding: .utf8)
    let validated = try PlatformSimProcess.run(["validate", flagger])
    #expect(validated.standardError.isEmpty, "\(validated.standardError)")
    expectHealthy(try run(flagger))

    // An Argo template written against the same names, the service filled in.
    let directory = PlatformSimProcess.scratchDirectory()
    let template = directory.appendingPathComponent("template.yaml").path
    try """
    apiVersion: argoproj.io/v1alpha1
    kind: AnalysisTemplate
    metadata: {name: success-rate}
    spec:
      args: [{name: service-name}]
      metrics:
      - name: success-rate
        interval: 1m
        successCondition: result[0] >= 0.95
        failureLimit: 3
        provider:
          prometheus:
            query: |
              sum(rate(http_server_requests_total{service_name="{{args.service-name}}",http_response_status_code!~"5.."}[3m]))
              / sum(rate(http_server_requests_total{service_name="{{args.service-name}}"}[3m]))
    """.write(toFile: template, atomically: true, encoding: .utf8)
    let rollout = try String(
      contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "          value: fraud-scorer.default.svc.cluster.local\n", with: "")
    let rolloutPath = directory.appendingPathComponent("rollout.yaml").path
    try rollout.write(toFile: rolloutPath, atomically: true, encoding: .utf8)
    let argo = try String(contentsOf: Self.fixtures.appendingPathComponent("istio-canary.yaml"), encoding: .utf8)
      .replacingOccurrences(of: "rollout: rollout-istio.yaml", with: "rollout: \(rolloutPath)")
      .replacingOccurrences(of: "analysisTemplates: [success-rate.yaml]", with: "analysisTemplates: [\(template)]")
      .replacingOccurrences(of: "duration: 2d", with: "duration: 1d")
      .replacingOccurrences(of: "  monitoring: {}", with: "  " + Self.mapping)
    let argoPath = directory.appendingPathComponent("scenario.yaml").path
    try argo.write(toFile: argoPath, atomically: true, encoding: .utf8)
    let quiet = try PlatformSimProcess.run(["validate", argoPath])
    #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
    expectHealthy(try run(argoPath))
  }

  @Test(
    "a bad mapping is refused with exit 2 and the reason",
    arguments: [
      ("statusLabel: http_response_status_code", "statusLabel: track", "label `track` is set by PlatformSim"),
      (
        "requests: http_server_requests_total", "requests: http-server",
        "`http-server` is not a valid Prometheus metric name"
      ),
      ("metricMapping:", "otherMapping:", "`metricProfile: custom` needs `metricMapping`"),
    ] as [(String, String, String)])
  func badMapping(original: String, replacement: String, message: String) throws {
    let path = try scenario(profile: nil)
    let mapping = Self.mapping.replacingOccurrences(of: original, with: replacement)
    let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
      of: "monitoring: {}", with: mapping)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.status == 2, "\(result.standardError)")
    #expect(result.standardError.contains(message), "\(result.standardError)")
  }

  /// Argo templates in the shapes Contour's Envoy and Knative (KServe) metrics are queried.
  static let meshTemplates: [(profile: String, query: String)] = [
    (
      "contour",
      #"sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"default_{{args.service-name}}-canary_[0-9]+",envoy_response_code!~"5.."}[3m])) / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"default_{{args.service-name}}-canary_[0-9]+"}[3m]))"#
    ),
    (
      "knative",
      #"sum(rate(revision_app_request_count{namespace_name="default",service_name="{{args.service-name}}",revision_name="{{args.service-name}}-00002",response_code_class!="5xx"}[3m])) / sum(rate(revision_app_request_count{namespace_name="default",service_name="{{args.service-name}}",revision_name="{{args.service-name}}-00002"}[3m]))"#
    ),
  ]

  @Test(
    "Contour- and Knative-shaped templates run healthy canaries with their profile, and warn without",
    arguments: [0, 1])
  func meshTemplate(index: Int) throws {
    let example = Self.meshTemplates[index]
    let directory = PlatformSimProcess.scratchDirectory()
    let template = directory.appendingPathComponent("template.yaml").path
    try """
    apiVersion: argoproj.io/v1alpha1
    kind: AnalysisTemplate
    metadata: {name: success-rate}
    spec:
      args: [{name: service-name}]
      metrics:
      - name: success-rate
        interval: 1m
        successCondition: len(result) == 1 && result[0] >= 0.95
        failureLimit: 3
        provider:
          prometheus:
            query: '\(example.query)'
    """.write(toFile: template, atomically: true, encoding: .utf8)
    let rollout = try String(
      contentsOf: Self.fixtures.appendingPathComponent("rollout-istio.yaml"), encoding: .utf8
    ).replacingOccurrences(of: "          value: fraud-scorer.default.svc.cluster.local\n", with: "")
    let rolloutPath = directory.appendingPathComponent("rollout.yaml").path
    try rollout.write(toFile: rolloutPath, atomically: true, encoding: .utf8)
    func scenario(_ profile: String?) throws -> String {
      let text = try String(contentsOf: Self.fixtures.appendingPathComponent("istio-canary.yaml"), encoding: .utf8)
        .replacingOccurrences(of: "rollout: rollout-istio.yaml", with: "rollout: \(rolloutPath)")
        .replacingOccurrences(of: "analysisTemplates: [success-rate.yaml]", with: "analysisTemplates: [\(template)]")
        .replacingOccurrences(of: "duration: 2d", with: "duration: 1d")
        .replacingOccurrences(
          of: "monitoring: {}", with: "monitoring: {\(profile.map { "metricProfile: \($0)" } ?? "")}")
      let path = directory.appendingPathComponent("scenario-\(profile ?? "none").yaml").path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let with = try scenario(example.profile)
    let quiet = try PlatformSimProcess.run(["validate", with])
    #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
    expectHealthy(try run(with))
    let without = try PlatformSimProcess.run(["validate", try scenario(nil)])
    #expect(
      without.standardError.contains("set `spec.monitoring.metricProfile: \(example.profile)`"),
      "\(without.standardError)")
  }
}
