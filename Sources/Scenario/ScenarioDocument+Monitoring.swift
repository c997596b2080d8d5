import Foundation
import Monitoring
import PlatformModel
import SimKernel

/// Decoding of `spec.monitoring`: the users' own rule files and alertmanager.yml,
/// loaded unchanged; their errors keep their own file, line and column.
extension ScenarioLoader {
  static func readMonitoring(_ reader: ObjectReader) -> MonitoringConfiguration? {
    var groups: [RuleGroupDefinition] = []
    var sources: [(text: String, file: String)] = []
    var valid = true
    for file in reader["rules"]?.readArray() ?? [] {
      guard let url = file.readExistingFilePath() else {
        valid = false
        continue
      }
      do {
        let text = try String(contentsOf: url, encoding: .utf8)
        let loaded = try RuleFileLoader.load(yaml: text, file: url.path)
        // A recorded series with a published metric's name would be the same series as
        // a service's scraped one (Prometheus would reject the clashing samples).
        for group in loaded {
          for rule in group.rules {
            guard case .recording(let record) = rule.kind, ServiceMetricNames.all.contains(record) else { continue }
            file.error(
              "rule file \(url.lastPathComponent), group `\(group.name)`: `record: \(record)` names a metric the simulated services publish",
              hint: "record under another name, e.g. `service:\(record):rate5m` (Prometheus's level:metric:operations)")
            valid = false
          }
        }
        groups += loaded
        sources.append((text, url.path))
      } catch let error as RuleFileError {
        file.error("rule file \(url.lastPathComponent) is invalid: \(error)")
        valid = false
      } catch {
        file.error("cannot read rule file \(url.path): \(error.localizedDescription)")
        valid = false
      }
    }
    if reader.has("rules") && reader["rules"]?.readArray() == nil { valid = false }
    var alertmanager: AlertmanagerConfig?
    if let value = reader["alertmanager"] {
      if let url = value.readExistingFilePath() {
        do {
          alertmanager = try AlertmanagerConfig.load(path: url.path)
        } catch {
          for diagnostic in error.diagnostics {
            value.context.log.add(
              Diagnostic(
                file: diagnostic.file, line: diagnostic.line, column: diagnostic.column,
                keyPath: KeyPath([.key(diagnostic.keyPath.description)]), message: diagnostic.message, hint: diagnostic.hint))
          }
          valid = false
        }
      } else {
        valid = false
      }
    }
    let evaluation = reader.duration("evaluationInterval") ?? .minutes(1)
    let resend = reader.duration("resendDelay") ?? .minutes(1)
    let late = reader.duration("lateAfter") ?? .minutes(10)
    guard valid else { return nil }
    var configuration = MonitoringConfiguration(
      ruleGroups: groups, alertmanager: alertmanager, evaluationInterval: evaluation, resendDelay: resend, lateAfter: late)
    configuration.ruleSources = sources
    switch reader.string("seriesOutput") {
    case "full": configuration.seriesOutput = .full
    case "downsampled": configuration.seriesOutput = .downsampled(interval: reader.duration("downsampleInterval") ?? .minutes(5))
    default: configuration.seriesOutput = .off
    }
    return configuration
  }
}
