/// The cross-check corpus: each case is run by PlatformSim and by promtool 2.42.
///
/// Listed in docs/VALIDATION.md ("Expression cases"); keep the two in step.
enum CrossCheckCorpus {
  static let requests: [(String, String)] = [
    ("http_requests_total{job=\"api\", code=\"200\", instance=\"a\"}", "0+60x30"),
    ("http_requests_total{job=\"api\", code=\"500\", instance=\"a\"}", "0+3x30"),
    ("http_requests_total{job=\"api\", code=\"200\", instance=\"b\"}", "0+30x30"),
    ("http_requests_total{job=\"web\", code=\"503\", instance=\"c\"}", "0+1x10 10+10x20"),
  ]

  static let latency: [(String, String)] = [
    ("latency_seconds_bucket{service=\"api\", le=\"0.1\"}", "0+50x30"),
    ("latency_seconds_bucket{service=\"api\", le=\"0.5\"}", "0+80x30"),
    ("latency_seconds_bucket{service=\"api\", le=\"1\"}", "0+95x30"),
    ("latency_seconds_bucket{service=\"api\", le=\"+Inf\"}", "0+100x30"),
    ("latency_seconds_bucket{service=\"web\", le=\"0.1\"}", "0+5x30"),
    ("latency_seconds_bucket{service=\"web\", le=\"0.5\"}", "0+20x30"),
    ("latency_seconds_bucket{service=\"web\", le=\"1\"}", "0+60x30"),
    ("latency_seconds_bucket{service=\"web\", le=\"+Inf\"}", "0+64x30"),
  ]

  static let gauges: [(String, String)] = [
    ("temperature{room=\"a\", floor=\"1\"}", "10 12 -3.5 7 7.25 11 _ 9 stale 4"),
    ("temperature{room=\"b\", floor=\"1\"}", "-1.5 -2 -2.5 0 4 8 16 32 64 128"),
    ("temperature{room=\"c\", floor=\"2\"}", "100 50 25 12.5 6.25 3.125 1.5625 1 1 1"),
  ]

  static let cases: [CrossCheckCase] = expressionCases + ruleCases + parityCases + coverageCases

  static let expressionCases: [CrossCheckCase] = [
    // MARK: Selectors, lookback, staleness, offset
    CrossCheckCase(
      name: "selector-matchers", series: requests,
      exprs: [
        ("http_requests_total{code=~\"5..\"}", "10m"),
        ("http_requests_total{code!~\"2.*\", job!=\"web\"}", "10m"),
        ("http_requests_total{job=~\"ap\"}", "10m"),
        ("{__name__=~\"http_.*\", code=\"200\"}", "10m"),
        ("http_requests_total{instance=~\"a|c\", code!=\"200\"}", "5m"),
      ]),
    CrossCheckCase(
      name: "lookback-closed-5m", series: [("up{job=\"x\"}", "1 1 1 1 1 0")],
      exprs: [("up", "5m"), ("up", "9m"), ("up", "10m"), ("up", "10m1s"), ("up", "11m")]),
    CrossCheckCase(
      name: "staleness-marker",
      series: [("queue_depth", "1 2 stale 4 _ _ stale"), ("other", "5 5 5 5 5 5 5")],
      exprs: [
        ("queue_depth", "1m"), ("queue_depth", "2m"), ("queue_depth", "2m30s"),
        ("queue_depth", "3m"), ("queue_depth", "5m"), ("queue_depth", "6m"),
      ]),
    CrossCheckCase(
      name: "gaps-and-repeat-notation", series: [("g", "_x3 1 _ 3 _x2 5x3 2-0.5x4")],
      exprs: [
        ("g", "2m"), ("g", "3m"), ("g", "5m"), ("g", "8m"), ("g", "11m"), ("g", "15m"),
        ("count_over_time(g[20m])", "15m"),
      ]),
    CrossCheckCase(
      name: "offset", series: requests,
      exprs: [
        ("http_requests_total{code=\"500\"} offset 5m", "20m"),
        ("rate(http_requests_total{code=\"500\"}[5m] offset 10m)", "20m"),
        ("http_requests_total{code=\"500\"} offset 1h", "20m"),
      ]),
    CrossCheckCase(
      name: "scrape-interval-15s", series: [("c", "0+15x40")], interval: "15s",
      exprs: [
        ("c", "5m"), ("rate(c[1m])", "5m"), ("increase(c[1m])", "5m"), ("rate(c[1m])", "5m7s"),
        ("irate(c[1m])", "5m7s"),
      ]),

    // MARK: rate, irate, increase, delta
    CrossCheckCase(
      name: "rate-aligned-left-closed", series: requests,
      exprs: [
        ("rate(http_requests_total[5m])", "10m"), ("rate(http_requests_total[1m])", "10m"),
        ("rate(http_requests_total[2m])", "30m"),
      ]),
    CrossCheckCase(
      name: "rate-counter-reset", series: [("resets_total", "0 10 20 5 15 25 3 6 9 12")],
      exprs: [
        ("rate(resets_total[5m])", "5m"), ("increase(resets_total[9m])", "9m"),
        ("rate(resets_total[3m])", "7m"), ("resets(resets_total[9m])", "9m"),
      ]),
    CrossCheckCase(
      name: "rate-zero-point-extrapolation",
      series: [
        ("late_total", "_x3 1+10x10"), ("early_total", "5+10x10"), ("mid_total", "_x3 8+10x10"),
      ],
      exprs: [
        // 2.42 limits the start to the zero crossing before the 1.1 × spacing test: 28, not 3.x's 25.
        ("increase(mid_total[5m])", "5m"),
        ("increase(late_total[5m])", "5m"), ("increase(late_total[10m])", "6m"),
        ("rate(early_total[5m])", "3m"),
        ("increase(early_total[10m])", "4m"),
      ]),
    CrossCheckCase(
      name: "rate-gap-at-end", series: [("stops_total", "0+10x5")],
      exprs: [
        ("rate(stops_total[5m])", "7m"), ("increase(stops_total[10m])", "9m"),
        ("rate(stops_total[5m])", "10m"),
      ]),
    CrossCheckCase(
      name: "rate-too-few-samples", series: [("single_total", "_x5 7"), ("pair_total", "_x4 1 2")],
      exprs: [
        ("rate(single_total[5m])", "5m"), ("rate(pair_total[1m])", "6m"),
        ("rate(pair_total[2m])", "6m"),
      ]),
    CrossCheckCase(
      name: "rate-unaligned-eval-time", series: requests,
      exprs: [
        ("rate(http_requests_total{code=\"500\"}[5m])", "4m30s"),
        ("increase(http_requests_total{instance=\"c\"}[3m])", "12m45s"),
      ]),
    CrossCheckCase(
      name: "delta-gauge", series: gauges,
      exprs: [
        ("delta(temperature[5m])", "5m"), ("delta(temperature[3m])", "9m"),
        ("idelta(temperature[5m])", "5m"),
      ]),
    CrossCheckCase(
      name: "irate-with-reset", series: [("x_total", "1 5 9 2 6 20")],
      exprs: [
        ("irate(x_total[5m])", "3m"), ("irate(x_total[5m])", "5m"), ("irate(x_total[30s])", "5m"),
      ]),

    // MARK: Aggregations
    CrossCheckCase(
      name: "aggregation-sum-avg-min-max-count", series: requests,
      exprs: [
        ("sum(http_requests_total)", "10m"), ("sum by (job) (http_requests_total)", "10m"),
        ("avg without (instance) (http_requests_total)", "10m"),
        ("min by (code) (http_requests_total)", "10m"),
        ("max(http_requests_total) by (job)", "10m"),
        ("count by (job, code) (http_requests_total)", "10m"),
      ]),
    CrossCheckCase(
      name: "aggregation-topk-bottomk", series: requests,
      exprs: [
        ("topk(2, http_requests_total)", "10m"),
        ("bottomk(1, http_requests_total) by (job)", "10m"),
        ("topk by (code) (1, rate(http_requests_total[5m]))", "10m"),
        ("topk(0, http_requests_total)", "10m"),
      ]),
    CrossCheckCase(
      name: "aggregation-quantile-and-avg-precision", series: gauges,
      exprs: [
        ("quantile(0.5, temperature)", "4m"), ("quantile by (floor) (0.9, temperature)", "4m"),
        ("quantile(1.5, temperature)", "4m"),
        ("avg by (floor) (temperature)", "9m"), ("sum(temperature) / count(temperature)", "4m"),
      ]),

    // MARK: *_over_time
    CrossCheckCase(
      name: "over-time-functions", series: gauges,
      exprs: [
        ("avg_over_time(temperature[5m])", "5m"), ("sum_over_time(temperature[10m])", "9m"),
        ("count_over_time(temperature[3m])", "9m"), ("max_over_time(temperature[5m])", "6m"),
        ("min_over_time(temperature[5m])", "6m"),
        ("quantile_over_time(0.75, temperature[10m])", "9m"),
        ("quantile_over_time(0.1, temperature[4m])", "7m"),
      ]),
    CrossCheckCase(
      name: "summation-precision",
      series: [
        ("k{i=\"1\"}", "0.1 0.1"), ("k{i=\"2\"}", "0.2 0.2"), ("big", "1e100 1 -1e100 0.1 0.2 0.3"),
      ],
      exprs: [
        // promtool 2.42 loads series in random order, so only order-independent
        // aggregations are compared: a sum of two, an average of two.
        ("sum(k)", "1m"), ("avg(k)", "1m"), ("sum_over_time(big[5m])", "5m"),
        ("avg_over_time(big[5m])", "5m"),
        ("sum_over_time(big[2m])", "5m"), ("avg_over_time(big[2m])", "5m"),
      ]),
    CrossCheckCase(
      name: "over-time-skips-stale", series: [("s", "1 stale 3 stale 5 7")],
      exprs: [
        ("count_over_time(s[5m])", "5m"), ("avg_over_time(s[5m])", "5m"),
        ("max_over_time(s[2m])", "4m"),
      ]),

    // MARK: histogram_quantile
    CrossCheckCase(
      name: "histogram-quantile-rate", series: latency,
      exprs: [
        ("histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))", "10m"),
        ("histogram_quantile(0.5, rate(latency_seconds_bucket[5m]))", "10m"),
        (
          "histogram_quantile(0.99, sum by (le, service) (rate(latency_seconds_bucket[5m])))", "20m"
        ),
      ]),
    CrossCheckCase(
      name: "histogram-quantile-edges", series: latency,
      exprs: [
        ("histogram_quantile(0.999, latency_seconds_bucket)", "10m"),
        ("histogram_quantile(0, latency_seconds_bucket)", "10m"),
        ("histogram_quantile(1, latency_seconds_bucket)", "10m"),
        ("histogram_quantile(1.5, latency_seconds_bucket)", "10m"),
        ("histogram_quantile(-0.5, latency_seconds_bucket)", "10m"),
      ]),
    CrossCheckCase(
      name: "histogram-quantile-nonmonotonic",
      series: [
        ("h_bucket{le=\"1\"}", "10 10"), ("h_bucket{le=\"2\"}", "8 8"),
        ("h_bucket{le=\"4\"}", "15 15"),
        ("h_bucket{le=\"8\"}", "20 20"), ("h_bucket{le=\"+Inf\"}", "20 20"),
        ("n_bucket{le=\"-1\"}", "5 5"), ("n_bucket{le=\"0\"}", "8 8"),
        ("n_bucket{le=\"+Inf\"}", "10 10"),
      ],
      exprs: [
        ("histogram_quantile(0.5, h_bucket)", "1m"), ("histogram_quantile(0.75, h_bucket)", "1m"),
        ("histogram_quantile(0.2, n_bucket)", "1m"), ("histogram_quantile(0.7, n_bucket)", "1m"),
      ]),

    // MARK: Math and special functions
    CrossCheckCase(
      name: "math-functions", series: gauges,
      exprs: [
        ("abs(temperature)", "2m"), ("ceil(temperature)", "4m"), ("floor(temperature)", "4m"),
        ("clamp_min(temperature, 0)", "2m"), ("clamp_max(temperature, 10)", "2m"),
        ("-temperature", "2m"),
      ]),
    CrossCheckCase(
      name: "absent-vector-scalar-time", series: [("up{job=\"api\", instance=\"a\"}", "1x10")],
      exprs: [
        ("absent(up{job=\"api\"})", "5m"), ("absent(up{job=\"db\", instance=~\"x.*\"})", "5m"),
        ("absent(nonexistent{job=\"db\", region=\"eu\"})", "5m"), ("vector(time())", "7m30s"),
        ("vector(scalar(up))", "5m"),
        ("up * scalar(up) + time()", "3m"),
      ]),

    CrossCheckCase(
      name: "extra-functions", series: gauges + [("flips", "1 2 2 3 1 1 4 _ 4 0")],
      exprs: [
        ("round(temperature)", "4m"), ("round(temperature, 5)", "4m"), ("sgn(temperature)", "2m"),
        ("clamp(temperature, -1, 8)", "2m"),
        ("changes(flips[10m])", "9m"), ("resets(flips[10m])", "9m"),
        ("last_over_time(flips[10m])", "9m"),
        ("absent_over_time(flips[1m])", "9m"), ("absent_over_time(missing{job=\"x\"}[5m])", "9m"),
        ("sqrt(abs(temperature))", "3m"), ("exp(temperature{room=\"a\"})", "1m"),
        ("ln(temperature{room=\"c\"})", "3m"),
        ("log2(temperature{room=\"c\"})", "3m"), ("log10(temperature{room=\"c\"})", "2m"),
        ("temperature atan2 on(room) temperature", "3m"),
        ("vector(3 ^ 0.5)", "1m"), ("vector(7.5 % 2)", "1m"),
      ]),

    // MARK: Operators
    CrossCheckCase(
      name: "operator-precedence", series: [("one", "1x5")],
      exprs: [
        ("vector(2 ^ 3 ^ 2)", "1m"), ("vector(-2 ^ 2)", "1m"),
        ("vector(2 * 3 + 4 * 5 - 6 / 3)", "1m"),
        ("vector((1 + 2) * 3 % 4)", "1m"), ("vector(10 - 4 - 3)", "1m"), ("vector(2 ^ -1)", "1m"),
        ("one * -1 - -2", "1m"), ("vector(1 < bool 2 == bool 1)", "1m"), ("vector(7 % -3)", "1m"),
      ]),
    CrossCheckCase(
      name: "vector-scalar-comparison", series: requests,
      exprs: [
        ("http_requests_total > 100", "10m"), ("http_requests_total >= bool 300", "10m"),
        ("200 < http_requests_total", "10m"),
        ("300 <= bool http_requests_total", "10m"), ("http_requests_total != 30", "1m"),
        ("http_requests_total == 300", "10m"),
      ]),
    CrossCheckCase(
      name: "vector-vector-arithmetic", series: requests,
      exprs: [
        (
          "rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])",
          "10m"
        ),
        (
          "http_requests_total{code=\"200\"} - on(instance) http_requests_total{code=\"500\"}",
          "10m"
        ),
        (
          "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m]))",
          "10m"
        ),
      ]),
    CrossCheckCase(
      name: "group-left-right",
      series: requests + [
        ("service_info{instance=\"a\", team=\"payments\", version=\"1.2\"}", "1x30"),
        ("service_info{instance=\"b\", team=\"search\", version=\"2.0\"}", "1x30"),
      ],
      exprs: [
        ("http_requests_total * on(instance) group_left(team) service_info", "10m"),
        ("service_info * on(instance) group_right(version) http_requests_total", "10m"),
        (
          "rate(http_requests_total[5m]) + ignoring(code, job, team, version) group_left service_info",
          "10m"
        ),
      ]),
    CrossCheckCase(
      name: "vector-vector-comparison", series: requests,
      exprs: [
        (
          "http_requests_total{code=\"200\"} > ignoring(code) http_requests_total{code=\"500\"} * 15",
          "10m"
        ),
        (
          "http_requests_total{code=\"200\"} > bool ignoring(code) http_requests_total{code=\"500\"} * 15",
          "10m"
        ),
        (
          "http_requests_total{code=\"500\"} < on(instance, job) http_requests_total{code=\"200\"}",
          "10m"
        ),
      ]),
    CrossCheckCase(
      name: "set-operators", series: requests,
      exprs: [
        ("http_requests_total and on(instance) http_requests_total{code=\"500\"}", "10m"),
        ("http_requests_total{code=\"500\"} or http_requests_total{job=\"web\"}", "10m"),
        ("http_requests_total unless on(job) http_requests_total{job=\"web\"}", "10m"),
        ("http_requests_total{code=\"200\"} or on(instance) http_requests_total", "10m"),
        (
          "http_requests_total > 300 and http_requests_total < 600 or http_requests_total{instance=\"c\"}",
          "10m"
        ),
        ("http_requests_total unless ignoring(code) http_requests_total{code=\"500\"}", "10m"),
      ]),
  ]
}
