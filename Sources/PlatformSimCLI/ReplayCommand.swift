import ArgumentParser
import Foundation
import InputReading
import PlatformModel
import Policies
import Scenario
import SimKernel

/// `platformsim replay`: runs a real trace on its own cluster, with GPU sharing.
struct ReplayCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay a job or pod trace on a cluster of its nodes, with GPU sharing (docs/TRACES.md).",
    discussion: HelpText.reflowed(
      """
      Each trace row is submitted at its time, waits in kube-scheduler's queue order until
      a node has room (fractional GPU requests share GPUs; GPU-type constraints restrict
      placement), and holds its resources for its recorded run time. Writes DIR/items.csv
      (one row per item: trace, name, team, times, node, status, cost) and
      DIR/allocation.csv (GPU allocation, fragmentation, queue over time), and prints a
      summary.

      Examples:
        platformsim replay openb_pod_list_default.csv \\
          --nodes openb_node_list_gpu_node.csv
        platformsim replay jobs.csv --trace-format generic --nodes nodes.csv \\
          --scoring fgd
        platformsim replay pods.csv --nodes nodes.csv --mode bootstrap-days --seed 7
        platformsim replay pods.csv --nodes nodes.csv --mode fill --scoring fgd
        platformsim replay pods.csv --nodes nodes.csv --policy "python3 my_scorer.py"
      """))

  enum Mode: String, ExpressibleByArgument, CaseIterable {
    case exact
    case timeScaled = "time-scaled"
    case bootstrapDays = "bootstrap-days"
    case bootstrapJobs = "bootstrap-jobs"
    case fill
  }

  @Argument(help: "The trace file (pods or jobs).")
  var trace: String

  @Option(help: "alibaba-gpu-2023, pai-2020 or generic (default: recognised from the header).")
  var traceFormat: String?

  @Option(help: "The cluster's node list (openb_node_list format: sn,cpu_milli,memory_mib,gpu,model).")
  var nodes: String

  @Option(help: "Node scoring: kube-default, best-fit, fgd or first-fit.")
  var scoring = GPUNodeScoring.kubeDefault.rawValue

  @Option(help: "exact, time-scaled (with --rate-factor), bootstrap-days, bootstrap-jobs or fill (with --fill-ratio).")
  var mode = Mode.exact

  @Option(help: "Arrival-rate multiplier for --mode time-scaled.")
  var rateFactor = 1.0

  @Option(help: "For --mode fill (the FGD paper's workload): GPU requests as a multiple of the cluster's GPUs.")
  var fillRatio = 1.3

  @Option(help: "Root seed of the bootstrap streams.")
  var seed: UInt64 = 1

  @Option(help: "A team mapping (CSV or JSON lines: trace_team,team).")
  var teamMap: String?

  @Option(help: "Price of one GPU-hour of a model, MODEL=USD (repeatable); needed for the cost column.")
  var gpuPrice: [String] = []

  @Option(help: "Seconds between allocation samples.")
  var sampleInterval: Int64 = 3600

  @Option(help: "Directory to write items.csv and allocation.csv into.")
  var output = "replay"

  @Option(
    help: ArgumentHelp(
      "An external gpuNodeOrder policy: its command, arguments separated by spaces (docs/POLICY-PROTOCOL.md).",
      valueName: "command"))
  var policy: String?

  @Option(help: "When the policy fails: fail (exit 1, nothing written) or fallback (--scoring places from then on).")
  var policyOnError = ExternalPolicyCommand.OnError.fail.rawValue

  @Option(help: "Longest wait for one answer of the policy, seconds.")
  var policyTimeout = 5.0

  mutating func execute() throws(CLIError) -> ExitStatus {
    guard let scoringRule = GPUNodeScoring(rawValue: scoring) else {
      throw .invalidOption(
        flag: "--scoring", found: scoring, expected: GPUNodeScoring.allCases.map(\.rawValue).joined(separator: ", "))
    }
    guard rateFactor > 0, rateFactor.isFinite else {
      throw .invalidOption(flag: "--rate-factor", found: "\(rateFactor)", expected: "a positive number")
    }
    guard fillRatio > 0, fillRatio <= 10 else {
      throw .invalidOption(flag: "--fill-ratio", found: "\(fillRatio)", expected: "a number above 0 and at most 10")
    }
    let log = DiagnosticLog()
    let loaded = Self.loadTrace(trace, format: traceFormat, nodes: nodes, teamMap: teamMap, log: log)
    guard let loaded, !log.hasErrors else {
      throw .invalidInput(log.diagnosticsInFileOrder.map(\.rendered).joined(separator: "\n"))
    }
    let prices = try Self.prices(gpuPrice, models: loaded.nodes.compactMap(\.model))
    let replayMode: ReplayMode =
      switch mode {
      case .exact: .exact
      case .timeScaled: .timeScaled(rateFactor)
      case .bootstrapDays: .bootstrapDays
      case .bootstrapJobs: .bootstrapJobs
      case .fill: .fill(ratio: fillRatio)
      }
    let name = URL(fileURLWithPath: trace).deletingPathExtension().lastPathComponent
    let external = try externalPolicy(name: name)
    let result = TraceReplay.run(
      items: loaded.items, nodes: loaded.nodes,
      configuration: ReplayConfiguration(
        trace: name, mode: replayMode, scoring: scoringRule, sampleInterval: .seconds(max(1, sampleInterval)),
        seed: RandomSeed(root: seed)),
      nodeOrder: external?.policies.gpuNodeOrder)
    if let runtime = external?.runtime {
      _ = runtime.finish()
      for fault in runtime.faults {
        FileHandle.standardError.write(Data("platformsim: policy fault: \(fault)\n".utf8))
      }
      if let fault = runtime.fatalFault {
        throw .runFailed("the gpuNodeOrder policy failed, nothing written: \(fault)")
      }
    }
    let directory = URL(fileURLWithPath: output)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try ReplayTables.items(result, prices: prices)
        .write(to: directory.appendingPathComponent("items.csv"), atomically: true, encoding: .utf8)
      try ReplayTables.allocation(result)
        .write(to: directory.appendingPathComponent("allocation.csv"), atomically: true, encoding: .utf8)
    } catch {
      throw .cannotWrite(path: directory.path, reason: error.localizedDescription)
    }
    print(ReplayTables.summary(result, prices: prices, directory: directory.path))
    return .success
  }

  /// The `--policy` process, started and greeted, as the `gpuNodeOrder` decision point of
  /// a policy set (the same protocol and fault handling as `spec.policies` in a run).
  func externalPolicy(name: String) throws(CLIError) -> (policies: PolicySet, runtime: PolicyRuntime)? {
    guard let policy else { return nil }
    let arguments = policy.split(whereSeparator: \.isWhitespace).map(String.init)
    guard !arguments.isEmpty else {
      throw .invalidOption(flag: "--policy", found: policy, expected: "a command, such as `python3 picker.py`")
    }
    guard let onError = ExternalPolicyCommand.OnError(rawValue: policyOnError) else {
      throw .invalidOption(flag: "--policy-on-error", found: policyOnError, expected: "fail or fallback")
    }
    guard policyTimeout > 0, policyTimeout <= 3600 else {
      throw .invalidOption(
        flag: "--policy-timeout", found: "\(policyTimeout)", expected: "seconds above 0, at most 3600")
    }
    let command = ExternalPolicyCommand(
      arguments: arguments, workingDirectory: FileManager.default.currentDirectoryPath,
      timeoutMicroseconds: Int64(policyTimeout * 1_000_000), onError: onError)
    let configuration = PolicyConfiguration(selections: [
      .gpuNodeOrder: PolicySelection(builtIn: DecisionPoint.gpuNodeOrder.defaultBuiltIn, external: command)
    ])
    return PolicyRuntime.start(
      configuration, context: PolicyRunContext(scenarioName: name, runID: 0, seed: seed, startEpochSeconds: 0))
  }

  /// The trace and node list read, with every problem in `log`.
  static func loadTrace(_ path: String, format: String?, nodes nodesPath: String, teamMap: String?, log: DiagnosticLog)
    -> (items: [ReplayItem], nodes: [ReplayNodeSpec])?
  {
    guard let text = TraceReader.load(path, log: log) else { return nil }
    let chosen: TraceFormat
    if let format {
      guard let known = TraceFormat(rawValue: format) else {
        log.add(
          Diagnostic(
            file: path, message: "unknown trace format `\(format)`",
            hint: "formats: " + TraceFormat.allCases.map(\.rawValue).joined(separator: ", ")))
        return nil
      }
      chosen = known
    } else {
      let header = String(text.prefix { $0 != "\n" && $0 != "\r" })
      guard let recognised = TraceFormat.recognising(header: header) else {
        log.add(
          Diagnostic(
            file: path, line: 1, column: 1, message: "the header is not one of a known trace format",
            hint: "name the format with --trace-format (alibaba-gpu-2023, pai-2020, generic)"))
        return nil
      }
      chosen = recognised
    }
    let jobs = TraceReader.readJobs(text, file: path, format: chosen, log: log)
    var teams: [(String, String)] = []
    if let teamMap, let mapText = TraceReader.load(teamMap, log: log) {
      teams = TraceReader.readTeamMapping(mapText, file: teamMap, log: log)
    }
    guard let nodeText = TraceReader.load(nodesPath, log: log) else { return nil }
    let nodes = TraceReader.readOpenbNodes(nodeText, file: nodesPath, log: log)
    return (TraceImport.items(jobs, teams: teams), TraceImport.nodes(nodes))
  }

  /// `MODEL=USD` options as a price per GPU-hour of each model; a model no node has gets
  /// a hint naming the models there are.
  static func prices(_ options: [String], models: [String]) throws(CLIError) -> [(String, Double)] {
    var prices: [(String, Double)] = []
    for option in options {
      let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let price = Double(parts[1]), price >= 0, price.isFinite else {
        throw .invalidOption(flag: "--gpu-price", found: option, expected: "MODEL=USD per GPU-hour (`T4=0.35`)")
      }
      guard models.contains(parts[0]) else {
        var known: [String] = []
        for model in models where !known.contains(model) { known.append(model) }
        throw .invalidOption(
          flag: "--gpu-price", found: option,
          expected: "a GPU model of the node list: " + known.map { "`\($0)`" }.joined(separator: ", "))
      }
      prices.append((parts[0], price))
    }
    return prices
  }
}
