import Foundation
import ResultRows
import ResultStore

/// A response of the results site: status, content type and body.
public struct SiteResponse: Sendable {
  public var status: Int
  public var contentType: String
  public var body: String

  public init(status: Int, contentType: String, body: String) {
    self.status = status
    self.contentType = contentType
    self.body = body
  }

  static func html(_ body: String, status: Int = 200) -> SiteResponse {
    SiteResponse(status: status, contentType: "text/html; charset=utf-8", body: body)
  }

  static func json<Value: Encodable>(_ value: Value, status: Int = 200) -> SiteResponse {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return SiteResponse(status: status, contentType: "application/json", body: String(decoding: data, as: UTF8.self))
  }
}

/// Why a page could not be shown; rendered as an HTML page or a JSON error.
public enum SiteError: Error, Sendable {
  /// No run, experiment, deployment or incident with this identity (404).
  case notFound(what: String)
  /// A parameter is malformed (400).
  case badRequest(String)
  /// The database cannot be read: written by a newer PlatformSim, not a PlatformSim
  /// database, or a failing statement (500, or 409 for a newer schema).
  case store(StoreError)

  var status: Int {
    switch self {
    case .notFound: return 404
    case .badRequest: return 400
    case .store(let error):
      if case .schemaTooNew = error.kind { return 409 }
      return 500
    }
  }

  var title: String {
    switch self {
    case .notFound: return "Not found"
    case .badRequest: return "Bad request"
    case .store(let error):
      if case .schemaTooNew = error.kind { return "Database from a newer PlatformSim" }
      return "Database error"
    }
  }

  var message: String {
    switch self {
    case .notFound(let what): return "\(what) does not exist in this database."
    case .badRequest(let message): return message
    case .store(let error):
      if case .schemaTooNew(let found, let supported) = error.kind {
        return
          "\(error.path) was written by a newer PlatformSim (schema version \(found); this one reads up to \(supported)). "
          + "Serve it with a newer platformsim."
      }
      return error.description
    }
  }
}

/// One route of the site: a GET path template (`/runs/{run}`) and its page or API.
public struct SiteRoute: Sendable {
  public var template: String
  /// `html` pages for people, `json` for the API (docs/openapi.yaml documents both).
  public var isAPI: Bool
  let handler: @Sendable (ResultsSite, PageRequest) throws(SiteError) -> SiteResponse

  /// The names of the template's path parameters, in order.
  public var parameterNames: [String] {
    template.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
  }

  /// The template in Hummingbird's syntax: `/runs/:run`.
  public var colonTemplate: String {
    template.split(separator: "/", omittingEmptySubsequences: false).map { part in
      part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
    }.joined(separator: "/")
  }
}

/// A request as the pages see it: path parameters and query items.
public struct PageRequest: Sendable {
  public var parameters: [String: String]
  /// Query items in order (a name may repeat, for example `service`).
  public var query: [(name: String, value: String)]

  public init(parameters: [String: String] = [:], query: [(name: String, value: String)] = []) {
    self.parameters = parameters
    self.query = query
  }

  func integer(_ name: String) throws(SiteError) -> Int64 {
    guard let text = parameters[name] ?? first(name) else { throw .badRequest("missing \(name)") }
    guard let value = Int64(text), value >= 0 else {
      throw .badRequest("\(name) must be a non-negative integer, found `\(text)`")
    }
    return value
  }

  func optionalInteger(_ name: String) throws(SiteError) -> Int64? {
    guard let text = first(name), !text.isEmpty else { return nil }
    guard let value = Int64(text), value >= 0 else {
      throw .badRequest("\(name) must be a non-negative integer, found `\(text)`")
    }
    return value
  }

  func first(_ name: String) -> String? { query.first { $0.name == name }?.value }
  func all(_ name: String) -> [String] { query.filter { $0.name == name && !$0.value.isEmpty }.map(\.value) }
}

/// The results site behind `platformsim serve`: HTML pages and a JSON API over one
/// results database, read-only.
///
/// Framework-free (no HTTP types), so pages are rendered and benchmarked without a
/// server; `PlatformSimServer` registers ``routes`` on Hummingbird's router. Each
/// request opens its own read-only connection (SQLite connections are not shared
/// between threads here; opening one costs well under a millisecond).
public final class ResultsSite: Sendable {
  public let databasePath: String

  public init(databasePath: String) {
    self.databasePath = databasePath
  }

  /// Opens the database for one request.
  func store() throws(SiteError) -> ResultStore {
    do {
      return try ResultStore(readingOnly: databasePath)
    } catch {
      throw .store(error)
    }
  }

  /// Runs `body` and turns its errors into an error page (HTML) or error object (API).
  public func respond(_ route: SiteRoute, _ request: PageRequest) -> SiteResponse {
    do {
      return try route.handler(self, request)
    } catch {
      return errorResponse(error, api: route.isAPI)
    }
  }

  /// The response for a path no route matches.
  public func notFound(path: String) -> SiteResponse {
    errorResponse(.notFound(what: "The page \(path)"), api: path.hasPrefix("/api/"))
  }

  func errorResponse(_ error: SiteError, api: Bool) -> SiteResponse {
    if api {
      return .json(APIError(error: error.title, message: error.message, status: error.status), status: error.status)
    }
    var page = HTMLPage(title: error.title)
    page.add("<p class=\"error\">\(escapeHTML(error.message))</p>")
    page.add("<p><a href=\"/\">All runs</a> · <a href=\"/experiments\">All experiments</a></p>")
    return .html(page.render(), status: error.status)
  }

  /// Every route, pages and API, in the order docs/openapi.yaml lists them.
  public static let routes: [SiteRoute] = [
    SiteRoute(template: "/", isAPI: false) { site, request throws(SiteError) in try site.runsPage(request) },
    SiteRoute(template: "/api/runs", isAPI: true) { site, request throws(SiteError) in
      .json(try site.runList(request))
    },
    SiteRoute(template: "/runs/{run}", isAPI: false) { site, request throws(SiteError) in try site.runPage(request) },
    SiteRoute(template: "/api/runs/{run}", isAPI: true) { site, request throws(SiteError) in
      .json(try site.runDetail(request))
    },
    SiteRoute(template: "/runs/{run}/deployments", isAPI: false) { site, request throws(SiteError) in
      try site.deploymentsPage(request)
    },
    SiteRoute(template: "/api/runs/{run}/deployments", isAPI: true) { site, request throws(SiteError) in
      .json(try site.deploymentList(request))
    },
    SiteRoute(template: "/runs/{run}/deployments/{deployment}", isAPI: false) { site, request throws(SiteError) in
      try site.deploymentPage(request)
    },
    SiteRoute(template: "/api/runs/{run}/deployments/{deployment}", isAPI: true) { site, request throws(SiteError) in
      .json(try site.deploymentDetail(request))
    },
    SiteRoute(template: "/runs/{run}/incidents/{incident}", isAPI: false) { site, request throws(SiteError) in
      try site.incidentPage(request)
    },
    SiteRoute(template: "/api/runs/{run}/incidents/{incident}", isAPI: true) { site, request throws(SiteError) in
      .json(try site.incidentDetail(request))
    },
    SiteRoute(template: "/experiments", isAPI: false) { site, request throws(SiteError) in
      try site.experimentsPage(request)
    },
    SiteRoute(template: "/api/experiments", isAPI: true) { site, request throws(SiteError) in
      .json(try site.experimentList(request))
    },
    SiteRoute(template: "/experiments/{experiment}", isAPI: false) { site, request throws(SiteError) in
      try site.experimentPage(request)
    },
    SiteRoute(template: "/api/experiments/{experiment}", isAPI: true) { site, request throws(SiteError) in
      .json(try site.experimentDetail(request))
    },
    SiteRoute(template: "/compare/runs", isAPI: false) { site, request throws(SiteError) in
      try site.compareRunsPage(request)
    },
    SiteRoute(template: "/api/compare/runs", isAPI: true) { site, request throws(SiteError) in
      .json(try site.runComparison(request))
    },
    SiteRoute(template: "/compare/experiments", isAPI: false) { site, request throws(SiteError) in
      try site.compareExperimentsPage(request)
    },
    SiteRoute(template: "/api/compare/experiments", isAPI: true) { site, request throws(SiteError) in
      .json(try site.experimentComparison(request))
    },
  ]

  /// The route for a concrete path, with its parameters; `nil` when none matches.
  public static func match(path: String) -> (route: SiteRoute, parameters: [String: String])? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    for route in routes {
      let pattern = route.template.split(separator: "/", omittingEmptySubsequences: true)
      guard pattern.count == parts.count else { continue }
      var parameters: [String: String] = [:]
      var matched = true
      for (expected, actual) in zip(pattern, parts) {
        if expected.hasPrefix("{") {
          parameters[String(expected.dropFirst().dropLast())] = actual.removingPercentEncoding ?? String(actual)
        } else if expected != actual {
          matched = false
          break
        }
      }
      if matched { return (route, parameters) }
    }
    return nil
  }

  /// Serves `path?query` without a server: for benchmarks and tests.
  public func get(_ target: String) -> SiteResponse {
    let pieces = target.split(separator: "?", maxSplits: 1)
    let path = pieces.first.map(String.init) ?? "/"
    let query = pieces.count > 1 ? Self.parseQuery(String(pieces[1])) : []
    guard let (route, parameters) = Self.match(path: path) else { return notFound(path: path) }
    return respond(route, PageRequest(parameters: parameters, query: query))
  }

  /// `a=1&b=x%20y` as ordered items, `+` read as a space (HTML forms).
  public static func parseQuery(_ text: String) -> [(name: String, value: String)] {
    text.split(separator: "&").map { item in
      let pair = item.split(separator: "=", maxSplits: 1).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      return (pair[0], pair.count > 1 ? pair[1] : "")
    }
  }
}

/// The body of an API error.
struct APIError: Codable {
  var error: String
  var message: String
  var status: Int
}
