import Foundation
import Testing

/// `platformsim validate FILE...` recognises each input format and checks it with that
/// format's reader.
@Suite("platformsim validate")
struct ValidateCommandTests {
  @Test(
    "each bundled file is recognised as its format and checked",
    arguments: [
      ("scenarios/golden-path.yaml", "ok (scenario \"golden-path\")"),
      ("scenarios/monitoring/alertmanager.yml", "ok (alertmanager.yml, 2 receivers)"),
      ("scenarios/monitoring/error-rate-rules.yaml", "ok (PrometheusRule, 1 group, 2 rules)"),
      ("scenarios/monitoring/error-rate-rules.plain.yaml", "ok (rule file, 1 group, 2 rules)"),
      ("scenarios/monitoring/error-rate-rules.test.yaml", "ok (promtool test file, 1 test group)"),
      ("scenarios/experiments/gate.yaml", "ok (gate \"policy-gate\", 5 rules)"),
      ("scenarios/experiments/sweep-runners.yaml", "ok (sweep \"runners-and-defects\", 6 points)"),
      ("scenarios/policies/golden-path/analysis-error-ratio.yaml", "ok (AnalysisTemplate \"error-ratio\")"),
      ("scenarios/policies/golden-path/flagger-canary.yaml", "ok (Canary \"fraud-scorer\")"),
      ("scenarios/policies/golden-path/flagger-error-ratio.yaml", "ok (MetricTemplate \"error-ratio\")"),
      ("scenarios/catalogue/aws-us-east-1.yaml", "ok (instance catalogue of 7 types)"),
    ] as [(String, String)])
  func recognisesEachFormat(file: String, line: String) throws {
    let result = try PlatformSimProcess.run(["validate", file])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput == "\(file): \(line)\n")
  }

  @Test("a Rollout resolves AnalysisTemplates given in another file; without them it is only noted")
  func rolloutWithTemplates() throws {
    let rollout = "scenarios/policies/golden-path/rollout.yaml"
    let template = "scenarios/policies/golden-path/analysis-error-ratio.yaml"
    let alone = try PlatformSimProcess.run(["validate", rollout])
    #expect(alone.status == 0)
    #expect(alone.standardError.contains("AnalysisTemplate `error-ratio` is not among the files given"))
    let both = try PlatformSimProcess.run(["validate", rollout, template])
    #expect(both.status == 0)
    #expect(both.standardError.isEmpty, "\(both.standardError)")
    #expect(both.standardOutput.contains("\(rollout): ok (Rollout \"model-server\")"))
  }

  @Test("a manifest of several documents is checked document by document; other kinds are listed as skipped")
  func multiDocumentManifest() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let manifest = directory.appendingPathComponent("manifest.yaml").path
    let template = try String(
      contentsOfFile: PlatformSimProcess.repositoryRoot.appendingPathComponent(
        "scenarios/policies/golden-path/analysis-error-ratio.yaml"
      ).path, encoding: .utf8)
    let service = """
      apiVersion: v1
      kind: Service
      metadata:
        name: model-server
      spec:
        ports: [{port: 80}]
      """
    try (service + "\n---\n" + template + "\n---\n" + service + "\n").write(
      toFile: manifest, atomically: true, encoding: .utf8)
    let result = try PlatformSimProcess.run(["validate", manifest])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput == "\(manifest): ok (AnalysisTemplate \"error-ratio\"; skipped: Service ×2)\n")
  }

  @Test("a PrometheusRule among other resources is read with file-wide line numbers")
  func prometheusRuleInManifest() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let manifest = directory.appendingPathComponent("chart.yaml").path
    let service = """
      apiVersion: v1
      kind: Service
      metadata:
        name: model-server
      """
    let rule = """
      apiVersion: monitoring.coreos.com/v1
      kind: PrometheusRule
      metadata:
        name: model-server
      spec:
        groups:
          - name: model-server
            rules:
              - alert: Down
                expr: up{job="model-server"} == 0
                annotations:
                  summary: '{{ $labels }} {{ with $labels.instance }}{{ . }}{{ end }}'
              - record: job:x:rate5m
                expr: rate(x[5m] offset -1m)
      """
    try (service + "\n---\n" + rule + "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
    let good = try PlatformSimProcess.run(["validate", manifest])
    #expect(good.status == 0, "\(good.standardError)")
    #expect(good.standardOutput == "\(manifest): ok (PrometheusRule, 1 group, 2 rules; skipped: Service)\n")
    let broken = rule.replacingOccurrences(of: "rate(x[5m] offset -1m)", with: "rate(x[5m]")
    try (service + "\n---\n" + broken + "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
    let bad = try PlatformSimProcess.run(["validate", manifest])
    #expect(bad.status == 2)
    // Line 19 of the file (the rule document starts on line 6).
    #expect(bad.standardError.contains("\(manifest):19:"), "\(bad.standardError)")
  }

  @Test("a later document with a syntax error is reported, not silently dropped")
  func syntaxErrorInLaterDocument() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let rules = directory.appendingPathComponent("rules.yaml").path
    try "groups:\n- name: a\n  rules: []\n---\ngroups: [\n".write(toFile: rules, atomically: true, encoding: .utf8)
    let validate = try PlatformSimProcess.run(["validate", rules])
    #expect(validate.status == 2)
    #expect(validate.standardError.contains("\(rules):6:1: error: invalid YAML"), "\(validate.standardError)")
    let check = try PlatformSimProcess.run(["rules", "check", rules])
    #expect(check.status == 2)
    #expect(check.standardError.contains("invalid YAML"), "\(check.standardError)")
  }

  @Test("a file that is no PlatformSim format is refused without echoing its content")
  func unknownFile() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let file = directory.appendingPathComponent("credentials.yaml").path
    try "region: eu-west-1\naws_secret_access_key: SECRETVALUE123\n".write(
      toFile: file, atomically: true, encoding: .utf8)
    let result = try PlatformSimProcess.run(["validate", file])
    #expect(result.status == 2)
    #expect(result.standardError.contains("\(file): error: not a file PlatformSim reads"))
    #expect(!result.standardError.contains("SECRETVALUE123"))
    #expect(!result.standardError.contains("aws_secret_access_key"))
  }

  @Test("a near miss is read by the format it was meant to be, with that reader's message")
  func nearMiss() throws {
    let invalid = "Tests/ScenarioTests/InvalidScenarios/"
    let kind = try PlatformSimProcess.run(["validate", invalid + "05-wrong-kind.yaml"])
    #expect(kind.status == 2)
    #expect(kind.standardError.contains("did you mean `Scenario`?"), "\(kind.standardError)")
    let version = try PlatformSimProcess.run(["validate", invalid + "04-wrong-api-version.yaml"])
    #expect(version.status == 2)
    #expect(version.standardError.contains("found `platformsim.dev/v2`"), "\(version.standardError)")
  }

  @Test("validate recognises an alertmanager.yml: ok with its kind, or every error located and exit 2")
  func alertmanagerFile() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let good = directory.appendingPathComponent("alertmanager.yml").path
    try """
    route:
      receiver: team
      routes:
        - matchers: ['severity=~"page|critical"']
          receiver: team
          continue: true
    receivers:
      - name: team
        telegram_configs:
          - bot_token: secret
            chat_id: 42
    """.write(toFile: good, atomically: true, encoding: .utf8)
    let accepted = try PlatformSimProcess.run(["validate", good])
    #expect(accepted.status == 0, "\(accepted.standardError)")
    #expect(accepted.standardOutput == "\(good): ok (alertmanager.yml, 1 receiver)\n")
    // Alertmanager 0.25's config.Load refuses both: a secret given inline and in a file,
    // and a telegram receiver without its bot token.
    let bad = directory.appendingPathComponent("bad-alertmanager.yml").path
    try """
    global:
      slack_api_url: https://hooks.slack.example/x
      slack_api_url_file: /etc/alertmanager/slack
    route:
      receiver: team
    receivers:
      - name: team
        telegram_configs:
          - chat_id: 42
    """.write(toFile: bad, atomically: true, encoding: .utf8)
    let refused = try PlatformSimProcess.run(["validate", bad])
    #expect(refused.status == 2)
    #expect(
      refused.standardError.contains("\(bad):2:3: error: global: at most one of slack_api_url & slack_api_url_file"),
      "\(refused.standardError)")
    #expect(
      refused.standardError.contains("\(bad):9:9: error: receivers[0].telegram_configs[0]: missing bot_token"),
      "\(refused.standardError)")
  }
}
