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
            guard case .recording(let record) = rule.kind, ServiceMetricNames.all.contains(record) else { continue }
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
    configuration.metricProfile = reader[\.metricProfile].flatMap(MetricProfile.init(rawValue:)) ?? .platformSim
    switch reader[\.seriesOutput] {
    case "full": configuration.seriesOutput = .full
    case "downsampled": configuration.seriesOutput = .downsampled(interval: reader[\.downsampleInterval] ?? .minutes(5))
    default: configuration.seriesOutput = .off
    }
    return configuration
  }
}
