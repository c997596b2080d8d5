#!/usr/bin/env bash
# Side-by-side wall time, CPU time and peak memory of two platformsim builds on the
# same scenarios, run alternately (the machine is shared: alternation keeps the ratio
# honest), and whether the two write identical tables. Used for docs/PERFORMANCE.md.
#
#   bash scripts/compare-builds.sh BEFORE_BINARY AFTER_BINARY [RUNS] [SCENARIO...]
#
# Tables are compared row by row (md5 of `select * order by rowid`), except `runs`,
# `run_metrics` wall-clock rows, `schema_migrations` and `policy_logs.process_id`.
# A table stored by its primary key (`WITHOUT ROWID`, in either database: `runner_jobs`
# from schema version 13) has no rowid; it is compared in primary-key order on both
# sides, so a build that wrote it in another order (by rowid) compares by content.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1
after=$2
runs=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(scenarios/golden-path.yaml scenarios/benchmarks/org-scale-without-monitoring.yaml
    scenarios/benchmarks/org-scale.yaml scenarios/benchmarks/large-cluster.yaml)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# For each WITHOUT ROWID table in either database, its primary-key columns,
# comma-separated (read once, before the two databases are hashed side by side, so the
# two hashing processes never open each other's database).
declare -A key_order
read_key_orders() {
  local db table
  key_order=()
  for db in "$work/before.db" "$work/after.db"; do
    for table in $(sqlite3 "$db" "select name from sqlite_master where type='table' and sql like '%WITHOUT ROWID%'"); do
      key_order[$table]=$(sqlite3 "$db" "select group_concat(name, ', ') from (select name from pragma_table_info('$table') where pk > 0 order by pk)")
    done
  done
}

table_hashes() {
  local db=$1
  for table in $(sqlite3 "$db" "select name from sqlite_master where type='table' and name not like 'sqlite_%'
      and name not in ('runs', 'run_metrics', 'schema_migrations') order by name"); do
    # An external policy's `process_id` differs between any two runs.
    columns=$(sqlite3 "$db" "select group_concat(name, ', ') from pragma_table_info('$table') where name != 'process_id'")
    order=${key_order[$table]:-}
    printf '%s %s\n' "$table" "$(sqlite3 "$db" "select $columns from $table order by ${order:-rowid}" | md5sum | cut -c1-12)"
  done
  printf 'run_metrics %s\n' "$(sqlite3 "$db" "select name, value from run_metrics where name not like '%wall%' order by name" | md5sum | cut -c1-12)"
}

date -u
uptime
for scenario in "${scenarios[@]}"; do
  for _ in $(seq "$runs"); do
    for side in before after; do
      binary=$before
      [ "$side" = after ] && binary=$after
      rm -f "$work/$side.db"
      /usr/bin/time -f "$scenario $side wall %e s user %U s peak %M KB" "$binary" run "$scenario" --db "$work/$side.db" --quiet \
        2>&1 | tail -1
    done
  done
  read_key_orders
  if diff <(table_hashes "$work/before.db") <(table_hashes "$work/after.db"); then
    echo "$scenario: tables identical"
  else
    echo "$scenario: tables DIFFER (above)"
  fi
done
date -u
uptime
