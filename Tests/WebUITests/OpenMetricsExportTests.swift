import Foundation
import ResultStore
import Testing

@testable import Exports

@Suite("OpenMetrics export, backfilled by promtool", .serialized)
struct OpenMetricsExportTests {
  static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The fixture's run with two stored request series (one sample a staleness marker).
  static func export() throws -> (text: String, summary: OpenMetricsExport.Summary) {
    let path = try SiteFixture.database()
    let store = try ResultStore(path: path)
    try store.database.execute(
      """
      INSERT INTO series (run_id, series_id, labels) VALUES
        (1, 1, 'http_requests_total{code="200", service="b-service", team="team-a", track="stable"}'),
        (1, 2, 'http_request_duration_seconds_bucket{le="0.1", service="b-service", team="team-a", track="stable"}');
      INSERT INTO series_samples (run_id, series_id, time, value) VALUES
        (1, 1, 1767567660, 10), (1, 1, 1767567720, 25), (1, 1, 1767567780, NULL), (1, 1, 1767567840.5, 31),
        (1, 2, 1767567660, 7);
      """)
    let export = try OpenMetricsExport(store: try ResultStore(readingOnly: path), runID: 1, stepSeconds: 60)
    var bytes: [UInt8] = []
    let summary = try export.write { bytes += $0 }
    return (String(decoding: bytes, as: UTF8.self), summary)
  }

  @Test("the text is OpenMetrics: families with TYPE, label escapes, timestamps in seconds, # EOF")
  func shape() throws {
    let (text, summary) = try Self.export()
    #expect(text.hasSuffix("# EOF\n"))
    #expect(text.contains("# TYPE http_requests counter\n"))
    #expect(
      text.contains(
        "http_requests_total{run=\"1\",code=\"200\",service=\"b-service\",team=\"team-a\",track=\"stable\"} 25 1767567720\n"
      ))
    #expect(text.contains(" 31 1767567840.500\n"), "millisecond timestamps")
    #expect(!text.contains("NaN"), "staleness markers are left out")
    #expect(text.contains("# TYPE http_request_duration_seconds histogram\n"))
    #expect(summary.hasStoredSeries)
    #expect(
      OpenMetricsWriter.labelText([("a", "x\"y\\z\nw")]) == "{a=\"x\\\"y\\\\z\\nw\"}", "quotes, backslashes, newlines")
  }

  @Test("promtool backfills the export and the TSDB holds the series and samples written")
  func promtoolBackfill() throws {
    guard let promtool = Self.promtool else {
      Issue.record("promtool is not installed (.ci/run installs Debian's prometheus package)")
      return
    }
    let (text, summary) = try Self.export()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "platformsim-om-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("run.om").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    let tsdb = directory.appendingPathComponent("data").path
    let backfill = try Self.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", file, tsdb])
    #expect(backfill.status == 0, "\(backfill.output)")
    // promtool 2.42's dump opens the TSDB read-only, which reads the write-ahead log and
    // fails without its folder; a backfill writes blocks only, as Prometheus would find
    // them after a restart with an empty WAL.
    try FileManager.default.createDirectory(atPath: tsdb + "/wal", withIntermediateDirectories: true)
    let dump = try Self.run(promtool, ["tsdb", "dump", tsdb])
    #expect(dump.status == 0, "\(dump.output.suffix(500))")
    // Lines: {__name__="…", label="…", …} value timestamp-ms
    var samples: [String: [(Int64, Double)]] = [:]
    for line in dump.output.split(separator: "\n") where line.hasPrefix("{") {
      guard let close = line.lastIndex(of: "}") else { continue }
      let labels = String(line[...close])
      let fields = line[line.index(after: close)...].split(separator: " ")
      guard fields.count == 2, let value = Double(fields[0]), let time = Int64(fields[1]) else { continue }
      samples[labels, default: []].append((time, value))
    }
    #expect(samples.count == summary.series, "every series written is in the TSDB")
    #expect(samples.values.reduce(0) { $0 + $1.count } == summary.samples, "and every sample")
    func series(_ name: String, _ contains: [String]) -> [(Int64, Double)] {
      samples.first { key, _ in key.contains("__name__=\"\(name)\"") && contains.allSatisfy { key.contains($0) } }?
        .value.sorted { $0.0 < $1.0 } ?? []
    }
    let requests = series("http_requests_total", ["track=\"stable\""])
    #expect(requests.map(\.1) == [10, 25, 31] && requests.last?.0 == 1_767_567_840_500)
    // The spot node was ready 12:00–13:00 Berlin time: 60 one-minute samples at 1 (13:00 itself is 0).
    let gpu = series("platformsim_nodes_ready", ["pool=\"gpu\""])
    #expect(gpu.count == 1_441, "a sample every minute of the day, both ends included")
    #expect(gpu.filter { $0.1 == 1 }.count == 60)
    #expect(gpu.first { $0.1 == 1 }?.0 == 1_767_610_800_000)
    let firing = series("ALERTS", ["alertstate=\"firing\"", "alertname=\"ErrorRateHigh\""])
    #expect(firing.count == 55, "firing 08:50 to 09:45: 55 evaluations at one a minute")
    #expect(series("ALERTS", ["alertstate=\"pending\""]).count == 3)
    let cost = series("platformsim_cost_usd_total", ["team=\"team-a\""])
    #expect(abs((cost.last?.1 ?? 0) - 1.5) < 1e-6, "the team's counter ends at its allocated cost")
    let tier = series("platformsim_dora_tier", ["metric=\"lead_time\"", "tier=\"elite\""])
    #expect(tier.map(\.1) == [1])
  }
}
