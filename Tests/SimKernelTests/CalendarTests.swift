import Testing

@testable import SimKernel

@Suite("Calendar and weekly windows")
struct CalendarTests {
  /// 2026-03-28T00:00:00Z, a Saturday; Berlin switches to summer time on Sunday 29 March at 01:00 UTC.
  static let beforeSpringForward: Int64 = Int64(daysFromCivil(year: 2026, month: 3, day: 28)) * 86_400

  func berlin(_ start: Int64 = beforeSpringForward, days: Int64 = 10) throws -> SimCalendar {
    try #require(SimCalendar(startEpochSeconds: start, timeZoneIdentifier: "Europe/Berlin", horizon: .days(days)))
  }

  @Test("civil date arithmetic round-trips and knows weekdays")
  func civilDates() {
    #expect(daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    #expect(daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
    for days in stride(from: -800_000, through: 800_000, by: 997) {
      let (year, month, day) = civilFromDays(days)
      #expect(daysFromCivil(year: year, month: month, day: day) == days)
    }
    #expect(LocalTime(year: 2026, month: 1, day: 5).weekday == 0, "5 January 2026 is a Monday")
    #expect(LocalTime(year: 2026, month: 3, day: 29).weekday == 6, "29 March 2026 is a Sunday")
  }

  @Test("local time follows the zone's offset across the spring-forward transition")
  func springForward() throws {
    let calendar = try berlin()
    #expect(calendar.utcOffsetSeconds(at: .zero) == 3_600)
    // 2026-03-29T00:59:59Z is 01:59:59 CET; one second later it is 03:00:00 CEST.
    let justBefore = SimTime.zero + .hours(24) + .minutes(59) + .seconds(59)
    #expect(calendar.localTime(at: justBefore).formatted == "2026-03-29T01:59:59")
    #expect(calendar.localTime(at: justBefore + .seconds(1)).formatted == "2026-03-29T03:00:00")
    #expect(calendar.utcOffsetSeconds(at: justBefore + .seconds(1)) == 7_200)
    #expect(calendar.formatted(justBefore + .seconds(1)) == "2026-03-29T03:00:00+02:00")
  }

  @Test("local readings map back to simulated time; a DST gap maps past the jump")
  func inverse() throws {
    let calendar = try berlin()
    let ordinary = LocalTime(year: 2026, month: 3, day: 30, hour: 9)
    let time = calendar.simTime(atLocal: ordinary)
    #expect(calendar.localTime(at: time) == ordinary)
    let inGap = LocalTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30)
    let placed = calendar.simTime(atLocal: inGap)
    #expect(calendar.localTime(at: placed).formatted == "2026-03-29T03:30:00")
  }

  @Test("an unknown zone is refused")
  func unknownZone() {
    #expect(SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "Mars/Olympus_Mons", horizon: .days(1)) == nil)
    #expect(!SimCalendar.isKnownTimeZone("Europe/Berlinn"))
    #expect(SimCalendar.isKnownTimeZone("America/New_York"))
  }

  @Test("weekly windows parse day sets, hour ranges and midnight crossings")
  func parsing() throws {
    let working = try WeeklySchedule(windows: ["Mon-Fri 07:00-20:00"])
    #expect(working.spans.count == 5)
    #expect(working.spans.first == 420..<1_200)
    let night = try WeeklySchedule(windows: ["Fri 22:00-02:00"])
    #expect(night.spans == [(4 * 1_440 + 1_320)..<(5 * 1_440 + 120)])
    let wrapping = try WeeklySchedule(windows: ["Sun 23:00-01:00"])
    #expect(wrapping.spans == [0..<60, (6 * 1_440 + 1_380)..<10_080])
    let listed = try WeeklySchedule(windows: ["Sat,Sun 10:00-14:00", "daily 00:00-24:00"])
    #expect(listed.spans == [0..<10_080])
    let circular = try WeeklySchedule(windows: ["Fri-Mon 09:00-10:00"])
    #expect(circular.spans.count == 4)
  }

  @Test(
    "bad window strings say what is wrong",
    arguments: [
      ("Mon-Fri", "days and hours"), ("Mon-Fri 7-20", "HH:MM"), ("Mun-Fri 07:00-20:00", "unknown day"),
      ("Mon 25:00-26:00", "HH:MM"), ("Mon 09:00-09:00", "empty"), ("Mon-Fry 07:00-08:00", "unknown day"),
    ])
  func parseErrors(text: String, fragment: String) {
    #expect {
      try WeeklySchedule(windows: [text])
    } throws: { error in
      (error as? WeeklySchedule.ParseError)?.reason.contains(fragment) == true
    }
  }

  @Test("inside/outside and the next change follow local time, across DST")
  func nextChange() throws {
    let calendar = try berlin()
    let schedule = try WeeklySchedule(windows: ["Mon-Fri 07:00-20:00"])
    // Saturday 01:00 local: off until Monday 07:00 CEST (= 05:00 UTC, Mon 30 March).
    let saturday = SimTime.zero
    #expect(!schedule.contains(saturday, calendar: calendar))
    let opening = try #require(schedule.nextChange(after: saturday, calendar: calendar))
    #expect(calendar.localTime(at: opening).formatted == "2026-03-30T07:00:00")
    #expect(calendar.epochSeconds(at: opening) == Double(Self.beforeSpringForward + 2 * 86_400 + 5 * 3_600))
    #expect(schedule.contains(opening, calendar: calendar))
    let closing = try #require(schedule.nextChange(after: opening, calendar: calendar))
    #expect(calendar.localTime(at: closing).formatted == "2026-03-30T20:00:00")
    #expect(try WeeklySchedule(windows: []).nextChange(after: .zero, calendar: calendar) == nil)
  }

  @Test("thinned arrivals follow the hour-of-day and day-of-week profile")
  func thinning() throws {
    let calendar = try #require(
      SimCalendar(
        startEpochSeconds: Int64(daysFromCivil(year: 2026, month: 1, day: 5)) * 86_400,
        timeZoneIdentifier: "UTC", horizon: .days(70)))
    var hours = [Double](repeating: 0.1, count: 24)
    for hour in 9..<17 { hours[hour] = 1 }
    let profile = RateProfile(hourOfDay: hours, dayOfWeek: [1, 1, 1, 1, 1, 0, 0])
    let process = ArrivalProcess(ratePerHour: 60, profile: profile)
    var stream = RandomSeed(root: 1).stream("thinning")
    var countsByHour = [Int](repeating: 0, count: 24)
    var weekendArrivals = 0
    var time = SimTime.zero
    while let next = process.nextArrival(after: time, calendar: calendar, stream: &stream),
      next < SimTime.zero + .days(70)
    {
      let local = calendar.localTime(at: next)
      if local.weekday >= 5 { weekendArrivals += 1 } else { countsByHour[local.hour] += 1 }
      time = next
    }
    #expect(weekendArrivals == 0)
    // 50 weekdays: expect 60/h × 50 = 3,000 per working hour, 300 per night hour.
    for hour in 9..<17 { #expect(abs(countsByHour[hour] - 3_000) < 200) }
    for hour in [0, 3, 20, 23] { #expect(abs(countsByHour[hour] - 300) < 60) }
  }

  @Test("homogeneous arrivals have exponential gaps with the right rate")
  func homogeneous() throws {
    let calendar = try #require(SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(1)))
    let process = ArrivalProcess(ratePerHour: 3_600)
    var stream = RandomSeed(root: 2).stream("poisson")
    var time = SimTime.zero
    var count = 0
    while let next = process.nextArrival(after: time, calendar: calendar, stream: &stream),
      next < SimTime.zero + .hours(10)
    {
      count += 1
      time = next
    }
    #expect(abs(count - 36_000) < 600)
  }
}
