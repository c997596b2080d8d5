extension PromtoolTestFile {
  /// Renders the file as promtool 2.42 reads it.
  ///
  /// Used to turn simulator output into a promtool unit test (the cross-check oracle):
  /// floats are written so that Go parses back the identical float64, strings are
  /// single-quoted YAML.
  public func yaml() -> String {
    var out = "rule_files:\n"
    for ruleFile in ruleFiles { out += "  - \(yamlQuoted(ruleFile))\n" }
    if ruleFiles.isEmpty { out = "rule_files: []\n" }
    out += "evaluation_interval: \(formatPrometheusDuration(milliseconds: evaluationIntervalMs))\n"
    if !groupEvalOrder.isEmpty {
      out += "group_eval_order:\n" + groupEvalOrder.map { "  - \(yamlQuoted($0))\n" }.joined()
    }
    if fuzzyCompare { out += "fuzzy_compare: true\n" }
    out += "tests:\n"
    for test in tests {
      out += "  - name: \(yamlQuoted(test.name))\n"
      if let interval = test.intervalMs {
        out += "    interval: \(formatPrometheusDuration(milliseconds: interval))\n"
      }
      if !test.externalLabels.isEmpty {
        out +=
          "    external_labels:\n"
          + test.externalLabels.items.map { "      \($0.name): \(yamlQuoted($0.value))\n" }.joined()
      }
      if !test.externalURL.isEmpty { out += "    external_url: \(yamlQuoted(test.externalURL))\n" }
      out += "    input_series:\n"
      for series in test.inputSeries {
        out += "      - series: \(yamlQuoted(series.labels.description))\n"
        out += "        values: \(yamlQuoted(series.notation ?? Self.notation(series.values)))\n"
      }
      if !test.alertRuleTests.isEmpty {
        out += "    alert_rule_test:\n"
        for alertTest in test.alertRuleTests {
          out +=
            "      - eval_time: \(formatPrometheusDuration(milliseconds: alertTest.evalTimeMs))\n"
          out += "        alertname: \(yamlQuoted(alertTest.alertname))\n"
          if alertTest.expectedAlerts.isEmpty {
            out += "        exp_alerts: []\n"
            continue
          }
          out += "        exp_alerts:\n"
          for alert in alertTest.expectedAlerts {
            let labels = alert.labels.removing(["alertname"])
            out += "          - exp_labels:" + (labels.isEmpty ? " {}\n" : "\n")
            out += labels.items.map { "              \($0.name): \(yamlQuoted($0.value))\n" }
              .joined()
            if !alert.annotations.isEmpty {
              out += "            exp_annotations:\n"
              out += alert.annotations.items.map {
                "              \($0.name): \(yamlQuoted($0.value))\n"
              }.joined()
            }
          }
        }
      }
      if !test.promqlExprTests.isEmpty {
        out += "    promql_expr_test:\n"
        for exprTest in test.promqlExprTests {
          out += "      - expr: \(yamlQuoted(exprTest.expr))\n"
          out +=
            "        eval_time: \(formatPrometheusDuration(milliseconds: exprTest.evalTimeMs))\n"
          if exprTest.expectedSamples.isEmpty {
            out += "        exp_samples: []\n"
            continue
          }
          out += "        exp_samples:\n"
          for sample in exprTest.expectedSamples {
            out += "          - labels: \(yamlQuoted(sample.labels.description))\n"
            out += "            value: \(formatYAMLFloat(sample.value))\n"
          }
        }
      }
    }
    return out
  }

  /// promtool values notation for expanded values.
  static func notation(_ values: [PromtoolInputSeries.Value]) -> String {
    values.map { value in
      switch value {
      case .missing: return "_"
      case .stale: return "stale"
      case .sample(let number):
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Inf" : "-Inf" }
        return number.description
      }
    }.joined(separator: " ")
  }
}

/// A single-quoted YAML scalar.
func yamlQuoted(_ text: String) -> String {
  "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
}
