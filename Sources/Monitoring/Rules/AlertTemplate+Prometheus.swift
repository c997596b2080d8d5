import Foundation

extension TemplateFunctions {
  /// Prometheus 2.42's template functions (template/template.go `NewTemplateExpander`).
  func callPrometheus(_ function: String, _ values: [TemplateValue]) throws -> TemplateValue {
    switch function {
    case "query":
      try arity(function, values, 1)
      let expression = try string(values[0])
      guard let query = execution.query else { throw fail("error calling query: no query engine available") }
      do {
        return .samples(try query(expression).map { TemplateSample(labels: $0.labels, value: $0.value) })
      } catch let error as PromQLError {
        throw fail("error calling query: \(error.singleLine)")
      } catch {
        throw fail("error calling query: \(error)")
      }
    case "first":
      try arity(function, values, 1)
      guard let first = try samples(values[0]).first else {
        throw fail("error calling first: first() called on vector with no elements")
      }
      return .sample(first)
    case "label":
      try arity(function, values, 2)
      return .string(try sample(values[1], function).labels[try string(values[0])])
    case "value":
      try arity(function, values, 1)
      return .float(try sample(values[0], function).value)
    case "strvalue":
      try arity(function, values, 1)
      return .string(try sample(values[0], function).labels["__value__"])
    case "args":
      return .map(
        values.enumerated().map { TemplateEntry(key: "arg\($0.offset)", value: $0.element) }.sorted { $0.key < $1.key })
    case "reReplaceAll":
      try arity(function, values, 3)
      let pattern = try string(values[0])
      guard let expression = try? NSRegularExpression(pattern: pattern) else {
        throw fail("regexp: Compile(\(goQuote(pattern))): error parsing regexp")
      }
      return .string(goReplaceAll(expression, try string(values[2]), template: try string(values[1])))
    case "match":
      try arity(function, values, 2)
      let pattern = try string(values[0])
      guard let expression = try? NSRegularExpression(pattern: pattern) else {
        throw fail("error calling match: error parsing regexp: \(goQuote(pattern))")
      }
      let text = try string(values[1])
      return .bool(expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
    case "safeHtml":
      try arity(function, values, 1)
      return .html(try string(values[0]))
    case "title", "toUpper", "toLower":
      try arity(function, values, 1)
      let text = try string(values[0])
      switch function {
      case "toUpper": return .string(text.uppercased())
      case "toLower": return .string(text.lowercased())
      default: return .string(goTitle(text))
      }
    case "graphLink", "tableLink":
      try arity(function, values, 1)
      let tab = function == "graphLink" ? 0 : 1
      return .string("/graph?g0.expr=\(goQueryEscape(try string(values[0])))&g0.tab=\(tab)")
    case "sortByLabel":
      try arity(function, values, 2)
      let label = try string(values[0])
      let sorted = try samples(values[1]).enumerated().sorted { lhs, rhs in
        let (a, b) = (lhs.element.labels[label], rhs.element.labels[label])
        return a == b ? lhs.offset < rhs.offset : Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
      }
      return .samples(sorted.map(\.element))
    case "stripPort":
      try arity(function, values, 1)
      let text = try string(values[0])
      return .string(splitHostPort(text)?.host ?? text)
    case "stripDomain":
      try arity(function, values, 1)
      let text = try string(values[0])
      let split = splitHostPort(text)
      let host = split?.host ?? text
      if isIPAddress(host) { return .string(text) }
      let short = String(host.split(separator: ".", omittingEmptySubsequences: false).first ?? "")
      if let port = split?.port, !port.isEmpty {
        return .string(short.contains(":") ? "[\(short)]:\(port)" : "\(short):\(port)")
      }
      return .string(short)
    case "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp":
      try arity(function, values, 1)
      let number = try float(values[0], function)
      switch function {
      case "humanize": return .string(TemplateFormatting.humanize(number))
      case "humanize1024": return .string(TemplateFormatting.humanize1024(number))
      case "humanizeDuration": return .string(TemplateFormatting.humanizeDuration(number))
      case "humanizePercentage": return .string(goFormatG4(number * 100) + "%")
      default:
        if number.isNaN || number.isInfinite { return .string(goFormatG4(number)) }
        return .string(goTimeString(try timeMilliseconds(number, function)))
      }
    case "toTime":
      try arity(function, values, 1)
      let number = try float(values[0], function)
      if number.isNaN || number.isInfinite {
        throw fail("error calling toTime: value is NaN or Inf")
      }
      return .time(try timeMilliseconds(number, function))
    case "pathPrefix" where execution.data.externalURL.isEmpty, "externalURL" where execution.data.externalURL.isEmpty:
      // promtool runs rules without an external URL: Prometheus's functions dereference nil.
      throw fail("error calling \(function): runtime error: invalid memory address or nil pointer dereference")
    case "pathPrefix":
      try arity(function, values, 0)
      return .string(URLComponents(string: execution.data.externalURL)?.path ?? "")
    case "externalURL":
      try arity(function, values, 0)
      return .string(execution.data.externalURL)
    case "parseDuration":
      try arity(function, values, 1)
      let text = try string(values[0])
      guard let milliseconds = parsePrometheusDuration(text) else {
        throw fail("error calling parseDuration: not a valid duration string: \(goQuote(text))")
      }
      return .float(Double(milliseconds) / 1000)
    default:
      throw fail("function \"\(function)\" not defined")
    }
  }

  /// Prometheus's `floatToTime`, truncated to milliseconds as `model.Time` does.
  func timeMilliseconds(_ seconds: Double, _ function: String) throws -> Int64 {
    let nanoseconds = seconds * 1e9
    guard nanoseconds < 9.223372036854775807e18 && nanoseconds >= -9.223372036854775808e18 else {
      throw fail(
        "error calling \(function): \(formatGoFloat(seconds)) cannot be represented as a nanoseconds timestamp "
          + "since it overflows int64")
    }
    return Int64(nanoseconds) / 1_000_000
  }

  /// Go's `net.SplitHostPort`, or nil where it fails.
  func splitHostPort(_ text: String) -> (host: String, port: String)? {
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      let after = text[text.index(after: close)...]
      guard after.hasPrefix(":") else { return nil }
      return (String(text[text.index(after: text.startIndex)..<close]), String(after.dropFirst()))
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    return (String(parts[0]), String(parts[1]))
  }

  func isIPAddress(_ host: String) -> Bool {
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    if octets.count == 4 && octets.allSatisfy({ UInt8($0) != nil }) { return true }
    return host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
  }
}

/// Prometheus's `humanize*` number formats.
enum TemplateFormatting {
  static func humanize(_ input: Double) -> String {
    var v = input
    if v == 0 || v.isNaN || v.isInfinite { return goFormatG4(v) }
    if Swift.abs(v) >= 1 {
      var prefix = ""
      for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
        if Swift.abs(v) < 1000 { break }
        prefix = p
        v /= 1000
      }
      return goFormatG4(v) + prefix
    }
    var prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
      if Swift.abs(v) >= 1 { break }
      prefix = p
      v *= 1000
    }
    return goFormatG4(v) + prefix
  }

  static func humanize1024(_ input: Double) -> String {
    var v = input
    if Swift.abs(v) <= 1 || v.isNaN || v.isInfinite { return goFormatG4(v) }
    var prefix = ""
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
      if Swift.abs(v) < 1024 { break }
      prefix = p
      v /= 1024
    }
    return goFormatG4(v) + prefix
  }

  static func humanizeDuration(_ input: Double) -> String {
    var v = input
    if v.isNaN || v.isInfinite { return goFormatG4(v) }
    if v == 0 { return goFormatG4(v) + "s" }
    if Swift.abs(v) >= 1 {
      var sign = ""
      if v < 0 {
        sign = "-"
        v = -v
      }
      let duration = Int64(v)
      let seconds = duration % 60
      let minutes = (duration / 60) % 60
      let hours = (duration / 3_600) % 24
      let days = duration / 86_400
      if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
      if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
      if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
      return sign + goFormatG4(v) + "s"
    }
    var prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
      if Swift.abs(v) >= 1 { break }
      prefix = p
      v *= 1000
    }
    return goFormatG4(v) + prefix + "s"
  }
}

/// Go `%.4g`.
func goFormatG4(_ value: Double) -> String {
  if value.isNaN { return "NaN" }
  if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
  return String(format: "%.4g", value)
}

/// Go's `strconv.ParseFloat(text, 64)` for the forms templates meet.
func goParseFloat(_ text: String) -> Double? {
  let lower = text.lowercased()
  switch lower {
  case "inf", "+inf", "infinity", "+infinity": return .infinity
  case "-inf", "-infinity": return -.infinity
  case "nan": return .nan
  default: break
  }
  guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || "+-.xXpP_".contains($0)) }) else {
    return nil
  }
  return Double(text)
}

/// Go's `strconv.Quote` for printable text.
func goQuote(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    default:
      if scalar.value < 0x20 || scalar.value == 0x7F {
        out += String(format: "\\x%02x", scalar.value)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}

/// Go's `url.QueryEscape`.
func goQueryEscape(_ text: String) -> String {
  var out = ""
  for byte in text.utf8 {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
      UInt8(ascii: "~"):
      out.unicodeScalars.append(Unicode.Scalar(byte))
    case UInt8(ascii: " "): out += "+"
    default: out += String(format: "%%%02X", byte)
    }
  }
  return out
}

/// Go's deprecated `strings.Title`: upper-cases letters that follow a separator.
func goTitle(_ text: String) -> String {
  var out = ""
  var previous: Unicode.Scalar = " "
  for scalar in text.unicodeScalars {
    let isSeparator: Bool
    if previous.isASCII {
      let byte = UInt8(previous.value)
      isSeparator = !(byte >= 0x30 && byte <= 0x39 || (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte == 0x5F)
    } else {
      isSeparator =
        previous.properties.isWhitespace
        || !(previous.properties.isAlphabetic || previous.properties.numericType != nil)
    }
    if isSeparator {
      out += String(scalar).uppercased()
    } else {
      out.unicodeScalars.append(scalar)
    }
    previous = scalar
  }
  return out
}

/// Go's `Regexp.ReplaceAllString`: `$name` / `${name}` expand to groups (`$1x` names group "1x").
func goReplaceAll(_ expression: NSRegularExpression, _ text: String, template: String) -> String {
  let source = text as NSString
  var out = ""
  var last = 0
  let names = expression.numberOfCaptureGroups
  for match in expression.matches(in: text, range: NSRange(location: 0, length: source.length)) {
    out += source.substring(with: NSRange(location: last, length: match.range.location - last))
    var rest = Substring(template)
    while let dollar = rest.firstIndex(of: "$") {
      out += rest[..<dollar]
      rest = rest[rest.index(after: dollar)...]
      var name: Substring
      if rest.first == "$" {
        out += "$"
        rest = rest.dropFirst()
        continue
      } else if rest.first == "{", let close = rest.firstIndex(of: "}") {
        name = rest[rest.index(after: rest.startIndex)..<close]
        rest = rest[rest.index(after: close)...]
      } else {
        name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if name.isEmpty {
          out += "$"
          continue
        }
        rest = rest.dropFirst(name.count)
      }
      if let group = Int(name), group <= names {
        let range = match.range(at: group)
        if range.location != NSNotFound { out += source.substring(with: range) }
      } else if Int(name) == nil, match.range(withName: String(name)).location != NSNotFound {
        out += source.substring(with: match.range(withName: String(name)))
      }
    }
    out += rest
    last = match.range.location + match.range.length
  }
  return out + source.substring(from: last)
}

/// Go's `time.Time.String()` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`.
func goTimeString(_ milliseconds: Int64) -> String {
  let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
  let fraction = milliseconds - seconds * 1000
  var calendar = Calendar(identifier: .gregorian)
  calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
  let date = Date(timeIntervalSince1970: TimeInterval(seconds))
  let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
  var text = String(
    format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
    parts.minute ?? 0, parts.second ?? 0)
  if fraction != 0 {
    var digits = String(format: "%03d", Int(fraction))
    while digits.hasSuffix("0") { digits.removeLast() }
    text += "." + digits
  }
  return text + " +0000 UTC"
}

extension String {
  /// Go's `template.HTMLEscapeString`.
  func goHTMLEscaped() -> String {
    var out = ""
    for character in self {
      switch character {
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "'": out += "&#39;"
      case "\"": out += "&#34;"
      case "\0": out += "\u{FFFD}"
      default: out.append(character)
      }
    }
    return out
  }

  /// Go's `template.JSEscapeString`.
  func goJSEscaped() -> String {
    var out = ""
    for scalar in unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "'": out += "\\'"
      case "\"": out += "\\\""
      case "<": out += "\\u003C"
      case ">": out += "\\u003E"
      case "&": out += "\\u0026"
      case "=": out += "\\u003D"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04X", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
