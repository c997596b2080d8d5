import Foundation

/// What a mark on a deployment timeline stands for; each kind has its own colour and
/// shape (``ChartPalette``), so no two kinds share one.
public enum TimelineEventKind: String, Sendable, CaseIterable {
  /// A planned deployment that reached production.
  case planned
  /// A deployment carrying a fix forward.
  case fix
  /// A rollback to the last good version.
  case rollback
  /// A canary aborted by its analysis (traffic back to stable).
  case aborted
  /// A rollout whose pods never became ready.
  case stalled
  /// An incident, from when it started hurting until it was resolved: a span.
  case incident
  /// An alert firing.
  case alert

  /// The legend's words.
  public var label: String {
    switch self {
    case .planned: "deployment"
    case .fix: "fix forward"
    case .rollback: "rollback"
    case .aborted: "canary aborted"
    case .stalled: "stalled"
    case .incident: "incident (start to resolution)"
    case .alert: "alert firing"
    }
  }

  public var color: String {
    switch self {
    case .planned: ChartPalette.blue
    case .fix: ChartPalette.bluishGreen
    case .rollback: ChartPalette.vermillion
    case .aborted: ChartPalette.orange
    case .stalled: ChartPalette.black
    case .incident: ChartPalette.vermillion
    case .alert: ChartPalette.reddishPurple
    }
  }

  /// The mark centred on (x, y), with `{x}`/`{y}` placeholders for the legend.
  func shape(x: String, y: String, body: String = "") -> String {
    switch self {
    case .planned, .fix:
      return
        "<path d=\"M\(x) \(y) m0 -7 v14\" stroke=\"\(color)\" stroke-width=\"2.2\" fill=\"none\">\(body)</path>"
    case .rollback:
      return "<path d=\"M\(x) \(y) m-5 -5 h10 l-5 9 z\" fill=\"\(color)\">\(body)</path>"
    case .aborted:
      return
        "<path d=\"M\(x) \(y) m-4 -4 l8 8 m0 -8 l-8 8\" stroke=\"\(color)\" stroke-width=\"2.2\" fill=\"none\">\(body)</path>"
    case .stalled:
      return
        "<path d=\"M\(x) \(y) m-4 -4 h8 v8 h-8 z\" stroke=\"\(color)\" stroke-width=\"1.5\" fill=\"#fff\">\(body)</path>"
    case .incident:
      return
        "<path d=\"M\(x) \(y) m-5 -4 h10 v8 h-10 z\" fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"\(color)\">\(body)</path>"
    case .alert:
      return "<path d=\"M\(x) \(y) m0 -5 l4 5 l-4 5 l-4 -5 z\" fill=\"\(color)\">\(body)</path>"
    }
  }
}

/// One mark on a timeline: an event at a time (or a span), on a row, in a lane.
public struct TimelineEvent: Sendable {
  public var row: Int
  /// 0, or 1 for the second of two runs overlaid on one timeline.
  public var lane: Int
  public var kind: TimelineEventKind
  /// Epoch seconds; `end` for spans (incidents), `nil` if still open at the window's end.
  public var time: Double
  public var end: Double?
  /// The tooltip.
  public var detail: String
  /// Where a click leads (the deployment's or incident's page), if anywhere.
  public var link: String?

  public init(
    row: Int, lane: Int = 0, kind: TimelineEventKind, time: Double, end: Double? = nil, detail: String,
    link: String? = nil
  ) {
    self.row = row
    self.lane = lane
    self.kind = kind
    self.time = time
    self.end = end
    self.detail = detail
    self.link = link
  }
}

extension Charts {
  /// Deployments, incidents and alerts per service over the window, on a date axis.
  ///
  /// Incidents are spans from when they started hurting to their resolution (to the
  /// window's end when unresolved); deployments are ticks coloured by kind; aborts,
  /// stalls, rollbacks and alerts have their own shapes. With `laneNames` (two runs
  /// overlaid), each row is split: the first run above, the second below.
  public static func timeline(
    rows: [String], events: [TimelineEvent], axis: TimeAxis, title: String, rowTitle: String = "service",
    laneNames: [String] = []
  ) -> String {
    guard !rows.isEmpty else {
      return SVGChart.empty(title: title, reason: "no deployments", xLabel: axis.title, yLabel: rowTitle)
    }
    let lanes = max(1, laneNames.count)
    let rowHeight = lanes > 1 ? 40.0 : 26.0
    var chart = SVGChart(height: 90 + rowHeight * Double(rows.count), title: title)
    chart.margin.left = min(220, max(90, 6.4 * Double(rows.map(\.count).max() ?? 0) + 24))
    chart.margin.top = 46
    chart.timeAxis(axis)
    chart.yTitle(rowTitle)
    for (index, row) in rows.enumerated() {
      let top = chart.margin.top + rowHeight * Double(index)
      if index % 2 == 1 {
        chart.add(
          "<rect x=\"\(f(chart.margin.left))\" y=\"\(f(top))\" width=\"\(f(chart.plotWidth))\" height=\"\(f(rowHeight))\" fill=\"#f7f7f7\"/>"
        )
      }
      chart.add(
        "<text x=\"\(f(chart.margin.left - 6))\" y=\"\(f(top + rowHeight / 2 + 4))\" text-anchor=\"end\">\(escapeXML(row))</text>"
      )
      if lanes > 1 {
        for (lane, name) in laneNames.enumerated() {
          chart.add(
            "<text x=\"\(f(chart.margin.left + 3))\" y=\"\(f(top + rowHeight / Double(lanes) * (Double(lane) + 0.5) + 3))\" style=\"font-size:9px;fill:#888\">\(escapeXML(name))</text>"
          )
        }
      }
    }
    func centre(_ event: TimelineEvent) -> Double {
      let top = chart.margin.top + rowHeight * Double(event.row)
      return top + rowHeight / Double(lanes) * (Double(min(event.lane, lanes - 1)) + 0.5)
    }
    // Spans first, so that point marks are drawn over them.
    let ordered = events.filter { $0.kind == .incident } + events.filter { $0.kind != .incident }
    for event in ordered where event.row >= 0 && event.row < rows.count {
      let y = centre(event)
      let x = chart.x(axis.fraction(event.time))
      let tooltip = "<title>\(escapeXML(event.detail))</title>"
      var mark: String
      if event.kind == .incident {
        let endX = chart.x(axis.fraction(event.end ?? axis.end))
        let height = rowHeight / Double(lanes) - 6
        mark =
          "<rect x=\"\(f(x))\" y=\"\(f(y - height / 2))\" width=\"\(f(max(endX - x, 2)))\" height=\"\(f(height))\" fill=\"\(event.kind.color)\" fill-opacity=\"0.22\" stroke=\"\(event.kind.color)\" stroke-width=\"0.8\">\(tooltip)</rect>"
      } else {
        let shiftedY = event.kind == .alert ? y - 7 : y
        mark = event.kind.shape(x: f(x), y: f(shiftedY), body: tooltip)
      }
      if let link = event.link { mark = "<a href=\"\(escapeXML(link))\">\(mark)</a>" }
      chart.add(mark)
    }
    let present = TimelineEventKind.allCases.filter { kind in events.contains { $0.kind == kind } }
    var shapes: [String: String] = [:]
    for kind in present { shapes[kind.label] = kind.shape(x: "{x}", y: "{y}") }
    chart.legend(present.map { ($0.label, $0.color) }, shapes: shapes)
    return chart.svg
  }
}
