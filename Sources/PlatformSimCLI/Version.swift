import ArgumentParser
import BuildInfo
import PlatformModel

/// What `platformsim version` and `platformsim --version` print: the semantic version on
/// the first line (scripts/build-release.sh names the release tarball from it), then the
/// git commit the binary was built from (``ToolCommit``).
enum PlatformModelVersion {
  static var text: String { "\(ToolVersion.current)\ncommit \(ToolCommit.current)" }
}

struct VersionCommand: StatusCommand {
  static let configuration = CommandConfiguration(
    commandName: "version", abstract: "Print the version and the git commit it was built from.")
  mutating func execute() throws(CLIError) -> ExitStatus {
    print("platformsim \(PlatformModelVersion.text)")
    return .success
  }
}
