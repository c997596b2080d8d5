import Policies
import SimKernel

@testable import PlatformModel

/// Small worlds for cluster tests.
enum ClusterFixture {
  static let calendar: SimCalendar = {
    guard let calendar = SimCalendar(startEpochSeconds: 1_767_571_200, timeZoneIdentifier: "UTC", horizon: .days(60))
    else {
      fatalError("UTC calendar")
    }
    return calendar
  }()

  static func gpuStream(
    workers: Int = 1, gpus: Int64 = 1, priority: Int = 0, capacity: CapacityPreference = .spotWithFallback,
    checkpoint: CheckpointPolicy? = nil, ratePerHour: Double = 0
  ) -> TrainingJobStream {
    TrainingJobStream(
      template: .pytorchGPUDistributed, arrivals: ArrivalProcess(ratePerHour: ratePerHour),
      duration: .lognormal(median: 1_186, p90: 12_859), workerCount: workers,
      perWorker: Resources(cpuMillis: 2_000, memoryMiB: 8_192, gpuCount: gpus), priority: priority, capacity: capacity,
      checkpoint: checkpoint)
  }

  static func pool(
    _ name: String, _ capacityType: CapacityType, type: String = "g5.xlarge", min: Int = 0, max: Int = 10,
    desired: Int, delay: Distribution = .constant(0)
  ) -> NodePoolConfiguration {
    NodePoolConfiguration(
      name: name, capacityType: capacityType, instanceTypes: [type], minNodes: min, maxNodes: max,
      desiredNodes: desired,
      provisioningDelay: delay)
  }

  static func world(
    pools: [NodePoolConfiguration], streams: [TrainingJobStream], catalogue: InstanceCatalogue = .awsUSEast1,
    market: SpotMarketConfiguration = SpotMarketConfiguration(), autoscaler: ClusterAutoscalerConfiguration? = nil,
    governance: GovernanceConfiguration = GovernanceConfiguration(requiredTags: [], admission: .off),
    teams: [TeamConfiguration]? = nil, seed: UInt64 = 7, horizon: SimDuration = .days(10),
    policies: PolicySet? = nil
  ) -> Simulation<World> {
    let cluster = ClusterConfiguration(
      name: "test", catalogue: catalogue, nodePools: pools, spotMarket: market, autoscaler: autoscaler)
    let teamList =
      teams ?? [
        TeamConfiguration(
          name: "team-a", tags: [("Owner", "a@example.com"), ("CostCenter", "CC-1")], jobStreams: streams)
      ]
    let configuration = WorldConfiguration(
      calendar: calendar, seed: RandomSeed(root: seed), runnerPool: nil, cluster: cluster, teams: teamList,
      governance: governance, horizon: horizon)
    var simulation = Simulation(model: World(configuration: configuration, rows: nil, policies: policies))
    simulation.model.start(scheduler: &simulation.scheduler)
    return simulation
  }

  static func submit(_ simulation: inout Simulation<World>, stream: Int = 0, solveTime: SimDuration, count: Int = 1) {
    for _ in 0..<count {
      simulation.model.cluster!.submitJob(
        stream: JobStreamID(Int32(stream)), solveTime: solveTime, scheduler: &simulation.scheduler)
    }
  }
}
