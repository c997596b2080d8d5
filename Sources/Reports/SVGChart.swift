import Foundation

/// Small inline-SVG charts: histograms, bars, step lines, timelines, intervals.
///
/// Hand-written rather than a JavaScript library so that a report is one
/// self-contained file that renders offline, in a CI artifact viewer or a mail client,
/// and so that the same data always gives byte-identical output.
struct SVGChart {
  let width: Double
  let height: Double
  let title: String
  var margin = (left: 64.0, right: 16.0, top: 28.0, bottom: 40.0)
  private var body: [String] = []

  init(width: Double = 640, height: Double = 260, title: String) {
    self.width = width
    self.height = height
    self.title = title
  }

  var plotWidth: Double { width - margin.left - margin.right }
  var plotHeight: Double { height - margin.top - margin.bottom }

  static let palette = [
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC",
  ]

  mutating func add(_ element: String) { body.append(element) }

  /// Axes with `ticks` labelled values on y (0…yMax) and x labels provided by the caller.
  mutating func axes(yMax: Double, yLabel: String, xLabels: [(position: Double, text: String)], xLabel: String) {
    let x0 = margin.left
    let y0 = margin.top + plotHeight
    add("<path d=\"M\(f(x0)) \(f(margin.top)) V\(f(y0)) H\(f(x0 + plotWidth))\" stroke=\"#333\" fill=\"none\"/>")
    for step in 0...4 {
      let value = yMax * Double(step) / 4
      let y = y0 - plotHeight * Double(step) / 4
      add("<path d=\"M\(f(x0)) \(f(y)) H\(f(x0 + plotWidth))\" stroke=\"#ddd\" fill=\"none\"/>")
      add("<text x=\"\(f(x0 - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escapeXML(shortNumber(value)))</text>")
    }
    for label in xLabels {
      let x = x0 + plotWidth * label.position
      add("<text x=\"\(f(x))\" y=\"\(f(y0 + 16))\" text-anchor=\"middle\">\(escapeXML(label.text))</text>")
    }
    add(
      "<text x=\"\(f(x0 + plotWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\" class=\"axis\">\(escapeXML(xLabel))</text>"
    )
    add(
      "<text x=\"14\" y=\"\(f(margin.top + plotHeight / 2))\" text-anchor=\"middle\" class=\"axis\" transform=\"rotate(-90 14 \(f(margin.top + plotHeight / 2)))\">\(escapeXML(yLabel))</text>"
    )
  }

  mutating func legend(_ entries: [(name: String, color: String)]) {
    var x = margin.left
    for entry in entries {
      add("<rect x=\"\(f(x))\" y=\"8\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>")
      add("<text x=\"\(f(x + 14))\" y=\"17\">\(escapeXML(entry.name))</text>")
      x += 24 + Double(entry.name.count) * 6.5
    }
  }

  /// The finished `<svg>` element.
  var svg: String {
    """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-label="\(escapeXML(title))">
    <title>\(escapeXML(title))</title>
    \(body.joined(separator: "\n"))
    </svg>
    """
  }

  /// An empty chart saying why, so a missing section is visible rather than silent.
  static func empty(title: String, reason: String) -> String {
    var chart = SVGChart(height: 80, title: title)
    chart.add("<rect x=\"0.5\" y=\"0.5\" width=\"639\" height=\"79\" fill=\"#fafafa\" stroke=\"#ddd\"/>")
    chart.add("<text x=\"320\" y=\"45\" text-anchor=\"middle\" class=\"axis\">\(escapeXML(reason))</text>")
    return chart.svg
  }

  // MARK: - Chart kinds

  /// A histogram of `values` in `binCount` equal bins from 0 (or the minimum, if negative).
  static func histogram(_ values: [Double], binCount: Int = 20, title: String, xLabel: String, scale: Double = 1)
    -> String
  {
    let scaled = values.map { $0 / scale }
    guard let maximum = scaled.max(), let minimum = scaled.min() else {
      return empty(title: title, reason: "no values")
    }
    let low = min(0, minimum)
    let span = max(maximum - low, 1e-9)
    var counts = Array(repeating: 0, count: binCount)
    for value in scaled { counts[min(binCount - 1, Int((value - low) / span * Double(binCount)))] += 1 }
    var chart = SVGChart(title: title)
    let yMax = Double(max(counts.max() ?? 1, 1))
    chart.axes(
      yMax: yMax, yLabel: "count",
      xLabels: (0...4).map { (Double($0) / 4, shortNumber(low + span * Double($0) / 4)) }, xLabel: xLabel)
    let barWidth = chart.plotWidth / Double(binCount)
    for (index, count) in counts.enumerated() where count > 0 {
      let barHeight = chart.plotHeight * Double(count) / yMax
      chart.add(
        "<rect x=\"\(f(chart.margin.left + Double(index) * barWidth + 1))\" y=\"\(f(chart.margin.top + chart.plotHeight - barHeight))\" width=\"\(f(max(barWidth - 2, 1)))\" height=\"\(f(barHeight))\" fill=\"\(palette[0])\"><title>\(count)</title></rect>"
      )
    }
    return chart.svg
  }

  /// Stacked bars: one bar per category, one segment per series.
  static func stackedBars(
    categories: [String], series: [(name: String, values: [Double])], title: String, yLabel: String
  ) -> String {
    guard !categories.isEmpty else { return empty(title: title, reason: "no data") }
    let totals = categories.indices.map { index in series.reduce(0) { $0 + $1.values[index] } }
    let yMax = max(totals.max() ?? 1, 1e-9)
    var chart = SVGChart(height: 310, title: title)
    chart.margin.bottom = 60
    chart.margin.top = 44
    chart.axes(yMax: yMax, yLabel: yLabel, xLabels: [], xLabel: "")
    let slot = chart.plotWidth / Double(categories.count)
    for (index, category) in categories.enumerated() {
      var top = chart.margin.top + chart.plotHeight
      let x = chart.margin.left + Double(index) * slot + slot * 0.15
      for (seriesIndex, entry) in series.enumerated() where entry.values[index] > 0 {
        let segment = chart.plotHeight * entry.values[index] / yMax
        top -= segment
        chart.add(
          "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(slot * 0.7))\" height=\"\(f(segment))\" fill=\"\(palette[seriesIndex % palette.count])\"><title>\(escapeXML(category)) \(escapeXML(entry.name)): \(shortNumber(entry.values[index]))</title></rect>"
        )
      }
      chart.add(
        "<text x=\"\(f(x + slot * 0.35))\" y=\"\(f(chart.margin.top + chart.plotHeight + 16))\" text-anchor=\"middle\">\(escapeXML(String(category.prefix(22))))</text>"
      )
      chart.add(
        "<text x=\"\(f(x + slot * 0.35))\" y=\"\(f(top - 4))\" text-anchor=\"middle\">\(escapeXML(shortNumber(totals[index])))</text>"
      )
    }
    if series.count > 1 { chart.legend(series.enumerated().map { ($1.name, palette[$0 % palette.count]) }) }
    return chart.svg
  }

  /// Step lines over time: one line per series, values sampled at `times` (fractions 0…1 of the window).
  static func stepLines(
    times: [Double], series: [(name: String, values: [Double])], title: String, yLabel: String,
    xLabels: [(Double, String)]
  ) -> String {
    guard !times.isEmpty, !series.isEmpty else { return empty(title: title, reason: "no data") }
    let yMax = max(series.flatMap(\.values).max() ?? 1, 1)
    var chart = SVGChart(title: title)
    chart.axes(yMax: yMax, yLabel: yLabel, xLabels: xLabels, xLabel: "simulated time")
    for (index, entry) in series.enumerated() {
      var path = ""
      for (point, time) in times.enumerated() {
        let x = chart.margin.left + chart.plotWidth * time
        let y = chart.margin.top + chart.plotHeight * (1 - entry.values[point] / yMax)
        path += point == 0 ? "M\(f(x)) \(f(y))" : " H\(f(x)) V\(f(y))"
      }
      chart.add("<path d=\"\(path)\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"2\" fill=\"none\"/>")
    }
    chart.legend(series.enumerated().map { ($1.name, palette[$0 % palette.count]) })
    return chart.svg
  }

  /// Events on rows over time: a tick per deployment (its height the highest canary
  /// weight reached, full height without a canary), rollbacks and aborted or rolled-back
  /// deployments marked in red, firing alerts as dots above the row.
  static func timeline(
    rows: [String], events: [(row: Int, time: Double, kind: String, rolledBack: Bool, canaryWeight: Int?)], title: String,
    xLabels: [(Double, String)]
  ) -> String {
    guard !rows.isEmpty else { return empty(title: title, reason: "no deployments") }
    var chart = SVGChart(height: Double(60 + 28 * rows.count + 40), title: title)
    chart.margin.left = 120
    let rowHeight = chart.plotHeight / Double(rows.count)
    chart.add(
      "<path d=\"M\(f(chart.margin.left)) \(f(chart.margin.top + chart.plotHeight)) H\(f(chart.margin.left + chart.plotWidth))\" stroke=\"#333\" fill=\"none\"/>"
    )
    for (index, row) in rows.enumerated() {
      let y = chart.margin.top + rowHeight * (Double(index) + 0.5)
      chart.add(
        "<text x=\"\(f(chart.margin.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escapeXML(row))</text>")
      chart.add(
        "<path d=\"M\(f(chart.margin.left)) \(f(y)) H\(f(chart.margin.left + chart.plotWidth))\" stroke=\"#eee\" fill=\"none\"/>"
      )
    }
    for label in xLabels {
      chart.add(
        "<text x=\"\(f(chart.margin.left + chart.plotWidth * label.0))\" y=\"\(f(chart.margin.top + chart.plotHeight + 16))\" text-anchor=\"middle\">\(escapeXML(label.1))</text>"
      )
    }
    let colors = ["planned": palette[0], "fix": palette[1], "rollback": palette[3]]
    for event in events {
      let x = chart.margin.left + chart.plotWidth * event.time
      let y = chart.margin.top + rowHeight * (Double(event.row) + 0.5)
      if event.kind == "alert" {
        chart.add(
          "<circle cx=\"\(f(x))\" cy=\"\(f(y - 11))\" r=\"3\" fill=\"\(palette[1])\"><title>alert firing</title></circle>")
      } else if event.kind == "rollback" {
        chart.add(
          "<path d=\"M\(f(x)) \(f(y - 8)) L\(f(x + 6)) \(f(y + 6)) L\(f(x - 6)) \(f(y + 6)) Z\" fill=\"\(palette[3])\"><title>rollback</title></path>"
        )
      } else {
        let height = event.canaryWeight.map { 3 + 11 * Double($0) / 100 } ?? 14
        let tooltip = event.canaryWeight.map { "<title>canary reached \($0) %</title>" } ?? ""
        chart.add(
          "<rect x=\"\(f(x - 1))\" y=\"\(f(y + 7 - height))\" width=\"2\" height=\"\(f(height))\" fill=\"\(colors[event.kind] ?? palette[0])\">\(tooltip)</rect>"
        )
        if event.rolledBack {
          chart.add(
            "<path d=\"M\(f(x - 5)) \(f(y - 12)) L\(f(x + 5)) \(f(y - 2)) M\(f(x + 5)) \(f(y - 12)) L\(f(x - 5)) \(f(y - 2))\" stroke=\"\(palette[3])\" stroke-width=\"2\"><title>rolled back</title></path>"
          )
        }
      }
    }
    chart.legend([
      ("planned", palette[0]), ("fix", palette[1]), ("rollback ▲ / rolled back or aborted ✕", palette[3]),
      ("alert firing ●", palette[1]),
    ])
    return chart.svg
  }

  /// Means with confidence intervals, one row per label.
  static func intervals(
    _ rows: [(label: String, mean: Double, low: Double?, high: Double?)], title: String, xLabel: String
  ) -> String {
    guard !rows.isEmpty else { return empty(title: title, reason: "no data") }
    let lows = rows.map { $0.low ?? $0.mean }
    let highs = rows.map { $0.high ?? $0.mean }
    var minimum = min(lows.min() ?? 0, 0)
    var maximum = max(highs.max() ?? 1, 0)
    if maximum - minimum < 1e-12 {
      minimum -= 1
      maximum += 1
    }
    var chart = SVGChart(height: Double(50 + 30 * rows.count + 40), title: title)
    chart.margin.left = min(300, max(150, 6.5 * Double(rows.map(\.label.count).max() ?? 0) + 16))
    let span = maximum - minimum
    func x(_ value: Double) -> Double { chart.margin.left + chart.plotWidth * (value - minimum) / span }
    let rowHeight = chart.plotHeight / Double(rows.count)
    chart.add(
      "<path d=\"M\(f(x(0))) \(f(chart.margin.top)) V\(f(chart.margin.top + chart.plotHeight))\" stroke=\"#999\" stroke-dasharray=\"4 3\" fill=\"none\"/>"
    )
    for step in 0...4 {
      let value = minimum + span * Double(step) / 4
      chart.add(
        "<text x=\"\(f(x(value)))\" y=\"\(f(chart.margin.top + chart.plotHeight + 16))\" text-anchor=\"middle\">\(escapeXML(shortNumber(value)))</text>"
      )
    }
    chart.add(
      "<text x=\"\(f(chart.margin.left + chart.plotWidth / 2))\" y=\"\(f(chart.height - 6))\" text-anchor=\"middle\" class=\"axis\">\(escapeXML(xLabel))</text>"
    )
    for (index, row) in rows.enumerated() {
      let y = chart.margin.top + rowHeight * (Double(index) + 0.5)
      chart.add(
        "<text x=\"\(f(chart.margin.left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escapeXML(row.label))</text>")
      if let low = row.low, let high = row.high {
        chart.add(
          "<path d=\"M\(f(x(low))) \(f(y)) H\(f(x(high))) M\(f(x(low))) \(f(y - 6)) V\(f(y + 6)) M\(f(x(high))) \(f(y - 6)) V\(f(y + 6))\" stroke=\"\(palette[0])\" stroke-width=\"2\" fill=\"none\"/>"
        )
      }
      chart.add(
        "<rect x=\"\(f(x(row.mean) - 4))\" y=\"\(f(y - 4))\" width=\"8\" height=\"8\" fill=\"\(palette[1])\"><title>\(escapeXML(shortNumber(row.mean)))</title></rect>"
      )
    }
    return chart.svg
  }
}

/// Coordinates with two decimals: compact and deterministic.
func f(_ value: Double) -> String { String(format: "%.2f", value) }

func shortNumber(_ value: Double) -> String {
  let magnitude = abs(value)
  if magnitude >= 1e6 { return String(format: "%.1fM", value / 1e6) }
  if magnitude >= 1e4 { return String(format: "%.0fk", value / 1e3) }
  if magnitude >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
  return String(format: "%.3g", value)
}

func escapeXML(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
