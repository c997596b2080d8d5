import Foundation
import InputReading
import PlatformModel
import SimKernel
import Yams

/// Decoding of an Argo Rollouts `Rollout`: its canary steps (or blue-green strategy as
/// steps), replica budgets, and the analyses that refer to the loaded templates.
extension ScenarioLoader {
  static func readRollout(_ root: YAMLValue, templates: AnalysisTemplateSet) -> ArgoCanary? {
    guard let reader = root.readObject(ArgoRolloutsSchema.Rollout.self) else { return nil }
    var templates = templates
    templates.rollout = root.node
    _ = reader[\.apiVersion]
    _ = reader[\.kind]
    return reader[\.spec].flatMap { spec -> ArgoCanary? in
      _ = spec[\.replicas]
      let deadline = spec[\.progressDeadlineSeconds] ?? 600
      let deadlineAbort = spec[\.progressDeadlineAbort] ?? false
      return spec[\.strategy].flatMap { strategy -> ArgoCanary? in
        if let blueGreen = strategy[\.blueGreen] {
          return readBlueGreen(blueGreen, templates: templates, deadline: deadline, deadlineAbort: deadlineAbort)
        } else if strategy.has(\.blueGreen) {
          return nil
        }
        guard let canary = strategy[\.canary] else {
          strategy.value.error("a Rollout for PlatformSim needs `strategy.canary`")
          return nil
        }
        return readCanary(canary, templates: templates, deadline: deadline, deadlineAbort: deadlineAbort)
      }
    }
  }

  static func readCanary(
    _ canary: ObjectReader<ArgoRolloutsSchema.CanaryStrategy>, templates: AnalysisTemplateSet,
    deadline: Int, deadlineAbort: Bool
  ) -> ArgoCanary? {
    var valid = true
    // Argo with a router sends exactly the weight to the canary; without one, the
    // Service spreads requests over ready pods (ArgoCanary.TrafficRouting).
    var trafficRouting: ArgoCanary.TrafficRouting?
    let abortDelaySeconds = canary[\.abortScaleDownDelaySeconds]
    if canary.has(\.abortScaleDownDelaySeconds) && abortDelaySeconds == nil { valid = false }
    if canary.has(\.trafficRouting) {
      let seconds = abortDelaySeconds ?? 30
      trafficRouting = ArgoCanary.TrafficRouting(abortScaleDownDelay: seconds == 0 ? nil : .seconds(Int64(seconds)))
    } else if abortDelaySeconds != nil, let delay = canary.keyValue(of: \.abortScaleDownDelaySeconds) {
      delay.warning(
        "`abortScaleDownDelaySeconds` has no effect without `trafficRouting` (Argo's basic canary scales an aborted "
          + "canary down at once, within maxSurge/maxUnavailable)")
    }
    let maxSurge = canary[\.maxSurge]
    let maxUnavailable = canary[\.maxUnavailable]
    if canary.has(\.maxSurge) && maxSurge == nil || canary.has(\.maxUnavailable) && maxUnavailable == nil {
      valid = false
    }
    if case .percent(let percent)? = maxUnavailable, percent > 100 {
      canary.value(of: \.maxUnavailable)?.error("`maxUnavailable` \(percent)% is above 100%")
      valid = false
    }
    if let surge = maxSurge, let unavailable = maxUnavailable, surge.isZero && unavailable.isZero {
      canary.value(of: \.maxUnavailable)?.error(
        "`maxSurge` and `maxUnavailable` are both zero, which Argo Rollouts rejects (no pod could ever be replaced)",
        hint: "allow one pod of surge (`maxSurge: 1`) or of unavailability")
      valid = false
    }
    var routeSteps: [String] = []
    var routeValue: YAMLValue?
    var stepScales: [ArgoCanary.CanaryScale?] = []
    let steps = canary[\.steps]?.map { step -> ArgoCanary.Step? in
      var present = step.presentEntries.filter { step.keys.kindNames.contains($0.key) }
      // Argo's validation (hasMultipleStepsType): at most one of setWeight, pause,
      // experiment and analysis; setCanaryScale and the routes may stand beside them.
      let exclusive = [
        step.name(of: \.setWeight), step.name(of: \.pause), step.name(of: \.experiment),
        step.name(of: \.analysis),
      ]
      let main = present.filter { exclusive.contains($0.key) }
      guard !present.isEmpty, main.count <= 1 else {
        step.value.error(
          present.isEmpty
            ? "a step needs one of " + step.keys.kindNames.map { "`\($0)`" }.joined(separator: ", ")
            : "a step has at most one of `setWeight`, `pause`, `experiment` and `analysis`; this one has "
              + main.map { "`\($0.key)`" }.joined(separator: " and "))
        return nil
      }
      var scaleValue: ArgoCanary.CanaryScale?
      if let scale = step[\.setCanaryScale] {
        let value = ArgoCanary.CanaryScale(
          replicas: scale[\.replicas], weight: scale[\.weight], matchTrafficWeight: scale[\.matchTrafficWeight] ?? false
        )
        if value.replicas == nil && value.weight == nil && !value.matchTrafficWeight {
          scale.value.error("`setCanaryScale` needs `replicas`, `weight` or `matchTrafficWeight: true`")
          return nil
        }
        scaleValue = value
      } else if step.has(\.setCanaryScale) {
        return nil
      }
      if present.count > 1 {
        // Which kind completes the step: completedCurrentCanaryStep's order (pause,
        // setCanaryScale, setWeight, experiment, analysis, header route, mirror route).
        let order = [
          step.name(of: \.pause), step.name(of: \.setCanaryScale), step.name(of: \.setWeight),
          step.name(of: \.experiment), step.name(of: \.analysis), step.name(of: \.setHeaderRoute),
          step.name(of: \.setMirrorRoute), step.name(of: \.plugin),
        ]
        present.sort { (order.firstIndex(of: $0.key) ?? 99) < (order.firstIndex(of: $1.key) ?? 99) }
        for other in present.dropFirst() {
          if other.key == step.name(of: \.setHeaderRoute) || other.key == step.name(of: \.setMirrorRoute) {
            if !routeSteps.contains(other.key) { routeSteps.append(other.key) }
            if routeValue == nil { routeValue = other.value }
          } else if other.key != step.name(of: \.setCanaryScale) {
            other.value.error(
              "`\(other.key)` beside `\(present[0].key)` in one step is not modelled",
              hint: "Argo completes such a step by its `\(present[0].key)`; give `\(other.key)` a step of its own")
            return nil
          }
        }
      }
      let kind = present[0]
      stepScales.append(scaleValue)
      switch kind.key {
      case step.name(of: \.setCanaryScale):
        return scaleValue.map { .setCanaryScale($0) }
      case step.name(of: \.setHeaderRoute), step.name(of: \.setMirrorRoute):
        if !routeSteps.contains(kind.key) { routeSteps.append(kind.key) }
        if routeValue == nil { routeValue = kind.value }
        return .setRoute(kind.key)
      case step.name(of: \.setWeight):
        return step[\.setWeight].map { .setWeight($0) }
      case step.name(of: \.pause):
        guard let pause = step[\.pause] else { return nil }
        let duration = pause[\.duration]
        if pause.has(\.duration) && duration == nil { return nil }
        return .pause(duration)
      case step.name(of: \.analysis):
        return step[\.analysis].flatMap { readAnalysis($0, templates: templates) }.map { .analysis($0) }
      default:
        kind.value.error(
          "`\(kind.key)` steps are not modelled", hint: "they would change the outcome, so the run is refused")
        return nil
      }
    }
    if canary.has(\.steps) && steps == nil { valid = false }

    if let routeValue {
      routeValue.warning(
        routeSteps.map { "`\($0)`" }.joined(separator: " and ")
          + " steps complete at once and do not change the canary's share of traffic: "
          + "PlatformSim does not model header or mirror routes")
    }
    var background: AnalysisSpec?
    var startingStep = 0
    if let analysis = canary[\.analysis] {
      background = readAnalysis(analysis, templates: templates)
      startingStep = analysis[\.startingStep] ?? 0
      if background == nil { valid = false }
    } else if canary.has(\.analysis) {
      valid = false
    }
    guard valid else { return nil }
    var rollout = ArgoCanary(
      steps: steps ?? [], backgroundAnalysis: background, backgroundStartingStep: startingStep,
      progressDeadline: .seconds(Int64(deadline)), progressDeadlineAbort: deadlineAbort)
    rollout.stepScales = stepScales
    if let maxSurge { rollout.maxSurge = maxSurge }
    if let maxUnavailable { rollout.maxUnavailable = maxUnavailable }
    rollout.trafficRouting = trafficRouting
    return rollout
  }

  /// `strategy.blueGreen` as steps: scale up the preview, pre-promotion analysis, a
  /// pause unless auto-promoted at once, the switch, post-promotion analysis.
  static func readBlueGreen(
    _ reader: ObjectReader<ArgoRolloutsSchema.BlueGreenStrategy>, templates: AnalysisTemplateSet,
    deadline: Int, deadlineAbort: Bool
  ) -> ArgoCanary? {
    var steps: [ArgoCanary.Step] = [.scaleUpPreview]
    var valid = true
    if let pre = reader[\.prePromotionAnalysis] {
      if let spec = readAnalysis(pre, templates: templates) { steps.append(.analysis(spec)) } else { valid = false }
    } else if reader.has(\.prePromotionAnalysis) {
      valid = false
    }
    let automatic = reader[\.autoPromotionEnabled] ?? true
    let seconds = reader[\.autoPromotionSeconds] ?? 0
    if !automatic {
      steps.append(.pause(nil))
    } else if seconds > 0 {
      steps.append(.pause(.seconds(Int64(seconds))))
    }
    steps.append(.switchActive)
    if let post = reader[\.postPromotionAnalysis] {
      if let spec = readAnalysis(post, templates: templates) { steps.append(.analysis(spec)) } else { valid = false }
    } else if reader.has(\.postPromotionAnalysis) {
      valid = false
    }
    guard valid else { return nil }
    var canary = ArgoCanary(
      steps: steps, backgroundAnalysis: nil, progressDeadline: .seconds(Int64(deadline)),
      progressDeadlineAbort: deadlineAbort)
    canary.kind = .blueGreen
    return canary
  }

  static func readAnalysis(
    _ reader: ObjectReader<ArgoRolloutsSchema.RolloutAnalysis>, templates: AnalysisTemplateSet
  ) -> AnalysisSpec? {
    let names = templates.names
    let given =
      reader[\.args]?.map { argument -> (name: String, value: String?)? in
        guard let name = argument[\.name] else { return nil }
        if argument.has(\.value) { return (name, argument[\.value]) }
        return (name, argument.value(of: \.valueFrom).flatMap { argumentValue(from: $0, rollout: templates.rollout) })
      } ?? []
    var givenValues: [String: String] = [:]
    for argument in given where givenValues[argument.name] == nil {
      if let value = argument.value { givenValues[argument.name] = value }
    }
    let references = reader[\.templates]?.map { reference -> ParsedTemplate? in
      guard let name = reference[\.templateName] else { return nil }
      if templates.failed.contains(name) && templates.first(where: { $0.name == name }) == nil {
        reference.value(of: \.templateName)?.error(
          "AnalysisTemplate `\(name)` was given but failed to parse (its errors are listed at its file)")
        return nil
      }
      guard let template = templates.first(where: { $0.name == name }) else {
        // `validate` reads a Rollout on its own: a template in a file it was not given
        // is checked when a scenario names both, so here it is only noted.
        if templates.isStandaloneCheck {
          reference.value(of: \.templateName)?.warning(
            "AnalysisTemplate `\(name)` is not among the files given; it is checked when a scenario names both")
          return ParsedTemplate(metrics: [], arguments: [])
        }
        reference.value(of: \.templateName)?.error(
          "no AnalysisTemplate named `\(name)` was loaded",
          hint: nearestMatch(to: name, in: names).map { "did you mean `\($0)`?" }
            ?? "list its file under `analysisTemplates` in the scenario's rollout policy")
        return nil
      }
      var spec = template.spec
      guard let metrics = spec.metrics(with: givenValues, log: reader.value.context.log) else {
        reference.value(of: \.templateName)?.error(
          "AnalysisTemplate `\(name)` is invalid with this analysis' arguments (see the errors in the template)")
        return nil
      }
      spec.metrics = metrics
      return spec
    }
    let arguments = given
    guard let references else { return nil }
    var fixed: [(name: String, value: String)] = []
    var fromService: [String] = []
    for template in references {
      for argument in template.arguments {
        if let given = arguments.first(where: { $0.name == argument.name }), let value = given.value {
          if !fixed.contains(where: { $0.name == argument.name }) { fixed.append((argument.name, value)) }
        } else if let value = argument.value {
          if !fixed.contains(where: { $0.name == argument.name }) { fixed.append((argument.name, value)) }
        } else if !fromService.contains(argument.name) {
          fromService.append(argument.name)
        }
      }
    }
    var metrics = references.flatMap(\.metrics)
    if reader.has(\.dryRun) {
      guard let patterns = reader[\.dryRun].flatMap(readDryRun) else { return nil }
      markDryRun(&metrics, patterns)
    }
    return AnalysisSpec(metrics: metrics, serviceArguments: fromService, fixedArguments: fixed)
  }

  /// A Rollout analysis argument's `valueFrom`, as Argo Rollouts fills it
  /// (utils/analysis/factory.go `BuildArgumentsForRolloutAnalysisRun`): `fieldRef`
  /// from the Rollout (``resolveFieldPath(_:in:)``); `nil` — the service's name — for
  /// `podTemplateHashValue` (PlatformSim's series carry no `rollouts-pod-template-hash`
  /// label, so no hash could select anything) and for a `fieldRef` the Rollout as
  /// written does not hold (a warning: Argo reads the live object, whose `status`
  /// PlatformSim does not have).
  static func argumentValue(from valueFrom: YAMLValue, rollout: Node?) -> String? {
    guard case .mapping(let source) = valueFrom.node, case .mapping(let reference)? = source["fieldRef"],
      let path = reference["fieldPath"]?.string, let rollout
    else { return nil }
    if let value = resolveFieldPath(path, in: rollout) { return value }
    valueFrom.warning(
      "`fieldRef.fieldPath: \(path)` is not in the Rollout as written (Argo reads it from the live object); "
        + "PlatformSim fills the argument with the service's name",
      hint: "give the argument a `value`, or refer to `metadata.name`, `metadata.namespace`, "
        + "`metadata.labels['KEY']`, `metadata.annotations['KEY']` or a field of `spec`")
    return nil
  }

  /// A `fieldRef.fieldPath` of the Rollout, resolved as Argo does.
  ///
  /// `metadata.*` as Kubernetes' fieldpath.ExtractFieldPathAsString: `name`,
  /// `namespace` (`default` when the file gives none), `labels['KEY']` and
  /// `annotations['KEY']` (empty when the key is absent); any other path walked through
  /// the object, sections split at `.`, `[` and `]` (`extractValueFromRollout`). `nil`
  /// when the path leads nowhere or to a mapping or list.
  static func resolveFieldPath(_ path: String, in rollout: Node) -> String? {
    guard case .mapping(let root) = rollout else { return nil }
    if path.hasPrefix("metadata") {
      var metadata: Node.Mapping?
      if case .mapping(let found)? = root["metadata"] { metadata = found }
      switch path {
      case "metadata.name": return metadata?["name"]?.string
      case "metadata.namespace": return metadata?["namespace"]?.string ?? "default"
      default: break
      }
      for field in ["labels", "annotations"] {
        let prefix = "metadata.\(field)['"
        guard path.hasPrefix(prefix), path.hasSuffix("']"), path.count >= prefix.count + 2 else { continue }
        let key = String(path.dropFirst(prefix.count).dropLast(2))
        guard case .mapping(let entries)? = metadata?[field] else { return "" }
        return entries[key]?.string ?? ""
      }
      return nil
    }
    var node: Node? = rollout
    for section in path.split(whereSeparator: { ".[]".contains($0) }) {
      switch node {
      case .mapping(let mapping)?: node = mapping[String(section)]
      case .sequence(let sequence)?:
        let items = Array(sequence)
        guard let index = Int(section), items.indices.contains(index) else { return nil }
        node = items[index]
      default: return nil
      }
    }
    guard case .scalar(let scalar)? = node else { return nil }
    return scalar.string
  }
}
