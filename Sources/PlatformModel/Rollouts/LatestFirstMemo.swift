/// Answers worked out once per distinct key, for keys that are costly to hash and come
/// mostly in runs of equal ones (the rollout the services of a scenario share).
///
/// The latest key is compared first: `==` on copies that share storage (an array's
/// buffer, a string's) returns at once, where hashing reads every element, so a run of
/// equal keys costs one hash. Every other key is looked up exactly, by its hash.
public struct LatestFirstMemo<Key: Hashable, Answer> {
  private var answers: [Key: Answer] = [:]
  private var latest: (key: Key, answer: Answer)?

  public init() {}

  /// The answer for `key`, worked out by `work` if `key` is new, and whether it was.
  public mutating func answer(for key: Key, _ work: () -> Answer) -> (answer: Answer, isNew: Bool) {
    if let latest, latest.key == key { return (latest.answer, false) }
    let known = answers[key]
    let answer = known ?? work()
    if known == nil { answers[key] = answer }
    latest = (key, answer)
    return (answer, known == nil)
  }
}
