/// Flagger's metric queries: the built-in checks' queries per mesh, and rendering of a
/// query with Flagger's template model (fluxcd/flagger pkg/metrics/observers/*.go,
/// pkg/apis/flagger/v1beta1/metric.go `MetricTemplateModel`).
///
/// Flagger runs `request-success-rate` and `request-duration` with the observer of its
/// mesh provider; PlatformSim takes the observer of the metric profile the service
/// publishes under, so the built-ins read the same series as on that mesh. The query
/// texts are Flagger's, on one line each. Flagger's `target` is the canary workload
/// (the Deployment the Canary targets); the stable pods run as `<target>-primary`,
/// which is how the profiles name the stable track's workload under Flagger.
public enum FlaggerQueries {
  /// The variables of Flagger's template model (`{{ name }}` … `{{ interval }}`);
  /// `{{ variables.x }}` reads a check's `templateVariables`.
  public static let modelVariables = ["name", "namespace", "target", "service", "ingress", "route", "interval"]

  /// The query of a built-in check (`request-success-rate` or `request-duration`).
  public static func builtIn(_ check: String, profile: MetricProfile) -> String {
    let duration = check == "request-duration"
    switch profile {
    case .platformSim:
      // PlatformSim's own names: the canary track of the service.
      let selector = #"service="{{ target }}",track="canary""#
      return duration
        ? "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{\(selector)}[{{ interval }}]))) * 1000"
        : "sum(rate(http_requests_total{\(selector),code!~\"5..\"}[{{ interval }}])) / sum(rate(http_requests_total{\(selector)}[{{ interval }}])) * 100"
    case .istio:
      let selector =
        #"reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}""#
      return duration
        ? "histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{\(selector)}[{{ interval }}])) by (le))"
        : "sum(rate(istio_requests_total{\(selector),response_code!~\"5.*\"}[{{ interval }}])) / sum(rate(istio_requests_total{\(selector)}[{{ interval }}])) * 100"
    case .linkerd:
      let selector = #"namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound""#
      return duration
        ? "histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{\(selector)}[{{ interval }}])) by (le))"
        : "sum(rate(response_total{\(selector),classification!=\"failure\"}[{{ interval }}])) / sum(rate(response_total{\(selector)}[{{ interval }}])) * 100"
    case .nginx:
      let selector = #"namespace="{{ namespace }}",ingress="{{ ingress }}",canary!="""#
      return duration
        ? "sum(rate(nginx_ingress_controller_response_duration_seconds_sum{\(selector)}[{{ interval }}])) / sum(rate(nginx_ingress_controller_response_duration_seconds_count{\(selector)}[{{ interval }}])) * 1000"
        : "sum(rate(nginx_ingress_controller_requests{\(selector),status!~\"5.*\"}[{{ interval }}])) / sum(rate(nginx_ingress_controller_requests{\(selector)}[{{ interval }}])) * 100"
    case .contour:
      let selector = #"envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+""#
      return duration
        ? "histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{\(selector)}[{{ interval }}])) by (le))"
        : "sum(rate(envoy_cluster_upstream_rq{\(selector),envoy_response_code!~\"5.*\"}[{{ interval }}])) / sum(rate(envoy_cluster_upstream_rq{\(selector)}[{{ interval }}])) * 100"
    case .custom(let mapping):
      // The labels whose value is the service's name select it; `track` the canary.
      let selector =
        (mapping.labels.filter { $0.value == "{{ service }}" }.map { "\($0.name)=\"{{ target }}\"" }
        + [#"track="canary""#]).joined(separator: ",")
      let status = "\(mapping.statusLabel)!=\"\(QueryTemplate.escapedString(mapping.failure))\""
      return duration
        ? "histogram_quantile(0.99, sum by (le) (rate(\(mapping.latency)_bucket{\(selector)}[{{ interval }}]))) * \(1_000 / mapping.latencyScale)"
        : "sum(rate(\(mapping.requests){\(selector),\(status)}[{{ interval }}])) / sum(rate(\(mapping.requests){\(selector)}[{{ interval }}])) * 100"
    case .knative:
      // Flagger's Knative observer reads the Envoy metrics of Knative's networking
      // layer, not the queue-proxy's `revision_*` metrics this profile publishes: the
      // unknown-metric warning says so before a run.
      let selector = #"envoy_cluster_name=~"{{ namespace }}/{{ route }}""#
      return duration
        ? "histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{\(selector)}[{{ interval }}])) by (le))"
        : "sum(rate(envoy_cluster_upstream_rq{\(selector),envoy_response_code!~\"5.*\"}[{{ interval }}])) / sum(rate(envoy_cluster_upstream_rq{\(selector)}[{{ interval }}])) * 100"
    }
  }

  /// `text` with Flagger's template model for `service` filled in.
  ///
  /// The Canary, its target, service, ingress and route all bear the service's name (a
  /// free-text name, escaped where it stands, ``QueryTemplate``); the namespace is
  /// `default`; `interval` and `variables.x` are the user's text.
  public static func render(_ text: String, service: String, interval: String, variables: [String: String])
    -> String
  {
    QueryTemplate.fill(text) { model($0, service: service, interval: interval, variables: variables) }
  }

  /// What Flagger's template model fills placeholder `key` with; `nil` leaves it.
  static func model(_ key: String, service: String, interval: String, variables: [String: String])
    -> QueryTemplate.Value?
  {
    switch key {
    case "name", "target", "service", "ingress", "route": return .name(service)
    case "namespace": return .name(MetricProfile.namespace)
    case "interval": return .verbatim(interval)
    default:
      guard key.hasPrefix("variables.") else { return nil }
      return variables[String(key.dropFirst("variables.".count))].map { .verbatim($0) }
    }
  }

  /// The placeholders of `text` that Flagger's template model cannot fill with
  /// `variables` (Flagger renders with `missingkey=error`, so the check fails).
  public static func unfilledPlaceholders(in text: String, variables: [String: String]) -> [String] {
    var unfilled: [String] = []
    _ = QueryTemplate.fill(text) { key in
      let known =
        modelVariables.contains(key)
        || (key.hasPrefix("variables.") && variables[String(key.dropFirst("variables.".count))] != nil)
      if !known && !unfilled.contains(key) { unfilled.append(key) }
      return nil
    }
    return unfilled
  }
}
