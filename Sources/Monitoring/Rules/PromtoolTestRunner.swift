import Foundation
import InputReading
import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The outcome of one test group of a promtool test file.
public struct PromtoolGroupVerdict: Sendable {
  public var name: String
  /// Empty when the group passed; otherwise promtool-style failure messages.
  public var failures: [String]
  public var passed: Bool { failures.isEmpty }
}

/// The outcome of a whole promtool test file.
public struct PromtoolVerdict: Sendable {
  public var file: String
  public var groups: [PromtoolGroupVerdict]
  /// A problem loading the test or rule files (promtool prints it and fails).
  public var loadError: String?
  public var passed: Bool { loadError == nil && groups.allSatisfy(\.passed) }
}

/// What PlatformSim's engine produced for one test group: the firing alerts at each
/// `alert_rule_test`, and the samples of each `promql_expr_test`.
public struct PromtoolObservation {
  public var firingAlerts: [[PromtoolExpectedAlert]]
  public var exprResults: [Result<[Sample], PromQLError>]
  public var evaluationErrors: [RuleEvaluationError]
}

/// Runs promtool unit tests (`promtool test rules`) on PlatformSim's engine.
///
/// Mirrors `testGroup.test` in Prometheus 2.42 cmd/promtool/unittest.go: input series
/// are loaded at multiples of `interval`; every rule group is evaluated at every
/// `evaluation_interval` step from 0 to the largest eval_time of all its tests (group
/// intervals are ignored, as in promtool); an `alert_rule_test` at E is checked after the
/// evaluation at the last step ≤ E, comparing only firing alerts (labels and
/// annotations, as sets); a `promql_expr_test` is an instant query at E after all
/// evaluations and sees only input samples up to the last step; values must be exactly
/// equal, so NaN never matches, as with promtool 2.42 (with the newer `fuzzy_compare:
/// true`, one float64 step either side also matches). Each test group starts from
/// fresh rule state and a fresh store.
public enum PromtoolTestRunner {
  /// Runs a test file from disk.
  public static func run(file path: String) -> PromtoolVerdict {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      return PromtoolVerdict(
        file: path, groups: [], loadError: "\(path): cannot read: \(error.localizedDescription)")
    }
    let directory = (path as NSString).deletingLastPathComponent
    func resolve(_ ruleFile: String) -> String {
      ruleFile.hasPrefix("/")
        ? ruleFile : (directory.isEmpty ? ruleFile : directory + "/" + ruleFile)
    }
    return run(
      yaml: text, file: path,
      expandRuleFiles: { pattern in
        // promtool expands rule_files with filepath.Glob (sorted matches).
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        return globPaths(resolve(pattern))
      },
      readRuleFile: { ruleFile in try String(contentsOfFile: resolve(ruleFile), encoding: .utf8) })
  }

  /// Runs a test file given as text; `readRuleFile` returns a rule file's contents.
  public static func run(yaml: String, file: String, readRuleFile: (String) throws -> String)
    -> PromtoolVerdict
  {
    run(yaml: yaml, file: file, expandRuleFiles: { [$0] }, readRuleFile: readRuleFile)
  }

  static func run(
    yaml: String, file: String, expandRuleFiles: (String) -> [String],
    readRuleFile: (String) throws -> String
  ) -> PromtoolVerdict {
    var testFile: PromtoolTestFile
    let groups: [RuleGroupDefinition]
    do {
      testFile = try PromtoolTestFile.parse(yaml: yaml, file: file)
      testFile.ruleFiles = testFile.ruleFiles.flatMap(expandRuleFiles)
      groups = try loadRuleGroups(testFile, readRuleFile)
    } catch {
      return PromtoolVerdict(file: file, groups: [], loadError: "\(error)")
    }
    var verdicts: [PromtoolGroupVerdict] = []
    for (index, test) in testFile.tests.enumerated() {
      verdicts.append(verdict(test, index, testFile, groups))
    }
    return PromtoolVerdict(file: file, groups: verdicts, loadError: nil)
  }

  /// Loads and orders the rule groups of a test file (`group_eval_order` first, then file order).
  public static func loadRuleGroups(
    _ testFile: PromtoolTestFile, _ readRuleFile: (String) throws -> String
  ) throws -> [RuleGroupDefinition] {
    var groups: [RuleGroupDefinition] = []
    for ruleFile in testFile.ruleFiles {
      let text: String
      do { text = try readRuleFile(ruleFile) } catch {
        throw DiagnosticsError([Diagnostic(file: ruleFile, message: "cannot read: \(error)")])
      }
      groups += try RuleFileLoader.load(yaml: text, file: ruleFile)
    }
    let order = testFile.groupEvalOrder
    return groups.enumerated().sorted { left, right in
      let leftRank = order.firstIndex(of: left.element.name) ?? order.count
      let rightRank = order.firstIndex(of: right.element.name) ?? order.count
      return leftRank != rightRank ? leftRank < rightRank : left.offset < right.offset
    }.map(\.element)
  }

  /// Evaluates one test group and records what the engine produced.
  public static func observe(
    _ test: PromtoolTestGroup, evaluationIntervalMs: Int64,
    groups definitions: [RuleGroupDefinition]
  ) -> PromtoolObservation {
    // promtool's test storage keeps every sample (its own files run to the year 2262).
    let store = SeriesStore(retention: SimDuration(microseconds: .max))
    // promtool 2.42 does not apply its documented default (the evaluation interval) to
    // a test group without `interval`: every input sample lands at time 0 and only the
    // first one is kept. Mirrored so that verdicts match.
    let sampleInterval = test.intervalMs ?? 0
    // promtool 2.42 evaluates up to the largest eval_time of the alert and expression
    // tests alike (testGroup.maxEvalTime) and loads input samples lazily up to each
    // evaluation step, so an expression test sees no sample after the last step ≤ it.
    let maxEvalTime = (test.alertRuleTests.map(\.evalTimeMs) + test.promqlExprTests.map(\.evalTimeMs)).max() ?? 0
    let lastStep = maxEvalTime / evaluationIntervalMs * evaluationIntervalMs
    for series in test.inputSeries {
      let id = store.register(series.labels)
      for (index, value) in series.values.enumerated() {
        let t = Int64(index) * sampleInterval
        if t > lastStep { break }
        switch value {
        case .sample(let number): store.append(id, timestampMs: t, value: number)
        case .stale: store.appendStaleMarker(id, timestampMs: t)
        case .missing: break
        }
      }
    }
    var engine = PromQLEngine(store: store)
    // promtool sets the lazy loader's SubqueryInterval to the file's evaluation_interval.
    engine.subqueryStepMs = evaluationIntervalMs
    let groups = definitions.map { definition -> RuleGroup in
      let group = RuleGroup(definition, defaultIntervalMs: evaluationIntervalMs)
      group.externalLabels = test.externalLabels
      group.externalURL = test.externalURL
      return group
    }
    var firing: [[PromtoolExpectedAlert]] = Array(repeating: [], count: test.alertRuleTests.count)
    var errors: [RuleEvaluationError] = []
    let pendingChecks = test.alertRuleTests.indices.sorted {
      test.alertRuleTests[$0].evalTimeMs < test.alertRuleTests[$1].evalTimeMs
    }
    var nextCheck = 0
    var t: Int64 = 0
    evaluation: while t <= maxEvalTime {
      for group in groups {
        let result = group.evaluate(atMs: t, engine: engine)
        errors += result.errors
      }
      if !errors.isEmpty { break evaluation }
      while nextCheck < pendingChecks.count {
        let check = test.alertRuleTests[pendingChecks[nextCheck]]
        guard t <= check.evalTimeMs && check.evalTimeMs < t + evaluationIntervalMs else { break }
        var alerts: [PromtoolExpectedAlert] = []
        for group in groups {
          for (ruleIndex, rule) in group.rules.enumerated() where rule.name == check.alertname {
            if case .alerting = rule.kind {
              for alert in group.alerts(ofRule: ruleIndex) where alert.state == .firing {
                alerts.append(
                  PromtoolExpectedAlert(labels: alert.labels, annotations: alert.annotations))
              }
            }
          }
        }
        firing[pendingChecks[nextCheck]] = alerts
        nextCheck += 1
      }
      t += evaluationIntervalMs
    }
    var exprResults: [Result<[Sample], PromQLError>] = []
    for exprTest in test.promqlExprTests {
      do throws(PromQLError) {
        let value = try engine.query(exprTest.expr, atMs: exprTest.evalTimeMs)
        guard let vector = value.asVector else {
          throw PromQLError.evaluation(message: "rule result is not a vector or scalar")
        }
        exprResults.append(.success(vector))
      } catch {
        exprResults.append(.failure(error))
      }
    }
    return PromtoolObservation(
      firingAlerts: firing, exprResults: exprResults, evaluationErrors: errors)
  }

  static func verdict(
    _ test: PromtoolTestGroup, _ index: Int, _ file: PromtoolTestFile,
    _ groups: [RuleGroupDefinition]
  ) -> PromtoolGroupVerdict {
    let observation = observe(test, evaluationIntervalMs: file.evaluationIntervalMs, groups: groups)
    var failures: [String] = observation.evaluationErrors.map { "    \($0)" }
    if failures.isEmpty {
      for (alertIndex, alertTest) in test.alertRuleTests.enumerated() {
        let expected = alertTest.expectedAlerts.map {
          PromtoolExpectedAlert(
            labels: $0.labels.setting("alertname", alertTest.alertname), annotations: $0.annotations
          )
        }
        let got = observation.firingAlerts[alertIndex]
        if sortedAlerts(expected) != sortedAlerts(got) {
          // promtool 2.42: "%s    alertname: %s, time: %s, \n        exp:%v, \n        got:%v",
          // the first %s being "    name: NAME,\n" for a named group.
          let testName = test.name.isEmpty ? "" : "    name: \(test.name),\n"
          failures.append(
            "\(testName)    alertname: \(alertTest.alertname), time: \(formatPrometheusDuration(milliseconds: alertTest.evalTimeMs)), \n        exp:\(indentLines(describe(sortedAlerts(expected)), "            ")), \n        got:\(indentLines(describe(sortedAlerts(got)), "            "))"
          )
        }
      }
    }
    for (exprIndex, exprTest) in test.promqlExprTests.enumerated() {
      switch observation.exprResults[exprIndex] {
      case .failure(let error):
        failures.append(
          "    expr: \(quotedLabelValue(exprTest.expr)), time: \(formatPrometheusDuration(milliseconds: exprTest.evalTimeMs)), err: \(error)"
        )
      case .success(let samples):
        let expected = exprTest.expectedSamples.sorted { $0.labels < $1.labels }
        let got = samples.sorted { $0.labels < $1.labels }
        let equal =
          expected.count == got.count
          && zip(expected, got).allSatisfy {
            $0.labels == $1.labels && valuesMatch(expected: $0.value, got: $1.value, fuzzy: file.fuzzyCompare)
          }
        if !equal {
          failures.append(
            "    expr: \(quotedLabelValue(exprTest.expr)), time: \(formatPrometheusDuration(milliseconds: exprTest.evalTimeMs)),\n        exp: \(describe(expected))\n        got: \(describe(got))"
          )
        }
      }
    }
    return PromtoolGroupVerdict(
      name: test.name.isEmpty ? "test #\(index)" : test.name, failures: failures)
  }

  /// Whether a sample value matches its expectation: exactly (so NaN never matches, as
  /// in promtool), or with `fuzzy_compare` also one float64 step either side: newer
  /// promtool's comparer `x == y || math.Nextafter(x, -Inf) == y || math.Nextafter(x,
  /// +Inf) == y` (cmd/promtool/unittest.go; the key is not in 2.42).
  static func valuesMatch(expected: Double, got: Double, fuzzy: Bool) -> Bool {
    expected == got || (fuzzy && (expected.nextDown == got || expected.nextUp == got))
  }

  static func sortedAlerts(_ alerts: [PromtoolExpectedAlert]) -> [PromtoolExpectedAlert] {
    alerts.sorted {
      $0.labels != $1.labels ? $0.labels < $1.labels : $0.annotations < $1.annotations
    }
  }

  /// promtool's `labelsAndAnnotations.String()`: `[]`, or `[\n0:\n  Labels:{…}\n  Annotations:{…},\n1:…\n]`.
  static func describe(_ alerts: [PromtoolExpectedAlert]) -> String {
    if alerts.isEmpty { return "[]" }
    let entries = alerts.enumerated().map { index, alert in
      "\(index):" + indentLines("\nLabels:\(goLabels(alert.labels))\nAnnotations:\(goLabels(alert.annotations))", "  ")
    }
    return "[\n" + entries.joined(separator: ",\n") + "\n]"
  }

  /// promtool's `parsedSamplesString`: `nil`, or `{labels} value` joined by `, `, each
  /// value in Go's `strconv.FormatFloat(v, 'E', -1, 64)`.
  static func describe(_ samples: [Sample]) -> String {
    if samples.isEmpty { return "nil" }
    return samples.map { "\(goLabels($0.labels)) \(formatGoFloatExponent($0.value))" }.joined(separator: ", ")
  }

  /// Prometheus's `labels.Labels.String()`: every label, `__name__` included, sorted by
  /// name, values quoted as Go's `strconv.Quote` does: `{__name__="x", i="1"}`.
  static func goLabels(_ labels: Labels) -> String {
    "{" + labels.items.map { "\($0.name)=\(quotedLabelValue($0.value))" }.joined(separator: ", ") + "}"
  }

  /// promtool's `indentLines`: every line after the first gets `indent` in front.
  static func indentLines(_ lines: String, _ indent: String) -> String {
    lines.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
      ($0.offset > 0 ? indent : "") + $0.element
    }.joined(separator: "\n")
  }
}

extension PromtoolVerdict: CustomStringConvertible {
  /// promtool's report: SUCCESS, or FAILED and each failure as promtool words it.
  public var description: String {
    if let loadError { return "Unit Testing: \(file)\n  FAILED:\n\(loadError)" }
    if passed { return "Unit Testing: \(file)\n  SUCCESS" }
    return "Unit Testing: \(file)\n  FAILED:\n" + groups.flatMap(\.failures).joined(separator: "\n") + "\n"
  }
}

/// Paths matching a shell pattern, sorted (like Go's `filepath.Glob`).
func globPaths(_ pattern: String) -> [String] {
  var result = glob_t()
  defer { globfree(&result) }
  guard glob(pattern, 0, nil, &result) == 0 else { return [] }
  var paths: [String] = []
  for index in 0..<Int(result.gl_pathc) {
    if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
  }
  return paths.sorted()
}
