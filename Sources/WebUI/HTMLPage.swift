import Reports
import ResultRows

/// Text made safe inside HTML.
func escapeHTML(_ text: String) -> String { escapeXML(text) }

/// A page of the site: the shared layout (navigation, styles) around its sections.
///
/// No JavaScript and no external resources: every page, its charts included, reads
/// the same in any browser, offline, or saved to a file.
struct HTMLPage {
  var title: String
  private var parts: [String] = []

  init(title: String) { self.title = title }

  mutating func add(_ html: String) { parts.append(html) }

  mutating func heading(_ text: String, level: Int = 2, id: String? = nil) {
    let anchor = id.map { " id=\"\($0)\"" } ?? ""
    parts.append("<h\(level)\(anchor)>\(escapeHTML(text))</h\(level)>")
  }

  mutating func paragraph(_ text: String, className: String? = nil) {
    parts.append("<p\(className.map { " class=\"\($0)\"" } ?? "")>\(escapeHTML(text))</p>")
  }

  /// A figure with its chart and caption.
  mutating func chart(_ svg: String, caption: String) {
    parts.append("<figure>\(svg)<figcaption>\(escapeHTML(caption))</figcaption></figure>")
  }

  /// A table of cells that are already HTML (escape text with ``escapeHTML(_:)``).
  mutating func table(header: [String], rows: [[String]], rowClasses: [String?] = [], className: String? = nil) {
    var html = "<table\(className.map { " class=\"\($0)\"" } ?? "")><thead><tr>"
    html += header.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>"
    for (index, row) in rows.enumerated() {
      let rowClass = index < rowClasses.count ? rowClasses[index].map { " class=\"\($0)\"" } ?? "" : ""
      html += "<tr\(rowClass)>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>"
    }
    parts.append(html + "</tbody></table>")
  }

  func render() -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escapeHTML(title)) · PlatformSim</title>
    <link rel="icon" href="data:,">
    <style>\(Self.style)</style>
    </head>
    <body>
    <nav><a href="/" class="brand">PlatformSim</a> <a href="/">Runs</a> <a href="/experiments">Experiments</a> <a href="/compare/runs">Compare runs</a> <a href="/compare/experiments">Compare experiments</a></nav>
    <main>
    <h1>\(escapeHTML(title))</h1>
    \(parts.joined(separator: "\n"))
    </main>
    </body>
    </html>

    """
  }

  static let style = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}
    nav{background:#24292f;padding:8px 20px}nav a{color:#fff;margin-right:16px;text-decoration:none}nav .brand{font-weight:700}
    main{max-width:1180px;margin:0 auto;padding:8px 20px 40px}h1{font-size:22px}h2{font-size:17px;margin-top:30px;border-bottom:1px solid #eee;padding-bottom:4px}
    table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-variant-numeric:tabular-nums;vertical-align:top}
    th{background:#f6f8fa}tr.met td.verdict,td.met{color:#1a7f37}tr.missed td.verdict,td.missed{color:#cf222e;font-weight:600}
    code,.raw{font:12px ui-monospace,Menlo,monospace;color:#57606a}
    .tiles{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.tile{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:190px;flex:1 1 190px}
    .tile .label{color:#57606a;font-size:12px}.tile .value{font-size:22px;font-weight:600}.tile .raw{display:block}
    .tile.met{border-left:5px solid #1a7f37}.tile.missed{border-left:5px solid #cf222e}
    .tier{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
    .tier-elite{background:#0072B2}.tier-high{background:#009E73}.tier-medium{background:#E69F00;color:#222}.tier-low{background:#D55E00}
    figure{margin:12px 0 22px}svg.chart{width:100%;max-width:1000px;height:auto}figcaption{color:#57606a;font-size:12px}svg.chart{max-width:100%;height:auto}
    form{margin:8px 0 12px}form label{margin-right:10px}.error{color:#cf222e;font-size:16px}.note{color:#57606a}
    .side{display:flex;gap:16px;flex-wrap:wrap}.side>div{flex:1 1 520px;min-width:0}
    """
}

/// Shared bits of pages.
enum PageParts {
  static func tierBadge(_ tier: DORATier?, source: String? = nil) -> String {
    guard let tier else { return "" }
    let note = source == "stored" ? "stored in the run's KPI rows" : "rated from the KPI value (DORA 2023 thresholds)"
    return "<span class=\"tier tier-\(tier.rawValue)\" title=\"\(escapeHTML(note))\">\(tier.label)</span>"
  }

  static func metCell(_ met: Bool?) -> String {
    guard let met else { return "" }
    return met ? "<span class=\"met\">✓ met</span>" : "<span class=\"missed\">✗ missed</span>"
  }

  /// A KPI tile: label, value, target met or missed, DORA tier, raw name.
  static func tile(_ entry: KPISummary.Entry) -> String {
    let state = entry.met.map { $0 ? " met" : " missed" } ?? ""
    var html = "<div class=\"tile\(state)\" title=\"\(escapeHTML(entry.name))\">"
    html += "<div class=\"label\">\(escapeHTML(entry.label))</div>"
    html += "<div class=\"value\">\(escapeHTML(entry.display))</div>"
    if !entry.targetDisplay.isEmpty {
      html += "<div>target \(escapeHTML(entry.targetDisplay)) \(metCell(entry.met))</div>"
    }
    if let tier = entry.doraTier {
      html += "<div>DORA \(tierBadge(tier, source: entry.doraTierSource))</div>"
    }
    html += "<code class=\"raw\">\(escapeHTML(entry.name))</code></div>"
    return html
  }

  /// The table of every KPI: label, value, target, met, tier, raw name.
  static func kpiRows(_ entries: [KPISummary.Entry]) -> (rows: [[String]], classes: [String?]) {
    let rows = entries.map { entry in
      [
        escapeHTML(entry.label), escapeHTML(entry.display), escapeHTML(entry.targetDisplay), metCell(entry.met),
        tierBadge(entry.doraTier, source: entry.doraTierSource), "<code>\(escapeHTML(entry.name))</code>",
      ]
    }
    return (rows, entries.map { $0.met.map { $0 ? "met" : "missed" } })
  }

  static func link(_ href: String, _ text: String) -> String {
    "<a href=\"\(escapeHTML(href))\">\(escapeHTML(text))</a>"
  }
}
