// The text every input-file reader prints (scenario files, alertmanager.yml, gate
// files), so that all of them read — and are parsed by editors and CI annotators — alike.

/// `file:line:column: severity: key.path: message; hint`, the form compilers use; the
/// location is the file alone when `line` is 0 (the file as a whole).
public func renderDiagnostic(
  file: String, line: Int, column: Int, severity: String, keyPath: DocumentKeyPath, message: String, hint: String?
) -> String {
  let location = line > 0 ? "\(file):\(line):\(column)" : file
  let pathText = keyPath.components.isEmpty ? "" : "\(keyPath): "
  return "\(location): \(severity): \(pathText)\(message)" + (hint.map { "; \($0)" } ?? "")
}

/// Rendered diagnostics one per line, then `N error(s) found`.
public func renderDiagnostics(_ rendered: [String], errorCount: Int) -> String {
  rendered.joined(separator: "\n") + "\n\(errorCount) error\(errorCount == 1 ? "" : "s") found"
}

/// The closest candidate to `word`, if close enough to be a typo: the same letters in
/// another case, else (with `acceptingPrefixes`, for names users shorten, such as
/// receivers: `pager` for `pagerduty`) the shortest candidate one is a prefix of, else
/// the nearest by edit distance within a third of the shorter length (at least 2).
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
