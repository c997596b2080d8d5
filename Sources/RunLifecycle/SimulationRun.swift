import PlatformModel
import Policies
import ResultRows
import ResultStore
import SimKernel

/// One run to execute: the world, the window, the guards and the run-row metadata.
public struct RunRequest: Sendable {
  public var configuration: WorldConfiguration
  public var duration: SimDuration
  public var limits: RunLimits
  public var start: RunStart
  /// Threads the run may use inside its event loop (``World/init(configuration:rows:policies:policyRuntime:threads:)``):
  /// a speed setting only, never part of the results.
  public var threads: Int

  public init(
    configuration: WorldConfiguration, duration: SimDuration, limits: RunLimits, start: RunStart, threads: Int = 1
  ) {
    self.configuration = configuration
    self.duration = duration
    self.limits = limits
    self.start = start
    self.threads = threads
  }
}

/// What happened in a run, for the summary line and for callers.
public struct RunReport: Sendable {
  public var runID: RunID
  public var status: RunStatus
  public var outcome: RunOutcome
  public var wallSeconds: Double
  public var metrics: [RunMetric]
  public var kpis: [KPIValue]
  public var errorMessage: String?

  public var eventsPerSecond: Double { wallSeconds > 0 ? Double(outcome.eventCount) / wallSeconds : 0 }
  public func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}

/// Executes runs into a results store: run row first, rows in batches, status last.
///
/// This is the crash-safety contract of docs/SCHEMA.md: the `runs` row is inserted as
/// `running` and committed before the model emits anything; the model's rows stream
/// into the store through a ``SQLiteRunSink`` as the run goes (committed on the sink's
/// writer thread while the model runs on); the status becomes `completed`, `stopped`
/// or `failed` only after every row is written — `rows.flush()` waits for the writer —
/// so a run that crashes or is killed never looks completed.
public enum SimulationRun {
  /// Runs `request` and records it in `store`.
  ///
  /// - Parameter reservedRunID: a run row already inserted (status `running`) for this
  ///   request, e.g. by an experiment that numbers its runs in replication order before
  ///   running them in parallel; `nil` inserts a new row.
  /// - Throws: ``StoreError`` only when the run row itself cannot be written; any
  ///   later failure is recorded on the run (status `failed`) and reported.
  public static func execute(
    _ request: RunRequest, store: ResultStore, createdAt: String, reservedRunID: RunID? = nil,
    interruptRequested: @escaping () -> Bool = { false }, onProgress: ((SimTime, Int) -> Void)? = nil
  ) throws(StoreError) -> RunReport {
    let runID: RunID
    if let reservedRunID {
      runID = reservedRunID
    } else {
      runID = try store.beginRun(request.start, createdAt: createdAt)
    }
    let clock = ContinuousClock()
    let began = clock.now
    func elapsedSeconds() -> Double {
      let elapsed = clock.now - began
      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
    let sink = store.runSink(for: runID)
    let wallLimited = WallLimitedSink(sink, maxWallSeconds: request.limits.maxWallSeconds, elapsed: elapsedSeconds)
    let rows = RunRows(sink: wallLimited)
    // External policy processes start here and are ended below on every path.
    let (policies, policyRuntime) = PolicyRuntime.start(
      request.configuration.policies,
      context: PolicyRunContext(
        scenarioName: request.start.scenarioName, runID: runID.rawValue, seed: request.start.seed,
        startEpochSeconds: request.configuration.calendar.startEpochSeconds),
      interruptRequested: interruptRequested)
    var simulation = Simulation(
      model: World(
        configuration: request.configuration, rows: rows, policies: policies, policyRuntime: policyRuntime,
        threads: request.threads))
    var limits = request.limits
    // The wall limit covers the whole run: the loop gets 90 % of it, writing the rest
    // (rows still unwritten at the limit are dropped and the run is `stopped`).
    limits.maxWallSeconds = request.limits.maxWallSeconds.map { $0 * loopShareOfWallLimit }
    // A policy that could not even start (with `onError: fail`) fails the run before its first event.
    if policyRuntime.hasFatalFault { limits.maxEvents = 0 }
    // Starting draws each stream's first arrival, which can itself run long (thinning).
    let startGuard = RunGuard {
      if interruptRequested() { return .interrupted }
      if let maxWall = request.limits.maxWallSeconds, elapsedSeconds() > maxWall * loopShareOfWallLimit {
        return .wallClockLimit(seconds: maxWall)
      }
      return nil
    }
    RunGuard.withCurrent(startGuard) { simulation.model.start(scheduler: &simulation.scheduler) }
    if startGuard.tripped != nil { limits.maxEvents = 0 }
    let endTime = SimTime.zero + request.duration
    var outcome = simulation.run(
      until: endTime, limits: limits, wallClockSeconds: elapsedSeconds, interruptRequested: interruptRequested,
      onProgress: onProgress)
    if let reason = startGuard.tripped { outcome.reason = reason }
    if case .wallClockLimit = outcome.reason, let maxWall = request.limits.maxWallSeconds {
      outcome.reason = .wallClockLimit(seconds: maxWall)
    }
    // The replay has its own engine (GPU sharing, trace order) over the same window and seed;
    // it runs before the policy processes end, as an external `gpuNodeOrder` answers it.
    var replayResult: TraceReplayResult?
    if let plan = request.configuration.replay, outcome.reason.coveredWindow, !policyRuntime.mustStop {
      let external = request.configuration.policies[.gpuNodeOrder].external != nil
      replayResult = plan.run(
        seed: request.configuration.seed, end: endTime, nodeOrder: external ? policies.gpuNodeOrder : nil)
    }
    let policyLogs = policyRuntime.finish()
    simulation.model.recordUnfinished(endTime: outcome.finalTime)
    let metrics = simulation.model.metrics(endTime: outcome.finalTime)
    let kpis = simulation.model.kpis(endTime: outcome.finalTime)
    // An interrupt noticed while waiting for a policy ends the loop as a model stop.
    if outcome.reason == .modelFailed && !policyRuntime.hasFatalFault { outcome.reason = .interrupted }
    let reason = outcome.reason
    var status: RunStatus = reason.coveredWindow ? .completed : .stopped
    var errorMessage: String?
    if let fault = policyRuntime.fatalFault {
      status = .failed
      errorMessage = fault.description
    }
    // Rows streamed during the run first, then those kept until the end, the run's
    // metrics and its policy processes.
    rows.flush()
    simulation.model.emitFinalRows(to: rows, endTime: outcome.finalTime)
    if let plan = request.configuration.replay, let result = replayResult {
      outcome.eventCount += result.events
      outcome.finalTime = max(outcome.finalTime, endTime)
      rows.emitReplay(
        result, plan: plan, calendar: request.configuration.calendar,
        costCenters: request.configuration.replayCostCenters)
    }
    let metricRows = rows.table(RunMetric.self)
    for metric in metrics { metricRows.append(metric) }
    rows.emitPolicies(faults: policyRuntime.faults, logs: policyLogs, calendar: request.configuration.calendar)
    rows.flush()
    if let failure = sink.failure {
      status = .failed
      errorMessage = "writing results failed: \(failure)"
    }
    var stopReason = policyRuntime.fatalFault == nil ? reason.explanation : "a policy failed (see policy_faults)"
    if wallLimited.droppedRows > 0, let maxWall = request.limits.maxWallSeconds {
      if status == .completed { status = .stopped }
      stopReason +=
        "; the wall-clock limit of \(maxWall) s (limits.maxWallSeconds) was reached while writing "
        + "results: \(wallLimited.droppedRows) rows were not written"
    }
    let wallSeconds = elapsedSeconds()
    let finish = RunFinish(
      status: status,
      simulatedReachedEpochSeconds: request.configuration.calendar.epochSeconds(at: outcome.finalTime),
      wallSeconds: wallSeconds, eventCount: outcome.eventCount,
      stopReason: stopReason,
      errorMessage: errorMessage)
    try store.finishRun(runID, finish)
    return RunReport(
      runID: runID, status: status, outcome: outcome, wallSeconds: wallSeconds, metrics: metrics, kpis: kpis,
      errorMessage: errorMessage)
  }
}

/// The share of `limits.maxWallSeconds` the run loop may use; the rest is for writing
/// the rows kept until the end.
let loopShareOfWallLimit = 0.9

/// A sink that stops writing at the run's wall-clock limit: later batches are dropped
/// and counted, so that the limit covers writing the results too.
final class WallLimitedSink: RunSink {
  let inner: any RunSink
  let maxWallSeconds: Double?
  let elapsed: () -> Double
  /// Rows dropped because the limit had passed.
  private(set) var droppedRows = 0

  init(_ inner: any RunSink, maxWallSeconds: Double?, elapsed: @escaping () -> Double) {
    self.inner = inner
    self.maxWallSeconds = maxWallSeconds
    self.elapsed = elapsed
  }

  func write(_ rows: RowEncoder, of table: TableDescription) {
    if discardsRows {
      droppedRows += max(1, rows.fieldCount / max(1, table.columns.count))
      return
    }
    inner.write(rows, of: table)
  }

  var discardsRows: Bool {
    guard let maxWallSeconds else { return false }
    return droppedRows > 0 || elapsed() > maxWallSeconds
  }

  func skip(rows: Int, of table: TableDescription) { droppedRows += rows }

  func waitUntilWritten() { inner.waitUntilWritten() }
}
