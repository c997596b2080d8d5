#!/usr/bin/env bash
# Build the release artefact of platformsim: a release binary with the Swift runtime and
# Foundation linked in statically (`--static-swift-stdlib`), so it runs on a bare
# Debian/Ubuntu that has glibc, libstdc++, libgcc and libsqlite3 — no Swift toolchain.
#
#   scripts/build-release.sh [--output DIR] [--skip-build]
#
# Writes DIR/platformsim-VERSION-linux-ARCH.tar.gz (the stripped binary, BUILDINFO,
# README.md, CHANGELOG.md) and DIR/….tar.gz.sha256, and leaves the stripped binary and
# BUILDINFO beside them. DIR defaults to dist/ (git-ignored). VERSION is what the built binary's
# `platformsim version` prints; the git commit comes from `git rev-parse HEAD`, or from
# PLATFORMSIM_GIT_COMMIT where there is no .git (the Dockerfile passes it as a build
# argument). The commit is exported as PLATFORMSIM_GIT_COMMIT during the build, where
# the EmbedGitCommit plugin embeds it (docs/DISTRIBUTED.md, "Versions"); the script fails
# if the binary's `platformsim version` names another commit.
#
# The fully static Linux SDK (musl, `swift build --swift-sdk x86_64-swift-linux-musl`) is
# used instead when it is installed and PLATFORMSIM_SWIFT_SDK names it; it is not
# installed on the development machines (`swift sdk list`), and it ships no libsqlite3,
# which CSQLite links — see docs/DISTRIBUTED.md.
#
# The script fails if the binary needs any shared library beyond glibc's, libstdc++,
# libgcc_s and libsqlite3 (e.g. a libswiftCore.so that static linking missed).
set -euo pipefail
cd "$(dirname "$0")/.."

output=dist
skip_build=false
while [ $# -gt 0 ]; do
  case $1 in
    --output) output=$2; shift 2 ;;
    --skip-build) skip_build=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-release: unknown argument $1" >&2; exit 2 ;;
  esac
done

commit=${PLATFORMSIM_GIT_COMMIT:-}
if [ -z "$commit" ] && git rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git rev-parse HEAD)
  git diff --quiet HEAD -- Package.swift Sources || commit="$commit-dirty"
fi
export PLATFORMSIM_GIT_COMMIT=${commit:-unknown}

build_flags=(-c release --product platformsim)
if [ -n "${PLATFORMSIM_SWIFT_SDK:-}" ]; then
  build_flags+=(--swift-sdk "$PLATFORMSIM_SWIFT_SDK")
else
  build_flags+=(--static-swift-stdlib)
fi

if [ "$skip_build" = false ]; then
  echo "build-release: swift build ${build_flags[*]} (commit $PLATFORMSIM_GIT_COMMIT)"
  start=$(date +%s)
  swift build "${build_flags[@]}"
  echo "build-release: built in $(( $(date +%s) - start )) s"
fi
bin_dir=$(swift build "${build_flags[@]}" --show-bin-path)
binary=$bin_dir/platformsim
[ -x "$binary" ] || { echo "build-release: no binary at $binary" >&2; exit 1; }

# Shared libraries the binary may need: glibc's, the C++ runtime, and SQLite.
allowed='^(libc|libm|libdl|libpthread|librt|libutil|ld-linux-x86-64|ld-linux-aarch64|libstdc\+\+|libgcc_s|libsqlite3)\.so'
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
unexpected=$(printf '%s\n' "$needed" | grep -Ev "$allowed" || true)
if [ -n "$unexpected" ]; then
  echo "build-release: the binary needs shared libraries a bare Debian lacks:" >&2
  printf '  %s\n' "$unexpected" >&2
  exit 1
fi

mkdir -p "$output"
cp "$binary" "$output/platformsim"
strip --strip-unneeded "$output/platformsim"

version=$("$output/platformsim" version | head -n 1 | awk '{print $2}')
case $version in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "build-release: 'platformsim version' printed '$version', not a semantic version" >&2; exit 1 ;;
esac
built_commit=$("$output/platformsim" version | sed -n 's/^commit //p')
if [ "$built_commit" != "$PLATFORMSIM_GIT_COMMIT" ]; then
  echo "build-release: the binary embeds commit '$built_commit', not $PLATFORMSIM_GIT_COMMIT" >&2
  exit 1
fi
arch=$(uname -m)
name=platformsim-$version-linux-$arch
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$output/platformsim" README.md "$stage/$name/"
[ -f CHANGELOG.md ] && cp CHANGELOG.md "$stage/$name/"
{
  echo "version: $version"
  echo "commit: $PLATFORMSIM_GIT_COMMIT"
  echo "target: $(swift -print-target-info | sed -n 's/.*"triple": "\(.*\)".*/\1/p' | head -n 1)"
  echo "swift: $(swift --version 2>&1 | head -n 1)"
  echo "linking: ${PLATFORMSIM_SWIFT_SDK:-static Swift standard library and Foundation (--static-swift-stdlib)}"
  echo "needs: $(tr '\n' ' ' <<<"$needed")"
} >"$stage/$name/BUILDINFO"
# Reproducible archive metadata: fixed owner, mode order and modification time.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' \
  -C "$stage" -czf "$output/$name.tar.gz" "$name"
(cd "$output" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
cp "$stage/$name/BUILDINFO" "$output/BUILDINFO"

echo "build-release: $output/$name.tar.gz ($(du -h "$output/$name.tar.gz" | cut -f1)), binary $(du -h "$output/platformsim" | cut -f1)"
cat "$stage/$name/BUILDINFO"
