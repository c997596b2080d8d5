import Foundation
import PackagePlugin

/// Embeds the git commit of the build into the BuildInfo target, before every build.
///
/// A prebuild command (SwiftPM runs those at the start of every build, unlike build
/// commands, which run only when their declared inputs change) writes
/// `EmbeddedGitCommit.swift` with the commit as a string: `PLATFORMSIM_GIT_COMMIT` from the environment when set
/// (scripts/build-release.sh, the Dockerfile), else `git rev-parse HEAD` of the package
/// (with `-dirty` when `git diff HEAD -- Package.swift Sources` is not empty), else
/// `unknown` (no git, or a source tarball without .git). The file is rewritten only when
/// its text changes, so a new commit recompiles the BuildInfo module and relinks, and an
/// unchanged one rebuilds nothing.
///
/// Evaluating the commit in Package.swift (`Context.gitInformation`) would not do: SwiftPM
/// caches the evaluated manifest by its text and environment, not by the git state, so
/// the commit would go stale after `git commit`.
@main
struct EmbedGitCommit: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "generated")
    var environment: [String: String] = [:]
    for name in ["PLATFORMSIM_GIT_COMMIT", "PATH", "HOME"] {
      if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
    }
    return [
      .prebuildCommand(
        displayName: "Embedding the git commit into \(target.name)",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", Self.script, "embed-git-commit", context.package.directoryURL.path, output.path],
        environment: environment,
        outputFilesDirectory: output)
    ]
  }

  /// `sh -c SCRIPT embed-git-commit PACKAGE_DIR OUTPUT_DIR`.
  static let script = #"""
    set -eu
    package=$1 output=$2
    commit=${PLATFORMSIM_GIT_COMMIT:-}
    if [ -z "$commit" ]; then
      commit=unknown
      if command -v git >/dev/null 2>&1 && head=$(git -C "$package" rev-parse --verify -q HEAD 2>/dev/null); then
        commit=$head
        git -C "$package" diff --quiet HEAD -- Package.swift Sources 2>/dev/null || commit="$commit-dirty"
      fi
    fi
    case $commit in
      *[!A-Za-z0-9._+-]*)
        echo "error: PLATFORMSIM_GIT_COMMIT='$commit': only letters, digits and . _ + - are allowed" >&2
        exit 1 ;;
    esac
    mkdir -p "$output"
    text="// Generated before every build by Plugins/EmbedGitCommit; do not edit.
    let embeddedGitCommit = \"$commit\""
    if [ "$(cat "$output/EmbeddedGitCommit.swift" 2>/dev/null)" != "$text" ]; then
      printf '%s\n' "$text" >"$output/EmbeddedGitCommit.swift.new"
      mv "$output/EmbeddedGitCommit.swift.new" "$output/EmbeddedGitCommit.swift"
    fi
    """#
}
