import Foundation
import Hummingbird
import Logging
import NIOCore
import WebUI

/// Why the server could not start or stopped.
public enum ResultsServerError: Error, Sendable {
  /// Another process listens on the address (EADDRINUSE).
  case addressInUse(host: String, port: Int)
  /// The host does not resolve to a local address, or another bind failure.
  case cannotListen(host: String, port: Int, reason: String)
  case failed(String)
}

/// `platformsim serve`: the results site (``ResultsSite``) on Hummingbird 2.
///
/// Every route of ``ResultsSite/routes`` is registered on Hummingbird's router with its
/// path parameters; anything else gets the site's 404 page. Read-only: only GET (and
/// HEAD) routes exist, and the database is opened read-only per request.
public enum ResultsServer {
  /// Serves `site` on `host:port` until SIGINT or SIGTERM.
  ///
  /// - Parameter started: called once listening, with the port (useful with port 0).
  public static func run(
    site: ResultsSite, host: String, port: Int, started: @escaping @Sendable (Int) -> Void
  ) async throws(ResultsServerError) {
    let router = Router()
    for route in ResultsSite.routes {
      router.get(RouterPath(route.colonTemplate)) { request, context -> Response in
        var parameters: [String: String] = [:]
        for name in route.parameterNames {
          if let value = context.parameters.get(name) { parameters[name] = value.removingPercentEncoding ?? value }
        }
        let query = request.uri.query.map { ResultsSite.parseQuery($0) } ?? []
        return response(site.respond(route, PageRequest(parameters: parameters, query: query)))
      }
    }
    var quietLogger = Logger(label: "platformsim-serve")
    quietLogger.logLevel = .error
    let responder = NotFoundResponder(router: router.buildResponder(), site: site)
    let app = Application(
      responder: responder,
      configuration: .init(address: .hostname(host, port: port), serverName: "platformsim"),
      onServerRunning: { channel in started(channel.localAddress?.port ?? port) },
      logger: quietLogger)
    do {
      try await app.runService()
    } catch let error as IOError where error.errnoCode == EADDRINUSE {
      throw .addressInUse(host: host, port: port)
    } catch let error as IOError {
      throw .cannotListen(host: host, port: port, reason: error.description)
    } catch {
      throw .failed("\(error)")
    }
  }

  static func response(_ page: SiteResponse) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = page.contentType
    headers[.cacheControl] = "no-store"
    return Response(
      status: HTTPResponse.Status(code: page.status), headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(string: page.body)))
  }
}

/// The router's responder, with the site's own 404 page for unknown paths.
struct NotFoundResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
  typealias Context = BasicRequestContext
  let router: Inner
  let site: ResultsSite

  func respond(to request: Request, context: Context) async throws -> Response {
    do {
      return try await router.respond(to: request, context: context)
    } catch let error as HTTPError where error.status == .notFound {
      return ResultsServer.response(site.notFound(path: request.uri.path))
    } catch let error as HTTPError where error.status == .methodNotAllowed {
      return ResultsServer.response(
        SiteResponse(status: 405, contentType: "text/plain; charset=utf-8", body: "The results site is read-only.\n"))
    }
  }
}
