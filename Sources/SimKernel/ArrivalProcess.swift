/// Relative arrival intensity by local hour of day and day of week.
///
/// The rate at local time t is `base × hourOfDay[hour] × dayOfWeek[weekday]`, the
/// usual shape of commits, pipeline jobs and request load (working hours, quiet
/// weekends).
public struct RateProfile: Equatable, Sendable {
  /// 24 factors, local hours 0…23.
  public var hourOfDay: [Double]
  /// 7 factors, Monday…Sunday.
  public var dayOfWeek: [Double]

  public init(hourOfDay: [Double] = Array(repeating: 1, count: 24), dayOfWeek: [Double] = Array(repeating: 1, count: 7))
  {
    precondition(hourOfDay.count == 24 && dayOfWeek.count == 7, "profile needs 24 hourly and 7 daily factors")
    self.hourOfDay = hourOfDay
    self.dayOfWeek = dayOfWeek
  }

  /// Flat: the same rate at every hour.
  public static let flat = RateProfile()

  public var maximumFactor: Double { (hourOfDay.max() ?? 0) * (dayOfWeek.max() ?? 0) }

  public func factor(at local: LocalTime) -> Double {
    hourOfDay[local.hour] * dayOfWeek[local.weekday]
  }
}

/// A (possibly non-homogeneous) Poisson arrival process.
///
/// Non-homogeneous arrivals are drawn by thinning (Lewis & Shedler 1979): candidates
/// come at the peak rate and each is kept with probability rate(t)/peak, so the
/// process follows the daily × weekly profile exactly, in local time.
///
/// The peak rate and whether the profile is flat are kept up to date as the rate or
/// profile change, not recomputed per arrival: scanning 31 factors and comparing
/// the profile with ``RateProfile/flat`` cost more than the draw itself.
public struct ArrivalProcess: Equatable, Sendable {
  /// Arrivals per second at a profile factor of 1.
  public var baseRatePerSecond: Double {
    didSet { refreshPeakRate() }
  }
  public var profile: RateProfile {
    didSet { refreshPeakRate() }
  }
  /// `baseRatePerSecond × profile.maximumFactor`: the candidate rate for thinning.
  @usableFromInline private(set) var peakRatePerSecond: Double
  /// `1 / peakRatePerSecond`: the mean gap between candidates.
  @usableFromInline private(set) var meanCandidateGapSeconds: Double
  /// Whether the profile is flat, so no candidate is ever rejected.
  @usableFromInline private(set) var hasFlatProfile: Bool

  public init(ratePerHour: Double, profile: RateProfile = .flat) {
    baseRatePerSecond = ratePerHour / 3_600
    self.profile = profile
    peakRatePerSecond = baseRatePerSecond * profile.maximumFactor
    meanCandidateGapSeconds = 1 / peakRatePerSecond
    hasFlatProfile = profile == .flat
  }

  private mutating func refreshPeakRate() {
    peakRatePerSecond = baseRatePerSecond * profile.maximumFactor
    meanCandidateGapSeconds = 1 / peakRatePerSecond
    hasFlatProfile = profile == .flat
  }

  /// Whether the rate is the same at every hour of the week (a flat profile).
  public var isHomogeneous: Bool { hasFlatProfile }

  /// The next arrival strictly after `time`, or `nil` if the rate is zero everywhere or
  /// the run's limits fired while searching (``RunGuard``).
  @inlinable
  public func nextArrival(after time: SimTime, calendar: SimCalendar, stream: inout RandomStream) -> SimTime? {
    let peakRate = peakRatePerSecond
    guard peakRate > 0 else { return nil }
    var candidate = time
    if hasFlatProfile {
      return candidate + SimDuration(seconds: stream.exponential(mean: meanCandidateGapSeconds))
    }
    var rejected = 0
    while true {
      candidate = candidate + SimDuration(seconds: stream.exponential(mean: meanCandidateGapSeconds))
      let rate = baseRatePerSecond * profile.factor(at: calendar.localTime(at: candidate))
      if stream.nextUnit() * peakRate < rate { return candidate }
      // A high peak rate across hours of factor 0 rejects candidates for a long time
      // inside one event: the run's limits are checked here too (the run then stops).
      rejected += 1
      if RunGuard.pollInnerLoop(rejected) { return nil }
    }
  }
}
