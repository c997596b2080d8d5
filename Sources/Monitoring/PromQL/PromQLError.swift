/// Errors from parsing or evaluating PromQL, rendered to text in one place.
///
/// Parse errors carry the expression and the byte offset of the problem so the
/// message can show the expression with a caret under it, e.g.
///
///     1:10: unsupported function "predict_linear" (PlatformSim implements: abs, ...)
///       predict_linear(x[1h], 60)
///       ^
public enum PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The expression does not parse; `offset` is a UTF-8 offset into `expression`.
  case syntax(expression: String, offset: Int, message: String)
  /// The expression parses but uses a PromQL feature PlatformSim does not implement.
  case unsupported(expression: String, offset: Int, feature: String)
  /// Evaluation failed (for example many-to-many matching), as Prometheus would at query time.
  case evaluation(message: String)

  /// Line and column (1-based, in characters) of a parse error.
  public var location: (line: Int, column: Int)? {
    switch self {
    case .syntax(let expression, let offset, _), .unsupported(let expression, let offset, _):
      return lineAndColumn(expression, offset)
    case .evaluation:
      return nil
    }
  }

  public var description: String {
    switch self {
    case .syntax(let expression, let offset, let message):
      return render(expression, offset, "parse error: " + message)
    case .unsupported(let expression, let offset, let feature):
      return render(expression, offset, "unsupported by PlatformSim: " + feature)
    case .evaluation(let message):
      return "evaluation error: " + message
    }
  }

  /// The message on one line, as Prometheus words errors (`1:5: parse error: …`).
  public var singleLine: String {
    switch self {
    case .syntax(let expression, let offset, let message):
      let (line, column) = lineAndColumn(expression, offset)
      return "\(line):\(column): parse error: \(message)"
    case .unsupported(let expression, let offset, let feature):
      let (line, column) = lineAndColumn(expression, offset)
      return "\(line):\(column): unsupported by PlatformSim: \(feature)"
    case .evaluation(let message): return message
    }
  }

  private func render(_ expression: String, _ offset: Int, _ message: String) -> String {
    let (line, column) = lineAndColumn(expression, offset)
    let lines = expression.split(separator: "\n", omittingEmptySubsequences: false)
    let text = line - 1 < lines.count ? String(lines[line - 1]) : expression
    return "\(line):\(column): \(message)\n  \(text)\n  "
      + String(repeating: " ", count: column - 1) + "^"
  }
}

func lineAndColumn(_ expression: String, _ offset: Int) -> (line: Int, column: Int) {
  let bytes = Array(expression.utf8)
  let clamped = max(0, min(offset, bytes.count))
  var line = 1
  var lineStart = 0
  for index in 0..<clamped where bytes[index] == UInt8(ascii: "\n") {
    line += 1
    lineStart = index + 1
  }
  let prefix = String(decoding: bytes[lineStart..<clamped], as: UTF8.self)
  return (line, prefix.count + 1)
}
