import Foundation
import ResultStore

/// A results database with one hand-written run and an experiment, for the site and export tests.
enum SiteFixture {
  static func database() throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("platformsim-site-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
    let store = try ResultStore(path: path)
    // 2026-01-05T00:00 Europe/Berlin = 1767567600; one day simulated.
    try store.database.execute(
      """
      INSERT INTO runs (scenario_name, scenario_path, scenario_digest, seed, replication, tool_version, time_zone,
        sim_start_at, sim_end_at, sim_reached_at, status, created_at)
      VALUES ('tiny', 'tiny.yaml', 'x', 1, 0, '0.1.0', 'Europe/Berlin', 1767567600, 1767654000, 1767654000, 'completed', 't'),
        ('tiny', 'tiny.yaml', 'x', 2, 0, '0.1.0', 'Europe/Berlin', 1767567600, 1767654000, 1767654000, 'completed', 't');
      INSERT INTO kpis (run_id, name, value, unit, target, comparison, met) VALUES
        (1, 'change_failure_rate', 0.5, 'ratio', 0.05, '<', 0), (1, 'deployment_frequency_per_day', 3, 'deployments/day', 5, '>', 0),
        (1, 'lead_time_median_seconds', 1447, 's', 86400, '<', 1), (1, 'recovery_time_median_seconds', 3600, 's', 1800, '<', 0),
        (2, 'change_failure_rate', 0.0, 'ratio', 0.05, '<', 1), (2, 'deployment_frequency_per_day', 4, 'deployments/day', 5, '>', 0);
      INSERT INTO deployments (run_id, deploy_id, source, service, kind, started_at, time_created, status, needed_remediation,
        rolled_back, strategy, max_canary_weight, abort_reason)
      VALUES (1, 1, 's', 'b-service', 'planned', 1767571200, 1767571500, 'succeeded', 1, 1, 'canary', 100, NULL),
        (1, 2, 's', 'b-service', 'rollback', 1767574800, 1767574900, 'succeeded', 0, 0, 'big-bang', NULL, NULL),
        (1, 3, 's', 'a-service', 'planned', 1767607600, NULL, 'aborted', 0, 1, 'canary', 10,
         'step analysis Failed: error-ratio: failureCondition met'),
        (2, 1, 's', 'a-service', 'planned', 1767600000, 1767600300, 'succeeded', 0, 0, 'canary', 100, NULL);
      INSERT INTO changes (run_id, change_id, source, event_type, team, service, author, time_created, deploy_id,
        deployed_at, outcome, defect_kind)
      VALUES (1, 1, 's', 'push', 'team-a', 'b-service', 'team-a/engineer-1', 1767570000, 1, 1767571500, 'deployed', 'error-rate'),
        (1, 2, 's', 'push', 'team-a', 'a-service', 'team-a/engineer-2', 1767606000, 3, NULL, 'in-progress', NULL);
      INSERT INTO deployment_changes (run_id, deploy_id, change_id) VALUES (1, 1, 1), (1, 3, 2);
      INSERT INTO incidents (run_id, incident_id, source, service, kind, cause_deploy_id, time_created, detected_at,
        detection, responded_at, time_resolved, resolution, failed_requests, alerted_at)
      VALUES (1, 1, 's', 'b-service', 'error-rate', 1, 1767571500, 1767571800, 'alert', 1767572400, 1767574900,
        'rollback', 420, 1767571800);
      INSERT INTO incident_changes (run_id, incident_id, change_id) VALUES (1, 1, 1);
      INSERT INTO alerts (run_id, time, rule_group, alertname, state, labels, service, value) VALUES
        (1, 1767571620, 'serving', 'ErrorRateHigh', 'pending', '{alertname="ErrorRateHigh", service="b-service"}', 'b-service', 0.2),
        (1, 1767571800, 'serving', 'ErrorRateHigh', 'firing', '{alertname="ErrorRateHigh", service="b-service"}', 'b-service', 0.2),
        (1, 1767575100, 'serving', 'ErrorRateHigh', 'resolved', '{alertname="ErrorRateHigh", service="b-service"}', 'b-service', 0.0);
      INSERT INTO alert_notifications (run_id, time, receiver, group_key, status, alerts, action, service, outcome) VALUES
        (1, 1767571830, 'rollback-bot', '{}:{alertname="ErrorRateHigh"}', 'firing', 1, 'sim://rollback', 'b-service', 'rollback');
      INSERT INTO cluster_nodes (run_id, node_id, pool, instance_type, capacity_type, requested_at, ready_at, terminated_at,
        price_usd_per_hour, billed_seconds, cost_usd, cost_micro_usd, allocated_micro_usd, idle_micro_usd, on_demand_cost_usd)
      VALUES (1, 1, 'cpu', 'm5.xlarge', 'on-demand', 1767567600, 1767567600, NULL, 0.2, 86400, 4.8, 4800000, 1500000, 3300000, 4.8),
        (1, 2, 'gpu', 'g5.xlarge', 'spot', 1767567600, 1767610800, 1767614400, 0.4, 3600, 0.4, 400000, 0, 400000, 1.0);
      INSERT INTO training_jobs (run_id, job_id, team, cost_center, template, workers, cpu_millis_per_worker,
        memory_mib_per_worker, gpus_per_worker, priority, capacity_preference, submitted_at, first_started_at, finished_at,
        outcome, queue_wait_seconds, makespan_seconds, solve_seconds, interruptions, preemptions, checkpoints,
        notice_checkpoints, lost_gpu_seconds, allocated_gpu_seconds, goodput, cost_usd, cost_micro_usd)
      VALUES (1, 1, 'team-a', 'CC-1', 'sklearn-standard', 1, 1000, 1024, 0, 0, 'on-demand', 1767567600, 1767571200,
        1767578400, 'succeeded', 3600, 7200, 7200, 0, 0, 0, 0, 0, 0, NULL, 1.5, 1500000);
      INSERT INTO cluster_pods (run_id, job_id, attempt, worker, node_id, pool, team, cpu_millis, memory_mib, gpus,
        scheduled_at, ended_at, outcome)
      VALUES (1, 1, 1, 0, 1, 'cpu', 'team-a', 1000, 1024, 0, 1767571200, 1767578400, 'finished');
      INSERT INTO cost_allocations (run_id, allocation, team, cost_center, pool, instance_type, capacity_type,
        cpu_cost_micro_usd, ram_cost_micro_usd, gpu_cost_micro_usd, total_cost_micro_usd, total_cost_usd)
      VALUES (1, 'workload', 'team-a', 'CC-1', 'cpu', 'm5.xlarge', 'on-demand', 1000000, 500000, 0, 1500000, 1.5),
        (1, '__idle__', '__idle__', '__idle__', 'cpu', 'm5.xlarge', 'on-demand', 2000000, 1300000, 0, 3300000, 3.3),
        (1, '__idle__', '__idle__', '__idle__', 'gpu', 'g5.xlarge', 'spot', 0, 0, 400000, 400000, 0.4);
      INSERT INTO experiments (name, kind, scenario_path, scenario_digest, seed, replications, pairing, confidence,
        tool_version, shard_index, shard_count, created_at)
      VALUES ('gate-demo', 'gate', 'a.yaml', 'x', 1, 3, 'common', 0.95, '0.1.0', 0, 1, 't');
      INSERT INTO experiment_kpis (experiment_id, variant, kpi, n, mean, stddev, ci_low, ci_high) VALUES
        (1, 'baseline', 'incidents', 3, 0.4, 0.5, -0.84, 1.64), (1, 'candidate', 'incidents', 3, 1.2, 0.4, 0.2, 2.2),
        (1, 'baseline', 'change_failure_rate', 3, 0.02, 0.02, -0.03, 0.07),
        (1, 'candidate', 'change_failure_rate', 3, 0.05, 0.02, 0.0, 0.1);
      INSERT INTO experiment_differences (experiment_id, baseline, candidate, kpi, n, mean_difference, stddev, ci_low, ci_high)
      VALUES (1, 'baseline', 'candidate', 'incidents', 3, 0.8, 0.3, 0.05, 1.55),
        (1, 'baseline', 'candidate', 'change_failure_rate', 3, 0.03, 0.01, 0.005, 0.055);
      INSERT INTO gate_results (experiment_id, kpi, rule, threshold, observed, bound, passed) VALUES
        (1, 'change_failure_rate', 'maxIncrease', 0.02, 0.03, 0.055, 0);
      """)
    return path
  }
}
