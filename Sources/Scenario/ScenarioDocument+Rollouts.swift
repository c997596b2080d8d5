import Foundation
import InputReading
import Monitoring
import PlatformModel
import SimKernel
import Yams

/// Decoding of rollout policies: `spec.delivery.rollout` and `spec.services[].rollout`,
/// which name the team's own Argo Rollouts `Rollout` and `AnalysisTemplate` files, or
/// a Flagger `Canary`.
extension ScenarioLoader {
  static func readRolloutPolicy(_ reader: ObjectReader<ScenarioSchema.RolloutPolicy>) -> RolloutStrategy? {
    let strategy = reader[\.strategy] ?? "big-bang"
    if strategy == "big-bang" {
      if reader.has(\.rollout) {
        reader.value(of: \.rollout)?.warning("`rollout` is ignored with `strategy: big-bang`")
      }
      return .bigBang
    }
    if strategy == "flagger" {
      guard let value = reader.value(of: \.canary) else {
        reader.value.error("`strategy: flagger` needs `canary`: the path of a Flagger Canary resource")
        return nil
      }
      guard let url = reader[\.canary], let root = loadResource(url, format: .flaggerCanary, log: value.context.log)
      else { return nil }
      return readFlagger(root).map { .flagger($0) }
    }
    var templates = AnalysisTemplateSet()
    var valid = true
    reader[\.analysisTemplates]?.forEach { url, file in
      guard let url, let roots = loadResources(url, format: .argoAnalysisTemplate, log: file.context.log) else {
        valid = false
        return
      }
      // A file may hold several templates (and other kinds, which are skipped).
      for root in roots {
        guard let parsed = readAnalysisTemplate(root) else {
          if let name = ResourceChecker.metadataName(root.node) { templates.failed.append(name) }
          valid = false
          continue
        }
        templates.append(parsed)
      }
    }
    guard let rolloutValue = reader.value(of: \.rollout) else {
      reader.value.error(
        "`strategy: canary` needs `rollout`: the path of an Argo Rollouts Rollout with `strategy.canary`")
      return nil
    }
    guard let url = reader[\.rollout], let root = loadResource(url, format: .argoRollout, log: rolloutValue.context.log)
    else { return nil }
    guard let canary = readRollout(root, templates: templates), valid else { return nil }
    return .argoCanary(canary)
  }

  static func readFlagger(_ root: YAMLValue) -> FlaggerCanary? {
    guard let reader = root.readObject(FlaggerSchema.FlaggerCanary.self) else { return nil }
    _ = reader[\.apiVersion]
    _ = reader[\.kind]
    return reader[\.spec].flatMap { spec -> FlaggerCanary? in
      _ = spec[\.progressDeadlineSeconds]
      return spec[\.analysis].flatMap { analysis -> FlaggerCanary? in
        let unsupportedModes = [
          (analysis.name(of: \.iterations), analysis.value(of: \.iterations)),
          (analysis.name(of: \.match), analysis.value(of: \.match)),
        ]
        for case (let mode, let value?) in unsupportedModes {
          value.error("`\(mode)` selects Flagger's blue/green or A/B mode, which is not modelled")
          return nil
        }
        let intervalValue = analysis[\.interval]
        if analysis.has(\.interval) && intervalValue == nil { return nil }
        let interval = max(intervalValue ?? .seconds(60), .seconds(10))
        let threshold = max(1, analysis[\.threshold] ?? 1)
        let maxWeight = analysis[\.maxWeight] ?? 100
        var weights = analysis[\.stepWeights]?.read() ?? []
        if weights.isEmpty, let step = analysis[\.stepWeight] {
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
        let checks = analysis[\.metrics]?.map { readFlaggerCheck($0) } ?? []
        return FlaggerCanary(
          interval: interval, threshold: threshold, stepWeights: weights, maxWeight: maxWeight, checks: checks)
      }
    }
  }

  /// One of Flagger's built-in checks (`request-success-rate`, `request-duration`).
  static func readFlaggerCheck(_ metric: ObjectReader<FlaggerSchema.FlaggerMetric>) -> FlaggerCanary.Check? {
    guard let name = metric[\.name] else { return nil }
    let custom = [
      (metric.name(of: \.templateRef), metric.value(of: \.templateRef)),
      (metric.name(of: \.query), metric.value(of: \.query)),
    ]
    for case (let key, let value?) in custom {
      value.error(
        "custom Flagger metrics (`\(key)`) are not modelled",
        hint: "use the built-ins request-success-rate and request-duration")
      return nil
    }
    let builtIns = ["request-success-rate", "request-duration"]
    guard builtIns.contains(name) else {
      metric.value(of: \.name)?.error(
        "unknown built-in metric `\(name)`", hint: nearestMatch(to: name, in: builtIns).map { "did you mean `\($0)`?" })
      return nil
    }
    let range = metric[\.thresholdRange].map { ($0[\.min], $0[\.max]) }
    var minimum = range?.0
    var maximum = range?.1
    if let legacy = metric[\.threshold] {
      if name == "request-success-rate" { minimum = minimum ?? legacy } else { maximum = maximum ?? legacy }
    }
    let window = metric[\.interval]
    if metric.has(\.interval) && window == nil { return nil }
    return FlaggerCanary.Check(name: name, minimum: minimum, maximum: maximum, window: window ?? .minutes(1))
  }

  /// Reads the one resource of `format` in another YAML file, which may hold other
  /// documents too (a GitOps manifest: Service, Rollout, AnalysisTemplate); its
  /// diagnostics name that file and document.
  static func loadResource(_ url: URL, format: InputFormat, log: DiagnosticLog) -> YAMLValue? {
    guard let roots = loadResources(url, format: format, log: log) else { return nil }
    guard roots.count == 1, let root = roots.first else {
      log.add(
        Diagnostic(
          file: url.path,
          message: "holds \(roots.count) documents of kind \(format.signature.kinds.joined(separator: " or ")); "
            + "PlatformSim reads one here",
          hint: "give each in a file of its own"))
      return nil
    }
    return root
  }

  /// Every document of `format` in a YAML file of one or more documents.
  ///
  /// Documents of other kinds are skipped. A file of one document is returned whatever its kind, so
  /// its reader says what is wrong with it; a file of several with none of `format` is
  /// an error naming the kinds it holds.
  static func loadResources(_ url: URL, format: InputFormat, log: DiagnosticLog) -> [YAMLValue]? {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      log.add(Diagnostic(file: url.path, message: "cannot be read"))
      return nil
    }
    guard let documents = InputFile.parseDocuments(text, file: url.path, log: log) else { return nil }
    func value(_ node: Node, document: Int?) -> YAMLValue {
      YAMLValue(
        node: node, path: .root,
        context: ReadContext(file: url.path, log: log, conventions: format.conventions, document: document))
    }
    if documents.count == 1, let only = documents.first { return [value(only, document: nil)] }
    let matching = documents.enumerated().filter { format.signature.matches($0.element) }
    guard !matching.isEmpty else {
      let kinds = documents.compactMap(ResourceChecker.kind)
      log.add(
        Diagnostic(
          file: url.path,
          message: "has no \(format.signature.kinds.joined(separator: " or ")) among its \(documents.count) documents"
            + (kinds.isEmpty ? "" : " (kinds: \(kinds.joined(separator: ", ")))")))
      return nil
    }
    return matching.map { value($0.element, document: $0.offset) }
  }

  /// The AnalysisTemplates a Rollout's analyses may name (`templateName`).
  struct AnalysisTemplateSet {
    var entries: [(name: String, spec: ParsedTemplate)] = []
    /// Set by `validate`, which reads a Rollout without the scenario that lists its
    /// templates: a template it was not given is then noted, not an error.
    var isStandaloneCheck = false
    /// Names of templates given that failed to parse: a Rollout naming one is told so,
    /// not that no such template was loaded.
    var failed: [String] = []

    mutating func append(_ template: (name: String, spec: ParsedTemplate)) { entries.append(template) }
    func first(where matches: ((name: String, spec: ParsedTemplate)) -> Bool) -> (name: String, spec: ParsedTemplate)? {
      entries.first(where: matches)
    }
    var names: [String] { entries.map(\.name) }
  }

  struct ParsedTemplate {
    var metrics: [AnalysisMetric]
    /// Arguments with no default value: filled from the Rollout, else with the service's name.
    var arguments: [(name: String, value: String?)]
    /// The template as written, when `{{args.*}}` stands outside its queries: read
    /// again with each Rollout's argument values (``AnalysisArguments``).
    var source: YAMLValue? = nil

    /// The metrics with `values` (the Rollout's, then the template's defaults)
    /// substituted; errors an argument's value causes are located in the template and
    /// logged into `log` (the Rollout's, which may be read after the template's log).
    func metrics(with values: [String: String], log: DiagnosticLog) -> [AnalysisMetric]? {
      guard let source else { return metrics }
      var all = values
      for argument in arguments where all[argument.name] == nil {
        if let value = argument.value { all[argument.name] = value }
      }
      let scratch = DiagnosticLog()
      let context = source.context
      let node = AnalysisArguments.substitute(source.node, values: all, unresolved: nil)
      let value = YAMLValue(
        node: node, path: .root,
        context: ReadContext(
          file: context.file, log: scratch, conventions: context.conventions, document: context.document))
      let metrics = ScenarioLoader.readAnalysisTemplateSpec(value)?.spec.metrics
      for diagnostic in scratch.diagnostics where diagnostic.severity == .error { log.add(diagnostic) }
      return scratch.hasErrors ? nil : metrics
    }
  }

  /// Reads an AnalysisTemplate on its own: arguments without a value stand as `1`
  /// outside queries (``AnalysisArguments``), so every field is checked.
  static func readAnalysisTemplate(_ root: YAMLValue) -> (name: String, spec: ParsedTemplate)? {
    guard AnalysisArguments.hasPlaceholders(root.node) else { return readAnalysisTemplateSpec(root) }
    var defaults: [String: String] = [:]
    for argument in AnalysisArguments.declared(in: root.node) { defaults[argument.name] = argument.value }
    let probed = YAMLValue(
      node: AnalysisArguments.substitute(root.node, values: defaults, unresolved: AnalysisArguments.probe),
      path: .root, context: root.context)
    guard var template = readAnalysisTemplateSpec(probed) else { return nil }
    template.spec.source = root
    return template
  }

  static func readAnalysisTemplateSpec(_ root: YAMLValue) -> (name: String, spec: ParsedTemplate)? {
    guard let reader = root.readObject(ArgoRolloutsSchema.AnalysisTemplate.self) else { return nil }
    _ = reader[\.apiVersion]
    _ = reader[\.kind]
    let name = reader[\.metadata]?[\.name]
    if name == nil {
      root.error("an AnalysisTemplate needs `metadata.name`, which Rollouts refer to as `templateName`")
    }
    let spec = reader[\.spec].flatMap { spec -> ParsedTemplate? in
      let arguments =
        spec[\.args]?.map { argument -> (name: String, value: String?)? in
          guard let name = argument[\.name] else { return nil }
          return (name, argument[\.value])
        } ?? []
      guard let metrics = spec[\.metrics]?.map(readMetric) else { return nil }
      return ParsedTemplate(metrics: metrics, arguments: arguments)
    }
    guard let name, let spec else { return nil }
    return (name, spec)
  }

  static func readMetric(_ reader: ObjectReader<ArgoRolloutsSchema.AnalysisMetric>) -> AnalysisMetric? {
    var valid = true
    /// A field's value, `.some(nil)` when absent, `nil` after an error.
    func optional<Value>(_ field: FieldSelector<ArgoRolloutsSchema.AnalysisMetric, Value>) -> Value?? {
      guard reader.has(field) else { return .some(nil) }
      guard let value = reader[field] else {
        valid = false
        return nil
      }
      return .some(value)
    }
    let name = reader[\.name]
    let interval = optional(\.interval)
    let initialDelay = optional(\.initialDelay)
    let count = optional(\.count)
    let failureLimit = optional(\.failureLimit)
    let inconclusiveLimit = optional(\.inconclusiveLimit)
    let errorLimit = optional(\.consecutiveErrorLimit)
    let success = optional(\.successCondition)
    let failure = optional(\.failureCondition)
    var range: AnalysisMetric.RangeQuery?
    let query = reader[\.provider].flatMap { provider -> String? in
      // Providers Argo has and PlatformSim does not model (an unknown key is reported
      // as one already, with its "did you mean").
      let providers = ArgoRolloutsSchema.MetricProvider.objectDescription.fieldNames
      for entry in provider.presentEntries
      where entry.key != provider.name(of: \.prometheus) && providers.contains(entry.key) {
        entry.value.error(
          "the `\(entry.key)` metric provider is not modelled",
          hint: "PlatformSim answers Prometheus queries from its simulated Prometheus; use `prometheus`")
        return nil
      }
      guard let prometheus = provider[\.prometheus], let query = prometheus[\.query] else {
        if !provider.has(\.prometheus) { provider.value.error("a metric needs the `prometheus` provider") }
        return nil
      }
      if let rangeQuery = prometheus[\.rangeQuery] {
        guard let start = rangeQuery[\.start].flatMap({ readTime($0, rangeQuery.value(of: \.start)) }),
          let end = rangeQuery[\.end].flatMap({ readTime($0, rangeQuery.value(of: \.end)) }),
          let step = rangeQuery[\.step]
        else { return nil }
        guard step > .zero else {
          rangeQuery.value(of: \.step)?.error("`step` must be above zero")
          return nil
        }
        range = AnalysisMetric.RangeQuery(startBefore: start, endBefore: end, step: step)
      } else if prometheus.has(\.rangeQuery) {
        return nil
      }
      // Placeholders are filled per service at run time; check the PromQL now.
      let probe = query.replacingOccurrences(
        of: #"\{\{\s*args\.[A-Za-z0-9_-]+\s*\}\}"#, with: "x", options: .regularExpression)
      do {
        _ = try PromQLParser.parse(probe)
      } catch {
        prometheus.value(of: \.query)?.error("the query is not valid PromQL: \(error)")
        return nil
      }
      return query
    }
    if let count = count ?? nil, interval == .some(nil), count > 1 {
      reader.value(of: \.count)?.error("`count` above 1 needs an `interval` (as Argo Rollouts validates)")
      return nil
    }
    guard valid, let name, let interval, let initialDelay, let count, let failureLimit, let inconclusiveLimit,
      let errorLimit, let success, let failure, let query
    else { return nil }
    var metric = AnalysisMetric(
      name: name, interval: interval, count: count, initialDelay: initialDelay ?? .zero, successCondition: success,
      failureCondition: failure, failureLimit: failureLimit ?? 0, inconclusiveLimit: inconclusiveLimit ?? 0,
      consecutiveErrorLimit: errorLimit ?? 4, query: query)
    metric.rangeQuery = range
    return metric
  }

  /// A `rangeQuery` time as Argo's `EvalTime` reads it, relative to the measurement.
  ///
  /// Restricted to `now()` and `now() - duration("D")` (or `+`, a time ahead).
  /// Returns how long before the measurement it is.
  static func readTime(_ text: String, _ value: YAMLValue?) -> SimDuration? {
    let pattern = #"^\s*now\(\)\s*(?:([-+])\s*duration\(\s*["'`]([^"'`]+)["'`]\s*\))?\s*$"#
    guard let expression = try? NSRegularExpression(pattern: pattern),
      let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    else {
      value?.error(
        "cannot read `\(text)` as a time", hint: "PlatformSim reads `now()` and `now() - duration(\"1h\")`")
      return nil
    }
    guard let signRange = Range(match.range(at: 1), in: text), let durationRange = Range(match.range(at: 2), in: text)
    else { return .zero }
    guard let duration = SimDuration(parsing: String(text[durationRange])) else {
      value?.error("`\(text[durationRange])` is not a duration such as `5m` or `1h`")
      return nil
    }
    return text[signRange] == "-" ? duration : .zero - duration
  }
}
