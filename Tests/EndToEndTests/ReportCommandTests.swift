import Foundation
import Testing

/// `platformsim report` rendered the way a reader sees it: in headless Chromium.
@Suite("platformsim report", .serialized)
struct ReportCommandTests {
  static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Runs Chromium headless with `arguments` and returns (stdout, stderr).
  static func chromium(_ arguments: [String]) throws -> (output: String, error: String) {
    let process = Process()
    process.executableURL = URL(
      fileURLWithPath: try #require(chromium, "chromium is not installed (.ci/run installs it)"))
    process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0"] + arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
  }

  @Test("the HTML report of an experiment renders in Chromium with its charts drawn and no console errors")
  func htmlRendersInChromium() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("r.sqlite").path
    let compare = try PlatformSimProcess.run([
      "compare", "--baseline", "scenarios/experiments/baseline.yaml", "--candidate",
      "scenarios/experiments/candidate-better.yaml",
      "--replications", "3", "--until", "3d", "--db", database, "--quiet",
    ])
    #expect(compare.status == 0, "\(compare.standardError)")
    let output = directory.appendingPathComponent("reports").path
    let report = try PlatformSimProcess.run(["report", "--db", database, "--experiment", "1", "--output", output])
    #expect(report.status == 0, "\(report.standardError)")
    let html = output + "/report-experiment-1.html"
    let page = try String(contentsOfFile: html, encoding: .utf8)
    #expect(!page.contains("<script"), "no JavaScript")
    #expect(!page.contains("http://") || !page.contains("src=\"http"), "no network resources")
    let markdown = try String(contentsOfFile: output + "/report-experiment-1.md", encoding: .utf8)
    #expect(markdown.contains("| `lead_time_median_seconds` |"))

    let screenshot = directory.appendingPathComponent("report.png").path
    let shot = try Self.chromium(["--screenshot=\(screenshot)", "--window-size=1100,3000", "file://\(html)"])
    let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
    #expect(png.count > 20_000, "a non-trivial screenshot")
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG file")
    #expect(!shot.error.contains("Uncaught"), "\(shot.error)")

    let dom = try Self.chromium(["--dump-dom", "file://\(html)"])
    #expect(!dom.error.contains("CONSOLE"), "console messages: \(dom.error)")
    let svgCount = dom.output.components(separatedBy: "<svg").count - 1
    #expect(svgCount >= 10, "charts in the DOM: \(svgCount)")
    // Drawn charts: bars (rect with a height) and lines (path with data), not empty frames.
    let bars = dom.output.components(separatedBy: "<rect ").dropFirst().filter { !$0.hasPrefix("x=\"0.5\"") }.count
    let paths = dom.output.components(separatedBy: "<path d=\"M").count - 1
    #expect(bars > 50, "bars drawn: \(bars)")
    #expect(paths > 50, "lines drawn: \(paths)")
    for section in [
      "KPI means with 95 % confidence intervals", "Paired differences", "Deployments", "Cluster nodes", "Cost",
      "Training",
    ] {
      #expect(dom.output.contains(section), "the report lacks \(section)")
    }
  }

  @Test("report on a database without that run exits 2")
  func missingRun() throws {
    let directory = PlatformSimProcess.scratchDirectory()
    let database = directory.appendingPathComponent("r.sqlite").path
    let scenario = try PlatformSimProcess.writeScenario(in: directory, duration: "1d")
    #expect(try PlatformSimProcess.run(["run", scenario, "--db", database, "--quiet"]).status == 0)
    let result = try PlatformSimProcess.run(["report", "--db", database, "--run", "9", "--output", directory.path])
    #expect(result.status == 2)
    #expect(result.standardError.contains("has no run 9"))
    let ok = try PlatformSimProcess.run(["report", "--db", database, "--output", directory.path])
    #expect(ok.status == 0, "\(ok.standardError)")
  }
}
