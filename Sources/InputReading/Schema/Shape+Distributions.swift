import SimKernel

extension Shape where Value == Distribution {
  /// A distribution of durations, sampled in seconds: `5m`, `{exponential: {mean: 5m}}`,
  /// `{lognormal: {median: 3m, p90: 10m}}`.
  public static var durationDistribution: Shape {
    Shape(.durationDistribution) { DistributionReader.read($0, valuesAreDurations: true) }
  }

  /// A distribution of plain numbers: `3`, `{uniform: {min: 1, max: 5}}`.
  public static var numberDistribution: Shape {
    Shape(.numberDistribution) { DistributionReader.read($0, valuesAreDurations: false) }
  }
}

/// Reads distributions written as a plain value (a constant) or a one-key mapping
/// naming the family: `{exponential: {mean: 5m}}`, `{lognormal: {median: 3m, p90: 10m}}`.
///
/// For duration distributions, location and scale parameters are durations and the
/// sampled values are seconds; `mu`/`sigma` of a lognormal and Weibull's `shape`
/// are plain numbers (`mu` is the mean of ln(seconds)).
enum DistributionReader {
  static let families = [
    "constant", "uniform", "exponential", "normal", "lognormal", "weibull", "discrete", "empirical",
  ]

  static func read(_ value: YAMLValue, valuesAreDurations: Bool) -> Distribution? {
    let expectation = (valuesAreDurations ? ValueSchema.durationDistribution : .numberDistribution).expectation
    if value.scalarText != nil {
      guard let constant = readValue(value, durations: valuesAreDurations, positive: false) else { return nil }
      return .constant(constant)
    }
    guard let entries = value.readDictionary() else { return nil }
    guard entries.count == 1, let (family, body) = entries.first else {
      value.mismatch(expected: expectation, hint: "name exactly one family: " + families.joined(separator: ", "))
      return nil
    }
    func parameters(_ keys: [String], required: [String]) -> [String: YAMLValue]? {
      guard let pairs = body.readDictionary() else { return nil }
      var found: [String: YAMLValue] = [:]
      var ok = true
      for (key, parameter) in pairs {
        if keys.contains(key) {
          found[key] = parameter
        } else {
          parameter.error(
            "unknown parameter `\(key)` of the \(family) distribution",
            hint: nearestMatch(to: key, in: keys).map(value.conventions.didYouMean)
              ?? "valid: " + keys.joined(separator: ", "))
          ok = false
        }
      }
      for key in required where found[key] == nil {
        body.error("the \(family) distribution needs `\(key)`", hint: "parameters: " + keys.joined(separator: ", "))
        ok = false
      }
      return ok ? found : nil
    }
    func scaled(_ parameter: YAMLValue?, positive: Bool = true) -> Double? {
      parameter.flatMap { readValue($0, durations: valuesAreDurations, positive: positive) }
    }
    switch family {
    case "constant":
      return readValue(body, durations: valuesAreDurations, positive: false).map { .constant($0) }
    case "uniform":
      guard let found = parameters(["min", "max"], required: ["min", "max"]),
        let low = scaled(found["min"], positive: false), let high = scaled(found["max"], positive: false)
      else { return nil }
      guard high > low else {
        body.error("the uniform distribution needs `max` greater than `min`")
        return nil
      }
      return .uniform(low: low, high: high)
    case "exponential":
      guard let found = parameters(["mean"], required: ["mean"]), let mean = scaled(found["mean"]) else { return nil }
      return .exponential(mean: mean)
    case "normal":
      guard let found = parameters(["mean", "stddev"], required: ["mean", "stddev"]),
        let mean = scaled(found["mean"], positive: false), let deviation = scaled(found["stddev"])
      else { return nil }
      return .normal(mean: mean, standardDeviation: deviation)
    case "lognormal":
      guard let found = parameters(["median", "p90", "mu", "sigma"], required: []) else { return nil }
      if found["median"] != nil || found["p90"] != nil {
        guard found["mu"] == nil, found["sigma"] == nil else {
          body.error("give either `median` and `p90`, or `mu` and `sigma`, not both")
          return nil
        }
        guard let median = scaled(found["median"]), let p90 = scaled(found["p90"]) else {
          if found["median"] == nil || found["p90"] == nil {
            body.error("the lognormal distribution needs both `median` and `p90`")
          }
          return nil
        }
        guard p90 > median else {
          body.error("the lognormal distribution needs `p90` greater than `median`")
          return nil
        }
        return .lognormal(median: median, p90: p90)
      }
      guard let mu = found["mu"]?.readNumber(),
        let sigma = found["sigma"]?.readNumber(minimum: 0, exclusiveMinimum: true)
      else {
        if found["mu"] == nil || found["sigma"] == nil {
          body.error("the lognormal distribution needs `median` and `p90`, or `mu` and `sigma`")
        }
        return nil
      }
      return .lognormal(mu: mu, sigma: sigma)
    case "weibull":
      guard let found = parameters(["shape", "scale"], required: ["shape", "scale"]),
        let shape = found["shape"]?.readNumber(minimum: 0, exclusiveMinimum: true), let scale = scaled(found["scale"])
      else { return nil }
      return .weibull(shape: shape, scale: scale)
    case "discrete":
      guard let found = parameters(["values", "weights"], required: ["values", "weights"]),
        let values = found["values"]?.readArray(minimumCount: 1),
        let weights = found["weights"]?.readArray(minimumCount: 1)
      else { return nil }
      guard values.count == weights.count else {
        body.error("`values` has \(values.count) entries but `weights` has \(weights.count)")
        return nil
      }
      let parsedValues = values.compactMap { readValue($0, durations: valuesAreDurations, positive: false) }
      let parsedWeights = weights.compactMap { $0.readNumber(minimum: 0) }
      guard parsedValues.count == values.count, parsedWeights.count == weights.count else { return nil }
      guard parsedWeights.reduce(0, +) > 0 else {
        body.error("the weights of a discrete distribution must not all be zero")
        return nil
      }
      return .discrete(zip(parsedValues, parsedWeights).map { (value: $0, weight: $1) })
    case "empirical":
      guard let found = parameters(["values"], required: ["values"]),
        let values = found["values"]?.readArray(minimumCount: 1)
      else { return nil }
      let parsed = values.compactMap { readValue($0, durations: valuesAreDurations, positive: false) }
      guard parsed.count == values.count else { return nil }
      return .empirical(values: parsed)
    default:
      body.error(
        "unknown distribution `\(family)`",
        hint: nearestMatch(to: family, in: families).map(value.conventions.didYouMean)
          ?? "families: " + families.joined(separator: ", "))
      return nil
    }
  }

  /// A duration (as seconds) or a number.
  static func readValue(_ value: YAMLValue, durations: Bool, positive: Bool) -> Double? {
    if durations {
      return value.readDuration(positive ? .positive : .nonNegative)?.seconds
    }
    return positive ? value.readNumber(minimum: 0, exclusiveMinimum: true) : value.readNumber()
  }
}
