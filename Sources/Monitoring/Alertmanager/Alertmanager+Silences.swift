import SimKernel

/// Identifies a silence created with ``Alertmanager/addSilence(matchers:startsAt:endsAt:comment:)``.
public struct SilenceID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int
  public static func < (lhs: SilenceID, rhs: SilenceID) -> Bool { lhs.index < rhs.index }
  public var description: String { "silence#\(index)" }
}

/// A silence: alerts matching all its matchers are not notified while it is active.
///
/// Silences are not part of alertmanager.yml — people create them through the API or
/// `amtool silence add` during an incident — so the simulation adds them through
/// this call when a modelled human would. Mirrors `silence.Silences` and the
/// `MuteStage(silencer)` in notify/notify.go: active when `startsAt <= now < endsAt`,
/// applied at each flush after inhibition and time intervals.
public struct Silence: Sendable {
  public let id: SilenceID
  public let matchers: [AlertmanagerMatcher]
  public let startsAt: SimTime
  public var endsAt: SimTime
  public let comment: String

  /// Whether the silence mutes alerts at `time`.
  public func isActive(at time: SimTime) -> Bool { startsAt <= time && time < endsAt }
}

extension Alertmanager {
  /// Adds a silence, as `amtool silence add` would; returns its identifier.
  ///
  /// - Precondition: at least one matcher and `startsAt < endsAt` (the API refuses
  ///   silences without matchers or with an end before the start).
  @discardableResult
  public func addSilence(matchers: [AlertmanagerMatcher], startsAt: SimTime, endsAt: SimTime, comment: String = "")
    -> SilenceID
  {
    precondition(!matchers.isEmpty, "a silence needs at least one matcher")
    precondition(startsAt < endsAt, "a silence must end after it starts")
    let id = SilenceID(index: silences.count)
    silences.append(Silence(id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, comment: comment))
    return id
  }

  /// Ends a silence now (`amtool silence expire`).
  public func expireSilence(_ id: SilenceID) {
    guard silences.indices.contains(id.index) else { return }
    silences[id.index].endsAt = min(silences[id.index].endsAt, max(now, silences[id.index].startsAt))
  }

  /// Whether an active silence mutes an alert with these labels.
  func isSilenced(_ labels: [String: String]) -> Bool {
    silences.contains { $0.isActive(at: now) && $0.matchers.allMatch(labels) }
  }
}
