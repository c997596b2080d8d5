/// One `alerts` row: an alert instance changing state (pending, firing, resolved,
/// cancelled) at a rule evaluation.
public struct AlertRow: ResultRow, Equatable {
  public static let table = ResultTable<AlertRow>(
    "alerts", perRun: true,
    columns: [
      .column("time", \.time),
      .column("rule_group", \.ruleGroup),
      .column("alertname", \.alertName),
      .column("state", \.state),
      .column("labels", \.labels),
      .column("service", \.service),
      .column("value", \.value),
    ])

  public var time: Double
  public var ruleGroup: String
  public var alertName: String
  public var state: String
  public var labels: String
  public var service: String?
  public var value: Double?

  @inlinable public init(
    time: Double, ruleGroup: String, alertName: String, state: String, labels: String, service: String?, value: Double?
  ) {
    self.time = time
    self.ruleGroup = ruleGroup
    self.alertName = alertName
    self.state = state
    self.labels = labels
    self.service = service
    self.value = value
  }

  public init(from row: RowReader<AlertRow>) throws(RowDecodingError) {
    self.init(
      time: try row[\.time], ruleGroup: try row[\.ruleGroup], alertName: try row[\.alertName], state: try row[\.state],
      labels: try row[\.labels], service: try row[\.service], value: try row[\.value])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(time)
    row.append(ruleGroup)
    row.append(alertName)
    row.append(state)
    row.append(labels)
    row.append(service)
    row.append(value)
  }
}

/// One `alert_notifications` row: an Alertmanager notification and what the platform
/// did about it.
public struct AlertNotificationRow: ResultRow, Equatable {
  public static let table = ResultTable<AlertNotificationRow>(
    "alert_notifications", perRun: true,
    columns: [
      .column("time", \.time),
      .column("receiver", \.receiver),
      .column("group_key", \.groupKey),
      .column("status", \.status),
      .column("alerts", \.alertCount),
      .column("action", \.action),
      .column("service", \.service),
      .column("outcome", \.outcome),
    ])

  public var time: Double
  public var receiver: String
  public var groupKey: String
  public var status: String
  public var alertCount: Int
  public var action: String?
  public var service: String?
  /// What the platform did about it (docs/SCHEMA.md).
  public var outcome: String

  @inlinable public init(
    time: Double, receiver: String, groupKey: String, status: String, alertCount: Int, action: String?,
    service: String?, outcome: String
  ) {
    self.time = time
    self.receiver = receiver
    self.groupKey = groupKey
    self.status = status
    self.alertCount = alertCount
    self.action = action
    self.service = service
    self.outcome = outcome
  }

  public init(from row: RowReader<AlertNotificationRow>) throws(RowDecodingError) {
    self.init(
      time: try row[\.time], receiver: try row[\.receiver], groupKey: try row[\.groupKey], status: try row[\.status],
      alertCount: try row[\.alertCount], action: try row[\.action], service: try row[\.service],
      outcome: try row[\.outcome])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(time)
    row.append(receiver)
    row.append(groupKey)
    row.append(status)
    row.append(alertCount)
    row.append(action)
    row.append(service)
    row.append(outcome)
  }
}

/// One `series` row: a stored time series and its labels.
public struct SeriesRow: ResultRow, Equatable {
  public static let table = ResultTable<SeriesRow>(
    "series", perRun: true,
    columns: [
      .column("series_id", \.seriesID),
      .column("labels", \.labels),
    ])

  public var seriesID: Int64
  public var labels: String

  @inlinable public init(seriesID: Int64, labels: String) {
    self.seriesID = seriesID
    self.labels = labels
  }

  public init(from row: RowReader<SeriesRow>) throws(RowDecodingError) {
    self.init(seriesID: try row[\.seriesID], labels: try row[\.labels])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(seriesID)
    row.append(labels)
  }
}

/// One `series_samples` row: a kept sample of a stored series.
public struct SeriesSampleRow: ResultRow, Equatable {
  public static let table = ResultTable<SeriesSampleRow>(
    "series_samples", perRun: true,
    columns: [
      .column("series_id", \.seriesID),
      .column("time", \.time),
      .column("value", \.value),
    ])

  public var seriesID: Int64
  public var time: Double
  public var value: Double?

  @inlinable public init(seriesID: Int64, time: Double, value: Double?) {
    self.seriesID = seriesID
    self.time = time
    self.value = value
  }

  public init(from row: RowReader<SeriesSampleRow>) throws(RowDecodingError) {
    self.init(seriesID: try row[\.seriesID], time: try row[\.time], value: try row[\.value])
  }

  @inlinable public func encode(to row: inout RowEncoder) {
    row.append(seriesID)
    row.append(time)
    row.append(value)
  }
}
