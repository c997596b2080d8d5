#!/usr/bin/env bash
# Fuzzes every input reader with libFuzzer (docs/VALIDATION.md, "Fuzzing").
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Builds `platformsim-fuzz` with -sanitize=fuzzer in its own scratch folder (.build-fuzz,
# never the ordinary .build), then runs each target for the given budget (default 60 s).
# Seeds: the bundled files of each format, the invalid-scenario corpus and the saved
# regressions (Tests/FuzzRegressions/TARGET). The growing corpus stays in
# .build-fuzz/corpus/TARGET between runs; a crashing input is written to
# .build-fuzz/artifacts/TARGET/ and, once fixed, belongs in Tests/FuzzRegressions/TARGET.
# FUZZ_CONFIGURATION=release builds optimised (faster executions, a longer build).
# Exit status: 0 if no target crashed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
configuration="${FUZZ_CONFIGURATION:-debug}"
scratch=.build-fuzz
all_targets=(scenario rules alertmanager promtool-test gate sweep openb-pods openb-nodes generic-csv generic-jsonl)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# -D PLATFORMSIM_FUZZ swaps the replayer's main for libFuzzer's entry points; the C of
# libyaml (Yams) is instrumented too, so the fuzzer learns YAML's structure.
swift build --scratch-path "$scratch" -c "$configuration" --product platformsim-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DPLATFORMSIM_FUZZ -Xcc -fsanitize=fuzzer-no-link
binary="$scratch/$configuration/platformsim-fuzz"

# The bundled files of each target's format.
seeds_of() {
  case "$1" in
  scenario) find scenarios Tests/ScenarioTests/InvalidScenarios -name '*.yaml' ;;
  rules) ls scenarios/monitoring/error-rate-rules.yaml scenarios/monitoring/error-rate-rules.plain.yaml \
    scenarios/policies/golden-path/serving-alerts.yaml ;;
  alertmanager) ls scenarios/monitoring/alertmanager.yml ;;
  promtool-test) ls scenarios/monitoring/error-rate-rules.test.yaml ;;
  gate) ls scenarios/experiments/gate.yaml ;;
  sweep) ls scenarios/experiments/sweep-runners.yaml ;;
  openb-pods) ls Tests/InputReadingTests/Fixtures/traces/openb_pod_list_sample.csv ;;
  openb-nodes) ls Tests/InputReadingTests/Fixtures/traces/openb_node_list_sample.csv ;;
  generic-csv) ls Tests/InputReadingTests/Fixtures/traces/generic_jobs.csv Tests/InputReadingTests/Fixtures/jobs.csv ;;
  generic-jsonl) ls Tests/InputReadingTests/Fixtures/traces/generic_jobs.jsonl Tests/InputReadingTests/Fixtures/jobs.jsonl ;;
  *) echo "fuzz: unknown target $1 (one of: ${all_targets[*]})" >&2; exit 2 ;;
  esac
}

crashed=()
for target in "${targets[@]}"; do
  corpus="$scratch/corpus/$target"
  seeds="$scratch/seeds/$target"
  artifacts="$scratch/artifacts/$target"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$artifacts"
  seeds_of "$target" | while read -r file; do cp "$file" "$seeds/$(echo "$file" | tr / _)"; done
  if [ -d "Tests/FuzzRegressions/$target" ]; then cp "Tests/FuzzRegressions/$target"/* "$seeds/" 2>/dev/null || true; fi
  echo "fuzz: $target for ${seconds}s"
  # Limits: 2 GiB of memory and 10 s per input are the findings worth fixing; inputs up
  # to 64 KiB cover every structure the readers have. SWIFT_BACKTRACE=enable=no leaves a
  # trap's signal to libFuzzer, which then writes the crashing input (Swift's own
  # backtracer would take it first and no artifact would be written).
  if ! SWIFT_BACKTRACE=enable=no PLATFORMSIM_FUZZ_TARGET="$target" "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" \
    >"$scratch/$target.log" 2>&1; then
    crashed+=("$target")
    tail -n 40 "$scratch/$target.log"
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added|^stat::peak_rss_mb' "$scratch/$target.log" |
    sed "s/^/fuzz: $target: /"
done

if [ "${#crashed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${crashed[*]} (inputs in $scratch/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no crashes"
