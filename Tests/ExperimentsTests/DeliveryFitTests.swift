import Experiments
import Foundation
import SimKernel
import Testing

/// `platformsim fit`'s delivery-record fits against closed forms on generated data.
@Suite("Delivery fits")
struct DeliveryFitTests {
  static let utc = TimeZone(secondsFromGMT: 0)!
  /// 2026-01-05T00:00:00Z, a Monday.
  static let monday = 1_767_571_200.0

  @Test("With equal exposure in every cell the arrival fit is the closed-form MLE n_h· n_·d / (n_·· E)")
  func closedForm() throws {
    var stream = RandomSeed(root: 5).stream("counts")
    let counts = (0..<7).map { day in
      (0..<24).map { hour in Double(stream.nextInt(below: 20) * (hour >= 8 && hour < 18 ? 3 : 1) + day) }
    }
    let exposure = Array(repeating: Array(repeating: 52.0, count: 24), count: 7)
    let fit = try #require(DeliveryFit.arrivals(counts: counts, exposure: exposure))
    let total = counts.joined().reduce(0, +)
    for day in 0..<7 {
      for hour in 0..<24 {
        let hourTotal = (0..<7).reduce(0) { $0 + counts[$1][hour] }
        let expected = hourTotal * counts[day].reduce(0, +) / (total * 52)
        #expect(abs(fit.rate(day: day, hour: hour) / expected - 1) < 1e-9, "day \(day) hour \(hour)")
      }
    }
    #expect(fit.hourOfDay.max() == 1 && fit.dayOfWeek.max() == 1 && fit.count == Int(total))
    #expect(fit.exposureHours == 52 * 168)
  }

  @Test("A year of a generated profiled Poisson process gives back its rate and profile")
  func recoversProfile() throws {
    let hours: [Double] = (0..<24).map { $0 < 8 || $0 >= 20 ? 0 : $0 == 12 ? 0.5 : 1 }
    let days: [Double] = [1, 1, 1, 1, 0.8, 0, 0]
    let rate = 2.0
    var stream = RandomSeed(root: 9).stream("arrivals")
    var times: [Double] = []
    // Thinning, as the simulator draws `changes`.
    var time = Self.monday
    let end = Self.monday + 52 * 7 * 86_400
    while true {
      time += stream.exponential(mean: 3600 / rate)
      guard time < end else { break }
      let hour = Int((time - Self.monday) / 3600) % 24
      let day = Int((time - Self.monday) / 86_400) % 7
      if stream.nextUnit() < hours[hour] * days[day] { times.append(time) }
    }
    let cells = DeliveryFit.cells(times: times, start: Self.monday, end: end, zone: Self.utc)
    #expect(cells.exposure.joined().allSatisfy { abs($0 - 52) < 1e-9 })
    let fit = try #require(DeliveryFit.arrivals(counts: cells.counts, exposure: cells.exposure))
    // About 9,000 arrivals; each weekday-hour cell of factor 1 holds ~100. The fitted
    // intensity of every cell is within 12 % of the generating one (pooling over hours
    // and days makes it tighter than one cell's 10 % Poisson error), and the fitted
    // process expects exactly the arrivals seen (the MLE matches the margins).
    var expected = 0.0
    for day in 0..<7 {
      for hour in 0..<24 {
        let truth = rate * hours[hour] * days[day]
        #expect(abs(fit.rate(day: day, hour: hour) - truth) <= 0.12 * truth, "day \(day) hour \(hour)")
        expected += fit.rate(day: day, hour: hour) * 52
      }
    }
    #expect(abs(expected - Double(times.count)) < 1e-6)
    // The reported rate is the busiest cell's level: the largest of several noisy hour
    // levels, so biased upward by a few standard errors (~5 % each here).
    #expect(fit.ratePerHour >= rate * 0.95 && fit.ratePerHour < rate * 1.2, "\(fit.ratePerHour)")
    for hour in 0..<24 { #expect(abs(fit.hourOfDay[hour] - hours[hour]) < 0.15, "hour \(hour)") }
    for day in 0..<7 { #expect(abs(fit.dayOfWeek[day] - days[day]) < 0.15, "day \(day)") }
    #expect(fit.count == times.count)
  }

  @Test("Cells follow the time zone's local hour and weekday, DST included")
  func localCells() {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    // 2026-01-05T07:30Z is 08:30 in Berlin (UTC+1), a Monday; 2026-07-05T22:30Z is
    // 00:30 on Monday 6 July in Berlin (UTC+2).
    let winter = DeliveryFit.cells(
      times: [Self.monday + 7.5 * 3600], start: Self.monday, end: Self.monday + 86_400, zone: berlin)
    #expect(winter.counts[0][8] == 1)
    // The window 00:00Z–24:00Z on Monday is 01:00 Monday to 01:00 Tuesday in Berlin.
    #expect(
      winter.exposure[0][0] == 0 && abs(winter.exposure[0][1] - 1) < 1e-9 && abs(winter.exposure[1][0] - 1) < 1e-9)
    let july = 1_783_290_600.0
    let summer = DeliveryFit.cells(times: [july], start: july - 60, end: july + 60, zone: berlin)
    #expect(summer.counts[0][0] == 1)
  }

  @Test("Shares carry the Wilson interval; medians are PERCENTILE_CONT")
  func proportionAndMedian() throws {
    let share = try #require(DeliveryFit.proportion(8, of: 100))
    // statsmodels proportion_confint(8, 100, method="wilson"): (0.041093, 0.149981).
    #expect(share.share == 0.08 && abs(share.low - 0.041093) < 1e-6 && abs(share.high - 0.149981) < 1e-6)
    #expect(DeliveryFit.proportion(0, of: 0) == nil)
    #expect(DeliveryFit.median([4, 1, 3, 2]) == 2.5)
    #expect(DeliveryFit.median([5, 1, 3]) == 3)
    #expect(DeliveryFit.median([]) == nil)
  }
}
