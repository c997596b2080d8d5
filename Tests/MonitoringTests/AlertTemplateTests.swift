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

  @Test("define, template and block work as Go's text/template runs them (texts from promtool 2.42)")
  func associatedTemplates() throws {
    #expect(try expand(#"{{ define "s" }}page-{{ . }}{{ end }}{{ template "s" $labels.job }}"#) == "page-api")
    #expect(
      try expand(#"{{ define "lbl" }}[{{ .job }}]{{ end }}x={{ template "lbl" $labels }} v={{ template "lbl" }}"#)
        == "x=[api] v=[<no value>]")
    #expect(try expand(#"{{ block "blk" $value }}value {{ . }}{{ end }}!"#) == "value 2!")
    #expect(
      try expand(#"{{ define "T1" }}ONE{{ end }}{{ define "T2" }}TWO {{ template "T1" }}{{ end }}{{ template "T2" }}"#)
        == "TWO ONE")
    #expect(try expand(#"{{ define "d" }}{{ $.job }}/{{ $.nope }}{{ end }}{{ template "d" $labels }}"#) == "api/")
    #expect(try expand(#"{{ template "e" }}|{{ define "e" }}{{ end }}"#) == "|")
    // An empty definition does not replace a non-empty one, in either order.
    #expect(try expand(#"{{ define "e" }} {{ end }}{{ define "e" }}z{{ end }}{{ template "e" }}"#) == "z")
    #expect(
      try expand(#"{{ template "missing" }}"#)
        == #"<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:124: executing "__alert_HighValue" at <{{template "missing"}}>: template "missing" not defined>"#
    )
    #expect(
      try expand(
        #"{{ define "rec" }}{{ if gt . 0.0 }}{{ . }},{{ template "rec" (humanize 0) }}{{ end }}{{ end }}{{ template "rec" 1.5 }}"#
      )
        == #"<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:136: executing "rec" at <gt . 0.0>: error calling gt: incompatible types for comparison>"#
    )
    // Endless recursion stops with Go's message (at a smaller depth; see TemplateExecution.maximumDepth).
    #expect(
      try expand(#"{{ define "inf" }}{{ template "inf" . }}{{ end }}{{ template "inf" 1 }}"#)
        == #"<error expanding template: error executing template __alert_HighValue: template: __alert_HighValue:1:142: executing "inf" at <{{template "inf" .}}>: exceeded maximum template depth (100000)>"#
    )
  }

  @Test(
    "misplaced or malformed define, template and block refuse the file with Go's parse error",
    arguments: [
      (#"{{ if true }}{{ define "x" }}y{{ end }}{{ end }}"#, "unexpected <define> in command"),
      (#"{{ define "x" }}{{ $labels.job }}{{ end }}"#, #"undefined variable "$labels""#),
      (#"{{ define "x" }}a{{ else }}b{{ end }}"#, "unexpected {{else}} in define clause"),
      (#"{{ block "x" }}a{{ end }}"#, "missing value for block clause"),
      (#"{{ template x }}"#, #"unexpected "x" in template clause"#),
      (#"{{ define "x" }}a"#, "unexpected EOF"),
      (#"{{ template "x" | printf "%s" }}"#, #"unexpected "|" in template clause"#),
      (#"{{ define "x" "y" }}{{ end }}"#, #"unexpected "\"y\"" in define clause"#),
      (
        #"{{ block "b2" . }}x{{ end }}{{ define "b2" }}redef{{ end }}"#,
        #"template: multiple definition of template "b2""#
      ),
    ])
  func associatedTemplateParseErrors(_ source: String, _ message: String) {
    #expect(throws: TemplateError.self) { try AlertTemplate(source, name: "A") }
    do {
      _ = try AlertTemplate(source, name: "A")
    } catch {
      #expect(error.message == "template: __alert_A:1: " + message)
    }
  }
}
