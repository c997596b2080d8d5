import Dispatch
import Foundation
import PlatformModel
import ResultRows
import ResultStore
import RunLifecycle
import SimKernel
import Synchronization

/// How far an experiment has got, for a progress bar.
public struct ExperimentProgress: Sendable {
  public var runsFinished: Int
  public var runsTotal: Int
  /// Finished runs plus the simulated fraction of those in flight.
  public var runsDone: Double
  /// Simulated seconds reached by the run that reported last.
  public var simulatedSeconds: Double
  public var simulatedSecondsPerRun: Double
}

/// The runs of an experiment and where they were stored.
public struct ExperimentOutcome: Sendable {
  public var experimentID: Int64
  /// One report per unit of the plan, in plan order.
  public var reports: [RunReport]
  public var wallSeconds: Double
}

/// Runs an experiment's replications in parallel, one `Simulation` per thread.
///
/// Determinism across thread counts: run rows are inserted in plan order (variant,
/// then replication) *before* any run starts, so run ids never depend on which run
/// finishes first; each replication's world depends only on (scenario, root seed,
/// replication), never on the thread it runs on. Each worker writes through its own
/// SQLite connection; WAL mode and `BEGIN IMMEDIATE` serialise their commits.
/// Replications, not events, are what run in parallel (desmod's `simulate_many`).
public enum ExperimentRunner {
  /// Runs `plan` into the database at `databasePath` with up to `jobs` threads.
  ///
  /// - Returns: the experiment id and every run's report.
  /// - Throws: ``ExperimentError/store(_:)`` when the database cannot be written;
  ///   ``ExperimentError/interrupted(runsNotStarted:)`` when `interruptRequested` stopped it.
  public static func run(
    _ plan: ExperimentPlan, databasePath: String, createdAt: String, jobs: Int,
    interruptRequested: @escaping @Sendable () -> Bool = { false },
    progress: (@Sendable (ExperimentProgress) -> Void)? = nil
  ) throws(ExperimentError) -> ExperimentOutcome {
    let units = plan.units
    let store: ResultStore
    let experimentID: Int64
    var runIDs: [RunID] = []
    do {
      store = try ResultStore(path: databasePath)
      experimentID = try ExperimentStore.insertExperiment(plan, store: store, createdAt: createdAt)
      for unit in units {
        runIDs.append(
          try store.beginRun(plan.request(for: unit, experimentID: experimentID).start, createdAt: createdAt))
      }
    } catch {
      throw .store(error)
    }
    let reservedRunIDs = runIDs
    let clock = ContinuousClock()
    let began = clock.now
    let work = WorkQueue(count: units.count)
    let workers = max(1, min(jobs, units.count))
    // Threads no replication takes go to the runs themselves (fewer replications than
    // jobs, e.g. one `platformsim run`): results are the same for every count.
    let threadsPerRun = max(1, jobs / workers)
    let secondsPerRun = (plan.duration ?? plan.variants[0].document.duration).seconds
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let workerStore: ResultStore
      do throws(StoreError) {
        workerStore = try ResultStore(path: databasePath)
      } catch {
        work.fail(error)
        return
      }
      while true {
        let index = work.next.add(1, ordering: .relaxed).oldValue
        // After an interrupt or a failure, no new run starts; the rows reserved for them
        // are closed below, so none is left looking `running`.
        guard index < units.count, !work.hasFailed, !interruptRequested() else { return }
        var request = plan.request(for: units[index], experimentID: experimentID)
        request.threads = threadsPerRun
        do throws(StoreError) {
          let report = try SimulationRun.execute(
            request, store: workerStore, createdAt: createdAt, reservedRunID: reservedRunIDs[index],
            interruptRequested: interruptRequested,
            onProgress: { now, _ in
              let done = work.update(index: index, fraction: (now - SimTime.zero).seconds / max(secondsPerRun, 1e-9))
              progress?(
                ExperimentProgress(
                  runsFinished: done.finished, runsTotal: units.count, runsDone: done.fraction,
                  simulatedSeconds: (now - SimTime.zero).seconds, simulatedSecondsPerRun: secondsPerRun))
            })
          let done = work.finish(index: index, report: report)
          progress?(
            ExperimentProgress(
              runsFinished: done.finished, runsTotal: units.count, runsDone: done.fraction,
              simulatedSeconds: secondsPerRun, simulatedSecondsPerRun: secondsPerRun))
        } catch {
          work.fail(error)
          return
        }
      }
    }
    let unstarted = work.unfinishedIndices
    if !unstarted.isEmpty {
      let reason =
        work.failure == nil ? "interrupted before it started" : "not started: another run of the experiment failed"
      for index in unstarted {
        try? store.finishRun(
          reservedRunIDs[index],
          RunFinish(
            status: work.failure == nil ? .stopped : .failed, simulatedReachedEpochSeconds: nil, wallSeconds: 0,
            eventCount: 0, stopReason: reason, errorMessage: work.failure.map { "\($0)" }))
      }
    }
    if let failure = work.failure { throw .store(failure) }
    if !unstarted.isEmpty { throw .interrupted(runsNotStarted: unstarted.count) }
    let reports = work.reports
    let elapsed = clock.now - began
    let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    do {
      try ExperimentStore.writeSummaries(experimentID: experimentID, store: store)
    } catch {
      throw .store(error)
    }
    return ExperimentOutcome(experimentID: experimentID, reports: reports, wallSeconds: wallSeconds)
  }
}

/// The shared state of the workers: the next unit to take, results, progress.
private final class WorkQueue: Sendable {
  let next = Atomic<Int>(0)
  private let state: Mutex<State>

  struct State {
    var reports: [RunReport?]
    var fractions: [Double]
    var finished = 0
    var failure: StoreError?
  }

  init(count: Int) {
    state = Mutex(State(reports: Array(repeating: nil, count: count), fractions: Array(repeating: 0, count: count)))
  }

  var hasFailed: Bool { state.withLock { $0.failure != nil } }
  var failure: StoreError? { state.withLock { $0.failure } }
  var reports: [RunReport] { state.withLock { $0.reports.compactMap { $0 } } }
  var unfinishedIndices: [Int] { state.withLock { state in state.reports.indices.filter { state.reports[$0] == nil } } }

  func fail(_ error: StoreError) {
    state.withLock { if $0.failure == nil { $0.failure = error } }
  }

  func update(index: Int, fraction: Double) -> (finished: Int, fraction: Double) {
    state.withLock { state in
      state.fractions[index] = min(fraction, 1)
      return (state.finished, state.fractions.reduce(0, +))
    }
  }

  func finish(index: Int, report: RunReport) -> (finished: Int, fraction: Double) {
    state.withLock { state in
      state.reports[index] = report
      state.fractions[index] = 1
      state.finished += 1
      return (state.finished, state.fractions.reduce(0, +))
    }
  }
}
