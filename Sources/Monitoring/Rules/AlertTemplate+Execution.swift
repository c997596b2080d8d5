/// Executes a parsed template (Go's `text/template` `state.walk`).
///
/// Mirrors Go 1.19: `if`/`with` test Go's truth (false, 0, "", nil, empty map or slice
/// are false), `with` and `range` rebind dot, variables declared in a block end with
/// it, `and`/`or` stop at the first deciding argument and return it, a pipeline
/// stage's value becomes the last argument of the next, and a missing map key reads as
/// the zero value (`missingkey=zero`).
struct TemplateExecution {
  let name: String
  let data: TemplateData
  let query: TemplateQuery?
  /// Templates defined in the text (`define`, `block`).
  let definitions: [String: [TemplateNode]]
  var variables: [(String, TemplateValue)] = []
  var output = ""
  var context = (offset: 0, text: "")
  /// The template being executed (Go's `s.tmpl.Name()` in error messages).
  var current: String
  /// Nesting of `{{template}}` calls.
  var depth = 0

  /// How deep `{{template}}` calls may nest.
  ///
  /// Go stops at 100,000 nested `{{template}}` calls ("exceeded maximum template depth
  /// (100000)"); we stop at 1,000 with the same message, because each level costs stack
  /// in Swift and rule evaluation runs on threads with small stacks. No real annotation
  /// nests templates that deep; only endless recursion gets there.
  static let maximumDepth = 1_000

  init(name: String, data: TemplateData, query: TemplateQuery?, definitions: [String: [TemplateNode]] = [:]) {
    self.name = name
    self.data = data
    self.query = query
    self.definitions = definitions
    current = name
  }

  enum Control: Error { case breakLoop, continueLoop }

  func fail(_ message: String) -> TemplateExecutionError {
    TemplateExecutionError(
      template: current, line: 1, column: context.offset, context: context.text, message: message)
  }

  /// `{{template "name" pipeline}}` (Go's `walkTemplate`): the named template runs with
  /// dot set to the pipeline's value (no value without one), `$` bound to that dot, and
  /// none of the caller's variables.
  mutating func runTemplate(
    _ name: String, _ pipeline: TemplatePipeline?, offset: Int, text: String, dot: TemplateValue
  )
    throws
  {
    context = (offset, text)
    guard let body = definitions[name] else { throw fail("template \(goQuote(name)) not defined") }
    if depth >= Self.maximumDepth { throw fail("exceeded maximum template depth (100000)") }
    let argument = try pipeline.map { pipeline throws in try evaluate(pipeline, dot: dot) } ?? .missing
    let saved = (variables, current)
    variables = [("$", argument)]
    current = name
    depth += 1
    defer {
      (variables, current) = saved
      depth -= 1
    }
    try run(body, dot: argument)
  }

  mutating func run(_ nodes: [TemplateNode], dot: TemplateValue) throws {
    for node in nodes {
      switch node {
      case .text(let text): output += text
      case .action(let pipeline):
        let value = try evaluate(pipeline, dot: dot)
        if pipeline.variables.isEmpty { output += try printed(value) }
      case .template(let name, let pipeline, let offset, let text):
        try runTemplate(name, pipeline, offset: offset, text: text, dot: dot)
      case .breakLoop: throw Control.breakLoop
      case .continueLoop: throw Control.continueLoop
      case .branch(let kind, let pipeline, let body, let otherwise):
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        if kind == .range {
          try runRange(pipeline, body, otherwise, dot: dot)
          continue
        }
        let value = try evaluate(pipeline, dot: dot)
        if truth(value) {
          try run(body, dot: kind == .with ? value : dot)
        } else if let otherwise {
          try run(otherwise, dot: dot)
        }
      }
    }
  }

  mutating func runRange(
    _ pipeline: TemplatePipeline, _ body: [TemplateNode], _ otherwise: [TemplateNode]?, dot: TemplateValue
  ) throws {
    var bare = pipeline
    bare.variables = []
    let value = try evaluate(bare, dot: dot)
    var elements: [(TemplateValue, TemplateValue)] = []
    switch value {
    case .labels(let labels): elements = labels.items.map { (.string($0.name), .string($0.value)) }
    case .map(let entries): elements = entries.map { (.string($0.key), $0.value) }
    case .samples(let samples): elements = samples.enumerated().map { (.int($0.offset), .sample($0.element)) }
    case .int(let count): elements = (0..<max(0, count)).map { (.int($0), .int($0)) }
    case .missing, .nilValue: break
    default: throw fail("range can't iterate over \(try printed(value))")
    }
    if elements.isEmpty {
      if let otherwise { try run(otherwise, dot: dot) }
      return
    }
    let mark = variables.count
    for (key, element) in elements {
      variables.removeSubrange(mark...)
      if pipeline.variables.count == 1 { assign(pipeline.variables[0], element, pipeline.isAssignment, mark) }
      if pipeline.variables.count == 2 {
        assign(pipeline.variables[0], key, pipeline.isAssignment, mark)
        assign(pipeline.variables[1], element, pipeline.isAssignment, mark)
      }
      do {
        try run(body, dot: element)
      } catch Control.breakLoop {
        break
      } catch Control.continueLoop {
        continue
      }
    }
  }

  mutating func assign(_ variable: String, _ value: TemplateValue, _ isAssignment: Bool, _ mark: Int) {
    if isAssignment, let index = variables.lastIndex(where: { $0.0 == variable }) {
      variables[index].1 = value
    } else {
      variables.append((variable, value))
    }
  }

  mutating func evaluate(_ pipeline: TemplatePipeline, dot: TemplateValue) throws -> TemplateValue {
    var value: TemplateValue?
    for command in pipeline.commands {
      context = (command.offset, command.text)
      value = try evaluate(command, dot: dot, final: value)
    }
    let result = value ?? .missing
    for variable in pipeline.variables {
      assign(variable, result, pipeline.isAssignment, variables.count)
    }
    return result
  }

  mutating func evaluate(_ command: TemplateCommand, dot: TemplateValue, final: TemplateValue?) throws
    -> TemplateValue
  {
    let first = command.arguments[0]
    if case .function(let function) = first {
      return try call(
        function, Array(command.arguments.dropFirst()), argumentOffsets: Array(command.argumentOffsets.dropFirst()),
        dot: dot, final: final)
    }
    if command.arguments.count > 1 || final != nil {
      if case .field(let path) = first {
        throw fail("\(path.last ?? "") has arguments but cannot be invoked as function")
      }
      throw fail("can't give argument to non-function \(command.text)")
    }
    return try evaluate(first, dot: dot)
  }

  mutating func evaluate(_ argument: TemplateArgument, dot: TemplateValue) throws -> TemplateValue {
    switch argument {
    case .dot: return dot
    case .nilValue: throw fail("nil is not a command")
    case .bool(let value): return .bool(value)
    case .string(let value): return .string(value)
    case .integer(let value): return .int(value)
    case .float(let value): return .float(value)
    case .field(let path): return try fields(path, of: dot)
    case .variable(let variable, let path):
      guard let value = variables.last(where: { $0.0 == variable })?.1 else {
        throw fail("undefined variable: \(variable)")
      }
      return try fields(path, of: value)
    case .function(let function): return try call(function, [], dot: dot, final: nil)
    case .pipeline(let pipeline, let path):
      let saved = context
      let value = try evaluate(pipeline, dot: dot)
      context = saved
      return try fields(path, of: value)
    }
  }

  func fields(_ path: [String], of start: TemplateValue) throws -> TemplateValue {
    var value = start
    for field in path { value = try self.field(field, of: value) }
    return value
  }

  func field(_ name: String, of value: TemplateValue) throws -> TemplateValue {
    switch value {
    case .data:
      switch name {
      case "Labels": return .labels(data.labels)
      case "ExternalLabels": return .labels(data.externalLabels)
      case "ExternalURL": return .string(data.externalURL)
      case "Value": return .float(data.value)
      default: throw fail("can't evaluate field \(name) in type \(value.typeName)")
      }
    case .labels(let labels): return .string(labels[name])
    case .map(let entries): return entries.first { $0.key == name }?.value ?? .missing
    case .sample(let sample?):
      switch name {
      case "Labels": return .labels(sample.labels)
      case "Value": return .float(sample.value)
      default: throw fail("can't evaluate field \(name) in type *template.sample")
      }
    case .sample(nil): throw fail("nil pointer evaluating *template.sample.\(name)")
    // missingkey=zero: a field of no value is no value (Go's `evalField`).
    case .missing: return .missing
    case .nilValue: throw fail("nil data; no entry for key \"\(name)\"")
    default: throw fail("can't evaluate field \(name) in type \(value.typeName)")
    }
  }

  /// Go's `template.IsTrue`.
  func truth(_ value: TemplateValue) -> Bool {
    switch value {
    case .missing, .nilValue: return false
    case .bool(let flag): return flag
    case .int(let number): return number != 0
    case .float(let number): return number != 0
    case .string(let text), .html(let text): return !text.isEmpty
    case .labels(let labels): return !labels.isEmpty
    case .map(let entries): return !entries.isEmpty
    case .samples(let samples): return !samples.isEmpty
    case .sample(let sample): return sample != nil
    case .time, .data: return true
    }
  }

  /// How the template prints a value (`fmt.Fprint`, with `<no value>` for a missing one).
  func printed(_ value: TemplateValue) throws -> String {
    if case .missing = value { return "<no value>" }
    return Self.format(value, top: true)
  }

  /// Go's `%v` of a value.
  static func format(_ value: TemplateValue, top: Bool = false) -> String {
    switch value {
    case .missing, .nilValue: return "<nil>"
    case .bool(let flag): return flag ? "true" : "false"
    case .int(let number): return String(number)
    case .float(let number): return formatGoFloat(number)
    case .string(let text), .html(let text): return text
    case .labels(let labels): return "map[" + labels.items.map { "\($0.name):\($0.value)" }.joined(separator: " ") + "]"
    case .map(let entries): return "map[" + entries.map { "\($0.key):\(format($0.value))" }.joined(separator: " ") + "]"
    case .samples(let samples): return "[" + samples.map { formatSample($0, top: false) }.joined(separator: " ") + "]"
    case .sample(let sample?): return formatSample(sample, top: top)
    case .sample(nil): return "<nil>"
    case .time(let milliseconds): return goTimeString(milliseconds)
    case .data: return "{<alert data>}"
    }
  }

  /// A `*sample` as Go prints it at the top level: `&{map[…] 1}`.
  ///
  /// Nested in a slice, Go prints the pointer's address, which is not reproducible;
  /// PlatformSim prints the contents there too.
  static func formatSample(_ sample: TemplateSample, top: Bool) -> String {
    "&{\(format(.labels(sample.labels))) \(formatGoFloat(sample.value))}"
  }

  // MARK: Functions

  mutating func call(
    _ function: String, _ arguments: [TemplateArgument], argumentOffsets: [Int] = [], dot: TemplateValue,
    final: TemplateValue?
  ) throws -> TemplateValue {
    let saved = context
    if function == "and" || function == "or" {
      // Go 1.18+: evaluated lazily; the first deciding argument is the result.
      guard !arguments.isEmpty || final != nil else {
        throw fail("wrong number of args for \(function): want at least 1 got 0")
      }
      var last: TemplateValue = .missing
      for argument in arguments {
        last = try evaluate(argument, dot: dot)
        context = saved
        if truth(last) == (function == "or") { return last }
      }
      return final ?? last
    }
    let signature = TemplateFunctions.parameters[function]
    if let signature, signature.count != arguments.count + (final == nil ? 0 : 1) {
      throw fail(
        "wrong number of args for \(function): want \(signature.count) got \(arguments.count + (final == nil ? 0 : 1))")
    }
    var values: [TemplateValue] = []
    for (position, argument) in arguments.enumerated() {
      let value = try evaluate(argument, dot: dot)
      if let signature {
        context = (
          argumentOffsets.indices.contains(position) ? argumentOffsets[position] : saved.offset,
          TemplateParser.describe(argument)
        )
        try TemplateFunctions(execution: self).check(value, signature[position])
      }
      values.append(value)
      context = saved
    }
    if let final {
      if let signature { try TemplateFunctions(execution: self).check(final, signature[signature.count - 1]) }
      values.append(final)
    }
    return try TemplateFunctions(execution: self).call(function, values)
  }
}
