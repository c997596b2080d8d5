/// Parses a Prometheus duration in milliseconds, or nil when malformed.
///
/// The syntax is `model.ParseDuration`'s: `(\d+(y|w|d|h|m|s|ms))+`, units in
/// decreasing order, or `0`.
public func parsePrometheusDuration(_ text: String) -> Int64? {
  if text == "0" { return 0 }
  let bytes = Array(text.utf8)
  let units: [(String, Int64)] = [
    ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
    ("m", 60_000), ("s", 1_000), ("ms", 1),
  ]
  var position = 0
  var total: Int64 = 0
  var lastUnit = -1
  while position < bytes.count {
    var digitsEnd = position
    while digitsEnd < bytes.count, isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
    guard digitsEnd > position,
      let number = Int64(String(decoding: bytes[position..<digitsEnd], as: UTF8.self))
    else { return nil }
    var unitEnd = digitsEnd
    while unitEnd < bytes.count, isLetter(bytes[unitEnd]) { unitEnd += 1 }
    let unit = String(decoding: bytes[digitsEnd..<unitEnd], as: UTF8.self)
    guard let unitIndex = units.firstIndex(where: { $0.0 == unit }), unitIndex > lastUnit else {
      return nil
    }
    lastUnit = unitIndex
    total += number * units[unitIndex].1
    position = unitEnd
  }
  return position > 0 ? total : nil
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
