#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The results schema, as an ordered list of migrations.
///
/// `PRAGMA user_version` records how many have been applied. A database with a
/// higher version was written by a newer PlatformSim and is refused rather than
/// misread. Every table and column is documented in docs/SCHEMA.md; a test checks
/// that the document names each of them.
public enum Schema {
  /// Migrations in order; index + 1 is the version each produces.
  ///
  /// Never edit a published migration: append a new one.
  public static let migrations: [String] = [
    // 1: runs, their metrics, and the CI runner pool's jobs.
    """
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      scenario_name TEXT NOT NULL,
      scenario_path TEXT NOT NULL,
      scenario_digest TEXT NOT NULL,
      seed INTEGER NOT NULL,
      replication INTEGER NOT NULL DEFAULT 0,
      tool_version TEXT NOT NULL,
      time_zone TEXT NOT NULL,
      sim_start_at REAL NOT NULL,
      sim_end_at REAL NOT NULL,
      sim_reached_at REAL,
      wall_seconds REAL,
      event_count INTEGER,
      status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'stopped')),
      stop_reason TEXT,
      error_message TEXT,
      created_at TEXT NOT NULL,
      process_id INTEGER
    );
    CREATE TABLE run_metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      value REAL,
      unit TEXT NOT NULL,
      PRIMARY KEY (run_id, name)
    );
    CREATE TABLE runner_jobs (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id INTEGER NOT NULL,
      source TEXT NOT NULL,
      runner INTEGER,
      queued_at REAL NOT NULL,
      started_at REAL,
      finished_at REAL,
      wait_seconds REAL
    );
    CREATE INDEX runner_jobs_by_run ON runner_jobs (run_id, job_id);
    """,
    // 2: delivery — Four Keys-shaped changes, deployments and incidents, CI stages, KPIs.
    """
    CREATE TABLE changes (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      change_id INTEGER NOT NULL,
      source TEXT NOT NULL,
      event_type TEXT NOT NULL,
      team TEXT NOT NULL,
      service TEXT NOT NULL,
      author TEXT NOT NULL,
      time_created REAL NOT NULL,
      defect_kind TEXT,
      defect_size REAL,
      fixes_incident_id INTEGER,
      artifact_ready_at REAL,
      deploy_id INTEGER,
      deployed_at REAL,
      outcome TEXT NOT NULL,
      promotes_model_version INTEGER
    );
    CREATE INDEX changes_by_run ON changes (run_id, change_id);
    CREATE TABLE deployments (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      deploy_id INTEGER NOT NULL,
      source TEXT NOT NULL,
      service TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('planned', 'fix', 'rollback')),
      started_at REAL NOT NULL,
      time_created REAL,
      status TEXT NOT NULL CHECK (status IN ('in-progress', 'succeeded', 'stalled', 'superseded', 'aborted')),
      main_commit INTEGER,
      needed_remediation INTEGER NOT NULL,
      rolled_back INTEGER NOT NULL,
      strategy TEXT NOT NULL DEFAULT 'big-bang',
      max_canary_weight INTEGER,
      abort_reason TEXT
    );
    CREATE INDEX deployments_by_run ON deployments (run_id, deploy_id);
    CREATE TABLE deployment_changes (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      deploy_id INTEGER NOT NULL,
      change_id INTEGER NOT NULL
    );
    CREATE INDEX deployment_changes_by_run ON deployment_changes (run_id, deploy_id);
    CREATE TABLE incidents (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      incident_id INTEGER NOT NULL,
      source TEXT NOT NULL,
      service TEXT NOT NULL,
      kind TEXT NOT NULL,
      cause_deploy_id INTEGER NOT NULL,
      time_created REAL NOT NULL,
      detected_at REAL,
      detection TEXT,
      responded_at REAL,
      time_resolved REAL,
      resolution TEXT,
      failed_requests INTEGER NOT NULL
    );
    CREATE INDEX incidents_by_run ON incidents (run_id, incident_id);
    CREATE TABLE incident_changes (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      incident_id INTEGER NOT NULL,
      change_id INTEGER NOT NULL
    );
    CREATE TABLE pipeline_stages (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      change_id INTEGER NOT NULL,
      stage TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      queued_at REAL NOT NULL,
      started_at REAL NOT NULL,
      finished_at REAL NOT NULL,
      outcome TEXT NOT NULL
    );
    CREATE INDEX pipeline_stages_by_run ON pipeline_stages (run_id, change_id);
    CREATE TABLE service_traffic (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      service TEXT NOT NULL,
      team TEXT NOT NULL,
      requests INTEGER NOT NULL,
      failed_requests INTEGER NOT NULL
    );
    CREATE TABLE kpis (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      value REAL,
      value_text TEXT,
      unit TEXT NOT NULL,
      target REAL,
      comparison TEXT,
      met INTEGER,
      PRIMARY KEY (run_id, name)
    );
    """,
    // 3: cluster — nodes, training jobs and OpenCost-style cost allocations
    // (docs/SCHEMA-cluster.md).
    """
    CREATE TABLE cluster_nodes (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      node_id INTEGER NOT NULL,
      pool TEXT NOT NULL,
      instance_type TEXT NOT NULL,
      capacity_type TEXT NOT NULL CHECK (capacity_type IN ('on-demand', 'spot')),
      requested_at REAL NOT NULL,
      ready_at REAL,
      terminated_at REAL,
      end_reason TEXT,
      price_usd_per_hour REAL NOT NULL,
      billed_seconds REAL NOT NULL,
      cost_usd REAL NOT NULL,
      cost_micro_usd INTEGER NOT NULL,
      allocated_micro_usd INTEGER NOT NULL,
      idle_micro_usd INTEGER NOT NULL,
      on_demand_cost_usd REAL NOT NULL
    );
    CREATE INDEX cluster_nodes_by_run ON cluster_nodes (run_id, node_id);
    CREATE TABLE training_jobs (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id INTEGER NOT NULL,
      team TEXT NOT NULL,
      cost_center TEXT NOT NULL,
      template TEXT NOT NULL,
      workers INTEGER NOT NULL,
      cpu_millis_per_worker INTEGER NOT NULL,
      memory_mib_per_worker INTEGER NOT NULL,
      gpus_per_worker INTEGER NOT NULL,
      priority INTEGER NOT NULL,
      capacity_preference TEXT NOT NULL,
      submitted_at REAL NOT NULL,
      first_started_at REAL,
      finished_at REAL,
      outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'running', 'pending', 'unschedulable', 'rejected')),
      reason TEXT,
      queue_wait_seconds REAL,
      makespan_seconds REAL,
      solve_seconds REAL NOT NULL,
      checkpoint_interval_seconds REAL,
      interruptions INTEGER NOT NULL,
      preemptions INTEGER NOT NULL,
      checkpoints INTEGER NOT NULL,
      notice_checkpoints INTEGER NOT NULL,
      lost_gpu_seconds REAL NOT NULL,
      allocated_gpu_seconds REAL NOT NULL,
      goodput REAL,
      cost_usd REAL NOT NULL,
      cost_micro_usd INTEGER NOT NULL
    );
    CREATE INDEX training_jobs_by_run ON training_jobs (run_id, job_id);
    CREATE TABLE cost_allocations (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      allocation TEXT NOT NULL CHECK (allocation IN ('workload', '__idle__')),
      team TEXT NOT NULL,
      cost_center TEXT NOT NULL,
      pool TEXT NOT NULL,
      instance_type TEXT NOT NULL,
      capacity_type TEXT NOT NULL,
      cpu_cost_micro_usd INTEGER NOT NULL,
      ram_cost_micro_usd INTEGER NOT NULL,
      gpu_cost_micro_usd INTEGER NOT NULL,
      total_cost_micro_usd INTEGER NOT NULL,
      total_cost_usd REAL NOT NULL
    );
    CREATE INDEX cost_allocations_by_run ON cost_allocations (run_id, team);
    CREATE TABLE cluster_pods (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      worker INTEGER NOT NULL,
      node_id INTEGER NOT NULL,
      pool TEXT NOT NULL,
      team TEXT NOT NULL,
      cpu_millis INTEGER NOT NULL,
      memory_mib INTEGER NOT NULL,
      gpus INTEGER NOT NULL,
      scheduled_at REAL NOT NULL,
      ended_at REAL,
      outcome TEXT NOT NULL
        CHECK (outcome IN ('finished', 'interrupted', 'preempted', 'evicted-by-schedule', 'consolidated', 'drained', 'running'))
    );
    CREATE INDEX cluster_pods_by_run ON cluster_pods (run_id, job_id);
    """,
    // 4: monitoring — alert state changes and Alertmanager notifications; incidents' alert time.
    """
    CREATE TABLE alerts (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      time REAL NOT NULL,
      rule_group TEXT NOT NULL,
      alertname TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'cancelled')),
      labels TEXT NOT NULL,
      service TEXT,
      value REAL
    );
    CREATE INDEX alerts_by_run ON alerts (run_id, time);
    CREATE TABLE alert_notifications (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      time REAL NOT NULL,
      receiver TEXT NOT NULL,
      group_key TEXT NOT NULL,
      status TEXT NOT NULL,
      alerts INTEGER NOT NULL,
      action TEXT,
      service TEXT,
      outcome TEXT NOT NULL
    );
    CREATE INDEX alert_notifications_by_run ON alert_notifications (run_id, time);
    ALTER TABLE incidents ADD COLUMN alerted_at REAL;
    CREATE TABLE series (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      series_id INTEGER NOT NULL,
      labels TEXT NOT NULL
    );
    CREATE TABLE series_samples (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      series_id INTEGER NOT NULL,
      time REAL NOT NULL,
      value REAL
    );
    CREATE INDEX series_samples_by_run ON series_samples (run_id, series_id, time);
    CREATE TABLE model_versions (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      model_version INTEGER NOT NULL,
      team TEXT NOT NULL,
      template TEXT NOT NULL,
      training_job_id INTEGER NOT NULL,
      training_submitted_at REAL NOT NULL,
      registered_at REAL NOT NULL,
      promoted_at REAL,
      change_id INTEGER,
      deployed_at REAL
    );
    """,
    // 5: experiments — replications, comparisons, sweeps and gates grouped under one
    // experiment, with their confidence intervals (docs/EXPERIMENTS.md).
    """
    CREATE TABLE experiments (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('run', 'compare', 'sweep', 'gate')),
      scenario_path TEXT NOT NULL,
      scenario_digest TEXT NOT NULL,
      candidate_path TEXT,
      candidate_digest TEXT,
      seed INTEGER NOT NULL,
      replications INTEGER NOT NULL,
      pairing TEXT NOT NULL CHECK (pairing IN ('common', 'independent')),
      confidence REAL NOT NULL,
      tool_version TEXT NOT NULL,
      shard_index INTEGER NOT NULL DEFAULT 0,
      shard_count INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL
    );
    ALTER TABLE runs ADD COLUMN experiment_id INTEGER REFERENCES experiments(id) ON DELETE CASCADE;
    ALTER TABLE runs ADD COLUMN variant TEXT;
    CREATE INDEX runs_by_experiment ON runs (experiment_id, variant, replication);
    CREATE TABLE sweep_points (
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      variant TEXT NOT NULL,
      axis TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (experiment_id, variant, axis)
    );
    CREATE TABLE experiment_kpis (
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      variant TEXT NOT NULL,
      kpi TEXT NOT NULL,
      n INTEGER NOT NULL,
      mean REAL,
      stddev REAL,
      ci_low REAL,
      ci_high REAL,
      PRIMARY KEY (experiment_id, variant, kpi)
    );
    CREATE TABLE experiment_differences (
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      baseline TEXT NOT NULL,
      candidate TEXT NOT NULL,
      kpi TEXT NOT NULL,
      n INTEGER NOT NULL,
      mean_difference REAL,
      stddev REAL,
      ci_low REAL,
      ci_high REAL,
      PRIMARY KEY (experiment_id, baseline, candidate, kpi)
    );
    CREATE TABLE gate_results (
      experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
      kpi TEXT NOT NULL,
      rule TEXT NOT NULL,
      threshold REAL NOT NULL,
      observed REAL,
      bound REAL,
      passed INTEGER NOT NULL,
      PRIMARY KEY (experiment_id, kpi, rule)
    );
    """,
    // 6: external policies — their faults and their processes' stderr.
    """
    CREATE TABLE policy_faults (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      decision_point TEXT NOT NULL,
      policy TEXT NOT NULL,
      request_id INTEGER,
      sim_time REAL NOT NULL,
      kind TEXT NOT NULL
        CHECK (kind IN (
          'start-failed', 'crashed', 'exited', 'timeout', 'invalid-json', 'invalid-action', 'protocol-error')),
      message TEXT NOT NULL,
      output TEXT,
      handling TEXT NOT NULL CHECK (handling IN ('failed-run', 'fallback')),
      fallback_builtin TEXT
    );
    CREATE INDEX policy_faults_by_run ON policy_faults (run_id);
    CREATE TABLE policy_logs (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      decision_point TEXT NOT NULL,
      policy TEXT NOT NULL,
      process_id INTEGER,
      decisions INTEGER NOT NULL,
      termination TEXT NOT NULL CHECK (termination IN ('exited', 'signalled', 'not-started')),
      exit_status INTEGER,
      stderr TEXT NOT NULL
    );
    CREATE INDEX policy_logs_by_run ON policy_logs (run_id);
    """,
    // 7: serving replicas placed on the cluster — one row per replica pod attempt.
    """
    CREATE TABLE serving_pods (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      service TEXT NOT NULL,
      team TEXT NOT NULL,
      cost_center TEXT NOT NULL,
      replica INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      node_id INTEGER NOT NULL,
      pool TEXT NOT NULL,
      instance_type TEXT NOT NULL,
      capacity_type TEXT NOT NULL,
      cpu_millis INTEGER NOT NULL,
      memory_mib INTEGER NOT NULL,
      gpus INTEGER NOT NULL,
      created_at REAL NOT NULL,
      scheduled_at REAL NOT NULL,
      pending_seconds REAL NOT NULL,
      ended_at REAL,
      outcome TEXT NOT NULL
        CHECK (outcome IN (
          'scaled-down', 'interrupted', 'evicted-by-schedule', 'drained', 'consolidated', 'evicted', 'running')),
      cost_micro_usd INTEGER NOT NULL,
      cost_usd REAL NOT NULL
    );
    CREATE INDEX serving_pods_by_run ON serving_pods (run_id, service);
    """,
    // 8: Argo canaries that passed their progress deadline and kept waiting (Degraded).
    """
    ALTER TABLE deployments ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;
    """,
    // 9: the git commit of the build that wrote each run and experiment, beside its
    // version (`platformsim version`); NULL in rows written before.
    """
    ALTER TABLE runs ADD COLUMN tool_commit TEXT;
    ALTER TABLE experiments ADD COLUMN tool_commit TEXT;
    """,
    // 10: whose definition each KPI follows (`dora`, `fourkeys`, `platform-brief`,
    // `platformsim`; NULL in rows written before), and when an aborted canary ended
    // (a deployment's `time_created` is its production time only).
    """
    ALTER TABLE kpis ADD COLUMN definition_source TEXT;
    ALTER TABLE deployments ADD COLUMN aborted_at REAL;
    """,
    // 11: the node time each node lost to spot — training work thrown away and restarts
    // after a loss — behind the counterfactual spot savings (docs/KPIS.md).
    """
    ALTER TABLE cluster_nodes ADD COLUMN spot_lost_work_seconds REAL NOT NULL DEFAULT 0;
    ALTER TABLE cluster_nodes ADD COLUMN spot_rerun_seconds REAL NOT NULL DEFAULT 0;
    """,
    // 12: trace replay inside a run (`spec.replay`): one row per replayed item under
    // its trace name, and GPU allocation and fragmentation over time.
    """
    CREATE TABLE trace_items (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      trace TEXT NOT NULL,
      name TEXT NOT NULL,
      team TEXT,
      submitted_at REAL NOT NULL,
      started_at REAL,
      ended_at REAL,
      wait_seconds REAL,
      recorded_wait_seconds REAL,
      run_seconds REAL,
      node TEXT,
      gpu_model TEXT,
      workers INTEGER NOT NULL,
      cpu_milli INTEGER NOT NULL,
      memory_mib INTEGER NOT NULL,
      gpus INTEGER NOT NULL,
      gpu_milli INTEGER NOT NULL,
      recorded_phase TEXT NOT NULL,
      outcome TEXT NOT NULL
        CHECK (outcome IN ('completed', 'running', 'pending', 'withdrawn', 'unschedulable')),
      gpu_hours REAL NOT NULL,
      cost_usd REAL
    );
    CREATE INDEX trace_items_by_run ON trace_items (run_id, name);
    CREATE TABLE trace_allocation (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      sampled_at REAL NOT NULL,
      gpu_milli_total INTEGER NOT NULL,
      gpu_milli_allocated INTEGER NOT NULL,
      gpu_allocation REAL NOT NULL,
      gpu_milli_fragmented REAL NOT NULL,
      cpu_milli_allocated INTEGER NOT NULL,
      running INTEGER NOT NULL,
      pending INTEGER NOT NULL
    );
    CREATE INDEX trace_allocation_by_run ON trace_allocation (run_id, sampled_at);
    """,
    // 13: `runner_jobs` keyed by what identifies a row, `(run_id, job_id)`, and stored
    // in that order (`WITHOUT ROWID`): one b-tree instead of a table plus the
    // `runner_jobs_by_run` index, which the key replaces. Existing rows are copied in
    // key order inside the migration's transaction (docs/SCHEMA.md).
    """
    ALTER TABLE runner_jobs RENAME TO runner_jobs_before_13;
    DROP INDEX runner_jobs_by_run;
    CREATE TABLE runner_jobs (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id INTEGER NOT NULL,
      source TEXT NOT NULL,
      runner INTEGER,
      queued_at REAL NOT NULL,
      started_at REAL,
      finished_at REAL,
      wait_seconds REAL,
      PRIMARY KEY (run_id, job_id)
    ) WITHOUT ROWID;
    INSERT INTO runner_jobs (run_id, job_id, source, runner, queued_at, started_at, finished_at, wait_seconds)
    SELECT run_id, job_id, source, runner, queued_at, started_at, finished_at, wait_seconds
    FROM runner_jobs_before_13 ORDER BY run_id, job_id;
    DROP TABLE runner_jobs_before_13;
    """,
  ]

  /// The schema version this build writes and reads.
  public static var latestVersion: Int { migrations.count }

  /// Columns that differ between two identical runs by nature (identity, wall clock,
  /// and the commit of the build, so that builds of different commits that simulate
  /// alike give equal digests), left out of run digests.
  public static let nondeterministicColumns: Set<String> = [
    "id", "run_id", "created_at", "wall_seconds", "process_id", "scenario_path", "experiment_id", "tool_commit",
  ]

  /// Brings `database` to ``latestVersion``; refuses newer schemas.
  static func migrate(_ database: SQLiteDatabase) throws(StoreError) {
    // Switching a new file to WAL needs an exclusive lock and does not always wait on
    // the busy handler, so processes creating the same database at once retry here.
    var attempts = 0
    while true {
      do {
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        break
      } catch let error where [5, 6].contains(error.resultCode & 0xFF) && attempts < 2_400 {
        attempts += 1
        usleep(50_000)
      }
    }
    try database.transaction { () throws(StoreError) in
      let version = Int(try database.scalar("PRAGMA user_version")?.intValue ?? 0)
      if version > latestVersion {
        throw StoreError(
          kind: .schemaTooNew(found: version, supported: latestVersion), path: database.path,
          message: "schema too new", sql: nil, resultCode: 0)
      }
      for index in version..<latestVersion {
        do throws(StoreError) {
          try database.execute(migrations[index])
        } catch let error where error.kind == .statementFailed {
          // A table the migration creates already exists, or one it alters is missing:
          // another program's tables, or a pre-release build's. The transaction rolls
          // back, so the file is left as it was.
          throw StoreError(
            kind: .notADatabase, path: database.path,
            message: "its tables do not match PlatformSim's schema version \(version) (\(error.message))",
            sql: nil, resultCode: error.resultCode)
        }
        try database.execute("PRAGMA user_version = \(index + 1)")
      }
    }
  }
}
