import Foundation
import Testing

@testable import Monitoring

/// The real tool as oracle.
///
/// `.ci/run` installs it; where it is missing the oracle suite fails (rather than silently passing) unless
/// PLATFORMSIM_SKIP_AMTOOL=1.
///
/// `amtool` (Debian package prometheus-alertmanager) decides routing with
/// alertmanager's own code and validates configurations with `config.Load`.
enum Amtool {
  static let path: String? = {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for directory in directories {
      let candidate = "\(directory)/amtool"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }()

  static var isAvailable: Bool { path != nil }

  /// Runs amtool; returns the exit status and standard output.
  static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/amtool")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// Writes a configuration to a fresh temporary file.
  ///
  /// `sim://` URLs become http URLs, which real alertmanager requires.
  static func write(_ yaml: String) throws -> String {
    let http = yaml.replacingOccurrences(of: "sim://", with: "http://sim.invalid/")
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("amtool-\(UUID().uuidString).yml").path
    try http.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func accepts(_ yaml: String) throws -> Bool {
    let file = try write(yaml)
    defer { try? FileManager.default.removeItem(atPath: file) }
    return try run(["check-config", file]).status == 0
  }
}

@Suite(.enabled(if: ProcessInfo.processInfo.environment["PLATFORMSIM_SKIP_AMTOOL"] != "1"))
struct AlertmanagerAmtoolOracleTests {
  @Test("the oracle is installed (apt-get install prometheus-alertmanager)")
  func oracleInstalled() {
    #expect(
      Amtool.isAvailable,
      "amtool is missing: install the Debian package prometheus-alertmanager, or set PLATFORMSIM_SKIP_AMTOOL=1")
  }

  /// Every combination of a few alert names, severities and teams.
  static let labelSets: [[String: String]] = {
    var sets: [[String: String]] = []
    for alertname in ["ErrorRateHigh", "ErrorBudgetBurn", "LatencyHigh"] {
      for severity in ["critical", "warning", nil] {
        for team in ["ml", "data", "ops", "sre", "web", nil] {
          var labels = ["alertname": alertname]
          labels["severity"] = severity
          labels["team"] = team
          sets.append(labels)
        }
      }
    }
    return sets
  }()

  @Test func routingAgreesWithAmtoolForEveryLabelCombination() throws {
    let parsed = try parseConfig(AlertmanagerConfigTests.platformConfig)
    let file = try Amtool.write(AlertmanagerConfigTests.platformConfig)
    defer { try? FileManager.default.removeItem(atPath: file) }
    for labels in Self.labelSets {
      let arguments = labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }
      let oracle = try Amtool.run(["config", "routes", "test", "--config.file=\(file)"] + arguments)
      let ours = parsed.matchingRoutes(for: labels).map { parsed.routes[$0.index].receiver.rawValue }
      #expect(ours.joined(separator: ",") == oracle.output.trimmingCharacters(in: .whitespacesAndNewlines), "\(labels)")
    }
  }

  @Test(arguments: [
    AlertmanagerConfigTests.platformConfig, AlertmanagerInhibitionTests.yaml, AlertmanagerConfigTests.mergeKeysConfig,
  ])
  func routingTreeMatchesAmtoolRoutesShow(yaml: String) throws {
    let parsed = try parseConfig(yaml)
    let file = try Amtool.write(yaml)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let oracle = try Amtool.run(["config", "routes", "show", "--config.file=\(file)"]).output
    let tree = oracle.replacingOccurrences(of: "Routing tree:\n", with: "")
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(parsed.routingTreeText == tree)
  }

  @Test func exampleScenarioRoutesLikeAmtool() throws {
    let yaml = try String(contentsOfFile: AlertmanagerActionTests.scenarioPath, encoding: .utf8)
    let parsed = try parseConfig(yaml)
    #expect(try Amtool.accepts(yaml))
    let file = try Amtool.write(yaml)
    defer { try? FileManager.default.removeItem(atPath: file) }
    for labels in Self.labelSets {
      let arguments = labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }
      let oracle = try Amtool.run(["config", "routes", "test", "--config.file=\(file)"] + arguments)
      let ours = parsed.matchingRoutes(for: labels).map { parsed.routes[$0.index].receiver.rawValue }
      #expect(ours.joined(separator: ",") == oracle.output.trimmingCharacters(in: .whitespacesAndNewlines), "\(labels)")
    }
  }

  static let valid: [String] = [
    AlertmanagerConfigTests.platformConfig,
    AlertmanagerInhibitionTests.yaml,
    AlertmanagerConfigTests.mergeKeysConfig,
    """
    route:
      receiver: a
      group_by: ['...']
      routes:
        - receiver: a
          matchers: ['{severity="critical", service=~"api|web"}']
          mute_time_intervals: [weekends]
    receivers:
      - name: a
    time_intervals:
      - name: weekends
        time_intervals:
          - weekdays: [saturday, sunday]
            days_of_month: ['1:-1']
            location: Europe/Berlin
    """,
  ]

  static let invalid: [(name: String, yaml: String)] = [
    ("unknown receiver", "route:\n  receiver: pager\nreceivers:\n  - name: pagerduty\n"),
    ("duplicate receiver", "route:\n  receiver: a\nreceivers:\n  - name: a\n  - name: a\n"),
    ("bad duration", "route:\n  receiver: a\n  group_wait: 30x\nreceivers:\n  - name: a\n"),
    ("fractional duration", "route:\n  receiver: a\n  group_wait: 1.5m\nreceivers:\n  - name: a\n"),
    ("zero group_interval", "route:\n  receiver: a\n  group_interval: 0s\nreceivers:\n  - name: a\n"),
    (
      "bad regex",
      "route:\n  receiver: a\n  routes:\n    - receiver: a\n      matchers: ['x=~\"(a\"']\nreceivers:\n  - name: a\n"
    ),
    (
      "lookahead",
      "route:\n  receiver: a\n  routes:\n    - receiver: a\n      match_re: {x: '(?!a)b'}\nreceivers:\n  - name: a\n"
    ),
    (
      "backreference",
      "route:\n  receiver: a\n  routes:\n    - receiver: a\n      match_re: {x: '(a)\\1'}\nreceivers:\n  - name: a\n"
    ),
    ("unknown key", "route:\n  receiver: a\n  group_wiat: 30s\nreceivers:\n  - name: a\n"),
    ("root matchers", "route:\n  receiver: a\n  matchers: [x=\"1\"]\nreceivers:\n  - name: a\n"),
    ("root continue", "route:\n  receiver: a\n  continue: true\nreceivers:\n  - name: a\n"),
    ("no root receiver", "route:\n  group_by: [a]\nreceivers:\n  - name: a\n"),
    ("wildcard mixed", "route:\n  receiver: a\n  group_by: ['...', x]\nreceivers:\n  - name: a\n"),
    ("bad label name", "route:\n  receiver: a\n  group_by: [a-b]\nreceivers:\n  - name: a\n"),
    (
      "unescaped quote",
      "route:\n  receiver: a\n  routes:\n    - receiver: a\n      matchers: ['x==\"a\"']\nreceivers:\n  - name: a\n"
    ),
    (
      "ftp webhook",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n      - url: ftp://x.example/\n"
    ),
    (
      "webhook without url",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook_configs:\n      - send_resolved: true\n"
    ),
    (
      "email without smarthost",
      "route:\n  receiver: a\nreceivers:\n  - name: a\n    email_configs:\n      - to: x@example.com\n"
    ),
    (
      "unknown time interval",
      "route:\n  receiver: a\n  routes:\n    - receiver: a\n      mute_time_intervals: [nope]\nreceivers:\n  - name: a\n"
    ),
    (
      "wrapping weekdays",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: w\n    time_intervals:\n      - weekdays: ['saturday:sunday']\n"
    ),
    (
      "bad clock",
      "route:\n  receiver: a\nreceivers:\n  - name: a\ntime_intervals:\n  - name: w\n    time_intervals:\n      - times: [{start_time: '25:00', end_time: '26:00'}]\n"
    ),
    ("yaml syntax", "route:\n  receiver: a\n  group_by: [x\nreceivers:\n  - name: a\n"),
  ]

  @Test func amtoolAcceptsTheValidConfigurationsToo() throws {
    for yaml in Self.valid {
      _ = try parseConfig(yaml)
      #expect(try Amtool.accepts(yaml), "amtool refused:\n\(yaml)")
    }
  }

  @Test func amtoolRefusesWhatWeRefuse() throws {
    for item in Self.invalid {
      #expect(parseErrors(item.yaml).isEmpty == false, "we accepted \(item.name)")
      #expect(try Amtool.accepts(item.yaml) == false, "amtool accepted \(item.name)")
    }
  }
}
