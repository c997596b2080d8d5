#!/usr/bin/env bash
# Run one PlatformSim gate as sharded Kubernetes Jobs and return its verdict.
#
#   scripts/run-sharded-gate-on-k8s.sh --inputs DIR --baseline PATH --candidate PATH --rules PATH
#       [--shards N] [--replications R] [--jobs J] [--run NAME] [--image IMAGE]
#       [--namespace NS] [--timeout 60m] [--out DIR]
#   scripts/run-sharded-gate-on-k8s.sh --print-manifests [same flags]   # render, apply nothing
#
# DIR holds the files the gate reads (e.g. two checkouts, baseline/ and candidate/); the
# three PATHs are relative to it. Steps (manifests in deploy/kubernetes/):
#  1. the ReadWriteMany claim platformsim-work (pvc.yaml) and a pod that mounts it
#     (io-pod.yaml); DIR is copied to /work/RUN/inputs with kubectl cp;
#  2. the ConfigMap platformsim-gate with the parameters, then the Indexed Job
#     platformsim-gate-shards (shards-job.yaml) with completions = parallelism = N;
#  3. `kubectl wait --for=condition=complete job/platformsim-gate-shards` (the script
#     stops early when the Job gets condition Failed instead);
#  4. only then the Job platformsim-gate-judge (judge-job.yaml): merge, gate, report;
#  5. its log (the Markdown verdict), and gate.xml, gate.md, merged.sqlite and report/
#     copied to --out (default platformsim-gate-RUN/).
# Exit status: the gate's — 0 passed, 1 a KPI regressed (or a shard's run failed), 2 bad
# input (a shard or the judge exited 2); 3 the cluster did not finish the work (timeout,
# retries exhausted). Needs kubectl and a namespace where it may create Jobs, Pods,
# ConfigMaps and PersistentVolumeClaims. docs/DISTRIBUTED.md says what was run.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs='' baseline='' candidate='' rules=''
shards=4 replications=120 jobs=2 timeout=60m namespace='' out='' print=false
run=gate-$(date -u +%Y%m%d-%H%M%S)
image=ghcr.io/example/platformsim:0.2.0
while [ $# -gt 0 ]; do
  case $1 in
    --inputs) inputs=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --candidate) candidate=$2; shift 2 ;;
    --rules) rules=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --replications) replications=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --run) run=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --namespace) namespace=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --print-manifests) print=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-sharded-gate-on-k8s: unknown argument $1" >&2; exit 2 ;;
  esac
done
die() { echo "run-sharded-gate-on-k8s: $*" >&2; exit 2; }
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive integer"
[[ $replications =~ ^[1-9][0-9]*$ ]] || die "--replications must be a positive integer"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer"
[[ $run =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "--run must be a DNS label (a-z, 0-9, -)"
[ "$shards" -le "$replications" ] || die "more shards ($shards) than replications ($replications)"
for value in "$baseline" "$candidate" "$rules"; do
  [ -n "$value" ] || die "--baseline, --candidate and --rules are required"
done
out=${out:-platformsim-gate-$run}

# The manifests with this run's values: the image, and N for completions/parallelism.
render() {
  sed -e "s#image: ghcr.io/example/platformsim:[^ ]*#image: $image#" \
    -e "s/^  completions: [0-9]*/  completions: $shards/" -e "s/^  parallelism: [0-9]*/  parallelism: $shards/" \
    "deploy/kubernetes/$1"
}
configmap() {
  cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: platformsim-gate
  labels:
    app.kubernetes.io/name: platformsim
data:
  RUN: "$run"
  BASELINE: "$baseline"
  CANDIDATE: "$candidate"
  RULES: "$rules"
  REPLICATIONS: "$replications"
  SHARDS: "$shards"
  JOBS: "$jobs"
EOF
}
if [ "$print" = true ]; then
  for file in pvc.yaml io-pod.yaml; do render "$file"; echo "---"; done
  configmap; echo "---"
  render shards-job.yaml; echo "---"
  render judge-job.yaml
  exit 0
fi

[ -d "$inputs" ] || die "--inputs must be a directory"
for path in "$baseline" "$candidate" "$rules"; do
  [ -f "$inputs/$path" ] || die "no file $inputs/$path"
done
command -v kubectl >/dev/null || die "kubectl not found"
k() { kubectl ${namespace:+--namespace "$namespace"} "$@"; }
say() { echo "run-sharded-gate-on-k8s: $*"; }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { k delete pod platformsim-io --ignore-not-found --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

# wait_job NAME: 0 when the Job completes, 1 when it fails, 3 on timeout.
wait_job() {
  local job=$1 waiter
  k wait --for=condition=complete "job/$job" --timeout="$timeout" >/dev/null &
  waiter=$!
  while kill -0 "$waiter" 2>/dev/null; do
    if [ "$(k get job "$job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')" = True ]; then
      kill "$waiter" 2>/dev/null || true
      wait "$waiter" 2>/dev/null || true
      return 1
    fi
    sleep 5
  done
  if wait "$waiter"; then return 0; fi
  return 3
}
# The exit code of the Job's most recent terminated container.
last_exit_code() {
  k get pods -l "job-name=$1" --sort-by=.metadata.creationTimestamp \
    -o jsonpath='{range .items[*]}{.status.containerStatuses[0].state.terminated.exitCode}{"\n"}{end}' \
    | grep -E '^[0-9]+$' | tail -n 1
}

say "run $run: $shards shards × $replications replications, image $image"
render pvc.yaml | k apply -f -
render io-pod.yaml | k apply -f -
k wait --for=condition=Ready pod/platformsim-io --timeout=5m
k exec platformsim-io -- sh -c "rm -rf '/work/$run' && mkdir -p '/work/$run/inputs' '/work/$run/shards'"
k cp "$inputs/." "platformsim-io:/work/$run/inputs"
configmap | k apply -f -

k delete job platformsim-gate-shards platformsim-gate-judge --ignore-not-found --wait=true
render shards-job.yaml | k apply -f -
status=0
wait_job platformsim-gate-shards || status=$?
if [ "$status" -ne 0 ]; then
  k get job platformsim-gate-shards -o jsonpath='{range .status.conditions[*]}{.type}: {.reason} {.message}{"\n"}{end}' >&2 || true
  if [ "$status" -eq 3 ]; then say "the shards did not complete within $timeout"; exit 3; fi
  code=$(last_exit_code platformsim-gate-shards || true)
  case $code in
    1 | 2) say "a shard exited $code"; exit "$code" ;;
    *) say "the shards failed (last exit code ${code:-none}): not a verdict"; exit 3 ;;
  esac
fi
say "all $shards shards complete; merging and judging"

render judge-job.yaml | k apply -f -
status=0
wait_job platformsim-gate-judge || status=$?
k logs job/platformsim-gate-judge || true
mkdir -p "$out"
for file in gate.xml gate.md merged.sqlite report; do
  k cp "platformsim-io:/work/$run/$file" "$out/$file" >/dev/null 2>&1 || true
done
say "results in $out/"
if [ "$status" -eq 3 ]; then say "the judge did not finish within $timeout"; exit 3; fi
code=$(last_exit_code platformsim-gate-judge || true)
case $code in
  0 | 1 | 2) exit "$code" ;;
  *) say "the judge failed (last exit code ${code:-none}): not a verdict"; exit 3 ;;
esac
