/// The longest duration Prometheus accepts, in milliseconds.
///
/// A Go `time.Duration` (int64 nanoseconds, about 292 years); `model.ParseDuration` says
/// "duration out of range" past it.
public let maximumPrometheusDurationMilliseconds = Int64.max / 1_000_000

/// Parses a Prometheus duration in milliseconds, or nil when malformed or past
/// ``maximumPrometheusDurationMilliseconds``.
public func parsePrometheusDuration(_ text: String) -> Int64? {
  if case .milliseconds(let value) = PrometheusDurationParse(text) { return value }
  return nil
}

/// A Prometheus duration read as `model.ParseDuration` reads it: `(\d+(y|w|d|h|m|s|ms))+`,
/// units in decreasing order, or `0`.
public enum PrometheusDurationParse: Equatable {
  case milliseconds(Int64)
  /// Not the syntax.
  case malformed
  /// The syntax, but past ``maximumPrometheusDurationMilliseconds``.
  case outOfRange

  public init(_ text: String) {
    if text == "0" {
      self = .milliseconds(0)
      return
    }
    let bytes = Array(text.utf8)
    let units: [(String, Int64)] = [
      ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
      ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]
    var position = 0
    var total: Int64 = 0
    var lastUnit = -1
    var inRange = true
    while position < bytes.count {
      var digitsEnd = position
      while digitsEnd < bytes.count, isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
      guard digitsEnd > position else {
        self = .malformed
        return
      }
      var unitEnd = digitsEnd
      while unitEnd < bytes.count, isLetter(bytes[unitEnd]) { unitEnd += 1 }
      let unit = String(decoding: bytes[digitsEnd..<unitEnd], as: UTF8.self)
      guard let unitIndex = units.firstIndex(where: { $0.0 == unit }), unitIndex > lastUnit else {
        self = .malformed
        return
      }
      lastUnit = unitIndex
      // Digits too many for an Int64 are out of range, like a sum past the maximum.
      let number = Int64(String(decoding: bytes[position..<digitsEnd], as: UTF8.self)) ?? .max
      let (product, overflow) = number.multipliedReportingOverflow(by: units[unitIndex].1)
      if overflow || product > maximumPrometheusDurationMilliseconds - total {
        inRange = false
      } else {
        total += product
      }
      position = unitEnd
    }
    if position == 0 {
      self = .malformed
    } else {
      self = inRange ? .milliseconds(total) : .outOfRange
    }
  }
}

/// Formats milliseconds as Prometheus `model.Duration.String()` does (`1h5m`, `30s`, `0s`).
public func formatPrometheusDuration(milliseconds: Int64) -> String {
  if milliseconds == 0 { return "0s" }
  var rest = milliseconds
  var out = ""
  for (unit, size) in [
    ("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
    ("m", 60_000), ("s", 1_000), ("ms", 1),
  ] {
    if rest >= size {
      out += "\(rest / size)\(unit)"
      rest %= size
    }
  }
  return out
}
