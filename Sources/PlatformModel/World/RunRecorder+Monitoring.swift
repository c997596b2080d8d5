import ResultStore
import SimKernel

extension RunRecorder {
  /// Writes alert state changes (`alerts`) and Alertmanager notifications with what the
  /// platform did about them (`alert_notifications`).
  func recordMonitoring(_ monitoring: PlatformMonitoring, calendar: SimCalendar) throws(StoreError) {
    let alerts = store.tableWriter(
      "alerts", columns: ["run_id", "time", "rule_group", "alertname", "state", "labels", "service", "value"])
    for record in monitoring.alertRecords {
      alerts.append(runID.rawValue)
      alerts.append(calendar.epochSeconds(at: record.time))
      alerts.append(record.group)
      alerts.append(record.rule)
      alerts.append(record.state)
      alerts.append(record.labels)
      alerts.append(record.service)
      alerts.append(record.value)
      try alerts.endRow()
    }
    try alerts.flush()
    let notifications = store.tableWriter(
      "alert_notifications",
      columns: ["run_id", "time", "receiver", "group_key", "status", "alerts", "action", "service", "outcome"])
    for record in monitoring.notificationRecords {
      notifications.append(runID.rawValue)
      notifications.append(calendar.epochSeconds(at: record.time))
      notifications.append(record.receiver)
      notifications.append(record.groupKey)
      notifications.append(record.status)
      notifications.append(record.alertCount)
      notifications.append(record.action)
      notifications.append(record.service)
      notifications.append(record.outcome)
      try notifications.endRow()
    }
    try notifications.flush()
    guard !monitoring.keptSamples.isEmpty else { return }
    var seen = Set<Int32>()
    let seriesWriter = store.tableWriter("series", columns: ["run_id", "series_id", "labels"])
    let samples = store.tableWriter("series_samples", columns: ["run_id", "series_id", "time", "value"])
    for sample in monitoring.keptSamples {
      if seen.insert(sample.series.rawValue).inserted {
        seriesWriter.append(runID.rawValue)
        seriesWriter.append(Int64(sample.series.rawValue))
        seriesWriter.append(monitoring.store.labels(of: sample.series).description)
        try seriesWriter.endRow()
      }
      samples.append(runID.rawValue)
      samples.append(Int64(sample.series.rawValue))
      samples.append(calendar.epochSeconds(at: SimTime(microseconds: sample.timestampMs * 1_000)))
      samples.append(sample.value)
      try samples.endRow()
    }
    try seriesWriter.flush()
    try samples.flush()
  }
}
