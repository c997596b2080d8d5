import InputReading
import Yams

/// Reads PlatformSim's Kubernetes-style resources on their own — Argo Rollouts
/// `Rollout` and `AnalysisTemplate`, Flagger `Canary` and `MetricTemplate`, an
/// `InstanceCatalogue` — as
/// `platformsim validate` does, with the same readers and messages as when a scenario
/// names them.
///
/// AnalysisTemplates and MetricTemplates are remembered, so a Rollout or Canary
/// checked after them resolves its `templateName`s or `templateRef`s; one it was not
/// given is noted as a warning (the scenario that lists both checks the reference).
public final class ResourceChecker {
  var templates = ScenarioLoader.AnalysisTemplateSet(isStandaloneCheck: true)
  var metricTemplates = ScenarioLoader.MetricTemplateSet(isStandaloneCheck: true)

  public init() {}

  /// Checks one document of `format`, logging every problem into `log`.
  ///
  /// - Parameter document: the index of the document in a multi-document file, for
  ///   locations; `nil` for a file of one document.
  /// - Returns: a short description for the `ok` line (`Rollout "web"`), `nil` when
  ///   the document has errors or `format` is not a resource this type reads.
  public func check(_ node: Node, format: InputFormat, file: String, document: Int?, log: DiagnosticLog) -> String? {
    let context = ReadContext(file: file, log: log, conventions: format.conventions, document: document)
    let root = YAMLValue(node: node, path: .root, context: context)
    let name = Self.metadataName(node)
    let errorsBefore = log.errorCount
    let valid: Bool
    switch format.name {
    case InputFormat.argoAnalysisTemplate.name:
      let parsed = ScenarioLoader.readAnalysisTemplate(root)
      if let parsed {
        templates.append(parsed)
      } else if let name {
        templates.failed.append(name)
      }
      valid = parsed != nil
    case InputFormat.argoRollout.name:
      valid = ScenarioLoader.readRollout(root, templates: templates) != nil
    case InputFormat.flaggerMetricTemplate.name:
      let parsed = ScenarioLoader.readMetricTemplate(root)
      if let parsed {
        metricTemplates.entries.append(parsed)
      } else if let name {
        metricTemplates.failed.append(name)
      }
      valid = parsed != nil
    case InputFormat.flaggerCanary.name:
      valid = ScenarioLoader.readFlagger(root, templates: metricTemplates) != nil
    case InputFormat.instanceCatalogue.name:
      guard let catalogue = ScenarioLoader.readCatalogue(root), log.errorCount == errorsBefore else { return nil }
      return "instance catalogue of \(catalogue.types.count) types"
    default:
      return nil
    }
    guard valid, log.errorCount == errorsBefore else { return nil }
    let kind = Self.kind(node) ?? format.title
    return name.map { "\(kind) \"\($0)\"" } ?? kind
  }

  /// The `kind` of a Kubernetes-style document, if it has one.
  public static func kind(_ node: Node) -> String? {
    guard case .mapping(let mapping) = node else { return nil }
    return mapping["kind"]?.string
  }

  static func metadataName(_ node: Node) -> String? {
    guard case .mapping(let mapping) = node, case .mapping(let metadata)? = mapping["metadata"] else { return nil }
    return metadata["name"]?.string
  }
}
