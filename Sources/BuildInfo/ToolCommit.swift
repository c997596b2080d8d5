/// The git commit this PlatformSim binary was built from, recorded beside
/// `ToolVersion.current` in every run and experiment (`runs.tool_commit`,
/// `experiments.tool_commit`) and printed by `platformsim version`.
///
/// Embedded before every build by the EmbedGitCommit plugin (Plugins/): the environment
/// variable `PLATFORMSIM_GIT_COMMIT` when set (scripts/build-release.sh and the Dockerfile
/// set it), else the package's git checkout — the full hash of `HEAD`, with `-dirty`
/// appended when Package.swift or Sources/ differ from it — else `unknown` (no git, or a
/// source tarball without .git).
public enum ToolCommit {
  /// The commit, `<hash>-dirty`, or `unknown`.
  public static let current: String = embeddedGitCommit
}
