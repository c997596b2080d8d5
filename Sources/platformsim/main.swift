import Foundation
import PlatformSimCLI

exit(PlatformSimCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
