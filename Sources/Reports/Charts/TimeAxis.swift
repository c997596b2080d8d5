import Foundation

/// A time axis over a run's simulated window, ticked at calendar boundaries in the
/// scenario's time zone: hours, local midnights, Mondays or first days of months,
/// whichever gives about six to ten ticks; labelled with dates (`Mon 5 Jan`), not
/// "day 3".
public struct TimeAxis: Sendable {
  /// Window start and end, UTC epoch seconds.
  public var start: Double
  public var end: Double
  /// The IANA zone the ticks and labels are in (`Europe/Berlin`).
  public var timeZoneIdentifier: String
  /// Tick instants (epoch seconds) and their labels.
  public var ticks: [(time: Double, label: String)]

  /// The zone's name for the axis title, e.g. `date (Europe/Berlin)`.
  public var title: String { "date (\(timeZoneIdentifier))" }

  /// Where `time` falls, 0 at the start to 1 at the end (clamped).
  public func fraction(_ time: Double) -> Double {
    end > start ? min(max((time - start) / (end - start), 0), 1) : 0
  }

  /// Ticks for `start…end` in `timeZone` (UTC if the identifier is unknown).
  public init(start: Double, end: Double, timeZone identifier: String, maximumTicks: Int = 10) {
    self.start = start
    self.end = max(end, start + 1)
    let zone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC") ?? .current
    timeZoneIdentifier = zone.identifier
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    calendar.firstWeekday = 2  // ISO weeks start on Monday.
    let span = self.end - self.start
    let hour = 3_600.0
    let day = 86_400.0
    // (step in hours or days, unit): the first that gives at most maximumTicks ticks.
    let candidates: [(Int, Calendar.Component)] = [
      (1, .hour), (2, .hour), (3, .hour), (6, .hour), (12, .hour), (1, .day), (2, .day), (7, .day), (14, .day),
      (1, .month), (3, .month), (12, .month),
    ]
    var chosen = candidates[candidates.count - 1]
    for candidate in candidates {
      let length: Double
      switch candidate.1 {
      case .hour: length = Double(candidate.0) * hour
      case .day: length = Double(candidate.0) * day
      default: length = Double(candidate.0) * 30 * day
      }
      if span / length <= Double(maximumTicks) {
        chosen = candidate
        break
      }
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    let startDate = Date(timeIntervalSince1970: self.start)
    var first: Date
    switch chosen.1 {
    case .hour:
      let components = calendar.dateComponents([.year, .month, .day, .hour], from: startDate)
      first = calendar.date(from: components) ?? startDate
      let aligned = (components.hour ?? 0) / chosen.0 * chosen.0
      first = calendar.date(bySettingHour: aligned, minute: 0, second: 0, of: first) ?? first
      formatter.dateFormat = "HH:mm"
    case .day:
      first = calendar.startOfDay(for: startDate)
      if chosen.0 == 7 || chosen.0 == 14 {
        // Mondays.
        let weekday = calendar.component(.weekday, from: first)
        let back = (weekday + 5) % 7
        first = calendar.date(byAdding: .day, value: -back, to: first) ?? first
        formatter.dateFormat = "d MMM"
      } else {
        formatter.dateFormat = "EEE d MMM"
      }
    default:
      let components = calendar.dateComponents([.year, .month], from: startDate)
      first = calendar.date(from: components) ?? startDate
      formatter.dateFormat = "MMM yyyy"
    }
    var ticks: [(Double, String)] = []
    var current = first
    var guardCount = 0
    let dayFormatter = DateFormatter()
    dayFormatter.locale = Locale(identifier: "en_US_POSIX")
    dayFormatter.timeZone = zone
    dayFormatter.dateFormat = "d MMM HH:mm"
    while current.timeIntervalSince1970 <= self.end + 1e-6 && guardCount < 1_000 {
      guardCount += 1
      let time = current.timeIntervalSince1970
      if time >= self.start - 1e-6 {
        // Hour ticks name the date at local midnight and at the first tick.
        let isMidnight = calendar.component(.hour, from: current) == 0
        let label =
          chosen.1 == .hour && (isMidnight || ticks.isEmpty)
          ? dayFormatter.string(from: current) : formatter.string(from: current)
        ticks.append((time, label))
      }
      guard let next = calendar.date(byAdding: chosen.1, value: chosen.0, to: current), next > current else { break }
      current = next
    }
    self.ticks = ticks
  }
}
