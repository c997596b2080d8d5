import Foundation
import InputReading
import SimKernel

/// Receivers, their notifiers, and named time intervals of alertmanager.yml, checked as
/// alertmanager's `config.Load` checks them (config/config.go, config/notifiers.go,
/// timeinterval/timeinterval.go).
extension AlertmanagerConfigReader {
  // MARK: - Receivers

  /// A receiver and the value of its name (for duplicate-name messages).
  func readReceiver(_ reader: ObjectReader<AlertmanagerSchema.Receiver>) -> (Receiver, YAMLValue)? {
    guard let nameValue = reader.value(of: \.name), let name = reader[\.name] else { return nil }
    guard !name.isEmpty else {
      nameValue.report(.invalid("missing name in receiver", hint: "give the receiver a name"))
      return nil
    }
    var integrations: [ReceiverIntegration] = []
    // Notifiers in file order: the order their notifications are recorded in.
    for entry in reader.presentEntries where !entry.value.isNull {
      if let list = reader.read(\.webhooks, at: entry) {
        let kind = (key: entry.key, sendResolvedDefault: true)
        for (index, item) in list.elements.enumerated() {
          guard let config = item.readObject(AlertmanagerSchema.WebhookConfig.self) else { continue }
          integrations.append(readWebhook(config, kind: kind, index: index))
        }
        continue
      }
      guard let offset = reader.keys.notifiers.firstIndex(where: { $0.name == entry.key }),
        let kind = ReceiverIntegration.kinds.first(where: { $0.key == entry.key }),
        let list = reader.read(\.notifiers[offset], at: entry)
      else { continue }
      for (index, item) in list.elements.enumerated() {
        guard let config = item.readObject(AlertmanagerSchema.NotifierConfig.self) else { continue }
        checkRequiredFields(config.value, kind: kind.key, keys: Set(config.presentKeys))
        let sendResolved = config[\.sendResolved] ?? kind.sendResolvedDefault
        integrations.append(
          ReceiverIntegration(
            kind: String(kind.key.dropLast("_configs".count)), index: index, sendResolved: sendResolved, url: nil,
            action: nil, maxAlerts: 0))
      }
    }
    return (Receiver(name: ReceiverName(name), keyPath: reader.path, integrations: integrations), nameValue)
  }

  /// A `webhook_configs` entry: its URL (or a `sim://` platform action), checked as
  /// alertmanager checks webhook URLs.
  func readWebhook(
    _ reader: ObjectReader<AlertmanagerSchema.WebhookConfig>, kind: (key: String, sendResolvedDefault: Bool),
    index: Int
  ) -> ReceiverIntegration {
    let sendResolved = reader[\.sendResolved] ?? kind.sendResolvedDefault
    var action: PlatformAction?
    let url = reader[\.url]
    if let text = url, let value = reader.value(of: \.url) {
      let lowered = text.lowercased()
      if lowered.hasPrefix("sim://") {
        action = PlatformAction(url: text)
        if action?.kind == .other("") {
          value.report(
            .invalid("the sim:// URL names no action", hint: "use sim://rollback, sim://page or sim://scale"))
        }
      } else if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) {
        let scheme = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
        value.report(
          .invalid(
            "unsupported scheme \(AlertmanagerText.quoted(scheme)) for URL",
            hint: "use http://, https://, or sim://rollback, sim://page, sim://scale for platform actions"))
      } else if text.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first?.isEmpty ?? true {
        value.report(.invalid("missing host for URL", hint: "write the URL as http://host/path"))
      }
    }
    let urlFile = reader[\.urlFile]
    let maxAlerts = reader[\.maxAlerts] ?? 0
    _ = reader[\.timeout]
    checkRequiredFields(reader.value, kind: kind.key, keys: Set(reader.presentKeys))
    if url == nil && urlFile == nil {
      reader.value.report(
        .invalid("one of url or url_file must be configured", hint: "add `url: sim://rollback` or an http(s) URL"))
    } else if url != nil && urlFile != nil {
      reader.value.report(.invalid("at most one of url & url_file must be configured", hint: "remove one of them"))
    }
    return ReceiverIntegration(
      kind: String(kind.key.dropLast("_configs".count)), index: index, sendResolved: sendResolved, url: url,
      action: action, maxAlerts: maxAlerts)
  }

  /// The required settings `config.Load` checks for the common integrations
  /// (config/config.go): each may come from the integration or from `global`.
  func checkRequiredFields(_ value: YAMLValue, kind: String, keys: Set<String>) {
    func has(_ own: [String], global: [String] = []) -> Bool {
      own.contains(where: keys.contains) || global.contains(where: globalKeysSet.contains)
    }
    var missing: [(message: String, hint: String)] = []
    switch kind {
    case "email_configs":
      if !has(["to"]) { missing.append(("missing to address in email config", "add `to: team@example.com`")) }
      if !has(["smarthost"], global: ["smtp_smarthost"]) {
        missing.append(("no global SMTP smarthost set", "set `smarthost` here or `global.smtp_smarthost`"))
      }
      if !has(["from"], global: ["smtp_from"]) {
        missing.append(("no global SMTP from set", "set `from` here or `global.smtp_from`"))
      }
    case "slack_configs":
      if !has(
        ["api_url", "api_url_file", "app_token", "app_token_file"],
        global: ["slack_api_url", "slack_api_url_file", "slack_app_token", "slack_app_token_file"])
      {
        missing.append(
          ("no global Slack API URL set either inline or in a file", "set `api_url` here or `global.slack_api_url`"))
      }
    case "pagerduty_configs":
      if !has(["routing_key", "routing_key_file", "service_key", "service_key_file"]) {
        missing.append(("missing service or routing key in PagerDuty config", "add `routing_key`"))
      }
    case "opsgenie_configs":
      if !has(["api_key", "api_key_file"], global: ["opsgenie_api_key", "opsgenie_api_key_file"]) {
        missing.append(
          (
            "no global OpsGenie API Key set either inline or in a file",
            "set `api_key` here or `global.opsgenie_api_key`"
          ))
      }
    case "victorops_configs":
      if !has(["api_key", "api_key_file"], global: ["victorops_api_key", "victorops_api_key_file"]) {
        missing.append(("no global VictorOps API Key set", "set `api_key` here or `global.victorops_api_key`"))
      }
    case "wechat_configs":
      if !has(["api_secret"], global: ["wechat_api_secret"]) {
        missing.append(("no global Wechat ApiSecret set", "set `api_secret` here or `global.wechat_api_secret`"))
      }
      if !has(["corp_id"], global: ["wechat_api_corp_id"]) {
        missing.append(("no global Wechat CorpID set", "set `corp_id` here or `global.wechat_api_corp_id`"))
      }
    case "rocketchat_configs":
      if !has(["token_id", "token_id_file"], global: ["rocketchat_token_id", "rocketchat_token_id_file"]) {
        missing.append(("no global Rocketchat TokenID set either inline or in a file", "set `token_id`"))
      }
      if !has(["token", "token_file"], global: ["rocketchat_token", "rocketchat_token_file"]) {
        missing.append(("no global Rocketchat Token set either inline or in a file", "set `token`"))
      }
    case "discord_configs", "msteams_configs", "msteamsv2_configs":
      if !has(["webhook_url", "webhook_url_file"]) {
        let name = kind == "discord_configs" ? "discord" : kind == "msteams_configs" ? "msteams" : "msteamsv2"
        missing.append(("no \(name) webhook URL or URLFile provided", "set `webhook_url`"))
      }
    case "pushover_configs":
      if !has(["user_key"]) { missing.append(("missing user key in Pushover config", "add `user_key`")) }
      if !has(["token"]) { missing.append(("missing token in Pushover config", "add `token`")) }
    case "sns_configs":
      if !has(["target_arn", "topic_arn", "phone_number"]) {
        missing.append(
          ("must provide either a Target ARN, Topic ARN, or Phone Number for SNS config", "add `topic_arn`"))
      }
    case "telegram_configs":
      if !has(["bot_token"]) { missing.append(("missing bot_token on telegram_config", "add `bot_token`")) }
      if !has(["chat_id"]) { missing.append(("missing chat_id on telegram_config", "add `chat_id`")) }
    case "webex_configs":
      if !has(["room_id"]) { missing.append(("missing room_id on webex_config", "add `room_id`")) }
    default:
      break
    }
    if kind == "victorops_configs" && !has(["routing_key"]) {
      missing.append(("missing Routing key in VictorOps config", "add `routing_key`"))
    }
    // A secret inline and in a file (notifiers.go, Alertmanager 0.25).
    let exclusive: [String: [(String, String)]] = [
      "pagerduty_configs": [("routing_key", "routing_key_file"), ("service_key", "service_key_file")],
      "slack_configs": [("api_url", "api_url_file")], "opsgenie_configs": [("api_key", "api_key_file")],
      "victorops_configs": [("api_key", "api_key_file")],
    ]
    for (inline, file) in exclusive[kind] ?? [] where keys.contains(inline) && keys.contains(file) {
      missing.append(("at most one of \(inline) & \(file) must be configured", "remove one of them"))
    }
    for item in missing { value.report(.invalid(item.message, hint: item.hint)) }
  }

  // MARK: - Time intervals

  static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
  static let monthNames = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
  ]

  func readTimeInterval(_ reader: ObjectReader<AlertmanagerSchema.TimeInterval>) -> (NamedTimeInterval, YAMLValue)? {
    guard let nameValue = reader.value(of: \.name), let name = reader[\.name] else { return nil }
    var periods: [TimeIntervalPeriod] = []
    for item in reader[\.periods]?.elements ?? [] {
      // An empty period matches every time.
      if item.isNull {
        periods.append(TimeIntervalPeriod())
      } else if let period = item.readObject(AlertmanagerSchema.TimePeriod.self).map(readPeriod) {
        periods.append(period)
      }
    }
    return (NamedTimeInterval(name: name, keyPath: reader.path, periods: periods), nameValue)
  }

  func readPeriod(_ reader: ObjectReader<AlertmanagerSchema.TimePeriod>) -> TimeIntervalPeriod {
    var period = TimeIntervalPeriod()
    for item in reader[\.times]?.elements ?? [] {
      guard let range = item.readObject(AlertmanagerSchema.TimeRange.self) else { continue }
      if let minutes = readClockRange(range) { period.times.append(minutes) }
    }
    period.weekdays = readRanges(reader[\.weekdays], what: "weekday") {
      Self.weekdayNames.firstIndex(of: $0.lowercased())
    }
    period.months = readRanges(reader[\.months], what: "month") { text in
      if let index = Self.monthNames.firstIndex(of: text.lowercased()) { return index + 1 }
      if let number = Int(text), (1...12).contains(number) { return number }
      return nil
    }
    period.years = readRanges(reader[\.years], what: "year") { text in Int(text).flatMap { $0 > 0 ? $0 : nil } }
    for item in strings(reader[\.daysOfMonth]) {
      let parts = item.text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      let numbers = parts.compactMap { Int($0) }
      guard (1...2).contains(parts.count), numbers.count == parts.count,
        numbers.allSatisfy({ $0 != 0 && (-31...31).contains($0) })
      else {
        item.value.report(
          .invalid(
            "invalid day of month range \(AlertmanagerText.quoted(item.text))",
            hint: "use days 1 to 31 or -31 to -1, e.g. `1:7` or `-1`"))
        continue
      }
      let begin = numbers[0]
      let end = numbers.count == 2 ? numbers[1] : numbers[0]
      if (begin > 0) == (end > 0), begin > end {
        item.value.report(
          .invalid("start day cannot be after end day in \(AlertmanagerText.quoted(item.text))", hint: nil))
        continue
      }
      period.daysOfMonth.append((begin, end))
    }
    if let text = reader[\.location], let value = reader.value(of: \.location) {
      let zone = text == "Local" ? "UTC" : text
      if SimCalendar.isKnownTimeZone(zone) {
        period.location = zone
      } else {
        value.report(
          .invalid(
            "unknown time zone \(AlertmanagerText.quoted(text))", hint: "use an IANA name such as Europe/Berlin or UTC")
        )
      }
    }
    return period
  }

  /// `start_time`–`end_time` as minutes of the day; both must be given, start first.
  func readClockRange(_ reader: ObjectReader<AlertmanagerSchema.TimeRange>) -> Range<Int>? {
    var failed = false
    func minute(_ field: FieldSelector<AlertmanagerSchema.TimeRange, String>) -> Int? {
      guard let value = reader.value(of: field) else { return nil }
      guard let text = reader[field] else {
        failed = true
        return nil
      }
      guard let minute = Self.clockMinute(text) else {
        failed = true
        value.report(
          .invalid(
            "couldn't parse timestamp \(AlertmanagerText.quoted(text)), invalid format",
            hint: "use HH:MM, 00:00 to 24:00"))
        return nil
      }
      return minute
    }
    let start = minute(\.startTime)
    let end = minute(\.endTime)
    guard let start, let end else {
      if !failed {
        reader.value.report(.invalid("both start and end times must be provided", hint: "add start_time and end_time"))
      }
      return nil
    }
    guard start < end else {
      reader.value.report(
        .invalid(
          "start time cannot be equal or greater than end time", hint: "a range cannot cross midnight; split it in two")
      )
      return nil
    }
    return start..<end
  }

  /// Reads `a` or `a:b` items, ascending, through `value`.
  func readRanges(_ items: InputList<String>?, what: String, value: (String) -> Int?) -> [ClosedRange<Int>] {
    var ranges: [ClosedRange<Int>] = []
    for item in strings(items) {
      let parts = item.text.split(separator: ":", omittingEmptySubsequences: false).map {
        String($0).trimmingCharacters(in: .whitespaces)
      }
      let values = parts.compactMap(value)
      guard (1...2).contains(parts.count), values.count == parts.count else {
        item.value.report(
          .invalid(
            "invalid \(what) \(AlertmanagerText.quoted(item.text))",
            hint: what == "weekday" ? "use names such as monday or ranges such as monday:friday" : nil))
        continue
      }
      let begin = values[0]
      let end = values.count == 2 ? values[1] : values[0]
      guard begin <= end else {
        // alertmanager's wording, kept so searches for it find this.
        let message =
          what == "weekday" ? "start day cannot be before end day" : "start \(what) cannot be after end \(what)"
        let hint =
          what == "weekday"
          ? "weeks run from sunday to saturday; list the days instead, e.g. ['saturday', 'sunday']" : nil
        item.value.report(.invalid("\(message) in \(AlertmanagerText.quoted(item.text))", hint: hint))
        continue
      }
      ranges.append(begin...end)
    }
    return ranges
  }

  /// `HH:MM` from 00:00 to 24:00, as minutes of the day.
  static func clockMinute(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
      let minute = Int(parts[1]),
      (0...24).contains(hour), (0..<60).contains(minute), hour < 24 || minute == 0
    else { return nil }
    return hour * 60 + minute
  }
}
