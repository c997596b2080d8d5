import InputReading
import Monitoring
import Testing

/// Parse errors carry a position and render the expression with a caret.
@Suite("PromQL parser")
struct PromQLParserTests {
  @Test("a syntax error shows the expression with a caret under the error")
  func caretUnderError() {
    do {
      _ = try PromQLParser.parse("sum(rate(x[5m]) by (job)")
      Issue.record("expected a parse error")
    } catch {
      let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(lines.count == 3)
      #expect(lines[1] == "  sum(rate(x[5m]) by (job)")
      // The caret sits under the position the error names.
      guard let location = error.location else { return }
      #expect(lines[2] == "  " + String(repeating: " ", count: location.column - 1) + "^")
      #expect(location.column == 17)
    }
  }

  @Test("a duration past Go's time.Duration (292 years) is out of range, as promtool says; never an overflow")
  func durationRange() throws {
    for accepted in ["rate(x[292y])", "rate(x[292y1w])", "rate(x[9223372036854ms])"] {
      _ = try PromQLParser.parse(accepted)
    }
    for refused in [
      "rate(x[293y])", "rate(x[9223372036855ms])", "rate(x[99999999999999999999y])", "x offset 9999999999999999y",
    ] {
      do {
        _ = try PromQLParser.parse(refused)
        Issue.record("\(refused) parsed")
      } catch {
        #expect(error.description.contains("duration out of range"), "\(refused): \(error)")
        #expect(error.location?.column == (refused.hasPrefix("rate") ? 8 : 10), "\(refused): \(error)")
      }
    }
  }

  @Test("a YAML duration past 292 years is out of range, located; 292y is fine")
  func yamlDurationRange() throws {
    #expect(PrometheusDurationParse("292y") == .milliseconds(Int64(292) * 365 * 86_400_000))
    #expect(PrometheusDurationParse("5m1h") == .malformed)
    #expect(parsePrometheusDuration("9223372036854ms") == maximumPrometheusDurationMilliseconds)
    for refused in ["9223372036855ms", "293y", "8198552921648689598m", "99999999999999999999s"] {
      #expect(PrometheusDurationParse(refused) == .outOfRange, "\(refused)")
    }
    let error = #expect(throws: DiagnosticsError.self) {
      try PromtoolTestFile.parse(yaml: "tests:\n  - interval: 293y\n    input_series: []\n", file: "t.yaml")
    }
    #expect(
      error?.diagnostics.map(\.rendered).first?.hasPrefix(
        "t.yaml:2:15: error: tests[0].interval: duration out of range: 293y")
        == true,
      "\(String(describing: error))")
  }

  @Test("a native-histogram function is named as unsupported, with its position")
  func unsupportedFunction() {
    #expect(
      throws: PromQLError.unsupported(
        expression: "1 + histogram_count(x)", offset: 4,
        feature: "function \"histogram_count\" (PlatformSim implements: "
          + PromQLFunction.allCases.map(\.rawValue).sorted().joined(separator: ", ") + ")")
    ) {
      try PromQLParser.parse("1 + histogram_count(x)")
    }
  }

  @Test(
    "subqueries, @, negative offsets (no feature flags since 2.33) and the 2.42 functions parse",
    arguments: [
      "max_over_time(rate(x[5m])[1h:1m])", "avg_over_time(x[10m:])", "rate(x[5m:30s] offset 1m)", "x offset -5m",
      "predict_linear(x[1h], 4 * 3600) < 0", "deriv(x[5m])", "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
      "label_join(x, \"a\", \",\", \"b\", \"c\", \"d\")", "count_values(\"v\", x)", "group by (a) (x)",
      "stdvar(x)", "stddev without (a) (x)", "timestamp(x)", "sort_desc(x)", "holt_winters(x[10m], 0.5, 0.5)",
      "hour()", "day_of_week(x)", "pi() * 2", "sin(x) + atanh(x)", "present_over_time(x[5m])", "x @ 100",
      "rate(x[5m] @ end())", "x @ start() offset 1m", "x[5m:1m] @ 1609746000.5", "x @ -10",
    ])
  func newSyntaxParses(_ expression: String) throws {
    _ = try PromQLParser.parse(expression)
  }

  @Test(
    "argument checks of the new functions are syntax errors",
    arguments: [
      "label_replace(x, \"1a\", \"$1\", \"b\", \"(.*)\")", "label_replace(x, \"a\", \"$1\", \"b\", \"(\")",
      "label_join(x, \"a\")", "count_values(1, x)", "count_values(\"not-a-label\", x)", "sum(x)[5m:][1m:]",
      "x[5m][10m:]", "predict_linear(x[1h])", "x @ 1 @ 2", "sum(x) @ 100", "x @ now()",
    ])
  func newSyntaxErrors(_ expression: String) {
    #expect {
      try PromQLParser.parse(expression)
    } throws: { error in
      guard case .syntax = error as? PromQLError else { return false }
      return true
    }
  }

  @Test(
    "type errors are syntax errors",
    arguments: [
      "rate(x)", "1 > 2", "sum(x[5m])", "x and 1", "{}", "{a=~\".*\"}",
      "rate(x[5m] offset 1m offset 2m)", "x + on(a) 1", "histogram_quantile(x, y)",
    ])
  func typeErrors(_ expression: String) {
    #expect {
      try PromQLParser.parse(expression)
    } throws: { error in
      guard case .syntax = error as? PromQLError else { return false }
      return true
    }
  }

  @Test("string literals read as Go unquotes them, with or without escapes")
  func stringLiterals() throws {
    let query = #"up{a="plain-name", b='say "hi"', c=`raw\n`, d="é\u00e9\"\x41", e="", f='it\'s', g=`ü`}"#
    guard case .vector(let selector) = try PromQLParser.parse(query) else {
      Issue.record("not a selector: \(query)")
      return
    }
    let values = selector.matchers.filter { $0.name != Labels.metricName }.map(\.value)
    #expect(values == ["plain-name", #"say "hi""#, #"raw\n"#, "éé\"A", "", "it's", "ü"])
    for unterminated in [#"up{a="x}"#, #"up{a="x\"}"#, "up{a=`x}"] {
      #expect(throws: PromQLError.self, "\(unterminated)") { _ = try PromQLParser.parse(unterminated) }
    }
  }

  @Test("precedence and associativity follow Prometheus")
  func precedence() throws {
    let store = SeriesStore()
    let engine = PromQLEngine(store: store)
    func value(_ expression: String) throws -> Double? {
      if case .scalar(let number) = try engine.query(expression, atMs: 0) { return number }
      return nil
    }
    #expect(try value("2 ^ 3 ^ 2") == 512)
    #expect(try value("-2 ^ 2") == -4)
    #expect(try value("2 * 3 + 4") == 10)
    #expect(try value("10 - 4 - 3") == 3)
    #expect(try value("1 + 2 > bool 2") == 1)
    #expect(try value("0x10 + 1e1 + .5") == 26.5)
  }

  @Test("a rule file with an unsupported function fails at load, naming file, rule and position")
  func ruleFileLoadError() {
    let yaml = """
      groups:
        - name: g
          rules:
            - alert: A
              expr: histogram_sum(disk_free) < 0
      """
    do {
      _ = try RuleFileLoader.load(yaml: yaml, file: "rules.yml")
      Issue.record("expected a load error")
    } catch {
      let message = error.description
      #expect(
        message.hasPrefix(
          "rules.yml:5:15: error: groups[0].rules[0].expr: 1:1: unsupported by PlatformSim: function \"histogram_sum\""
        ))
      #expect(message.contains("\n  histogram_sum(disk_free) < 0\n  ^"))
    }
  }

  @Test("a template Prometheus refuses fails at load with Go's message; one it accepts loads")
  func templateLoadError() throws {
    func load(_ template: String) throws -> [RuleGroupDefinition] {
      let yaml = """
        groups:
          - name: g
            rules:
              - alert: A
                expr: up == 0
                annotations:
                  summary: '\(template)'
        """
      return try RuleFileLoader.load(yaml: yaml, file: "rules.yml")
    }
    do {
      _ = try load("{{ nosuchfunc $value }}")
      Issue.record("expected a load error")
    } catch {
      #expect("\(error)".contains("template: __alert_A:1: function \"nosuchfunc\" not defined"))
    }
    #expect(throws: DiagnosticsError.self) { try load("{{ if $value }}unclosed") }
    #expect(throws: DiagnosticsError.self) { try load("{{ $undefined }}") }
    // Accepted by Prometheus, so loaded: whole maps, with/range/if, query, humanize1024.
    _ = try load("{{ $labels }} {{ with $labels.job }}{{ . }}{{ end }} {{ range $k, $v := $labels }}{{ $k }}{{ end }}")
    _ = try load("{{ if gt $value 1.0 }}big{{ else }}small{{ end }} {{ query \"up\" | first | value | humanize1024 }}")
  }
}
