import Foundation

/// A series over simulated time that holds each value until the next time (a step
/// function: nodes ready, jobs queued).
public struct StepSeries: Sendable {
  public var name: String
  /// Epoch seconds, ascending.
  public var times: [Double]
  public var values: [Double]

  public init(name: String, times: [Double], values: [Double]) {
    self.name = name
    self.times = times
    self.values = values
  }
}

/// A mean with its confidence interval, one row of an interval chart.
public struct IntervalRow: Sendable {
  public var label: String
  public var mean: Double
  public var low: Double?
  public var high: Double?

  public init(label: String, mean: Double, low: Double?, high: Double?) {
    self.label = label
    self.mean = mean
    self.low = low
    self.high = high
  }
}

/// The chart kinds `platformsim report` and `platformsim serve` draw (SVG text).
public enum Charts {
  /// Values a histogram draws on a logarithmic axis: positive, and the largest more than
  /// 20 times the median, so that a linear axis would squeeze most values into its first bar.
  public static func isLongTailed(sorted values: [Double]) -> Bool {
    let positive = values.filter { $0 > 0 }
    guard positive.count >= 5, let median = percentileContinuous(sorted: positive, 0.5), median > 0,
      let maximum = positive.last
    else { return false }
    return maximum / median > 20
  }

  /// A histogram of `values` (in `quantity`'s unit), with the median and p90 marked.
  ///
  /// Long-tailed values (``isLongTailed(sorted:)``) get a logarithmic axis with bins of
  /// equal width in log space; zeros then fall into the first bin, which says so.
  public static func histogram(
    _ values: [Double], quantity: Quantity, title: String, xLabel: String, countNoun: String, binCount: Int = 24
  ) -> String {
    let sorted = values.filter(\.isFinite).sorted()
    let yTitle = "number of \(countNoun)"
    guard let minimum = sorted.first, let maximum = sorted.last else {
      return SVGChart.empty(title: title, reason: "no \(countNoun)", xLabel: xLabel, yLabel: yTitle)
    }
    let logarithmic = isLongTailed(sorted: sorted)
    let axis: AxisScale
    var bins: Int
    if logarithmic {
      let smallest = sorted.first { $0 > 0 } ?? maximum
      axis = .logarithmic(from: smallest, to: maximum, quantity: quantity)
      bins = binCount
    } else {
      axis = .linear(from: min(minimum, 0), to: maximum, quantity: quantity, tickCount: 6)
      // Bin edges on the ticks: a whole number of bins per tick interval.
      let intervals = max(1, axis.ticks.count - 1)
      bins = intervals * max(1, binCount / intervals)
      if quantity.isCount {
        // Whole-number values: bins no narrower than one.
        bins = max(1, min(bins, Int((axis.upper - axis.lower).rounded())))
      }
    }
    var counts = Array(repeating: 0, count: bins)
    for value in sorted {
      let position = Int((axis.fraction(value) * Double(bins)).rounded(.down))
      counts[min(max(position, 0), bins - 1)] += 1
    }
    var chart = SVGChart(title: title)
    chart.margin.top = 40
    let yScale = AxisScale.linear(from: 0, to: Double(counts.max() ?? 1), quantity: .count(""), tickCount: 5)
    chart.yAxis(yScale, title: yTitle)
    let axisTitle = axis.unitLabel.isEmpty ? xLabel : "\(xLabel) (\(axis.unitLabel))"
    chart.xAxis(axis, title: axisTitle)
    let width = chart.plotWidth / Double(bins)
    for (index, count) in counts.enumerated() where count > 0 {
      let top = chart.y(yScale.fraction(Double(count)))
      let from = binEdge(index, of: bins, axis: axis)
      let to = binEdge(index + 1, of: bins, axis: axis)
      let zeros = logarithmic && index == 0 ? sorted.prefix { $0 <= 0 }.count : 0
      let note = zeros > 0 ? " (\(zeros) of them zero)" : ""
      chart.add(
        "<rect x=\"\(f(chart.x(Double(index) / Double(bins)) + 0.5))\" y=\"\(f(top))\" width=\"\(f(max(width - 1, 1)))\" height=\"\(f(chart.plotBottom - top))\" fill=\"\(ChartPalette.skyBlue)\"><title>\(escapeXML(countNoun)): \(count) from \(escapeXML(quantity.format(from))) to \(escapeXML(quantity.format(to)))\(note)</title></rect>"
      )
    }
    var markers: [(String, Double, String)] = []
    if let median = percentileContinuous(sorted: sorted, 0.5) { markers.append(("median", median, ChartPalette.black)) }
    if let p90 = percentileContinuous(sorted: sorted, 0.9) { markers.append(("p90", p90, ChartPalette.vermillion)) }
    var lastLabelEnd = -Double.infinity
    for (index, marker) in markers.enumerated() {
      let position = chart.x(axis.fraction(marker.1))
      chart.add(
        "<path d=\"M\(f(position)) \(f(chart.margin.top - 4)) V\(f(chart.plotBottom))\" stroke=\"\(marker.2)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\" fill=\"none\"/>"
      )
      let text = "\(marker.0) \(quantity.format(marker.1))"
      // Labels side by side when the markers are close.
      var labelX = position + 4
      if labelX < lastLabelEnd + 6 { labelX = lastLabelEnd + 6 }
      let anchorEnd = labelX + Double(text.count) * 6.5 > chart.width - 4
      let drawnX = anchorEnd ? min(position - 4, chart.width - 4) : labelX
      let rowY = chart.margin.top - 8 - (anchorEnd && index > 0 ? 12 : 0)
      chart.add(
        "<text x=\"\(f(drawnX))\" y=\"\(f(rowY))\" text-anchor=\"\(anchorEnd ? "end" : "start")\" class=\"marker\" fill=\"\(marker.2)\" style=\"fill:\(marker.2)\">\(escapeXML(text))</text>"
      )
      lastLabelEnd = anchorEnd ? lastLabelEnd : labelX + Double(text.count) * 6.5
    }
    return chart.svg
  }

  private static func binEdge(_ index: Int, of bins: Int, axis: AxisScale) -> Double {
    let fraction = Double(index) / Double(bins)
    switch axis.kind {
    case .linear: return axis.lower + (axis.upper - axis.lower) * fraction
    case .logarithmic: return pow(10, log10(axis.lower) + (log10(axis.upper) - log10(axis.lower)) * fraction)
    }
  }

  /// Bars per category, stacked by series (cost per team by resource, goodput per template).
  public static func bars(
    categories: [String], series: [(name: String, values: [Double])], quantity: Quantity, title: String,
    xLabel: String, yLabel: String
  ) -> String {
    guard !categories.isEmpty, !series.isEmpty else {
      return SVGChart.empty(title: title, reason: "no data", xLabel: xLabel, yLabel: yLabel)
    }
    let totals = categories.indices.map { index in series.reduce(0) { $0 + max(0, $1.values[index]) } }
    var chart = SVGChart(height: 320, title: title)
    chart.margin.top = series.count > 1 ? 44 : 30
    chart.margin.bottom = 70
    let scale = AxisScale.linear(from: 0, to: totals.max() ?? 1, quantity: quantity)
    chart.yAxis(scale, title: scale.unitLabel.isEmpty || yLabel.contains(scale.unitLabel) ? yLabel : "\(yLabel) (\(scale.unitLabel))")
    chart.add("<path d=\"M\(f(chart.margin.left)) \(f(chart.plotBottom)) H\(f(chart.x(1)))\" class=\"axis\"/>")
    let slot = chart.plotWidth / Double(categories.count)
    let rotate = categories.count > 8
    for (index, category) in categories.enumerated() {
      var top = chart.plotBottom
      let left = chart.margin.left + Double(index) * slot + slot * 0.15
      for (seriesIndex, entry) in series.enumerated() where entry.values[index] > 0 {
        let height = chart.plotHeight * scale.fraction(entry.values[index])
        top -= height
        chart.add(
          "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(slot * 0.7))\" height=\"\(f(height))\" fill=\"\(ChartPalette.series(seriesIndex))\"><title>\(escapeXML(category)) \(escapeXML(entry.name)): \(escapeXML(quantity.format(entry.values[index])))</title></rect>"
        )
      }
      let labelX = left + slot * 0.35
      let labelY = chart.plotBottom + 14
      let text = escapeXML(String(category.prefix(24)))
      if rotate {
        chart.add(
          "<text x=\"\(f(labelX))\" y=\"\(f(labelY))\" text-anchor=\"end\" transform=\"rotate(-35 \(f(labelX)) \(f(labelY)))\">\(text)</text>"
        )
      } else {
        chart.add("<text x=\"\(f(labelX))\" y=\"\(f(labelY))\" text-anchor=\"middle\">\(text)</text>")
        chart.add(
          "<text x=\"\(f(labelX))\" y=\"\(f(top - 4))\" text-anchor=\"middle\">\(escapeXML(quantity.format(totals[index])))</text>"
        )
      }
    }
    chart.xTitle(xLabel)
    if series.count > 1 { chart.legend(series.enumerated().map { ($1.name, ChartPalette.series($0)) }) }
    return chart.svg
  }

  /// Step lines over a run's window on a date axis (nodes per pool, jobs waiting).
  public static func stepLines(
    _ series: [StepSeries], axis: TimeAxis, quantity: Quantity, title: String, yLabel: String
  ) -> String {
    let values = series.flatMap(\.values).filter(\.isFinite)
    guard !series.isEmpty, let maximum = values.max() else {
      return SVGChart.empty(title: title, reason: "no data", xLabel: axis.title, yLabel: yLabel)
    }
    var chart = SVGChart(title: title)
    chart.margin.top = series.count > 1 ? 44 : 30
    let scale = AxisScale.linear(from: min(0, values.min() ?? 0), to: maximum, quantity: quantity)
    let unit = scale.unitLabel
    chart.yAxis(scale, title: unit.isEmpty || yLabel.contains(unit) ? yLabel : "\(yLabel) (\(unit))")
    chart.timeAxis(axis)
    for (index, entry) in series.enumerated() where !entry.times.isEmpty {
      var path = ""
      var lastY = chart.y(scale.fraction(entry.values[0]))
      for (point, time) in entry.times.enumerated() {
        let px = chart.x(axis.fraction(time))
        let py = chart.y(scale.fraction(entry.values[point]))
        path += point == 0 ? "M\(f(px)) \(f(py))" : " H\(f(px)) V\(f(py))"
        lastY = py
      }
      path += " H\(f(chart.x(1))) V\(f(lastY))"
      chart.add(
        "<path d=\"\(path)\" stroke=\"\(ChartPalette.series(index))\" stroke-width=\"1.6\" fill=\"none\"\(ChartPalette.dash(index))><title>\(escapeXML(entry.name))</title></path>"
      )
    }
    if series.count > 1 || !series[0].name.isEmpty {
      chart.legend(series.enumerated().map { ($1.name, ChartPalette.series($0)) })
    }
    return chart.svg
  }

  /// Stacked bars per time bucket (cost per day by team), on a date axis.
  ///
  /// - Parameters:
  ///   - bucketStarts: each bucket's start, epoch seconds; buckets are `bucketSeconds` long.
  ///   - series: one value per bucket per series, stacked in order.
  public static func stackedTimeBars(
    bucketStarts: [Double], bucketSeconds: Double, series: [(name: String, values: [Double])], axis: TimeAxis,
    quantity: Quantity, title: String, yLabel: String
  ) -> String {
    guard !bucketStarts.isEmpty, !series.isEmpty else {
      return SVGChart.empty(title: title, reason: "no data", xLabel: axis.title, yLabel: yLabel)
    }
    let totals = bucketStarts.indices.map { index in series.reduce(0) { $0 + max(0, $1.values[index]) } }
    var chart = SVGChart(height: 320, title: title)
    chart.margin.top = 30 + 14 * Double(1 + series.count / 6)
    let scale = AxisScale.linear(from: 0, to: totals.max() ?? 1, quantity: quantity)
    chart.yAxis(scale, title: "\(yLabel) (\(scale.unitLabel))")
    chart.timeAxis(axis)
    for (index, start) in bucketStarts.enumerated() {
      let left = chart.x(axis.fraction(start))
      let right = chart.x(axis.fraction(start + bucketSeconds))
      var top = chart.plotBottom
      for (seriesIndex, entry) in series.enumerated() where entry.values[index] > 0 {
        let height = chart.plotHeight * scale.fraction(entry.values[index])
        top -= height
        chart.add(
          "<rect x=\"\(f(left + 0.5))\" y=\"\(f(top))\" width=\"\(f(max(right - left - 1, 0.5)))\" height=\"\(f(height))\" fill=\"\(ChartPalette.series(seriesIndex))\"><title>\(escapeXML(entry.name)): \(escapeXML(quantity.format(entry.values[index])))</title></rect>"
        )
      }
    }
    chart.legend(series.enumerated().map { ($1.name, ChartPalette.series($0)) })
    return chart.svg
  }

  /// Means with confidence intervals, one row per label, the intervals clipped at the
  /// quantity's natural bounds (a count's interval does not go below zero).
  ///
  /// - Parameters:
  ///   - bounds: the smallest and largest values the quantity can take (`nil`: none).
  ///   - reference: a vertical line, e.g. 0 for differences or a gate's threshold.
  public static func intervals(
    _ rows: [IntervalRow], quantity: Quantity, bounds: (lower: Double?, upper: Double?), title: String,
    xLabel: String, reference: (value: Double, label: String)? = nil
  ) -> String {
    guard !rows.isEmpty else { return SVGChart.empty(title: title, reason: "no data", xLabel: xLabel, yLabel: "") }
    func clip(_ value: Double) -> Double {
      min(max(value, bounds.lower ?? -.infinity), bounds.upper ?? .infinity)
    }
    let lows = rows.map { clip($0.low ?? $0.mean) }
    let highs = rows.map { clip($0.high ?? $0.mean) }
    var minimum = lows.min() ?? 0
    var maximum = highs.max() ?? 1
    if let reference {
      minimum = min(minimum, reference.value)
      maximum = max(maximum, reference.value)
    }
    let scale = AxisScale.linear(
      from: minimum, to: maximum, quantity: quantity, tickCount: 6, includeZero: bounds.lower == 0)
    var chart = SVGChart(height: Double(70 + 30 * rows.count + 30), title: title)
    chart.margin.left = min(320, max(140, 6.4 * Double(rows.map(\.label.count).max() ?? 0) + 20))
    chart.margin.top = 24
    chart.xAxis(scale, title: scale.unitLabel.isEmpty ? xLabel : "\(xLabel) (\(scale.unitLabel))")
    chart.yTitle(rows.count > 1 ? "variant" : "")
    if let reference {
      let position = chart.x(scale.fraction(reference.value))
      chart.add(
        "<path d=\"M\(f(position)) \(f(chart.margin.top)) V\(f(chart.plotBottom))\" stroke=\"\(ChartPalette.vermillion)\" stroke-dasharray=\"4 3\" fill=\"none\"><title>\(escapeXML(reference.label))</title></path>"
      )
      chart.add(
        "<text x=\"\(f(position + 3))\" y=\"\(f(chart.margin.top - 6))\" class=\"marker\" style=\"fill:\(ChartPalette.vermillion)\">\(escapeXML(reference.label))</text>"
      )
    }
    let rowHeight = chart.plotHeight / Double(rows.count)
    for (index, row) in rows.enumerated() {
      let centre = chart.margin.top + rowHeight * (Double(index) + 0.5)
      chart.add(
        "<text x=\"\(f(chart.margin.left - 8))\" y=\"\(f(centre + 4))\" text-anchor=\"end\">\(escapeXML(row.label))</text>"
      )
      var detail = "mean \(quantity.format(row.mean))"
      if let low = row.low, let high = row.high {
        let clippedLow = clip(low)
        let clippedHigh = clip(high)
        detail += ", interval \(quantity.format(clippedLow)) to \(quantity.format(clippedHigh))"
        if clippedLow != low || clippedHigh != high {
          detail += " (clipped at the KPI's natural bounds; unclipped \(quantity.format(low)) to \(quantity.format(high)))"
        }
        let from = chart.x(scale.fraction(clippedLow))
        let to = chart.x(scale.fraction(clippedHigh))
        chart.add(
          "<path d=\"M\(f(from)) \(f(centre)) H\(f(to)) M\(f(from)) \(f(centre - 6)) V\(f(centre + 6)) M\(f(to)) \(f(centre - 6)) V\(f(centre + 6))\" stroke=\"\(ChartPalette.blue)\" stroke-width=\"2\" fill=\"none\"><title>\(escapeXML(detail))</title></path>"
        )
      }
      let meanX = chart.x(scale.fraction(clip(row.mean)))
      chart.add(
        "<rect x=\"\(f(meanX - 4))\" y=\"\(f(centre - 4))\" width=\"8\" height=\"8\" fill=\"\(ChartPalette.orange)\"><title>\(escapeXML(detail))</title></rect>"
      )
    }
    return chart.svg
  }
}
