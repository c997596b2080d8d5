import ResultRows
import Testing

@testable import PlatformModel
@testable import SimKernel

/// The rows the model emits, checked in memory: no database, no SQLite.
@Suite("Rows the model emits")
struct ModelRowsTests {
  /// Runs `configuration` for `duration` into a memory sink, ending the run as the
  /// run lifecycle does: unfinished work, streamed tables, end-of-run rows.
  static func runIntoMemory(
    _ configuration: WorldConfiguration, duration: SimDuration, prepare: (inout Simulation<World>) -> Void = { _ in }
  )
    -> (world: World, sink: MemoryRunSink)
  {
    let sink = MemoryRunSink()
    let rows = RunRows(sink: sink, rowsPerBatch: 100)
    var simulation = Simulation(model: World(configuration: configuration, rows: rows))
    simulation.model.start(scheduler: &simulation.scheduler)
    prepare(&simulation)
    let outcome = simulation.run(until: .zero + duration)
    simulation.model.recordUnfinished(endTime: outcome.finalTime)
    rows.flush()
    simulation.model.emitFinalRows(to: rows, endTime: outcome.finalTime)
    rows.flush()
    return (simulation.model, sink)
  }

  @Test("every runner job has one row, finished or not, with its wait derived from its times")
  func runnerJobs() throws {
    guard let calendar = SimCalendar(startEpochSeconds: 1_767_225_600, timeZoneIdentifier: "UTC", horizon: .days(1))
    else { throw CalendarMissing() }
    let configuration = WorldConfiguration(
      calendar: calendar, seed: RandomSeed(root: 3),
      runnerPool: RunnerPoolConfiguration(
        runnerCount: 2,
        backgroundJobs: JobStream(arrivals: ArrivalProcess(ratePerHour: 150), duration: .exponential(mean: 50))))
    let (world, sink) = Self.runIntoMemory(configuration, duration: .hours(6))
    let statistics = try #require(world.runnerPool?.statistics)
    let jobs = try sink.rows(RunnerJobRow.self)
    #expect(jobs.count == statistics.jobsSubmitted)
    #expect(Set(jobs.map(\.jobID)) == Set((1...Int64(statistics.jobsSubmitted))))
    #expect(jobs.filter { $0.finishedAt != nil }.count == statistics.jobsFinished)
    #expect(jobs.filter { $0.finishedAt == nil }.allSatisfy { $0.runner == nil }, "unfinished jobs name no runner")
    for job in jobs {
      #expect(job.source == "background")
      #expect(job.queuedAt >= 1_767_225_600 && job.queuedAt <= 1_767_225_600 + 6 * 3_600)
      if let started = job.startedAt, let wait = job.waitSeconds {
        #expect(abs(started - job.queuedAt - wait) < 1e-6)
      } else {
        #expect(job.startedAt == nil && job.waitSeconds == nil)
      }
    }
  }

  @Test("with recordJobs off the pool emits no job rows, and metrics stay the same")
  func runnerJobsOff() throws {
    guard let calendar = SimCalendar(startEpochSeconds: 0, timeZoneIdentifier: "UTC", horizon: .days(1)) else {
      throw CalendarMissing()
    }
    func configuration(recording: Bool) -> WorldConfiguration {
      WorldConfiguration(
        calendar: calendar, seed: RandomSeed(root: 3),
        runnerPool: RunnerPoolConfiguration(
          runnerCount: 2,
          backgroundJobs: JobStream(arrivals: ArrivalProcess(ratePerHour: 150), duration: .exponential(mean: 50)),
          recordsJobRows: recording))
    }
    let on = Self.runIntoMemory(configuration(recording: true), duration: .hours(2))
    let off = Self.runIntoMemory(configuration(recording: false), duration: .hours(2))
    #expect(try !on.sink.rows(RunnerJobRow.self).isEmpty)
    #expect(try off.sink.rows(RunnerJobRow.self).isEmpty)
    #expect(on.world.metrics(endTime: .zero + .hours(2)) == off.world.metrics(endTime: .zero + .hours(2)))
  }

  @Test("delivery rows: one per change, deployment and incident, linked to each other, and the KPIs as computed")
  func deliveryRows() throws {
    let (world, sink) = Self.runIntoMemory(deliveryWorld(days: 10).configuration, duration: .days(10))
    let delivery = try #require(world.delivery)
    let changes = try sink.rows(ChangeRow.self)
    let deployments = try sink.rows(DeploymentRow.self)
    let links = try sink.rows(DeploymentChangeRow.self)
    #expect(changes.count == delivery.commits.changes.count && !changes.isEmpty)
    #expect(deployments.count == delivery.argoCD.deployments.count && !deployments.isEmpty)
    #expect(try sink.rows(IncidentRow.self).count == delivery.incidents.records.count)
    // Every change a deployment carried says so, and every link names a real change.
    let deployedBy = Dictionary(uniqueKeysWithValues: changes.map { ($0.changeID, $0.deploymentID) })
    for link in links {
      #expect(deployedBy[link.changeID] != nil)
    }
    #expect(Set(links.map(\.deploymentID)).isSubset(of: Set(deployments.map(\.deploymentID))))
    let linked = Set(links.map { [$0.deploymentID, $0.changeID] })
    for change in changes {
      guard let deployment = change.deploymentID else { continue }
      #expect(linked.contains([deployment, change.changeID]), "change \(change.changeID) names its deployment")
    }
    let kpis = world.kpis(endTime: .zero + .days(10))
    #expect(try sink.rows(KPIRow.self) == kpis.map(KPIRow.init))
    #expect(try sink.rows(ServiceTrafficRow.self).map(\.service) == ["fraud-scorer", "fraud-explainer", "ranker"])
  }

  @Test("cluster rows: OpenCost's books balance to the micro-dollar without a database")
  func clusterRows() throws {
    let fixture = ClusterFixture.world(
      pools: [ClusterFixture.pool("gpu", .onDemand, max: 4, desired: 1)],
      streams: [ClusterFixture.gpuStream(capacity: .onDemand, ratePerHour: 2)], horizon: .days(2))
    let (_, sink) = Self.runIntoMemory(fixture.model.configuration, duration: .days(2)) { simulation in
      ClusterFixture.submit(&simulation, solveTime: .hours(3), count: 3)
    }
    let nodes = try sink.rows(ClusterNodeRow.self)
    let allocations = try sink.rows(CostAllocationRow.self)
    let jobs = try sink.rows(TrainingJobRow.self)
    #expect(!nodes.isEmpty && !jobs.isEmpty)
    let nodeCost: Int64 = nodes.map(\.costMicroUSD).reduce(0, +)
    let allocated: Int64 = allocations.map(\.totalCostMicroUSD).reduce(0, +)
    let jobCost: Int64 = jobs.map(\.costMicroUSD).reduce(0, +)
    let workloads: Int64 = allocations.filter { $0.allocation == "workload" }.map(\.totalCostMicroUSD).reduce(0, +)
    #expect(nodeCost > 0)
    #expect(allocated == nodeCost)
    #expect(jobCost == workloads)
    let pods = try sink.rows(ClusterPodRow.self)
    #expect(jobs.contains { $0.outcome == "succeeded" })
    #expect(pods.filter { $0.outcome == "finished" }.count == jobs.filter { $0.outcome == "succeeded" }.count)
  }
}

/// UTC is always known; this stands for the impossible.
struct CalendarMissing: Error {}
