import Monitoring
import Policies
import SimKernel

/// A running AnalysisRun: one progress record and one pending measurement per metric.
struct AnalysisRunState {
  var spec: AnalysisSpec
  /// Each metric's query with the service's arguments filled in.
  var queries: [String]
  var progress: [MetricProgress]
  var pending: [EventHandle?]
}

/// Argo Rollouts AnalysisRuns (analysis/analysis.go) on the simulated Prometheus.
///
/// Each metric is measured after its `initialDelay`, then every `interval`: an instant
/// PromQL query at the current time (Argo's Prometheus provider), classified by its
/// success and failure conditions (``MetricProgress/classify(_:metric:)``). The
/// `analysisVerdict` decision point judges the metric after each measurement (by
/// default Argo's limits: `failureLimit`, `inconclusiveLimit`, `consecutiveErrorLimit`,
/// `count`). A run ends when a metric completes badly or all complete, and the canary
/// then asks the `rolloutStep` policy what to do. Measurements run after the traffic
/// and rules of the same instant (priority 2).
extension Delivery {
  /// Starts AnalysisRun `run` (0: the step's, 1: the background run) of `spec` for
  /// `deployment`'s canary.
  mutating func startRun(
    _ spec: AnalysisSpec, deployment: DeploymentID, run: Int, scheduler: inout Scheduler<WorldEvent>
  ) -> AnalysisRunState {
    // Templated once per service and spec: Foundation's `replacingOccurrences` at every
    // measurement was a visible share of large runs.
    let service = argoCD.deployments[deployment].service
    let queries: [String]
    if let memo = rollouts.analysisQueries[service], memo.spec == spec {
      queries = memo.queries
    } else {
      let name = configuration[service: service].name
      queries = spec.metrics.map { spec.query($0, service: name) }
      rollouts.rememberQueries(queries, of: spec, for: service)
    }
    var state = AnalysisRunState(
      spec: spec, queries: queries, progress: Array(repeating: MetricProgress(), count: spec.metrics.count),
      pending: Array(repeating: nil, count: spec.metrics.count))
    for (metricIndex, metric) in spec.metrics.enumerated() {
      state.pending[metricIndex] = scheduler.schedule(
        .delivery(.rollouts(.analysisMeasurement(deployment, run: UInt8(run), metric: Int32(metricIndex)))),
        after: metric.initialDelay, priority: 2)
    }
    if spec.metrics.isEmpty {
      // A run with no metrics is Successful at once.
      scheduler.schedule(
        .delivery(.rollouts(.analysisMeasurement(deployment, run: UInt8(run), metric: -1))), after: .zero, priority: 2)
    }
    return state
  }

  /// A range query's result as Argo reads it, flattened into one list.
  ///
  /// As `processResponse` reads a `model.Matrix`: the series in label order (as Prometheus sorts a matrix), each one's values in time
  /// order, flattened into one list. Points are at start, start + step, … up to end.
  static func rangeValues(
    _ query: String, range: AnalysisMetric.RangeQuery, monitoring: PlatformMonitoring, at now: SimTime
  ) throws(PromQLError) -> [Double] {
    let startMs = (now.microseconds - range.startBefore.microseconds) / 1_000
    let endMs = (now.microseconds - range.endBefore.microseconds) / 1_000
    let stepMs = max(1, range.step.microseconds / 1_000)
    var series: [(labels: Labels, values: [Double])] = []
    var time = startMs
    while time <= endMs {
      for sample in try monitoring.query(query, atMs: time).asVector ?? [] {
        if let index = series.firstIndex(where: { $0.labels == sample.labels }) {
          series[index].values.append(sample.value)
        } else {
          series.append((sample.labels, [sample.value]))
        }
      }
      time += stepMs
    }
    return series.sorted { $0.labels < $1.labels }.flatMap(\.values)
  }

  /// Takes one measurement: an instant PromQL query at the current time on the
  /// simulated Prometheus (Argo's Prometheus provider), classified by the conditions.
  mutating func measure(
    _ deployment: DeploymentID, run: Int, metric metricIndex: Int, scheduler: inout Scheduler<WorldEvent>
  ) {
    let service = argoCD.deployments[deployment].service
    guard var canary = rollouts.canaries[service], canary.deployment == deployment, var state = canary.runs[run]
    else { return }
    if metricIndex >= 0 {
      let metric = state.spec.metrics[metricIndex]
      let query = state.queries[metricIndex]
      let outcome: (AnalysisPhase, String)
      if let monitoring {
        do {
          let values: [Double]
          if let range = metric.rangeQuery {
            values = try Self.rangeValues(query, range: range, monitoring: monitoring, at: scheduler.now)
          } else {
            values = try monitoring.query(query, atMs: scheduler.now.microseconds / 1_000).asVector?.map(\.value) ?? []
          }
          outcome = MetricProgress.classify(values, metric: metric)
        } catch {
          outcome = (.error, "query failed: \(error)")
        }
      } else {
        outcome = (.error, "no Prometheus: add spec.monitoring")
      }
      state.progress[metricIndex].count(outcome.0)
      let observation = state.progress[metricIndex].observation(
        metric: metric, last: outcome.0, service: configuration[service: service].name,
        run: run == 0 ? "step" : "background")
      state.progress[metricIndex].phase = AnalysisPhase(
        policies.analysisVerdict.decide(observation, at: PolicyTime(microseconds: scheduler.now.microseconds)).phase)
      state.progress[metricIndex].lastMessage = "\(metric.name): \(outcome.1)"
      if state.progress[metricIndex].phase == .running {
        // After an Error Argo retries in 10 s; otherwise at the next interval.
        let next = outcome.0 == .error ? SimDuration.seconds(10) : (metric.interval ?? .seconds(10))
        state.pending[metricIndex] = scheduler.schedule(
          .delivery(.rollouts(.analysisMeasurement(deployment, run: UInt8(run), metric: Int32(metricIndex)))),
          after: next, priority: 2)
      } else {
        state.pending[metricIndex] = nil
      }
    }
    // A run ends when a metric completes badly (it is then terminating) or all complete;
    // dry-run metrics must complete too, but their outcome counts for nothing.
    var worst = AnalysisPhase.successful
    var anyRunning = false
    for index in state.progress.indices {
      let phase = state.progress[index].phase
      if phase == .running { anyRunning = true }
      if !state.spec.metrics[index].dryRun { worst = max(worst, phase) }
    }
    let terminal = worst == .failed || worst == .error || worst == .inconclusive || !anyRunning
    canary.runs[run] = terminal ? nil : state
    setCanary(canary, of: service)
    guard terminal else { return }
    for handle in state.pending.compactMap({ $0 }) { scheduler.cancel(handle) }
    let message = state.progress.map(\.lastMessage).filter { !$0.isEmpty }.joined(separator: "; ")
    let kind = run == 0 ? "step" : "background"
    let bad = worst == .failed || worst == .error || worst == .inconclusive
    if worst == .error { argoCD.analysisCouldNotJudge(deployment) }
    // A background run that succeeds decides nothing; every other ending asks.
    guard run == 0 || bad else { return }
    var observed = canary
    observed.stepAnalysisPhase = bad ? worst.name.lowercased() : "successful"
    observed.stepAnalysisMessage = message
    setCanary(observed, of: service)
    let action = askRolloutStep(of: service, trigger: "analysis-completed", run: kind, at: scheduler.now)
    // Only the step's own run is remembered for a re-ask after `wait`.
    if run == 1 { setCanary(canary, of: service) }
    if run == 1 && action.action == .wait { return }  // the rollout carries on without its background run
    carryOut(
      action, of: service, abortReason: "\(kind) analysis \(worst.name): \(message)", scheduler: &scheduler)
  }

  /// Cancels the canary's pending measurements and step.
  mutating func cancelRuns(of service: ServiceID, scheduler: inout Scheduler<WorldEvent>) {
    guard let canary = rollouts.canaries[service] else { return }
    for run in canary.runs.compactMap({ $0 }) {
      for handle in run.pending.compactMap({ $0 }) { scheduler.cancel(handle) }
    }
    if let step = canary.stepEvent { scheduler.cancel(step) }
  }
}

/// Phases of measurements, metrics and runs (Argo `AnalysisPhase`), ordered best to
/// worst as in utils/analysis/helpers.go `analysisStatusOrder`.
public enum AnalysisPhase: Int, Comparable, Sendable {
  case successful = 0
  case running = 1
  case inconclusive = 3
  case error = 4
  case failed = 5

  public static func < (lhs: AnalysisPhase, rhs: AnalysisPhase) -> Bool { lhs.rawValue < rhs.rawValue }

  public var name: String {
    switch self {
    case .successful: return "Successful"
    case .running: return "Running"
    case .inconclusive: return "Inconclusive"
    case .error: return "Error"
    case .failed: return "Failed"
    }
  }
}

/// The counters of one metric of a running AnalysisRun (Argo `MetricResult`).
struct MetricProgress {
  var count = 0
  var successful = 0
  var failed = 0
  var inconclusive = 0
  var errors = 0
  var consecutiveErrors = 0
  var phase: AnalysisPhase = .running
  var lastMessage = ""

  /// Records one measurement and re-assesses the metric with Argo's rules
  /// (analysis/analysis.go `runMeasurements` and `assessMetricStatus`).
  mutating func record(_ measurement: AnalysisPhase, metric: AnalysisMetric) {
    count(measurement)
    let verdict = ArgoAnalysisVerdict().decide(
      observation(metric: metric, last: measurement), at: PolicyTime(microseconds: 0))
    phase = AnalysisPhase(verdict.phase)
  }

  /// Updates the counters for one measurement (`runMeasurements`).
  mutating func count(_ measurement: AnalysisPhase) {
    switch measurement {
    case .error:
      errors += 1
      consecutiveErrors += 1
    case .successful:
      count += 1
      successful += 1
      consecutiveErrors = 0
    case .failed:
      count += 1
      failed += 1
      consecutiveErrors = 0
    case .inconclusive:
      count += 1
      inconclusive += 1
      consecutiveErrors = 0
    case .running:
      break
    }
  }

  /// What the analysis-verdict policy sees after a measurement.
  func observation(
    metric: AnalysisMetric, last: AnalysisPhase, service: String = "", run: String = "step"
  ) -> AnalysisVerdictObservation {
    AnalysisVerdictObservation(
      service: service, metric: metric.name, run: run, lastMeasurement: last.name.lowercased(), count: count,
      successful: successful, failed: failed, inconclusive: inconclusive, errors: errors,
      consecutiveErrors: consecutiveErrors, failureLimit: metric.failureLimit,
      inconclusiveLimit: metric.inconclusiveLimit,
      consecutiveErrorLimit: metric.consecutiveErrorLimit, plannedCount: metric.effectiveCount)
  }

  /// Classifies one query result (utils/evaluate/evaluate.go `EvaluateResult`): failure
  /// condition first, then success; neither condition means Successful (the code, not
  /// the docs); an evaluation error is an Error.
  static func classify(_ result: [Double], metric: AnalysisMetric) -> (AnalysisPhase, String) {
    do {
      if let failure = metric.failureCondition, try failure.holds(result: result) {
        return (.failed, "failureCondition met")
      }
      if let success = metric.successCondition {
        if try success.holds(result: result) { return (.successful, "successCondition met") }
        return metric.failureCondition == nil
          ? (.failed, "successCondition not met") : (.inconclusive, "neither condition met")
      }
      return (.successful, "no condition failed")
    } catch {
      return (.error, error.message)
    }
  }
}

extension AnalysisPhase {
  /// The model's phase for a policy's verdict.
  init(_ phase: AnalysisVerdictAction.Phase) {
    switch phase {
    case .running: self = .running
    case .successful: self = .successful
    case .failed: self = .failed
    case .inconclusive: self = .inconclusive
    case .error: self = .error
    }
  }
}
