/// Formats a Double as Go's `fmt` `%v` does (`strconv.FormatFloat(v, 'g', -1, 64)`).
///
/// Alert annotations print `{{ $value }}` through Go's text/template, so to produce
/// byte-identical annotations we reproduce its shortest-digits `%g`: exponent form when
/// the decimal exponent is < -4 or ≥ 21 digits... no: ≥ 6 once the shortest digits are
/// chosen (`1e+06`, `123456`, `1.5e-05`), `+Inf`, `-Inf` and `NaN`.
public func formatGoFloat(_ value: Double) -> String {
  if value.isNaN { return "NaN" }
  if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
  if value == 0 { return value.sign == .minus ? "-0" : "0" }
  let (negative, digits, pointPosition) = shortestDigits(value)
  let exponent = pointPosition - 1
  var out = negative ? "-" : ""
  if exponent < -4 || exponent >= 6 {
    out.append(digits.first ?? "0")
    if digits.count > 1 {
      out += "." + digits.dropFirst()
    }
    out += exponent < 0 ? "e-" : "e+"
    let magnitude = abs(exponent)
    out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
    return out
  }
  if pointPosition <= 0 {
    out += "0." + String(repeating: "0", count: -pointPosition) + digits
  } else if pointPosition >= digits.count {
    out += digits + String(repeating: "0", count: pointPosition - digits.count)
  } else {
    let split = digits.index(digits.startIndex, offsetBy: pointPosition)
    out += digits[..<split] + "." + digits[split...]
  }
  return out
}

/// Shortest round-trip decimal digits of a finite non-zero Double, and the position of
/// the decimal point (value = 0.d₁d₂… × 10^pointPosition).
///
/// Swift's `description` already yields the shortest round-trip digits, as Go's `strconv` does.
func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
  var text = value.magnitude.description
  var exponent = 0
  if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
    exponent = Int(text[text.index(after: eIndex)...]) ?? 0
    text = String(text[..<eIndex])
  }
  let parts = text.split(separator: ".", omittingEmptySubsequences: false)
  let integerPart = String(parts[0])
  let fractionPart = parts.count > 1 ? String(parts[1]) : ""
  var digits = integerPart + fractionPart
  var pointPosition = integerPart.count + exponent
  while digits.hasPrefix("0") && digits.count > 1 {
    digits.removeFirst()
    pointPosition -= 1
  }
  while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
  return (value.sign == .minus, digits, pointPosition)
}

/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: shortest round-trip digits as
/// `d.dddE±XX` (`3E-01`, `3.0000000000000004E-01`, `0E+00`), which promtool prints
/// sample values in.
public func formatGoFloatExponent(_ value: Double) -> String {
  if value.isNaN { return "NaN" }
  if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
  if value == 0 { return value.sign == .minus ? "-0E+00" : "0E+00" }
  let (negative, digits, pointPosition) = shortestDigits(value)
  let exponent = pointPosition - 1
  var out = negative ? "-" : ""
  out.append(digits.first ?? "0")
  if digits.count > 1 { out += "." + digits.dropFirst() }
  out += exponent < 0 ? "E-" : "E+"
  let magnitude = abs(exponent)
  out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
  return out
}

/// Formats a Double so that Go's YAML decoder reads back the identical float64.
public func formatYAMLFloat(_ value: Double) -> String {
  if value.isNaN { return ".nan" }
  if value.isInfinite { return value > 0 ? ".inf" : "-.inf" }
  return value.description
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an
/// exponent (`count_values` labels).
public func formatGoFloatFixed(_ value: Double) -> String {
  if value.isNaN { return "NaN" }
  if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
  if value == 0 { return value.sign == .minus ? "-0" : "0" }
  let (negative, digits, pointPosition) = shortestDigits(value)
  var out = negative ? "-" : ""
  if pointPosition <= 0 {
    out += "0." + String(repeating: "0", count: -pointPosition) + digits
  } else if pointPosition >= digits.count {
    out += digits + String(repeating: "0", count: pointPosition - digits.count)
  } else {
    let split = digits.index(digits.startIndex, offsetBy: pointPosition)
    out += digits[..<split] + "." + digits[split...]
  }
  return out
}
