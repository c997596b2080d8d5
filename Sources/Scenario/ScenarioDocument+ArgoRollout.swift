import InputReading
import PlatformModel
import SimKernel

/// Decoding of an Argo Rollouts `Rollout`: its canary steps (or blue-green strategy as
/// steps), replica budgets, and the analyses that refer to the loaded templates.
extension ScenarioLoader {
  static func readRollout(_ root: YAMLValue, templates: AnalysisTemplateSet) -> ArgoCanary? {
    guard let reader = root.readObject(ArgoRolloutsSchema.Rollout.self) else { return nil }
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
    let steps = canary[\.steps]?.map { step -> ArgoCanary.Step? in
      let present = step.presentEntries.filter { step.keys.kindNames.contains($0.key) }
      guard present.count == 1, let kind = present.first else {
        step.value.error("a step needs exactly one of `setWeight`, `pause`, `analysis`")
        return nil
      }
      switch kind.key {
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
    if let maxSurge { rollout.maxSurge = maxSurge }
    if let maxUnavailable { rollout.maxUnavailable = maxUnavailable }
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
    let references = reader[\.templates]?.map { reference -> ParsedTemplate? in
      guard let name = reference[\.templateName] else { return nil }
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
      return template.spec
    }
    let arguments =
      reader[\.args]?.map { argument -> (name: String, value: String?)? in
        guard let name = argument[\.name] else { return nil }
        return (name, argument[\.value])
      } ?? []
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
    return AnalysisSpec(metrics: references.flatMap(\.metrics), serviceArguments: fromService, fixedArguments: fixed)
  }
}
