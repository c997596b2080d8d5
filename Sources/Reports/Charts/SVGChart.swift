import Foundation

/// Server-side SVG charts a person reads: labelled axes with round ticks, humanised
/// units, dates on time axes, a colour-blind-safe palette.
///
/// Hand-written rather than a JavaScript library so that a report is one
/// self-contained file that renders offline (a CI artefact viewer, a mail client), so
/// that `platformsim report` and `platformsim serve` draw the same charts, and so that
/// the same data always gives byte-identical output. Every chart is an
/// `<svg class="chart">` with an `axis-title x` and an `axis-title y` text.
struct SVGChart {
  let width: Double
  let height: Double
  let title: String
  var margin = (left: 72.0, right: 20.0, top: 30.0, bottom: 46.0)
  private var body: [String] = []

  init(width: Double = 720, height: Double = 280, title: String) {
    self.width = width
    self.height = height
    self.title = title
  }

  var plotWidth: Double { width - margin.left - margin.right }
  var plotHeight: Double { height - margin.top - margin.bottom }
  var plotBottom: Double { margin.top + plotHeight }

  mutating func add(_ element: String) { body.append(element) }

  /// x of a fraction 0…1 of the plot's width.
  func x(_ fraction: Double) -> Double { margin.left + plotWidth * fraction }
  /// y of a fraction 0…1 of the plot's height, 0 at the bottom.
  func y(_ fraction: Double) -> Double { plotBottom - plotHeight * fraction }

  /// The left axis with its ticks, grid lines and title.
  mutating func yAxis(_ scale: AxisScale, title: String) {
    for (tick, label) in zip(scale.ticks, scale.labels) {
      let position = y(scale.fraction(tick))
      add("<path d=\"M\(f(margin.left)) \(f(position)) H\(f(margin.left + plotWidth))\" class=\"grid\"/>")
      add("<text x=\"\(f(margin.left - 6))\" y=\"\(f(position + 4))\" text-anchor=\"end\">\(escapeXML(label))</text>")
    }
    add("<path d=\"M\(f(margin.left)) \(f(margin.top)) V\(f(plotBottom))\" class=\"axis\"/>")
    yTitle(title)
  }

  /// The y axis title, turned along the axis.
  mutating func yTitle(_ title: String) {
    let middle = margin.top + plotHeight / 2
    add(
      "<text x=\"14\" y=\"\(f(middle))\" text-anchor=\"middle\" class=\"axis-title y\" transform=\"rotate(-90 14 \(f(middle)))\">\(escapeXML(title))</text>"
    )
  }

  /// The bottom axis of a value scale.
  mutating func xAxis(_ scale: AxisScale, title: String) {
    add("<path d=\"M\(f(margin.left)) \(f(plotBottom)) H\(f(margin.left + plotWidth))\" class=\"axis\"/>")
    for (tick, label) in zip(scale.ticks, scale.labels) {
      let position = x(scale.fraction(tick))
      add("<path d=\"M\(f(position)) \(f(plotBottom)) v5\" class=\"axis\"/>")
      add("<text x=\"\(f(position))\" y=\"\(f(plotBottom + 18))\" text-anchor=\"middle\">\(escapeXML(label))</text>")
    }
    xTitle(title)
  }

  /// The bottom axis of a time window, with vertical grid lines at the ticks.
  mutating func timeAxis(_ axis: TimeAxis, title: String? = nil) {
    add("<path d=\"M\(f(margin.left)) \(f(plotBottom)) H\(f(margin.left + plotWidth))\" class=\"axis\"/>")
    for tick in axis.ticks {
      let position = x(axis.fraction(tick.time))
      add("<path d=\"M\(f(position)) \(f(margin.top)) V\(f(plotBottom))\" class=\"grid\"/>")
      add("<text x=\"\(f(position))\" y=\"\(f(plotBottom + 18))\" text-anchor=\"middle\">\(escapeXML(tick.label))</text>")
    }
    xTitle(title ?? axis.title)
  }

  mutating func xTitle(_ title: String) {
    add(
      "<text x=\"\(f(margin.left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" class=\"axis-title x\">\(escapeXML(title))</text>"
    )
  }

  /// A legend row above the plot: a swatch and a name per entry, wrapping as needed.
  mutating func legend(_ entries: [(name: String, color: String)], shapes: [String: String] = [:]) {
    var left = margin.left
    var top = 8.0
    for entry in entries {
      let width = 22 + Double(entry.name.count) * 6.2
      if left + width > self.width - margin.right && left > margin.left {
        left = margin.left
        top += 14
      }
      if let shape = shapes[entry.name] {
        add(shape.replacingOccurrences(of: "{x}", with: f(left + 5)).replacingOccurrences(of: "{y}", with: f(top + 5)))
      } else {
        add("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>")
      }
      add("<text x=\"\(f(left + 14))\" y=\"\(f(top + 9))\" class=\"legend\">\(escapeXML(entry.name))</text>")
      left += width
    }
  }

  /// The finished `<svg>` element.
  var svg: String {
    """
    <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-label="\(escapeXML(title))">
    <title>\(escapeXML(title))</title>
    <style>.grid{stroke:#e6e6e6;fill:none}.axis{stroke:#444;fill:none}text{font:11px Helvetica,Arial,sans-serif;fill:#333}.axis-title{font-size:12px;fill:#555}.legend{font-size:11px}.marker{font-size:11px;font-weight:600}</style>
    \(body.joined(separator: "\n"))
    </svg>
    """
  }

  /// An empty chart saying why, with its axes named, so a missing section is visible
  /// rather than silent.
  static func empty(title: String, reason: String, xLabel: String = "", yLabel: String = "") -> String {
    var chart = SVGChart(height: 90, title: title)
    chart.margin = (24, 24, 8, 28)
    chart.add("<rect x=\"0.5\" y=\"0.5\" width=\"719\" height=\"89\" fill=\"#fafafa\" stroke=\"#ddd\"/>")
    chart.add("<text x=\"360\" y=\"42\" text-anchor=\"middle\" class=\"axis-title\">\(escapeXML(reason))</text>")
    chart.add("<text x=\"360\" y=\"80\" text-anchor=\"middle\" class=\"axis-title x\">\(escapeXML(xLabel))</text>")
    chart.add(
      "<text x=\"12\" y=\"45\" text-anchor=\"middle\" class=\"axis-title y\" transform=\"rotate(-90 12 45)\">\(escapeXML(yLabel))</text>"
    )
    return chart.svg
  }
}

/// The chart colours: Okabe & Ito's colour-blind-safe palette ("Color Universal
/// Design", 2002), readable with any of the common colour-vision deficiencies, plus a
/// fixed colour and shape per event kind so "fix" and "alert firing" never share one.
public enum ChartPalette {
  public static let blue = "#0072B2"
  public static let orange = "#E69F00"
  public static let bluishGreen = "#009E73"
  public static let reddishPurple = "#CC79A7"
  public static let skyBlue = "#56B4E9"
  public static let vermillion = "#D55E00"
  public static let yellow = "#F0E442"
  public static let black = "#000000"
  public static let grey = "#999999"

  /// Series colours in order; after eight they repeat with a dashed line.
  public static let series = [blue, orange, bluishGreen, reddishPurple, skyBlue, vermillion, yellow, black]

  public static func series(_ index: Int) -> String { series[index % series.count] }

  /// A stroke-dasharray for series beyond the eighth, so repeated colours stay apart.
  static func dash(_ index: Int) -> String {
    index < series.count ? "" : " stroke-dasharray=\"\(["6 3", "2 2", "8 2 2 2"][(index / series.count - 1) % 3])\""
  }
}

/// Coordinates with two decimals: compact and deterministic.
func f(_ value: Double) -> String { String(format: "%.2f", value) }

/// Text made safe for HTML and SVG content and attributes.
public func escapeXML(_ text: String) -> String {
  var result = ""
  result.reserveCapacity(text.utf8.count)
  for character in text.unicodeScalars {
    switch character {
    case "&": result += "&amp;"
    case "<": result += "&lt;"
    case ">": result += "&gt;"
    case "\"": result += "&quot;"
    case "'": result += "&#39;"
    default: result.unicodeScalars.append(character)
    }
  }
  return result
}

/// The value at fraction `p` of sorted values, interpolating linearly between neighbours
/// (PERCENTILE_CONT, as the KPIs compute medians; docs/KPIS.md).
public func percentileContinuous(sorted values: [Double], _ p: Double) -> Double? {
  guard !values.isEmpty else { return nil }
  let position = p * Double(values.count - 1)
  let lower = Int(position.rounded(.down))
  let upper = min(lower + 1, values.count - 1)
  return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
}
