/// Writes OpenMetrics text (the Prometheus exposition format's standard successor,
/// openmetrics.io, "OpenMetrics 1.0"), streaming it in chunks.
///
/// Lines are grouped by metric family (`# TYPE`, `# HELP`, then its samples), each
/// series' samples in time order, timestamps in seconds, and the text ends with
/// `# EOF` — the shape `promtool tsdb create-blocks-from openmetrics` reads.
struct OpenMetricsWriter {
  private var buffer: [UInt8] = []
  private let flushSize = 1 << 20
  private let sink: ([UInt8]) throws -> Void
  /// Samples written so far.
  private(set) var sampleCount = 0
  /// Series written so far (each distinct name and label set once).
  private(set) var seriesCount = 0

  init(sink: @escaping ([UInt8]) throws -> Void) {
    self.sink = sink
    buffer.reserveCapacity(flushSize + 4_096)
  }

  /// A family's header: `# TYPE name type` and `# HELP name text`.
  mutating func family(_ name: String, type: String, help: String) throws {
    append("# TYPE \(name) \(type)\n# HELP \(name) \(escapeHelp(help))\n")
    try flushIfFull()
  }

  /// One series' samples, in time order (milliseconds since the epoch); `labels`
  /// already rendered (``labelText(_:)``).
  mutating func series(_ name: String, labels: String, samples: [(timeMs: Int64, value: Double)]) throws {
    guard !samples.isEmpty else { return }
    seriesCount += 1
    let prefix = Array((name + labels + " ").utf8)
    for sample in samples {
      buffer.append(contentsOf: prefix)
      appendValue(sample.value)
      buffer.append(UInt8(ascii: " "))
      appendInteger(sample.timeMs / 1_000)
      let milliseconds = sample.timeMs % 1_000
      if milliseconds != 0 {
        buffer.append(UInt8(ascii: "."))
        buffer.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(milliseconds % 10))
      }
      buffer.append(UInt8(ascii: "\n"))
      sampleCount += 1
      if buffer.count >= flushSize { try flush() }
    }
  }

  /// The closing `# EOF` and the rest of the buffer.
  mutating func finish() throws {
    append("# EOF\n")
    try flush()
  }

  /// `{a="x",b="y"}` with OpenMetrics escapes (backslash, quote, newline); empty for no labels.
  static func labelText(_ labels: [(name: String, value: String)]) -> String {
    guard !labels.isEmpty else { return "" }
    return "{"
      + labels.map { label in
        var escaped = ""
        for character in label.value.unicodeScalars {
          switch character {
          case "\\": escaped += "\\\\"
          case "\"": escaped += "\\\""
          case "\n": escaped += "\\n"
          default: escaped.unicodeScalars.append(character)
          }
        }
        return "\(label.name)=\"\(escaped)\""
      }.joined(separator: ",") + "}"
  }

  private func escapeHelp(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
  }

  private mutating func append(_ text: String) { buffer.append(contentsOf: Array(text.utf8)) }

  private mutating func appendInteger(_ value: Int64) {
    if value < 0 { buffer.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: [UInt8] = []
    repeat {
      digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    buffer.append(contentsOf: digits.reversed())
  }

  /// Whole numbers as integers; others in Swift's shortest round-tripping form.
  private mutating func appendValue(_ value: Double) {
    if value.isNaN {
      append("NaN")
    } else if value.isInfinite {
      append(value > 0 ? "+Inf" : "-Inf")
    } else if value == value.rounded() && abs(value) < 1e15 {
      appendInteger(Int64(value))
    } else {
      append(value.description)
    }
  }

  private mutating func flushIfFull() throws { if buffer.count >= flushSize { try flush() } }

  private mutating func flush() throws {
    guard !buffer.isEmpty else { return }
    try sink(buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}
