import Policies
import SimKernel

/// Which ReplicaSet of a service a replica belongs to during an Argo canary.
enum ReplicaTrack {
  case stable
  case canary
}

/// One replica of a service: a pod of its ReplicaSet.
struct ServingReplica {
  /// The replica's number within its service, never reused (the pod's name).
  var number: Int32
  var track = ReplicaTrack.stable
  /// A canary pod of a version that crashes on start: never passes readiness.
  var neverReady = false
  /// Image pull + model load, drawn when the pod is created.
  var coldStart: SimDuration
  /// When it is (or will be) ready; `nil` while a placed replica's pod waits for a node.
  var readyAt: SimTime?
  /// When the pod was created (the activator counts on the cold start of a pod
  /// created in the current interval).
  var createdAt: SimTime
}

/// An Argo basic canary's pod sizing in progress (or being undone after an abort).
struct CanarySizing {
  var deployment: DeploymentID
  /// The weight Argo sizes for: the last `setWeight` at or before the current step, 0 once aborted.
  var weight: Int
  var maxSurge: ReplicaBudget
  var maxUnavailable: ReplicaBudget
  /// The canary version crashes on start: its pods never become available.
  var canaryNeverReady: Bool
}

/// A ready time no replica reaches (a pod that never passes readiness).
let neverReadyTime = SimTime(microseconds: .max / 4)

/// The replicas of one service.
struct ServingState {
  /// Replicas ready at the last traffic interval.
  var ready: Int
  /// The ReplicaSet's desired count (`spec.replicas`), as the autoscaler last set it;
  /// the pods may number more during a canary (surge) or after an eviction.
  var specReplicas = 0
  /// Stable and canary pods during an Argo canary; `nil` otherwise.
  var canarySizing: CanarySizing?
  /// The ReplicaSets' counts at the last reconcile of a canary, to tell progress.
  var lastCanaryCounts: (canary: ReplicaSetCounts, stable: ReplicaSetCounts)?
  /// Every replica the service has (ready, starting, or pending for a node), oldest first.
  var replicas: [ServingReplica] = []
  var nextReplicaNumber: Int32 = 0
  /// Whether the replicas are pods on the cluster (``ServingPlacement``).
  var placed = false
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
  /// Placed replicas whose node went (spot reclaim, schedule, drain): each was replaced.
  var evictions = 0
  /// GPU-seconds the placed replicas spent serving: busy replica-equivalents (load over
  /// per-replica capacity, at most the ready replicas) × GPUs per replica.
  var usedGPUSeconds = 0.0
  var stream: RandomStream
  /// Cold starts of canary pods, drawn apart so the stable replicas' draws do not shift.
  var canaryStream: RandomStream

  /// Replicas bound and still starting at `time`, by ready time ascending.
  func startingReadyTimes(at time: SimTime) -> [SimTime] {
    replicas.compactMap { replica in replica.readyAt.flatMap { $0 > time ? $0 : nil } }.sorted()
  }

  /// Replicas ready at `time`.
  func readyCount(at time: SimTime) -> Int {
    replicas.reduce(0) { $0 + (($1.readyAt.map { $0 <= time } ?? false) ? 1 : 0) }
  }

  /// Placed replicas whose pods wait for a node.
  var pendingCount: Int { replicas.reduce(0) { $0 + ($1.readyAt == nil ? 1 : 0) } }
}

/// Serving capacity: replicas, overload, cold starts and replica autoscaling, decided
/// once per traffic interval (KServe / Knative / HPA semantics in ServingConfiguration).
///
/// Replicas of a placed service are pods the cluster binds (``ServingPodRequest``,
/// ``ServingPodNotice``): they count toward `spec.replicas` while pending but serve
/// only once bound and warm. During an Argo canary the replicas split into a stable
/// and a canary ReplicaSet sized by ``ArgoBasicCanary``; capacity is every ready pod.
extension Delivery {
  /// GPU-seconds all placed serving replicas spent on requests (``ServingState/usedGPUSeconds``).
  public var servingUsedGPUSeconds: Double {
    servingStates.reduce(0) { $0 + ($1?.usedGPUSeconds ?? 0) }
  }

  /// Shapes one interval of a service's traffic by its capacity and scales it.
  ///
  /// - Returns: requests that failed for lack of capacity (overload shed, or waiting
  ///   for a cold start longer than the timeout).
  mutating func serve(
    serviceIndex: Int, requests: Int64, at time: SimTime, stream: inout RandomStream
  ) -> Int64 {
    guard let serving = configuration.services[serviceIndex].serving, var state = servingStates[serviceIndex] else {
      return 0
    }
    let interval = configuration.trafficInterval.seconds
    let timeout = configuration.services[serviceIndex].timeoutSeconds
    state.ready = state.readyCount(at: time)
    let load = Double(requests) / interval
    var failed: Int64 = 0
    if requests > 0 { state.lastTrafficAt = time }
    if state.ready == 0 && requests > 0 {
      // The activator buffers requests and wakes the service at once.
      if state.replicas.isEmpty {
        startReplicas(1, serviceIndex: serviceIndex, serving: serving, state: &state, at: time)
        state.specReplicas = max(state.specReplicas, 1)
      }
      // Waiting on a starting replica, or on a pod just created (bound at once if a
      // node has room); a pod pending since earlier has no node, so nothing serves.
      let starting = state.startingReadyTimes(at: time).first
      let fresh = state.replicas.filter { $0.readyAt == nil && $0.createdAt == time }.map(\.coldStart).min()
      let wait = starting.map { ($0 - time).seconds } ?? fresh.map(\.seconds) ?? (interval + timeout)
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
    let total = state.replicas.count
    if let sizing = state.canarySizing {
      resizeCanary(sizing, specReplicas: desired, serviceIndex: serviceIndex, serving: serving, state: &state, at: time)
    } else if desired > total {
      startReplicas(desired - total, serviceIndex: serviceIndex, serving: serving, state: &state, at: time)
      state.scaleEvents += 1
    } else if desired < total {
      removeReplicas(total - desired, serviceIndex: serviceIndex, state: &state, at: time)
      state.scaleEvents += 1
    }
    state.specReplicas = desired
    // Pods waiting for a node hold no node-time.
    state.replicaSeconds += Double(state.replicas.count - state.pendingCount) * interval
    if let gpus = serving.placement?.perReplica.gpuCount, gpus > 0, serving.replicaCapacity > 0 {
      state.usedGPUSeconds += min(load / serving.replicaCapacity, Double(state.ready)) * Double(gpus) * interval
    }
    servingStates[serviceIndex] = state
    return failed
  }

  /// Asks the replica-autoscaling policy; by default the configured autoscaler's
  /// recommendation stands.
  func replicaDecision(
    serviceIndex: Int, serving: ServingConfiguration, state: ServingState, load: Double, recommended: Int,
    at time: SimTime
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
      service: configuration.services[serviceIndex].name, currentReplicas: state.specReplicas,
      readyReplicas: state.ready, metricValue: load / Double(max(1, state.ready)),
      targetValue: serving.replicaCapacity * target, minReplicas: serving.minReplicas, maxReplicas: serving.maxReplicas,
      tolerance: tolerance, autoscaler: autoscaler, recommendedReplicas: recommended)
    return policies.replicaAutoscaling.decide(observation, at: PolicyTime(microseconds: time.microseconds))
      .desiredReplicas
  }

  /// Creates `count` replicas, each with its cold start drawn now: off the cluster
  /// it starts at once; placed, its pod goes to the cluster and starts when bound.
  mutating func startReplicas(
    _ count: Int, serviceIndex: Int, serving: ServingConfiguration, state: inout ServingState, at time: SimTime,
    track: ReplicaTrack = .stable, neverReady: Bool = false
  ) {
    for _ in 0..<count {
      let coldStart =
        track == .canary
        ? serving.coldStart.sampleDuration(&state.canaryStream) : serving.coldStart.sampleDuration(&state.stream)
      let number = state.nextReplicaNumber
      state.nextReplicaNumber += 1
      let readyAt = neverReady ? neverReadyTime : time + coldStart
      state.replicas.append(
        ServingReplica(
          number: number, track: track, neverReady: neverReady, coldStart: coldStart,
          readyAt: state.placed ? nil : readyAt,
          createdAt: time))
      state.coldStarts += 1
      if state.placed {
        servingPodRequests.append(.create(ServingPodID(service: ServiceID(Int32(serviceIndex)), replica: number)))
      }
    }
  }

  /// Scales down by `count` in the ReplicaSet controller's order: pods still pending,
  /// then those starting (the latest ready first), then ready ones (newest first).
  mutating func removeReplicas(
    _ count: Int, serviceIndex: Int, state: inout ServingState, at time: SimTime, track: ReplicaTrack? = nil
  ) {
    func rank(_ replica: ServingReplica) -> (Int, Int64, Int32) {
      guard let readyAt = replica.readyAt else { return (0, 0, -replica.number) }
      return readyAt > time ? (1, -readyAt.microseconds, -replica.number) : (2, 0, -replica.number)
    }
    let candidates = state.replicas.indices.filter { track == nil || state.replicas[$0].track == track }
    let victims = candidates.sorted { rank(state.replicas[$0]) < rank(state.replicas[$1]) }.prefix(count)
    for index in victims where state.placed {
      servingPodRequests.append(
        .delete(ServingPodID(service: ServiceID(Int32(serviceIndex)), replica: state.replicas[index].number)))
    }
    let removed = Set(victims)
    state.replicas = state.replicas.indices.filter { !removed.contains($0) }.map { state.replicas[$0] }
  }

  /// The cluster bound a placed replica's pod to a node: it is ready one cold start
  /// later (at once for the replicas the run starts with).
  mutating func servingPodBound(_ pod: ServingPodID, at time: SimTime) {
    let service = pod.service.position
    guard var state = servingStates[service], let index = state.replicas.firstIndex(where: { $0.number == pod.replica })
    else {
      return
    }
    let replica = state.replicas[index]
    state.replicas[index].readyAt =
      replica.neverReady ? neverReadyTime : time == .zero ? time : time + replica.coldStart
    // Replicas created later counted their cold start when created.
    if time > .zero && state.replicas[index].createdAt == .zero { state.coldStarts += 1 }
    servingStates[service] = state
  }

  /// A placed replica's node went: it stops serving at once, and its ReplicaSet's
  /// replacement pod (same replica number, a new cold start) is pending.
  mutating func servingPodEvicted(_ pod: ServingPodID, at time: SimTime) {
    let service = pod.service.position
    guard let serving = configuration.services[service].serving, var state = servingStates[service],
      let index = state.replicas.firstIndex(where: { $0.number == pod.replica })
    else { return }
    state.replicas[index].readyAt = nil
    state.replicas[index].createdAt = time
    state.replicas[index].coldStart =
      state.replicas[index].track == .canary
      ? serving.coldStart.sampleDuration(&state.canaryStream) : serving.coldStart.sampleDuration(&state.stream)
    state.coldStarts += 1
    state.evictions += 1
    servingStates[service] = state
  }

  // MARK: - Argo basic canary: stable and canary ReplicaSets

  /// One reconcile of the canary's ReplicaSets toward `sizing.weight` of `specReplicas`
  /// (``ArgoBasicCanary``), counting pods ready at `time` as available.
  mutating func resizeCanary(
    _ sizing: CanarySizing, specReplicas: Int, serviceIndex: Int, serving: ServingConfiguration,
    state: inout ServingState,
    at time: SimTime
  ) {
    func counts(_ track: ReplicaTrack) -> ReplicaSetCounts {
      var counts = ReplicaSetCounts(spec: 0, available: 0)
      for replica in state.replicas where replica.track == track {
        counts.spec += 1
        if let readyAt = replica.readyAt, readyAt <= time { counts.available += 1 }
      }
      return counts
    }
    let canary = counts(.canary)
    let stable = counts(.stable)
    let fences = ArgoBasicCanary.fenceposts(
      maxSurge: sizing.maxSurge, maxUnavailable: sizing.maxUnavailable, replicas: specReplicas)
    let next = ArgoBasicCanary.reconcile(
      replicas: specReplicas, weight: sizing.weight, surge: fences.surge, unavailable: fences.unavailable,
      canary: canary,
      stable: stable)
    let awaiting =
      services[serviceIndex].canary?.deployment == sizing.deployment
      && services[serviceIndex].canary?.awaitingReplicaCounts == true
    // AtDesiredReplicaCountsForCanary: nothing left to change and every pod available.
    if awaiting && next.canary == canary.spec && next.stable == stable.spec && canary.available == canary.spec
      && stable.available == stable.spec
    {
      services[serviceIndex].canary?.awaitingReplicaCounts = false
      canaryReplicasConverged.append(sizing.deployment)
    } else if awaiting,
      let last = state.lastCanaryCounts,
      last.canary != canary || last.stable != stable || next.canary != canary.spec || next.stable != stable.spec
    {
      // Progress (pods created, removed or newly available) restarts the progress
      // deadline, as Argo's `progressDeadlineSeconds` counts time without progress.
      canaryReplicasProgressed.append(sizing.deployment)
    }
    state.lastCanaryCounts = (canary, stable)
    for (track, current, target) in [
      (ReplicaTrack.stable, stable.spec, next.stable), (.canary, canary.spec, next.canary),
    ] {
      if target > current {
        startReplicas(
          target - current, serviceIndex: serviceIndex, serving: serving, state: &state, at: time, track: track,
          neverReady: track == .canary && sizing.canaryNeverReady)
        state.scaleEvents += 1
      } else if target < current {
        removeReplicas(current - target, serviceIndex: serviceIndex, state: &state, at: time, track: track)
        state.scaleEvents += 1
      }
    }
    // An abort is over once the canary has no pods left.
    if sizing.weight == 0 && next.canary == 0 { state.canarySizing = nil }
  }

  /// An Argo canary's current step changed: size its ReplicaSets for `weight`.
  ///
  /// The sizing applies from the next traffic interval on. A canary of another deployment (superseded) loses its
  /// pods at once.
  mutating func sizeCanaryReplicas(
    serviceIndex: Int, deployment: DeploymentID, strategy: ArgoCanary, weight: Int, crashes: Bool, at time: SimTime
  ) {
    guard strategy.kind == .canary, var state = servingStates[serviceIndex] else { return }
    if let sizing = state.canarySizing, sizing.deployment != deployment {
      let stale = state.replicas.filter { $0.track == .canary }.count
      removeReplicas(stale, serviceIndex: serviceIndex, state: &state, at: time, track: .canary)
    }
    state.canarySizing = CanarySizing(
      deployment: deployment, weight: weight, maxSurge: strategy.maxSurge, maxUnavailable: strategy.maxUnavailable,
      canaryNeverReady: crashes)
    servingStates[serviceIndex] = state
  }

  /// The canary was promoted: its pods are the stable ReplicaSet's now, and the
  /// autoscaler trims any surge at its next decision.
  mutating func promoteCanaryReplicas(serviceIndex: Int) {
    guard var state = servingStates[serviceIndex], state.canarySizing != nil else { return }
    for index in state.replicas.indices { state.replicas[index].track = .stable }
    state.canarySizing = nil
    servingStates[serviceIndex] = state
  }

  /// The canary was aborted (or stalled, or replaced by another rollout): its weight is
  /// 0, so Argo scales the stable back up and the canary down within the budgets.
  mutating func abortCanaryReplicas(serviceIndex: Int) {
    guard servingStates[serviceIndex]?.canarySizing != nil else { return }
    servingStates[serviceIndex]?.canarySizing?.weight = 0
  }

  /// Hands the cluster the pod requests since the last call.
  mutating func drainServingPodRequests() -> [ServingPodRequest] {
    defer { servingPodRequests.removeAll(keepingCapacity: true) }
    return servingPodRequests
  }

  func desiredReplicas(serving: ServingConfiguration, state: inout ServingState, load: Double, at time: SimTime) -> Int
  {
    let current = state.specReplicas
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
