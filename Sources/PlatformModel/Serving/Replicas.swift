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
struct CanarySizing: Sendable {
  var deployment: DeploymentID
  /// The weight Argo sizes for: the last `setWeight` at or before the current step, 0 once aborted.
  var weight: Int
  var maxSurge: ReplicaBudget
  var maxUnavailable: ReplicaBudget
  /// The canary version crashes on start: its pods never become available.
  var canaryNeverReady: Bool
  /// A `setCanaryScale` with `replicas` in force: the canary ReplicaSet is sized for
  /// that many pods of the service's replicas instead of `weight` (Argo's
  /// `GetCanaryReplicasOrWeight`); `nil` otherwise.
  var canaryReplicas: Int? = nil
  /// A traffic-routed canary (``ArgoCanary/TrafficRouting``); `nil` for a basic canary.
  var trafficRouting: ArgoCanary.TrafficRouting? = nil
  /// When a traffic-routed canary was aborted: its pods go at this time plus the
  /// abort scale-down delay.
  var abortedAt: SimTime? = nil

  /// The weight the ReplicaSets are sized for: `weight`, or the share `canaryReplicas`
  /// pods make of `specReplicas`, rounded up and at most 100 %.
  func sizedWeight(specReplicas: Int) -> Int {
    guard let canaryReplicas else { return weight }
    guard specReplicas > 0 else { return canaryReplicas > 0 ? 100 : 0 }
    return min(100, (canaryReplicas * 100 + specReplicas - 1) / specReplicas)
  }
}

/// A ready time no replica reaches (a pod that never passes readiness).
let neverReadyTime = SimTime(microseconds: .max / 4)

/// The replicas of one service.
struct ServiceReplicas {
  /// Replicas ready at the last traffic interval.
  var ready: Int
  /// The ReplicaSet's desired count (`spec.replicas`), as the autoscaler last set it;
  /// the pods may number more during a canary (surge) or after an eviction.
  var specReplicas = 0
  /// Stable and canary pods during an Argo canary; `nil` otherwise.
  var canarySizing: CanarySizing?
  /// The canary whose current `setWeight` step waits for its ReplicaSets to reach their
  /// counts, all available (`AtDesiredReplicaCountsForCanary`), as delivery last said.
  var canaryAwaitingCounts: DeploymentID?
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

/// What one service's replicas change beyond themselves during a step.
///
/// Pods for the cluster, canary progress for delivery; collected by ``Replicas``.
struct ReplicaEffects {
  var podRequests: [ServingPodRequest] = []
  /// Canaries whose `setWeight` step found its ReplicaSets at their counts during the
  /// current traffic interval; the step completes right after it.
  var canariesConverged: [DeploymentID] = []
  /// Canaries whose ReplicaSets made progress during the current traffic interval
  /// without converging: their progress deadline restarts.
  var canariesProgressed: [DeploymentID] = []
}

/// The services' replicas: overload, replica autoscaling and Argo canary ReplicaSets,
/// decided once per traffic interval (KServe / Knative / HPA semantics in
/// ``ServingConfiguration``).
///
/// Replicas of a placed service are pods the cluster binds (``ServingPodRequest``,
/// ``ServingPodNotice``): they count toward `spec.replicas` while pending but serve
/// only once bound and warm (``ColdStarts``). During an Argo canary the replicas split
/// into a stable and a canary ReplicaSet sized by ``ArgoBasicCanary``; capacity is
/// every ready pod. Each service's ``ServiceReplicas`` changes in place (its methods
/// run through optional chaining on the array element), so no interval copies it.
struct Replicas {
  let services: IDArray<ServiceID, ServiceConfiguration>
  let interval: SimDuration
  let policies: PolicySet
  /// Replica state per service with a serving configuration.
  private(set) var states: IDArray<ServiceID, ServiceReplicas?>
  /// Pod requests and canary progress since the World last looked.
  private var effects = ReplicaEffects()

  /// The run starts with each service's initial replicas running; placed ones are pods
  /// the cluster binds at time zero, ready at once.
  init(configuration: DeliveryConfiguration, seed: RandomSeed, policies: PolicySet) {
    services = IDArray(configuration.services)
    interval = configuration.trafficInterval
    self.policies = policies
    var podRequests: [ServingPodRequest] = []
    states = IDArray(
      configuration.services.enumerated().map { position, service in
        service.serving.map { serving in
          let initial = min(serving.maxReplicas, max(serving.minReplicas, serving.initialReplicas))
          let placed = serving.placement != nil
          var state = ServiceReplicas(
            ready: placed ? 0 : initial, stream: seed.stream("serving/\(service.name)"),
            canaryStream: seed.stream("serving/\(service.name)/canary"))
          state.placed = placed
          state.specReplicas = initial
          for number in 0..<Int32(initial) {
            // A placed initial replica that finds no room at time zero starts cold when bound.
            let coldStart = placed ? serving.coldStart.sampleDuration(&state.stream) : .zero
            state.replicas.append(
              ServingReplica(number: number, coldStart: coldStart, readyAt: placed ? nil : .zero, createdAt: .zero))
            if placed {
              podRequests.append(.create(ServingPodID(service: ServiceID(position: position), replica: number)))
            }
          }
          state.nextReplicaNumber = Int32(initial)
          return state
        }
      })
    effects.podRequests = podRequests
  }

  /// GPU-seconds all placed serving replicas spent on requests (``ServiceReplicas/usedGPUSeconds``).
  var usedGPUSeconds: Double { states.reduce(0) { $0 + ($1?.usedGPUSeconds ?? 0) } }

  /// Shapes one interval of a service's traffic by its capacity and scales it.
  ///
  /// - Returns: requests that failed for lack of capacity (overload shed, or waiting
  ///   for a cold start longer than the timeout).
  mutating func serve(_ service: ServiceID, requests: Int64, at time: SimTime, stream: inout RandomStream) -> Int64 {
    guard let serving = services[service].serving else { return 0 }
    let timeout = services[service].timeoutSeconds
    let name = services[service].name
    let policy = policies.replicaAutoscaling
    let seconds = interval.seconds
    return states[service]?.serve(
      service, requests: requests, at: time, stream: &stream, serving: serving, interval: seconds, timeout: timeout,
      name: name, policy: policy, effects: &effects) ?? 0
  }

  /// The cluster bound a placed replica's pod to a node: it starts (``ColdStarts``).
  mutating func podBound(_ pod: ServingPodID, at time: SimTime) {
    states[pod.service]?.podBound(replica: pod.replica, at: time)
  }

  /// A placed replica's node went: its replacement pod starts over (``ColdStarts``).
  mutating func podEvicted(_ pod: ServingPodID, at time: SimTime) {
    guard let serving = services[pod.service].serving else { return }
    states[pod.service]?.podEvicted(replica: pod.replica, serving: serving, at: time)
  }

  /// Hands the cluster the pod requests since the last call.
  mutating func drainPodRequests() -> [ServingPodRequest] {
    guard !effects.podRequests.isEmpty else { return [] }
    defer { effects.podRequests = [] }
    return effects.podRequests
  }

  /// Hands delivery the canaries that converged or progressed since the last call.
  mutating func drainCanaryProgress() -> (converged: [DeploymentID], progressed: [DeploymentID]) {
    guard !effects.canariesConverged.isEmpty || !effects.canariesProgressed.isEmpty else { return ([], []) }
    defer {
      effects.canariesConverged = []
      effects.canariesProgressed = []
    }
    return (effects.canariesConverged, effects.canariesProgressed)
  }

  /// Delivery's canary changed: whether its current step waits for replica counts.
  mutating func canaryChanged(_ service: ServiceID, to canary: CanaryTraffic?) {
    states[service]?.canaryAwaitingCounts = canary?.awaitingReplicaCounts == true ? canary?.deployment : nil
  }

  /// An Argo canary's current step changed its ReplicaSets' sizing (``ServiceReplicas/sizeCanary(_:of:at:effects:)``).
  mutating func sizeCanary(_ service: ServiceID, _ sizing: CanarySizing, at time: SimTime) {
    states[service]?.sizeCanary(sizing, of: service, at: time, effects: &effects)
  }

  /// The canary was promoted: its pods are the stable ReplicaSet's now, and the
  /// autoscaler trims any surge at its next decision.
  mutating func promoteCanary(_ service: ServiceID) {
    guard states[service]?.canarySizing != nil else { return }
    states[service]?.promoteCanary()
  }

  /// The canary was aborted (or stalled, or replaced by another rollout): its weight is
  /// 0, so Argo scales the stable back up and the canary down within the budgets.
  mutating func abortCanary(_ service: ServiceID, at time: SimTime) {
    guard states[service]?.canarySizing != nil else { return }
    states[service]?.canarySizing?.weight = 0
    if states[service]?.canarySizing?.trafficRouting != nil { states[service]?.canarySizing?.abortedAt = time }
  }

  /// The share of a service's requests its canary receives.
  ///
  /// Argo Rollouts without traffic routing only approximates `setWeight` with pod
  /// counts (policy-semantics.md §1.2) and the Service spreads requests over ready
  /// pods, so users see canary-ready / all-ready: 2 of 11 pods is 18 % at
  /// `setWeight: 10`, and a canary still starting gets nothing. Services without a
  /// replica model (and blue-green, which switches) get the weight.
  ///
  /// With a traffic router the canary gets exactly the weight, once it has a ready pod
  /// (``ArgoCanary/TrafficRouting``).
  func canaryTrafficShare(_ service: ServiceID, weight: Int, at time: SimTime) -> Double {
    guard let state = states[service], let sizing = state.canarySizing else { return Double(weight) / 100 }
    var canaryReady = 0
    var stableReady = 0
    for replica in state.replicas {
      guard let readyAt = replica.readyAt, readyAt <= time else { continue }
      if replica.track == .canary { canaryReady += 1 } else { stableReady += 1 }
    }
    if sizing.trafficRouting != nil { return canaryReady > 0 ? Double(weight) / 100 : 0 }
    guard canaryReady + stableReady > 0 else { return Double(weight) / 100 }
    return Double(canaryReady) / Double(canaryReady + stableReady)
  }
}

/// One service's replica set over an interval: capacity, scaling, and the Argo
/// canary's two ReplicaSets.
extension ServiceReplicas {
  /// Shapes one interval of the service's traffic by its capacity and scales it.
  ///
  /// - Returns: requests that failed for lack of capacity (overload shed, or waiting
  ///   for a cold start longer than the timeout).
  mutating func serve(
    _ service: ServiceID, requests: Int64, at time: SimTime, stream: inout RandomStream, serving: ServingConfiguration,
    interval: Double, timeout: Double, name: String, policy: any ReplicaAutoscalingPolicy,
    effects: inout ReplicaEffects
  ) -> Int64 {
    ready = readyCount(at: time)
    let load = Double(requests) / interval
    var failed: Int64 = 0
    if requests > 0 { lastTrafficAt = time }
    if ready == 0 && requests > 0 {
      // The activator buffers requests and wakes the service at once.
      if replicas.isEmpty {
        startReplicas(1, of: service, serving: serving, at: time, effects: &effects)
        specReplicas = max(specReplicas, 1)
      }
      let failing = activatorFailureShare(at: time, interval: interval, timeout: timeout)
      failed = binomial(requests, failing, &stream)
      coldStartFailures += failed
    } else if ready > 0 {
      let capacity = Double(ready) * serving.replicaCapacity
      if load > capacity {
        failed = binomial(requests, (load - capacity) / load, &stream)
        capacityFailures += failed
      }
    }
    let recommended = recommendedReplicas(serving: serving, load: load, at: time)
    let desired = replicaDecision(
      serving: serving, load: load, recommended: recommended, at: time, name: name, policy: policy)
    let total = replicas.count
    if let sizing = canarySizing {
      resizeCanary(sizing, specReplicas: desired, of: service, serving: serving, at: time, effects: &effects)
    } else if desired > total {
      startReplicas(desired - total, of: service, serving: serving, at: time, effects: &effects)
      scaleEvents += 1
    } else if desired < total {
      removeReplicas(total - desired, of: service, at: time, effects: &effects)
      scaleEvents += 1
    }
    specReplicas = desired
    // Pods waiting for a node hold no node-time.
    replicaSeconds += Double(replicas.count - pendingCount) * interval
    if let gpus = serving.placement?.perReplica.gpuCount, gpus > 0, serving.replicaCapacity > 0 {
      usedGPUSeconds += min(load / serving.replicaCapacity, Double(ready)) * Double(gpus) * interval
    }
    return failed
  }

  /// Creates `count` replicas, each with its cold start drawn now: off the cluster
  /// it starts at once; placed, its pod goes to the cluster and starts when bound.
  mutating func startReplicas(
    _ count: Int, of service: ServiceID, serving: ServingConfiguration, at time: SimTime,
    track: ReplicaTrack = .stable, neverReady: Bool = false, effects: inout ReplicaEffects
  ) {
    for _ in 0..<count {
      let coldStart = drawColdStart(serving, track: track)
      let number = nextReplicaNumber
      nextReplicaNumber += 1
      let readyAt = neverReady ? neverReadyTime : time + coldStart
      replicas.append(
        ServingReplica(
          number: number, track: track, neverReady: neverReady, coldStart: coldStart,
          readyAt: placed ? nil : readyAt, createdAt: time))
      coldStarts += 1
      if placed { effects.podRequests.append(.create(ServingPodID(service: service, replica: number))) }
    }
  }

  /// Scales down by `count` in the ReplicaSet controller's order: pods still pending,
  /// then those starting (the latest ready first), then ready ones (newest first).
  mutating func removeReplicas(
    _ count: Int, of service: ServiceID, at time: SimTime, track: ReplicaTrack? = nil, effects: inout ReplicaEffects
  ) {
    func rank(_ replica: ServingReplica) -> (Int, Int64, Int32) {
      guard let readyAt = replica.readyAt else { return (0, 0, -replica.number) }
      return readyAt > time ? (1, -readyAt.microseconds, -replica.number) : (2, 0, -replica.number)
    }
    let replicas = self.replicas
    let candidates = replicas.indices.filter { track == nil || replicas[$0].track == track }
    let victims = candidates.sorted { rank(replicas[$0]) < rank(replicas[$1]) }.prefix(count)
    for index in victims where placed {
      effects.podRequests.append(.delete(ServingPodID(service: service, replica: replicas[index].number)))
    }
    let removed = Set(victims)
    self.replicas = replicas.indices.filter { !removed.contains($0) }.map { replicas[$0] }
  }

  // MARK: - Argo basic canary: stable and canary ReplicaSets

  /// One reconcile of the canary's ReplicaSets toward `sizing.weight` of `specReplicas`
  /// (``ArgoBasicCanary``), counting pods ready at `time` as available.
  mutating func resizeCanary(
    _ sizing: CanarySizing, specReplicas: Int, of service: ServiceID, serving: ServingConfiguration, at time: SimTime,
    effects: inout ReplicaEffects
  ) {
    func counts(_ track: ReplicaTrack) -> ReplicaSetCounts {
      var counts = ReplicaSetCounts(spec: 0, available: 0)
      for replica in replicas where replica.track == track {
        counts.spec += 1
        if let readyAt = replica.readyAt, readyAt <= time { counts.available += 1 }
      }
      return counts
    }
    let canary = counts(.canary)
    let stable = counts(.stable)
    let next: (canary: Int, stable: Int)
    if let routing = sizing.trafficRouting {
      next = (
        ArgoTrafficRoutedCanary.canaryCount(
          replicas: specReplicas, weight: sizing.weight, canaryReplicas: sizing.canaryReplicas,
          abortedAt: sizing.abortedAt, abortScaleDownDelay: routing.abortScaleDownDelay, current: canary.spec, at: time),
        specReplicas
      )
    } else {
      let fences = ArgoBasicCanary.fenceposts(
        maxSurge: sizing.maxSurge, maxUnavailable: sizing.maxUnavailable, replicas: specReplicas)
      next = ArgoBasicCanary.reconcile(
        replicas: specReplicas, weight: sizing.sizedWeight(specReplicas: specReplicas), surge: fences.surge,
        unavailable: fences.unavailable,
        canary: canary, stable: stable)
    }
    let awaiting = canaryAwaitingCounts == sizing.deployment
    // AtDesiredReplicaCountsForCanary: nothing left to change and every pod available.
    if awaiting && next.canary == canary.spec && next.stable == stable.spec && canary.available == canary.spec
      && stable.available == stable.spec
    {
      canaryAwaitingCounts = nil
      effects.canariesConverged.append(sizing.deployment)
    } else if awaiting, let last = lastCanaryCounts,
      last.canary != canary || last.stable != stable || next.canary != canary.spec || next.stable != stable.spec
    {
      // Progress (pods created, removed or newly available) restarts the progress
      // deadline, as Argo's `progressDeadlineSeconds` counts time without progress.
      effects.canariesProgressed.append(sizing.deployment)
    }
    lastCanaryCounts = (canary, stable)
    for (track, current, target) in [
      (ReplicaTrack.stable, stable.spec, next.stable), (.canary, canary.spec, next.canary),
    ] {
      if target > current {
        startReplicas(
          target - current, of: service, serving: serving, at: time, track: track,
          neverReady: track == .canary && sizing.canaryNeverReady, effects: &effects)
        scaleEvents += 1
      } else if target < current {
        removeReplicas(current - target, of: service, at: time, track: track, effects: &effects)
        scaleEvents += 1
      }
    }
    // An abort is over once the canary has no pods left.
    if sizing.weight == 0 && next.canary == 0 { canarySizing = nil }
  }

  /// An Argo canary's current step changed its ReplicaSets' sizing.
  ///
  /// They are sized for `sizing` from the next traffic interval on. A canary of another
  /// deployment (superseded) loses its pods at once.
  mutating func sizeCanary(
    _ sizing: CanarySizing, of service: ServiceID, at time: SimTime, effects: inout ReplicaEffects
  ) {
    if let current = canarySizing, current.deployment != sizing.deployment {
      let stale = replicas.filter { $0.track == .canary }.count
      removeReplicas(stale, of: service, at: time, track: .canary, effects: &effects)
    }
    canarySizing = sizing
  }

  /// The canary's pods are the stable ReplicaSet's now.
  mutating func promoteCanary() {
    for index in replicas.indices { replicas[index].track = .stable }
    canarySizing = nil
  }
}
