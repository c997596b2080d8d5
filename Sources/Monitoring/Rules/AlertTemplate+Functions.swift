import Foundation

/// The functions a template calls: Go's builtins and Prometheus 2.42's function map
/// (template/template.go), with Go's argument checks and error texts.
struct TemplateFunctions {
  let execution: TemplateExecution

  func fail(_ message: String) -> TemplateExecutionError { execution.fail(message) }

  /// Parameter types of Prometheus's functions with typed parameters (`s` string,
  /// `q` queryResult, `p` *sample, `a` any), checked as Go's `evalCall` does.
  static let parameters: [String: [Character]] = [
    "query": ["s"], "first": ["q"], "label": ["s", "p"], "value": ["p"], "strvalue": ["p"],
    "reReplaceAll": ["s", "s", "s"], "safeHtml": ["s"], "match": ["s", "s"], "title": ["s"], "toUpper": ["s"],
    "toLower": ["s"], "graphLink": ["s"], "tableLink": ["s"], "sortByLabel": ["s", "q"], "stripPort": ["s"],
    "stripDomain": ["s"], "humanize": ["a"], "humanize1024": ["a"], "humanizeDuration": ["a"],
    "humanizePercentage": ["a"], "humanizeTimestamp": ["a"], "toTime": ["a"], "pathPrefix": [], "externalURL": [],
    "parseDuration": ["s"], "not": ["a"], "len": ["a"],
  ]

  /// Go's argument conversion for one parameter.
  func check(_ value: TemplateValue, _ kind: Character) throws {
    switch (kind, value) {
    case ("a", _), ("s", .string), ("q", .samples), ("q", .nilValue), ("p", .sample), ("p", .nilValue): return
    default:
      let expected = kind == "s" ? "string" : kind == "q" ? "template.queryResult" : "*template.sample"
      if case .missing = value { throw fail("invalid value; expected \(expected)") }
      throw fail("wrong type for value; expected \(expected); got \(value.typeName)")
    }
  }

  func arity(_ function: String, _ values: [TemplateValue], _ count: Int) throws {
    if values.count != count {
      throw fail("wrong number of args for \(function): want \(count) got \(values.count)")
    }
  }

  func string(_ value: TemplateValue) throws -> String {
    switch value {
    case .string(let text): return text
    case .missing: throw fail("invalid value; expected string")
    default: throw fail("wrong type for value; expected string; got \(value.typeName)")
    }
  }

  func samples(_ value: TemplateValue) throws -> [TemplateSample] {
    switch value {
    case .samples(let samples): return samples
    case .missing, .nilValue: return []
    default: throw fail("wrong type for value; expected template.queryResult; got \(value.typeName)")
    }
  }

  func sample(_ value: TemplateValue, _ function: String) throws -> TemplateSample {
    switch value {
    case .sample(let sample?): return sample
    case .sample(nil), .nilValue, .missing:
      throw fail("error calling \(function): runtime error: invalid memory address or nil pointer dereference")
    default: throw fail("wrong type for value; expected *template.sample; got \(value.typeName)")
    }
  }

  /// Prometheus's `convertToFloat`.
  func float(_ value: TemplateValue, _ function: String) throws -> Double {
    switch value {
    case .float(let number): return number
    case .int(let number): return Double(number)
    case .string(let text):
      guard let number = goParseFloat(text) else {
        throw fail("error calling \(function): strconv.ParseFloat: parsing \(goQuote(text)): invalid syntax")
      }
      return number
    default: throw fail("error calling \(function): can't convert \(value.typeName) to float")
    }
  }

  func call(_ function: String, _ values: [TemplateValue]) throws -> TemplateValue {
    switch function {
    case "not":
      try arity(function, values, 1)
      return .bool(!execution.truth(values[0]))
    case "len":
      try arity(function, values, 1)
      switch values[0] {
      case .string(let text), .html(let text): return .int(text.utf8.count)
      case .labels(let labels): return .int(labels.items.count)
      case .map(let entries): return .int(entries.count)
      case .samples(let samples): return .int(samples.count)
      default: throw fail("error calling len: len of type \(values[0].typeName)")
      }
    case "index": return try index(values)
    case "print", "println":
      var out = ""
      for (position, value) in values.enumerated() {
        let isString: (TemplateValue) -> Bool = { if case .string = $0 { true } else { false } }
        if position > 0 && (function == "println" || !isString(value) && !isString(values[position - 1])) {
          out += " "
        }
        out += TemplateExecution.format(value, top: true)
      }
      return .string(function == "println" ? out + "\n" : out)
    case "printf":
      guard let format = values.first else { throw fail("wrong number of args for printf: want at least 1 got 0") }
      return .string(goSprintf(try string(format), Array(values.dropFirst())))
    case "eq", "ne", "lt", "le", "gt", "ge": return .bool(try compare(function, values))
    case "html":
      return .string(values.map { TemplateExecution.format($0, top: true) }.joined().goHTMLEscaped())
    case "urlquery":
      return .string(goQueryEscape(values.map { TemplateExecution.format($0, top: true) }.joined()))
    case "js":
      return .string(values.map { TemplateExecution.format($0, top: true) }.joined().goJSEscaped())
    case "slice", "call":
      throw fail("error calling \(function): \(function) is not supported on \(values.first?.typeName ?? "nil")")
    default: return try callPrometheus(function, values)
    }
  }

  func index(_ values: [TemplateValue]) throws -> TemplateValue {
    guard var value = values.first else { throw fail("wrong number of args for index: want at least 1 got 0") }
    for key in values.dropFirst() {
      switch (value, key) {
      case (.labels(let labels), .string(let name)): value = .string(labels[name])
      case (.map(let entries), .string(let name)): value = entries.first { $0.key == name }?.value ?? .missing
      case (.samples(let samples), .int(let position)):
        guard position >= 0 && position < samples.count else {
          throw fail("error calling index: index out of range: \(position)")
        }
        value = .sample(samples[position])
      case (.string(let text), .int(let position)):
        let bytes = Array(text.utf8)
        guard position >= 0 && position < bytes.count else {
          throw fail("error calling index: index out of range: \(position)")
        }
        value = .int(Int(bytes[position]))
      case (.labels, _), (.map, _):
        throw fail("error calling index: value has type \(key.typeName); should be string")
      default: throw fail("error calling index: can't index item of type \(value.typeName)")
      }
    }
    return value
  }

  /// Go's `eq`, `ne`, `lt`, `le`, `gt`, `ge` on basic kinds.
  func compare(_ function: String, _ values: [TemplateValue]) throws -> Bool {
    enum Basic { case bool(Bool), int(Int), float(Double), string(String) }
    func basic(_ value: TemplateValue) throws -> Basic {
      switch value {
      case .bool(let flag): return .bool(flag)
      case .int(let number): return .int(number)
      case .float(let number): return .float(number)
      case .string(let text), .html(let text): return .string(text)
      default: throw fail("error calling \(function): invalid type for comparison")
      }
    }
    func less(_ lhs: Basic, _ rhs: Basic) throws -> Bool {
      switch (lhs, rhs) {
      case (.int(let a), .int(let b)): return a < b
      case (.float(let a), .float(let b)): return a < b
      case (.string(let a), .string(let b)): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
      case (.bool, .bool): throw fail("error calling \(function): invalid type for comparison")
      default: throw fail("error calling \(function): incompatible types for comparison")
      }
    }
    func equal(_ lhs: Basic, _ rhs: Basic) throws -> Bool {
      switch (lhs, rhs) {
      case (.bool(let a), .bool(let b)): return a == b
      case (.int(let a), .int(let b)): return a == b
      case (.float(let a), .float(let b)): return a == b
      case (.string(let a), .string(let b)): return a == b
      default: throw fail("error calling \(function): incompatible types for comparison")
      }
    }
    if function == "eq" {
      guard values.count >= 2 else { throw fail("error calling eq: missing argument for comparison") }
      let first = try basic(values[0])
      for other in values.dropFirst() where try equal(first, basic(other)) { return true }
      return false
    }
    try arity(function, values, 2)
    let lhs = try basic(values[0])
    let rhs = try basic(values[1])
    switch function {
    case "ne": return try !equal(lhs, rhs)
    case "lt": return try less(lhs, rhs)
    case "le": return try less(lhs, rhs) || equal(lhs, rhs)
    case "gt": return try !less(lhs, rhs) && !equal(lhs, rhs)
    default: return try !less(lhs, rhs)
    }
  }
}
