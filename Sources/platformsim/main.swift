import Foundation
import PlatformSimCLI

exit(PlatformSimCommand.main(commandLine: CommandLine.arguments))
