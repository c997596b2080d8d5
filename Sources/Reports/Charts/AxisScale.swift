import Foundation

/// A chart axis: its domain, where values fall on it, and its labelled ticks.
///
/// Linear axes use round ("nice") steps — 1, 2 or 5 times a power of ten, after
/// Heckbert, "Nice numbers for graph labels" (Graphics Gems, 1990) — in the unit a person
/// reads (minutes, hours, percent), whole steps only for counts. Logarithmic axes, for
/// long-tailed distributions, tick at powers of ten, or at round durations (1 s, 1 min,
/// 10 min, 1 h, 1 d) for times.
public struct AxisScale: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case linear
    case logarithmic
  }

  public var kind: Kind
  /// The domain's ends, in data units (seconds, ratios, dollars).
  public var lower: Double
  public var upper: Double
  /// Tick values in data units, ascending, each with its label.
  public var ticks: [Double]
  public var labels: [String]
  /// The unit the labels are written in, for the axis title: `min`, `%`, `USD`, or empty.
  public var unitLabel: String

  /// Where `value` falls, 0 at ``lower`` to 1 at ``upper``, clamped to the domain.
  public func fraction(_ value: Double) -> Double {
    let clamped = min(max(value, lower), upper)
    switch kind {
    case .linear:
      return upper > lower ? (clamped - lower) / (upper - lower) : 0
    case .logarithmic:
      let low = log10(lower)
      let high = log10(upper)
      return high > low ? (log10(max(clamped, lower)) - low) / (high - low) : 0
    }
  }

  /// Whether `value` lies outside the domain (drawn clamped at an edge).
  public func clips(_ value: Double) -> Bool { value < lower || value > upper }

  // MARK: - Linear

  /// A linear axis over `minimum…maximum` with about `tickCount` round ticks.
  ///
  /// The domain starts at zero when every value is positive and the quantity is one
  /// that starts there (counts, durations, money, ratios), so bars are not truncated.
  public static func linear(
    from minimum: Double, to maximum: Double, quantity: Quantity, tickCount: Int = 5, includeZero: Bool = true
  ) -> AxisScale {
    var low = minimum.isFinite ? minimum : 0
    var high = maximum.isFinite ? maximum : 1
    if includeZero { low = min(low, 0) }
    if includeZero && high < 0 { high = 0 }
    let (divisor, unit) = displayUnit(for: quantity, magnitude: max(abs(low), abs(high)))
    var scaledLow = low / divisor
    var scaledHigh = high / divisor
    if scaledHigh - scaledLow < 1e-12 {
      // One value: a unit either side (or 0…1 for zero).
      if scaledLow == 0 {
        scaledHigh = 1
      } else {
        scaledLow -= abs(scaledLow) * 0.5
        scaledHigh += abs(scaledHigh) * 0.5
        if includeZero { scaledLow = min(scaledLow, 0) }
      }
    }
    var step = niceStep((scaledHigh - scaledLow) / Double(max(1, tickCount - 1)))
    if quantity.isCount { step = max(1, step.rounded(.up)) }
    let first = (scaledLow / step).rounded(.down) * step
    let last = (scaledHigh / step).rounded(.up) * step
    var ticks: [Double] = []
    var index = 0.0
    while true {
      let tick = first + index * step
      if tick > last + step * 1e-9 { break }
      ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
      index += 1
    }
    let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
    let labels = ticks.map { tickLabel($0, decimals: decimals, quantity: quantity, unit: unit) }
    return AxisScale(
      kind: .linear, lower: first * divisor, upper: last * divisor, ticks: ticks.map { $0 * divisor }, labels: labels,
      unitLabel: unit)
  }

  /// The smallest of 1, 2, 5 × 10ⁿ that is at least `raw`.
  public static func niceStep(_ raw: Double) -> Double {
    guard raw > 0 && raw.isFinite else { return 1 }
    let exponent = floor(log10(raw))
    let power = pow(10, exponent)
    let fraction = raw / power
    let nice: Double
    if fraction <= 1 + 1e-9 {
      nice = 1
    } else if fraction <= 2 + 1e-9 {
      nice = 2
    } else if fraction <= 5 + 1e-9 {
      nice = 5
    } else {
      nice = 10
    }
    return nice * power
  }

  /// The divisor and unit a quantity's axis is labelled in: minutes for times up to
  /// 90 min, percent for ratios, and so on.
  static func displayUnit(for quantity: Quantity, magnitude: Double) -> (divisor: Double, unit: String) {
    switch quantity {
    case .seconds: return ValueFormat.durationDivisor(forMagnitude: magnitude)
    case .ratio: return (0.01, "%")
    case .usd:
      if magnitude >= 1e6 { return (1e6, "million USD") }
      if magnitude >= 1e4 { return (1e3, "thousand USD") }
      return (1, "USD")
    case .count(let noun): return (1, noun)
    case .plain(let unit): return (1, unit)
    }
  }

  private static func tickLabel(_ value: Double, decimals: Int, quantity: Quantity, unit: String) -> String {
    let number: String
    if decimals == 0 {
      number = ValueFormat.grouped(value)
    } else {
      number = String(format: "%.\(decimals)f", value).replacingOccurrences(of: "-", with: "−")
    }
    switch quantity {
    case .seconds: return number + " " + unit
    case .ratio: return number + " %"
    case .usd: return unit == "USD" ? "$" + number : "$" + number + (unit.hasPrefix("million") ? "M" : "k")
    case .count, .plain: return number
    }
  }

  // MARK: - Logarithmic

  /// A round duration in the largest unit that divides it: `1 d`, `6 h`, `10 min`.
  static func roundDurationLabel(_ seconds: Double) -> String {
    for (length, unit) in [(86_400.0, "d"), (3_600, "h"), (60, "min"), (1, "s")]
    where seconds >= length && (seconds / length).rounded() == seconds / length {
      return ValueFormat.grouped(seconds / length) + " " + unit
    }
    return ValueFormat.duration(seconds: seconds)
  }

  /// Round durations for logarithmic time axes.
  static let durationTicks: [Double] = [
    0.001, 0.01, 0.1, 1, 10, 60, 600, 3_600, 6 * 3_600, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400,
  ]

  /// A logarithmic axis covering `minimum…maximum` (both > 0), ticked at powers of ten,
  /// or at round durations for times.
  public static func logarithmic(from minimum: Double, to maximum: Double, quantity: Quantity) -> AxisScale {
    let low = max(minimum, 1e-9)
    let high = max(maximum, low * 10)
    var ticks: [Double]
    if case .seconds = quantity {
      let lower = durationTicks.last { $0 <= low } ?? durationTicks[0]
      let upper = durationTicks.first { $0 >= high } ?? high
      ticks = durationTicks.filter { $0 >= lower && $0 <= upper }
      if ticks.count < 2 { ticks = [lower, upper] }
    } else {
      let first = floor(log10(low))
      let last = ceil(log10(high))
      ticks = stride(from: first, through: last, by: 1).map { pow(10, $0) }
    }
    let labels = ticks.map { tick -> String in
      switch quantity {
      case .seconds: return roundDurationLabel(tick)
      case .ratio: return ValueFormat.percent(tick)
      case .usd: return ValueFormat.usd(tick)
      case .count, .plain: return ValueFormat.significant(tick)
      }
    }
    let unitLabel: String
    switch quantity {
    case .seconds: unitLabel = "log scale"
    case .ratio: unitLabel = "%, log scale"
    case .usd: unitLabel = "USD, log scale"
    case .count(let noun), .plain(let noun): unitLabel = noun.isEmpty ? "log scale" : noun + ", log scale"
    }
    return AxisScale(
      kind: .logarithmic, lower: ticks.first ?? low, upper: ticks.last ?? high, ticks: ticks, labels: labels,
      unitLabel: unitLabel)
  }
}
