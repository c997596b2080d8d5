import Foundation
import InputDiagnostics
import Monitoring
import PlatformModel
import SimKernel
import Yams

/// Decoding of rollout policies: `spec.delivery.rollout` and `spec.services[].rollout`,
/// which name the team's own Argo Rollouts `Rollout` and `AnalysisTemplate` files.
extension ScenarioLoader {
  static func readRolloutPolicy(_ reader: ObjectReader) -> RolloutStrategy? {
    let strategy = reader.string("strategy") ?? "big-bang"
    if strategy == "big-bang" {
      if reader.has("rollout") { reader["rollout"]?.warning("`rollout` is ignored with `strategy: big-bang`") }
      return .bigBang
    }
    if strategy == "flagger" {
      guard let value = reader["canary"] else {
        reader.value.error("`strategy: flagger` needs `canary`: the path of a Flagger Canary resource")
        return nil
      }
      guard let url = value.readExistingFilePath(), let root = loadResource(url, log: value.context.log) else { return nil }
      return readFlagger(root).map { .flagger($0) }
    }
    var templates: [(name: String, spec: ParsedTemplate)] = []
    var valid = true
    for file in reader["analysisTemplates"]?.readArray() ?? [] {
      guard let url = file.readExistingFilePath(), let root = loadResource(url, log: file.context.log) else {
        valid = false
        continue
      }
      guard let parsed = readAnalysisTemplate(root) else {
        valid = false
        continue
      }
      templates.append(parsed)
    }
    guard let rolloutValue = reader["rollout"] else {
      reader.value.error("`strategy: canary` needs `rollout`: the path of an Argo Rollouts Rollout with `strategy.canary`")
      return nil
    }
    guard let url = rolloutValue.readExistingFilePath(), let root = loadResource(url, log: rolloutValue.context.log) else {
      return nil
    }
    guard let canary = readRollout(root, templates: templates), valid else { return nil }
    return .argoCanary(canary)
  }

  static func readFlagger(_ root: YAMLValue) -> FlaggerCanary? {
    guard let reader = root.readObject(FlaggerSchema.canary) else { return nil }
    _ = reader.string("apiVersion")
    _ = reader.string("kind")
    return reader.object("spec") { spec -> FlaggerCanary? in
      _ = spec.integer("progressDeadlineSeconds")
      return spec.object("analysis") { analysis -> FlaggerCanary? in
        for unsupported in ["iterations", "match"] where analysis.has(unsupported) {
          analysis[unsupported]?.error("`\(unsupported)` selects Flagger's blue/green or A/B mode, which is not modelled")
          return nil
        }
        guard let intervalValue = readArgoDuration(analysis["interval"]) else { return nil }
        let interval = max(intervalValue ?? .seconds(60), .seconds(10))
        let threshold = max(1, analysis.integer("threshold") ?? 1)
        let maxWeight = analysis.integer("maxWeight") ?? 100
        var weights = analysis.array("stepWeights") { $0.readInteger(minimum: 1, maximum: 100) } ?? []
        if weights.isEmpty, let step = analysis.integer("stepWeight") {
          var weight = 0
          while weight < maxWeight {
            weight += step
            weights.append(weight)
          }
        }
        if weights.isEmpty {
          analysis.value.error("a canary needs `stepWeight` or `stepWeights`; without them it never progresses")
          return nil
        }
        let checks = analysis.array("metrics") { value -> FlaggerCanary.Check? in
          guard let metric = value.readObject(FlaggerSchema.metric), let name = metric.string("name") else { return nil }
          for unsupported in ["templateRef", "query"] where metric.has(unsupported) {
            metric[unsupported]?.error("custom Flagger metrics (`\(unsupported)`) are not modelled", hint: "use the built-ins request-success-rate and request-duration")
            return nil
          }
          guard name == "request-success-rate" || name == "request-duration" else {
            metric["name"]?.error(
              "unknown built-in metric `\(name)`",
              hint: nearestMatch(to: name, in: ["request-success-rate", "request-duration"]).map { "did you mean `\($0)`?" })
            return nil
          }
          let range = metric.object("thresholdRange") { ($0.number("min"), $0.number("max")) }
          var minimum = range?.0
          var maximum = range?.1
          if let legacy = metric.number("threshold") {
            if name == "request-success-rate" { minimum = minimum ?? legacy } else { maximum = maximum ?? legacy }
          }
          guard let window = readArgoDuration(metric["interval"]) else { return nil }
          return FlaggerCanary.Check(name: name, minimum: minimum, maximum: maximum, window: window ?? .minutes(1))
        } ?? []
        return FlaggerCanary(interval: interval, threshold: threshold, stepWeights: weights, maxWeight: maxWeight, checks: checks)
      }
    }
  }

  /// Parses another YAML file; its diagnostics name that file.
  static func loadResource(_ url: URL, log: DiagnosticLog) -> YAMLValue? {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      log.add(Diagnostic(file: url.path, line: 0, column: 0, keyPath: .root, message: "cannot be read"))
      return nil
    }
    guard let node = parseYAML(text, file: url.path, log: log) else { return nil }
    return YAMLValue(node: node, path: .root, context: ReadContext(file: url.path, log: log))
  }

  struct ParsedTemplate {
    var metrics: [AnalysisMetric]
    /// Arguments with no default value: filled from the Rollout, else with the service's name.
    var arguments: [(name: String, value: String?)]
  }

  static func readAnalysisTemplate(_ root: YAMLValue) -> (name: String, spec: ParsedTemplate)? {
    guard let reader = root.readObject(ArgoRolloutsSchema.template) else { return nil }
    _ = reader.string("apiVersion")
    _ = reader.string("kind")
    let name = metadataName(root)
    if name == nil { root.error("an AnalysisTemplate needs `metadata.name`, which Rollouts refer to as `templateName`") }
    let spec = reader.object("spec") { spec -> ParsedTemplate? in
      let arguments = spec.array("args") { value -> (name: String, value: String?)? in
        guard let argument = value.readObject(ArgoRolloutsSchema.templateArgument), let name = argument.string("name") else { return nil }
        return (name, argument.string("value"))
      } ?? []
      guard let metrics = spec.array("metrics", { value in value.readObject(ArgoRolloutsSchema.metric).flatMap(readMetric) }) else {
        return nil
      }
      return ParsedTemplate(metrics: metrics, arguments: arguments)
    }
    guard let name, let spec else { return nil }
    return (name, spec)
  }

  static func metadataName(_ root: YAMLValue) -> String? {
    guard case .mapping(let mapping) = root.node else { return nil }
    for (key, value) in mapping where key.string == "metadata" {
      guard case .mapping(let metadata) = value else { return nil }
      for (field, name) in metadata where field.string == "name" { return name.string }
    }
    return nil
  }

  /// An Argo duration: whole seconds as a number, or a string such as `30s` or `1h30m`.
  static func readArgoDuration(_ value: YAMLValue?) -> SimDuration?? {
    guard let value else { return .some(nil) }
    if let text = value.scalarText {
      if let seconds = Int(text) { return .some(.seconds(Int64(seconds))) }
      if let duration = SimDuration(parsing: text) { return .some(duration) }
    }
    value.mismatch(expected: "a duration such as `30s`, `5m` or `1h`, or whole seconds")
    return nil
  }

  static func readLimit(_ value: YAMLValue?, default fallback: Int, minimum: Int) -> Int? {
    guard let value else { return fallback }
    guard let text = value.scalarText, let number = Int(text), number >= minimum else {
      value.mismatch(expected: "an integer of at least \(minimum)")
      return nil
    }
    return number
  }

  static func readCondition(_ value: YAMLValue?) -> ConditionExpression?? {
    guard let value else { return .some(nil) }
    guard let text = value.readString() else { return nil }
    do {
      return .some(try ConditionExpression.parse(text))
    } catch {
      value.error("cannot parse the condition: \(error)")
      return nil
    }
  }

  static func readMetric(_ reader: ObjectReader) -> AnalysisMetric? {
    let name = reader.string("name")
    let interval = readArgoDuration(reader["interval"])
    let initialDelay = readArgoDuration(reader["initialDelay"])
    let count = reader["count"].map { readLimit($0, default: 0, minimum: 0) } ?? .some(nil)
    let failureLimit = readLimit(reader["failureLimit"], default: 0, minimum: -1)
    let inconclusiveLimit = readLimit(reader["inconclusiveLimit"], default: 0, minimum: 0)
    let errorLimit = readLimit(reader["consecutiveErrorLimit"], default: 4, minimum: 0)
    let success = readCondition(reader["successCondition"])
    let failure = readCondition(reader["failureCondition"])
    let query = reader.object("provider") { provider -> String? in
      for unsupported in provider.presentKeys where unsupported != "prometheus" {
        provider[unsupported]?.error(
          "the `\(unsupported)` metric provider is not modelled",
          hint: "PlatformSim answers Prometheus queries from its simulated Prometheus; use `prometheus`")
        return nil
      }
      guard let prometheus = provider.object("prometheus", { $0 }), let query = prometheus.string("query") else {
        if !provider.has("prometheus") { provider.value.error("a metric needs the `prometheus` provider") }
        return nil
      }
      // Placeholders are filled per service at run time; check the PromQL now.
      let probe = query.replacingOccurrences(of: #"\{\{\s*args\.[A-Za-z0-9_-]+\s*\}\}"#, with: "x", options: .regularExpression)
      do {
        _ = try PromQLParser.parse(probe)
      } catch {
        prometheus["query"]?.error("the query is not valid PromQL: \(error)")
        return nil
      }
      return query
    }
    if let count = count ?? nil, interval == .some(nil), count > 1 {
      reader["count"]?.error("`count` above 1 needs an `interval` (as Argo Rollouts validates)")
      return nil
    }
    guard let name, let interval, let initialDelay, let count, let failureLimit, let inconclusiveLimit, let errorLimit,
      let success, let failure, let query
    else { return nil }
    return AnalysisMetric(
      name: name, interval: interval, count: count, initialDelay: initialDelay ?? .zero, successCondition: success,
      failureCondition: failure, failureLimit: failureLimit, inconclusiveLimit: inconclusiveLimit,
      consecutiveErrorLimit: errorLimit, query: query)
  }

  static func readRollout(_ root: YAMLValue, templates: [(name: String, spec: ParsedTemplate)]) -> ArgoCanary? {
    guard let reader = root.readObject(ArgoRolloutsSchema.rollout) else { return nil }
    _ = reader.string("apiVersion")
    _ = reader.string("kind")
    return reader.object("spec") { spec -> ArgoCanary? in
      _ = spec.integer("replicas")
      let deadline = spec.integer("progressDeadlineSeconds") ?? 600
      let deadlineAbort = spec.boolean("progressDeadlineAbort") ?? false
      return spec.object("strategy") { strategy -> ArgoCanary? in
        if let blueGreen = strategy["blueGreen"]?.readObject(ArgoRolloutsSchema.blueGreen) {
          return readBlueGreen(blueGreen, templates: templates, deadline: deadline, deadlineAbort: deadlineAbort)
        } else if strategy.has("blueGreen") {
          return nil
        }
        guard let canary = strategy.object("canary", { $0 }) else {
          strategy.value.error("a Rollout for PlatformSim needs `strategy.canary`")
          return nil
        }
        var valid = true
        let maxSurge = readReplicaBudget(canary["maxSurge"], key: "maxSurge")
        let maxUnavailable = readReplicaBudget(canary["maxUnavailable"], key: "maxUnavailable")
        if maxSurge == nil || maxUnavailable == nil { valid = false }
        if case .percent(let percent)? = maxUnavailable ?? nil, percent > 100 {
          canary["maxUnavailable"]?.error("`maxUnavailable` \(percent)% is above 100%")
          valid = false
        }
        if let surge = maxSurge ?? nil, let unavailable = maxUnavailable ?? nil, surge.isZero && unavailable.isZero {
          canary["maxUnavailable"]?.error(
            "`maxSurge` and `maxUnavailable` are both zero, which Argo Rollouts rejects (no pod could ever be replaced)",
            hint: "allow one pod of surge (`maxSurge: 1`) or of unavailability")
          valid = false
        }
        let steps = canary.array("steps") { value -> ArgoCanary.Step? in
          guard let step = value.readObject(ArgoRolloutsSchema.step) else { return nil }
          let present = step.presentKeys.filter { ["setWeight", "pause", "analysis", "experiment", "plugin"].contains($0) }
          guard present.count == 1, let kind = present.first else {
            value.error("a step needs exactly one of `setWeight`, `pause`, `analysis`")
            return nil
          }
          switch kind {
          case "setWeight":
            return step.integer("setWeight").map { .setWeight($0) }
          case "pause":
            guard let pause = step["pause"]?.readObject(ArgoRolloutsSchema.pause), let duration = readArgoDuration(pause["duration"]) else {
              return nil
            }
            return .pause(duration)
          case "analysis":
            return step["analysis"]?.readObject(ArgoRolloutsSchema.analysis).flatMap { readAnalysis($0, templates: templates) }
              .map { .analysis($0) }
          default:
            step[kind]?.error("`\(kind)` steps are not modelled", hint: "they would change the outcome, so the run is refused")
            return nil
          }
        }
        if canary.has("steps") && steps == nil { valid = false }
        var background: AnalysisSpec?
        var startingStep = 0
        if let analysis = canary["analysis"]?.readObject(ArgoRolloutsSchema.analysis) {
          background = readAnalysis(analysis, templates: templates)
          startingStep = analysis.integer("startingStep") ?? 0
          if background == nil { valid = false }
        } else if canary.has("analysis") {
          valid = false
        }
        guard valid else { return nil }
        var rollout = ArgoCanary(
          steps: steps ?? [], backgroundAnalysis: background, backgroundStartingStep: startingStep,
          progressDeadline: .seconds(Int64(deadline)), progressDeadlineAbort: deadlineAbort)
        if let surge = maxSurge ?? nil { rollout.maxSurge = surge }
        if let unavailable = maxUnavailable ?? nil { rollout.maxUnavailable = unavailable }
        return rollout
      }
    }
  }

  /// `maxSurge` / `maxUnavailable`: a non-negative integer (pods) or a string, which
  /// Argo reads as a percentage with or without `%` (legacy intstr parsing: `"25"` is
  /// 25 %). `.some(nil)` when absent (the default 25 %), `nil` after an error.
  static func readReplicaBudget(_ value: YAMLValue?, key: String) -> ReplicaBudget?? {
    guard let value else { return .some(nil) }
    guard let text = value.scalarText, !value.isNull else {
      value.mismatch(expected: "a pod count such as `1` or a percentage such as `\"25%\"`")
      return nil
    }
    if !value.isQuoted, let count = Int(text) {
      guard count >= 0 else {
        value.mismatch(expected: "a non-negative pod count or a percentage such as `\"25%\"`")
        return nil
      }
      return .some(.count(count))
    }
    let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let percent = Int(digits), percent >= 0 else {
      value.mismatch(expected: "a pod count such as `1` or a percentage such as `\"25%\"`")
      return nil
    }
    return .some(.percent(percent))
  }

  /// `strategy.blueGreen` as steps: scale up the preview, pre-promotion analysis, a
  /// pause unless auto-promoted at once, the switch, post-promotion analysis.
  static func readBlueGreen(
    _ reader: ObjectReader, templates: [(name: String, spec: ParsedTemplate)], deadline: Int, deadlineAbort: Bool
  ) -> ArgoCanary? {
    var steps: [ArgoCanary.Step] = [.scaleUpPreview]
    var valid = true
    if let pre = reader["prePromotionAnalysis"]?.readObject(ArgoRolloutsSchema.analysis) {
      if let spec = readAnalysis(pre, templates: templates) { steps.append(.analysis(spec)) } else { valid = false }
    } else if reader.has("prePromotionAnalysis") {
      valid = false
    }
    let automatic = reader.boolean("autoPromotionEnabled") ?? true
    let seconds = reader.integer("autoPromotionSeconds") ?? 0
    if !automatic {
      steps.append(.pause(nil))
    } else if seconds > 0 {
      steps.append(.pause(.seconds(Int64(seconds))))
    }
    steps.append(.switchActive)
    if let post = reader["postPromotionAnalysis"]?.readObject(ArgoRolloutsSchema.analysis) {
      if let spec = readAnalysis(post, templates: templates) { steps.append(.analysis(spec)) } else { valid = false }
    } else if reader.has("postPromotionAnalysis") {
      valid = false
    }
    guard valid else { return nil }
    var canary = ArgoCanary(
      steps: steps, backgroundAnalysis: nil, progressDeadline: .seconds(Int64(deadline)), progressDeadlineAbort: deadlineAbort)
    canary.kind = .blueGreen
    return canary
  }

  static func readAnalysis(_ reader: ObjectReader, templates: [(name: String, spec: ParsedTemplate)]) -> AnalysisSpec? {
    let names = templates.map(\.name)
    let references = reader.array("templates") { value -> ParsedTemplate? in
      guard let reference = value.readObject(ArgoRolloutsSchema.templateReference), let name = reference.string("templateName") else {
        return nil
      }
      guard let template = templates.first(where: { $0.name == name }) else {
        reference["templateName"]?.error(
          "no AnalysisTemplate named `\(name)` was loaded",
          hint: nearestMatch(to: name, in: names).map { "did you mean `\($0)`?" }
            ?? "list its file under `analysisTemplates` in the scenario's rollout policy")
        return nil
      }
      return template.spec
    }
    let arguments = reader.array("args") { value -> (name: String, value: String?)? in
      guard let argument = value.readObject(ArgoRolloutsSchema.argument), let name = argument.string("name") else { return nil }
      _ = argument["valueFrom"]
      return (name, argument.string("value"))
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
