/// Weekly windows of local time, such as `Mon-Fri 07:00-20:00`: working hours,
/// night schedules, dev environments that sleep.
///
/// Text form, one window per string: a day set, a space, and `HH:MM-HH:MM`.
/// Day sets are `Mon-Fri`, `Sat,Sun`, `Fri-Mon` (wrapping), `Mon`, or `daily`.
/// An end earlier than the start crosses midnight and belongs to the start day
/// (`Fri 22:00-02:00` runs into Saturday); `24:00` ends at midnight.
public struct WeeklySchedule: Equatable, Sendable {
  /// Covered spans in minutes since Monday 00:00, half-open, sorted, merged, in [0, 10080).
  public let spans: [Range<Int>]

  static let minutesPerWeek = 10_080
  static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  /// Why a window string did not parse.
  public struct ParseError: Error, Equatable, Sendable {
    public let text: String
    public let reason: String
  }

  /// Parses a list of window strings.
  public init(windows: [String]) throws(ParseError) {
    var raw: [Range<Int>] = []
    for window in windows { raw += try WeeklySchedule.parseWindow(window) }
    spans = WeeklySchedule.merge(raw)
  }

  public init(spans: [Range<Int>]) { self.spans = WeeklySchedule.merge(spans) }

  /// Whether local time `local` falls inside a window.
  public func contains(_ local: LocalTime) -> Bool {
    let minute = local.minuteOfWeek
    return spans.contains { Double($0.lowerBound) <= minute && minute < Double($0.upperBound) }
  }

  /// Whether simulated time `time` falls inside a window, read on `calendar`'s clock.
  public func contains(_ time: SimTime, calendar: SimCalendar) -> Bool {
    contains(calendar.localTime(at: time))
  }

  /// The first time after `time` at which being inside the schedule changes, or `nil`
  /// if it never does (empty or always-on schedules).
  public func nextChange(after time: SimTime, calendar: SimCalendar) -> SimTime? {
    let boundaries =
      spans.flatMap { [$0.lowerBound, $0.upperBound] }
      .filter { $0 != 0 && $0 != WeeklySchedule.minutesPerWeek }
      + (spans.first?.lowerBound == 0 && spans.last?.upperBound != WeeklySchedule.minutesPerWeek ? [0] : [])
      + (spans.last?.upperBound == WeeklySchedule.minutesPerWeek && spans.first?.lowerBound != 0 ? [0] : [])
    guard !boundaries.isEmpty else { return nil }
    let inside = contains(time, calendar: calendar)
    let local = calendar.localTime(at: time)
    let weekStartDay = local.dayNumber - Int64(local.weekday)
    // Candidate boundaries this week and next, in local time, in order.
    var candidates: [SimTime] = []
    for week in 0...2 {
      for minute in boundaries {
        let localMicroseconds = ((weekStartDay + Int64(week * 7)) * 1_440 + Int64(minute)) * 60_000_000
        let candidate = calendar.simTime(atLocal: LocalTime(microsecondsSinceEpoch: localMicroseconds))
        if candidate > time { candidates.append(candidate) }
      }
    }
    for candidate in candidates.sorted() where contains(candidate, calendar: calendar) != inside {
      return candidate
    }
    return nil
  }

  // MARK: - Parsing

  static func parseWindow(_ text: String) throws(ParseError) -> [Range<Int>] {
    let parts = text.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 2 else {
      throw ParseError(text: text, reason: "expected days and hours such as `Mon-Fri 07:00-20:00`")
    }
    let days = try parseDays(String(parts[0]), in: text)
    let hourParts = parts[1].split(separator: "-")
    guard hourParts.count == 2, let start = parseClock(hourParts[0]), let end = parseClock(hourParts[1]),
      start < 1_440
    else {
      throw ParseError(text: text, reason: "expected hours as `HH:MM-HH:MM` (00:00 to 24:00)")
    }
    guard start != end else {
      throw ParseError(text: text, reason: "the window `\(parts[1])` is empty: start and end are equal")
    }
    var spans: [Range<Int>] = []
    for day in days {
      let dayStart = day * 1_440
      let from = dayStart + start
      let to = end > start ? dayStart + end : dayStart + 1_440 + end
      if to <= minutesPerWeek {
        spans.append(from..<to)
      } else {
        spans.append(from..<minutesPerWeek)
        spans.append(0..<(to - minutesPerWeek))
      }
    }
    return spans
  }

  static func parseDays(_ text: String, in window: String) throws(ParseError) -> [Int] {
    let lowered = text.lowercased()
    if lowered == "daily" || lowered == "mon-sun" { return Array(0..<7) }
    var days: [Int] = []
    for item in lowered.split(separator: ",") {
      let ends = item.split(separator: "-")
      guard (1...2).contains(ends.count),
        let first = dayNames.firstIndex(of: String(ends[0].prefix(3))), ends[0].count >= 3,
        dayNames[first].hasPrefix(ends[0].prefix(3))
      else {
        throw ParseError(
          text: window,
          reason: "unknown day `\(item)`: use Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges like Mon-Fri, or `daily`")
      }
      if ends.count == 1 {
        days.append(first)
        continue
      }
      guard let last = dayNames.firstIndex(of: String(ends[1].prefix(3))) else {
        throw ParseError(text: window, reason: "unknown day `\(ends[1])`: use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
      }
      var day = first
      while true {
        days.append(day)
        if day == last { break }
        day = (day + 1) % 7
      }
    }
    return days
  }

  static func parseClock(_ text: Substring) -> Int? {
    let fields = text.split(separator: ":")
    guard fields.count == 2, fields[0].count <= 2, fields[1].count == 2,
      let hour = Int(fields[0]), let minute = Int(fields[1]),
      (0...24).contains(hour), (0..<60).contains(minute), hour < 24 || minute == 0
    else { return nil }
    return hour * 60 + minute
  }

  static func merge(_ spans: [Range<Int>]) -> [Range<Int>] {
    var merged: [Range<Int>] = []
    for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) where !span.isEmpty {
      if let last = merged.last, span.lowerBound <= last.upperBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
      } else {
        merged.append(span)
      }
    }
    return merged
  }
}
