import ResultStore
import SimKernel

/// Streams a run's result rows into the results database as the run goes.
///
/// Rows are buffered per table and written in batched transactions
/// (``ResultStore/TableWriter``). A write failure is kept, further rows are dropped,
/// and the run is failed when it ends — a model never sees database errors.
public final class RunRecorder {
  public let runID: RunID
  let store: ResultStore
  let runnerJobs: TableWriter
  let clusterTables: ClusterTables
  /// The first write failure, if any.
  public private(set) var failure: StoreError?

  public init(store: ResultStore, runID: RunID) {
    self.runID = runID
    self.store = store
    runnerJobs = store.tableWriter(
      "runner_jobs",
      columns: ["run_id", "job_id", "source", "runner", "queued_at", "started_at", "finished_at", "wait_seconds"])
    clusterTables = ClusterTables(store: store)
  }

  func recordRunnerJob(
    id: RunnerJobID, source: RunnerJobSource, runner: RunnerID?, queuedAt: SimTime, startedAt: SimTime?,
    finishedAt: SimTime?, calendar: SimCalendar
  ) {
    guard failure == nil else { return }
    runnerJobs.append(runID.rawValue)
    runnerJobs.append(id.rawValue)
    runnerJobs.append(source.rawValue)
    runnerJobs.append(runner.map { Int64($0.rawValue) })
    runnerJobs.append(calendar.epochSeconds(at: queuedAt))
    runnerJobs.append(startedAt.map { calendar.epochSeconds(at: $0) })
    runnerJobs.append(finishedAt.map { calendar.epochSeconds(at: $0) })
    runnerJobs.append(startedAt.map { ($0 - queuedAt).seconds })
    endRow(runnerJobs)
  }

  func endRow(_ writer: TableWriter) {
    do {
      try writer.endRow()
    } catch {
      failure = error
    }
  }

  /// Writes everything still buffered.
  public func flush() throws(StoreError) {
    if let failure { throw failure }
    try runnerJobs.flush()
    try clusterTables.flush()
  }
}
