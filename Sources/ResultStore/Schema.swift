/// The results schema, as an ordered list of migrations.
///
/// `PRAGMA user_version` records how many have been applied. A database with a
/// higher version was written by a newer PlatformSim and is refused rather than
/// misread. Every table and column is documented in docs/SCHEMA.md; a test checks
/// that the document names each of them.
public enum Schema {
  /// Migrations in order; index + 1 is the version each produces. Never edit a
  /// published migration: append a new one.
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
      outcome TEXT NOT NULL
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
      status TEXT NOT NULL CHECK (status IN ('in-progress', 'succeeded', 'stalled', 'superseded')),
      main_commit INTEGER,
      needed_remediation INTEGER NOT NULL,
      rolled_back INTEGER NOT NULL
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
  ]

  /// The schema version this build writes and reads.
  public static var latestVersion: Int { migrations.count }

  /// Columns that differ between two identical runs by nature (identity and wall
  /// clock), left out of run digests.
  public static let nondeterministicColumns: Set<String> = [
    "id", "run_id", "created_at", "wall_seconds", "process_id", "scenario_path",
  ]

  /// Brings `database` to ``latestVersion``; refuses newer schemas.
  static func migrate(_ database: SQLiteDatabase) throws(StoreError) {
    try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    try database.transaction { () throws(StoreError) in
      let version = Int(try database.scalar("PRAGMA user_version")?.intValue ?? 0)
      if version > latestVersion {
        throw StoreError(
          kind: .schemaTooNew(found: version, supported: latestVersion), path: database.path,
          message: "schema too new", sql: nil, resultCode: 0)
      }
      for index in version..<latestVersion {
        try database.execute(migrations[index])
        try database.execute("PRAGMA user_version = \(index + 1)")
      }
    }
  }
}
