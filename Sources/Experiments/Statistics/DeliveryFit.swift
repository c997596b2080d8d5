import Foundation

/// A Poisson arrival process `ratePerHour · hourOfDay[h] · dayOfWeek[d]`, the shape of
/// a scenario's `ArrivalProcess` (docs/SCENARIOS.md), fitted to arrival times.
public struct FittedArrivals: Sendable, Equatable {
  /// Arrivals per hour at a profile factor of 1 (the busiest hour of the busiest day).
  public var ratePerHour: Double
  /// 24 factors for local hours 0–23, the largest 1.
  public var hourOfDay: [Double]
  /// 7 factors, Monday first, the largest 1.
  public var dayOfWeek: [Double]
  public var count: Int
  /// Hours observed.
  public var exposureHours: Double
  /// Fitted mean arrivals per (day of week, hour) cell per hour: `rate · h · d`.
  public func rate(day: Int, hour: Int) -> Double { ratePerHour * hourOfDay[hour] * dayOfWeek[day] }
}

/// Calibration fits of delivery records (`platformsim fit`, docs/TRACES.md).
public enum DeliveryFit {
  /// Arrivals per hour-of-day × day-of-week cell, and the hours each cell was observed,
  /// over `[start, end)` in the time zone `zone` (local hours; days Monday first).
  public static func cells(times: [Double], start: Double, end: Double, zone: TimeZone)
    -> (counts: [[Double]], exposure: [[Double]])
  {
    let clock = LocalClock(zone: zone)
    return (clock.counts(times.filter { $0 >= start && $0 < end }), clock.exposure(start: start, end: end))
  }

  /// Local (weekday, hour) of epoch times in one zone, its UTC offsets cached per hour.
  public final class LocalClock {
    let zone: TimeZone
    var offsets: [Int64: Int] = [:]

    public init(zone: TimeZone) { self.zone = zone }

    /// The local weekday (Monday 0) and hour of `epoch`.
    public func cell(_ epoch: Double) -> (day: Int, hour: Int) {
      let utcHour = Int64((epoch / 3600).rounded(.down))
      let offset: Int
      if let known = offsets[utcHour] {
        offset = known
      } else {
        offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcHour) * 3600 + 1800))
        offsets[utcHour] = offset
      }
      let local = Int64((epoch + Double(offset)).rounded(.down))
      let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
      let hour = Int((local - days * 86_400) / 3600)
      // 1970-01-01 was a Thursday: day 3 with Monday 0.
      let day = Int(((days + 3) % 7 + 7) % 7)
      return (day, hour)
    }

    /// Arrivals per cell.
    public func counts(_ times: [Double]) -> [[Double]] {
      var counts = Array(repeating: Array(repeating: 0.0, count: 24), count: 7)
      for time in times {
        let (day, hour) = cell(time)
        counts[day][hour] += 1
      }
      return counts
    }

    /// Hours each cell was observed over `[start, end)`, counted in one-minute steps, so
    /// a window that starts or ends mid-hour and zones with half-hour offsets count
    /// exactly to the minute.
    public func exposure(start: Double, end: Double) -> [[Double]] {
      var exposure = Array(repeating: Array(repeating: 0.0, count: 24), count: 7)
      var minute = start
      while minute < end {
        let step = min(60, end - minute)
        let (day, hour) = cell(minute)
        exposure[day][hour] += step / 3600
        minute += 60
      }
      return exposure
    }
  }

  /// The Poisson maximum-likelihood fit of the product model `λ(d, h) = a_h · b_d`.
  ///
  /// Fitted to counts `n[d][h]` over exposures `E[d][h]` (hours) by iterative
  /// proportional fitting of the log-linear independence model: `a_h = Σ_d n / Σ_d b_d E`,
  /// `b_d = Σ_h n / Σ_h a_h E` until both margins match. With equal exposure `E` in
  /// every cell the MLE is closed-form, `a_h b_d = n_h· n_·d / (n_·· E)`. Reported
  /// with the busiest hour and day scaled to 1 and the rate absorbing the scale, as a
  /// scenario's `ArrivalProcess` reads. `nil` without arrivals.
  public static func arrivals(counts: [[Double]], exposure: [[Double]]) -> FittedArrivals? {
    let total = counts.joined().reduce(0, +)
    guard total > 0 else { return nil }
    var hours = Array(repeating: 1.0, count: 24)
    var days = Array(repeating: 1.0, count: 7)
    for _ in 0..<500 {
      var change = 0.0
      for hour in 0..<24 {
        let n = (0..<7).reduce(0) { $0 + counts[$1][hour] }
        let e = (0..<7).reduce(0) { $0 + days[$1] * exposure[$1][hour] }
        let next = e > 0 ? n / e : 0
        change = max(change, abs(next - hours[hour]) / max(next, 1e-300))
        hours[hour] = next
      }
      for day in 0..<7 {
        let n = counts[day].reduce(0, +)
        let e = (0..<24).reduce(0) { $0 + hours[$1] * exposure[day][$1] }
        let next = e > 0 ? n / e : 0
        change = max(change, abs(next - days[day]) / max(next, 1e-300))
        days[day] = next
      }
      if change < 1e-13 { break }
    }
    let hourTop = hours.max() ?? 1
    let dayTop = days.max() ?? 1
    return FittedArrivals(
      ratePerHour: hourTop * dayTop, hourOfDay: hours.map { $0 / hourTop }, dayOfWeek: days.map { $0 / dayTop },
      count: Int(total), exposureHours: exposure.joined().reduce(0, +))
  }

  /// A share with its 95 % Wilson score interval (binomial).
  public static func proportion(_ successes: Int, of trials: Int) -> (share: Double, low: Double, high: Double)? {
    guard trials > 0 else { return nil }
    let n = Double(trials)
    let p = Double(successes) / n
    let z = 1.959963984540054
    let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
    return (p, max(0, centre - half), min(1, centre + half))
  }

  /// The median by linear interpolation between order statistics (SQL's
  /// `PERCENTILE_CONT(0.5)`, as PlatformSim's KPI queries compute it).
  public static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let position = 0.5 * Double(sorted.count - 1)
    let low = Int(position.rounded(.down))
    let high = min(sorted.count - 1, low + 1)
    return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
  }
}
