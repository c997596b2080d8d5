/// A point in simulated time: whole microseconds since the start of the run.
///
/// Integer time makes ties exact and runs portable (ns-3 and NeXosim do the same);
/// floating-point samples are converted to ticks once, rounded to the nearest
/// microsecond, by ``SimDuration/init(seconds:)``. One tick is 1 µs, so an `Int64`
/// spans about 292,000 years.
public struct SimTime: Hashable, Comparable, Sendable {
  /// Microseconds since the start of the run.
  public var microseconds: Int64

  @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

  /// The start of every run.
  public static let zero = SimTime(microseconds: 0)

  /// The latest representable time; used as "never".
  public static let never = SimTime(microseconds: .max)

  /// Seconds since the start of the run.
  @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }

  @inlinable public static func < (lhs: SimTime, rhs: SimTime) -> Bool {
    lhs.microseconds < rhs.microseconds
  }

  @inlinable public static func + (lhs: SimTime, rhs: SimDuration) -> SimTime {
    SimTime(microseconds: lhs.microseconds &+ rhs.microseconds)
  }

  @inlinable public static func - (lhs: SimTime, rhs: SimDuration) -> SimTime {
    SimTime(microseconds: lhs.microseconds &- rhs.microseconds)
  }

  @inlinable public static func - (lhs: SimTime, rhs: SimTime) -> SimDuration {
    SimDuration(microseconds: lhs.microseconds &- rhs.microseconds)
  }
}

/// A length of simulated time in whole microseconds.
public struct SimDuration: Hashable, Comparable, Sendable {
  /// Length in microseconds; may be negative only as the result of arithmetic.
  public var microseconds: Int64

  @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

  /// Converts seconds to ticks, rounding to the nearest microsecond.
  ///
  /// Values beyond the representable range saturate, so a sample from a heavy tail
  /// means "practically never" rather than a trap.
  ///
  /// Rounds half away from zero exactly like `rounded()`, but without its libm call
  /// (every sampled delay passes through here): below 2⁵³ the fraction
  /// `x − trunc(x)` is exact, and above it `x` is already whole.
  @inlinable @inline(__always)
  public init(seconds: Double) {
    let scaled = seconds * 1_000_000
    if scaled >= 9.2e18 {
      microseconds = .max / 4
    } else if scaled <= -9.2e18 {
      microseconds = .min / 4
    } else {
      let truncated = Int64(scaled)
      let fraction = scaled - Double(truncated)
      microseconds = fraction >= 0.5 ? truncated + 1 : fraction <= -0.5 ? truncated - 1 : truncated
    }
  }

  public static let zero = SimDuration(microseconds: 0)
  @inlinable public static func milliseconds(_ value: Int64) -> SimDuration { .init(microseconds: value * 1_000) }
  @inlinable public static func seconds(_ value: Int64) -> SimDuration { .init(microseconds: value * 1_000_000) }
  @inlinable public static func minutes(_ value: Int64) -> SimDuration { .seconds(value * 60) }
  @inlinable public static func hours(_ value: Int64) -> SimDuration { .seconds(value * 3_600) }
  @inlinable public static func days(_ value: Int64) -> SimDuration { .seconds(value * 86_400) }

  /// The length in seconds.
  @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }

  @inlinable public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool {
    lhs.microseconds < rhs.microseconds
  }
  @inlinable public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
    SimDuration(microseconds: lhs.microseconds &+ rhs.microseconds)
  }
  @inlinable public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
    SimDuration(microseconds: lhs.microseconds &- rhs.microseconds)
  }
  @inlinable public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
    SimDuration(microseconds: lhs.microseconds &* rhs)
  }
}

// MARK: - Text form

extension SimDuration {
  /// Unit suffixes accepted in duration strings, longest first so `ms` wins over `m`.
  ///
  /// The same units as Prometheus durations (`ms s m h d w y`, a year being 365 days),
  /// plus `us` for microseconds.
  static let units: [(suffix: String, microseconds: Int64)] = [
    ("ms", 1_000), ("us", 1), ("s", 1_000_000), ("m", 60_000_000), ("h", 3_600_000_000),
    ("d", 86_400_000_000), ("w", 604_800_000_000), ("y", 31_536_000_000_000),
  ]

  /// Parses `90s`, `5m`, `2h30m`, `30d`, `1.5h`, `250ms`; `nil` if the text is not a duration.
  ///
  /// Components must be in decreasing unit order (`2h30m`, not `30m2h`), as in
  /// Prometheus and Go. A bare `0` is accepted as zero.
  public init?(parsing text: String) {
    let scalars = Array(text.utf8)
    if scalars == [UInt8(ascii: "0")] {
      self = .zero
      return
    }
    var index = 0
    var total: Double = 0
    var lastUnitSize = Int64.max
    var sawComponent = false
    while index < scalars.count {
      let numberStart = index
      while index < scalars.count,
        (scalars[index] >= UInt8(ascii: "0") && scalars[index] <= UInt8(ascii: "9"))
          || scalars[index] == UInt8(ascii: ".")
      {
        index += 1
      }
      guard index > numberStart,
        let value = Double(String(decoding: scalars[numberStart..<index], as: UTF8.self))
      else { return nil }
      var matched: (suffix: String, microseconds: Int64)?
      for unit in SimDuration.units {
        let suffix = Array(unit.suffix.utf8)
        if index + suffix.count <= scalars.count,
          Array(scalars[index..<(index + suffix.count)]) == suffix
        {
          // `m` must not swallow the `m` of `ms`: units are tried longest first.
          matched = unit
          break
        }
      }
      guard let unit = matched, unit.microseconds < lastUnitSize else { return nil }
      lastUnitSize = unit.microseconds
      index += unit.suffix.utf8.count
      total += value * Double(unit.microseconds)
      sawComponent = true
    }
    guard sawComponent, total < 9.2e18 else { return nil }
    self.init(microseconds: Int64(total.rounded()))
  }

  /// A compact text form that ``init(parsing:)`` reads back: `2h30m`, `90ms`, `0s`.
  public var formatted: String {
    if microseconds == 0 { return "0s" }
    var remaining = microseconds.magnitude
    var text = microseconds < 0 ? "-" : ""
    for (suffix, size) in [
      ("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000), ("us", 1),
    ] as [(String, UInt64)] {
      if remaining >= size {
        text += "\(remaining / size)\(suffix)"
        remaining %= size
      }
    }
    return text
  }
}

extension SimDuration: CustomStringConvertible {
  public var description: String { formatted }
}

extension SimTime: CustomStringConvertible {
  public var description: String { "t+" + SimDuration(microseconds: microseconds).formatted }
}
