import Foundation

/// Output formats of `platformsim gate`.
public enum GateFormat: String, Sendable, CaseIterable {
  /// For a GitHub Actions job summary or a pull-request comment.
  case markdown
  case json
  /// One test case per rule, for CI test-report viewers.
  case junit
}

extension GateResult {
  /// The verdict in `format`.
  public func rendered(_ format: GateFormat) -> String {
    switch format {
    case .markdown: return markdown
    case .json: return json
    case .junit: return junit
    }
  }

  var failures: Int { results.filter { !$0.passed }.count }

  /// A Markdown report: verdict first, then one row per rule.
  public var markdown: String {
    var lines: [String] = []
    let verdict = passed ? "✅ passed" : "❌ failed: \(failures) of \(results.count) rules regressed"
    lines.append("## PlatformSim gate `\(name)`: \(verdict)")
    lines.append("")
    lines.append(
      "Baseline `\(baselinePath)` against candidate `\(candidatePath)`, \(replications) paired replications "
        + "(common random numbers), experiment \(experimentID).")
    lines.append("")
    lines.append("| | KPI | Rule | Baseline mean | Candidate mean | Difference [CI] | Checked | Limit |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|")
    for result in results {
      let ciPercent = String(format: "%g %%", result.rule.confidence * 100)
      let difference =
        "\(format(result.difference.mean)) [\(format(result.difference.confidenceLow)), \(format(result.difference.confidenceHigh))]"
      lines.append(
        "| \(result.passed ? "✅" : "❌") | `\(result.rule.kpi)` | `\(result.rule.check.key): \(format(result.rule.check.threshold))` (\(ciPercent)) "
          + "| \(format(result.baseline.mean)) | \(format(result.candidate.mean)) | \(difference) | \(format(result.bound)) | \(format(result.limit)) |"
      )
    }
    lines.append("")
    for result in results where !result.passed {
      lines.append("- **`\(result.rule.kpi)`** regressed: \(result.explanation).")
    }
    if passed { lines.append("No KPI regressed with statistical confidence.") }
    lines.append("")
    lines.append(
      "_Differences are candidate − baseline with paired-t confidence intervals; relative rules fail when the whole "
        + "interval lies beyond the allowance, absolute rules (`below`, `above`) when the candidate mean's interval does "
        + "not lie wholly on the good side (docs/EXPERIMENTS.md)._")
    return lines.joined(separator: "\n") + "\n"
  }

  /// A JSON document with every number, for scripts.
  public var json: String {
    func number(_ value: Double?) -> String {
      guard let value, value.isFinite else { return "null" }
      return String(format: "%.17g", value)
    }
    func summary(_ summary: SampleSummary) -> String {
      "{\"n\": \(summary.count), \"mean\": \(number(summary.mean)), \"stddev\": \(number(summary.standardDeviation)), "
        + "\"ciLow\": \(number(summary.confidenceLow)), \"ciHigh\": \(number(summary.confidenceHigh))}"
    }
    var rules: [String] = []
    for result in results {
      rules.append(
        """
            {"kpi": \(jsonString(result.rule.kpi)), "rule": \(jsonString(result.rule.check.key)), \
        "threshold": \(number(result.rule.check.threshold)), "confidence": \(number(result.rule.confidence)), \
        "passed": \(result.passed), "checked": \(number(result.bound)), "limit": \(number(result.limit)), \
        "baseline": \(summary(result.baseline)), "candidate": \(summary(result.candidate)), \
        "difference": \(summary(result.difference)), "explanation": \(jsonString(result.explanation))}
        """)
    }
    return """
      {
        "gate": \(jsonString(name)),
        "passed": \(passed),
        "experimentId": \(experimentID),
        "baseline": \(jsonString(baselinePath)),
        "candidate": \(jsonString(candidatePath)),
        "replications": \(replications),
        "rules": [
      \(rules.joined(separator: ",\n"))
        ]
      }

      """
  }

  /// JUnit XML: a suite for the gate, a test case per rule, failures for regressions.
  public var junit: String {
    var lines: [String] = []
    lines.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    lines.append("<testsuites name=\"platformsim-gate\" tests=\"\(results.count)\" failures=\"\(failures)\">")
    lines.append("  <testsuite name=\"\(xmlEscaped(name))\" tests=\"\(results.count)\" failures=\"\(failures)\">")
    for result in results {
      let caseName = xmlEscaped("\(result.rule.kpi) \(result.rule.check.key) \(format(result.rule.check.threshold))")
      if result.passed {
        lines.append("    <testcase classname=\"platformsim.gate\" name=\"\(caseName)\"/>")
      } else {
        lines.append("    <testcase classname=\"platformsim.gate\" name=\"\(caseName)\">")
        lines.append(
          "      <failure message=\"\(xmlEscaped(result.rule.kpi)) regressed\">\(xmlEscaped(result.explanation))</failure>"
        )
        lines.append("    </testcase>")
      }
    }
    lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return lines.joined(separator: "\n") + "\n"
  }
}

func jsonString(_ text: String) -> String {
  var escaped = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": escaped += "\\\""
    case "\\": escaped += "\\\\"
    case "\n": escaped += "\\n"
    case "\t": escaped += "\\t"
    default:
      if scalar.value < 0x20 {
        escaped += String(format: "\\u%04x", scalar.value)
      } else {
        escaped.unicodeScalars.append(scalar)
      }
    }
  }
  return escaped + "\""
}

func xmlEscaped(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
