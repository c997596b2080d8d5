import Foundation
import ResultStore

/// Why a report could not be written; rendered in one place.
public enum ReportError: Error, CustomStringConvertible, Sendable {
  case noSuchRun(Int64, database: String)
  case noSuchExperiment(Int64, database: String)
  case emptyDatabase(String)
  case store(StoreError)
  case cannotWrite(path: String, reason: String)

  public var description: String {
    switch self {
    case .noSuchRun(let id, let database): return "error: \(database) has no run \(id)"
    case .noSuchExperiment(let id, let database): return "error: \(database) has no experiment \(id)"
    case .emptyDatabase(let database): return "error: \(database) has no completed runs to report on"
    case .store(let error): return "error: \(error)"
    case .cannotWrite(let path, let reason): return "error: cannot write \(path): \(reason)"
    }
  }
}

/// A rendered report: Markdown and a self-contained HTML page.
public struct RenderedReport: Sendable {
  public var baseName: String
  public var title: String
  public var markdown: String
  public var html: String
  /// Charts as standalone SVG files, referenced from the Markdown: (file name, content).
  public var charts: [(name: String, svg: String)]

  /// Writes `<baseName>.md`, `<baseName>.html` and the charts into `directory`.
  ///
  /// - Returns: the paths of the Markdown and HTML files.
  public func write(to directory: String) throws(ReportError) -> (markdown: String, html: String) {
    let url = URL(fileURLWithPath: directory)
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      let markdownPath = url.appendingPathComponent("\(baseName).md").path
      let htmlPath = url.appendingPathComponent("\(baseName).html").path
      try markdown.write(toFile: markdownPath, atomically: true, encoding: .utf8)
      try html.write(toFile: htmlPath, atomically: true, encoding: .utf8)
      for chart in charts {
        try chart.svg.write(toFile: url.appendingPathComponent(chart.name).path, atomically: true, encoding: .utf8)
      }
      return (markdownPath, htmlPath)
    } catch {
      throw .cannotWrite(path: directory, reason: error.localizedDescription)
    }
  }
}

/// Builds a report section by section: each has Markdown text and an HTML twin
/// with its charts inline.
struct ReportBuilder {
  let baseName: String
  var markdown: [String] = []
  var html: [String] = []
  var charts: [(name: String, svg: String)] = []

  mutating func heading(_ text: String, level: Int = 2) {
    markdown.append(String(repeating: "#", count: level) + " " + markdownText(text) + "\n")
    html.append("<h\(level)>\(escapeXML(text))</h\(level)>")
  }

  mutating func paragraph(_ text: String) {
    markdown.append(markdownText(text) + "\n")
    html.append("<p>\(escapeXML(text))</p>")
  }

  mutating func table(header: [String], rows: [[String]], classes: [String?] = []) {
    markdown.append("| " + header.map(markdownCell).joined(separator: " | ") + " |")
    markdown.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
    for row in rows { markdown.append("| " + row.map(markdownCell).joined(separator: " | ") + " |") }
    markdown.append("")
    var lines = ["<table><thead><tr>" + header.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr></thead><tbody>"]
    for (index, row) in rows.enumerated() {
      let rowClass = index < classes.count ? classes[index].map { " class=\"\($0)\"" } ?? "" : ""
      lines.append(
        "<tr\(rowClass)>" + row.map { "<td>\(escapeXML($0.replacingOccurrences(of: "`", with: "")))</td>" }.joined()
          + "</tr>")
    }
    lines.append("</tbody></table>")
    html.append(lines.joined(separator: "\n"))
  }

  mutating func chart(_ slug: String, title: String, svg: String) {
    let name = "\(baseName)-\(slug).svg"
    charts.append((name, svg))
    markdown.append("![\(markdownText(title))](\(name))\n")
    html.append("<figure>\(svg)<figcaption>\(escapeXML(title))</figcaption></figure>")
  }

  func finish(title: String) -> RenderedReport {
    let page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>\(escapeXML(title))</title>
      <style>
      body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 980px; color: #222; padding: 0 16px; }
      h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #eee; padding-bottom: 4px; }
      table { border-collapse: collapse; margin: 8px 0 16px; }
      th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; font-variant-numeric: tabular-nums; }
      th { background: #f6f6f6; }
      tr.met td:last-child { color: #1a7f37; } tr.missed td:last-child { color: #cf222e; font-weight: 600; }
      figure { margin: 12px 0 20px; } figcaption { color: #666; font-size: 12px; }
      svg { font: 11px Helvetica, Arial, sans-serif; max-width: 100%; height: auto; }
      svg .axis { fill: #555; font-size: 12px; }
      </style>
      </head>
      <body>
      <h1>\(escapeXML(title))</h1>
      \(html.joined(separator: "\n"))
      </body>
      </html>

      """
    return RenderedReport(
      baseName: baseName, title: title, markdown: "# \(title)\n\n" + markdown.joined(separator: "\n") + "\n",
      html: page,
      charts: charts)
  }
}

/// `text` for Markdown, with no raw HTML in it.
///
/// Every `<` that could open raw HTML (a tag, a comment, an autolink: `<` before a
/// letter, `/`, `!` or `?`) is written as `&lt;`, so names from scenario files (a team
/// called `<script>…`) show as text. CommonMark §6.6 (raw HTML):
/// anything else, such as `< 5 %`, is already text and stays as it is.
func markdownText(_ text: String) -> String {
  var escaped = ""
  escaped.reserveCapacity(text.utf8.count)
  var previous: Character?
  for character in text {
    if previous == "<" {
      escaped += character.isLetter || "/!?".contains(character) ? "&lt;" : "<"
    }
    if character != "<" { escaped.append(character) }
    previous = character
  }
  if previous == "<" { escaped += "<" }
  return escaped
}

/// A table cell's text: ``markdownText(_:)`` with `|` escaped, which would otherwise
/// end the cell (GitHub Flavored Markdown, tables).
func markdownCell(_ text: String) -> String {
  markdownText(text).replacingOccurrences(of: "|", with: "\\|")
}
