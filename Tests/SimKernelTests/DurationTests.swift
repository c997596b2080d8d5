import Testing

@testable import SimKernel

@Suite("Durations")
struct DurationTests {
  @Test(
    "parses the documented forms",
    arguments: [
      ("90s", 90_000_000), ("5m", 300_000_000), ("2h30m", 9_000_000_000), ("30d", 2_592_000_000_000),
      ("1.5h", 5_400_000_000), ("250ms", 250_000), ("1w", 604_800_000_000), ("1m30s", 90_000_000), ("0", 0),
      ("10us", 10), ("1h0m5s", 3_605_000_000),
    ] as [(String, Int64)])
  func parses(text: String, microseconds: Int64) {
    #expect(SimDuration(parsing: text)?.microseconds == microseconds)
  }

  @Test("rejects malformed text", arguments: ["5", "-5m", "30m2h", "m", "", "5x", "5 m", "1h1h", "1.2.3s", "ms"])
  func rejects(text: String) {
    #expect(SimDuration(parsing: text) == nil)
  }

  @Test("formats and reads back", arguments: ["90ms", "2h30m", "30d", "1d2h3m4s", "0s", "45s"])
  func roundTrip(text: String) throws {
    let duration = try #require(SimDuration(parsing: text))
    #expect(SimDuration(parsing: duration.formatted) == duration)
  }

  @Test("seconds round to the nearest microsecond and saturate instead of trapping")
  func secondsConversion() {
    #expect(SimDuration(seconds: 1.0000004).microseconds == 1_000_000)
    #expect(SimDuration(seconds: 1.0000006).microseconds == 1_000_001)
    #expect(SimDuration(seconds: .infinity).microseconds > 0)
    #expect(SimDuration(seconds: 1e30).microseconds > SimDuration.days(365 * 1000).microseconds)
  }
}
