import Foundation

/// A label matcher of a selector: `=`, `!=`, `=~` or `!~`.
///
/// Mirrors Prometheus `model/labels.Matcher`: regexes are fully anchored
/// (`^(?:re)$`, as `labels.NewFastRegexMatcher` does) and an absent label matches
/// as the empty string. Foundation's ICU regex engine stands in for RE2; the two
/// agree on the RE2 subset rule authors use (classes, alternation, repetition).
public struct LabelMatcher: @unchecked Sendable, CustomStringConvertible {
  /// The matching operator.
  public enum Kind: String, Sendable {
    case equal = "="
    case notEqual = "!="
    case regexMatch = "=~"
    case regexNoMatch = "!~"
  }

  public let name: String
  public let kind: Kind
  public let value: String
  private let regex: NSRegularExpression?

  /// Creates a matcher; throws when a regex does not compile.
  public init(name: String, kind: Kind, value: String) throws(LabelMatcherError) {
    self.name = name
    self.kind = kind
    self.value = value
    switch kind {
    case .equal, .notEqual:
      regex = nil
    case .regexMatch, .regexNoMatch:
      do {
        regex = try NSRegularExpression(pattern: "^(?:" + value + ")$", options: [])
      } catch {
        throw LabelMatcherError(pattern: value)
      }
    }
  }

  /// Whether a label value (empty when absent) satisfies the matcher.
  public func matches(_ candidate: String) -> Bool {
    switch kind {
    case .equal: return candidate == value
    case .notEqual: return candidate != value
    case .regexMatch: return regexMatches(candidate)
    case .regexNoMatch: return !regexMatches(candidate)
    }
  }

  /// Whether the matcher accepts the empty string (Prometheus: a selector needs one that does not).
  public var matchesEmpty: Bool { matches("") }

  private func regexMatches(_ candidate: String) -> Bool {
    guard let regex else { return false }
    let range = NSRange(candidate.startIndex..<candidate.endIndex, in: candidate)
    return regex.firstMatch(in: candidate, options: [.anchored], range: range) != nil
  }

  public var description: String { "\(name)\(kind.rawValue)\(quotedLabelValue(value))" }
}

/// A regex in a label matcher does not compile.
public struct LabelMatcherError: Error, Sendable {
  public let pattern: String
}
