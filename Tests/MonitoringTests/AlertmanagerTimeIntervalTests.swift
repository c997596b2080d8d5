import SimKernel
import Testing

@testable import Monitoring

/// `mute_time_intervals` and `active_time_intervals` on the wall clock: simulated
/// time zero is Friday 2026-11-27 00:00 UTC.
@Suite struct AlertmanagerTimeIntervalTests {
  static let fridayMidnightUTC = Int64(daysFromCivil(year: 2026, month: 11, day: 27)) * 86_400

  static func alertmanager() throws -> Alertmanager {
    Alertmanager(
      config: try parseConfig(
        """
        route:
          receiver: hook
          group_by: [alertname]
          routes:
            - matchers: [team="batch"]
              receiver: hook
              mute_time_intervals: [weekends]
            - matchers: [team="office"]
              receiver: hook
              active_time_intervals: [business-hours]
        receivers:
          - name: hook
            webhook_configs:
              - url: http://hook.example/
        time_intervals:
          - name: weekends
            time_intervals:
              - weekdays: [saturday, sunday]
          - name: business-hours
            time_intervals:
              - weekdays: ['monday:friday']
                times:
                  - start_time: '09:00'
                    end_time: '17:00'
                location: Europe/Berlin
        """), calendarStartEpochSeconds: fridayMidnightUTC)
  }

  @Test func muteTimeIntervalsSilenceTheWeekendAndRepeatsResumeOnMonday() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(
      alertmanager,
      posts: [(at("23h50m"), [firing(["alertname": "BatchLate", "team": "batch"], since: "23h50m", until: "200h")])],
      until: at("73h"))
    // Friday 23:50:30 goes out; the 4h repeat falls on Saturday and is muted; the
    // first tick on Monday (00:00:30) repeats.
    #expect(alertmanager.notifications.map(\.time) == [at("23h50m30s"), at("72h0m30s")])
  }

  @Test func activeTimeIntervalsHoldNotificationsUntilBusinessHoursInTheirZone() throws {
    let alertmanager = try Self.alertmanager()
    driveAlertmanager(
      alertmanager,
      posts: [(at("7h"), [firing(["alertname": "Printer", "team": "office"], since: "7h", until: "200h")])],
      until: at("17h"))
    // 07:00 UTC is 08:00 in Berlin: held until the 08:00:30 UTC tick (09:00:30 local),
    // repeated 4h later at 12:05:30 UTC, and not at 16:10:30 UTC (17:10 local).
    #expect(alertmanager.notifications.map(\.time) == [at("8h0m30s"), at("12h5m30s")])
  }
}
