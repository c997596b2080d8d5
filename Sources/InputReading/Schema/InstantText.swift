import SimKernel

/// An ISO 8601 date-time as written: either an absolute instant (with `Z` or an
/// offset) or a local wall-clock reading to be placed in the scenario's time zone.
public enum InstantText: Equatable, Sendable {
  case absolute(epochSeconds: Int64)
  case local(LocalTime)

  /// Accepts `2026-01-05`, `2026-01-05T08:00`, `2026-01-05T08:00:00`, with `Z` or `±HH:MM`.
  public init?(parsing text: String) {
    let characters = Array(text)
    func number(_ range: Range<Int>) -> Int? {
      guard range.upperBound <= characters.count else { return nil }
      let slice = characters[range]
      guard slice.allSatisfy(\.isNumber) else { return nil }
      return Int(String(slice))
    }
    guard characters.count >= 10, characters[4] == "-", characters[7] == "-",
      let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      (1...12).contains(month), (1...31).contains(day), day <= daysInMonth(year: year, month: month)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var index = 10
    if index < characters.count, characters[index] == "T" || characters[index] == " " {
      guard let parsedHour = number(11..<13), characters.count > 13, characters[13] == ":",
        let parsedMinute = number(14..<16), parsedHour < 24, parsedMinute < 60
      else { return nil }
      hour = parsedHour
      minute = parsedMinute
      index = 16
      if index < characters.count, characters[index] == ":" {
        guard let parsedSecond = number(17..<19), parsedSecond < 60 else { return nil }
        second = parsedSecond
        index = 19
      }
    }
    let local = LocalTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    let rest = String(characters[index...])
    if rest.isEmpty {
      self = .local(local)
      return
    }
    var offsetSeconds = 0
    if rest == "Z" || rest == "z" {
      offsetSeconds = 0
    } else {
      let restCharacters = Array(rest)
      guard restCharacters.count == 6, restCharacters[0] == "+" || restCharacters[0] == "-", restCharacters[3] == ":",
        let offsetHours = Int(String(restCharacters[1..<3])), let offsetMinutes = Int(String(restCharacters[4..<6])),
        offsetHours <= 14, offsetMinutes < 60
      else { return nil }
      offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (restCharacters[0] == "-" ? -1 : 1)
    }
    self = .absolute(epochSeconds: local.microsecondsSinceEpoch / 1_000_000 - Int64(offsetSeconds))
  }
}

func daysInMonth(year: Int, month: Int) -> Int {
  switch month {
  case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
  case 4, 6, 9, 11: return 30
  default: return 31
  }
}
