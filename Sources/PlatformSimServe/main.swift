import Foundation
import PlatformSimCLI
import PlatformSimServer
import WebUI

/// `platformsim-serve`: the HTTP server `platformsim serve` runs (docs/UI.md).
let status = await ServeEntryPoint.main(arguments: Array(CommandLine.arguments.dropFirst())) { settings, started in
  do throws(ResultsServerError) {
    try await ResultsServer.run(
      site: ResultsSite(databasePath: settings.databasePath), host: settings.host, port: settings.port,
      started: started)
    return .stopped
  } catch {
    switch error {
    case .addressInUse: return .addressInUse
    case .cannotListen(_, _, let reason): return .cannotListen(reason)
    case .failed(let reason): return .failed(reason)
    }
  }
}
exit(status)
