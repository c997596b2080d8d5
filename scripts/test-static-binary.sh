#!/usr/bin/env bash
# Release check: the static release binary runs in a minimal Debian with nothing but
# what the Dockerfile's runtime stage installs (libsqlite3-0, tzdata), as its non-root
# user, under chroot.
#
#   sudo scripts/test-static-binary.sh [--binary PATH] [--rootfs DIR] [--fresh]
#
# 1. debootstrap --variant=minbase a Debian (SUITE, default bookworm: the Dockerfile's
#    runtime base) into DIR (default .build-rootfs/SUITE, git-ignored), from the Debian
#    mirror configured in /etc/apt/sources.list*; kept for the next run unless --fresh or
#    the Dockerfile's runtime steps changed.
# 2. Run the Dockerfile's runtime-stage RUN instructions in it, as they are written
#    there (apt-get install libsqlite3-0 tzdata, the platformsim user, /work); then do
#    what its COPY, USER and WORKDIR lines do: the binary to /usr/local/bin, the bundled
#    scenarios to /usr/share/platformsim/scenarios, uid 10001 in /work.
# 3. Run platformsim there (env -i, uid 10001, cwd /work) and check exit codes and output:
#    version, validate (good and bad), run, gate (regression → 1, bad rules → 2), report,
#    run --shard + merge.
#
# `platformsim version` must name the commit in BUILDINFO beside the binary (or
# EXPECT_COMMIT). /proc is mounted in the chroot, as in any container: the Swift runtime
# finds the arguments through /proc/self/maps; one check unmounts it (in a mount
# namespace of its own) and expects exit 2 with the reason.
# Needs root (debootstrap, chroot, mounting /proc) and the network to the Debian mirror.
# Binary default: dist/platformsim (scripts/build-release.sh). A first run takes a few
# minutes (debootstrap); see docs/DISTRIBUTED.md for measured times. Exit 0 when every
# check passed, 1 when one failed, 2 on bad usage or a missing prerequisite.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=dist/platformsim
suite=${SUITE:-bookworm}
rootfs=
fresh=false
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --rootfs) rootfs=$2; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-static-binary: unknown argument $1" >&2; exit 2 ;;
  esac
done
rootfs=${rootfs:-.build-rootfs/$suite}

say() { printf 'test-static-binary: %s\n' "$*"; }
die() { printf 'test-static-binary: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
[ -x "$binary" ] || die "no binary at $binary (run scripts/build-release.sh first)"
if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
fi

# The Debian mirror this machine's apt uses (deb822 .sources first, then one-line lists).
mirror=${MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
fi
if [ -z "$mirror" ]; then
  mirror=$(grep -hE '^deb +(\[[^]]*\] +)?https?://' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v security | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1; exit }')
fi
mirror=${mirror:-http://deb.debian.org/debian}

# The runtime stage's RUN instructions, continuation lines joined, comments dropped.
runtime_steps() {
  awk '
    /^FROM .* AS runtime/ { inside = 1; next }
    /^FROM / { inside = 0 }
    !inside || /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    { if (line ~ /^RUN /) { sub(/^RUN +/, "", line); print line } line = "" }
  ' Dockerfile
}
steps=$(runtime_steps)
[ -n "$steps" ] || die "no RUN instructions found in the Dockerfile's runtime stage"
stamp="suite=$suite mirror=$mirror steps=$(printf '%s' "$steps" | sha256sum | cut -c1-16)"

mounted=false
cleanup() { if [ "$mounted" = true ]; then umount "$rootfs/proc" || true; fi; }
trap cleanup EXIT

if [ "$fresh" = true ] || [ "$(cat "$rootfs/.platformsim-rootfs" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$rootfs"
  mkdir -p "$(dirname "$rootfs")"
  say "debootstrap --variant=minbase $suite from $mirror"
  start=$(date +%s)
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$rootfs.debootstrap.log" 2>&1 \
    || { tail -n 20 "$rootfs.debootstrap.log" >&2; die "debootstrap failed (log: $rootfs.debootstrap.log)"; }
  say "debootstrap took $(( $(date +%s) - start )) s"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc" && mounted=true
  start=$(date +%s)
  while IFS= read -r step; do
    say "Dockerfile runtime step: $step"
    chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      /bin/sh -c "$step" >>"$rootfs.steps.log" 2>&1 \
      || { tail -n 20 "$rootfs.steps.log" >&2; die "a Dockerfile runtime step failed (log: $rootfs.steps.log)"; }
  done <<<"$steps"
  say "runtime steps took $(( $(date +%s) - start )) s"
  printf '%s' "$stamp" >"$rootfs/.platformsim-rootfs"
else
  say "reusing $rootfs (same suite, mirror and Dockerfile runtime steps; --fresh to rebuild)"
fi
if [ "$mounted" = false ]; then mount -t proc proc "$rootfs/proc" && mounted=true; fi

# What the COPY / USER / WORKDIR lines do.
install -m 0755 "$binary" "$rootfs/usr/local/bin/platformsim"
rm -rf "$rootfs/usr/share/platformsim" "${rootfs:?}/work/"*
mkdir -p "$rootfs/usr/share/platformsim"
cp -r scenarios "$rootfs/usr/share/platformsim/scenarios"
cp -r scenarios "$rootfs/work/scenarios"
chown -R 10001:10001 "$rootfs/work"

# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
say "installed packages: $(chroot "$rootfs" dpkg-query -W -f '${Package}\n' | wc -l) \
(libsqlite3-0 $(chroot "$rootfs" dpkg-query -W -f '${Version}' libsqlite3-0), \
tzdata $(chroot "$rootfs" dpkg-query -W -f '${Version}' tzdata))"
if find "$rootfs" -xdev \( -name 'libswift*' -o -name 'libFoundation*' \) | grep -q .; then
  die "the root filesystem has a Swift runtime library: the test would not show the binary is static"
fi

passed=0
failed=0
output=$(mktemp)
trap 'cleanup; rm -f "$output"' EXIT

# check NAME EXPECTED_EXIT PATTERN -- ARGS...: run platformsim ARGS in the chroot as the
# image's user, expect the exit code and an extended regex in stdout+stderr.
check() {
  local name=$1 expected=$2 pattern=$3
  shift 4
  local status=0 start=$EPOCHREALTIME
  chroot --userspec=10001:10001 "$rootfs" /usr/bin/env -i HOME=/work PATH=/usr/local/bin:/usr/bin:/bin \
    /bin/sh -c 'cd /work && exec platformsim "$@"' platformsim "$@" >"$output" 2>&1 || status=$?
  local took
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  if [ "$status" -eq "$expected" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$output"; }; then
    passed=$((passed + 1))
    say "ok    $name (exit $status, ${took} s)"
  else
    failed=$((failed + 1))
    say "FAIL  $name: exit $status (expected $expected), output should match /$pattern/:"
    sed 's/^/      | /' "$output" | tail -n 25
  fi
}

check "version" 0 '^platformsim [0-9]+\.[0-9]+\.[0-9]+' -- version
# The commit the binary was built from: EXPECT_COMMIT, else BUILDINFO beside the binary.
commit=$(sed -n 's/^commit: //p' "$(dirname "$binary")"/BUILDINFO 2>/dev/null || true)
commit=${EXPECT_COMMIT:-$commit}
if [ -n "$commit" ]; then
  check "version names the commit of BUILDINFO ($commit)" 0 "^commit ${commit//./\\.}\$" -- version
else
  check "version names a commit" 0 '^commit [A-Za-z0-9._+-]+$' -- version
fi

# Without /proc the runtime sees no arguments: exit 2 naming /proc, not help with exit 0.
status=0
# shellcheck disable=SC2016 # $1 is expanded by the inner shell
unshare --mount --propagation private /bin/sh -c 'umount -l "$1/proc" && exec chroot --userspec=10001:10001 "$1" \
  /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin platformsim version' sh "$rootfs" >"$output" 2>&1 || status=$?
if [ "$status" -eq 2 ] && grep -q '/proc' "$output"; then
  passed=$((passed + 1)); say "ok    without /proc: exit 2, naming /proc"
else
  failed=$((failed + 1)); say "FAIL  without /proc: exit $status (expected 2 naming /proc):"
  sed 's/^/      | /' "$output" | tail -n 5
fi

check "validate bundled scenarios" 0 '' -- validate scenarios/golden-path.yaml scenarios/capacity-planning.yaml \
  scenarios/serving-on-cluster.yaml scenarios/experiments/baseline.yaml scenarios/experiments/candidate-worse.yaml
cat >"$rootfs/work/broken.yaml" <<'EOF'
apiVersion: platformsim.dev/v1alpha1
kind: Scenario
metadata: {name: broken}
spec:
  simulation: {duration: 1d, seed: 1, timezon: UTC}
EOF
chown 10001:10001 "$rootfs/work/broken.yaml"
# `run` creates only the default reports/ folder; any other --db directory must exist.
mkdir -p "$rootfs/work/results" && chown 10001:10001 "$rootfs/work/results"
check "validate a broken scenario → 2, located" 2 'broken\.yaml:[0-9]+:[0-9]+' -- validate broken.yaml

check "run golden path (30 d; +01:00 Europe/Berlin needs tzdata)" 0 '\+01:00 .*Europe/Berlin' -- \
  run scenarios/golden-path.yaml --db results/run.sqlite
status=$(sqlite3 "$rootfs/work/results/run.sqlite" 'select status from runs' 2>/dev/null || echo "unreadable")
if [ "$status" = completed ]; then
  passed=$((passed + 1)); say "ok    results database written by the chroot's libsqlite3 reads back (runs.status = completed)"
else
  failed=$((failed + 1)); say "FAIL  results database: runs.status = '$status'"
fi
check "run the image's bundled copy (absolute path, default reports/)" 0 'completed' -- \
  run /usr/share/platformsim/scenarios/golden-path.yaml --until 1d

check "gate: regression → 1" 1 '' -- \
  gate --baseline scenarios/experiments/baseline.yaml --candidate scenarios/experiments/candidate-worse.yaml \
  --rules scenarios/experiments/gate.yaml --replications 4 --jobs 2 --until 7d --db results/gate.sqlite \
  --format junit --output results/gate.xml --summary results/gate.md --quiet
if grep -q '<testsuite .*failures="[1-9]' "$rootfs/work/results/gate.xml" 2>/dev/null \
  && grep -q 'regressed' "$rootfs/work/results/gate.md" 2>/dev/null; then
  passed=$((passed + 1)); say "ok    gate wrote JUnit XML and the Markdown summary"
else
  failed=$((failed + 1)); say "FAIL  gate did not write results/gate.xml and results/gate.md"
fi
printf 'apiVersion: platformsim.dev/v1alpha1\nkind: Gate\nname: bad\nrules:\n  no_such_kpi: {maxIncrease: 1}\n' \
  >"$rootfs/work/bad-gate.yaml"
chown 10001:10001 "$rootfs/work/bad-gate.yaml"
check "gate: unknown KPI → 2" 2 'no_such_kpi' -- \
  gate --baseline scenarios/experiments/baseline.yaml --candidate scenarios/experiments/baseline.yaml \
  --rules bad-gate.yaml --replications 2 --until 1d --db results/bad.sqlite --quiet
check "report of the gate experiment (Markdown + HTML)" 0 '' -- \
  report --db results/gate.sqlite --experiment 1 --output results/report
if ls "$rootfs/work/results/report/"*.html >/dev/null 2>&1; then
  passed=$((passed + 1)); say "ok    report wrote HTML"
else
  failed=$((failed + 1)); say "FAIL  no HTML report in results/report"
fi

for i in 0 1; do
  check "run --replications 4 --shard $i/2" 0 '' -- run scenarios/experiments/baseline.yaml --replications 4 \
    --until 2d --jobs 1 --shard "$i/2" --db "results/shard-$i.sqlite" --quiet
done
check "merge the two shards" 0 '' -- merge results/merged.sqlite results/shard-0.sqlite results/shard-1.sqlite

say "$passed checks passed, $failed failed ($binary on $suite minbase + libsqlite3-0 + tzdata, uid 10001)"
[ "$failed" -eq 0 ]
