import Foundation

/// Go's `fmt.Sprintf` for template values: verbs `v s d f F e E g G q x X t %`, flags
/// `-+ #0`, width and precision; a wrong type prints `%!d(float64=1.5)`, a missing
/// argument `%!d(MISSING)` and extra ones `%!(EXTRA float64=1)`, as Go does.
func goSprintf(_ format: String, _ arguments: [TemplateValue]) -> String {
  var out = ""
  var argumentIndex = 0
  let characters = Array(format)
  var index = 0
  while index < characters.count {
    let character = characters[index]
    index += 1
    guard character == "%" else {
      out.append(character)
      continue
    }
    var flags = ""
    while index < characters.count, "-+ #0".contains(characters[index]) {
      flags.append(characters[index])
      index += 1
    }
    var width = ""
    while index < characters.count, characters[index].isASCII, characters[index].isNumber {
      width.append(characters[index])
      index += 1
    }
    var precision: String?
    if index < characters.count, characters[index] == "." {
      index += 1
      var digits = ""
      while index < characters.count, characters[index].isASCII, characters[index].isNumber {
        digits.append(characters[index])
        index += 1
      }
      precision = digits.isEmpty ? "0" : digits
    }
    guard index < characters.count else {
      out += "%!(NOVERB)"
      break
    }
    let verb = characters[index]
    index += 1
    if verb == "%" {
      out += "%"
      continue
    }
    guard argumentIndex < arguments.count else {
      out += "%!\(verb)(MISSING)"
      continue
    }
    let argument = arguments[argumentIndex]
    argumentIndex += 1
    let spec = "%" + flags + width + (precision.map { "." + $0 } ?? "")
    out += goFormatOne(
      verb, argument, spec: spec, flags: flags, width: Int(width), precision: precision.flatMap(Int.init))
  }
  if argumentIndex < arguments.count {
    out += "%!(EXTRA "
    out += arguments[argumentIndex...].map { "\($0.typeName)=\(TemplateExecution.format($0))" }.joined(separator: ", ")
    out += ")"
  }
  return out
}

private func pad(_ text: String, _ flags: String, _ width: Int?) -> String {
  guard let width, text.count < width else { return text }
  let padding = String(repeating: flags.contains("0") && !flags.contains("-") ? "0" : " ", count: width - text.count)
  return flags.contains("-") ? text + padding : padding + text
}

private func goFormatOne(
  _ verb: Character, _ argument: TemplateValue, spec: String, flags: String, width: Int?, precision: Int?
) -> String {
  let bad = "%!\(verb)(\(argument.typeName)=\(TemplateExecution.format(argument)))"
  switch (verb, argument) {
  case ("v", .float(let number)) where precision == nil, ("g", .float(let number)) where precision == nil:
    var text = formatGoFloat(number)
    if flags.contains("+") && !text.hasPrefix("-") && !text.hasPrefix("+") { text = "+" + text }
    return pad(text, flags, width)
  case ("v", _), ("s", .string), ("s", .html), ("s", .labels), ("s", .map):
    var text = TemplateExecution.format(argument, top: true)
    if verb == "s", let precision { text = String(text.prefix(precision)) }
    return pad(text, flags, width)
  case ("q", .string(let text)), ("q", .html(let text)): return pad(goQuote(text), flags, width)
  case ("t", .bool(let flag)): return pad(flag ? "true" : "false", flags, width)
  case ("d", .int(let number)), ("x", .int(let number)), ("X", .int(let number)):
    return String(format: spec + (verb == "d" ? "ld" : (verb == "x" ? "lx" : "lX")), number)
  case ("x", .string(let text)), ("X", .string(let text)):
    let digits = text.utf8.map { String(format: verb == "x" ? "%02x" : "%02X", $0) }.joined()
    return pad(digits, flags, width)
  case (_, .float(let number)) where "eEfFgG".contains(verb):
    if number.isNaN || number.isInfinite {
      let text = number.isNaN ? "NaN" : (number > 0 ? (flags.contains("+") ? "+Inf" : "+Inf") : "-Inf")
      return pad(text, flags.replacingOccurrences(of: "0", with: ""), width)
    }
    let cVerb = verb == "F" ? "f" : String(verb)
    return String(format: spec + cVerb, number)
  default:
    return bad
  }
}
