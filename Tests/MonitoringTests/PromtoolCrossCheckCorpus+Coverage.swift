/// Coverage cases: one promtool test file per PromQL function, aggregation, operator,
/// modifier, series notation and template function, each on inputs of its own, so
/// that a disagreement names the construct at fault (docs/VALIDATION.md, "Coverage cases").
extension CrossCheckCorpus {
  /// Positive values of several magnitudes (for `ln`, `sqrt`, `log2`, …).
  static let positive: [(String, String)] = [
    ("x{i=\"a\"}", "1 2.5 4 8.125 16 0.3 7 9.75 11 12.5 1e3 3.3e-2"),
    ("x{i=\"b\"}", "0.2 0.4 0.6 0.8 1 1.2 1.4 1.6 1.8 2 2.2 2.4"),
  ]

  /// Values inside (−1, 1) (for `asin`, `acos`, `atanh`).
  static let unitInterval: [(String, String)] = [
    ("u{i=\"a\"}", "-0.9 -0.5 0 0.25 0.5 0.75 0.99 0.1 0.3 0.7 -0.33 0.123456789"),
    ("u{i=\"b\"}", "0.05 0.15 -0.25 0.35 -0.45 0.55 0.65 -0.85 0.95 0 -0.999 0.5"),
  ]

  /// Counters with resets and uneven increments.
  static let counters: [(String, String)] = [
    ("c_total{i=\"a\"}", "0+7x10 3+11x10"),
    ("c_total{i=\"b\"}", "5 9 14 2 8 20 21 40 41 60 61 62 90 100 110 111 130 131 150 170 180"),
  ]

  /// Gauges that go up and down, with a gap and a staleness marker.
  static let signed: [(String, String)] = [
    ("g{i=\"a\"}", "3 -1 4 -1 5 -9 2 6 -5 3 5 -8 9 7 9 -3 2 3 8 4 6"),
    ("g{i=\"b\"}", "2.5 2.5 2.5 3 _ 3.5 stale 4 4.5 5 5.5 6 6.5 7 7.5 8 8.5 9 9.5 10 10.5"),
  ]

  /// A case checking `exprs` at each of `times` on `series`.
  static func coverage(
    _ name: String, _ exprs: [String], series: [(String, String)], at times: [String] = ["3m", "7m", "10m"]
  ) -> CrossCheckCase {
    CrossCheckCase(
      name: name, series: series,
      exprs: exprs.flatMap { expr in times.map { (expr, $0) } })
  }

  /// A rule case whose alert carries `template` as an annotation (and a label).
  static func templateCase(_ name: String, _ template: String) -> CrossCheckCase {
    CrossCheckCase(
      name: name,
      rules: """
        groups:
          - name: templates
            rules:
              - alert: TemplateCheck
                expr: node_load > 0.5
                labels:
                  checked: 'yes'
                annotations:
                  text: '\(template)'
        """,
      series: [
        (
          "node_load{instance=\"host-1.example.com:9100\", job=\"node\", env=\"prod\"}",
          "0.75 1.5 2048 123456.789 0.000123"
        ),
        ("node_load{instance=\"db-2:9100\", job=\"node\", env=\"dev\"}", "0.1 0.6 0.9 1e6 3.25"),
      ],
      alerts: [("TemplateCheck", "0m"), ("TemplateCheck", "2m"), ("TemplateCheck", "4m")],
      externalLabels: [("cluster", "eu-1")])
  }

  static let coverageCases: [CrossCheckCase] =
    functionCoverage + aggregationCoverage + operatorCoverage + modifierCoverage + notationCoverage
    + templateCoverage

  // MARK: Functions (one case each)
  static let functionCoverage: [CrossCheckCase] = [
    coverage("fn-abs", ["abs(g)", "abs(-u)"], series: signed + unitInterval),
    coverage("fn-ceil", ["ceil(u)", "ceil(x)"], series: unitInterval + positive),
    coverage("fn-floor", ["floor(u)", "floor(g / 2)"], series: unitInterval + signed),
    coverage(
      "fn-round", ["round(g / 3)", "round(x, 0.25)", "round(u, 0.1)", "round(x * 3, 2)"],
      series: signed + positive + unitInterval),
    coverage("fn-sgn", ["sgn(g)", "sgn(u)"], series: signed + unitInterval),
    coverage("fn-clamp", ["clamp(g, -2, 4)", "clamp(x, 2, 1)"], series: signed + positive),
    coverage("fn-clamp-min", ["clamp_min(g, 0)", "clamp_min(u, 0.3)"], series: signed + unitInterval),
    coverage("fn-clamp-max", ["clamp_max(g, 3)", "clamp_max(u, -0.2)"], series: signed + unitInterval),
    coverage("fn-exp", ["exp(u)", "exp(g)"], series: unitInterval + signed),
    coverage("fn-ln", ["ln(x)"], series: positive, at: ["1m", "3m", "7m", "10m", "11m"]),
    coverage("fn-log2", ["log2(x)", "log2(x * 1024)"], series: positive),
    coverage("fn-log10", ["log10(x)", "log10(x * 1000)"], series: positive),
    coverage("fn-sqrt", ["sqrt(x)", "sqrt(abs(g))"], series: positive + signed),
    coverage("fn-sin", ["sin(u)", "sin(x)"], series: unitInterval + positive),
    coverage("fn-cos", ["cos(u)", "cos(x)"], series: unitInterval + positive),
    coverage("fn-tan", ["tan(u)", "tan(x / 10)"], series: unitInterval + positive),
    coverage("fn-asin", ["asin(u)"], series: unitInterval, at: ["0m", "1m", "3m", "6m", "10m", "11m"]),
    coverage("fn-acos", ["acos(u)"], series: unitInterval, at: ["0m", "1m", "3m", "6m", "10m", "11m"]),
    coverage("fn-atan", ["atan(u)", "atan(g)"], series: unitInterval + signed),
    coverage("fn-sinh", ["sinh(u)", "sinh(g / 4)"], series: unitInterval + signed),
    coverage("fn-cosh", ["cosh(u)", "cosh(g / 4)"], series: unitInterval + signed),
    coverage("fn-tanh", ["tanh(u)", "tanh(g)"], series: unitInterval + signed),
    coverage("fn-asinh", ["asinh(u)", "asinh(g)"], series: unitInterval + signed),
    coverage("fn-acosh", ["acosh(x + 1)", "acosh(abs(g) + 1)"], series: positive + signed),
    coverage("fn-atanh", ["atanh(u)"], series: unitInterval, at: ["0m", "1m", "3m", "6m", "10m", "11m"]),
    // Every sample of every input through the functions ported from Go's `math` (GoMath):
    // glibc differs from Go in the last bit at many of them.
    coverage(
      "fn-go-math-every-sample",
      [
        "exp(u)", "exp(g / 3)", "ln(x)", "log10(x * 7)", "log2(x * 3)", "asin(u)", "acos(u)", "atan(g / 2)",
        "sinh(u * 2)", "cosh(g / 4)", "tanh(u * 3)", "asinh(g)", "acosh(x + 1)", "atanh(u)", "x ^ u", "x ^ 1.7",
        "g atan2 x",
      ],
      series: positive + unitInterval + signed,
      at: (0..<12).map { "\($0)m" }),
    coverage("fn-deg", ["deg(u)", "deg(g)"], series: unitInterval + signed),
    coverage("fn-rad", ["rad(g * 45)", "rad(x)"], series: signed + positive),
    coverage("fn-pi", ["pi()", "pi() * x"], series: positive),
    coverage("fn-time", ["time()", "vector(time()) - x"], series: positive, at: ["0s", "90s", "7m13s"]),
    coverage("fn-timestamp", ["timestamp(x)", "timestamp(g)"], series: positive + signed, at: ["3m", "5m30s", "7m"]),
    coverage("fn-vector", ["vector(1.5)", "vector(time() / 60)"], series: positive),
    coverage("fn-scalar", ["scalar(x{i=\"a\"}) * x", "vector(scalar(x{i=\"b\"}))"], series: positive),
    coverage(
      "fn-absent", ["absent(x)", "absent(y{i=\"a\", j=~\"z\"})", "absent(g{i=\"b\"})"], series: positive + signed,
      at: ["3m", "6m", "7m"]),
    coverage(
      "fn-absent-over-time", ["absent_over_time(g[1m])", "absent_over_time(nothing{k=\"v\"}[2m])"], series: signed,
      at: ["4m", "6m", "7m"]),
    coverage(
      "fn-present-over-time", ["present_over_time(g[1m])", "present_over_time(x[5m])"], series: signed + positive,
      at: ["4m", "6m", "7m"]),
    coverage("fn-year", ["year(x * 1e7)", "year()"], series: positive),
    coverage("fn-month", ["month(x * 1e7)", "month()"], series: positive),
    coverage("fn-day-of-month", ["day_of_month(x * 1e7)", "day_of_month()"], series: positive),
    coverage("fn-day-of-week", ["day_of_week(x * 1e7)", "day_of_week()"], series: positive),
    coverage("fn-day-of-year", ["day_of_year(x * 3e7)", "day_of_year()"], series: positive),
    coverage("fn-days-in-month", ["days_in_month(x * 1e7)", "days_in_month()"], series: positive),
    coverage("fn-hour", ["hour(x * 1e5)", "hour()"], series: positive, at: ["3m", "7m", "2h"]),
    coverage("fn-minute", ["minute(x * 1e4)", "minute()"], series: positive),
    coverage(
      "fn-rate", ["rate(c_total[3m])", "rate(c_total[5m])"], series: counters, at: ["5m", "10m", "12m", "20m"]),
    coverage("fn-irate", ["irate(c_total[2m])", "irate(c_total[5m])"], series: counters, at: ["3m", "4m", "12m"]),
    coverage(
      "fn-increase", ["increase(c_total[4m])", "increase(c_total[90s])"], series: counters, at: ["5m", "11m", "15m"]),
    coverage("fn-delta", ["delta(g[4m])", "delta(x[3m])"], series: signed + positive),
    coverage("fn-idelta", ["idelta(g[3m])", "idelta(x[2m])"], series: signed + positive),
    coverage("fn-deriv", ["deriv(g[5m])", "deriv(c_total[4m])"], series: signed + counters, at: ["5m", "10m", "15m"]),
    coverage(
      "fn-predict-linear", ["predict_linear(g[5m], 600)", "predict_linear(x[4m], -60)"], series: signed + positive,
      at: ["5m", "10m"]),
    coverage(
      "fn-holt-winters", ["holt_winters(g[10m], 0.3, 0.6)", "holt_winters(x[5m], 0.9, 0.1)"], series: signed + positive,
      at: ["10m", "11m"]),
    coverage("fn-changes", ["changes(g[5m])", "changes(x[10m])"], series: signed + positive),
    coverage("fn-resets", ["resets(c_total[10m])", "resets(g[5m])"], series: counters + signed),
    coverage("fn-avg-over-time", ["avg_over_time(g[5m])", "avg_over_time(x[4m])"], series: signed + positive),
    coverage("fn-min-over-time", ["min_over_time(g[5m])", "min_over_time(u[3m])"], series: signed + unitInterval),
    coverage("fn-max-over-time", ["max_over_time(g[5m])", "max_over_time(u[3m])"], series: signed + unitInterval),
    coverage("fn-sum-over-time", ["sum_over_time(g[5m])", "sum_over_time(x[10m])"], series: signed + positive),
    coverage("fn-count-over-time", ["count_over_time(g[5m])", "count_over_time(g[30s])"], series: signed),
    coverage(
      "fn-quantile-over-time",
      ["quantile_over_time(0.9, g[5m])", "quantile_over_time(0.25, x[10m])", "quantile_over_time(0, u[4m])"],
      series: signed + positive + unitInterval),
    coverage("fn-stddev-over-time", ["stddev_over_time(g[5m])", "stddev_over_time(x[4m])"], series: signed + positive),
    coverage(
      "fn-stdvar-over-time", ["stdvar_over_time(g[5m])", "stdvar_over_time(u[4m])"], series: signed + unitInterval),
    coverage(
      "fn-last-over-time", ["last_over_time(g[2m])", "last_over_time(x[30s])"], series: signed + positive,
      at: ["4m", "6m", "7m"]),
    coverage(
      "fn-histogram-quantile",
      [
        "histogram_quantile(0.9, rate(latency_seconds_bucket[5m]))",
        "histogram_quantile(0.5, sum by (le) (rate(latency_seconds_bucket[5m])))",
        "histogram_quantile(0.99, latency_seconds_bucket)",
      ],
      series: latency, at: ["10m", "20m"]),
    coverage(
      "fn-label-replace",
      ["label_replace(x, \"id\", \"node-$1\", \"i\", \"(.*)\")", "label_replace(g, \"i\", \"\", \"i\", \"a\")"],
      series: positive + signed),
    coverage(
      "fn-label-join", ["label_join(x, \"both\", \"/\", \"i\", \"__name__\")", "label_join(g, \"copy\", \"\", \"i\")"],
      series: positive + signed),
    coverage("fn-sort", ["sort(g)", "sort(x)"], series: signed + positive),
    coverage("fn-sort-desc", ["sort_desc(g)", "sort_desc(u)"], series: signed + unitInterval),
  ]

  // MARK: Aggregations
  // promtool loads input series in random order, so `avg`, `stddev` and `stdvar` of
  // several series take exactly representable inputs here (see VALIDATION.md).
  static let aggregationCoverage: [CrossCheckCase] = [
    coverage("agg-sum-by", ["sum by (i) (x)", "sum(u)"], series: positive + unitInterval),
    coverage("agg-avg-without", ["avg without (i) (g)", "avg(g)", "avg by (i) (x)"], series: signed + positive),
    coverage("agg-min", ["min(g)", "min by (i) (x)"], series: signed + positive),
    coverage("agg-max", ["max(g)", "max without (i) (u)"], series: signed + unitInterval),
    coverage("agg-count", ["count(g)", "count by (i) (x)"], series: signed + positive),
    coverage("agg-group", ["group(x)", "group by (i) (g)"], series: positive + signed),
    coverage("agg-stddev", ["stddev(g)", "stddev by (i) (u)"], series: signed + unitInterval),
    coverage("agg-stdvar", ["stdvar(g)", "stdvar without (i) (g)"], series: signed),
    coverage("agg-topk", ["topk(1, x)", "topk(5, u)"], series: positive + unitInterval),
    coverage("agg-bottomk", ["bottomk(1, g)", "bottomk by (i) (1, x)"], series: signed + positive),
    coverage(
      "agg-quantile", ["quantile(0.5, x)", "quantile(0.9, u)", "quantile by (i) (0.1, g)"],
      series: positive + unitInterval + signed),
    coverage(
      "agg-count-values", ["count_values(\"value\", round(x))", "count_values(\"v\", g)"], series: positive + signed),
    coverage(
      "agg-by-after", ["sum(c_total) by (i)", "max(rate(c_total[5m])) without (i)"], series: counters,
      at: ["5m", "10m"]),
  ]

  // MARK: Binary operators and their modifiers
  static let operatorCoverage: [CrossCheckCase] = [
    coverage("op-add-sub", ["x + u", "x - 1.5", "2 - g"], series: positive + unitInterval + signed),
    coverage("op-mul-div", ["x * u", "g / 4", "1 / x"], series: positive + unitInterval + signed),
    coverage("op-mod", ["g % 3", "x % 0.7", "-7 % x"], series: signed + positive),
    coverage("op-pow", ["x ^ 2", "x ^ u", "2 ^ -x"], series: positive + unitInterval),
    coverage("op-atan2", ["g atan2 0", "0 atan2 g", "x atan2 x"], series: signed + positive),
    coverage(
      "op-comparison-filter", ["g > 2", "x <= 4", "u != 0", "g == 3", "x >= 11", "u < 0"],
      series: signed + positive + unitInterval),
    coverage(
      "op-comparison-bool", ["g > bool 2", "x <= bool 4", "u == bool 0.5", "3 < bool 4"],
      series: signed + positive + unitInterval),
    coverage(
      "op-and-or-unless", ["x and g > 0", "x or u", "g unless g < 0", "x and on (i) g"],
      series: positive + signed + unitInterval),
    coverage(
      "op-on-ignoring", ["x + on (i) g", "x - ignoring (j) g", "g / on () group_left sum(x)"], series: positive + signed
    ),
    coverage(
      "op-group-left-right",
      [
        "x * on (i) group_left (level) lvl", "lvl * on (i) group_right (level) x",
        "x + ignoring (level) group_left lvl",
      ],
      series: positive + [("lvl{i=\"a\", level=\"gold\"}", "1x12"), ("lvl{i=\"b\", level=\"silver\"}", "2x12")]),
    coverage("op-unary-and-precedence", ["-x ^ 2", "-(x) * 2 + 1", "2 * 3 ^ 2 % 5", "(1 + 2) * x"], series: positive),
    coverage("op-scalar-scalar", ["1 + 2 * 3", "2 ^ 3 ^ 2", "10 % 3 - 5 / 2", "1 == bool 1"], series: positive),
    coverage("op-number-literals", ["0x1f + x", "1e-3 * x", "Inf > x", "-Inf < bool g"], series: positive + signed),
  ]

  // MARK: Modifiers: offset, @, subqueries
  static let modifierCoverage: [CrossCheckCase] = [
    coverage(
      "mod-offset", ["x offset 2m", "rate(c_total[3m] offset 1m)"], series: positive + counters,
      at: ["3m", "7m", "10m"]),
    coverage(
      "mod-negative-offset", ["x offset -2m", "sum_over_time(g[2m] offset -1m)"], series: positive + signed,
      at: ["0m", "3m", "7m"]),
    coverage(
      "mod-at-fixed", ["x @ 120", "max_over_time(g[3m] @ 300)", "x @ 60 offset -1m"], series: positive + signed,
      at: ["3m", "10m"]),
    coverage(
      "mod-at-start-end", ["x @ start()", "rate(c_total[2m] @ end())"], series: positive + counters, at: ["3m", "10m"]),
    coverage(
      "mod-subquery-step", ["max_over_time(g[5m:1m])", "avg_over_time(rate(c_total[2m])[6m:2m])"],
      series: signed + counters, at: ["6m", "10m", "15m"]),
    coverage(
      "mod-subquery-default-step", ["min_over_time(x[4m:])", "count_over_time(g[3m:])"], series: positive + signed,
      at: ["6m", "10m"]),
    coverage(
      "mod-subquery-offset-at", ["sum_over_time(x[3m:1m] offset 2m)", "max_over_time(g[2m:30s] @ 300)"],
      series: positive + signed, at: ["6m", "10m"]),
    coverage(
      "mod-nested-subquery", ["max_over_time(deriv(g[3m:1m])[5m:1m])"], series: signed, at: ["8m", "12m", "15m"]),
  ]

  // MARK: promtool series notation
  static let notationCoverage: [CrossCheckCase] = [
    coverage(
      "notation-expanding", ["up_a", "up_b", "up_c"],
      series: [("up_a", "1+1x5"), ("up_b", "10-2.5x4"), ("up_c", "-3+0.5x6")], at: ["0m", "2m", "4m", "6m"]),
    coverage("notation-repeat", ["r", "s"], series: [("r", "7x4"), ("s", "1x2 9x2")], at: ["0m", "1m", "3m", "5m"]),
    coverage(
      "notation-gaps", ["gap", "count_over_time(gap[10m])"], series: [("gap", "_ 1 _x2 4 _ _ 7")],
      at: ["0m", "1m", "3m", "6m", "9m"]),
    coverage(
      "notation-stale", ["st", "count_over_time(st[3m])"], series: [("st", "1 stale 3 4 stale stale 7")],
      at: ["0m", "1m", "2m", "5m", "6m"]),
    coverage(
      "notation-scientific-negative", ["n"], series: [("n{k=\"v\"}", "1e3 -2.5e-2 4 -0 3.0E2 0.1")],
      at: ["0m", "1m", "2m", "3m", "4m"]),
    coverage(
      "notation-label-escapes", ["esc", "esc{path=\"/a\\\\b\"}"],
      series: [("esc{path=\"/a\\\\b\", q=\"say \\\"hi\\\"\"}", "1x3")], at: ["1m"]),
  ]

  // MARK: Template functions (one rule case each)
  static let templateCoverage: [CrossCheckCase] = [
    templateCase("tpl-value-labels", "{{ $value }} {{ $labels.instance }} {{ $labels.job }}"),
    // Associated templates: `define` at the top level, `template` with and without a
    // pipeline, `block`, `$` rebound in a defined template, and their execution errors.
    templateCase(
      "tpl-define-template",
      "{{ define \"lbl\" }}[{{ .instance }}]{{ end }}at {{ template \"lbl\" $labels }} nil={{ template \"lbl\" }}"),
    templateCase(
      "tpl-block",
      "{{ block \"v\" $value }}value {{ humanize . }}{{ end }}! {{ with $labels.job }}{{ block \"in\" . }}job {{ . }}{{ end }}{{ end }}"
    ),
    templateCase(
      "tpl-template-nested",
      "{{ define \"T1\" }}{{ $.job }}{{ end }}{{ define \"T2\" }}<{{ template \"T1\" . }}>{{ end }}{{ template \"T2\" $labels }} {{ range $k, $v := $labels }}{{ template \"kv\" $k }};{{ end }}{{ define \"kv\" }}{{ . | toUpper }}{{ end }}"
    ),
    templateCase("tpl-template-undefined", "before {{ template \"missing\" $value }} after"),
    templateCase(
      "tpl-template-error-inside",
      "{{ define \"rec\" }}{{ if gt . 0.0 }}x{{ template \"rec\" (humanize 0) }}{{ end }}{{ end }}{{ template \"rec\" $value }}"
    ),
    templateCase("tpl-if-error-column", "{{ if gt $labels.job 1.0 }}x{{ end }}"),
    templateCase("tpl-labels-map", "{{ $labels }} / {{ $externalLabels }}"),
    templateCase("tpl-external-labels", "{{ $externalLabels.cluster }}-{{ .ExternalLabels.cluster }}"),
    templateCase("tpl-humanize", "{{ $value | humanize }} {{ humanize 0.000123 }} {{ humanize 1234567 }}"),
    templateCase("tpl-humanize1024", "{{ $value | humanize1024 }} {{ humanize1024 1048577 }}"),
    templateCase(
      "tpl-humanize-duration",
      "{{ $value | humanizeDuration }} {{ humanizeDuration 0.25 }} {{ humanizeDuration 93784 }}"),
    templateCase("tpl-humanize-percentage", "{{ $value | humanizePercentage }} {{ humanizePercentage 0.0042 }}"),
    templateCase("tpl-humanize-timestamp", "{{ humanizeTimestamp 1.6e9 }} {{ $value | humanizeTimestamp }}"),
    templateCase(
      "tpl-title-upper-lower", "{{ title $labels.env }} {{ toUpper $labels.instance }} {{ toLower \"MiXeD\" }}"),
    templateCase(
      "tpl-query-first-value", "{{ with query \"max(node_load)\" }}{{ . | first | value | printf \"%.3f\" }}{{ end }}"),
    templateCase(
      "tpl-query-label-strvalue",
      "{{ range sortByLabel \"instance\" (query \"node_load\") }}{{ label \"instance\" . }}={{ strvalue . }};{{ end }}"),
    templateCase(
      "tpl-match-rereplaceall",
      "{{ if match \"^host-\" $labels.instance }}host{{ else }}other{{ end }} {{ reReplaceAll \"([a-z]+)-([0-9]+).*\" \"$2.$1\" $labels.instance }}"
    ),
    templateCase(
      "tpl-printf", "{{ printf \"%.2f|%5.1f|%-4s|%d|%q|%x|%e\" $value 3.14159 \"ab\" 42 \"q\" 255 12345.678 }}"),
    templateCase("tpl-strip-port-domain", "{{ $labels.instance | stripPort }} {{ $labels.instance | stripDomain }}"),
    templateCase(
      "tpl-links-and-urls",
      "{{ graphLink \"rate(x[5m])\" }} {{ tableLink \"up\" }} [{{ externalURL }}] [{{ pathPrefix }}]"),
    templateCase(
      "tpl-safehtml-args", "{{ \"<b>\" | safeHtml }} {{ with args 1 \"two\" }}{{ .arg0 }}-{{ .arg1 }}{{ end }}"),
    templateCase("tpl-parse-duration", "{{ parseDuration \"1h2m3s\" }} {{ parseDuration \"90s\" }}"),
    templateCase(
      "tpl-if-else-comparisons",
      "{{ if gt $value 100.0 }}high{{ else if ge $value 1.0 }}mid{{ else }}low{{ end }} {{ if and (lt 1 2) (ne $labels.env \"dev\") }}prod{{ end }}"
    ),
    templateCase(
      "tpl-range-with-variables",
      "{{ range $k, $v := $labels }}{{ $k }}:{{ $v }},{{ end }} {{ with $labels.missing }}x{{ else }}none{{ end }} {{ $n := len $labels }}{{ $n }}"
    ),
  ]
}
