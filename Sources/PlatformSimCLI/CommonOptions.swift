import ArgumentParser
import Experiments
import Foundation
import Monitoring
import Scenario
import SimKernel

/// `--db`: the SQLite results file, shared by every command that writes or reads results.
struct DatabaseOption: ParsableArguments {
  /// The file every command falls back to (README.md, docs/SCHEMA.md).
  static let defaultPath = "reports/platformsim.sqlite"

  @Option(
    name: .customLong("db"),
    help: ArgumentHelp(
      "SQLite results file (default: the scenario's spec.outputs.database, else reports/platformsim.sqlite).",
      valueName: "path"))
  var path: String?

  /// The path given, else the scenario's `spec.outputs.database`, else the default.
  func resolved(scenarioDefault: String? = nil) -> String {
    path ?? scenarioDefault ?? Self.defaultPath
  }

  /// For commands that read results: the file, which must exist.
  func existing() throws(CLIError) -> String {
    let resolved = resolved()
    guard FileManager.default.fileExists(atPath: resolved) else { throw .noDatabase(path: resolved) }
    return resolved
  }
}

/// `--quiet`: nothing on standard output on success (errors and warnings still go to
/// standard error).
struct QuietFlag: ParsableArguments {
  @Flag(name: .customLong("quiet"), help: "Print nothing on success (no summary, no progress bar).")
  var isOn = false
}

/// `--skip-unsupported`: run (or check) rule files whose rules use a construct
/// PlatformSim does not evaluate (the native-histogram functions), leaving those rules
/// out with one warning each instead of refusing the file (issue 13).
struct SkipUnsupportedFlag: ParsableArguments {
  @Flag(
    name: .customLong("skip-unsupported"),
    help: "Leave out rules using PromQL PlatformSim does not evaluate (native histograms), with a warning per rule.")
  var isOn = false

  var rules: RuleFileLoader.UnsupportedRules { isOn ? .skipWithWarning : .refuse }
}

/// `--seed`, `--until` and `--jobs`: how the runs of a command are seeded, how long
/// they simulate, and how many run at once.
struct RunOptions: ParsableArguments {
  @Option(help: "Root seed (default: the scenario's spec.simulation.seed).")
  var seed: UInt64?

  @Option(help: "Simulate only this long, e.g. 7d (default: the scenario's spec.simulation.duration).")
  var until: String?

  @Option(
    help:
      "Threads running replications in parallel, and inside a run those no replication takes; results are the same for any count (default: the number of processors)."
  )
  var jobs: Int?

  @Option(
    name: .customLong("policy-commands"),
    help: ArgumentHelp(
      "Whether the scenarios' external policy commands (spec.policies.*.command) may run: `allow`, or `deny` all but those in --policy-allowlist. Use `deny` for scenarios from untrusted pull requests (docs/SECURITY.md).",
      valueName: "allow|deny"))
  var policyCommands: String = "allow"

  @Option(
    name: .customLong("policy-allowlist"),
    help: ArgumentHelp(
      "With --policy-commands deny: a file of the commands that may still run, one per line, its words separated by spaces as in the scenario (`python3 policies/rollback_bot.py`); `#` starts a comment.",
      valueName: "file"))
  var policyAllowlist: String?

  /// Refuses (exit 2) a scenario whose external policy command `--policy-commands deny`
  /// does not let run, naming the scenario, the decision point and the command.
  ///
  /// Scenario files are code: a policy command runs as the calling user. Checked after
  /// loading and before anything runs or is written.
  func checkPolicyCommands(_ documents: [ScenarioDocument]) throws(CLIError) {
    switch policyCommands {
    case "allow":
      if policyAllowlist != nil {
        throw .inapplicableOption(
          flag: "--policy-allowlist", context: "with --policy-commands allow (everything may run)",
          instead: "add `--policy-commands deny`")
      }
      return
    case "deny": break
    default: throw .invalidOption(flag: "--policy-commands", found: policyCommands, expected: "`allow` or `deny`")
    }
    let allowed = try allowlistedCommands()
    for document in documents {
      let points = document.policies.selections.keys.sorted { $0.rawValue < $1.rawValue }
      for point in points {
        guard let command = document.policies.selections[point]?.external else { continue }
        let text = command.arguments.joined(separator: " ")
        guard !allowed.contains(text) else { continue }
        throw .invalidInput(
          "\(document.path): error: spec.policies.\(point.rawValue).command: `\(text)` may not run: "
            + "--policy-commands deny, and it is not in "
            + (policyAllowlist.map { "the allowlist \($0)" } ?? "an allowlist (none given: --policy-allowlist FILE)")
            + "\n1 error found")
      }
    }
  }

  /// The lines of `--policy-allowlist`, trimmed, without comments and blank lines.
  func allowlistedCommands() throws(CLIError) -> Set<String> {
    guard let policyAllowlist else { return [] }
    guard let text = try? String(contentsOfFile: policyAllowlist, encoding: .utf8) else {
      throw .invalidOption(
        flag: "--policy-allowlist", found: policyAllowlist, expected: "a readable UTF-8 file of commands, one per line")
    }
    return Set(
      text.split(whereSeparator: \.isNewline).map { line in
        String(line.prefix { $0 != "#" }).trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty })
  }

  /// `--until` as a duration, `nil` when not given.
  func duration() throws(CLIError) -> SimDuration? {
    guard let until else { return nil }
    guard let parsed = SimDuration(parsing: until), parsed.microseconds > 0 else {
      throw .invalidOption(
        flag: "--until", found: until, expected: "a positive duration such as `90s`, `5m`, `2h30m` or `30d`")
    }
    return parsed
  }

  /// `--jobs`, or the number of processors.
  func threadCount() throws(CLIError) -> Int {
    guard let jobs else { return max(1, ProcessInfo.processInfo.activeProcessorCount) }
    guard jobs >= 1 && jobs <= 1024 else {
      throw .invalidOption(flag: "--jobs", found: String(jobs), expected: "an integer from 1 to 1024")
    }
    return jobs
  }
}

/// `--shard i/n`: run one slice of an experiment's replications, for spreading it
/// over machines (docs/EXPERIMENTS.md, `platformsim merge`).
struct ShardOption: ParsableArguments {
  @Option(
    name: .customLong("shard"),
    help: ArgumentHelp(
      "Run only shard i/n (0-based) of the replications; combine shard databases with `platformsim merge`.",
      valueName: "i/n"))
  var text: String?

  func shard(replications: Int) throws(CLIError) -> Shard {
    guard let text else { return .whole }
    guard let shard = Shard(parsing: text) else {
      throw .invalidOption(flag: "--shard", found: text, expected: "`i/n` with 0 ≤ i < n, e.g. `0/4`")
    }
    guard shard.count <= replications else {
      throw .invalidOption(
        flag: "--shard", found: text, expected: "at most as many shards as replications (\(replications))")
    }
    return shard
  }
}

/// Checks a `--replications` value (or the default a command or file gives).
func checkedReplications(_ value: Int, minimum: Int = 1) throws(CLIError) -> Int {
  guard value >= minimum && value <= 100_000 else {
    throw .invalidOption(
      flag: "--replications", found: String(value), expected: "an integer from \(minimum) to 100000")
  }
  return value
}
