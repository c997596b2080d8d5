import Monitoring

/// Which metric names and labels the services' simulated traffic is published under,
/// so that analysis templates written for a mesh or ingress run unchanged (issue 14).
///
/// Every profile publishes the same data — the same scrape-group columns, appended the
/// same way — under other names: success and error counters, the latency histogram
/// (bounds and sum in the profile's unit), its count and sum, the quality gauge. Each
/// series also keeps PlatformSim's `track` label (`stable` or `canary`).
///
/// - `platformsim`: `http_requests_total{service, team, track, code}`,
///   `http_request_duration_seconds_*`.
/// - `istio`: `istio_requests_total{reporter, response_code, destination_service
///   (FQDN: name.namespace.svc.cluster.local), destination_service_name,
///   destination_service_namespace, destination_workload, destination_workload_namespace}`,
///   published by both reporters (`source` and `destination`), and
///   `istio_request_duration_milliseconds_*` (reporter `destination`), as Istio's
///   standard metrics (istio.io/latest/docs/reference/config/metrics).
/// - `nginx`: `nginx_ingress_controller_requests{ingress, namespace, service, status,
///   canary}` and `nginx_ingress_controller_request_duration_seconds_*` (ingress-nginx's
///   metrics; `canary` names the canary backend and is absent for the stable one).
/// - `linkerd`: `response_total{deployment, namespace, direction="inbound",
///   classification (success|failure), status_code}` and `response_latency_ms_*`
///   (Linkerd proxy metrics).
public enum MetricProfile: String, Sendable, Equatable, CaseIterable {
  case platformSim = "platformsim"
  case istio
  case nginx
  case linkerd

  /// The namespace label values name (Kubernetes' default namespace).
  static let namespace = "default"

  /// Latency unit: histogram bounds and the sum are published in seconds × this.
  var latencyScale: Double {
    switch self {
    case .platformSim, .nginx: return 1
    case .istio, .linkerd: return 1_000
    }
  }

  /// The request counter's name (for messages that list what is published).
  public var metricNames: [String] {
    switch self {
    case .platformSim: return ServiceMetricNames.all
    case .istio:
      return [
        "istio_requests_total", "istio_request_duration_milliseconds_bucket",
        "istio_request_duration_milliseconds_count", "istio_request_duration_milliseconds_sum",
        ServiceMetricNames.quality,
      ]
    case .nginx:
      return [
        "nginx_ingress_controller_requests", "nginx_ingress_controller_request_duration_seconds_bucket",
        "nginx_ingress_controller_request_duration_seconds_count",
        "nginx_ingress_controller_request_duration_seconds_sum", ServiceMetricNames.quality,
      ]
    case .linkerd:
      return [
        "response_total", "response_latency_ms_bucket", "response_latency_ms_count", "response_latency_ms_sum",
        ServiceMetricNames.quality,
      ]
    }
  }

  /// The scrape group's members in ``ServiceSeries``' column order: succeeded
  /// requests, failed requests, the buckets (`+Inf` last), count, sum, quality, then —
  /// for Istio — the request counters again as the other reporter.
  func columns(service: String, team: String, track: String, buckets: [Double]) -> [(Labels, MetricKind)] {
    let names = metricNames
    let namespace = Self.namespace
    let base: [(String, String)]
    var ok: [(String, String)]
    var failed: [(String, String)]
    var latency: [(String, String)] = []
    switch self {
    case .platformSim:
      base = [("service", service), ("team", team), ("track", track)]
      ok = [("code", "200")]
      failed = [("code", "500")]
    case .istio:
      base = [
        ("destination_service", "\(service).\(namespace).svc.cluster.local"),
        ("destination_service_name", service), ("destination_service_namespace", namespace),
        ("destination_workload", service), ("destination_workload_namespace", namespace), ("track", track),
      ]
      ok = [("reporter", "source"), ("response_code", "200")]
      failed = [("reporter", "source"), ("response_code", "500")]
      latency = [("reporter", "destination")]
    case .nginx:
      var labels = [("ingress", service), ("namespace", namespace), ("track", track)]
      labels +=
        track == "canary"
        ? [("canary", "\(service)-canary"), ("service", "\(service)-canary")]
        : [("service", service)]
      base = labels
      ok = [("status", "200")]
      failed = [("status", "500")]
    case .linkerd:
      base = [("deployment", service), ("direction", "inbound"), ("namespace", namespace), ("track", track)]
      ok = [("classification", "success"), ("status_code", "200")]
      failed = [("classification", "failure"), ("status_code", "500")]
    }
    func labels(_ name: String, _ extra: [(String, String)] = []) -> Labels {
      Labels([(Labels.metricName, name)] + base + extra)
    }
    let scale = latencyScale
    let bucketLabels = (buckets.map { formatBucket($0 * scale) } + ["+Inf"]).map {
      (labels(names[1], latency + [("le", $0)]), MetricKind.counter)
    }
    var columns: [(Labels, MetricKind)] = [(labels(names[0], ok), .counter), (labels(names[0], failed), .counter)]
    columns += bucketLabels
    columns += [
      (labels(names[2], latency), .counter), (labels(names[3], latency), .counter),
      (Labels([(Labels.metricName, ServiceMetricNames.quality)] + base), .gauge),
    ]
    if self == .istio {
      ok[0] = ("reporter", "destination")
      failed[0] = ("reporter", "destination")
      columns += [(labels(names[0], ok), .counter), (labels(names[0], failed), .counter)]
    }
    return columns
  }
}
