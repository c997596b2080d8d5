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

  @Test("an unsupported function is named with its position")
  func unsupportedFunction() {
    #expect(
      throws: PromQLError.unsupported(
        expression: "1 + predict_linear(x[1h], 60)", offset: 4,
        feature: "function \"predict_linear\" (PlatformSim implements: "
          + PromQLFunction.allCases.map(\.rawValue).sorted().joined(separator: ", ") + ")")
    ) {
      try PromQLParser.parse("1 + predict_linear(x[1h], 60)")
    }
  }

  @Test(
    "subqueries and @ are rejected at parse time",
    arguments: ["max_over_time(rate(x[5m])[1h:1m])", "x @ 100", "x offset -5m"])
  func unsupportedSyntax(_ expression: String) {
    #expect {
      try PromQLParser.parse(expression)
    } throws: { error in
      guard case .unsupported = error as? PromQLError else { return false }
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
              expr: predict_linear(disk_free[1h], 3600) < 0
      """
    do {
      _ = try RuleFileLoader.load(yaml: yaml, file: "rules.yml")
      Issue.record("expected a load error")
    } catch {
      let message = error.description
      #expect(
        message.hasPrefix(
          "rules.yml:5:15: error: groups[0].rules[0].expr: 1:1: unsupported by PlatformSim: function \"predict_linear\""
        ))
      #expect(message.contains("\n  predict_linear(disk_free[1h], 3600) < 0\n  ^"))
    }
  }

  @Test("an unsupported template construct fails at load")
  func templateLoadError() {
    let yaml = """
      groups:
        - name: g
          rules:
            - alert: A
              expr: up == 0
              annotations:
                summary: '{{ if gt $value 1.0 }}big{{ end }}'
      """
    #expect(throws: DiagnosticsError.self) { try RuleFileLoader.load(yaml: yaml, file: "rules.yml") }
  }
}
