# PlatformSim release image: the static release binary on a slim Debian with tzdata and
# libsqlite3, run as a non-root user, with /work as the volume for scenarios and results.
#
#   docker build --build-arg PLATFORMSIM_GIT_COMMIT="$(git rev-parse HEAD)" -t platformsim:0.1.0 .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" platformsim:0.1.0 run scenarios/golden-path.yaml
#
# The build stage runs scripts/build-release.sh (the same script as a release job), so
# the binary in the image is the release tarball's binary. The two stages use the same
# Debian release (12, bookworm): the binary links the build stage's glibc.
# docs/DISTRIBUTED.md says what of this file has and has not been run (no Docker engine
# on the development machines; scripts/test-static-binary.sh runs the runtime stage's
# steps in a debootstrapped Debian).

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# Unpinned on purpose (DL3008): Debian replaces a package version when a security fix
# lands, so a pinned version stops installing; the base image tag pins the release.
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends libsqlite3-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so editing the sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# The build plugin that embeds PLATFORMSIM_GIT_COMMIT (`platformsim version`, runs.tool_commit).
COPY Plugins ./Plugins
COPY Tests ./Tests
COPY scripts/build-release.sh ./scripts/
COPY README.md CHANGELOG.md ./
# There is no .git in the build context (.dockerignore): the commit comes from here.
ARG PLATFORMSIM_GIT_COMMIT=unknown
RUN PLATFORMSIM_GIT_COMMIT="${PLATFORMSIM_GIT_COMMIT}" scripts/build-release.sh --output /out

FROM ${RUNTIME_IMAGE} AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends libsqlite3-0 tzdata \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 platformsim \
  && useradd --system --uid 10001 --gid platformsim --home-dir /work --no-create-home \
    --shell /usr/sbin/nologin platformsim \
  && mkdir -p /work \
  && chown platformsim:platformsim /work
COPY --from=build /out/platformsim /usr/local/bin/platformsim
# The bundled example scenarios, read-only: platformsim run /usr/share/platformsim/scenarios/golden-path.yaml
COPY scenarios /usr/share/platformsim/scenarios
ARG PLATFORMSIM_GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="platformsim" \
  org.opencontainers.image.description="Deterministic discrete-event simulator of an ML platform on Kubernetes" \
  org.opencontainers.image.revision="${PLATFORMSIM_GIT_COMMIT}"
USER 10001:10001
WORKDIR /work
VOLUME ["/work"]
ENTRYPOINT ["platformsim"]
CMD ["--help"]
