import Experiments
import InputReading
import Monitoring
import Scenario

extension InputFormat {
  /// Every file format PlatformSim reads, each declared once in the module that reads
  /// it; `platformsim schema --input NAME` publishes each (docs/schemas/).
  public static let all: [InputFormat] = [
    .scenario, .instanceCatalogue, .argoRollout, .argoAnalysisTemplate, .flaggerCanary, .flaggerMetricTemplate,
    .prometheusRuleFile,
    .prometheusRule, .alertmanager, .promtoolTest, .gate, .sweep,
  ]
}
