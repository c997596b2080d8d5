import Foundation
import InputReading
import Monitoring
import PlatformModel
import SimKernel

/// Decoding of `spec.monitoring`: the users' own rule files and alertmanager.yml,
/// loaded unchanged; their problems are located in their own files.
extension ScenarioLoader {
  static func readMonitoring(
    _ reader: ObjectReader<ScenarioSchema.Monitoring>, unsupportedRules: RuleFileLoader.UnsupportedRules
  ) -> MonitoringConfiguration? {
    var groups: [RuleGroupDefinition] = []
    var sources: [(text: String, file: String)] = []
    var valid = true
    let log = reader.context.log
    if let files = reader[\.rules] {
      files.forEach { url, file in
        guard let url else {
          valid = false
          return
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
          file.error("cannot read rule file \(url.path)", hint: "rule files are UTF-8 text")
          valid = false
          return
        }
        guard
          let loaded = RuleFileLoader.read(
            yaml: text, file: url.path, log: log, unsupported: unsupportedRules)
        else {
          valid = false
          return
        }
        // A recorded series with a published metric's name would be the same series as
        // a service's scraped one (Prometheus would reject the clashing samples).
        for group in loaded {
          for rule in group.rules {
            // Every built-in profile's names: a service may publish under any of them.
            guard case .recording(let record) = rule.kind,
              MetricProfile.allCases.contains(where: { $0.publishedNames.contains(record) })
            else { continue }
            file.error(
              "rule file \(url.lastPathComponent), group `\(group.name)`: `record: \(record)` names a metric the "
                + "simulated services publish",
              hint: "record under another name, e.g. `service:\(record):rate5m` (Prometheus's level:metric:operations)")
            valid = false
          }
        }
        groups += loaded
        sources.append((text, url.path))
      }
    } else if reader.has(\.rules) {
      valid = false
    }
    var alertmanager: AlertmanagerConfig?
    if reader.has(\.alertmanager) {
      if let url = reader[\.alertmanager] {
        do {
          alertmanager = try AlertmanagerConfig.load(path: url.path)
        } catch {
          log.add(contentsOf: error.diagnostics)
          valid = false
        }
      } else {
        valid = false
      }
    }
    let evaluation = reader[\.evaluationInterval] ?? .minutes(1)
    let resend = reader[\.resendDelay] ?? .minutes(1)
    let late = reader[\.lateAfter] ?? .minutes(10)
    guard valid else { return nil }
    var configuration = MonitoringConfiguration(
      ruleGroups: groups, alertmanager: alertmanager, evaluationInterval: evaluation, resendDelay: resend,
      lateAfter: late)
    configuration.ruleSources = sources
    let mapping = reader[\.metricMapping].flatMap(readMetricMapping)
    if reader.has(\.metricMapping) && mapping == nil { return nil }
    if let name = reader[\.metricProfile], name == "custom" {
      guard let mapping else {
        reader.value(of: \.metricProfile)?.error(
          "`metricProfile: custom` needs `metricMapping`: the names and labels to publish under")
        return nil
      }
      configuration.metricProfile = .custom(mapping)
    } else {
      configuration.metricProfile = reader[\.metricProfile].flatMap(MetricProfile.init(rawValue:)) ?? .platformSim
    }
    configuration.metricMapping = mapping
    switch reader[\.seriesOutput] {
    case "full": configuration.seriesOutput = .full
    case "downsampled": configuration.seriesOutput = .downsampled(interval: reader[\.downsampleInterval] ?? .minutes(5))
    default: configuration.seriesOutput = .off
    }
    return configuration
  }
}

extension ScenarioLoader {
  /// `metricMapping`: names must be valid Prometheus metric and label names, and no
  /// label may take a name PlatformSim sets itself (`track`, `le`) or repeat another.
  static func readMetricMapping(_ reader: ObjectReader<ScenarioSchema.MetricMappingKeys>) -> MetricMapping? {
    let metricName = #"^[a-zA-Z_:][a-zA-Z0-9_:]*$"#
    let labelName = #"^[a-zA-Z_][a-zA-Z0-9_]*$"#
    var valid = true
    func check(_ text: String?, _ pattern: String, _ value: YAMLValue?, _ what: String) {
      guard let text else { return }
      if text.range(of: pattern, options: .regularExpression) == nil {
        value?.error("`\(text)` is not a valid Prometheus \(what)")
        valid = false
      }
    }
    let requests = reader[\.requests]
    let latency = reader[\.latency]
    check(requests, metricName, reader.value(of: \.requests), "metric name")
    check(latency, metricName, reader.value(of: \.latency), "metric name")
    let status = reader[\.statusLabel] ?? "code"
    check(status, labelName, reader.value(of: \.statusLabel), "label name")
    if ["track", "le"].contains(status) || status.hasPrefix("__") {
      reader.value(of: \.statusLabel)?.error("label `\(status)` is set by PlatformSim (`track`, `le`)")
      valid = false
    }
    var labels: [(name: String, value: String)] = [("service", "{{ service }}")]
    if reader.has(\.labels) {
      guard let entries = reader[\.labels]?.read() else { return nil }
      labels = entries.map { ($0.key, $0.value) }
      for entry in reader[\.labels]?.entries ?? [] {
        check(entry.key, labelName, entry.keyValue, "label name")
        if ["track", "le", status].contains(entry.key) || entry.key.hasPrefix("__") {
          entry.keyValue.error(
            "label `\(entry.key)` is set by PlatformSim (`track`, `le`) or is the status label",
            hint: "give it another name")
          valid = false
        }
      }
    }
    let success = reader[\.success] ?? "200"
    let failure = reader[\.failure] ?? "500"
    if success == failure {
      reader.value(of: \.failure)?.error("`success` and `failure` must differ, or no request could be told failed")
      valid = false
    }
    guard valid, let requests, let latency else { return nil }
    return MetricMapping(
      requests: requests, latency: latency, latencyScale: reader[\.latencyUnit] == "milliseconds" ? 1_000 : 1,
      statusLabel: status, success: success, failure: failure, labels: labels)
  }
}
