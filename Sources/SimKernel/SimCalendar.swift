import Foundation

/// Maps simulated time to wall-clock time in a named IANA time zone.
///
/// The run starts at a UTC instant; local time follows the zone's UTC offsets, which
/// are read from the system's tz database once, at construction, for the whole window
/// (sampled hourly, transitions located to the second). After that every lookup is
/// a binary search over a handful of offsets — no Foundation in the event loop.
public struct SimCalendar: Sendable, Equatable {
  /// The run's start as seconds since the Unix epoch, UTC.
  public let startEpochSeconds: Int64
  /// IANA identifier such as `Europe/Berlin`.
  public let timeZoneIdentifier: String
  /// (simulated time in µs from which the offset holds, UTC offset in seconds), sorted.
  let offsets: [(fromMicroseconds: Int64, utcOffsetSeconds: Int)]

  public static func == (lhs: SimCalendar, rhs: SimCalendar) -> Bool {
    lhs.startEpochSeconds == rhs.startEpochSeconds
      && lhs.timeZoneIdentifier == rhs.timeZoneIdentifier
  }

  /// Whether the system's tz database knows the identifier.
  public static func isKnownTimeZone(_ identifier: String) -> Bool {
    identifier == "UTC" || TimeZone(identifier: identifier) != nil
  }

  /// - Parameters:
  ///   - startEpochSeconds: the run's first instant, UTC.
  ///   - timeZoneIdentifier: an IANA zone (`UTC`, `Europe/Berlin`, `America/New_York`).
  ///   - horizon: how far ahead offsets are needed; lookups past it reuse the last offset.
  /// - Returns: `nil` when the zone is unknown.
  public init?(startEpochSeconds: Int64, timeZoneIdentifier: String, horizon: SimDuration) {
    guard
      let zone = timeZoneIdentifier == "UTC" ? TimeZone(secondsFromGMT: 0) : TimeZone(identifier: timeZoneIdentifier)
    else { return nil }
    self.startEpochSeconds = startEpochSeconds
    self.timeZoneIdentifier = timeZoneIdentifier
    func offset(atEpoch seconds: Int64) -> Int {
      zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
    var table = [(fromMicroseconds: Int64(0), utcOffsetSeconds: offset(atEpoch: startEpochSeconds))]
    let endSeconds = startEpochSeconds + max(0, horizon.microseconds / 1_000_000) + 8 * 86_400
    var probe = startEpochSeconds
    while probe < endSeconds {
      let next = probe + 3_600
      let current = table[table.count - 1].utcOffsetSeconds
      if offset(atEpoch: next) != current {
        // Locate the transition to the second by bisection.
        var low = probe
        var high = next
        while high - low > 1 {
          let middle = (low + high) / 2
          if offset(atEpoch: middle) == current { low = middle } else { high = middle }
        }
        table.append(
          (fromMicroseconds: (high - startEpochSeconds) * 1_000_000, utcOffsetSeconds: offset(atEpoch: high)))
      }
      probe = next
    }
    offsets = table
  }

  /// The zone's offset from UTC at `time`, in seconds.
  @inlinable public func utcOffsetSeconds(at time: SimTime) -> Int {
    offsetEntry(at: time.microseconds)
  }

  @usableFromInline func offsetEntry(at microseconds: Int64) -> Int {
    var low = 0
    var high = offsets.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if offsets[middle].fromMicroseconds <= microseconds { low = middle } else { high = middle - 1 }
    }
    return offsets[low].utcOffsetSeconds
  }

  /// Seconds since the Unix epoch (UTC) at `time`.
  @inlinable public func epochSeconds(at time: SimTime) -> Double {
    Double(startEpochSeconds) + time.seconds
  }

  /// The local wall-clock reading at `time`.
  public func localTime(at time: SimTime) -> LocalTime {
    let localMicroseconds =
      (startEpochSeconds + Int64(utcOffsetSeconds(at: time))) * 1_000_000 + time.microseconds
    return LocalTime(microsecondsSinceEpoch: localMicroseconds)
  }

  /// The simulated time at which the local clock first reads `local`.
  ///
  /// In a DST gap (a local time that does not exist) this gives the instant the
  /// clock jumps past it; in a fold (a local time that happens twice), the first.
  public func simTime(atLocal local: LocalTime) -> SimTime {
    let baseMicroseconds = local.microsecondsSinceEpoch - startEpochSeconds * 1_000_000
    // Try each offset in force; take the earliest instant that maps back consistently.
    var best: Int64?
    for entry in offsets {
      let candidate = baseMicroseconds - Int64(entry.utcOffsetSeconds) * 1_000_000
      if offsetEntry(at: candidate) == entry.utcOffsetSeconds, candidate < (best ?? .max) {
        best = candidate
      }
    }
    if let best { return SimTime(microseconds: best) }
    // Gap (clocks jumped forward over `local`): reading it with the offset in force
    // before the jump gives the instant just past the jump, the latest candidate.
    let latest = offsets.map { baseMicroseconds - Int64($0.utcOffsetSeconds) * 1_000_000 }.max() ?? baseMicroseconds
    return SimTime(microseconds: latest)
  }

  /// ISO 8601 text of the local time at `time`, with its UTC offset.
  public func formatted(_ time: SimTime) -> String {
    let local = localTime(at: time)
    let offset = utcOffsetSeconds(at: time)
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    return local.formatted + sign + twoDigits(magnitude / 3_600) + ":" + twoDigits((magnitude % 3_600) / 60)
  }
}

func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

/// A civil (wall-clock) date and time, without a zone.
public struct LocalTime: Equatable, Sendable {
  /// Microseconds since 1970-01-01T00:00:00 on this local clock.
  public var microsecondsSinceEpoch: Int64

  public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

  public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
    let days = Int64(daysFromCivil(year: year, month: month, day: day))
    microsecondsSinceEpoch = ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000_000 + Int64(second) * 1_000_000
  }

  /// Days since 1970-01-01 (floor for negative values).
  public var dayNumber: Int64 {
    let perDay: Int64 = 86_400_000_000
    return microsecondsSinceEpoch >= 0
      ? microsecondsSinceEpoch / perDay : (microsecondsSinceEpoch - perDay + 1) / perDay
  }

  /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
  public var weekday: Int { Int(((dayNumber % 7) + 7 + 3) % 7) }

  /// Microseconds since local midnight.
  public var microsecondOfDay: Int64 { microsecondsSinceEpoch - dayNumber * 86_400_000_000 }

  /// 0…23.
  public var hour: Int { Int(microsecondOfDay / 3_600_000_000) }

  /// Minutes since Monday 00:00, with fractions.
  public var minuteOfWeek: Double {
    Double(weekday) * 1_440 + Double(microsecondOfDay) / 60_000_000
  }

  /// `YYYY-MM-DDTHH:MM:SS`.
  public var formatted: String {
    let (year, month, day) = civilFromDays(Int(dayNumber))
    let second = Int(microsecondOfDay / 1_000_000)
    let yearText = String(year)
    return
      "\(yearText)-\(twoDigits(month))-\(twoDigits(day))T\(twoDigits(second / 3600)):\(twoDigits(second / 60 % 60)):\(twoDigits(second % 60))"
  }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
public func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
  let adjustedYear = month <= 2 ? year - 1 : year
  let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
  let yearOfEra = adjustedYear - era * 400
  let monthIndex = month > 2 ? month - 3 : month + 9
  let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
  let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/// The inverse of ``daysFromCivil(year:month:day:)``.
public func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
  let shifted = days + 719_468
  let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
  let dayOfEra = shifted - era * 146_097
  let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
  let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
  let monthIndex = (5 * dayOfYear + 2) / 153
  let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
  let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
  return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}
