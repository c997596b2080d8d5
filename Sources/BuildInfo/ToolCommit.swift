import CBuildInfo

/// The git commit this PlatformSim binary was built from, recorded beside
/// `ToolVersion.current` in every run and experiment (`runs.tool_commit`,
/// `experiments.tool_commit`) and printed by `platformsim version`.
///
/// Embedded at build time by Package.swift: the environment variable
/// `PLATFORMSIM_GIT_COMMIT` when set (scripts/build-release.sh and the Dockerfile set
/// it), else the package's git checkout — the full hash of `HEAD`, with `-dirty` appended
/// when the checkout had uncommitted changes — else `unknown` (a build from a source
/// tarball without `.git`).
public enum ToolCommit {
  /// The commit, `<hash>-dirty`, or `unknown`.
  public static let current = String(cString: platformsim_build_commit())

  /// Whether the build knows its commit.
  public static var isKnown: Bool { current != "unknown" }
}
