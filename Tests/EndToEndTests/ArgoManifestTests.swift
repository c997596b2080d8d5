import Foundation
import Testing

/// Argo Rollouts manifests in the shapes of the project's examples and e2e files load
/// unchanged with `platformsim validate`, and out-of-scope features are refused by name.
@Suite("Argo Rollouts manifests as published")
struct ArgoManifestTests {
  /// A GitOps-style file: Service, AnalysisTemplate with `{{args.*}}` outside the query,
  /// Rollout with setCanaryScale beside a header route, a mirror route and arguments.
  static let manifest = """
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      ports: [{port: 80}]
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: AnalysisTemplate
    metadata:
      name: success-rate
    spec:
      args:
      - name: service-name
      - name: runs
      - name: interval
        value: 30s
      - name: threshold
        value: "0.95"
      metrics:
      - name: success-rate
        interval: "{{args.interval}}"
        count: "{{args.runs}}"
        failureLimit: "{{args.runs}}"
        successCondition: result[0] >= {{args.threshold}} && all(result, {# >= 0})
        provider:
          prometheus:
            address: http://prometheus.example.com:9090
            timeout: 30
            headers:
            - key: X-Scope-OrgID
              value: tenant
            query: |
              sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[1m]))
              / sum(rate(http_requests_total{service="{{args.service-name}}"}[1m]))
    ---
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata:
      name: web
    spec:
      replicas: 5
      strategy:
        canary:
          trafficRouting:
            managedRoutes:
            - name: set-header
            istio:
              virtualService: {name: web}
          steps:
          - setCanaryScale:
              replicas: 1
            setHeaderRoute:
              name: set-header
              match:
              - headerName: trace
                headerValue: {exact: debug}
          - pause: {duration: 30s}
          - setMirrorRoute:
              name: set-header
              percentage: 50
          - setWeight: 20
          - setCanaryScale:
              matchTrafficWeight: true
          - analysis:
              templates:
              - templateName: success-rate
              args:
              - name: service-name
                value: web.default.svc.cluster.local
              - name: runs
                value: "3"
    """

  func write(_ text: String) throws -> String {
    let path = PlatformSimProcess.scratchDirectory().appendingPathComponent("manifest.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("a multi-document manifest with setCanaryScale, routes and arguments everywhere loads unchanged")
  func loadsUnchanged() throws {
    let path = try write(Self.manifest)
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(
      result.standardOutput == "\(path): ok (AnalysisTemplate \"success-rate\", Rollout \"web\"; skipped: Service)\n")
    // One warning for the routes, none saying a step is ignored or invalid.
    let routeWarnings = result.standardError.components(separatedBy: "\n").filter { $0.contains("Route") }
    #expect(routeWarnings.count == 1, "\(result.standardError)")
    #expect(routeWarnings.first?.contains("`setHeaderRoute` and `setMirrorRoute` steps complete at once") == true)
    #expect(!result.standardError.contains("error"), "\(result.standardError)")
  }

  @Test("abortScaleDownDelaySeconds loads with a router, warns without one (Argo ignores it there), and is checked")
  func abortScaleDownDelay() throws {
    let routed = Self.manifest.replacingOccurrences(
      of: "    canary:\n", with: "    canary:\n      abortScaleDownDelaySeconds: 120\n")
    let withRouter = try PlatformSimProcess.run(["validate", try write(routed)])
    #expect(withRouter.status == 0, "\(withRouter.standardError)")
    #expect(!withRouter.standardError.contains("abortScaleDownDelaySeconds"), "\(withRouter.standardError)")
    let basic = routed.replacingOccurrences(
      of: "      trafficRouting:\n        managedRoutes:\n        - name: set-header\n        istio:\n"
        + "          virtualService: {name: web}\n", with: "")
    #expect(routed.contains("abortScaleDownDelaySeconds: 120") && !basic.contains("trafficRouting"))
    let withoutRouter = try PlatformSimProcess.run(["validate", try write(basic)])
    #expect(withoutRouter.status == 0, "\(withoutRouter.standardError)")
    #expect(
      withoutRouter.standardError.contains("`abortScaleDownDelaySeconds` has no effect without `trafficRouting`"),
      "\(withoutRouter.standardError)")
    let negative = try PlatformSimProcess.run([
      "validate", try write(routed.replacingOccurrences(of: "DelaySeconds: 120", with: "DelaySeconds: -5")),
    ])
    #expect(negative.status == 2, "\(negative.standardError)")
    #expect(negative.standardError.contains("abortScaleDownDelaySeconds"), "\(negative.standardError)")
  }

  @Test("an argument's value is checked in the field it fills, located in the template")
  func argumentValueChecked() throws {
    let path = try write(Self.manifest.replacingOccurrences(of: "value: \"3\"", with: "value: three"))
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.status == 2)
    #expect(result.standardError.contains("spec.metrics[0].count: found `three`"), "\(result.standardError)")
    #expect(result.standardError.contains("AnalysisTemplate `success-rate` is invalid with this analysis' arguments"))
  }

  @Test("a Rollout naming a template that failed to parse says so, not that it was not loaded")
  func failedTemplateNamed() throws {
    let broken = Self.manifest.replacingOccurrences(
      of: "      prometheus:\n        address: http://prometheus.example.com:9090",
      with: "      job:\n        spec: {}\n      prometheus:\n        address: http://prometheus.example.com:9090")
    let path = try write(broken)
    let result = try PlatformSimProcess.run(["validate", path])
    #expect(result.status == 2)
    #expect(result.standardError.contains("the `job` metric provider is not modelled"), "\(result.standardError)")
    #expect(result.standardError.contains("AnalysisTemplate `success-rate` was given but failed to parse"))
    #expect(!result.standardError.contains("no AnalysisTemplate named"))
  }

  @Test("two of setWeight/pause/analysis in one step are refused as Argo refuses them; experiments by name")
  func refusals() throws {
    let twoKinds = Self.manifest.replacingOccurrences(
      of: "      - setWeight: 20\n", with: "      - setWeight: 20\n        pause: {}\n")
    let result = try PlatformSimProcess.run(["validate", try write(twoKinds)])
    #expect(result.status == 2)
    #expect(result.standardError.contains("a step has at most one of `setWeight`, `pause`"), "\(result.standardError)")
    let experiment = Self.manifest.replacingOccurrences(
      of: "      - setWeight: 20\n", with: "      - experiment:\n          templates: []\n")
    let refused = try PlatformSimProcess.run(["validate", try write(experiment)])
    #expect(refused.status == 2)
    #expect(refused.standardError.contains("`experiment` steps are not modelled"), "\(refused.standardError)")
  }

  @Test("the Prometheus provider's rangeQuery is read (start/end relative to now, with arguments); bad times refused")
  func rangeQuery() throws {
    let range = [
      "        rangeQuery:", "          start: now() - duration(\"{{args.lookback}}\")", "          end: now()",
      "          step: 1m", "        query: |",
    ]
    let ranged = Self.manifest.replacingOccurrences(
      of: "        query: |", with: range.joined(separator: "\n")
    ).replacingOccurrences(of: "\n  - name: runs\n", with: "\n  - name: runs\n  - name: lookback\n    value: 10m\n")
    let result = try PlatformSimProcess.run(["validate", try write(ranged)])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(!result.standardError.contains("unknown key"), "\(result.standardError)")
    let bad = ranged.replacingOccurrences(of: "end: now()", with: "end: yesterday")
    let refused = try PlatformSimProcess.run(["validate", try write(bad)])
    #expect(refused.status == 2)
    #expect(refused.standardError.contains("cannot read `yesterday` as a time"), "\(refused.standardError)")
  }
}
