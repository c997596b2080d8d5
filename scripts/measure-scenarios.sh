#!/usr/bin/env bash
# Wall time and peak memory of the bundled scenarios (release build), median of N runs.
# Used for docs/PERFORMANCE.md: bash scripts/measure-scenarios.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
swift build -c release --product platformsim >/dev/null
tool=.build/release/platformsim
db=$(mktemp -d)/measure.sqlite
printf '| scenario | events | wall (median of %s) | peak memory |\n|---|---|---|---|\n' "$runs"
for scenario in scenarios/golden-path.yaml scenarios/capacity-planning.yaml scenarios/rollouts/canary.yaml \
  scenarios/benchmarks/large-cluster.yaml; do
  walls=(); memory=0; events=""
  for _ in $(seq "$runs"); do
    out=$( { /usr/bin/time -f "TIME %e %M" "$tool" run "$scenario" --db "$db"; } 2>&1 )
    walls+=("$(echo "$out" | awk '/^TIME/ {print $2}')")
    memory=$(echo "$out" | awk '/^TIME/ {print $3}')
    events=$(echo "$out" | awk '/events/ {print $2}')
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s s | %s MiB |\n' "$scenario" "$events" "$median" "$((memory / 1024))"
done
