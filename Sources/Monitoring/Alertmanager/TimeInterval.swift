import InputReading
import SimKernel

/// A named entry of `time_intervals` (or the older `mute_time_intervals`): a list of
/// periods, any of which makes the interval active.
public struct NamedTimeInterval: Sendable {
  public let name: String
  public let keyPath: DocumentKeyPath
  public let periods: [TimeIntervalPeriod]
}

/// One period of a time interval: clock times, weekdays, days of month, months and
/// years, each optional, all of which must hold; within a field any range may hold.
///
/// Mirrors `timeinterval.TimeInterval.ContainsTime` in alertmanager's
/// timeinterval/timeinterval.go: times are half-open minute ranges
/// (`start_time` ≤ t < `end_time`), the other fields inclusive ranges; negative days
/// of month count from the month's end (-1 is the last day); the time is read in
/// `location` (UTC by default).
public struct TimeIntervalPeriod: Sendable {
  /// Minute-of-day ranges, half-open.
  public var times: [Range<Int>] = []
  /// Inclusive ranges of Go weekdays, Sunday = 0 … Saturday = 6.
  public var weekdays: [ClosedRange<Int>] = []
  /// Inclusive ranges; negative values count from the end of the month.
  public var daysOfMonth: [(begin: Int, end: Int)] = []
  /// Inclusive ranges, January = 1.
  public var months: [ClosedRange<Int>] = []
  public var years: [ClosedRange<Int>] = []
  /// IANA zone name; `nil` means UTC.
  public var location: String?

  /// Whether the wall-clock moment (in this period's location) falls in the period.
  func contains(year: Int, month: Int, day: Int, weekdaySundayZero: Int, minuteOfDay: Int) -> Bool {
    if !times.isEmpty, !times.contains(where: { $0.contains(minuteOfDay) }) { return false }
    if !daysOfMonth.isEmpty {
      let monthLength = AlertmanagerText.daysInMonth(year: year, month: month)
      var inside = false
      for range in daysOfMonth {
        var begin = range.begin < 0 ? monthLength + range.begin + 1 : range.begin
        var end = range.end < 0 ? monthLength + range.end + 1 : range.end
        if begin > monthLength { continue }
        begin = min(max(begin, -monthLength), monthLength)
        end = min(max(end, -monthLength), monthLength)
        if day >= begin && day <= end {
          inside = true
          break
        }
      }
      if !inside { return false }
    }
    if !months.isEmpty, !months.contains(where: { $0.contains(month) }) { return false }
    if !weekdays.isEmpty, !weekdays.contains(where: { $0.contains(weekdaySundayZero) }) { return false }
    if !years.isEmpty, !years.contains(where: { $0.contains(year) }) { return false }
    return true
  }
}

extension AlertmanagerText {
  /// The number of days in a month of the Gregorian calendar (January = 1).
  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2:
      let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
      return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

/// Evaluates time intervals at simulated times, reading the wall clock through one
/// ``SimCalendar`` per location.
///
/// Why calendars are built up front: time-zone offsets come from the system's tz
/// database, which is Foundation; the event loop then only does table look-ups.
struct TimeIntervalClock: Sendable {
  let intervals: [String: NamedTimeInterval]
  let calendars: [String: SimCalendar]

  init(intervals: [NamedTimeInterval], startEpochSeconds: Int64, horizon: SimDuration) {
    var byName: [String: NamedTimeInterval] = [:]
    var calendars: [String: SimCalendar] = [:]
    for interval in intervals {
      byName[interval.name] = interval
      for period in interval.periods {
        let zone = period.location ?? "UTC"
        if calendars[zone] == nil {
          calendars[zone] = SimCalendar(
            startEpochSeconds: startEpochSeconds, timeZoneIdentifier: zone, horizon: horizon)
        }
      }
    }
    self.intervals = byName
    self.calendars = calendars
  }

  /// Whether `time` is inside any of the named intervals (`inTimeIntervals` in
  /// notify/notify.go).
  func isInside(anyOf names: [String], at time: SimTime) -> Bool {
    for name in names {
      guard let interval = intervals[name] else { continue }
      for period in interval.periods {
        guard let calendar = calendars[period.location ?? "UTC"] else { continue }
        let local = calendar.localTime(at: time)
        let date = civilFromDays(Int(local.dayNumber))
        // LocalTime.weekday is Monday = 0; Go's time.Weekday is Sunday = 0.
        let weekday = (local.weekday + 1) % 7
        let minute = Int(local.microsecondOfDay / 60_000_000)
        if period.contains(
          year: date.year, month: date.month, day: date.day, weekdaySundayZero: weekday, minuteOfDay: minute)
        {
          return true
        }
      }
    }
    return false
  }
}
