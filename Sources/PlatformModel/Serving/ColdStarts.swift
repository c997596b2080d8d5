import SimKernel

/// Cold starts: a new replica serves only after its image pull and model load (the
/// service's `coldStart` distribution), drawn when its pod is created — or, for a
/// placed replica, counted from when the cluster binds its pod.
///
/// A service with no ready replica buffers its requests in the activator (Knative)
/// and wakes at once; requests that would wait longer than the client timeout for the
/// first replica to start fail. Canary pods draw their cold starts from their own
/// stream (`serving/<service>/canary`), so the stable replicas' draws do not shift.
extension ServiceReplicas {
  /// Draws a new pod's cold start.
  mutating func drawColdStart(_ serving: ServingConfiguration, track: ReplicaTrack) -> SimDuration {
    track == .canary ? serving.coldStart.sampleDuration(&canaryStream) : serving.coldStart.sampleDuration(&stream)
  }

  /// The share of an interval's requests that fail while the activator waits for the
  /// first replica: waiting on a starting replica, or on a pod just created (bound at
  /// once if a node has room); a pod pending since earlier has no node, so nothing serves.
  func activatorFailureShare(at time: SimTime, interval: Double, timeout: Double) -> Double {
    let starting = startingReadyTimes(at: time).first
    let fresh = replicas.filter { $0.readyAt == nil && $0.createdAt == time }.map(\.coldStart).min()
    let wait = starting.map { ($0 - time).seconds } ?? fresh.map(\.seconds) ?? (interval + timeout)
    return min(1, max(0, wait - timeout) / interval)
  }

  /// The cluster bound a placed replica's pod to a node: it is ready one cold start
  /// later (at once for the replicas the run starts with).
  mutating func podBound(replica number: Int32, at time: SimTime) {
    guard let index = replicas.firstIndex(where: { $0.number == number }) else { return }
    let replica = replicas[index]
    replicas[index].readyAt = replica.neverReady ? neverReadyTime : time == .zero ? time : time + replica.coldStart
    // Replicas created later counted their cold start when created.
    if time > .zero && replicas[index].createdAt == .zero { coldStarts += 1 }
  }

  /// A placed replica's node went: it stops serving at once, and its ReplicaSet's
  /// replacement pod (same replica number, a new cold start) is pending.
  mutating func podEvicted(replica number: Int32, serving: ServingConfiguration, at time: SimTime) {
    guard let index = replicas.firstIndex(where: { $0.number == number }) else { return }
    replicas[index].readyAt = nil
    replicas[index].createdAt = time
    replicas[index].coldStart = drawColdStart(serving, track: replicas[index].track)
    coldStarts += 1
    evictions += 1
  }
}
