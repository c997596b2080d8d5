/// Cross-check cases with recording and alerting rules.
extension CrossCheckCorpus {
  static let errorRatioRules = """
    groups:
      - name: slo
        rules:
          - record: job:request_errors:ratio_rate5m
            expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))
          - alert: ErrorRateHigh
            expr: job:request_errors:ratio_rate5m > 0.05
            for: 5m
            labels:
              severity: page
              team: '{{ $labels.job }}-oncall'
            annotations:
              summary: 'Error ratio of {{ $labels.job }} is {{ $value }}'
              description: 'humanized {{ $value | humanizePercentage }} over 5m'
    """

  static let ruleCases: [CrossCheckCase] = [
    CrossCheckCase(
      name: "alert-for-shorter-than-interval-and-refire",
      rules: """
        groups:
          - name: short
            rules:
              - alert: Saturated
                expr: utilization > 0.8
                for: 30s
                annotations:
                  value: '{{ $value | humanizePercentage }}'
        """,
      series: [("utilization{pool=\"gpu\"}", "0.9 0.95 0.5 0.85 0.9 0.9 0.1 0.99 0.99")],
      alerts: [
        ("Saturated", "0m"), ("Saturated", "1m"), ("Saturated", "2m"), ("Saturated", "3m"),
        ("Saturated", "4m"),
        ("Saturated", "6m"), ("Saturated", "7m"), ("Saturated", "8m"),
      ]),
    CrossCheckCase(
      name: "group-eval-order-and-external-labels",
      rules: """
        groups:
          - name: alerts
            rules:
              - alert: ClusterLoadHigh
                expr: cluster:load:sum > 25
                annotations:
                  summary: 'load {{ $value }} in {{ $externalLabels.cluster }}'
                labels:
                  cluster: '{{ $externalLabels.cluster }}'
          - name: records
            rules:
              - record: cluster:load:sum
                expr: sum(load)
        """,
      series: [("load{instance=\"1\"}", "10 20 30 40"), ("load{instance=\"2\"}", "1 2 3 4")],
      alerts: [("ClusterLoadHigh", "1m"), ("ClusterLoadHigh", "2m"), ("ClusterLoadHigh", "3m")],
      externalLabels: [("cluster", "eu-west")], groupEvalOrder: ["records", "alerts"]),
    CrossCheckCase(
      name: "alert-error-ratio-for-5m", rules: errorRatioRules,
      series: [
        ("http_requests_total{job=\"api\", code=\"200\"}", "0+100x40"),
        ("http_requests_total{job=\"api\", code=\"500\"}", "0+1x10 11+20x30"),
        ("http_requests_total{job=\"web\", code=\"200\"}", "0+50x40"),
        ("http_requests_total{job=\"web\", code=\"503\"}", "0+10x40"),
      ],
      alerts: [
        ("ErrorRateHigh", "10m"), ("ErrorRateHigh", "14m"), ("ErrorRateHigh", "15m"),
        ("ErrorRateHigh", "16m"), ("ErrorRateHigh", "30m"),
      ],
      exprs: [
        ("job:request_errors:ratio_rate5m", "12m"), ("ALERTS", "16m"), ("ALERTS_FOR_STATE", "16m"),
      ]),
    CrossCheckCase(
      name: "alert-for-reset-on-flap",
      rules: """
        groups:
          - name: flap
            rules:
              - alert: QueueBacklog
                expr: queue_depth > 100
                for: 3m
        """,
      series: [
        (
          "queue_depth{queue=\"q1\"}",
          "200 200 200 50 200 200 200 200 _ _ _ _ _ _ 200 200 200 200 200"
        )
      ],
      alerts: [
        ("QueueBacklog", "3m"), ("QueueBacklog", "6m"), ("QueueBacklog", "7m"),
        ("QueueBacklog", "8m"), ("QueueBacklog", "12m"),
        ("QueueBacklog", "13m"), ("QueueBacklog", "14m"), ("QueueBacklog", "17m"),
        ("QueueBacklog", "18m"),
      ]),
    CrossCheckCase(
      name: "alert-keep-firing-for",
      rules: """
        groups:
          - name: keep
            rules:
              - alert: DiskFull
                expr: disk_used_ratio > 0.9
                for: 1m
                keep_firing_for: 3m
        """,
      series: [
        ("disk_used_ratio{node=\"n1\"}", "0.95 0.95 0.95 0.5 0.5 0.95 0.5 0.5 0.5 0.5 0.5 0.5")
      ],
      alerts: [
        ("DiskFull", "1m"), ("DiskFull", "3m"), ("DiskFull", "4m"), ("DiskFull", "5m"),
        ("DiskFull", "6m"), ("DiskFull", "8m"),
        ("DiskFull", "9m"), ("DiskFull", "10m"),
      ]),
    CrossCheckCase(
      name: "alert-for-zero-and-unaligned-eval-time",
      rules: """
        groups:
          - name: instant
            rules:
              - alert: InstanceDown
                expr: up == 0
                labels:
                  severity: critical
                annotations:
                  summary: '{{ $labels.instance }} of job {{ $labels.job }} is down'
        """,
      series: [
        ("up{job=\"api\", instance=\"a\"}", "1 1 0 0 1 0"),
        ("up{job=\"api\", instance=\"b\"}", "0 0 0 1 1 1"),
      ],
      alerts: [
        ("InstanceDown", "0m"), ("InstanceDown", "1m59s"), ("InstanceDown", "2m"),
        ("InstanceDown", "3m30s"), ("InstanceDown", "5m"),
      ]),
    CrossCheckCase(
      name: "alert-staleness-resolves-and-lookback-keeps",
      rules: """
        groups:
          - name: stale
            rules:
              - alert: HighLoad
                expr: load > 10
        """,
      series: [("load{host=\"stale\"}", "20 20 20 stale"), ("load{host=\"ends\"}", "20 20 20")],
      alerts: [
        ("HighLoad", "2m"), ("HighLoad", "3m"), ("HighLoad", "6m"), ("HighLoad", "7m"),
        ("HighLoad", "8m"),
      ]),
    CrossCheckCase(
      name: "recording-rule-chain-and-staleness",
      rules: """
        groups:
          - name: record
            rules:
              - record: instance:load:doubled
                expr: load * 2
              - record: job:load:sum
                expr: sum by (job) (instance:load:doubled)
                labels:
                  source: recorded
              - alert: JobLoadHigh
                expr: job:load:sum > 50
                labels:
                  job: '{{ $labels.job }}'
        """,
      series: [
        ("load{job=\"a\", instance=\"1\"}", "10 20 30 stale 5"),
        ("load{job=\"a\", instance=\"2\"}", "1 2 3 4 5"),
      ],
      alerts: [("JobLoadHigh", "1m"), ("JobLoadHigh", "2m"), ("JobLoadHigh", "3m")],
      exprs: [
        ("instance:load:doubled", "3m"), ("job:load:sum", "2m"), ("job:load:sum", "3m"),
        ("count_over_time(instance:load:doubled[4m])", "4m"),
      ]),
    CrossCheckCase(
      name: "alert-latency-histogram-quantile",
      rules: """
        groups:
          - name: latency
            rules:
              - alert: LatencyP99High
                expr: histogram_quantile(0.99, sum by (le, service) (rate(latency_seconds_bucket[5m]))) > 0.9
                for: 2m
                annotations:
                  p99: '{{ $value }}'
        """,
      series: latency,
      alerts: [("LatencyP99High", "3m"), ("LatencyP99High", "6m"), ("LatencyP99High", "8m")]),
    CrossCheckCase(
      name: "alert-many-instances-templated-labels",
      rules: """
        groups:
          - name: many
            interval: 30s
            rules:
              - alert: HighRequestRate
                expr: sum by (job, instance) (rate(http_requests_total[2m])) > 0.4
                for: 1m
                labels:
                  owner: 'team-{{ $labels.job }}'
                  rate: '{{ $value }}'
                annotations:
                  rate: '{{ printf "%.3f" $value }} req/s on {{ $labels.instance }}'
        """,
      series: requests,
      alerts: [("HighRequestRate", "2m"), ("HighRequestRate", "4m"), ("HighRequestRate", "10m")]),
    CrossCheckCase(
      name: "alert-absent",
      rules: """
        groups:
          - name: absent
            rules:
              - alert: TargetMissing
                expr: absent(up{job="batch"})
                for: 2m
                labels:
                  severity: warning
        """,
      series: [("up{job=\"batch\"}", "1 1 1"), ("up{job=\"api\"}", "1x20")],
      alerts: [
        ("TargetMissing", "5m"), ("TargetMissing", "7m"), ("TargetMissing", "9m"),
        ("TargetMissing", "10m"),
      ]),
    CrossCheckCase(
      name: "eval-interval-30s-scrape-1m",
      rules: """
        groups:
          - name: fast
            rules:
              - alert: Spike
                expr: irate(events_total[2m]) > 1
                for: 1m
        """,
      series: [("events_total", "0 10 20 30 200 400 410 420 430")],
      interval: "1m", evaluationInterval: "30s",
      alerts: [
        ("Spike", "3m30s"), ("Spike", "4m"), ("Spike", "5m"), ("Spike", "5m30s"),
        ("Spike", "6m30s"), ("Spike", "7m"),
      ]),
    CrossCheckCase(
      name: "prometheusrule-custom-resource",
      rules: """
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata:
          name: serving-rules
          namespace: monitoring
          labels:
            release: prometheus
        spec:
          groups:
            - name: serving
              rules:
                - alert: ReplicasUnavailable
                  expr: kube_deployment_status_replicas_unavailable > 0
                  for: 2m
                  labels:
                    severity: warning
                  annotations:
                    summary: '{{ $labels.deployment }} has {{ $value }} unavailable replicas'
        """,
      series: [
        ("kube_deployment_status_replicas_unavailable{deployment=\"model-a\"}", "0 0 1 2 2 2 0")
      ],
      alerts: [
        ("ReplicasUnavailable", "3m"), ("ReplicasUnavailable", "4m"), ("ReplicasUnavailable", "5m"),
        ("ReplicasUnavailable", "6m"),
      ]),
    CrossCheckCase(
      name: "alert-humanize-templates",
      rules: """
        groups:
          - name: humanize
            rules:
              - alert: BigValues
                expr: bytes > 0
                annotations:
                  size: '{{ $value | humanize }}'
                  duration: '{{ humanizeDuration $value }}'
                  raw: '{{- $value -}} !'
        """,
      series: [
        ("bytes{v=\"big\"}", "1234567 1234567"), ("bytes{v=\"small\"}", "0.0042 0.0042"),
        ("bytes{v=\"mid\"}", "93784 93784"),
      ],
      alerts: [("BigValues", "1m")]),
    CrossCheckCase(
      name: "alert-comparison-with-bool-and-unless",
      rules: """
        groups:
          - name: slo-burn
            rules:
              - alert: BudgetBurn
                expr: (rate(http_requests_total{code=~"5.."}[5m]) > bool 0.02) == 1 unless on(job) (rate(http_requests_total{code="200"}[5m]) > 0.9)
        """,
      series: requests,
      alerts: [("BudgetBurn", "10m"), ("BudgetBurn", "20m")]),
    CrossCheckCase(
      name: "alert-resolves-after-rate-window",
      rules: """
        groups:
          - name: outage
            rules:
              - alert: ErrorsIncreasing
                expr: increase(errors_total[3m]) > 5
                for: 1m
        """,
      series: [("errors_total{svc=\"a\"}", "0 0 0 10 20 30 30 30 30 30 30 0 0")],
      alerts: [
        ("ErrorsIncreasing", "4m"), ("ErrorsIncreasing", "5m"), ("ErrorsIncreasing", "8m"),
        ("ErrorsIncreasing", "9m"),
        ("ErrorsIncreasing", "12m"),
      ]),
  ]
}
