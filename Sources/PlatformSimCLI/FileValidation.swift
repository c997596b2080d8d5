import Experiments
import Foundation
import InputReading
import Monitoring
import Scenario
import Yams

/// `platformsim validate`: recognises which input format each file (or each document of
/// a multi-document file) is, and checks it with that format's own reader.
///
/// A document is recognised by its `kind` (and `apiVersion`), or for formats without
/// one by the top-level keys every file of it has (``FormatSignature``). Documents of
/// kinds PlatformSim does not read (a Service beside a Rollout) are skipped and listed
/// in one line; a file with nothing PlatformSim reads is an error that names what was
/// expected, never what the file holds.
struct FileValidation {
  /// What checking one file found.
  struct Outcome {
    var file: String
    /// Descriptions of what was read, for the `ok` line: `scenario "golden-path"`.
    var found: [String] = []
    /// Kinds of the documents skipped, in order of first appearance, with their counts.
    var skipped: [(kind: String, count: Int)] = []
    var diagnostics: [Diagnostic] = []
    /// Errors a loader rendered itself (a sweep point's scenario errors), one per entry.
    var renderedErrors: [String] = []
    var failed: Bool { !renderedErrors.isEmpty || diagnostics.contains { $0.severity == .error } }
  }

  /// A file read and split into documents, before checking.
  struct ParsedFile {
    var path: String
    var text: String
    var documents: [Node]
  }

  /// Formats read as a whole file by their own loader (the file is one document of
  /// them, or — rule files — a stream of them).
  static let wholeFileFormats: [InputFormat] = [
    .scenario, .prometheusRuleFile, .prometheusRule, .alertmanager, .promtoolTest, .gate, .sweep,
  ]
  /// Kubernetes-style resources read document by document.
  static let resourceFormats: [InputFormat] = [
    .argoAnalysisTemplate, .flaggerMetricTemplate, .argoRollout, .flaggerCanary, .instanceCatalogue,
  ]

  /// Checks every file; AnalysisTemplates of all files are read first, so a Rollout
  /// resolves templates given in another file.
  static func check(_ paths: [String]) -> [Outcome] {
    var outcomes = paths.map { Outcome(file: $0) }
    var parsed: [ParsedFile?] = []
    for index in paths.indices {
      if TraceValidation.isTable(paths[index]) {
        outcomes[index] = TraceValidation.check(paths[index])
        parsed.append(nil)
        continue
      }
      let log = DiagnosticLog()
      parsed.append(parse(paths[index], log: log))
      outcomes[index].diagnostics += log.diagnostics
    }
    let checker = ResourceChecker()
    // Templates first, then everything else in file order.
    for pass in [true, false] {
      for index in paths.indices {
        guard let file = parsed[index] else { continue }
        let log = DiagnosticLog()
        check(file, templatesOnly: pass, checker: checker, log: log, into: &outcomes[index])
        outcomes[index].diagnostics += log.diagnostics
      }
    }
    return outcomes
  }

  static func parse(_ path: String, log: DiagnosticLog) -> ParsedFile? {
    let text: String
    switch InputFile.read(path, kind: "a file PlatformSim reads") {
    case .success(let contents): text = contents.text
    case .failure(let diagnostic):
      log.add(diagnostic)
      return nil
    }
    guard let documents = InputFile.parseDocuments(text, file: path, log: log) else { return nil }
    guard !documents.isEmpty else {
      log.add(Diagnostic(file: path, line: 1, column: 1, message: "the file is empty"))
      return nil
    }
    return ParsedFile(path: path, text: text, documents: documents)
  }

  static func check(
    _ file: ParsedFile, templatesOnly: Bool, checker: ResourceChecker, log: DiagnosticLog, into outcome: inout Outcome
  ) {
    // One whole-file format for a file of one document, or a stream of rule files.
    if let format = wholeFileFormat(of: file) {
      if !templatesOnly {
        outcome.found += checkWholeFile(file, format: format, log: log, rendered: &outcome.renderedErrors)
      }
      return
    }
    var recognised = false
    for (index, document) in file.documents.enumerated() {
      let documentIndex = file.documents.count > 1 ? index : nil
      guard let format = resourceFormats.first(where: { $0.signature.matches(document) }) else {
        if InputFormat.prometheusRule.signature.matches(document) {
          // A PrometheusRule among other resources (a Helm chart's or kustomize output).
          recognised = true
          if !templatesOnly,
            let groups = RuleFileLoader.read(
              document: document, file: file.path, documentIndex: documentIndex, log: log)
          {
            let rules = groups.reduce(0) { $0 + $1.rules.count }
            outcome.found.append("PrometheusRule, \(plural(groups.count, "group")), \(plural(rules, "rule"))")
          }
        } else if wholeFileFormats.contains(where: { $0.signature.matches(document) }) {
          recognised = true
          if !templatesOnly {
            log.add(
              Diagnostic(
                at: FileLocation(file: file.path, line: 1, column: 1, document: documentIndex),
                message: "a document of this kind must be the only one in its file",
                hint: "move it into a file of its own"))
          }
        } else if !templatesOnly {
          let kind = ResourceChecker.kind(document) ?? "(no kind)"
          if let position = outcome.skipped.firstIndex(where: { $0.kind == kind }) {
            outcome.skipped[position].count += 1
          } else {
            outcome.skipped.append((kind, 1))
          }
        }
        continue
      }
      recognised = true
      let isTemplate =
        format.name == InputFormat.argoAnalysisTemplate.name || format.name == InputFormat.flaggerMetricTemplate.name
      guard isTemplate == templatesOnly else { continue }
      if let description = checker.check(
        document, format: format, file: file.path, document: documentIndex, log: log)
      {
        outcome.found.append(description)
      }
    }
    if !recognised && !templatesOnly, file.documents.count == 1, let document = file.documents.first,
      let format = likelyFormat(of: document)
    {
      // Close to a format (its kind with another apiVersion, a misspelt kind): its own
      // reader says precisely what is wrong.
      outcome.skipped = []
      if wholeFileFormats.contains(where: { $0.name == format.name }) {
        outcome.found += checkWholeFile(file, format: format, log: log, rendered: &outcome.renderedErrors)
      } else if let description = checker.check(document, format: format, file: file.path, document: nil, log: log) {
        outcome.found.append(description)
      }
      return
    }
    if !recognised && !templatesOnly {
      outcome.skipped = []
      log.add(
        Diagnostic(
          file: file.path, message: "not a file PlatformSim reads",
          hint:
            "expected a scenario (`kind: Scenario`), an Argo Rollouts Rollout or AnalysisTemplate, a Flagger Canary, "
            + "an InstanceCatalogue, a Prometheus rule file (`groups:`) or PrometheusRule, an alertmanager.yml "
            + "(`route:`), a promtool test file (`tests:`), a gate (`rules:`) or a sweep file (`axes:`)"))
    }
  }

  /// The format a document that matches none was probably meant to be: one whose
  /// `kind` it has under another `apiVersion`, one whose kind is a near miss, or the
  /// scenario for PlatformSim's own `apiVersion` group.
  static func likelyFormat(of document: Node) -> InputFormat? {
    guard case .mapping(let mapping) = document else { return nil }
    let formats = wholeFileFormats + resourceFormats
    if let kind = mapping["kind"]?.string {
      if let format = formats.first(where: { $0.signature.kinds.contains(kind) }) { return format }
      let kinds = formats.flatMap(\.signature.kinds)
      if let near = nearestMatch(to: kind, in: kinds) {
        return formats.first { $0.signature.kinds.contains(near) }
      }
    }
    if let apiVersion = mapping["apiVersion"]?.string, apiVersion.hasPrefix("platformsim") { return .scenario }
    return nil
  }

  /// The whole-file format of `file`: a plain rule file, or a stream of PrometheusRules
  /// and rule files, or any other such format as the file's one document.
  static func wholeFileFormat(of file: ParsedFile) -> InputFormat? {
    let ruleFormats = [InputFormat.prometheusRuleFile, .prometheusRule]
    if file.documents.allSatisfy({ document in ruleFormats.contains { $0.signature.matches(document) } }) {
      return file.documents.contains { InputFormat.prometheusRule.signature.matches($0) }
        ? .prometheusRule : .prometheusRuleFile
    }
    guard file.documents.count == 1, let document = file.documents.first else { return nil }
    return wholeFileFormats.first { $0.signature.matches(document) }
  }

  /// Reads `file` with `format`'s own loader, as a run or `rules`/`gate`/`sweep` would.
  static func checkWholeFile(
    _ file: ParsedFile, format: InputFormat, log: DiagnosticLog, rendered: inout [String]
  ) -> [String] {
    func collect(_ error: DiagnosticsError) { for diagnostic in error.diagnostics { log.add(diagnostic) } }
    func collect(_ error: ExperimentError) {
      if case .invalidFile(let diagnostics) = error { collect(diagnostics) } else { rendered.append(error.description) }
    }
    switch format.name {
    case InputFormat.scenario.name:
      do {
        let (document, warnings) = try ScenarioLoader.load(path: file.path)
        for warning in warnings { log.add(warning) }
        return ["scenario \"\(document.name)\""]
      } catch {
        collect(error)
      }
    case InputFormat.prometheusRuleFile.name, InputFormat.prometheusRule.name:
      do {
        let groups = try RuleFileLoader.load(yaml: file.text, file: file.path)
        let rules = groups.reduce(0) { $0 + $1.rules.count }
        let kind = format.name == InputFormat.prometheusRule.name ? "PrometheusRule" : "rule file"
        return ["\(kind), \(plural(groups.count, "group")), \(plural(rules, "rule"))"]
      } catch {
        collect(error)
      }
    case InputFormat.alertmanager.name:
      do {
        let config = try AlertmanagerConfig.parse(yaml: file.text, file: file.path)
        return ["alertmanager.yml, \(plural(config.receivers.count, "receiver"))"]
      } catch {
        collect(error)
      }
    case InputFormat.promtoolTest.name:
      do {
        let tests = try PromtoolTestFile.parse(yaml: file.text, file: file.path)
        return ["promtool test file, \(plural(tests.tests.count, "test group"))"]
      } catch {
        collect(error)
      }
    case InputFormat.gate.name:
      do {
        let gate = try GateDefinition.load(path: file.path)
        return ["gate \"\(gate.name)\", \(plural(gate.rules.count, "rule"))"]
      } catch {
        collect(error)
      }
    case InputFormat.sweep.name:
      do {
        let sweep = try SweepDefinition.load(path: file.path)
        let points = try sweep.variants()
        return ["sweep \"\(sweep.name)\", \(plural(points.count, "point"))"]
      } catch {
        collect(error)
      }
    default:
      break
    }
    return []
  }
}

/// `1 rule`, `2 rules`.
func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
