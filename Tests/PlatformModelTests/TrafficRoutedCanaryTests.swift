import SimKernel
import Testing

@testable import PlatformModel

/// Argo's traffic-routed canary (policy-semantics.md §1.4–1.5): the stable stays at
/// `spec.replicas`, the canary is sized ceil(weight × replicas / 100), and an aborted
/// canary's pods stay up for `abortScaleDownDelaySeconds`.
@Suite("Traffic-routed canary")
struct TrafficRoutedCanaryTests {
  static let serving = ServingConfiguration(
    replicaCapacity: 10, minReplicas: 10, maxReplicas: 10, initialReplicas: 10, autoscaler: .fixed,
    coldStart: .constant(30), replicaCostPerHour: 1)

  /// Ten stable pods, ready, and a canary sized as `routing` says at `weight`.
  func service(weight: Int, routing: ArgoCanary.TrafficRouting?) -> ServiceReplicas {
    var state = ServiceReplicas(
      ready: 10, stream: RandomStream(state: (1, 2, 3, 4)), canaryStream: RandomStream(state: (5, 6, 7, 8)))
    var effects = ReplicaEffects()
    state.startReplicas(10, of: ServiceID(0), serving: Self.serving, at: .zero, effects: &effects)
    var sizing = CanarySizing(
      deployment: DeploymentID(1), weight: weight, maxSurge: .percent(25), maxUnavailable: .percent(25),
      canaryNeverReady: false)
    sizing.trafficRouting = routing
    state.sizeCanary(sizing, of: ServiceID(0), at: instant(60), effects: &effects)
    return state
  }

  func instant(_ seconds: Double) -> SimTime { SimTime(microseconds: Int64(seconds * 1_000_000)) }

  func reconcile(_ state: inout ServiceReplicas, at time: SimTime) -> (canary: Int, stable: Int) {
    var effects = ReplicaEffects()
    if let sizing = state.canarySizing {
      state.resizeCanary(sizing, specReplicas: 10, of: ServiceID(0), serving: Self.serving, at: time, effects: &effects)
    }
    let canary = state.replicas.filter { $0.track == .canary }.count
    return (canary, state.replicas.count - canary)
  }

  @Test("with a router the stable keeps all its pods and the canary gets ceil(weight × replicas / 100)")
  func sizing() {
    for (weight, expected) in [(5, 1), (10, 1), (25, 3), (50, 5), (100, 10)] {
      var routed = service(weight: weight, routing: ArgoCanary.TrafficRouting())
      let counts = reconcile(&routed, at: instant(120))
      #expect(counts.canary == expected && counts.stable == 10, "weight \(weight): \(counts)")
    }
    // The basic canary at 50 % shrinks the stable within maxUnavailable instead.
    var basic = service(weight: 50, routing: nil)
    #expect(reconcile(&basic, at: instant(120)).stable < 10)
  }

  @Test("an aborted canary's pods stay up for abortScaleDownDelaySeconds, then go; 0 keeps them")
  func abortDelay() {
    let cases: [(delay: SimDuration?, goneAfter: Double)] = [
      (.seconds(30), 30), (.seconds(600), 600), (nil, .infinity),
    ]
    for (delay, goneAfter) in cases {
      var state = service(weight: 50, routing: ArgoCanary.TrafficRouting(abortScaleDownDelay: delay))
      _ = reconcile(&state, at: instant(120))
      state.canarySizing?.weight = 0
      state.canarySizing?.abortedAt = instant(180)
      for seconds in [180.0, 200, 209, 240, 700, 3_600] {
        let counts = reconcile(&state, at: instant(seconds))
        let expected = seconds - 180 < goneAfter ? 5 : 0
        #expect(counts.canary == expected && counts.stable == 10, "delay \(String(describing: delay)) at \(seconds)")
      }
    }
  }

  @Test("the router's weight alone decides the canary's traffic, once it has a ready pod")
  func share() {
    let routed = ArgoTrafficRoutedCanary.canaryCount(
      replicas: 4, weight: 10, canaryReplicas: nil, abortedAt: nil, abortScaleDownDelay: .seconds(30), current: 0,
      at: .zero)
    // 4 replicas at 10 %: one canary pod beside four stable ones. A basic canary's
    // Service would send it 1/5 of the requests; the router sends 10 %.
    #expect(routed == 1)
    #expect(
      ArgoTrafficRoutedCanary.canaryCount(
        replicas: 4, weight: 10, canaryReplicas: 3, abortedAt: nil, abortScaleDownDelay: nil, current: 0, at: .zero)
        == 3)
  }
}
