import Policies
import SimKernel
import Testing

@testable import PlatformModel

/// A Swift spot-fallback rule: wait for spot while spot pools are backed off, up to
/// `maximumWaitSeconds`, then take whatever can grow (docs/POLICIES.md's example).
final class PatientSpotCapacity: CapacityTypePolicy {
  let maximumWaitSeconds: Double
  private(set) var decisions: [CapacityTypeObservation] = []

  init(maximumWaitSeconds: Double) { self.maximumWaitSeconds = maximumWaitSeconds }

  func decide(_ observation: CapacityTypeObservation, at time: PolicyTime) -> CapacityTypeAction {
    decisions.append(observation)
    if !observation.spotPools.isEmpty { return CapacityTypeAction(capacityType: .spot) }
    if !observation.spotPoolsBackedOff.isEmpty && observation.waitingSeconds < maximumWaitSeconds {
      return CapacityTypeAction(capacityType: .spot)
    }
    return CapacityTypeAction(capacityType: .any)
  }
}

/// Rejects every workload: shows admission decisions reach the model.
final class RejectEverything: AdmissionPolicy {
  func decide(_ observation: AdmissionObservation, at time: PolicyTime) -> AdmissionAction {
    AdmissionAction(verdict: .reject, reason: "frozen by \(observation.team)'s change freeze")
  }
}

/// The model's decisions go through the policy set: a Swift policy installed there
/// changes what happens, with the observation the model built.
@Suite("Policy routing")
struct PolicyRoutingTests {
  static let shortage = SpotMarketConfiguration(shortageWindows: [SimTime.zero..<(SimTime.zero + .hours(6))])

  static func spotWorld(_ capacity: (any CapacityTypePolicy)?) -> Simulation<World> {
    var policies = PolicySet()
    if let capacity { policies.capacityType = capacity }
    return ClusterFixture.world(
      pools: [
        ClusterFixture.pool("spot", .spot, max: 10, desired: 0, delay: .constant(120)),
        ClusterFixture.pool("od", .onDemand, max: 10, desired: 0, delay: .constant(120)),
      ],
      streams: [ClusterFixture.gpuStream(workers: 2, capacity: .spotWithFallback)], market: shortage,
      autoscaler: ClusterAutoscalerConfiguration(), policies: policies)
  }

  @Test func patientSpotRuleWaitsOutTheShortageInsteadOfFallingBack() throws {
    let rule = PatientSpotCapacity(maximumWaitSeconds: 8 * 3_600)
    var simulation = Self.spotWorld(rule)
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(8))
    let cluster = try #require(simulation.model.cluster)
    // The built-in would be on on-demand nodes within minutes (ClusterTests); this rule
    // waits for spot, which comes back when the 6 h shortage ends.
    #expect(cluster.nodeTable.nodes.allSatisfy { $0.capacityType == .spot })
    #expect(cluster.training.jobs[JobID(0)].phase == .finished)
    #expect(try #require(cluster.training.jobs[JobID(0)].firstStartedAt) >= SimTime.zero + .hours(6))
    #expect(rule.decisions.contains { $0.spotPools.isEmpty && $0.spotPoolsBackedOff == ["spot"] })
    #expect(rule.decisions.allSatisfy { $0.team == "team-a" && $0.onDemandPools == ["od"] || !$0.spotPools.isEmpty })
  }

  @Test func builtInSpotFirstFallsBackAtOnce() throws {
    var simulation = Self.spotWorld(nil)
    ClusterFixture.submit(&simulation, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(1))
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.nodeTable.nodes.allSatisfy { $0.capacityType == .onDemand })
  }

  @Test func admissionPolicyDecidesForEveryJob() throws {
    var policies = PolicySet()
    policies.admission = RejectEverything()
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("od", .onDemand, desired: 1)], streams: [ClusterFixture.gpuStream()],
      policies: policies)
    ClusterFixture.submit(&simulation, solveTime: .minutes(5), count: 3)
    let cluster = try #require(simulation.model.cluster)
    #expect(cluster.statistics.jobsRejected == 3)
    #expect(cluster.training.jobs.allSatisfy { $0.rejectionReason == "frozen by team-a's change freeze" })
  }
}

/// Overrides a service's autoscaler: always the maximum (capacity planning's
/// "what if we never scaled down").
final class AlwaysMaximumReplicas: ReplicaAutoscalingPolicy {
  private(set) var recommendations: [Int] = []
  func decide(_ observation: ReplicaAutoscalingObservation, at time: PolicyTime) -> ReplicaAutoscalingAction {
    recommendations.append(observation.recommendedReplicas)
    return ReplicaAutoscalingAction(desiredReplicas: observation.maxReplicas)
  }
}

@Suite("Replica autoscaling through the policy")
struct ReplicaPolicyRoutingTests {
  func world(policies: PolicySet?) -> World {
    var configuration = deliveryWorld(seed: 9, defectProbability: 0).configuration
    configuration.delivery?.services[0].serving = ServingConfiguration(
      replicaCapacity: 10, minReplicas: 1, maxReplicas: 20, initialReplicas: 1,
      autoscaler: .hpa(targetUtilization: 0.8, tolerance: 0.1, scaleDownStabilization: .seconds(300)),
      coldStart: .constant(30))
    configuration.delivery?.services[0].requestsPerSecond = 100
    return World(configuration: configuration, rows: nil, policies: policies)
  }

  @Test func aSwiftPolicyOverridesTheHPAAndSeesItsRecommendation() throws {
    let policy = AlwaysMaximumReplicas()
    var policies = PolicySet()
    policies.replicaAutoscaling = policy
    let pinned = try #require(run(world(policies: policies), days: 1).serving?.replicas.states[ServiceID(0)])
    let hpa = try #require(run(world(policies: nil), days: 1).serving?.replicas.states[ServiceID(0)])
    #expect(pinned.ready == 20)
    #expect((12...14).contains(hpa.ready))
    // The HPA's own recommendation still reaches the policy.
    #expect(policy.recommendations.last.map { (12...14).contains($0) } == true)
  }
}

/// The pending queue's order goes through `queueOrder`.
///
/// One g5.xlarge (1 GPU) is busy for an hour, then a low-priority job and a
/// high-priority one wait (preemption off).
/// kube-scheduler's PrioritySort starts the high-priority job first when the node
/// frees; `fifo` starts the earlier one.
@Suite("Queue order through the policy")
struct QueueOrderRoutingTests {
  func startTimes(_ order: any QueueOrderPolicy) -> (low: SimTime?, high: SimTime?) {
    var policies = PolicySet()
    policies.queueOrder = order
    policies.preemption = NeverPreempt()
    var simulation = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 1, desired: 1)],
      streams: [
        ClusterFixture.gpuStream(priority: 0, capacity: .onDemand),
        ClusterFixture.gpuStream(priority: 100, capacity: .onDemand),
      ], policies: policies)
    ClusterFixture.submit(&simulation, stream: 0, solveTime: .hours(1))
    _ = simulation.run(until: SimTime.zero + .minutes(10))
    ClusterFixture.submit(&simulation, stream: 0, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .minutes(20))
    ClusterFixture.submit(&simulation, stream: 1, solveTime: .minutes(30))
    _ = simulation.run(until: SimTime.zero + .hours(4))
    let jobs = simulation.model.cluster!.training.jobs
    return (jobs[JobID(1)].firstStartedAt, jobs[JobID(2)].firstStartedAt)
  }

  @Test func priorityFirstByDefaultFIFOOtherwise() throws {
    let priority = startTimes(KubeSchedulerQueueOrder())
    let fifo = startTimes(FIFOQueueOrder())
    #expect(try #require(priority.high) < #require(priority.low))
    #expect(try #require(fifo.low) < #require(fifo.high))
  }
}

/// Node choice goes through `nodeOrder`: a `spot-with-fallback` job with one
/// on-demand and one spot node free lands on spot with `first-fit`, on the first
/// pool (on-demand) with `pool-order`.
@Suite("Node order through the policy")
struct NodeOrderRoutingTests {
  func placedCapacityType(_ order: any NodeOrderPolicy) -> CapacityType? {
    var policies = PolicySet()
    policies.nodeOrder = order
    var simulation = ClusterFixture.world(
      pools: [
        ClusterFixture.pool("od", .onDemand, max: 1, desired: 1),
        ClusterFixture.pool("spot", .spot, max: 1, desired: 1),
      ],
      streams: [ClusterFixture.gpuStream(capacity: .spotWithFallback)], policies: policies)
    _ = simulation.run(until: SimTime.zero + .minutes(5))
    ClusterFixture.submit(&simulation, stream: 0, solveTime: .hours(1))
    _ = simulation.run(until: SimTime.zero + .minutes(10))
    let cluster = simulation.model.cluster!
    guard let node = cluster.training.jobs[JobID(0)].nodes.first else { return nil }
    return cluster.nodeTable[node].capacityType
  }

  @Test func spotFirstByDefaultPoolOrderOtherwise() {
    #expect(placedCapacityType(FirstFitNodeOrder()) == .spot)
    #expect(placedCapacityType(PoolOrderNodeOrder()) == .onDemand)
  }
}
