/// How one family of formats words its messages and reads YAML's corners, declared once
/// per format so its readers need not repeat it.
///
/// PlatformSim's own formats (scenario, gate, sweep, catalogue, and the Argo Rollouts
/// and Flagger resources it reads through the scenario) quote names in backticks and
/// explain what a place expects. The Prometheus family (alertmanager.yml) quotes as Go's
/// `%q` does, as alertmanager prints names in its own errors, and reads YAML as Go's
/// yaml.v2 does: `null` is an absent value and `<<` merges mappings.
public final class InputConventions: Sendable {
  /// How a name (a key, a receiver) is quoted in a message.
  public let quote: @Sendable (String) -> String
  /// Whether "did you mean" also offers a name that the word is a prefix of
  /// (`pager` → `pagerduty`).
  public let suggestsPrefixes: Bool
  /// Whether messages explain what belongs where: the keys a mapping has, what a
  /// missing key holds, and every valid key when an unknown one is nothing like them.
  public let explainsExpectations: Bool
  /// Whether a key set to `null` reads as absent (Go's zero value), rather than as a
  /// value of the wrong type.
  public let nullMeansAbsent: Bool
  /// Whether YAML merge keys (`<<: *defaults`) are honoured, as Go's yaml.v2 does.
  public let mergesKeys: Bool

  public init(
    quote: @escaping @Sendable (String) -> String, suggestsPrefixes: Bool, explainsExpectations: Bool,
    nullMeansAbsent: Bool, mergesKeys: Bool
  ) {
    self.quote = quote
    self.suggestsPrefixes = suggestsPrefixes
    self.explainsExpectations = explainsExpectations
    self.nullMeansAbsent = nullMeansAbsent
    self.mergesKeys = mergesKeys
  }

  /// PlatformSim's own formats: backticks, explanations, strict YAML.
  public static let platformSim = InputConventions(
    quote: { "`\($0)`" }, suggestsPrefixes: false, explainsExpectations: true, nullMeansAbsent: false,
    mergesKeys: false)

  /// The Prometheus tools' files (rule files, promtool tests), which Go's YAML
  /// decoders read: PlatformSim's wording, `null` as an absent value, `<<` merges.
  public static let prometheus = InputConventions(
    quote: { "`\($0)`" }, suggestsPrefixes: false, explainsExpectations: true, nullMeansAbsent: true,
    mergesKeys: true)

  /// The hint "did you mean `x`?", quoted by these conventions.
  public func didYouMean(_ suggestion: String) -> String { "did you mean \(quote(suggestion))?" }
}
