/// A platform action requested by a webhook receiver whose URL uses the reserved
/// `sim://` scheme: `sim://rollback`, `sim://page?team=ml`, `sim://scale?replicas=+1`.
///
/// Why a scheme: a real alertmanager.yml reaches automation through a webhook to an
/// adapter (an Argo Events sensor, flagger-loadtester's `/rollback`, a pager). In the
/// simulator that adapter is the delivery model, and the URL names what it should do.
/// Real alertmanager only accepts `http` and `https` webhook URLs (`config.URL`), so
/// `sim://` is a simulator extension. Parsing only happens here; the delivery model
/// decides what an action does.
public struct PlatformAction: Hashable, Sendable, CustomStringConvertible {
  /// What the URL asks for; the host part of `sim://host`.
  public enum Kind: Hashable, Sendable {
    /// Abort the service's rollout and return to the stable version.
    case rollback
    /// Page the on-call human.
    case page
    /// Change the service's replica count, e.g. `replicas=+1`.
    case scale
    /// Any other `sim://` host, kept by name for the delivery model to interpret.
    case other(String)

    init(host: String) {
      switch host.lowercased() {
      case "rollback": self = .rollback
      case "page": self = .page
      case "scale": self = .scale
      default: self = .other(host)
      }
    }
  }

  public let kind: Kind
  /// The whole URL as written in the configuration.
  public let url: String
  /// The path after the host, without the leading `/` (`sim://scale/serving-a` → `serving-a`).
  public let path: String
  /// Query parameters in the order written, percent-decoded; `+` is kept literally so
  /// that `replicas=+1` means "one more".
  public let parameters: [(name: String, value: String)]

  /// The first value of a query parameter.
  public func parameter(_ name: String) -> String? {
    parameters.first { $0.name == name }?.value
  }

  /// Parses a `sim://` URL; `nil` for any other scheme.
  public init?(url: String) {
    let prefix = "sim://"
    guard url.lowercased().hasPrefix(prefix) else { return nil }
    let rest = String(url.dropFirst(prefix.count))
    let beforeFragment =
      rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let parts = beforeFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let location = parts.first.map(String.init) ?? ""
    let query = parts.count > 1 ? String(parts[1]) : ""
    let locationParts = location.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    let host = locationParts.first.map(String.init) ?? ""
    kind = Kind(host: host)
    self.url = url
    path = locationParts.count > 1 ? String(locationParts[1]) : ""
    var parameters: [(name: String, value: String)] = []
    for pair in query.split(separator: "&") where !pair.isEmpty {
      let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = PlatformAction.percentDecoded(String(pieces[0]))
      let value = pieces.count > 1 ? PlatformAction.percentDecoded(String(pieces[1])) : ""
      parameters.append((name, value))
    }
    self.parameters = parameters
  }

  public static func == (lhs: PlatformAction, rhs: PlatformAction) -> Bool {
    lhs.url == rhs.url
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(url) }

  public var description: String { url }

  /// Decodes `%XX` escapes; malformed escapes are kept as written.
  static func percentDecoded(_ text: String) -> String {
    let bytes = Array(text.utf8)
    var output: [UInt8] = []
    var index = 0
    func hexValue(_ byte: UInt8) -> UInt8? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
      default: return nil
      }
    }
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
        let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
      {
        output.append(high << 4 | low)
        index += 3
      } else {
        output.append(bytes[index])
        index += 1
      }
    }
    return String(decoding: output, as: UTF8.self)
  }
}
