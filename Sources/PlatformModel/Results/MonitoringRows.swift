import ResultRows
import SimKernel

extension RunRows {
  /// Emits alert state changes (`alerts`), Alertmanager notifications with what the
  /// platform did about them (`alert_notifications`), and the kept samples with their
  /// series (`series_samples`, `series`).
  func emitMonitoring(_ monitoring: PlatformMonitoring, calendar: SimCalendar) {
    let alerts = table(AlertRow.self)
    for record in monitoring.alertRecords {
      alerts.append(
        AlertRow(
          time: calendar.epochSeconds(at: record.time), ruleGroup: record.group, alertName: record.rule,
          state: record.state, labels: record.labels, service: record.service, value: record.value))
    }
    alerts.flush()
    let notifications = table(AlertNotificationRow.self)
    for record in monitoring.notificationRecords {
      notifications.append(
        AlertNotificationRow(
          time: calendar.epochSeconds(at: record.time), receiver: record.receiver, groupKey: record.groupKey,
          status: record.status, alertCount: record.alertCount, action: record.action, service: record.service,
          outcome: record.outcome))
    }
    notifications.flush()
    guard !monitoring.keptSamples.isEmpty else { return }
    var seen = Set<Int32>()
    let series = table(SeriesRow.self)
    let samples = table(SeriesSampleRow.self)
    for sample in monitoring.keptSamples {
      if seen.insert(sample.series.rawValue).inserted {
        series.append(
          SeriesRow(
            seriesID: Int64(sample.series.rawValue), labels: monitoring.store.labels(of: sample.series).description))
      }
      samples.append(
        SeriesSampleRow(
          seriesID: Int64(sample.series.rawValue),
          time: calendar.epochSeconds(at: SimTime(microseconds: sample.timestampMs * 1_000)), value: sample.value))
    }
    series.flush()
    samples.flush()
  }
}
