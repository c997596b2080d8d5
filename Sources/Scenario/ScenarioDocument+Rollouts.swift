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
      var templates = MetricTemplateSet()
      var valid = true
      func readTemplates(in url: URL, log: DiagnosticLog, required: Bool) {
        // The Canary's own file may hold its MetricTemplates (a GitOps manifest).
        // In the Canary's file a missing MetricTemplate is no error; its file's own
        // problems are reported when the Canary is read.
        guard let found = loadResources(url, format: .flaggerMetricTemplate, log: required ? log : DiagnosticLog())
        else {
          if required { valid = false }
          return
        }
        let roots =
          required
          ? found
          : found.filter { ResourceChecker.kind($0.node) == "MetricTemplate" }.map { root in
            let context = root.context
            return YAMLValue(
              node: root.node, path: .root,
              context: ReadContext(
                file: context.file, log: log, conventions: context.conventions, document: context.document))
          }
        for root in roots {
          if let template = readMetricTemplate(root) {
            templates.entries.append(template)
          } else {
            if let name = ResourceChecker.metadataName(root.node) { templates.failed.append(name) }
            valid = false
          }
        }
      }
      reader[\.metricTemplates]?.forEach { url, file in
        guard let url else {
          valid = false
          return
        }
        readTemplates(in: url, log: file.context.log, required: true)
      }
      guard let url = reader[\.canary] else { return nil }
      readTemplates(in: url, log: value.context.log, required: false)
      guard let root = loadResource(url, format: .flaggerCanary, log: value.context.log) else { return nil }
      let share = reader[\.abTestingShare] ?? FlaggerCanary.defaultABTestingShare
      let testShare = reader[\.blueGreenTestShare] ?? FlaggerCanary.defaultBlueGreenTestShare
      guard
        let canary = readFlagger(root, templates: templates, abTestingShare: share, blueGreenTestShare: testShare),
        valid
      else { return nil }
      return .flagger(canary)
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

  /// A Flagger Canary; `abTestingShare` is the percent of requests taken to match an
  /// A/B test's `match` conditions, `blueGreenTestShare` the load tests' rate for a
  /// blue/green canary without `mirror`.
  static func readFlagger(
    _ root: YAMLValue, templates: MetricTemplateSet, abTestingShare: Int = FlaggerCanary.defaultABTestingShare,
    blueGreenTestShare: Int = FlaggerCanary.defaultBlueGreenTestShare
  ) -> FlaggerCanary? {
    guard let reader = root.readObject(FlaggerSchema.FlaggerCanary.self) else { return nil }
    _ = reader[\.apiVersion]
    _ = reader[\.kind]
    return reader[\.spec].flatMap { spec -> FlaggerCanary? in
      _ = spec[\.progressDeadlineSeconds]
      let skips = spec[\.skipAnalysis] ?? false
      if !spec.has(\.analysis) || skips {
        // Flagger's SkipAnalysis: the next tick after detecting a revision promotes it.
        let interval = spec[\.analysis]?[\.interval] ?? .seconds(60)
        var canary = FlaggerCanary(
          interval: max(interval, .seconds(10)), threshold: 1, stepWeights: [], maxWeight: 100, checks: [])
        canary.skipsAnalysis = true
        return canary
      }
      return spec[\.analysis].flatMap { analysis -> FlaggerCanary? in
        // Flagger's strategy (Canary.DeploymentStrategy, pkg/apis/flagger/v1beta1/canary.go):
        // `iterations` > 0 with `match` is A/B testing, without it blue/green; otherwise
        // progressive weights, and `match` does nothing.
        if analysis.has(\.iterations) && analysis[\.iterations] == nil { return nil }
        let iterationCount = analysis[\.iterations] ?? 0
        var iterations: FlaggerCanary.Iterations?
        if iterationCount > 0 {
          if let match = analysis.value(of: \.match) {
            match.warning(
              "A/B testing: the simulation has no request headers or cookies, so the requests matching `match` are "
                + "taken to be \(abTestingShare)% of all requests (the scenario's `abTestingShare`)")
            iterations = .init(count: iterationCount, canaryShare: abTestingShare, switchesBeforePromotion: false)
          } else if analysis[\.mirror] == true {
            // Istio mirrors `mirrorWeight` percent (default 100) of requests to the canary.
            let mirrored = analysis[\.mirrorWeight] ?? 0
            iterations = .init(
              count: iterationCount, canaryShare: 0, switchesBeforePromotion: true,
              shadowShare: mirrored > 0 ? mirrored : 100)
          } else {
            analysis.value(of: \.iterations)?.warning(
              "blue/green: the canary gets no live traffic until promotion; its checks see load-test requests, taken to "
                + "be \(blueGreenTestShare)% of the service's request rate (the scenario's `blueGreenTestShare`; "
                + "`mirror: true` copies live requests instead)")
            iterations = .init(
              count: iterationCount, canaryShare: 0, switchesBeforePromotion: true, shadowShare: blueGreenTestShare)
          }
        } else if let match = analysis.value(of: \.match) {
          match.warning("`match` does nothing without `iterations` (Flagger then runs a progressive canary)")
        }
        let blueGreen = iterations?.switchesBeforePromotion ?? false
        if !blueGreen, analysis[\.mirror] == true || analysis.has(\.mirrorWeight) {
          (analysis.value(of: \.mirror) ?? analysis.value(of: \.mirrorWeight))?.warning(
            "`mirror` is modelled for blue/green only (`iterations` without `match`); here it has no effect")
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
        if weights.isEmpty && iterations == nil {
          analysis.value.error("a canary needs `stepWeight` or `stepWeights`; without them it never progresses")
          return nil
        }
        var valid = true
        let checks =
          analysis[\.metrics]?.map { metric -> FlaggerCanary.Check? in
            let check = readFlaggerCheck(metric, templates: templates)
            if check == nil { valid = false }
            return check
          } ?? []
        guard valid else { return nil }
        var canary = FlaggerCanary(
          interval: interval, threshold: threshold, stepWeights: weights, maxWeight: maxWeight,
          checks: checks.compactMap { $0 })
        canary.iterations = iterations
        return canary
      }
    }
  }

  /// One of Flagger's checks: a built-in (`request-success-rate`, `request-duration`)
  /// or a custom metric running its MetricTemplate's query (`templateRef`), judged as
  /// Flagger does (pkg/controller/scheduler_metrics.go): within `thresholdRange`, or —
  /// without one — not above `threshold` (a built-in success rate: not below).
  ///
  /// `nil` for a check that names no template Flagger could run (Flagger records an
  /// error and fails the check on every tick), or that cannot be read.
  static func readFlaggerCheck(_ metric: ObjectReader<FlaggerSchema.FlaggerMetric>, templates: MetricTemplateSet)
    -> FlaggerCanary.Check?
  {
    guard let name = metric[\.name] else { return nil }
    let builtIns = ["request-success-rate", "request-duration"]
    var template: FlaggerCanary.Check.Template?
    var variables: [String: String] = [:]
    if metric.has(\.templateVariables) {
      guard let entries = metric[\.templateVariables]?.read() else { return nil }
      for (key, value) in entries { variables[key] = value }
    }
    if let reference = metric[\.templateRef] {
      guard let templateName = reference[\.name] else { return nil }
      _ = reference[\.namespace]
      if let found = templates.entries.first(where: { $0.name == templateName }) {
        let unfilled = FlaggerQueries.unfilledPlaceholders(in: found.query, variables: variables)
        guard unfilled.isEmpty else {
          reference.value(of: \.name)?.error(
            "MetricTemplate `\(templateName)`'s query has "
              + unfilled.map { "`{{ \($0) }}`" }.joined(separator: ", ")
              + ", which Flagger cannot fill for this check (it renders with missingkey=error)",
            hint: "Flagger fills `{{ name }}`, `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ ingress }}`, "
              + "`{{ route }}`, `{{ interval }}` and `{{ variables.NAME }}` from `templateVariables`")
          return nil
        }
        template = .init(name: templateName, query: found.query, variables: variables)
      } else if templates.failed.contains(templateName) {
        reference.value(of: \.name)?.error(
          "MetricTemplate `\(templateName)` was given but failed to parse (its errors are listed at its file)")
        return nil
      } else if templates.isStandaloneCheck {
        // `validate` on a Canary alone: the scenario that names both checks the reference.
        reference.value(of: \.name)?.warning(
          "MetricTemplate `\(templateName)` is not among the files given; it is checked when a scenario names both")
      } else {
        reference.value(of: \.name)?.error(
          "no MetricTemplate named `\(templateName)` was loaded",
          hint: nearestMatch(to: templateName, in: templates.entries.map(\.name)).map { "did you mean `\($0)`?" }
            ?? "list its file under `metricTemplates` in the scenario's rollout policy, or put it in the Canary's file")
        return nil
      }
    } else if metric.has(\.templateRef) {
      return nil
    } else if let inline = metric.value(of: \.query) {
      // Inline PromQL (deprecated, still run by Flagger's built-in checks loop).
      guard let query = inline.readString(), isValidFlaggerQuery(query, at: inline) else { return nil }
      let unfilled = FlaggerQueries.unfilledPlaceholders(in: query, variables: variables)
      guard unfilled.isEmpty else {
        inline.error(
          "the query has " + unfilled.map { "`{{ \($0) }}`" }.joined(separator: ", ")
            + ", which Flagger cannot fill (it renders with missingkey=error)")
        return nil
      }
      if builtIns.contains(name) {
        inline.error(
          "`\(name)` with an inline `query` runs both the built-in and the query in Flagger, which is not modelled",
          hint: "give the query a name of its own")
        return nil
      }
      template = .init(name: name, query: query, variables: variables)
    } else if !builtIns.contains(name) {
      metric.value(of: \.name)?.error(
        "`\(name)` is neither a built-in check nor a custom metric with `templateRef`: Flagger fails it on every tick",
        hint: nearestMatch(to: name, in: builtIns).map { "did you mean `\($0)`?" }
          ?? "use request-success-rate, request-duration, or a MetricTemplate through `templateRef`")
      return nil
    }
    let range = metric[\.thresholdRange].map { ($0[\.min], $0[\.max]) }
    if metric.has(\.thresholdRange) && range == nil { return nil }
    var minimum = range?.0
    var maximum = range?.1
    if range == nil {
      // Without `thresholdRange` Flagger compares with `threshold` (default 0).
      let legacy = metric[\.threshold] ?? 0
      if metric.has(\.threshold) && metric[\.threshold] == nil { return nil }
      if name == "request-success-rate" && template == nil { minimum = legacy } else { maximum = legacy }
    }
    let window = metric[\.interval]
    if metric.has(\.interval) && window == nil { return nil }
    return FlaggerCanary.Check(
      name: name, minimum: minimum, maximum: maximum, window: window ?? .minutes(1), template: template)
  }

  /// The MetricTemplates a Canary's custom metrics may name (`templateRef`).
  struct MetricTemplateSet {
    var entries: [(name: String, query: String)] = []
    /// Set by `validate`, which reads a Canary without the scenario that lists its
    /// templates: a template it was not given is then noted, not an error.
    var isStandaloneCheck = false
    /// Names of templates given that failed to parse.
    var failed: [String] = []
  }

  /// Reads a Flagger MetricTemplate: the prometheus provider, and a query that is
  /// valid PromQL once Flagger's variables are filled.
  static func readMetricTemplate(_ root: YAMLValue) -> (name: String, query: String)? {
    guard let reader = root.readObject(FlaggerSchema.MetricTemplate.self) else { return nil }
    _ = reader[\.apiVersion]
    _ = reader[\.kind]
    let name = reader[\.metadata]?[\.name]
    if name == nil {
      root.error("a MetricTemplate needs `metadata.name`, which Canaries refer to in `templateRef`")
    }
    let query = reader[\.spec].flatMap { spec -> String? in
      guard let provider = spec[\.provider], let type = provider[\.type] else { return nil }
      guard type == "prometheus" else {
        let known = [
          "datadog", "cloudwatch", "newrelic", "graphite", "stackdriver", "influxdb", "dynatrace", "keptn", "splunk",
          "externalmetrics",
        ]
        provider.value(of: \.type)?.error(
          known.contains(type)
            ? "the `\(type)` MetricTemplate provider is not modelled"
            : "unknown MetricTemplate provider `\(type)`",
          hint: "PlatformSim answers Prometheus queries from its simulated Prometheus; use `type: prometheus`")
        return nil
      }
      guard let query = spec[\.query], let value = spec.value(of: \.query), isValidFlaggerQuery(query, at: value)
      else { return nil }
      return query
    }
    guard let name, let query else { return nil }
    return (name, query)
  }

  /// Whether `query` is valid PromQL once Flagger's variables are filled (with neutral
  /// values: a placeholder Flagger's model has no name for is reported per check).
  static func isValidFlaggerQuery(_ query: String, at value: YAMLValue) -> Bool {
    var probe = QueryTemplate.fill(query) { key in key == "interval" ? .verbatim("1m") : .verbatim("x") }
    if probe.contains("{{") {
      probe = probe.replacingOccurrences(of: #"\{\{[^}]*\}\}"#, with: "x", options: .regularExpression)
    }
    do {
      _ = try PromQLParser.parse(probe)
      return true
    } catch {
      value.error("the query is not valid PromQL: \(error)")
      return false
    }
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
    /// The Rollout being read: its analysis arguments' `valueFrom.fieldRef` are
    /// resolved from it (``ScenarioLoader/resolveFieldPath(_:in:)``).
    var rollout: Node?

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
      guard var metrics = spec[\.metrics]?.map(readMetric) else { return nil }
      if spec.has(\.dryRun) {
        guard let patterns = spec[\.dryRun].flatMap(readDryRun) else { return nil }
        markDryRun(&metrics, patterns)
      }
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

  /// The `dryRun` entries' `metricName` patterns, each a valid regular expression.
  static func readDryRun(_ list: InputList<ObjectReader<ArgoRolloutsSchema.DryRun>>) -> [NSRegularExpression]? {
    list.map { entry -> NSRegularExpression? in
      guard let pattern = entry[\.metricName] else { return nil }
      guard let expression = try? NSRegularExpression(pattern: pattern) else {
        entry.value(of: \.metricName)?.error("`\(pattern)` is not a valid regular expression")
        return nil
      }
      return expression
    }
  }

  /// Marks the metrics a dry-run pattern matches (Argo's `GetDryRunMetrics`: the
  /// pattern is searched for in the name, so `.*` marks every metric).
  static func markDryRun(_ metrics: inout [AnalysisMetric], _ patterns: [NSRegularExpression]) {
    for index in metrics.indices {
      let name = metrics[index].name
      let range = NSRange(name.startIndex..., in: name)
      if patterns.contains(where: { $0.firstMatch(in: name, range: range) != nil }) { metrics[index].dryRun = true }
    }
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
