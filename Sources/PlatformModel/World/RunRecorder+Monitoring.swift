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
  }
}
