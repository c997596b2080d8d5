import ArgumentParser
import Foundation

struct InitCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Write a new team's golden-path scenario and gate file, or a scenario replaying a trace.",
    discussion: HelpText.reflowed(
      """
      Writes DIR/TEAM.yaml (a scenario: the team's changes through the CI/CD golden path,
      its training jobs from the chosen template on a cluster sized for it, cost tags)
      and DIR/TEAM-gate.yaml (the rules a policy change must pass). Both run as they are;
      existing files are never overwritten.

      With --from-trace, writes DIR/NAME.yaml replaying the trace on its own cluster
      (--nodes, else a synthesized one written to DIR/NAME-nodes.csv; docs/TRACES.md).

      Examples:
        platformsim init --template sklearn-standard --name churn-model
        platformsim init --from-trace openb_pod_list_default.csv \\
          --trace-format alibaba-gpu-2023 --nodes openb_node_list_gpu_node.csv \\
          --output replay
        platformsim init --template pytorch-gpu-distributed --name vision \\
          --output teams/vision
        platformsim run teams/vision/vision.yaml
      """))

  enum Template: String, ExpressibleByArgument, CaseIterable {
    case sklearnStandard = "sklearn-standard"
    case pytorchGPUDistributed = "pytorch-gpu-distributed"
  }

  @Option(help: "Golden-path template: `sklearn-standard` (CPU) or `pytorch-gpu-distributed` (GPU, spot, checkpoints).")
  var template: Template?

  @Option(help: "A trace (pods or jobs) to write a replay scenario for, instead of a template.")
  var fromTrace: String?

  @Option(help: "With --from-trace: alibaba-gpu-2023, pai-2020 or generic (default: recognised from the header).")
  var traceFormat: String?

  @Option(help: "With --from-trace: the trace's node list (default: a synthesized cluster).")
  var nodes: String?

  @Option(help: "The team's name (letters, digits, `-`, `_`, `.`).")
  var name = "my-team"

  @Option(help: "Directory to write into (default: scenarios/teams/TEAM).")
  var output: String?

  mutating func execute() throws(CLIError) -> ExitStatus {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
      throw .invalidOption(flag: "--name", found: name, expected: "a name of letters, digits, `.`, `_` and `-`")
    }
    if let fromTrace {
      if template != nil { throw .conflictingOptions("--template", "--from-trace") }
      return try initFromTrace(fromTrace)
    }
    for (flag, value) in [("--trace-format", traceFormat), ("--nodes", nodes)] where value != nil {
      throw .inapplicableOption(flag: flag, context: "without --from-trace", instead: "add --from-trace TRACE")
    }
    guard let template else {
      throw .missingOption(flag: "--template", purpose: "the golden path to write (or --from-trace TRACE)")
    }
    let directory = URL(fileURLWithPath: output ?? "scenarios/teams/\(name)")
    let files = [
      (
        directory.appendingPathComponent("\(name).yaml").path,
        GoldenPathTemplates.scenario(template: template, team: name)
      ),
      (directory.appendingPathComponent("\(name)-gate.yaml").path, GoldenPathTemplates.gate(team: name)),
    ]
    for (path, _) in files where FileManager.default.fileExists(atPath: path) {
      throw .alreadyExists(path: path)
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for (path, text) in files { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    } catch {
      throw .cannotWrite(path: directory.path, reason: error.localizedDescription)
    }
    print("platformsim: wrote the \(template.rawValue) golden path for team \(name):")
    for (path, _) in files { print("  \(path)") }
    print("next: platformsim run \(files[0].0)")
    return .success
  }

  func initFromTrace(_ trace: String) throws(CLIError) -> ExitStatus {
    let scenarioName = name == "my-team" ? "trace-replay" : name
    let directory = URL(fileURLWithPath: output ?? ".")
    let written = try TraceInit.write(
      trace: trace, format: traceFormat, nodes: nodes, name: scenarioName, directory: directory)
    print("platformsim: wrote a replay of \(written.items) trace items:")
    print("  \(written.scenario)")
    if let nodeFile = written.nodes { print("  \(nodeFile) (a synthesized cluster)") }
    print("  GPU models: " + (written.models.isEmpty ? "none" : written.models.joined(separator: ", ")))
    print("next: platformsim run \(written.scenario)")
    return .success
  }
}

/// The golden-path files `platformsim init` writes, one per template.
///
/// Values follow the platform's defaults in scenarios/golden-path.yaml, cut down to one
/// team, so a new team starts from the same world the platform team tests policies on.
enum GoldenPathTemplates {
  static func scenario(template: InitCommand.Template, team: String) -> String {
    let training: String
    let pools: String
    switch template {
    case .sklearnStandard:
      training = """
            - template: sklearn-standard
              arrivals:
                ratePerHour: 2
                hourOfDay: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1, 1, 1,
                            0.8, 1, 1, 1, 1, 0.8, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1]
                dayOfWeek: [1, 1, 1, 1, 1, 0.2, 0.1]
              resources: {cpu: 4, memoryGiB: 16}
              nodeSelector: {workload: cpu}
        """
      pools = """
          - name: cpu_nodes
            capacityType: on-demand
            instanceTypes: [m5.4xlarge]
            min: 1
            max: 6
            desired: 1
            labels: {workload: cpu}
          - name: dev_nodes                # sleeps at night and at weekends
            capacityType: on-demand
            instanceTypes: [m5.xlarge]
            min: 1
            max: 2
            desired: 1
            labels: {workload: dev}
            schedule: ["Mon-Fri 07:00-20:00"]
        """
    case .pytorchGPUDistributed:
      training = """
            - template: pytorch-gpu-distributed
              arrivals:
                ratePerHour: 0.6
                hourOfDay: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1, 1, 1,
                            0.8, 1, 1, 1, 1, 0.8, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1]
                dayOfWeek: [1, 1, 1, 1, 1, 0.2, 0.1]
              workers: 2
              resources: {cpu: 3, memoryGiB: 12, gpus: 1}
              priority: 100
              capacity: spot-with-fallback
              nodeSelector: {workload: gpu}
              tolerations: [{key: nvidia.com/gpu}]
              checkpoint: {interval: youngDaly, cost: 1m, restartCost: 5m, onNotice: true}
        """
      pools = """
          - name: gpu_nodes
            capacityType: on-demand
            instanceTypes: [g5.xlarge]
            min: 1
            max: 6
            desired: 1
            provisioningDelay: {uniform: {min: 2m, max: 4m}}
            labels: {workload: gpu}
            taints: [{key: nvidia.com/gpu, value: "true"}]
          - name: gpu_spot
            capacityType: spot
            instanceTypes: [g5.xlarge]
            min: 0
            max: 8
            desired: 0
            provisioningDelay: {uniform: {min: 2m, max: 4m}}
            labels: {workload: gpu}
            taints: [{key: nvidia.com/gpu, value: "true"}]
        """
    }
    return """
      # yaml-language-server: $schema=https://platformsim.dev/scenario.schema.json
      #
      # Golden path for team \(team), from the \(template.rawValue) template
      # (`platformsim init`). Edit freely; `platformsim validate` checks every key and
      # docs/SCENARIOS.md describes them.
      apiVersion: platformsim.dev/v1alpha1
      kind: Scenario
      metadata:
        name: \(team)
        description: The \(template.rawValue) golden path for team \(team).
      spec:
        simulation:
          start: 2026-01-05T00:00:00      # a Monday, local time
          timeZone: Europe/Berlin
          duration: 30d
          seed: 42
        limits:
          maxEvents: 50000000
          maxWallSeconds: 300
        delivery:
          runnerPool:
            runners: 4
          pipeline:
            trigger: webhook            # Argo CD notified on push
            ciStages:
              - name: unit-tests
                duration: {lognormal: {median: 3m, p90: 8m}}
                failureProbability: 0.05
                flakeProbability: 0.03
                retries: 2
              - name: docker-build
                duration: {lognormal: {median: 4m, p90: 10m}}
            registryPush: {lognormal: {median: 30s, p90: 90s}}
            syncDuration: {lognormal: {median: 15s, p90: 45s}}
            rolloutDuration: {lognormal: {median: 2m, p90: 5m}}
          onCall:
            responseTime: {lognormal: {median: 5m, p90: 20m}}
            rollbackProbability: 0.7
          targets: {deploymentsPerDay: 5, changeFailureRate: 0.05, recoveryTime: 30m, leadTime: 1d}

        cluster:
          name: \(team)-cluster
          spotMarket:
            noticeWindow: 2m
          autoscaler:
            kind: cluster-autoscaler
          nodePools:
      \(indented(pools))

        teams:
          - name: \(team)
            tags: {Owner: \(team)@example.com, CostCenter: CC-\(team)}
            engineers: 5
            changes:
              ratePerHour: 1
              hourOfDay: [0, 0, 0, 0, 0, 0, 0, 0.2, 0.8, 1, 1, 1, 0.6, 1, 1, 1, 0.9, 0.6, 0.2, 0.05, 0, 0, 0, 0]
              dayOfWeek: [1, 1, 1, 1, 0.8, 0, 0]
            defects: {probability: 0.06}
            training:
      \(indented(training))

        services:
          - name: \(team)-model
            team: \(team)
            requestsPerSecond: 50
            errorRatio: 0.001
            latency: 100ms
            timeout: 2s

        governance:
          requiredTags: [Owner, CostCenter]
          admission: enforce

      """
  }

  /// Nested blocks are written at the indentation of their own literal; shift them under their key.
  static func indented(_ block: String) -> String {
    block.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
  }

  static func gate(team: String) -> String {
    """
    # Gate for team \(team)'s policy changes (`platformsim init`): run
    #   platformsim gate --baseline main.yaml --candidate \(team).yaml --rules \(team)-gate.yaml
    # Exit 1 when a KPI regresses with statistical confidence; docs/EXPERIMENTS.md explains the rules.
    apiVersion: platformsim.dev/v1alpha1
    kind: Gate
    name: \(team)-gate
    replications: 10
    rules:
      change_failure_rate: {maxIncrease: 0.02}
      lead_time_median_seconds: {maxRelativeIncrease: 0.10}
      deployment_frequency_per_day: {maxRelativeDecrease: 0.10}
      cost.total_usd: {maxRelativeIncrease: 0.05}

    """
  }
}
