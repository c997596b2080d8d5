import Foundation
import Testing

/// Runs the built `platformsim` executable as a separate process, the way users and CI do.
enum PlatformSimProcess {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The executable: `$PLATFORMSIM_BINARY`, else next to the test bundle, else under .build/.
  static var executable: URL {
    if let override = ProcessInfo.processInfo.environment["PLATFORMSIM_BINARY"] {
      return URL(fileURLWithPath: override)
    }
    var candidates: [URL] = []
    if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
      candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("platformsim"))
    }
    let argumentZero = URL(fileURLWithPath: CommandLine.arguments[0])
    candidates.append(argumentZero.deletingLastPathComponent().appendingPathComponent("platformsim"))
    candidates.append(
      argumentZero.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("platformsim"))
    candidates.append(repositoryRoot.appendingPathComponent(".build/debug/platformsim"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
  }

  struct Result {
    var status: Int32
    var standardOutput: String
    var standardError: String
  }

  /// Starts the tool; the caller waits or kills.
  static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    var merged = ProcessInfo.processInfo.environment
    merged.removeValue(forKey: "SWIFT_DETERMINISTIC_HASHING")
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    return (process, output, error)
  }

  /// Runs the tool to completion.
  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    let (process, output, error) = try start(arguments, environment: environment)
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData, as: UTF8.self))
  }

  /// Runs another program (curl, python3) in the repository root to completion.
  static func runTool(_ executable: String, _ arguments: [String]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData, as: UTF8.self))
  }

  /// A fresh scratch directory for one test.
  static func scratchDirectory(_ name: String = #function) -> URL {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "platformsim-e2e-\(getpid())-\(name.filter { $0.isLetter })-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  /// Writes a small scenario with a runner pool and returns its path.
  static func writeScenario(
    in directory: URL, name: String = "e2e", duration: String = "3d", limits: String = "", runners: Int = 3,
    ratePerHour: Double = 60
  ) throws -> String {
    let path = directory.appendingPathComponent("\(name).yaml").path
    try """
    apiVersion: platformsim.dev/v1alpha1
    kind: Scenario
    metadata:
      name: \(name)
    spec:
      simulation:
        start: 2026-01-05T00:00:00
        timeZone: Europe/Berlin
        duration: \(duration)
        seed: 42
    \(limits)
      delivery:
        runnerPool:
          runners: \(runners)
          backgroundJobs:
            arrivals:
              ratePerHour: \(ratePerHour)
              hourOfDay: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1]
            duration:
              lognormal: {median: 2m, p90: 6m}
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}
