import Foundation

/// A rate with a metric suffix and three significant digits: `9.87 M`, `412 k`.
func formatRate(_ value: Double) -> String {
  let (scaled, suffix): (Double, String) =
    value >= 1e9
    ? (value / 1e9, " G") : value >= 1e6 ? (value / 1e6, " M") : value >= 1e3 ? (value / 1e3, " k") : (value, "")
  let digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
  return String(format: "%.\(digits)f", scaled) + suffix
}

/// A ratio such as `0.93×` or `212×`.
func formatRatio(_ value: Double) -> String {
  let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return String(format: "%.\(digits)f", value) + "×"
}

/// Renders results as the Markdown table recorded in docs/PERFORMANCE.md, with the
/// repetitions' spreads and each benchmark's notes beneath it.
func markdownReport(_ results: [BenchmarkResult], repetitions: Int, quick: Bool) -> String {
  var lines = [
    "| benchmark | ours (median) | peer (median) | ratio | target | met? |",
    "|---|---|---|---|---|---|",
  ]
  for result in results {
    let ours = "\(formatRate(result.oursMedian)) \(result.unit)"
    let peer: String
    if let peerName = result.peerName {
      peer = result.peerMedian.map { "\(formatRate($0)) \(result.unit) (\(peerName))" } ?? "not run (\(peerName))"
    } else {
      peer = "—"
    }
    let ratio = result.ratio.map(formatRatio) ?? "—"
    let met = result.errors.isEmpty ? result.targetMet.map { $0 ? "yes" : "**no**" } ?? "unknown" : "**failed**"
    lines.append("| \(result.title) | \(ours) | \(peer) | \(ratio) | \(result.target.text) | \(met) |")
  }
  lines.append("")
  lines.append(
    "Medians of \(repetitions) repetitions"
      + (results.contains { $0.name.hasPrefix("scenario-") } ? " (whole scenarios: \(quick ? 1 : 3))" : "")
      + "\(quick ? " (--quick: small sizes, indicative only)" : ""); "
      + "ours and peer measured in the same process run.")
  lines.append("")
  for result in results {
    var spread = "- `\(result.name)`: ours \(formatSpread(result.oursSamples))"
    if !result.peerSamples.isEmpty { spread += "; peer \(formatSpread(result.peerSamples))" }
    lines.append(spread + " \(result.unit).")
    for error in result.errors { lines.append("  - **error:** \(error)") }
    for note in result.notes { lines.append("  - \(note)") }
  }
  return lines.joined(separator: "\n")
}

/// `min–max` of a set of samples, to show how noisy a figure was.
private func formatSpread(_ samples: [Double]) -> String {
  guard let low = samples.min(), let high = samples.max() else { return "no samples" }
  return "\(formatRate(low))–\(formatRate(high)) over \(samples.count) runs"
}

/// The machine-readable form of a run, for `--json`.
struct JSONReport: Codable {
  struct Row: Codable {
    var name: String
    var title: String
    var unit: String
    var oursMedian: Double
    var oursSamples: [Double]
    var peerName: String?
    var peerMedian: Double?
    var peerSamples: [Double]
    var ratio: Double?
    var target: BenchmarkTarget
    var targetMet: Bool?
    var notes: [String]
    var errors: [String]
  }
  var quick: Bool
  var repetitions: Int
  var results: [Row]

  init(_ results: [BenchmarkResult], repetitions: Int, quick: Bool) {
    self.quick = quick
    self.repetitions = repetitions
    self.results = results.map {
      Row(
        name: $0.name, title: $0.title, unit: $0.unit, oursMedian: $0.oursMedian, oursSamples: $0.oursSamples,
        peerName: $0.peerName, peerMedian: $0.peerMedian, peerSamples: $0.peerSamples, ratio: $0.ratio,
        target: $0.target, targetMet: $0.targetMet, notes: $0.notes, errors: $0.errors)
    }
  }
}
