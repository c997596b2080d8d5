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
/// - `contour`: Envoy's cluster statistics as Contour's Envoy publishes them,
///   `envoy_cluster_upstream_rq{envoy_cluster_name="<namespace>_<service>_80",
///   envoy_response_code}` and `envoy_cluster_upstream_rq_time_*` (milliseconds); the
///   canary's cluster is `<namespace>_<service>-canary_80`.
/// - `knative`: Knative Serving's queue-proxy metrics (KServe's too),
///   `revision_app_request_count{namespace_name, service_name, configuration_name,
///   revision_name, response_code, response_code_class ("2xx"|"5xx")}` and
///   `revision_app_request_latencies_*` (milliseconds); the stable track is revision
///   `<service>-00001`, the canary `<service>-00002`.
///
/// Under Flagger the stable pods run as the `<service>-primary` workload (Flagger's
/// primary Deployment), so Flagger's built-in queries, which select the canary by
/// its workload name, read the canary alone (`destination_workload`, `deployment`,
/// the Envoy cluster name).
///
/// - `custom`: a user-declared mapping (``MetricMapping``) for any other system.
public enum MetricProfile: Sendable, Hashable {
  case platformSim
  case istio
  case nginx
  case linkerd
  case contour
  case knative
  case custom(MetricMapping)

  /// The built-in profiles, by name.
  public static let allCases: [MetricProfile] = [.platformSim, .istio, .nginx, .linkerd, .contour, .knative]
  /// The names a scenario may give: the built-ins and `custom`.
  public static let names = allCases.map(\.rawValue) + ["custom"]

  /// A built-in profile by its name (`custom` needs its mapping).
  public init?(rawValue: String) {
    guard let profile = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
    self = profile
  }

  /// The profile's name in a scenario.
  public var rawValue: String {
    switch self {
    case .platformSim: return "platformsim"
    case .istio: return "istio"
    case .nginx: return "nginx"
    case .linkerd: return "linkerd"
    case .contour: return "contour"
    case .knative: return "knative"
    case .custom: return "custom"
    }
  }

  /// The namespace label values name (Kubernetes' default namespace).
  static let namespace = "default"

  /// Latency unit: histogram bounds and the sum are published in seconds × this.
  var latencyScale: Double {
    switch self {
    case .platformSim, .nginx: return 1
    case .istio, .linkerd, .contour, .knative: return 1_000
    case .custom(let mapping): return mapping.latencyScale
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
    case .contour:
      return [
        "envoy_cluster_upstream_rq", "envoy_cluster_upstream_rq_time_bucket", "envoy_cluster_upstream_rq_time_count",
        "envoy_cluster_upstream_rq_time_sum", ServiceMetricNames.quality,
      ]
    case .knative:
      return [
        "revision_app_request_count", "revision_app_request_latencies_bucket",
        "revision_app_request_latencies_count", "revision_app_request_latencies_sum", ServiceMetricNames.quality,
      ]
    case .custom(let mapping):
      return [
        mapping.requests, mapping.latency + "_bucket", mapping.latency + "_count", mapping.latency + "_sum",
        ServiceMetricNames.quality,
      ]
    }
  }

  /// Names published besides ``metricNames``' five: NGINX's upstream response time
  /// (count and sum), which Flagger's `request-duration` reads.
  public var extraMetricNames: [String] {
    self == .nginx
      ? [
        "nginx_ingress_controller_response_duration_seconds_count",
        "nginx_ingress_controller_response_duration_seconds_sum",
      ]
      : []
  }

  /// Every metric name the profile publishes.
  public var publishedNames: [String] { metricNames + extraMetricNames }

  /// The label names the profile's series of metric `name` carry (either track), sorted;
  /// empty when the profile does not publish `name`.
  public func publishedLabelNames(of name: String) -> [String] {
    let series = ["stable", "canary"].flatMap { columns(service: "s", team: "t", track: $0, buckets: [1]) }
    var names: Set<String> = []
    for (labels, _) in series where labels[Labels.metricName] == name {
      for item in labels.items where item.name != Labels.metricName { names.insert(item.name) }
    }
    return names.sorted()
  }

  /// For each column after the quality gauge, the earlier column whose value it
  /// repeats (the same data under another name or label).
  func repeatedColumns(bucketCount: Int) -> [Int] {
    switch self {
    case .istio: return [0, 1]  // the request counters as the other reporter
    case .nginx: return [3 + bucketCount, 4 + bucketCount]  // response duration count and sum
    default: return []
    }
  }

  /// The scrape group's members in ``ServiceSeries``' column order: succeeded
  /// requests, failed requests, the buckets (`+Inf` last), count, sum, quality, then
  /// the ``repeatedColumns(bucketCount:)``.
  ///
  /// - Parameter primaryWorkload: the stable track runs as `<service>-primary` (Flagger).
  func columns(
    service: String, team: String, track: String, buckets: [Double], primaryWorkload: Bool = false
  ) -> [(Labels, MetricKind)] {
    let workload = track == "stable" && primaryWorkload ? "\(service)-primary" : service
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
        ("destination_workload", workload), ("destination_workload_namespace", namespace), ("track", track),
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
      base = [("deployment", workload), ("direction", "inbound"), ("namespace", namespace), ("track", track)]
      ok = [("classification", "success"), ("status_code", "200")]
      failed = [("classification", "failure"), ("status_code", "500")]
    case .contour:
      let cluster = track == "canary" ? "\(service)-canary" : workload
      base = [("envoy_cluster_name", "\(namespace)_\(cluster)_80"), ("track", track)]
      ok = [("envoy_response_code", "200")]
      failed = [("envoy_response_code", "500")]
    case .knative:
      base = [
        ("configuration_name", service), ("namespace_name", namespace),
        ("revision_name", "\(service)-0000\(track == "canary" ? 2 : 1)"), ("service_name", service), ("track", track),
      ]
      ok = [("response_code", "200"), ("response_code_class", "2xx")]
      failed = [("response_code", "500"), ("response_code_class", "5xx")]
    case .custom(let mapping):
      base =
        mapping.labels.map { ($0.name, mapping.value(of: $0.value, service: service, team: team)) } + [("track", track)]
      ok = [(mapping.statusLabel, mapping.success)]
      failed = [(mapping.statusLabel, mapping.failure)]
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
    for name in extraMetricNames { columns.append((labels(name), .counter)) }
    return columns
  }
}

/// A user-declared metric profile: the names and labels of another system's request
/// counter and latency histogram.
///
/// A class: a service's configuration carries its profile and is read on hot paths, so
/// the mapping travels as one reference rather than seven reference-counted fields.
public final class MetricMapping: Hashable, Sendable {
  /// The request counter's name.
  public let requests: String
  /// The latency histogram's name without `_bucket`, `_count`, `_sum`.
  public let latency: String
  /// Latency unit: seconds × this (1 for seconds, 1000 for milliseconds).
  public let latencyScale: Double
  /// The label that tells succeeded from failed requests, and its two values.
  public let statusLabel: String
  public let success: String
  public let failure: String
  /// Further labels of every series, by name; `{{ service }}`, `{{ team }}` and
  /// `{{ namespace }}` in a value stand for the service's name, its team's and `default`.
  public let labels: [(name: String, value: String)]

  public init(
    requests: String, latency: String, latencyScale: Double, statusLabel: String, success: String, failure: String,
    labels: [(name: String, value: String)]
  ) {
    self.requests = requests
    self.latency = latency
    self.latencyScale = latencyScale
    self.statusLabel = statusLabel
    self.success = success
    self.failure = failure
    self.labels = labels
  }

  public static func == (lhs: MetricMapping, rhs: MetricMapping) -> Bool {
    lhs === rhs
      || lhs.requests == rhs.requests && lhs.latency == rhs.latency && lhs.latencyScale == rhs.latencyScale
        && lhs.statusLabel == rhs.statusLabel && lhs.success == rhs.success && lhs.failure == rhs.failure
        && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
  }

  public func hash(into hasher: inout Hasher) {
    for text in [requests, latency, statusLabel, success, failure] { hasher.combine(text) }
    hasher.combine(latencyScale)
    hasher.combine(labels.count)
    for label in labels {
      hasher.combine(label.name)
      hasher.combine(label.value)
    }
  }

  /// A label value with its placeholders filled (label values are stored as they are;
  /// queries escape them where PlatformSim writes them in).
  func value(of template: String, service: String, team: String) -> String {
    QueryTemplate.fill(template) { key in
      switch key {
      case "service": return .verbatim(service)
      case "team": return .verbatim(team)
      case "namespace": return .verbatim(MetricProfile.namespace)
      default: return nil
      }
    }
  }
}
