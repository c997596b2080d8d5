import InputReading

extension InputFormat {
  /// A promtool unit-test file (`promtool test rules FILE`).
  public static let promtoolTest = InputFormat(
    name: "promtool-test", title: "promtool unit-test file (as PlatformSim reads it)",
    fileDescription: "a promtool test file", schemaID: "https://platformsim.dev/schemas/promtool-test.json",
    root: PromtoolTestSchema.TestFile.self, conventions: .prometheus, signature: FormatSignature(keys: ["tests"]))
}

/// The keys of a promtool unit-test file, after `unitTestFile`, `testGroup`, `series`,
/// `alertTestCase` and `promqlTestCase` in Prometheus 2.42 cmd/promtool/unittest.go.
///
/// Unknown keys fail the file, as promtool's strict YAML decoding does
/// (`field promql_expr_tests not found in type main.testGroup`). One key is taken from
/// newer promtool: `fuzzy_compare` (`unitTestFile.FuzzyCompare`, added after 2.42, which
/// refuses it as `field fuzzy_compare not found in type main.unitTestFile`).
public enum PromtoolTestSchema {
  final class TestFile: ObjectKeys {
    static let schema = ObjectSchema<TestFile>(
      "PromtoolTestFile", "Rule files and the test groups run against them.", unknownKeys: .rejected)
    let ruleFiles = Field(
      "rule_files", .list(.goString), "Rule files (globs), relative to the test file.")
    let evaluationInterval = Field(
      "evaluation_interval", .prometheusDuration(positive: false), default: "1m", "Step of rule evaluation.")
    let groupEvalOrder = Field(
      "group_eval_order", .list(.goString), "Group names in evaluation order; the rest follow in file order.")
    let tests = Field("tests", .list(.object(TestGroup.self)), "Test groups, each on fresh input series.")
    let fuzzyCompare = Field(
      "fuzzy_compare", .boolean, default: "false",
      "Let an expected sample value match one float64 step (ULP) away. Newer promtool only: 2.42 refuses the key.")
  }

  final class TestGroup: ObjectKeys {
    static let schema = ObjectSchema<TestGroup>("PromtoolTestGroup", "One test group.", unknownKeys: .rejected)
    let name = Field("name", .goString, "Name shown in failures.")
    let interval = Field(
      "interval", .prometheusDuration(positive: false), default: "evaluation_interval",
      "Spacing of the input series' samples.")
    let inputSeries = Field("input_series", .list(.object(InputSeries.self)), "Series and their values.")
    let alertRuleTests = Field(
      "alert_rule_test", .list(.object(AlertRuleTest.self)), "Alerts expected to fire at given times.")
    let promqlExprTests = Field(
      "promql_expr_test", .list(.object(ExprTest.self)), "Samples expected from expressions at given times.")
    let externalLabels = Field("external_labels", .dictionary(.goString), "`$externalLabels` of templates.")
    let externalURL = Field("external_url", .goString, "`$externalURL` of templates.")
  }

  final class InputSeries: ObjectKeys {
    static let schema = ObjectSchema<InputSeries>("PromtoolInputSeries", "An input series.", unknownKeys: .rejected)
    let series = Field("series", .goString, "The series, `name{label=\"value\"}`.")
    let values = Field("values", .goString, "Values notation: `1+2x10 _ stale 5x3`.")
  }

  final class AlertRuleTest: ObjectKeys {
    static let schema = ObjectSchema<AlertRuleTest>(
      "PromtoolAlertRuleTest", "The firing alerts of one alert name at one time.", unknownKeys: .rejected)
    let evalTime = Field("eval_time", .prometheusDuration(positive: false), default: "0s", "When.")
    let alertname = Field("alertname", .goString, "The alerting rule's name.")
    let expectedAlerts = Field("exp_alerts", .list(.object(ExpectedAlert.self)), "Alerts expected to fire.")
  }

  final class ExpectedAlert: ObjectKeys {
    static let schema = ObjectSchema<ExpectedAlert>(
      "PromtoolExpectedAlert", "An expected alert.", unknownKeys: .rejected)
    let labels = Field("exp_labels", .dictionary(.goString), "Its labels (without `alertname`).")
    let annotations = Field("exp_annotations", .dictionary(.goString), "Its expanded annotations.")
  }

  final class ExprTest: ObjectKeys {
    static let schema = ObjectSchema<ExprTest>(
      "PromtoolExprTest", "The samples of one expression at one time.", unknownKeys: .rejected)
    let expr = Field("expr", .goString, "PromQL.")
    let evalTime = Field("eval_time", .prometheusDuration(positive: false), default: "0s", "When.")
    let expectedSamples = Field("exp_samples", .list(.object(ExpectedSample.self)), "Samples expected.")
  }

  final class ExpectedSample: ObjectKeys {
    static let schema = ObjectSchema<ExpectedSample>(
      "PromtoolExpectedSample", "An expected sample.", unknownKeys: .rejected)
    let labels = Field("labels", .goString, default: "{}", "The series, `name{label=\"value\"}`.")
    let value = Field("value", .goFloat, required: true, "Its value (`.inf`, `.nan` as YAML writes them).")
  }
}

extension Shape where Value == String {
  /// A Go string: any scalar, `null` being empty (Go's zero value).
  static var goString: Shape {
    .custom(.string()) { value in
      guard let text = value.scalarText else {
        value.mismatch(expected: "a string")
        return nil
      }
      return value.isNull ? "" : text
    }
  }
}

extension Shape where Value == Double {
  /// A YAML float as go-yaml decodes a float64 (`.inf`, `-.inf`, `.nan`, decimals).
  static var goFloat: Shape {
    .custom(.oneOf([.number(), .string()])) { value in
      guard let text = value.scalarText, let number = parseYAMLFloat(text) else {
        value.mismatch(expected: "a number")
        return nil
      }
      return number
    }
  }
}

extension PromtoolTestFile {
  /// Parses the YAML text of a promtool test file.
  ///
  /// - Throws: ``DiagnosticsError`` listing every problem with its location.
  public static func parse(yaml: String, file: String) throws(DiagnosticsError) -> PromtoolTestFile {
    let log = DiagnosticLog()
    let context = ReadContext(file: file, log: log, conventions: InputFormat.promtoolTest.conventions)
    guard let root = InputFile.parseDocument(yaml, file: file, log: log, emptyHint: "a test file has `tests`"),
      let reader = YAMLValue(node: root, path: .root, context: context).readObject(PromtoolTestSchema.TestFile.self)
    else { throw DiagnosticsError(log.diagnostics) }
    let ruleFiles = reader[\.ruleFiles]?.read()
    let evaluationInterval = reader[\.evaluationInterval]
    let order = reader[\.groupEvalOrder]?.read()
    var remainingSamples = maximumInputSamples
    let tests = reader[\.tests]?.map { readGroup($0, remainingSamples: &remainingSamples) }
    let fuzzyCompare = reader[\.fuzzyCompare]
    guard !log.hasErrors else { throw DiagnosticsError(log.diagnostics) }
    return PromtoolTestFile(
      ruleFiles: ruleFiles ?? [], evaluationIntervalMs: evaluationInterval ?? 60_000, groupEvalOrder: order ?? [],
      tests: tests ?? [], fuzzyCompare: fuzzyCompare ?? false)
  }

  /// - Parameter remainingSamples: how many more input samples the file may expand to
  ///   (``maximumInputSamples`` shared by all groups); reduced by this group's series.
  static func readGroup(
    _ reader: ObjectReader<PromtoolTestSchema.TestGroup>, remainingSamples: inout Int
  ) -> PromtoolTestGroup? {
    let series = reader[\.inputSeries]?.map { series -> PromtoolInputSeries? in
      let labels = readSeriesDescription(series.value(of: \.series), series[\.series] ?? "")
      let notation = series[\.values] ?? ""
      let values: [PromtoolInputSeries.Value]
      do {
        values = try expandSeriesValues(notation, limit: remainingSamples)
        remainingSamples -= values.count
      } catch {
        (series.value(of: \.values) ?? series.value).error("\(error)")
        return nil
      }
      return labels.map { PromtoolInputSeries(labels: $0, values: values, notation: notation) }
    }
    let alertTests = reader[\.alertRuleTests]?.map { test -> PromtoolAlertRuleTest? in
      let expected = test[\.expectedAlerts]?.map { alert in
        PromtoolExpectedAlert(labels: labels(alert[\.labels]), annotations: labels(alert[\.annotations]))
      }
      let evalTime = test[\.evalTime]
      guard let alertname = test[\.alertname], !alertname.isEmpty else {
        (test.value(of: \.alertname) ?? test.value).error("alertname is missing")
        return nil
      }
      guard !test.has(\.evalTime) || evalTime != nil, !test.has(\.expectedAlerts) || expected != nil else { return nil }
      return PromtoolAlertRuleTest(evalTimeMs: evalTime ?? 0, alertname: alertname, expectedAlerts: expected ?? [])
    }
    let exprTests = reader[\.promqlExprTests]?.map { test -> PromtoolExprTest? in
      let samples = test[\.expectedSamples]?.map { sample -> Sample? in
        let labels = readSeriesDescription(sample.value(of: \.labels), sample[\.labels] ?? "{}")
        guard let labels, let value = sample[\.value] else { return nil }
        return Sample(labels: labels, value: value)
      }
      let evalTime = test[\.evalTime]
      guard !test.has(\.evalTime) || evalTime != nil, !test.has(\.expectedSamples) || samples != nil else {
        return nil
      }
      return PromtoolExprTest(expr: test[\.expr] ?? "", evalTimeMs: evalTime ?? 0, expectedSamples: samples ?? [])
    }
    let interval = reader[\.interval]
    guard !reader.has(\.inputSeries) || series != nil, !reader.has(\.alertRuleTests) || alertTests != nil,
      !reader.has(\.promqlExprTests) || exprTests != nil, !reader.has(\.interval) || interval != nil
    else { return nil }
    return PromtoolTestGroup(
      name: reader[\.name] ?? "", intervalMs: interval, inputSeries: series ?? [], alertRuleTests: alertTests ?? [],
      promqlExprTests: exprTests ?? [], externalLabels: labels(reader[\.externalLabels]),
      externalURL: reader[\.externalURL] ?? "")
  }

  /// A series description, its error reported where it is written.
  static func readSeriesDescription(_ value: YAMLValue?, _ text: String) -> Labels? {
    do {
      return try parseSeriesDescription(text)
    } catch {
      value?.error("\(error)")
      return nil
    }
  }

  /// A mapping of label names to values, in file order.
  static func labels(_ entries: InputDictionary<String>?) -> Labels {
    Labels(entries?.read()?.map { ($0.key, $0.value) } ?? [])
  }
}
