import Policies
import SimKernel

/// The replicas of one service.
struct ServingState {
  var ready: Int
  /// When each starting replica becomes ready, ascending.
  var starting: [SimTime] = []
  /// (time, desired) recommendations, for the HPA's scale-down stabilisation window.
  var recommendations: [(time: SimTime, desired: Int)] = []
  /// Load samples (time, requests per second) within the KPA stable window.
  var loadWindow: [(time: SimTime, load: Double)] = []
  var lastTrafficAt: SimTime = .zero
  var panicking = false
  var replicaSeconds = 0.0
  var coldStarts = 0
  var capacityFailures: Int64 = 0
  var coldStartFailures: Int64 = 0
  var scaleEvents = 0
  var stream: RandomStream
}

/// Serving capacity: replicas, overload, cold starts and replica autoscaling, decided
/// once per traffic interval (KServe / Knative / HPA semantics in ServingConfiguration).
extension Delivery {
  /// Shapes one interval of a service's traffic by its capacity and scales it.
  ///
  /// - Returns: requests that failed for lack of capacity (overload shed, or waiting
  ///   for a cold start longer than the timeout).
  mutating func serve(
    serviceIndex: Int, requests: Int64, at time: SimTime, stream: inout RandomStream
  ) -> Int64 {
    guard let serving = configuration.services[serviceIndex].serving, var state = servingStates[serviceIndex] else { return 0 }
    let interval = configuration.trafficInterval.seconds
    let timeout = configuration.services[serviceIndex].timeoutSeconds
    // Replicas that finished starting.
    while let first = state.starting.first, first <= time {
      state.starting.removeFirst()
      state.ready += 1
    }
    let load = Double(requests) / interval
    var failed: Int64 = 0
    if requests > 0 { state.lastTrafficAt = time }
    if state.ready == 0 && requests > 0 {
      // The activator buffers requests and wakes the service at once.
      if state.starting.isEmpty { startReplicas(1, serving: serving, state: &state, at: time) }
      let wait = ((state.starting.first ?? time) - time).seconds
      let failing = min(1, max(0, wait - timeout) / interval)
      failed = binomial(requests, failing, &stream)
      state.coldStartFailures += failed
    } else if state.ready > 0 {
      let capacity = Double(state.ready) * serving.replicaCapacity
      if load > capacity {
        failed = binomial(requests, (load - capacity) / load, &stream)
        state.capacityFailures += failed
      }
    }
    let recommended = desiredReplicas(serving: serving, state: &state, load: load, at: time)
    let desired = replicaDecision(
      serviceIndex: serviceIndex, serving: serving, state: state, load: load, recommended: recommended, at: time)
    let total = state.ready + state.starting.count
    if desired > total {
      startReplicas(desired - total, serving: serving, state: &state, at: time)
      state.scaleEvents += 1
    } else if desired < total {
      var excess = total - desired
      while excess > 0, !state.starting.isEmpty {
        state.starting.removeLast()
        excess -= 1
      }
      state.ready -= min(state.ready, excess)
      state.scaleEvents += 1
    }
    state.replicaSeconds += Double(state.ready + state.starting.count) * interval
    servingStates[serviceIndex] = state
    return failed
  }

  /// Asks the replica-autoscaling policy; by default the configured autoscaler's
  /// recommendation stands.
  func replicaDecision(
    serviceIndex: Int, serving: ServingConfiguration, state: ServingState, load: Double, recommended: Int, at time: SimTime
  ) -> Int {
    let autoscaler: String
    var target = 1.0
    var tolerance = 0.1
    switch serving.autoscaler {
    case .fixed: autoscaler = "fixed"
    case .hpa(let targetUtilization, let hpaTolerance, _):
      autoscaler = "hpa"
      target = targetUtilization
      tolerance = hpaTolerance
    case .kpa(let targetUtilization, _, _, _):
      autoscaler = "kpa"
      target = targetUtilization
    }
    let observation = ReplicaAutoscalingObservation(
      service: configuration.services[serviceIndex].name, currentReplicas: state.ready + state.starting.count,
      readyReplicas: state.ready, metricValue: load / Double(max(1, state.ready)),
      targetValue: serving.replicaCapacity * target, minReplicas: serving.minReplicas, maxReplicas: serving.maxReplicas,
      tolerance: tolerance, autoscaler: autoscaler, recommendedReplicas: recommended)
    return policies.replicaAutoscaling.decide(observation, at: PolicyTime(microseconds: time.microseconds)).desiredReplicas
  }

  func startReplicas(_ count: Int, serving: ServingConfiguration, state: inout ServingState, at time: SimTime) {
    for _ in 0..<count {
      state.starting.append(time + serving.coldStart.sampleDuration(&state.stream))
      state.coldStarts += 1
    }
    state.starting.sort()
  }

  func desiredReplicas(serving: ServingConfiguration, state: inout ServingState, load: Double, at time: SimTime) -> Int {
    let current = state.ready + state.starting.count
    func clamp(_ value: Int) -> Int { min(serving.maxReplicas, max(serving.minReplicas, value)) }
    switch serving.autoscaler {
    case .fixed:
      return current
    case .hpa(let target, let tolerance, let stabilization):
      guard state.ready > 0 else { return clamp(max(1, current)) }
      let utilization = load / (Double(state.ready) * serving.replicaCapacity)
      let ratio = utilization / target
      var recommendation = current
      if abs(ratio - 1) > tolerance {
        recommendation = Int((Double(state.ready) * ratio).rounded(.up))
      }
      recommendation = min(recommendation, max(2 * current, current + 4))
      recommendation = clamp(max(1, recommendation))
      state.recommendations.append((time, recommendation))
      state.recommendations.removeAll { time - $0.time > stabilization }
      // Scale down only to the highest recommendation in the window.
      if recommendation < current { return state.recommendations.map(\.desired).max() ?? recommendation }
      return recommendation
    case .kpa(let target, let stableWindow, let panicThreshold, let grace):
      state.loadWindow.append((time, load))
      state.loadWindow.removeAll { time - $0.time >= stableWindow }
      let stableLoad = state.loadWindow.map(\.load).reduce(0, +) / Double(max(1, state.loadWindow.count))
      let perReplica = serving.replicaCapacity * target
      var desired = Int((stableLoad / perReplica).rounded(.up))
      let readyCapacity = Double(max(1, state.ready)) * perReplica
      if load >= panicThreshold * readyCapacity && state.ready > 0 {
        state.panicking = true
        desired = max(desired, Int((load / perReplica).rounded(.up)))
      } else if state.panicking && load < readyCapacity {
        state.panicking = false
      }
      if state.panicking { desired = max(desired, current) }
      // Scale down at most by half per decision (max-scale-down-rate 2).
      if desired < current { desired = max(desired, current / 2) }
      if desired == 0 && time - state.lastTrafficAt < stableWindow + grace { desired = max(1, serving.minReplicas) }
      return clamp(desired)
    }
  }
}
