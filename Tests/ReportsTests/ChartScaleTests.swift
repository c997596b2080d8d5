import Foundation
import ResultRows
import Testing

@testable import Reports

@Suite("Chart scales, formats and tiers")
struct ChartScaleTests {
  @Test("nice steps are 1, 2 or 5 times a power of ten, never smaller than asked")
  func niceSteps() {
    #expect(AxisScale.niceStep(23) == 50)
    #expect(AxisScale.niceStep(20) == 20)
    #expect(AxisScale.niceStep(0.013) == 0.02)
    #expect(AxisScale.niceStep(4.1) == 5)
    #expect(AxisScale.niceStep(7) == 10)
  }

  @Test("a count axis up to 92 ticks at round numbers, not 0/23/46/69/92")
  func roundTicks() {
    let axis = AxisScale.linear(from: 0, to: 92, quantity: .count("deployments"))
    #expect(axis.ticks == [0, 50, 100] || axis.ticks == [0, 20, 40, 60, 80, 100], "\(axis.ticks)")
    #expect(axis.ticks.allSatisfy { $0 == $0.rounded() })
    #expect(axis.upper >= 92 && axis.lower == 0)
  }

  @Test("counts get whole-number ticks even for tiny maxima")
  func integerTicks() {
    let axis = AxisScale.linear(from: 0, to: 3, quantity: .count("nodes"))
    #expect(axis.ticks == [0, 1, 2, 3], "\(axis.ticks)")
    #expect(axis.labels == ["0", "1", "2", "3"])
    let one = AxisScale.linear(from: 0, to: 1, quantity: .count("nodes"))
    #expect(one.ticks.allSatisfy { $0 == $0.rounded() }, "\(one.ticks)")
  }

  @Test("durations are ticked in minutes or hours, with the unit in the labels")
  func durationTicks() {
    let minutes = AxisScale.linear(from: 0, to: 1_447, quantity: .seconds)
    #expect(minutes.unitLabel == "min")
    #expect(minutes.labels.first == "0 min")
    #expect(minutes.ticks.allSatisfy { ($0 / 60).truncatingRemainder(dividingBy: 5) == 0 }, "\(minutes.ticks)")
    let hours = AxisScale.linear(from: 0, to: 20 * 3_600, quantity: .seconds)
    #expect(hours.unitLabel == "h")
    #expect(hours.labels.contains("10 h"), "\(hours.labels)")
  }

  @Test("ratios are ticked in percent")
  func percentTicks() {
    let axis = AxisScale.linear(from: 0, to: 0.26, quantity: .ratio)
    #expect(axis.labels.contains("10 %"), "\(axis.labels)")
    #expect(axis.upper >= 0.26)
  }

  @Test("a logarithmic time axis ticks at round durations covering the values")
  func logarithmicDurations() {
    let axis = AxisScale.logarithmic(from: 120, to: 6_161 * 60, quantity: .seconds)
    #expect(axis.kind == .logarithmic)
    #expect(axis.lower <= 120 && axis.upper >= 6_161 * 60)
    #expect(axis.labels.contains("1 h") && axis.labels.contains("10 min"), "\(axis.labels)")
    #expect(abs(axis.fraction(axis.lower)) < 1e-12 && abs(axis.fraction(axis.upper) - 1) < 1e-12)
    #expect(axis.fraction(3_600) > axis.fraction(600))
  }

  @Test("recovery times with a long tail get a log axis, and the median is visible")
  func longTailedHistogram() {
    // 38 short recoveries around 15 minutes and two very long ones (the case).
    var values = (0..<38).map { 600 + Double($0) * 30 }
    values += [4_000 * 60, 6_161 * 60]
    #expect(Charts.isLongTailed(sorted: values.sorted()))
    let svg = Charts.histogram(values, quantity: .seconds, title: "t", xLabel: "recovery", countNoun: "incidents")
    #expect(svg.contains("log scale"))
    #expect(svg.contains(">median 20 min<"), "\(svg)")
    // The 38 short ones are spread over several bars, not one.
    #expect(svg.components(separatedBy: "<rect ").count - 1 >= 4)
    #expect(!Charts.isLongTailed(sorted: [10, 11, 12, 13, 14, 15]))
  }

  @Test("values read as a person reads them")
  func humanisedValues() {
    #expect(ValueFormat.duration(seconds: 1_447) == "24 min")
    #expect(ValueFormat.duration(seconds: 42) == "42 s")
    #expect(ValueFormat.duration(seconds: 0.35) == "350 ms")
    #expect(ValueFormat.duration(seconds: 3.2 * 3_600) == "3.2 h")
    #expect(ValueFormat.duration(seconds: 12 * 86_400) == "12 d")
    #expect(ValueFormat.percent(0.026) == "2.6 %")
    #expect(ValueFormat.percent(0.05) == "5 %")
    #expect(ValueFormat.usd(1_680.67) == "$1,681")
    #expect(ValueFormat.usd(65_500) == "$66k")
    #expect(ValueFormat.usd(12.5) == "$12.50")
    #expect(ValueFormat.grouped(10_412) == "10,412")
    #expect(Quantity(unit: "deployments").format(607) == "607 deployments")
    #expect(Quantity(unit: "deployments/day").format(20.0333) == "20 deployments/day")
    #expect(Quantity(unit: "s").format(86_400) == "24 h")
  }

  @Test("dates on time axes are in the scenario's zone, at local midnights")
  func dateTicks() throws {
    // 2026-01-05T00:00 in Berlin is 2026-01-04T23:00Z.
    let start = 1_767_567_600.0
    let axis = TimeAxis(start: start, end: start + 30 * 86_400, timeZone: "Europe/Berlin")
    #expect(axis.ticks.count >= 4 && axis.ticks.count <= 10)
    #expect(axis.ticks.first?.label == "5 Jan", "\(axis.ticks)")
    #expect(axis.ticks.allSatisfy { ($0.time - start).truncatingRemainder(dividingBy: 86_400) == 0 })
    let week = TimeAxis(start: start, end: start + 3 * 86_400, timeZone: "Europe/Berlin")
    #expect(week.ticks.first?.label.hasPrefix("5 Jan") == true, "\(week.ticks)")
  }

  @Test("KPI labels are human, with units from the name when none is stored")
  func kpiLabels() {
    #expect(KPIPresentation(name: "recovery_time_median_seconds", unit: "s").label.hasPrefix("Failed-deployment recovery"))
    #expect(KPIPresentation(name: "lead_time_stage_ci_wait_mean_seconds", unit: nil).label == "Lead time stage ci wait (mean)")
    #expect(KPIPresentation(name: "idea_to_production_median_seconds.sklearn-standard", unit: nil).label
      == "Idea to production (median), sklearn-standard")
    #expect(KPIPresentation(name: "cost.by_team.fraud", unit: nil).quantity == .usd)
    #expect(KPIPresentation(name: "some_new_rate", unit: nil).quantity == .ratio)
  }

  @Test("confidence intervals stop at a KPI's natural bounds")
  func clippedIntervals() {
    let count = KPIPresentation(name: "incidents", unit: "incidents")
    #expect(count.lowerBound == 0 && count.upperBound == nil)
    let rate = KPIPresentation(name: "change_failure_rate", unit: "ratio")
    #expect(rate.lowerBound == 0 && rate.upperBound == 1)
    #expect(rate.differenceBounds.lower == -1)
    let savings = KPIPresentation(name: "cost.spot_savings_usd", unit: "USD")
    #expect(savings.lowerBound == nil, "savings are a difference and may be negative")
    let svg = Charts.intervals(
      [IntervalRow(label: "a", mean: 0.5, low: -1.2, high: 2.1)], quantity: .count("incidents"),
      bounds: (0, nil), title: "t", xLabel: "incidents")
    #expect(svg.contains("interval 0 incidents to 2.1 incidents (clipped"), "\(svg)")
    #expect(!svg.contains(">−1<") && !svg.contains(">-1<"), "no negative tick on a count axis")
  }

  @Test("DORA 2023 tiers from KPI values, and stored tier rows win")
  func doraTiers() {
    let tiers = DORATierThresholds.dora2023
    #expect(tiers.tier(of: .deploymentFrequency, value: 20) == .elite)
    #expect(tiers.tier(of: .deploymentFrequency, value: 0.5) == .high)
    #expect(tiers.tier(of: .deploymentFrequency, value: 0.1) == .medium)
    #expect(tiers.tier(of: .deploymentFrequency, value: 0.01) == .low)
    #expect(tiers.tier(of: .leadTime, value: 1_447) == .elite)
    #expect(tiers.tier(of: .leadTime, value: 86_400) == .elite)
    #expect(tiers.tier(of: .leadTime, value: 86_401) == .high)
    #expect(tiers.tier(of: .changeFailureRate, value: 0.026) == .elite)
    #expect(tiers.tier(of: .changeFailureRate, value: 0.12) == .medium)
    #expect(tiers.tier(of: .changeFailureRate, value: 0.2) == .low)
    #expect(tiers.tier(of: .recoveryTime, value: 29 * 60) == .elite)
    #expect(tiers.tier(of: .recoveryTime, value: 2 * 86_400) == .medium)
    #expect(tiers.tier(of: .recoveryTime, value: 40 * 86_400) == .low)
    let kpis = [
      KPIRow(name: "deployment_frequency_per_day", value: 20, valueText: nil, unit: "deployments/day", target: 5,
             comparison: ">", met: true),
      KPIRow(name: "lead_time_median_seconds", value: 1_447, valueText: nil, unit: "s", target: 86_400,
             comparison: "<", met: true),
      KPIRow(name: "change_failure_rate", value: 0.12, valueText: nil, unit: "ratio", target: 0.05,
             comparison: "<", met: false),
      KPIRow(name: "recovery_time_median_seconds", value: 900, valueText: nil, unit: "s", target: 1_800,
             comparison: "<", met: true),
    ]
    let computed = KPISummary(kpis: kpis)
    #expect(computed.overallTier == .medium && computed.overallTierSource == "computed")
    #expect(computed.headline.first?.display == "20 deployments/day")
    #expect(computed.headline[1].targetDisplay == "< 24 h")
    let stored = KPISummary(
      kpis: kpis + [
        KPIRow(name: "dora_tier.change_failure_rate", value: 2, valueText: "high", unit: "tier", target: nil,
               comparison: nil, met: nil),
        KPIRow(name: "dora_tier.overall", value: 2, valueText: "high", unit: "tier", target: nil, comparison: nil,
               met: nil),
      ])
    #expect(stored.entries.first { $0.name == "change_failure_rate" }?.doraTier == .high)
    #expect(stored.overallTier == .high && stored.overallTierSource == "stored")
    #expect(!stored.entries.contains { $0.name.hasPrefix("dora_tier.") })
  }
}
