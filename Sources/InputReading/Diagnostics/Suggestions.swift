/// The closest candidate to `word`, if close enough to be a typo: the same letters in
/// another case, else (with `acceptingPrefixes`, for names users shorten, such as
/// receivers: `pager` for `pagerduty`) the shortest candidate one is a prefix of, else
/// the nearest by edit distance within a third of the shorter length (at least 2).
///
/// What every "did you mean" of every input format is computed by.
public func nearestMatch(to word: String, in candidates: [String], acceptingPrefixes: Bool = false) -> String? {
  let lowered = word.lowercased()
  if let sameLetters = candidates.first(where: { $0.lowercased() == lowered }) { return sameLetters }
  if acceptingPrefixes && lowered.count >= 3 {
    let prefixed = candidates.filter { $0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased()) }
    if let shortest = prefixed.min(by: { ($0.count, $0) < ($1.count, $1) }) { return shortest }
  }
  var best: (candidate: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(lowered, candidate.lowercased())
    if let current = best, current.distance <= distance { continue }
    best = (candidate, distance)
  }
  guard let best else { return nil }
  let allowed = max(2, min(word.count, best.candidate.count) / 3)
  return best.distance <= allowed ? best.candidate : nil
}

/// Levenshtein distance between two strings, by characters: what "did you mean"
/// suggestions rank candidates by.
public func editDistance(_ first: String, _ second: String) -> Int {
  let a = Array(first)
  let b = Array(second)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = Array(repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
