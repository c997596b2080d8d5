/// Simulated Prometheus and Alertmanager: series store, PromQL, rule evaluation and
/// alert routing, driven by simulated time.
///
/// Usable on its own (docs/ARCHITECTURE.md).
public enum Monitoring {}
