import Monitoring
import Testing

/// Alert templates expand as Prometheus 2.42 expands them; expected texts are promtool 2.42's
/// output for the same templates (run in /tmp with `promtool test rules`).
@Suite("Alert templates")
struct AlertTemplateTests {
  let labels = Labels([("__name__", "up"), ("job", "api"), ("instance", "localhost:9090")])

  func expand(_ source: String, value: Double = 2, query: TemplateQuery? = nil) throws -> String {
    try AlertTemplate(source, name: "HighValue").expand(
      labels: labels, value: value, externalLabels: .empty, externalURL: "", timestampMs: 0, query: query)
  }

  @Test("whole maps print as Go prints them, keys sorted")
  func wholeMap() throws {
    #expect(
      try expand("labels = {{ $labels }} ext={{ $externalLabels }}")
        == "labels = map[__name__:up instance:localhost:9090 job:api] ext=map[]")
  }

  @Test("with, range, if/else, variables and builtins")
  func controlFlow() throws {
    #expect(try expand("{{ with $labels.job }}job is {{ . }}{{ else }}no job{{ end }}") == "job is api")
    #expect(try expand("{{ with $labels.nope }}x{{ else }}no label{{ end }}") == "no label")
    #expect(
      try expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}")
        == "__name__=up;instance=localhost:9090;job=api;")
    #expect(try expand("{{ if gt $value 1.0 }}page{{ else if eq $value 1.0 }}one{{ else }}ticket{{ end }}") == "page")
    #expect(
      try expand(
        "{{ $x := 3 }}{{ $x }} {{ len $labels }} {{ index $labels \"job\" }} {{ and 1 0 }} {{ or 0 \"\" \"z\" }} {{ not true }} {{ eq \"a\" \"b\" \"a\" }} {{ print 1 2 \"a\" \"b\" 3 }}"
      )
        == "3 3 api 0 z false true 1 2ab3")
    #expect(try expand("{{- \"  trimmed \" -}}  |") == "  trimmed |")
  }

  @Test("Prometheus's functions give promtool's texts")
  func functions() throws {
    #expect(
      try expand(
        "{{ humanize1024 1536 }} {{ humanize 123456.7 }} {{ humanizeDuration 3725.5 }} {{ humanizePercentage 0.1234 }} {{ humanizeTimestamp 1600000000.123 }}"
      )
        == "1.5ki 123.5k 1h 2m 5s 12.34% 2020-09-13 12:26:40.122 +0000 UTC")
    #expect(
      try expand(
        "{{ printf \"%.2f %s %d %v %5.1f|%-6s|\" 3.14159 \"x\" 3 1e21 2.0 \"ab\" }} {{ title \"hello world-foo\" }}")
        == "3.14 x 3 1e+21   2.0|ab    | Hello World-Foo")
    #expect(
      try expand(
        "{{ reReplaceAll \"(.*):(.*)\" \"$2-$1\" $labels.instance }} {{ match \"^loc\" $labels.instance }} {{ stripPort $labels.instance }} {{ stripDomain \"foo.bar.com:9090\" }}"
      )
        == "9090-localhost true localhost foo:9090")
    #expect(
      try expand(
        "{{ graphLink \"up == 1\" }} {{ tableLink \"rate(x[5m])\" }} {{ parseDuration \"1h30m\" }} {{ args 1 \"x\" }}")
        == "/graph?g0.expr=up+%3D%3D+1&g0.tab=0 /graph?g0.expr=rate%28x%5B5m%5D%29&g0.tab=1 5400 map[arg0:1 arg1:x]")
  }

  @Test("query runs on the engine; its samples feed first, value, label and range")
  func query() throws {
    let result = [
      Sample(labels: Labels([("__name__", "up"), ("instance", "b")]), value: 1536),
      Sample(labels: Labels([("__name__", "up"), ("instance", "a")]), value: 2),
    ]
    let run: TemplateQuery = { _ in result }
    #expect(try expand("{{ with query \"up\" }}{{ . | first | value | humanize1024 }}{{ end }}", query: run) == "1.5ki")
    #expect(
      try expand(
        "{{ range sortByLabel \"instance\" (query \"up\") }}{{ .Labels.instance }}:{{ .Value }} {{ end }}", query: run)
        == "a:2 b:1536 ")
    #expect(try expand("{{ label \"instance\" (query \"up\" | first) }}", query: run) == "b")
  }

  @Test("an execution error is recorded as Prometheus records it, never refusing the file")
  func executionErrors() throws {
    #expect(
      try expand("{{ first (query \"nothing\") }}", query: { _ in [] })
        == "<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:115: executing \"__alert_HighValue\" at <first (query \"nothing\")>: error calling first: first() called on vector with no elements>"
    )
    #expect(
      try expand("{{ toUpper $value }}")
        == "<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:123: executing \"__alert_HighValue\" at <$value>: wrong type for value; expected string; got float64>"
    )
    #expect(
      try expand("{{ eq $value 1 }}")
        == "<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:115: executing \"__alert_HighValue\" at <eq $value 1>: error calling eq: incompatible types for comparison>"
    )
    // promtool runs rules without an external URL.
    #expect(
      try expand("{{ externalURL }}").hasSuffix(
        "executing \"__alert_HighValue\" at <externalURL>: error calling externalURL: runtime error: invalid memory address or nil pointer dereference>"
      ))
  }

  @Test("templates Prometheus refuses fail to parse with Go's message")
  func parseErrors() {
    for (source, message) in [
      ("{{ nosuchfunc 1 }}", "template: __alert_HighValue:1: function \"nosuchfunc\" not defined"),
      ("{{ $nope }}", "template: __alert_HighValue:1: undefined variable \"$nope\""),
    ] {
      #expect {
        _ = try AlertTemplate(source, name: "HighValue")
      } throws: { error in
        (error as? TemplateError)?.message == message
      }
    }
    #expect(throws: TemplateError.self) { _ = try AlertTemplate("{{ if 1 }}no end", name: "HighValue") }
  }
}
