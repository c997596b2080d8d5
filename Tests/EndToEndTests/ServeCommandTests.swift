import Foundation
import Testing

/// `platformsim serve` as a user starts it: pages over real runs, a real browser, the
/// OpenAPI document checked against the running server, and its bad-input behaviour.
@Suite("platformsim serve", .serialized)
struct ServeCommandTests {
  /// Whether Python can import `module` (Playwright, jsonschema, …).
  static func pythonHas(_ module: String) -> Bool {
    (try? PlatformSimProcess.runTool("/usr/bin/env", ["python3", "-c", "import \(module)"]).status) == 0
  }

  static let browserReady =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && pythonHas("playwright.sync_api")
  static let openAPIReady = pythonHas("openapi_spec_validator") && pythonHas("jsonschema") && pythonHas("yaml")
  /// In CI (`CI=true`, set by .ci/run's runner) the browser and OpenAPI tests never skip:
  /// a missing tool is a failure there, not a silent pass.
  static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

  /// A database with two runs of the golden path (3 simulated days) and two gates (a worse
  /// and a better candidate), so both compare pages have two of a kind.
  static let database: String = {
    let directory = PlatformSimProcess.scratchDirectory("serve")
    let path = directory.appendingPathComponent("serve.sqlite").path
    for seed in ["1", "2"] {
      _ = try? PlatformSimProcess.run([
        "run", "scenarios/golden-path.yaml", "--seed", seed, "--until", "3d", "--db", path, "--quiet",
      ])
    }
    for candidate in ["candidate-worse", "candidate-better"] {
      _ = try? PlatformSimProcess.run([
        "gate", "--baseline", "scenarios/experiments/baseline.yaml", "--candidate",
        "scenarios/experiments/\(candidate).yaml", "--rules", "scenarios/experiments/gate.yaml", "--replications", "3",
        "--until", "2d", "--db", path, "--output", directory.appendingPathComponent("\(candidate).md").path,
      ])
    }
    return path
  }()

  /// Starts `platformsim serve` on a free port; returns the process and its base URL.
  static func startServer(_ extra: [String] = []) throws -> (Process, String) {
    let (process, output, _) = try PlatformSimProcess.start(["serve", "--db", database, "--port", "0"] + extra)
    var line = ""
    let handle = output.fileHandleForReading
    while !line.contains("\n") {
      let data = handle.availableData
      if data.isEmpty { break }
      line += String(decoding: data, as: UTF8.self)
    }
    let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }, "serve printed: \(line)")
    return (process, String(url).trimmingCharacters(in: CharacterSet(charactersIn: "/")))
  }

  @Test("serve listens on loopback by default and answers pages and the API")
  func serves() throws {
    let (process, base) = try Self.startServer()
    defer { process.terminate(); process.waitUntilExit() }
    #expect(base.hasPrefix("http://127.0.0.1:"), "loopback unless --host")
    let page = try PlatformSimProcess.runTool(
      "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/runs/1"])
    #expect(page.standardOutput == "200")
    let missing = try PlatformSimProcess.runTool("/usr/bin/curl", ["-s", base + "/runs/999"])
    #expect(missing.standardOutput.contains("Run 999 does not exist in this database."))
  }

  @Test("a port already in use is exit 2 with a message")
  func portInUse() throws {
    let (process, base) = try Self.startServer()
    defer { process.terminate(); process.waitUntilExit() }
    let port = try #require(base.split(separator: ":").last.map(String.init))
    let second = try PlatformSimProcess.run(["serve", "--db", Self.database, "--port", port])
    #expect(second.status == 2)
    #expect(second.standardError.contains("port \(port) on 127.0.0.1 is already in use"), "\(second.standardError)")
  }

  @Test("a missing database is exit 2 before anything listens")
  func missingDatabase() throws {
    let result = try PlatformSimProcess.run(["serve", "--db", "/nonexistent/x.sqlite", "--port", "0"])
    #expect(result.status == 2 && result.standardError.contains("no database at /nonexistent/x.sqlite"))
  }

  @Test(
    "every documented API path answers with a body matching docs/openapi.yaml",
    .enabled(
      if: openAPIReady || inCI, "needs pip install openapi-spec-validator jsonschema pyyaml (.ci/run installs them)"))
  func openAPIConformance() throws {
    let (process, base) = try Self.startServer()
    defer { process.terminate(); process.waitUntilExit() }
    let check = try PlatformSimProcess.runTool(
      "/usr/bin/env", ["python3", "scripts/check-openapi.py", base, "docs/openapi.yaml"])
    #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
  }

  @Test(
    "Chromium loads every page: no console errors, no broken links, labelled axes, compare shows both runs",
    .enabled(if: browserReady || inCI, "needs /usr/bin/chromium and pip install playwright (.ci/run installs them)"))
  func browser() throws {
    let (process, base) = try Self.startServer()
    defer { process.terminate(); process.waitUntilExit() }
    let screenshots = PlatformSimProcess.repositoryRoot.appendingPathComponent("reports/browser-screenshots").path
    var arguments = ["python3", "scripts/browser-test.py", base, screenshots]
    if let readme = ProcessInfo.processInfo.environment["PLATFORMSIM_README_SCREENSHOT"] {
      arguments += ["--readme-screenshot", readme]
    }
    let result = try PlatformSimProcess.runTool("/usr/bin/env", arguments)
    #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
  }
}
