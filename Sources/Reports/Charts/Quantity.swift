import Foundation

/// What a number measures, and how a person reads it: `1447 s` as `24 min`, `0.026` as
/// `2.6 %`, `1680.67` as `$1,681`.
///
/// Derived from a KPI's or metric's `unit` column (``init(unit:)``), so every table and
/// chart shows the same value the same way.
public enum Quantity: Sendable, Equatable {
  /// Seconds, shown as ms, s, min, h or d, whichever reads best.
  case seconds
  /// A ratio 0…1, shown as a percentage.
  case ratio
  /// US dollars.
  case usd
  /// Whole things (deployments, incidents, nodes); the noun is the unit.
  case count(String)
  /// Anything else, with its unit written after the number (`deployments/day`).
  case plain(String)

  /// The quantity of a stored `unit` (`s`, `h`, `ratio`, `USD`, a plural noun, …).
  public init(unit: String) {
    switch unit {
    case "s", "seconds": self = .seconds
    case "ratio": self = .ratio
    case "USD", "usd": self = .usd
    case "": self = .plain("")
    default:
      // Counts are stored under plural nouns ("deployments", "jobs"); rates carry a slash.
      if unit.contains("/") || unit == "h" || unit == "min" || unit == "bucket" || unit.contains(" ") {
        self = .plain(unit)
      } else {
        self = .count(unit)
      }
    }
  }

  /// Whether values are whole numbers (integer axes, no decimals).
  public var isCount: Bool {
    if case .count = self { return true }
    return false
  }

  /// `value` for a person: `24 min`, `2.6 %`, `$1,681`, `1,204 deployments`.
  public func format(_ value: Double?) -> String {
    guard let value else { return "–" }
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    switch self {
    case .seconds: return ValueFormat.duration(seconds: value)
    case .ratio: return ValueFormat.percent(value)
    case .usd: return ValueFormat.usd(value)
    case .count(let noun):
      let number = value == value.rounded() ? ValueFormat.grouped(value) : ValueFormat.significant(value)
      return noun.isEmpty ? number : "\(number) \(noun)"
    case .plain(let unit):
      let number = ValueFormat.significant(value)
      return unit.isEmpty ? number : "\(number) \(unit)"
    }
  }

  /// `value` without its unit, for table cells under a header naming it.
  public func formatBare(_ value: Double?) -> String {
    guard let value else { return "–" }
    switch self {
    case .count: return value == value.rounded() ? ValueFormat.grouped(value) : ValueFormat.significant(value)
    case .plain: return ValueFormat.significant(value)
    default: return format(value)
    }
  }
}

/// Number formatting shared by tables, tiles and axes; locale-independent and
/// deterministic (the same value always gives the same text).
public enum ValueFormat {
  /// A duration in the unit that reads best: `350 ms`, `42 s`, `24 min`, `3.2 h`, `12 d`.
  ///
  /// Two significant digits below 10 of a unit, whole units above (`1447 s` → `24 min`).
  public static func duration(seconds: Double) -> String {
    let magnitude = abs(seconds)
    let sign = seconds < 0 ? "−" : ""
    let (scaled, unit) = durationUnit(magnitude)
    return sign + compact(scaled) + " " + unit
  }

  /// The unit (`ms`, `s`, `min`, `h`, `d`) a duration of `seconds` reads best in, and the value in it.
  public static func durationUnit(_ seconds: Double) -> (value: Double, unit: String) {
    let (divisor, unit) = durationDivisor(forMagnitude: seconds)
    return (seconds / divisor, unit)
  }

  /// The divisor and name of the unit that reads best for durations up to `seconds`.
  public static func durationDivisor(forMagnitude seconds: Double) -> (divisor: Double, unit: String) {
    if seconds == 0 { return (1, "s") }
    if seconds < 1 { return (0.001, "ms") }
    if seconds < 60 { return (1, "s") }
    if seconds < 3_600 { return (60, "min") }
    if seconds < 48 * 3_600 { return (3_600, "h") }
    return (86_400, "d")
  }

  /// A ratio as a percentage: `2.6 %`, `0.045 %`, `100 %`.
  public static func percent(_ ratio: Double) -> String {
    let percent = ratio * 100
    if percent == 0 { return "0 %" }
    if abs(percent) < 0.1 { return significant(percent, digits: 2) + " %" }
    if abs(percent) >= 99.95 && abs(percent) < 100 { return String(format: "%.2f %%", percent) }
    return String(format: "%.1f %%", percent).replacingOccurrences(of: ".0 %", with: " %")
  }

  /// Dollars: cents below $100, whole dollars below $10k, then `$12.3k`, `$1.2M`.
  public static func usd(_ value: Double) -> String {
    let sign = value < 0 ? "−" : ""
    let magnitude = abs(value)
    if magnitude >= 1e6 { return sign + "$" + compact(magnitude / 1e6) + "M" }
    if magnitude >= 1e4 { return sign + "$" + compact(magnitude / 1e3) + "k" }
    if magnitude >= 100 { return sign + "$" + grouped(magnitude.rounded()) }
    return sign + "$" + String(format: "%.2f", magnitude)
  }

  /// A whole number with thousands separators: `10,412`.
  public static func grouped(_ value: Double) -> String {
    guard abs(value) < 1e18 else { return String(format: "%.3g", value) }
    let integer = Int64(value.rounded())
    let digits = String(integer.magnitude)
    var result = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
      result.append(character)
    }
    return (integer < 0 ? "−" : "") + result
  }

  /// Three significant digits without exponent for ordinary magnitudes: `0.0421`, `3.14`, `1,250`.
  public static func significant(_ value: Double, digits: Int = 3) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e15 || magnitude < 1e-6 { return String(format: "%.\(digits)g", value) }
    if magnitude >= pow(10, Double(digits - 1)) { return grouped(value) }
    let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
    var text = String(format: "%.\(decimals)f", value)
    if text.contains(".") {
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
    }
    return text.hasPrefix("-") ? "−" + text.dropFirst() : text
  }

  /// Two significant digits below 10, whole numbers above: `2.5`, `24`, `350`.
  static func compact(_ value: Double) -> String {
    if value < 10 && value != value.rounded() { return significant(value, digits: 2) }
    return grouped(value)
  }
}
