import ArgumentParser
import PlatformModel

enum PlatformModelVersion {
  static var text: String { ToolVersion.current }
}

struct VersionCommand: StatusCommand {
  static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
  mutating func execute() throws(CLIError) -> ExitStatus {
    print("platformsim \(ToolVersion.current)")
    return .success
  }
}
