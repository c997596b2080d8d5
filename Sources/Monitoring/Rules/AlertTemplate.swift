import Foundation

/// A parsed alert label or annotation template (a subset of Go text/template).
///
/// Mirrors how Prometheus 2.42 `rules.AlertingRule.Eval` expands templates: the data
/// are `.Labels`, `.Value`, `.ExternalLabels`, `.ExternalURL` and the aliases `$labels`,
/// `$value`, `$externalLabels`, `$externalURL`; a missing label prints as "" and a
/// float prints as Go's `%v`. Supported inside `{{ }}`: those variables and fields,
/// string and number literals, the functions `humanize`, `humanizePercentage`,
/// `humanizeDuration`, `printf`, `toUpper`, `toLower`, `title`, pipes `|` and trim
/// markers `{{-`/`-}}`. Anything else (`if`, `range`, `query`, ...) is rejected when
/// the rule file loads.
public struct AlertTemplate: Sendable {
  enum Operand: Sendable {
    case label(String)
    case externalLabel(String)
    case value, externalURL
    case text(String)
    case number(Double)
    case function(String)
  }
  enum Piece: Sendable {
    case text(String)
    case action([[Operand]])
  }

  let pieces: [Piece]
  /// The template source.
  public let source: String

  static let functions: Set<String> = [
    "humanize", "humanizePercentage", "humanizeDuration", "printf", "toUpper", "toLower", "title",
  ]

  /// Parses a template; the error message names the unsupported construct.
  public init(_ source: String) throws(TemplateError) {
    self.source = source
    var pieces: [Piece] = []
    var rest = Substring(source)
    while let open = rest.range(of: "{{") {
      var before = String(rest[..<open.lowerBound])
      let inner = rest[open.upperBound...]
      guard let close = inner.range(of: "}}") else {
        throw TemplateError(template: source, message: "unclosed action \"{{\"")
      }
      var action = String(inner[..<close.lowerBound])
      rest = inner[close.upperBound...]
      if action.hasPrefix("-")
        && (action.count == 1 || action.dropFirst().first?.isWhitespace == true)
      {
        action.removeFirst()
        while let last = before.last, last.isWhitespace { before.removeLast() }
      }
      var trimAfter = false
      if action.hasSuffix("-")
        && (action.count == 1 || action.dropLast().last?.isWhitespace == true)
      {
        action.removeLast()
        trimAfter = true
      }
      if !before.isEmpty { pieces.append(.text(before)) }
      let trimmed = action.trimmingCharacters(in: .whitespaces)
      if !(trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")) {
        pieces.append(.action(try Self.parsePipeline(trimmed, source)))
      }
      if trimAfter { rest = rest.drop(while: { $0.isWhitespace }) }
    }
    if !rest.isEmpty { pieces.append(.text(String(rest))) }
    self.pieces = pieces
  }

  private static func parsePipeline(_ text: String, _ source: String) throws(TemplateError)
    -> [[Operand]]
  {
    var commands: [[Operand]] = []
    var current: [Operand] = []
    var index = text.startIndex
    func fail(_ message: String) -> TemplateError {
      TemplateError(template: source, message: message)
    }
    while index < text.endIndex {
      let character = text[index]
      if character.isWhitespace {
        index = text.index(after: index)
        continue
      }
      if character == "|" {
        if current.isEmpty { throw fail("missing command before \"|\"") }
        commands.append(current)
        current = []
        index = text.index(after: index)
        continue
      }
      if character == "\"" || character == "`" {
        var end = text.index(after: index)
        var value = ""
        while end < text.endIndex && text[end] != character {
          if character == "\"" && text[end] == "\\", text.index(after: end) < text.endIndex {
            end = text.index(after: end)
            switch text[end] {
            case "n": value.append("\n")
            case "t": value.append("\t")
            default: value.append(text[end])
            }
          } else {
            value.append(text[end])
          }
          end = text.index(after: end)
        }
        guard end < text.endIndex else { throw fail("unterminated string in action") }
        current.append(.text(value))
        index = text.index(after: end)
        continue
      }
      var end = index
      while end < text.endIndex && !text[end].isWhitespace && text[end] != "|" {
        end = text.index(after: end)
      }
      let word = String(text[index..<end])
      index = end
      if word == "$value" || word == ".Value" {
        current.append(.value)
      } else if word == "$externalURL" || word == ".ExternalURL" {
        current.append(.externalURL)
      } else if let name = Self.suffix(word, ["$labels.", ".Labels."]) {
        current.append(.label(name))
      } else if let name = Self.suffix(word, ["$externalLabels.", ".ExternalLabels."]) {
        current.append(.externalLabel(name))
      } else if let number = Double(word) {
        current.append(.number(number))
      } else if functions.contains(word) {
        current.append(.function(word))
      } else {
        throw fail(
          "unsupported template construct \"\(word)\" (PlatformSim supports $labels.x, $value, $externalLabels.x, $externalURL and \(functions.sorted().joined(separator: ", ")))"
        )
      }
    }
    if current.isEmpty { throw fail("empty action or pipeline") }
    commands.append(current)
    return commands
  }

  private static func suffix(_ word: String, _ prefixes: [String]) -> String? {
    for prefix in prefixes where word.hasPrefix(prefix) {
      return String(word.dropFirst(prefix.count))
    }
    return nil
  }

  enum Datum {
    case string(String)
    case number(Double)
  }

  /// Expands the template for one alert instance.
  public func expand(
    labels: Labels, value: Double, externalLabels: Labels = .empty, externalURL: String = ""
  ) -> String {
    var out = ""
    for piece in pieces {
      switch piece {
      case .text(let text): out += text
      case .action(let commands):
        var previous: Datum?
        for command in commands {
          previous = run(command, previous, labels, value, externalLabels, externalURL)
        }
        switch previous {
        case .string(let text): out += text
        case .number(let number): out += formatGoFloat(number)
        case nil: break
        }
      }
    }
    return out
  }

  private func run(
    _ command: [Operand], _ piped: Datum?, _ labels: Labels, _ value: Double,
    _ externalLabels: Labels, _ externalURL: String
  ) -> Datum {
    func datum(_ operand: Operand) -> Datum {
      switch operand {
      case .label(let name): return .string(labels[name])
      case .externalLabel(let name): return .string(externalLabels[name])
      case .value: return .number(value)
      case .externalURL: return .string(externalURL)
      case .text(let text): return .string(text)
      case .number(let number): return .number(number)
      case .function(let name): return .string("<function \(name)>")
      }
    }
    guard case .function(let name) = command[0] else { return datum(command[0]) }
    var arguments = command.dropFirst().map(datum)
    if let piped { arguments.append(piped) }
    return Self.call(name, arguments)
  }

  private static func number(_ datum: Datum?) -> Double {
    switch datum {
    case .number(let value): return value
    case .string(let text): return Double(text) ?? .nan
    case nil: return .nan
    }
  }

  private static func call(_ name: String, _ arguments: [Datum]) -> Datum {
    switch name {
    case "humanize": return .string(humanize(number(arguments.last)))
    case "humanizePercentage": return .string(goPercentG(number(arguments.last) * 100) + "%")
    case "humanizeDuration": return .string(humanizeDuration(number(arguments.last)))
    case "toUpper", "toLower", "title":
      guard case .string(let text) = arguments.last else { return .string("") }
      return .string(
        name == "toUpper"
          ? text.uppercased() : (name == "toLower" ? text.lowercased() : text.capitalized))
    default:
      guard case .string(let format) = arguments.first else { return .string("") }
      return .string(goPrintf(format, Array(arguments.dropFirst())))
    }
  }

  /// Go `%.4g`.
  static func goPercentG(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    return String(format: "%.4g", value)
  }

  /// Mirrors `humanize` in Prometheus template/template.go.
  static func humanize(_ input: Double) -> String {
    var v = input
    if v == 0 || v.isNaN || v.isInfinite { return goPercentG(v) }
    if Swift.abs(v) >= 1 {
      var prefix = ""
      for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
        if Swift.abs(v) < 1000 { break }
        prefix = p
        v /= 1000
      }
      return goPercentG(v) + prefix
    }
    var prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
      if Swift.abs(v) >= 1 { break }
      prefix = p
      v *= 1000
    }
    return goPercentG(v) + prefix
  }

  /// Mirrors `humanizeDuration` in Prometheus template/template.go.
  static func humanizeDuration(_ input: Double) -> String {
    var v = input
    if v.isNaN || v.isInfinite { return goPercentG(v) }
    if v == 0 { return goPercentG(v) + "s" }
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
      return sign + goPercentG(v) + "s"
    }
    var prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
      if Swift.abs(v) >= 1 { break }
      prefix = p
      v *= 1000
    }
    return goPercentG(v) + prefix + "s"
  }

  /// A small `printf`: `%s`, `%v`, `%d` and C-style float verbs such as `%.2f`.
  static func goPrintf(_ format: String, _ arguments: [Datum]) -> String {
    var out = ""
    var argumentIndex = 0
    var index = format.startIndex
    while index < format.endIndex {
      let character = format[index]
      index = format.index(after: index)
      guard character == "%", index < format.endIndex else {
        out.append(character)
        continue
      }
      var spec = "%"
      while index < format.endIndex, !format[index].isLetter, format[index] != "%" {
        spec.append(format[index])
        index = format.index(after: index)
      }
      guard index < format.endIndex else { break }
      let verb = format[index]
      index = format.index(after: index)
      if verb == "%" {
        out.append("%")
        continue
      }
      let argument = argumentIndex < arguments.count ? arguments[argumentIndex] : nil
      argumentIndex += 1
      switch (verb, argument) {
      case ("s", .string(let text)), ("v", .string(let text)): out += text
      case ("v", .number(let number)), ("s", .number(let number)): out += formatGoFloat(number)
      case ("d", .number(let number)): out += String(Int64(number))
      case (_, .number(let number)) where "eEfFgG".contains(verb):
        out += String(format: spec + String(verb), number)
      default: out += "%!\(verb)(MISSING)"
      }
    }
    return out
  }
}

/// A template uses something PlatformSim does not implement, or does not parse.
public struct TemplateError: Error, Sendable {
  public let template: String
  public let message: String
}
