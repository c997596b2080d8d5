/// Help text laid out for argument-parser, which wraps every line of a discussion at
/// the terminal's width (80 columns when the output is not a terminal).
///
/// The discussions are written here as paragraphs of short source lines. Passed on as
/// they are, a paragraph came out broken twice in a narrower terminal: each source line
/// of 81–86 columns was cut again, leaving a word or two alone on a line ("…and
/// writes" / "runs," / "KPIs and per-entity rows…"). So each paragraph, and each list
/// item with its indented continuation lines, is joined into one line for the parser
/// to wrap. Indented lines (examples, commands to copy) are kept as written; they are
/// kept within 79 columns so that an 80-column terminal does not cut a command in two
/// (`HelpTextTests` checks every command's discussion).
enum HelpText {
  /// The width argument-parser assumes when the output is not a terminal.
  ///
  /// A line kept as written must be narrower: the parser wraps a line that, with its
  /// line break, does not fit.
  static let columns = 80

  /// `text` with each paragraph and each list item on one line.
  ///
  /// A line joins the one before when both are non-empty and the line before is
  /// unindented: prose joins unindented prose that does not start a list item, and a
  /// list item (`- `, `* `, `1. `) joins lines indented to its text.
  static func reflowed(_ text: String) -> String {
    var lines: [String] = []
    // The indentation a line must have to continue the last line, or nil when the last
    // line takes no continuation (it is empty or indented).
    var continuationIndent: Int?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let indent = line.prefix { $0 == " " }.count
      let content = line.dropFirst(indent)
      let marker = listMarkerWidth(content)
      if !content.isEmpty, indent == continuationIndent, marker == nil, let last = lines.popLast() {
        lines.append(last + " " + content)
        continue
      }
      lines.append(String(line))
      continuationIndent = content.isEmpty || indent > 0 ? nil : (marker ?? 0)
    }
    return lines.joined(separator: "\n")
  }

  /// The width of the list marker `line` starts with (`- `, `* `, `12. `), or nil.
  static func listMarkerWidth(_ line: Substring) -> Int? {
    if line.hasPrefix("- ") || line.hasPrefix("* ") { return 2 }
    let digits = line.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". ") else { return nil }
    return digits.count + 2
  }
}
